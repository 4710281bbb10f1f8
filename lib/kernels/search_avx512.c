/* Search kernels, AVX-512 (F+BW). One zmm lane per row of a 16-row block.
 * Bit-identical to search_ref.c: same operation order, no FMA. */
#include <immintrin.h>
#include <string.h>

#include "kernels/search.h"

/* Four blocks at a time: four independent add chains keep both vector ports
 * busy, and 4 x 8 KiB of rows stay in L1 while a batch of probes reuses them. */
static void l2_f32_avx512(const float *blocks, size_t nblocks, int dim, const float *probes,
                          int nprobes, size_t probe_ld, float *out, size_t out_ld)
{
    const size_t bstride = (size_t)dim * LF_SEARCH_BLOCK;
    size_t b = 0;
    for (; b + 4 <= nblocks; b += 4) {
        const float *x0 = blocks + b * bstride;
        const float *x1 = x0 + bstride, *x2 = x1 + bstride, *x3 = x2 + bstride;
        for (int p = 0; p < nprobes; p++) {
            const float *q = probes + (size_t)p * probe_ld;
            __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < dim; d++) {
                __m512 qd = _mm512_set1_ps(q[d]);
                size_t o = (size_t)d * LF_SEARCH_BLOCK;
                __m512 t0 = _mm512_sub_ps(_mm512_loadu_ps(x0 + o), qd);
                __m512 t1 = _mm512_sub_ps(_mm512_loadu_ps(x1 + o), qd);
                __m512 t2 = _mm512_sub_ps(_mm512_loadu_ps(x2 + o), qd);
                __m512 t3 = _mm512_sub_ps(_mm512_loadu_ps(x3 + o), qd);
                a0 = _mm512_add_ps(a0, _mm512_mul_ps(t0, t0));
                a1 = _mm512_add_ps(a1, _mm512_mul_ps(t1, t1));
                a2 = _mm512_add_ps(a2, _mm512_mul_ps(t2, t2));
                a3 = _mm512_add_ps(a3, _mm512_mul_ps(t3, t3));
            }
            float *o = out + (size_t)p * out_ld + b * LF_SEARCH_BLOCK;
            _mm512_storeu_ps(o, a0);
            _mm512_storeu_ps(o + 16, a1);
            _mm512_storeu_ps(o + 32, a2);
            _mm512_storeu_ps(o + 48, a3);
        }
    }
    for (; b < nblocks; b++) {
        const float *x0 = blocks + b * bstride;
        for (int p = 0; p < nprobes; p++) {
            const float *q = probes + (size_t)p * probe_ld;
            __m512 a0 = _mm512_setzero_ps();
            for (int d = 0; d < dim; d++) {
                __m512 t0 = _mm512_sub_ps(_mm512_loadu_ps(x0 + (size_t)d * LF_SEARCH_BLOCK),
                                          _mm512_set1_ps(q[d]));
                a0 = _mm512_add_ps(a0, _mm512_mul_ps(t0, t0));
            }
            _mm512_storeu_ps(out + (size_t)p * out_ld + b * LF_SEARCH_BLOCK, a0);
        }
    }
}

/* A probe's pair of int16 values (dims 2j, 2j+1) as one int32 lane. */
static inline int32_t pair_at(const int16_t *s, int j)
{
    int32_t v;
    memcpy(&v, s + 2 * j, sizeof v);
    return v;
}

static inline __m512 i8_epilogue(__m512i dot, float qs, float qn, const float *rscale,
                                 const float *rnorm)
{
    __m512 sc = _mm512_mul_ps(_mm512_loadu_ps(rscale), _mm512_set1_ps(qs));
    __m512 m = _mm512_mul_ps(_mm512_cvtepi32_ps(dot), sc);
    __m512 m2 = _mm512_mul_ps(m, _mm512_set1_ps(2.0f));
    __m512 base = _mm512_add_ps(_mm512_set1_ps(qn), _mm512_loadu_ps(rnorm));
    return _mm512_max_ps(_mm512_sub_ps(base, m2), _mm512_setzero_ps());
}

/* Rows are sign-extended to 16 bits and multiplied with a broadcast pair of
 * probe values by vpmaddwd, which adds the two products of each row: one
 * instruction per 16 rows x 2 dims, exact in int32. For a batch, a block is
 * widened once into an L1 buffer and reused by every probe. */
