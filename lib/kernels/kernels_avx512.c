/* AVX-512 (F+BW+DQ+VL) table: the SIMD kernels of simd_template.h on
 * 512-bit vectors with mask registers for the tails, GEMM from gemm_avx512.c
 * (OpenBLAS with FACE_GEMM=openblas). */
#include <immintrin.h>
#include <stdint.h>

typedef __m512 vf;
#define VW 16
#define LF_SIMD(name) lf_##name##_avx512
#define LF_SIMD_ISA FACE_ISA_AVX512
#define LF_SIMD_TABLE lf_kernels_avx512

static inline __mmask16 v_mask(int n) { return (__mmask16)((1u << n) - 1u); }

static inline vf v_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void v_store(float *p, vf v) { _mm512_storeu_ps(p, v); }
static inline vf v_loadn(const float *p, int n) { return _mm512_maskz_loadu_ps(v_mask(n), p); }
static inline void v_storen(float *p, vf v, int n) { _mm512_mask_storeu_ps(p, v_mask(n), v); }
static inline vf v_set1(float x) { return _mm512_set1_ps(x); }
static inline vf v_zero(void) { return _mm512_setzero_ps(); }
static inline vf v_add(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf v_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf v_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf v_div(vf a, vf b) { return _mm512_div_ps(a, b); }
static inline vf v_fma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
static inline vf v_max(vf a, vf b) { return _mm512_max_ps(a, b); }
static inline vf v_min(vf a, vf b) { return _mm512_min_ps(a, b); }
static inline vf v_selgt0(vf x, vf y)
{
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GT_OQ), y, x);
}
static inline float v_hsum(vf v) { return _mm512_reduce_add_ps(v); }
static inline vf v_load_u8(const uint8_t *p)
{
    return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(const void *)p)));
}

#include "kernels/simd_template.h"
