# lib/kernels: ref known answers + every SIMD table against ref.
face_test(test_kernels LABELS quick SOURCES test_kernels.c)
