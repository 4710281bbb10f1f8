/* Search kernels: distances from probes to a block-transposed matrix of
 * templates. Private header; never installed.
 *
 * Layout. Rows (templates) are stored in blocks of LF_SEARCH_BLOCK = 16 rows
 * so that one SIMD lane holds one row and no kernel needs a horizontal sum:
 *   float32: block b, dim d, row r  ->  blocks[(b * dim + d) * 16 + r]
 *   int8:    block b, dim pair j = d / 2, row r, k = d % 2
 *            ->  blocks[b * dim * 16 + j * 32 + r * 2 + k]
 *            (pairs of dims sit together for a 16-bit multiply-add)
 * Padding rows of a partial last block are zero; the caller ignores them.
 *
 * Exactness. Every ISA computes bit-identical results to the reference, so a
 * match decision never depends on the CPU: float32 distances accumulate
 * (x - q) * (x - q) in dim order with separate multiply and add (no FMA),
 * and int8 dot products are exact integers followed by the same sequence of
 * float operations.
 *
 * Kernels neither allocate nor start threads. */
#ifndef LF_SEARCH_H
#define LF_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

#define LF_SEARCH_BLOCK 16
/* int8 dot products stay within int32 for dim <= LF_SEARCH_I8_MAX_DIM with
 * |row| <= 127 and |probe| <= 32767. */
#define LF_SEARCH_I8_MAX_DIM 512

typedef struct lf_search_kernels {
    face_isa isa;

    /* out[p * out_ld + r] = sum over d (ascending) of
     *     t = blocks(r, d) - probes[p * probe_ld + d];  acc = acc + t * t
     * for r < nblocks * 16, p < nprobes. dim >= 1. */
    void (*l2_f32)(const float *blocks, size_t nblocks, int dim, const float *probes,
                   int nprobes, size_t probe_ld, float *out, size_t out_ld);

    /* Approximate squared distances for int8 rows x_r ~ rscale[r] * c_r and
     * probes q_p ~ qscale[p] * s_p (s_p int16, dim values per probe):
     *     dot = sum_d c_r[d] * s_p[d]                          (exact int32)
     *     v = (qnorm[p] + rnorm[r]) - ((float)dot * (rscale[r] * qscale[p])) * 2
     *     out[p * out_ld + r] = v > 0 ? v : 0
     * rscale and rnorm have nblocks * 16 entries. dim even, 2..512. */
    void (*l2_i8)(const int8_t *blocks, size_t nblocks, int dim, const int16_t *probes,
                  int nprobes, const float *qscale, const float *qnorm, const float *rscale,
                  const float *rnorm, float *out, size_t out_ld);
} lf_search_kernels;

/* Table for an ISA, or NULL if this build or CPU lacks it. */
const lf_search_kernels *lf_search_kernels_for(face_isa isa);
/* Table for the active ISA (lf_cpu_isa()). Never NULL. */
const lf_search_kernels *lf_search_kernels_active(void);

extern const lf_search_kernels lf_search_kernels_ref;
extern const lf_search_kernels lf_search_kernels_avx2;
extern const lf_search_kernels lf_search_kernels_avx512;
extern const lf_search_kernels lf_search_kernels_neon;

#endif /* LF_SEARCH_H */
