# Accuracy harness (bench/accuracy/): verification, 1:N identification,
# detection and quality-gate figures on lfw-dev plus the calibration table of
# face_threshold_for_fmr. Run everything with bench/run_accuracy.sh.
add_executable(face_accuracy
  ${CMAKE_CURRENT_LIST_DIR}/accuracy/accuracy.c
  ${CMAKE_CURRENT_LIST_DIR}/accuracy/metrics.c
  ${CMAKE_CURRENT_LIST_DIR}/accuracy/svg.c)
target_compile_options(face_accuracy PRIVATE ${FACE_WARN_FLAGS})
target_link_libraries(face_accuracy PRIVATE face Threads::Threads m)
target_include_directories(face_accuracy PRIVATE ${CMAKE_CURRENT_LIST_DIR})
