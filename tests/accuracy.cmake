# Metric arithmetic of the accuracy harness and the calibration call.
face_test(test_metrics LABELS quick SOURCES test_metrics.c ${PROJECT_SOURCE_DIR}/bench/accuracy/metrics.c)
target_link_libraries(test_metrics PRIVATE m)
# Needs the models for the public-call part only (skipped inside without them).
face_test(test_calibration LABELS quick models SOURCES test_calibration.c)
target_link_libraries(test_calibration PRIVATE m)
