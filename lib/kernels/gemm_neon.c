/* AArch64 Advanced SIMD SGEMM: the blocked driver of gemm_template.h around
 * an 8x12 micro-kernel (24 q-register accumulators, three B vectors, one
 * A broadcast). B is always packed (zero-padded panels); NEON has no masked
 * stores, so the N edge of C goes through a small stack tile. */
#include <arm_neon.h>
#include <string.h>

#include "kernels/kernels_impl.h"

#define GEMM_MR 8
#define GEMM_NR 12
#define GEMM_KC 256
#define GEMM_NC 252
#define GEMM_DIRECT_B 0
#define GEMM_FN lf_gemm_neon

#define UK_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)

LF_INLINE void uk_body(const int MRX, int kc, const float *a, size_t lda, const float *b,
                       size_t ldb, float *c, size_t ldc, int nr, int load)
{
#define UK_DECL(i)                                                    \
    float32x4_t c##i##0 = vdupq_n_f32(0.0f), c##i##1 = vdupq_n_f32(0.0f), \
                c##i##2 = vdupq_n_f32(0.0f);
    UK_ROWS(UK_DECL)
#undef UK_DECL
    /* The C tile is needed only after the k loop: fetch its lines now. */
#define UK_PF(i)                                                            \
    if (MRX > i) {                                                          \
        __builtin_prefetch(c + (size_t)(i)*ldc);                            \
        __builtin_prefetch(c + (size_t)(i)*ldc + GEMM_NR - 1);              \
    }
    UK_ROWS(UK_PF)
#undef UK_PF
    for (int k = 0; k < kc; k++, b += ldb) {
        const float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8);
        const float *ak = a + k;
#define UK_FMA(i)                                                   \
    if (MRX > i) {                                                  \
        const float32x4_t ai = vld1q_dup_f32(ak + (size_t)(i)*lda); \
        c##i##0 = vfmaq_f32(c##i##0, ai, b0);                       \
        c##i##1 = vfmaq_f32(c##i##1, ai, b1);                       \
        c##i##2 = vfmaq_f32(c##i##2, ai, b2);                       \
    }
        UK_ROWS(UK_FMA)
#undef UK_FMA
    }
    float tile[12];
#define UK_STORE(i)                                                          \
    if (MRX > i) {                                                           \
        float *ci = c + (size_t)(i)*ldc;                                     \
        float *dst = nr == GEMM_NR ? ci : tile;                              \
        if (load) {                                                          \
            if (nr != GEMM_NR) memcpy(tile, ci, (size_t)nr * sizeof(float)); \
            c##i##0 = vaddq_f32(c##i##0, vld1q_f32(dst));                    \
            c##i##1 = vaddq_f32(c##i##1, vld1q_f32(dst + 4));                \
            c##i##2 = vaddq_f32(c##i##2, vld1q_f32(dst + 8));                \
        }                                                                    \
        vst1q_f32(dst, c##i##0);                                             \
        vst1q_f32(dst + 4, c##i##1);                                         \
        vst1q_f32(dst + 8, c##i##2);                                         \
        if (nr != GEMM_NR) memcpy(ci, tile, (size_t)nr * sizeof(float));     \
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
UK_DEF(1) UK_DEF(2) UK_DEF(3) UK_DEF(4) UK_DEF(5) UK_DEF(6) UK_DEF(7) UK_DEF(8)
#undef UK_DEF

static void (*const gemm_uk[GEMM_MR])(int, const float *, size_t, const float *, size_t, float *,
                                      size_t, int, int) = {uk1, uk2, uk3, uk4,
                                                           uk5, uk6, uk7, uk8};

#include "kernels/gemm_template.h"
