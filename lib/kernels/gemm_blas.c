/* GEMM through the serial OpenBLAS (never the pthread build: libface starts
 * no threads of its own). OpenBLAS dispatches on the CPU itself, so one
 * baseline-compiled wrapper serves the avx2, avx512 and neon tables. */
#include <string.h>

#include <cblas.h>

#include "kernels/kernels_impl.h"

void lf_gemm_blas(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
                  int ldc, int accumulate, float *ws)
{
    if (M <= 0 || N <= 0) return;
    if (K <= 0) {
        /* BLAS would accept this too, but lda >= max(1, K) checks make the
         * empty product a needless corner; define it here like ref does. */
        if (!accumulate)
            for (int i = 0; i < M; i++) memset(C + (size_t)i * ldc, 0, (size_t)N * sizeof(float));
        return;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, A, lda, B, ldb,
                accumulate ? 1.0f : 0.0f, C, ldc);
}
