add_executable(face_demo ${CMAKE_CURRENT_LIST_DIR}/face_demo.c)
target_link_libraries(face_demo PRIVATE face m)
target_compile_options(face_demo PRIVATE ${FACE_WARN_FLAGS})
# The labels of the face-api demo photos (who is watchlisted, who is where).
target_compile_definitions(face_demo PRIVATE
  FACE_DEMO_LABELS="${CMAKE_CURRENT_LIST_DIR}/demo_labels.txt")
