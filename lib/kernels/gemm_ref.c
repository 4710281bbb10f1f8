/* Reference GEMM: plain C, blocked so it is usable (a few GFLOP/s with the
 * compiler's baseline vectorization) when FACE_FORCE_ISA=ref runs whole
 * networks, and independent of OpenBLAS so differential tests compare two
 * separate implementations. */
#include <string.h>

#include "kernels/kernels_impl.h"

/* B panel of KB x NB floats (64 KiB) stays in L2 while every row of A sweeps
 * it; 4 rows x 4 k-steps per pass give 16 multiply-adds per C load/store. */
enum { KB = 128, NB = 128 };

static void row_update(float *restrict c, const float *restrict b, int ldb, int nb, const float *a,
                       int kn)
{
    int k = 0;
    for (; k + 4 <= kn; k += 4) {
        const float a0 = a[k], a1 = a[k + 1], a2 = a[k + 2], a3 = a[k + 3];
        const float *b0 = b + (size_t)k * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
        for (int j = 0; j < nb; j++) c[j] += (a0 * b0[j] + a1 * b1[j]) + (a2 * b2[j] + a3 * b3[j]);
    }
    for (; k < kn; k++) {
        const float a0 = a[k];
        const float *b0 = b + (size_t)k * ldb;
        for (int j = 0; j < nb; j++) c[j] += a0 * b0[j];
    }
}

void lf_gemm_ref(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
                 int ldc, int accumulate, float *ws)
{
    if (M <= 0 || N <= 0) return;
    if (!accumulate)
        for (int i = 0; i < M; i++) memset(C + (size_t)i * ldc, 0, (size_t)N * sizeof(float));
    for (int k0 = 0; k0 < K; k0 += KB) {
        const int kn = K - k0 < KB ? K - k0 : KB;
        for (int j0 = 0; j0 < N; j0 += NB) {
            const int nb = N - j0 < NB ? N - j0 : NB;
            const float *b = B + (size_t)k0 * ldb + j0;
            for (int i = 0; i < M; i++)
                row_update(C + (size_t)i * ldc + j0, b, ldb, nb, A + (size_t)i * lda + k0, kn);
        }
    }
}
