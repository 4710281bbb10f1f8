# SGEMM: libface's packed GEMM per ISA vs OpenBLAS on the networks' shapes.
add_executable(bench_gemm ${CMAKE_CURRENT_LIST_DIR}/bench_gemm.c)
target_compile_options(bench_gemm PRIVATE ${FACE_WARN_FLAGS})
target_link_libraries(bench_gemm PRIVATE face_internal)
