/* Search kernels, AVX2. A 16-row block is two ymm halves (rows 0-7, 8-15).
 * Bit-identical to search_ref.c: same operation order, no FMA. */
#include <immintrin.h>
#include <string.h>

#include "kernels/search.h"

/* Two blocks at a time: four independent add chains. */
static void l2_f32_avx2(const float *blocks, size_t nblocks, int dim, const float *probes,
                        int nprobes, size_t probe_ld, float *out, size_t out_ld)
{
    const size_t bstride = (size_t)dim * LF_SEARCH_BLOCK;
    size_t b = 0;
    for (; b + 2 <= nblocks; b += 2) {
        const float *x0 = blocks + b * bstride, *x1 = x0 + bstride;
        for (int p = 0; p < nprobes; p++) {
            const float *q = probes + (size_t)p * probe_ld;
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < dim; d++) {
                __m256 qd = _mm256_set1_ps(q[d]);
                size_t o = (size_t)d * LF_SEARCH_BLOCK;
                __m256 t0 = _mm256_sub_ps(_mm256_loadu_ps(x0 + o), qd);
                __m256 t1 = _mm256_sub_ps(_mm256_loadu_ps(x0 + o + 8), qd);
                __m256 t2 = _mm256_sub_ps(_mm256_loadu_ps(x1 + o), qd);
                __m256 t3 = _mm256_sub_ps(_mm256_loadu_ps(x1 + o + 8), qd);
                a0 = _mm256_add_ps(a0, _mm256_mul_ps(t0, t0));
                a1 = _mm256_add_ps(a1, _mm256_mul_ps(t1, t1));
                a2 = _mm256_add_ps(a2, _mm256_mul_ps(t2, t2));
                a3 = _mm256_add_ps(a3, _mm256_mul_ps(t3, t3));
            }
            float *o = out + (size_t)p * out_ld + b * LF_SEARCH_BLOCK;
            _mm256_storeu_ps(o, a0);
            _mm256_storeu_ps(o + 8, a1);
            _mm256_storeu_ps(o + 16, a2);
            _mm256_storeu_ps(o + 24, a3);
        }
    }
    for (; b < nblocks; b++) {
        const float *x0 = blocks + b * bstride;
        for (int p = 0; p < nprobes; p++) {
            const float *q = probes + (size_t)p * probe_ld;
            __m256 a0 = _mm256_setzero_ps(), a1 = a0;
            for (int d = 0; d < dim; d++) {
                __m256 qd = _mm256_set1_ps(q[d]);
                size_t o = (size_t)d * LF_SEARCH_BLOCK;
                __m256 t0 = _mm256_sub_ps(_mm256_loadu_ps(x0 + o), qd);
                __m256 t1 = _mm256_sub_ps(_mm256_loadu_ps(x0 + o + 8), qd);
                a0 = _mm256_add_ps(a0, _mm256_mul_ps(t0, t0));
                a1 = _mm256_add_ps(a1, _mm256_mul_ps(t1, t1));
            }
            float *o = out + (size_t)p * out_ld + b * LF_SEARCH_BLOCK;
            _mm256_storeu_ps(o, a0);
            _mm256_storeu_ps(o + 8, a1);
        }
    }
}

static inline int32_t pair_at(const int16_t *s, int j)
{
    int32_t v;
    memcpy(&v, s + 2 * j, sizeof v);
    return v;
}

static inline __m256 i8_epilogue(__m256i dot, float qs, float qn, const float *rscale,
                                 const float *rnorm)
{
    __m256 sc = _mm256_mul_ps(_mm256_loadu_ps(rscale), _mm256_set1_ps(qs));
    __m256 m = _mm256_mul_ps(_mm256_cvtepi32_ps(dot), sc);
    __m256 m2 = _mm256_mul_ps(m, _mm256_set1_ps(2.0f));
    __m256 base = _mm256_add_ps(_mm256_set1_ps(qn), _mm256_loadu_ps(rnorm));
    return _mm256_max_ps(_mm256_sub_ps(base, m2), _mm256_setzero_ps());
}

/* Sign-extend 16 bytes (8 rows x 2 dims) to 16-bit and multiply-add with a
 * broadcast probe pair: exact int32 per row. A batch widens each block once
 * into an L1 buffer shared by all probes. */
static void l2_i8_avx2(const int8_t *blocks, size_t nblocks, int dim, const int16_t *probes,
                       int nprobes, const float *qscale, const float *qnorm, const float *rscale,
                       const float *rnorm, float *out, size_t out_ld)
{
    const size_t bstride = (size_t)dim * LF_SEARCH_BLOCK;
    const int pairs = dim / 2;
    _Alignas(32) int16_t wide[LF_SEARCH_I8_MAX_DIM * LF_SEARCH_BLOCK];
    for (size_t b = 0; b < nblocks; b++) {
        const int8_t *x0 = blocks + b * bstride;
        size_t r = b * LF_SEARCH_BLOCK;
        if (nprobes == 1) {
            /* 2 KiB blocks are too short for the hardware streamers alone:
             * fetch the block four ahead, one line every other step. */
            const int8_t *pf = x0 + 4 * bstride;
            int do_pf = b + 4 < nblocks;
            __m256i a0 = _mm256_setzero_si256(), a1 = a0;
            for (int j = 0; j < pairs; j++) {
                if (do_pf && (j & 1) == 0) _mm_prefetch((const char *)(pf + j * 32), _MM_HINT_T0);
                __m256i qv = _mm256_set1_epi32(pair_at(probes, j));
                __m256i w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(x0 + j * 32)));
                __m256i w1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(x0 + j * 32 + 16)));
                a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(w0, qv));
                a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(w1, qv));
            }
            _mm256_storeu_ps(out + r, i8_epilogue(a0, qscale[0], qnorm[0], rscale + r, rnorm + r));
            _mm256_storeu_ps(out + r + 8,
                             i8_epilogue(a1, qscale[0], qnorm[0], rscale + r + 8, rnorm + r + 8));
            continue;
        }
        for (int j = 0; j < pairs; j++) {
            const __m128i *src = (const __m128i *)(const void *)(x0 + j * 32);
            _mm256_store_si256((__m256i *)(void *)(wide + j * 32), _mm256_cvtepi8_epi16(_mm_loadu_si128(src)));
            _mm256_store_si256((__m256i *)(void *)(wide + j * 32 + 16),
                               _mm256_cvtepi8_epi16(_mm_loadu_si128(src + 1)));
        }
        for (int p = 0; p < nprobes; p++) {
            const int16_t *s0 = probes + (size_t)p * (size_t)dim;
            __m256i a0 = _mm256_setzero_si256(), a1 = a0;
            for (int j = 0; j < pairs; j++) {
                __m256i qv = _mm256_set1_epi32(pair_at(s0, j));
                a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(_mm256_load_si256((const __m256i *)(const void *)(wide + j * 32)), qv));
                a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(_mm256_load_si256((const __m256i *)(const void *)(wide + j * 32 + 16)), qv));
            }
            float *o = out + (size_t)p * out_ld + r;
            _mm256_storeu_ps(o, i8_epilogue(a0, qscale[p], qnorm[p], rscale + r, rnorm + r));
            _mm256_storeu_ps(o + 8, i8_epilogue(a1, qscale[p], qnorm[p], rscale + r + 8, rnorm + r + 8));
        }
    }
    if (nprobes > 1) lf_wipe(wide, sizeof wide); /* widened template values */
}

const lf_search_kernels lf_search_kernels_avx2 = {FACE_ISA_AVX2, l2_f32_avx2, l2_i8_avx2};
