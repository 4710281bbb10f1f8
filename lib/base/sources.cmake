face_sources(alloc.c error.c hash.c version.c cpu.c pool.c)
