/* Search kernels, AArch64 Advanced SIMD. A 16-row block is four q-register
 * quarters. Bit-identical to search_ref.c: same operation order, separate
 * multiply and add (vmulq + vaddq, never vfmaq). */
#include <arm_neon.h>
#include <string.h>

#include "kernels/search.h"

static void l2_f32_neon(const float *blocks, size_t nblocks, int dim, const float *probes,
                        int nprobes, size_t probe_ld, float *out, size_t out_ld)
{
    const size_t bstride = (size_t)dim * LF_SEARCH_BLOCK;
    for (size_t b = 0; b < nblocks; b++) {
        const float *x = blocks + b * bstride;
        for (int p = 0; p < nprobes; p++) {
            const float *q = probes + (size_t)p * probe_ld;
            float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < dim; d++) {
                float32x4_t qd = vdupq_n_f32(q[d]);
                const float *xd = x + (size_t)d * LF_SEARCH_BLOCK;
                float32x4_t t0 = vsubq_f32(vld1q_f32(xd), qd);
                float32x4_t t1 = vsubq_f32(vld1q_f32(xd + 4), qd);
                float32x4_t t2 = vsubq_f32(vld1q_f32(xd + 8), qd);
                float32x4_t t3 = vsubq_f32(vld1q_f32(xd + 12), qd);
                a0 = vaddq_f32(a0, vmulq_f32(t0, t0));
                a1 = vaddq_f32(a1, vmulq_f32(t1, t1));
                a2 = vaddq_f32(a2, vmulq_f32(t2, t2));
                a3 = vaddq_f32(a3, vmulq_f32(t3, t3));
            }
            float *o = out + (size_t)p * out_ld + b * LF_SEARCH_BLOCK;
            vst1q_f32(o, a0);
            vst1q_f32(o + 4, a1);
            vst1q_f32(o + 8, a2);
            vst1q_f32(o + 12, a3);
        }
    }
}

/* Each int32 lane accumulates one row's even or odd dims (vmlal_s16 against
 * the broadcast probe pair); a final pairwise add joins them. Exact. */
static void l2_i8_neon(const int8_t *blocks, size_t nblocks, int dim, const int16_t *probes,
                       int nprobes, const float *qscale, const float *qnorm, const float *rscale,
                       const float *rnorm, float *out, size_t out_ld)
{
    const size_t bstride = (size_t)dim * LF_SEARCH_BLOCK;
    const int pairs = dim / 2;
    for (size_t b = 0; b < nblocks; b++) {
        const int8_t *x = blocks + b * bstride;
        size_t r = b * LF_SEARCH_BLOCK;
        for (int p = 0; p < nprobes; p++) {
            const int16_t *s = probes + (size_t)p * (size_t)dim;
            int32x4_t acc[8];
            for (int i = 0; i < 8; i++) acc[i] = vdupq_n_s32(0);
            for (int j = 0; j < pairs; j++) {
                int32_t pr;
                memcpy(&pr, s + 2 * j, sizeof pr);
                int16x8_t qv = vreinterpretq_s16_s32(vdupq_n_s32(pr));
                int8x16_t lo = vld1q_s8(x + j * 32), hi = vld1q_s8(x + j * 32 + 16);
                int16x8_t w0 = vmovl_s8(vget_low_s8(lo)), w1 = vmovl_high_s8(lo);
                int16x8_t w2 = vmovl_s8(vget_low_s8(hi)), w3 = vmovl_high_s8(hi);
                acc[0] = vmlal_s16(acc[0], vget_low_s16(w0), vget_low_s16(qv));
                acc[1] = vmlal_high_s16(acc[1], w0, qv);
                acc[2] = vmlal_s16(acc[2], vget_low_s16(w1), vget_low_s16(qv));
                acc[3] = vmlal_high_s16(acc[3], w1, qv);
                acc[4] = vmlal_s16(acc[4], vget_low_s16(w2), vget_low_s16(qv));
                acc[5] = vmlal_high_s16(acc[5], w2, qv);
                acc[6] = vmlal_s16(acc[6], vget_low_s16(w3), vget_low_s16(qv));
                acc[7] = vmlal_high_s16(acc[7], w3, qv);
            }
            float32x4_t qs = vdupq_n_f32(qscale[p]), qn = vdupq_n_f32(qnorm[p]);
            float *o = out + (size_t)p * out_ld + r;
            for (int i = 0; i < 4; i++) {
                int32x4_t dot = vpaddq_s32(acc[2 * i], acc[2 * i + 1]);
                float32x4_t sc = vmulq_f32(vld1q_f32(rscale + r + 4 * i), qs);
                float32x4_t m = vmulq_f32(vcvtq_f32_s32(dot), sc);
                float32x4_t m2 = vmulq_f32(m, vdupq_n_f32(2.0f));
                float32x4_t base = vaddq_f32(qn, vld1q_f32(rnorm + r + 4 * i));
                vst1q_f32(o + 4 * i, vmaxq_f32(vsubq_f32(base, m2), vdupq_n_f32(0.0f)));
            }
        }
    }
}

const lf_search_kernels lf_search_kernels_neon = {FACE_ISA_NEON, l2_f32_neon, l2_i8_neon};
