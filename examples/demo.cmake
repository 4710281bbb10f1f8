add_executable(face_demo ${CMAKE_CURRENT_LIST_DIR}/face_demo.c)
target_link_libraries(face_demo PRIVATE face)
target_compile_options(face_demo PRIVATE ${FACE_WARN_FLAGS})
