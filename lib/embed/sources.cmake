face_sources(template.c recognition.c)
