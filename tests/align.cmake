# lib/align: similarity fit, face-api crop, dlib chip, face_landmark_68.
face_test(test_align LABELS quick SOURCES test_align.c)
face_test(test_align_chip LABELS shared SOURCES test_align_chip.c)
face_test(test_align_landmarks LABELS shared models SOURCES test_align_landmarks.c)
