face_sources(engine.c)
