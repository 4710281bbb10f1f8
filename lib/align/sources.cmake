face_sources(landmarks.c chip.c faceapi_box.c)
