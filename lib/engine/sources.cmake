face_sources(engine.c calibration.c)
