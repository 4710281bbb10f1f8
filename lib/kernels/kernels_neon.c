/* AArch64 Advanced SIMD table: the SIMD kernels of simd_template.h on
 * 128-bit vectors, GEMM from gemm_neon.c (OpenBLAS with FACE_GEMM=openblas).
 * NEON has no masked loads, so the tails go through a small stack buffer. */
#include <arm_neon.h>
#include <string.h>

typedef float32x4_t vf;
#define VW 4
#define LF_SIMD(name) lf_##name##_neon
#define LF_SIMD_ISA FACE_ISA_NEON
#define LF_SIMD_TABLE lf_kernels_neon

static inline vf v_load(const float *p) { return vld1q_f32(p); }
static inline void v_store(float *p, vf v) { vst1q_f32(p, v); }
static inline vf v_loadn(const float *p, int n)
{
    float t[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    memcpy(t, p, (size_t)n * sizeof(float));
    return vld1q_f32(t);
}
static inline void v_storen(float *p, vf v, int n)
{
    float t[4];
    vst1q_f32(t, v);
    memcpy(p, t, (size_t)n * sizeof(float));
}
static inline vf v_set1(float x) { return vdupq_n_f32(x); }
static inline vf v_zero(void) { return vdupq_n_f32(0.0f); }
static inline vf v_add(vf a, vf b) { return vaddq_f32(a, b); }
static inline vf v_sub(vf a, vf b) { return vsubq_f32(a, b); }
static inline vf v_mul(vf a, vf b) { return vmulq_f32(a, b); }
static inline vf v_div(vf a, vf b) { return vdivq_f32(a, b); }
static inline vf v_fma(vf a, vf b, vf c) { return vfmaq_f32(c, a, b); }
/* Explicit compare+select rather than vmaxq/vminq so the choice matches
 * the scalar a > b ? a : b exactly (FMAX differs on NaN and signed zero). */
static inline vf v_max(vf a, vf b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
static inline vf v_min(vf a, vf b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
static inline vf v_selgt0(vf x, vf y) { return vbslq_f32(vcgtq_f32(x, vdupq_n_f32(0.0f)), x, y); }
static inline float v_hsum(vf v) { return vaddvq_f32(v); }
static inline vf v_load_u8(const uint8_t *p)
{
    uint32_t x;
    memcpy(&x, p, 4);
    const uint16x8_t h = vmovl_u8(vcreate_u8((uint64_t)x));
    return vcvtq_f32_u32(vmovl_u16(vget_low_u16(h)));
}

#include "kernels/simd_template.h"
