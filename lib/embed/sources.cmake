face_sources(template.c)
