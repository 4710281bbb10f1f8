/* AVX2 + FMA table: the SIMD kernels of simd_template.h on 256-bit vectors,
 * GEMM from gemm_avx2.c (OpenBLAS with FACE_GEMM=openblas). Compiled with
 * -mavx2 -mfma only. */
#include <immintrin.h>
#include <stdint.h>

typedef __m256 vf;
#define VW 8
#define LF_SIMD(name) lf_##name##_avx2
#define LF_SIMD_ISA FACE_ISA_AVX2
#define LF_SIMD_TABLE lf_kernels_avx2

/* Lane mask for the first n lanes: a window into -1 x 8, 0 x 8. Masked
 * lanes of vmaskmov are not accessed, so partial vectors never fault. */
static const int32_t lf_mask_tab_avx2[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                             0,  0,  0,  0,  0,  0,  0,  0};
static inline __m256i v_mask(int n) { return _mm256_loadu_si256((const __m256i *)(lf_mask_tab_avx2 + 8 - n)); }

static inline vf v_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void v_store(float *p, vf v) { _mm256_storeu_ps(p, v); }
static inline vf v_loadn(const float *p, int n) { return _mm256_maskload_ps(p, v_mask(n)); }
static inline void v_storen(float *p, vf v, int n) { _mm256_maskstore_ps(p, v_mask(n), v); }
static inline vf v_set1(float x) { return _mm256_set1_ps(x); }
static inline vf v_zero(void) { return _mm256_setzero_ps(); }
static inline vf v_add(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf v_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
static inline vf v_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf v_div(vf a, vf b) { return _mm256_div_ps(a, b); }
static inline vf v_fma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
static inline vf v_max(vf a, vf b) { return _mm256_max_ps(a, b); }
static inline vf v_min(vf a, vf b) { return _mm256_min_ps(a, b); }
static inline vf v_selgt0(vf x, vf y)
{
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ));
}
static inline float v_hsum(vf v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
static inline vf v_load_u8(const uint8_t *p)
{
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)p)));
}

#include "kernels/simd_template.h"
