face_sources(layers.c model.c)
