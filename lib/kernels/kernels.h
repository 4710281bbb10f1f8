/* libface kernels: the numeric inner loops, one table per instruction set.
 * Private header; never installed.
 *
 * Layout: lib/kernels/<family>_<isa>.c, isa in {ref, avx2, avx512, neon}.
 * Only the per-ISA files are compiled with ISA flags (see lib/CMakeLists.txt);
 * everything else builds for baseline x86-64 / AArch64. The ref table is
 * plain C throughout, including its own GEMM, so the differential tests
 * compare two independent implementations.
 *
 * Tensors are NHWC float32, batch 1, rows contiguous unless a leading
 * dimension says otherwise. No kernel allocates; no kernel starts threads.
 * This module includes nothing of libface but lib/base. */
#ifndef LF_KERNELS_H
#define LF_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/* Activation applied after bias. */
typedef enum lf_act {
    LF_ACT_NONE = 0,
    LF_ACT_RELU = 1,
    LF_ACT_RELU6 = 2,
    LF_ACT_LEAKY = 3 /* x > 0 ? x : 0.1f * x (the tiny detector's leaky relu) */
} lf_act;

/* Packing workspace of one gemm call, in floats: the largest
 * GEMM_KC*GEMM_NC + GEMM_MR*GEMM_KC of the per-ISA GEMMs (gemm_template.h
 * checks it at compile time). The caller provides it so that packed copies
 * of activations live in memory the library wipes, not in thread-local
 * storage the C library allocates and frees behind the allocator hook. */
#define LF_GEMM_WS_FLOATS ((size_t)256 * 512 + 16 * 256)

typedef struct lf_kernels {
    face_isa isa;

    /* C[M,N] = A[M,K] * B[K,N] (+ C if accumulate). Row-major, leading
     * dimensions lda >= K, ldb >= N, ldc >= N. ref: plain C; others: the
     * packed per-ISA GEMM of gemm_template.h, or the serial OpenBLAS sgemm
     * when the environment has FACE_GEMM=openblas. No threads either way.
     * ws: LF_GEMM_WS_FLOATS floats of packing space, 64-byte aligned, owned
     * by the caller and used by one call at a time; it ends up holding
     * copies of A (activations: wipe it with the rest of the scratch). NULL
     * is allowed and selects an unpacked path (correct, slower). */
    void (*gemm)(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
                 int ldc, int accumulate, float *ws);

    /* x[r*ld + c] = act(x[r*ld + c] + bias[c]) for r < rows, c < cols.
     * bias may be NULL. */
    void (*bias_act)(float *x, int rows, int cols, int ld, const float *bias, lf_act act);

    /* Per-channel affine then activation: x = act(x*scale[c] + shift[c]).
     * (dlib's frozen batch norm.) */
    void (*affine_act)(float *x, int rows, int cols, int ld, const float *scale,
                       const float *shift, lf_act act);

    /* Depthwise 3x3 conv, NHWC. in: H x W x C. w: [3][3][C]. bias: [C] or NULL.
     * stride 1 or 2. pad_top/pad_left zero rows/cols before the input; the
     * output is outH x outW x C, reading zeros for any tap outside the input
     * (so SAME/VALID/explicit padding are all expressed by pad_* and out*). */
    void (*dwconv3x3)(const float *in, int H, int W, int C, const float *w, const float *bias,
                      int stride, int pad_top, int pad_left, float *out, int outH, int outW,
                      lf_act act);

    /* im2col for a dense kxk conv, NHWC: row (oy*outW + ox) of cols holds the
     * kh*kw*C taps in (ky, kx, c) order (HWIO flattening), zero outside the
     * input. cols has outH*outW rows of kh*kw*C floats. */
    void (*im2col)(const float *in, int H, int W, int C, int kh, int kw, int stride, int pad_top,
                   int pad_left, float *cols, int outH, int outW);

    /* Max pool kxk stride s; out-of-range taps are ignored (-inf padding).
     * Average pool kxk stride s VALID (no padding), divides by k*k. */
    void (*maxpool)(const float *in, int H, int W, int C, int k, int stride, int pad_top,
                    int pad_left, float *out, int outH, int outW);
    void (*avgpool)(const float *in, int H, int W, int C, int k, int stride, float *out,
                    int outH, int outW);

    /* out[i] = act(a[i] + b[i]); out may alias a or b. */
    void (*add_act)(float *out, const float *a, const float *b, size_t n, lf_act act);

    /* TF1 legacy bilinear resize (align_corners=false, half_pixel=false) of
     * a float HWC image with C channels: src = o * (in/out), i1 clamped,
     * separable linear interpolation in float. */
    void (*resize_bilinear)(const float *in, int H, int W, int C, float *out, int outH, int outW);

    /* Distances between float vectors. */
    float (*l2sq)(const float *a, const float *b, size_t n);
    float (*dot)(const float *a, const float *b, size_t n);

    /* Added after the first version (fields only ever append): */

    /* Dense kh x kw conv without an im2col buffer, for the networks' stems
     * (3 input channels -> 16/32; im2col would make a thin, copy-bound GEMM
     * there). NHWC in: H x W x Cin; w: HWIO [kh][kw][Cin][Cout]; bias [Cout]
     * or NULL; same tap indexing and zero padding as im2col; out: outH x
     * outW x Cout, act(bias + taps summed in (ky, kx, ci) order). */
    void (*conv_direct)(const float *in, int H, int W, int Cin, const float *w, int kh, int kw,
                        int Cout, const float *bias, int stride, int pad_top, int pad_left,
                        float *out, int outH, int outW, lf_act act);

    /* Weighted sum of n >= 1 byte rows, as floats: out[i] = (out[i] if
     * accumulate) + w[0]*rows[0][i] + ... + w[n-1]*rows[n-1][i] for i < len,
     * left to right, each product rounded before its add (every table
     * matches ref exactly). The vertical pass of an image resampler reads
     * the caller's 8-bit pixels in place. */
    void (*wsum_u8)(float *out, const uint8_t *const *rows, const float *w, int n, size_t len,
                    int accumulate);
} lf_kernels;

/* Table for an ISA, or NULL if this build or CPU lacks it. */
const lf_kernels *lf_kernels_for(face_isa isa);
/* Table for the active ISA (lf_cpu_isa()). Never NULL after lf_cpu_init. */
const lf_kernels *lf_kernels_active(void);

/* Per-ISA tables, defined in the per-ISA files. Present only when built. */
extern const lf_kernels lf_kernels_ref;
extern const lf_kernels lf_kernels_avx2;
extern const lf_kernels lf_kernels_avx512;
extern const lf_kernels lf_kernels_neon;

#endif /* LF_KERNELS_H */
