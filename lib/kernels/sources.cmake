# Kernels: plain C reference per family, the dispatch, the OpenBLAS GEMM
# wrapper (FACE_GEMM=openblas; baseline: OpenBLAS picks its own CPU kernels),
# and one table per ISA with its packed GEMM (gemm_<isa>.c, gemm_template.h).
face_sources(kernels.c kernels_ref.c gemm_ref.c eltwise_ref.c conv_ref.c pool_ref.c resize_ref.c
             gemm_blas.c)
face_isa_sources(avx2 kernels_avx2.c gemm_avx2.c)
face_isa_sources(avx512 kernels_avx512.c gemm_avx512.c)
face_isa_sources(neon kernels_neon.c gemm_neon.c)

# The watchlist search kernels live here too but list themselves.
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/search_sources.cmake)
  include(${CMAKE_CURRENT_LIST_DIR}/search_sources.cmake)
endif()
