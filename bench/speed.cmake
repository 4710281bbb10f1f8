add_executable(face_speed ${CMAKE_CURRENT_LIST_DIR}/speed.c)
target_link_libraries(face_speed PRIVATE face m)
target_compile_options(face_speed PRIVATE ${FACE_WARN_FLAGS})
