# Search kernels of the watchlist (lib/kernels/search.h).
face_sources(search_ref.c)
face_isa_sources(avx2 search_avx2.c)
face_isa_sources(avx512 search_avx512.c)
face_isa_sources(neon search_neon.c)
