# Detector speed (single pass and multi-scale) and small-face calibration.
add_executable(bench_detect ${CMAKE_CURRENT_LIST_DIR}/bench_detect.c)
target_compile_options(bench_detect PRIVATE ${FACE_WARN_FLAGS})
target_link_libraries(bench_detect PRIVATE face_internal)
