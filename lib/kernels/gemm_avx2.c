/* AVX2+FMA SGEMM: the blocked driver of gemm_template.h around a 6x16
 * micro-kernel (12 ymm accumulators, two B vectors, one broadcast of A: 15
 * of the 16 registers). B is always packed (zero-padded panels, so its loads
 * are plain); the N edge of C goes through vmaskmov. */
#include <immintrin.h>
#include <stdint.h>

#include "kernels/kernels_impl.h"

#define GEMM_MR 6
#define GEMM_NR 16
#define GEMM_KC 256
#define GEMM_NC 256
#define GEMM_DIRECT_B 0
#define GEMM_FN lf_gemm_avx2

/* A window into -1 x 8, 0 x 8 gives the mask of the first n lanes. */
static const int32_t gemm_mask_tab[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

static inline __m256i lane_mask(int n)
{
    n = n < 0 ? 0 : n > 8 ? 8 : n;
    return _mm256_loadu_si256((const __m256i *)(gemm_mask_tab + 8 - n));
}

#define UK_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)

LF_INLINE void uk_body(const int MRX, int kc, const float *a, size_t lda, const float *b,
                       size_t ldb, float *c, size_t ldc, int nr, int load)
{
#define UK_DECL(i) __m256 c##i##0 = _mm256_setzero_ps(), c##i##1 = _mm256_setzero_ps();
    UK_ROWS(UK_DECL)
#undef UK_DECL
    /* The C tile is needed only after the k loop, too late for the
     * out-of-order window to hide a miss: ask for its lines now (prefetch
     * never faults, so lines past column nr are harmless). */
#define UK_PF(i)                                                         \
    if (MRX > i) {                                                       \
        _mm_prefetch((const char *)(c + (size_t)(i)*ldc), _MM_HINT_T0);  \
        _mm_prefetch((const char *)(c + (size_t)(i)*ldc + GEMM_NR - 1), _MM_HINT_T0); \
    }
    UK_ROWS(UK_PF)
#undef UK_PF
    for (int k = 0; k < kc; k++, b += ldb) {
        const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
        const float *ak = a + k;
#define UK_FMA(i)                                                 \
    if (MRX > i) {                                                \
        const __m256 ai = _mm256_broadcast_ss(ak + (size_t)(i)*lda); \
        c##i##0 = _mm256_fmadd_ps(ai, b0, c##i##0);               \
        c##i##1 = _mm256_fmadd_ps(ai, b1, c##i##1);               \
    }
        UK_ROWS(UK_FMA)
#undef UK_FMA
    }
    if (nr == GEMM_NR) {
#define UK_STORE(i)                                                          \
    if (MRX > i) {                                                           \
        float *ci = c + (size_t)(i)*ldc;                                     \
        if (load) {                                                          \
            c##i##0 = _mm256_add_ps(c##i##0, _mm256_loadu_ps(ci));           \
            c##i##1 = _mm256_add_ps(c##i##1, _mm256_loadu_ps(ci + 8));       \
        }                                                                    \
        _mm256_storeu_ps(ci, c##i##0);                                       \
        _mm256_storeu_ps(ci + 8, c##i##1);                                   \
    }
        UK_ROWS(UK_STORE)
#undef UK_STORE
    } else {
        /* Masked lanes are neither read nor written, so nothing past column
         * nr is touched (it may be another row's data or unmapped). */
        const __m256i m0 = lane_mask(nr), m1 = lane_mask(nr - 8);
#define UK_STORE(i)                                                                     \
    if (MRX > i) {                                                                      \
        float *ci = c + (size_t)(i)*ldc;                                                \
        if (load) {                                                                     \
            c##i##0 = _mm256_add_ps(c##i##0, _mm256_maskload_ps(ci, m0));               \
            c##i##1 = _mm256_add_ps(c##i##1, _mm256_maskload_ps(ci + 8, m1));           \
        }                                                                               \
        _mm256_maskstore_ps(ci, m0, c##i##0);                                           \
        _mm256_maskstore_ps(ci + 8, m1, c##i##1);                                       \
    }
        UK_ROWS(UK_STORE)
#undef UK_STORE
    }
}

#define UK_DEF(n)                                                                           \
    static void uk##n(int kc, const float *a, size_t lda, const float *b, size_t ldb,       \
                      float *c, size_t ldc, int nr, int load)                               \
    {                                                                                       \
        uk_body(n, kc, a, lda, b, ldb, c, ldc, nr, load);                                   \
    }
UK_DEF(1) UK_DEF(2) UK_DEF(3) UK_DEF(4) UK_DEF(5) UK_DEF(6)
#undef UK_DEF

static void (*const gemm_uk[GEMM_MR])(int, const float *, size_t, const float *, size_t, float *,
                                      size_t, int, int) = {uk1, uk2, uk3, uk4, uk5, uk6};

#include "kernels/gemm_template.h"
