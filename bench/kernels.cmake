# Kernel throughput: the tables' GEMMs (packed per ISA, or OpenBLAS; ref) on
# the networks' largest convs and the per-ISA SIMD kernels. An executable,
# not a test (speed belongs here).
add_executable(bench_kernels ${CMAKE_CURRENT_LIST_DIR}/bench_kernels.c)
target_compile_options(bench_kernels PRIVATE ${FACE_WARN_FLAGS})
target_link_libraries(bench_kernels PRIVATE face_internal)
