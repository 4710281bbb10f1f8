face_sources(alloc.c error.c hash.c version.c cpu.c pool.c decode.c stbi_impl.c jpeg.c)
# stb_image is third-party code: only its translation unit gets these.
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/stbi_impl.c PROPERTIES
  COMPILE_OPTIONS "-Wno-unused-function")
