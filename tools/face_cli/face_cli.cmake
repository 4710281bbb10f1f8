# The face command-line tool (docs/cli.md). Included from examples/CMakeLists.txt
# in the project build; installed to bin/ by cmake --install.
add_executable(face_cli ${CMAKE_CURRENT_LIST_DIR}/face_cli.c ${CMAKE_CURRENT_LIST_DIR}/png_write.c)
set_target_properties(face_cli PROPERTIES OUTPUT_NAME face)
target_include_directories(face_cli PRIVATE ${CMAKE_CURRENT_LIST_DIR} ${STB_INCLUDE_DIR})
target_compile_definitions(face_cli PRIVATE _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
target_link_libraries(face_cli PRIVATE face PkgConfig::SODIUM m)
target_compile_options(face_cli PRIVATE ${FACE_WARN_FLAGS})
# stb_image_write is third-party code: build it with the project's warnings
# but not -Werror, so a compiler upgrade cannot break the build on its code.
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/png_write.c PROPERTIES COMPILE_OPTIONS "-Wno-error;-Wno-unused-function")
install(TARGETS face_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# An installed face finds the libface installed next to it, whatever the prefix.
set_target_properties(face_cli PROPERTIES INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
