# lib/detect: NMS and tiling plan (quick, no models), and the two detectors
# against face-api's golden boxes plus the multi-scale small-face check.
face_test(test_detect LABELS quick SOURCES test_detect.c)
face_test(test_detect_models LABELS shared models SOURCES test_detect_models.c)
