face_sources(track.c quality.c stream.c)
