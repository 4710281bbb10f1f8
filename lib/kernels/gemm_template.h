/* Packed, cache-blocked SGEMM driver shared by gemm_avx2.c, gemm_avx512.c
 * and gemm_neon.c (GotoBLAS/BLIS structure, simplified for the networks'
 * shapes: M large, N <= 1024, K <= 2304).
 *
 *   for each NC-column block of B, for each KC-row block of it:
 *     pack the KC x NC block into NR-wide panels (zero-padded to NR) so the
 *     micro-kernel streams it contiguously out of L2;
 *     for each MR-row block of A (read in place: its MR x KC slice stays in
 *     L1 while the inner loop sweeps all the panels):
 *       for each panel: MR x NR micro-kernel, adding into C after the first
 *       K block.
 *
 * The micro-kernels broadcast A[i*lda + k] from rows, and there is one
 * micro-kernel per row count 1..MR, so the M edge needs neither a copy nor
 * wasted rows. For the thin N = 32/64 GEMMs that dominate the networks A is
 * read in place (a copy would cost as much as the arithmetic). With several
 * panels per row block the MR x KC slice is first copied into a contiguous
 * buffer: rows lda apart, for lda a multiple of 512 or 1024 floats, all fall
 * into the same few L1 sets and evict each other between panels (K = 512
 * and 1024 ran at half speed without the copy).
 *
 * When there are few rows of A, packing B would cost more than it saves (B
 * is touched by only a handful of micro-kernel calls): an ISA with masked
 * loads (GEMM_DIRECT_B) then lets the micro-kernel read B in place.
 *
 * The packing buffers come from the caller's workspace (ws, LF_GEMM_WS_FLOATS
 * floats): KC*NC floats for B (512 KiB at most), then MR*KC for A. Kernels
 * never allocate, and thread-local buffers would be allocated and freed by
 * the C library behind the allocator hook, unwiped. Without a workspace the
 * driver reads B in place (GEMM_DIRECT_B) or falls back to the reference
 * GEMM.
 *
 * Arithmetic: each C element is one FMA chain over k in order within a K
 * block, then added to C; that differs from ref only by rounding (FMA and the
 * per-block partial sums). C is not read unless accumulate is set, so NaN or
 * garbage in C without accumulate never leaks into the result.
 *
 * Include after defining:
 *   GEMM_MR, GEMM_NR         micro-tile rows and columns
 *   GEMM_KC, GEMM_NC         block sizes (GEMM_NC a multiple of GEMM_NR)
 *   GEMM_DIRECT_B            1 if micro-kernels may read an unpacked B
 *                            (loads of the last panel masked to nr columns)
 *   GEMM_FN                  name of the exported function
 *   gemm_uk[GEMM_MR]         micro-kernels: gemm_uk[mr - 1] computes mr rows:
 *       void uk(int kc, const float *a, size_t lda, const float *b, size_t ldb,
 *               float *c, size_t ldc, int nr, int load)
 *     C[i][j] = sum_k a[i*lda + k] * b[k*ldb + j] (+ C[i][j] if load) for
 *     i < mr, j < nr; b is a packed panel (ldb = GEMM_NR, zero-padded) or,
 *     with GEMM_DIRECT_B, the caller's B; only columns j < nr are read. */
#ifndef GEMM_FN
#error "define GEMM_FN and the micro-kernels before including gemm_template.h"
#endif

#include <string.h>

#include "kernels/kernels_impl.h"

typedef void (*gemm_uk_fn)(int kc, const float *a, size_t lda, const float *b, size_t ldb,
                           float *c, size_t ldc, int nr, int load);

/* Rows of A below which B is read in place rather than packed: packing
 * touches all of the block once more, which pays only when at least a few
 * MR-row blocks reuse it. */
#define GEMM_DIRECT_B_ROWS (2 * GEMM_MR)

/* Panels per row block from which copying the A slice pays. */
#define GEMM_PACK_A_PANELS 3

_Static_assert((size_t)GEMM_KC * GEMM_NC + (size_t)GEMM_MR * GEMM_KC <= LF_GEMM_WS_FLOATS,
               "LF_GEMM_WS_FLOATS too small for this ISA's blocking");

/* B[k0.., j0..] (kc x nc) into panels of kc x GEMM_NR, zero-padded. */
static void gemm_pack_b(const float *B, size_t ldb, int kc, int nc, float *dst)
{
    for (int j = 0; j < nc; j += GEMM_NR) {
        const int nr = nc - j < GEMM_NR ? nc - j : GEMM_NR;
        const float *src = B + j;
        if (nr == GEMM_NR) {
            for (int k = 0; k < kc; k++, dst += GEMM_NR)
                memcpy(dst, src + (size_t)k * ldb, GEMM_NR * sizeof(float));
        } else {
            for (int k = 0; k < kc; k++, dst += GEMM_NR) {
                memcpy(dst, src + (size_t)k * ldb, (size_t)nr * sizeof(float));
                memset(dst + nr, 0, (size_t)(GEMM_NR - nr) * sizeof(float));
            }
        }
    }
}

void GEMM_FN(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
             int ldc, int accumulate, float *ws)
{
    if (M <= 0 || N <= 0) return;
    if (K <= 0) {
        if (!accumulate)
            for (int i = 0; i < M; i++) memset(C + (size_t)i * ldc, 0, (size_t)N * sizeof(float));
        return;
    }
    const size_t sa = (size_t)lda, sb = (size_t)ldb, sc = (size_t)ldc;
    const int direct_b = GEMM_DIRECT_B && (M < GEMM_DIRECT_B_ROWS || !ws);
    if (!ws && !direct_b) {
        lf_gemm_ref(M, N, K, A, lda, B, ldb, C, ldc, accumulate, NULL);
        return;
    }
    float *bpack = ws, *apack = ws ? ws + (size_t)GEMM_KC * GEMM_NC : NULL;
    for (int j0 = 0; j0 < N; j0 += GEMM_NC) {
        const int nc = N - j0 < GEMM_NC ? N - j0 : GEMM_NC;
        for (int k0 = 0; k0 < K; k0 += GEMM_KC) {
            const int kc = K - k0 < GEMM_KC ? K - k0 : GEMM_KC;
            const int load = accumulate || k0 > 0;
            const float *bblk = B + (size_t)k0 * sb + j0;
            const int pack_a = apack && nc >= GEMM_PACK_A_PANELS * GEMM_NR;
            if (!direct_b) gemm_pack_b(bblk, sb, kc, nc, bpack);
            for (int i0 = 0; i0 < M; i0 += GEMM_MR) {
                const int mr = M - i0 < GEMM_MR ? M - i0 : GEMM_MR;
                const gemm_uk_fn uk = gemm_uk[mr - 1];
                const float *a = A + (size_t)i0 * sa + k0;
                size_t la = sa;
                if (pack_a) {
                    for (int i = 0; i < mr; i++)
                        memcpy(apack + (size_t)i * kc, a + (size_t)i * sa, (size_t)kc * sizeof(float));
                    a = apack;
                    la = (size_t)kc;
                }
                float *c = C + (size_t)i0 * sc + j0;
                for (int j = 0; j < nc; j += GEMM_NR) {
                    const int nr = nc - j < GEMM_NR ? nc - j : GEMM_NR;
                    if (direct_b)
                        uk(kc, a, la, bblk + j, sb, c + j, sc, nr, load);
                    else
                        uk(kc, a, la, bpack + (size_t)j * kc, GEMM_NR, c + j, sc, nr, load);
                }
            }
        }
    }
}
