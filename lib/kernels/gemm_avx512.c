/* AVX-512 SGEMM: the blocked driver of gemm_template.h around a 14x32
 * micro-kernel (28 zmm accumulators, two B vectors, one broadcast of A:
 * 31 of the 32 registers). Masked loads and stores cover the N edge, so B
 * can also be read in place when M is too small to amortise packing. */
#include <immintrin.h>

#include "kernels/kernels_impl.h"

#define GEMM_MR 14
#define GEMM_NR 32
#define GEMM_KC 256
#define GEMM_NC 512
#define GEMM_DIRECT_B 1
#define GEMM_FN lf_gemm_avx512

/* Applies X(i) to every row 0..13; rows >= MRX fold away after inlining. */
#define UK_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13)

LF_INLINE void uk_body(const int MRX, int kc, const float *a, size_t lda, const float *b,
                       size_t ldb, float *c, size_t ldc, int nr, int load)
{
    const __mmask16 m0 = nr >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << nr) - 1u);
    const __mmask16 m1 =
        nr >= 32 ? (__mmask16)0xffff : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1u) : 0;
#define UK_DECL(i) __m512 c##i##0 = _mm512_setzero_ps(), c##i##1 = _mm512_setzero_ps();
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
        /* Masked loads: a packed panel is zero-padded anyway, an in-place B
         * must not be read past column nr. */
        const __m512 b0 = _mm512_maskz_loadu_ps(m0, b);
        const __m512 b1 = _mm512_maskz_loadu_ps(m1, b + 16);
        const float *ak = a + k;
#define UK_FMA(i)                                                     \
    if (MRX > i) {                                                    \
        const __m512 ai = _mm512_set1_ps(ak[(size_t)(i)*lda]);        \
        c##i##0 = _mm512_fmadd_ps(ai, b0, c##i##0);                   \
        c##i##1 = _mm512_fmadd_ps(ai, b1, c##i##1);                   \
    }
        UK_ROWS(UK_FMA)
#undef UK_FMA
    }
#define UK_STORE(i)                                                                  \
    if (MRX > i) {                                                                   \
        float *ci = c + (size_t)(i)*ldc;                                             \
        if (load) {                                                                  \
            c##i##0 = _mm512_add_ps(c##i##0, _mm512_maskz_loadu_ps(m0, ci));         \
            c##i##1 = _mm512_add_ps(c##i##1, _mm512_maskz_loadu_ps(m1, ci + 16));    \
        }                                                                            \
        _mm512_mask_storeu_ps(ci, m0, c##i##0);                                      \
        _mm512_mask_storeu_ps(ci + 16, m1, c##i##1);                                 \
    }
    UK_ROWS(UK_STORE)
#undef UK_STORE
}

#define UK_DEF(n)                                                                           \
    static void uk##n(int kc, const float *a, size_t lda, const float *b, size_t ldb,       \
                      float *c, size_t ldc, int nr, int load)                               \
    {                                                                                       \
        uk_body(n, kc, a, lda, b, ldb, c, ldc, nr, load);                                   \
    }
UK_DEF(1) UK_DEF(2) UK_DEF(3) UK_DEF(4) UK_DEF(5) UK_DEF(6) UK_DEF(7)
UK_DEF(8) UK_DEF(9) UK_DEF(10) UK_DEF(11) UK_DEF(12) UK_DEF(13) UK_DEF(14)
#undef UK_DEF

static void (*const gemm_uk[GEMM_MR])(int, const float *, size_t, const float *, size_t, float *,
                                      size_t, int, int) = {uk1, uk2,  uk3,  uk4,  uk5,  uk6,  uk7,
                                                           uk8, uk9, uk10, uk11, uk12, uk13, uk14};

#include "kernels/gemm_template.h"
