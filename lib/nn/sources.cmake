face_sources(layers.c)