static void l2_i8_avx512(const int8_t *blocks, size_t nblocks, int dim, const int16_t *probes,
                         int nprobes, const float *qscale, const float *qnorm, const float *rscale,
                         const float *rnorm, float *out, size_t out_ld)
{
    const size_t bstride = (size_t)dim * LF_SEARCH_BLOCK;
    const int pairs = dim / 2;
    _Alignas(64) int16_t wide[LF_SEARCH_I8_MAX_DIM * LF_SEARCH_BLOCK];
    if (nprobes == 1) {
        /* Four 2 KiB blocks at a time, prefetching the group after next:
         * int8 blocks are small enough that the hardware streamers alone
         * leave DRAM bandwidth unused. */
        const int16_t *s = probes;
        size_t b = 0;
        for (; b + 4 <= nblocks; b += 4) {
            const int8_t *x0 = blocks + b * bstride;
            const int8_t *pf = x0 + 8 * bstride;
            const int8_t *pf_end = blocks + nblocks * bstride;
            __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
            for (int j = 0; j < pairs; j++) {
                /* The 8 KiB group two ahead, linearly: two lines per step. */
                if (pf + (size_t)j * 128 < pf_end) {
                    _mm_prefetch((const char *)(pf + (size_t)j * 128), _MM_HINT_T0);
                    _mm_prefetch((const char *)(pf + (size_t)j * 128 + 64), _MM_HINT_T0);
                }
                __m512i qv = _mm512_set1_epi32(pair_at(s, j));
                const int8_t *xj = x0 + j * 32;
                __m512i w0 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(const void *)xj));
                __m512i w1 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(xj + bstride)));
                __m512i w2 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(xj + 2 * bstride)));
                __m512i w3 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(xj + 3 * bstride)));
                a0 = _mm512_add_epi32(a0, _mm512_madd_epi16(w0, qv));
                a1 = _mm512_add_epi32(a1, _mm512_madd_epi16(w1, qv));
                a2 = _mm512_add_epi32(a2, _mm512_madd_epi16(w2, qv));
                a3 = _mm512_add_epi32(a3, _mm512_madd_epi16(w3, qv));
            }
            size_t r = b * LF_SEARCH_BLOCK;
            _mm512_storeu_ps(out + r, i8_epilogue(a0, qscale[0], qnorm[0], rscale + r, rnorm + r));
            _mm512_storeu_ps(out + r + 16, i8_epilogue(a1, qscale[0], qnorm[0], rscale + r + 16, rnorm + r + 16));
            _mm512_storeu_ps(out + r + 32, i8_epilogue(a2, qscale[0], qnorm[0], rscale + r + 32, rnorm + r + 32));
            _mm512_storeu_ps(out + r + 48, i8_epilogue(a3, qscale[0], qnorm[0], rscale + r + 48, rnorm + r + 48));
        }
        for (; b < nblocks; b++) {
            const int8_t *x0 = blocks + b * bstride;
            __m512i a0 = _mm512_setzero_si512();
            for (int j = 0; j < pairs; j++) {
                __m512i w0 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(x0 + j * 32)));
                a0 = _mm512_add_epi32(a0, _mm512_madd_epi16(w0, _mm512_set1_epi32(pair_at(s, j))));
            }
            size_t r = b * LF_SEARCH_BLOCK;
            _mm512_storeu_ps(out + r, i8_epilogue(a0, qscale[0], qnorm[0], rscale + r, rnorm + r));
        }
        return;
    }
    for (size_t b = 0; b < nblocks; b++) {
        const int8_t *x0 = blocks + b * bstride;
        for (int j = 0; j < pairs; j++)
            _mm512_store_si512((void *)(wide + j * 32),
                               _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(x0 + j * 32))));
        size_t r = b * LF_SEARCH_BLOCK;
        int p = 0;
        for (; p + 2 <= nprobes; p += 2) {
            const int16_t *s0 = probes + (size_t)p * (size_t)dim;
            const int16_t *s1 = s0 + dim;
            __m512i a0 = _mm512_setzero_si512(), a1 = a0;
            for (int j = 0; j < pairs; j++) {
                __m512i w = _mm512_load_si512((const void *)(wide + j * 32));
                a0 = _mm512_add_epi32(a0, _mm512_madd_epi16(w, _mm512_set1_epi32(pair_at(s0, j))));
                a1 = _mm512_add_epi32(a1, _mm512_madd_epi16(w, _mm512_set1_epi32(pair_at(s1, j))));
            }
            _mm512_storeu_ps(out + (size_t)p * out_ld + r,
                             i8_epilogue(a0, qscale[p], qnorm[p], rscale + r, rnorm + r));
            _mm512_storeu_ps(out + (size_t)(p + 1) * out_ld + r,
                             i8_epilogue(a1, qscale[p + 1], qnorm[p + 1], rscale + r, rnorm + r));
        }
        for (; p < nprobes; p++) {
            const int16_t *s0 = probes + (size_t)p * (size_t)dim;
            __m512i a0 = _mm512_setzero_si512();
            for (int j = 0; j < pairs; j++)
                a0 = _mm512_add_epi32(a0, _mm512_madd_epi16(_mm512_load_si512((const void *)(wide + j * 32)),
                                                            _mm512_set1_epi32(pair_at(s0, j))));
            _mm512_storeu_ps(out + (size_t)p * out_ld + r,
                             i8_epilogue(a0, qscale[p], qnorm[p], rscale + r, rnorm + r));
        }
    }
    lf_wipe(wide, sizeof wide); /* widened template values */
}

const lf_search_kernels lf_search_kernels_avx512 = {FACE_ISA_AVX512, l2_f32_avx512, l2_i8_avx512};
