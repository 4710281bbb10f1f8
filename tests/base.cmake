face_test(test_base LABELS quick SOURCES test_base.c)
