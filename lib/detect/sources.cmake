face_sources(detect.c input.c nms.c pyramid.c tiny.c ssd.c)
