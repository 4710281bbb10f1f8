add_executable(face_lfw ${CMAKE_CURRENT_LIST_DIR}/lfw.c)
target_link_libraries(face_lfw PRIVATE face Threads::Threads m)
target_compile_options(face_lfw PRIVATE ${FACE_WARN_FLAGS})
target_include_directories(face_lfw PRIVATE ${CMAKE_CURRENT_LIST_DIR})
