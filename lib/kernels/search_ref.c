/* Search kernels, portable C reference, and the dispatch.
 *
 * The reference defines the exact results every ISA reproduces bit for bit
 * (see search.h). Multiply and add are separate statements so that neither
 * ISO C's default nor clang's statement-level FP contraction can fuse them. */
#include "kernels/search.h"

static void l2_f32_ref(const float *blocks, size_t nblocks, int dim, const float *probes,
                       int nprobes, size_t probe_ld, float *out, size_t out_ld)
{
    for (size_t b = 0; b < nblocks; b++) {
        const float *blk = blocks + b * (size_t)dim * LF_SEARCH_BLOCK;
        for (int p = 0; p < nprobes; p++) {
            const float *q = probes + (size_t)p * probe_ld;
            float acc[LF_SEARCH_BLOCK] = {0};
            for (int d = 0; d < dim; d++) {
                const float *x = blk + (size_t)d * LF_SEARCH_BLOCK;
                for (int r = 0; r < LF_SEARCH_BLOCK; r++) {
                    float t = x[r] - q[d];
                    float sq = t * t;
                    acc[r] = acc[r] + sq;
                }
            }
            float *o = out + (size_t)p * out_ld + b * LF_SEARCH_BLOCK;
            for (int r = 0; r < LF_SEARCH_BLOCK; r++) o[r] = acc[r];
        }
    }
}

static void l2_i8_ref(const int8_t *blocks, size_t nblocks, int dim, const int16_t *probes,
                      int nprobes, const float *qscale, const float *qnorm, const float *rscale,
                      const float *rnorm, float *out, size_t out_ld)
{
    for (size_t b = 0; b < nblocks; b++) {
        const int8_t *blk = blocks + b * (size_t)dim * LF_SEARCH_BLOCK;
        for (int p = 0; p < nprobes; p++) {
            const int16_t *s = probes + (size_t)p * (size_t)dim;
            int32_t dot[LF_SEARCH_BLOCK] = {0};
            for (int j = 0; j < dim / 2; j++) {
                const int8_t *x = blk + (size_t)j * 2 * LF_SEARCH_BLOCK;
                for (int r = 0; r < LF_SEARCH_BLOCK; r++)
                    dot[r] += (int32_t)x[2 * r] * s[2 * j] + (int32_t)x[2 * r + 1] * s[2 * j + 1];
            }
            float *o = out + (size_t)p * out_ld + b * LF_SEARCH_BLOCK;
            for (int r = 0; r < LF_SEARCH_BLOCK; r++) {
                size_t row = b * LF_SEARCH_BLOCK + (size_t)r;
                float sc = rscale[row] * qscale[p];
                float m = (float)dot[r] * sc;
                float m2 = m * 2.0f;
                float base = qnorm[p] + rnorm[row];
                float v = base - m2;
                o[r] = v > 0.0f ? v : 0.0f;
            }
        }
    }
}

const lf_search_kernels lf_search_kernels_ref = {FACE_ISA_REF, l2_f32_ref, l2_i8_ref};

const lf_search_kernels *lf_search_kernels_for(face_isa isa)
{
    /* Also checks the build: an ISA compiled out is never "supported". */
    if (!lf_cpu_supports(isa)) return NULL;
    switch (isa) {
    case FACE_ISA_REF: return &lf_search_kernels_ref;
#if defined(FACE_HAVE_AVX2)
    case FACE_ISA_AVX2: return &lf_search_kernels_avx2;
#endif
#if defined(FACE_HAVE_AVX512)
    case FACE_ISA_AVX512: return &lf_search_kernels_avx512;
#endif
#if defined(FACE_HAVE_NEON)
    case FACE_ISA_NEON: return &lf_search_kernels_neon;
#endif
    default: return NULL;
    }
}

const lf_search_kernels *lf_search_kernels_active(void)
{
    const lf_search_kernels *k = lf_search_kernels_for(lf_cpu_isa());
    return k ? k : &lf_search_kernels_ref;
}
