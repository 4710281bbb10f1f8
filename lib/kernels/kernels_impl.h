/* Shared by the kernel implementations only (not by users of kernels.h):
 * the scalar activation every ISA must reproduce, and the per-family entry
 * points that the per-ISA tables are built from. */
#ifndef LF_KERNELS_IMPL_H
#define LF_KERNELS_IMPL_H

#include "kernels/kernels.h"

/* For helpers whose point is to be specialised at each call site (a
 * constant lane count turns masked loads into plain ones); GCC otherwise
 * declines to inline the larger ones. */
#if defined(__GNUC__) || defined(__clang__)
#define LF_INLINE static inline __attribute__((always_inline))
#else
#define LF_INLINE static inline
#endif

/* The one definition of each activation. SIMD versions use the same
 * comparisons (x > 0 selects x) so they agree bit for bit, -0 aside. */
static inline float lf_act1(float x, lf_act act)
{
    switch (act) {
    case LF_ACT_RELU: return x > 0.0f ? x : 0.0f;
    case LF_ACT_RELU6:
        x = x > 0.0f ? x : 0.0f;
        return x < 6.0f ? x : 6.0f;
    case LF_ACT_LEAKY: return x > 0.0f ? x : 0.1f * x;
    case LF_ACT_NONE:
    default: return x;
    }
}

/* ref: plain C, one file per family. */
void lf_gemm_ref(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
                 int ldc, int accumulate, float *ws);
void lf_bias_act_ref(float *x, int rows, int cols, int ld, const float *bias, lf_act act);
void lf_affine_act_ref(float *x, int rows, int cols, int ld, const float *scale,
                       const float *shift, lf_act act);
void lf_add_act_ref(float *out, const float *a, const float *b, size_t n, lf_act act);
float lf_l2sq_ref(const float *a, const float *b, size_t n);
float lf_dot_ref(const float *a, const float *b, size_t n);
void lf_dwconv3x3_ref(const float *in, int H, int W, int C, const float *w, const float *bias,
                      int stride, int pad_top, int pad_left, float *out, int outH, int outW,
                      lf_act act);
void lf_im2col_ref(const float *in, int H, int W, int C, int kh, int kw, int stride, int pad_top,
                   int pad_left, float *cols, int outH, int outW);
void lf_maxpool_ref(const float *in, int H, int W, int C, int k, int stride, int pad_top,
                    int pad_left, float *out, int outH, int outW);
void lf_avgpool_ref(const float *in, int H, int W, int C, int k, int stride, float *out, int outH,
                    int outW);
void lf_conv_direct_ref(const float *in, int H, int W, int Cin, const float *w, int kh, int kw,
                        int Cout, const float *bias, int stride, int pad_top, int pad_left,
                        float *out, int outH, int outW, lf_act act);
void lf_resize_bilinear_ref(const float *in, int H, int W, int C, float *out, int outH, int outW);
void lf_wsum_u8_ref(float *out, const uint8_t *const *rows, const float *w, int n, size_t len,
                    int accumulate);

/* OpenBLAS sgemm, shared by every optimized table (OpenBLAS picks its own
 * kernels for the CPU, so this file needs no ISA flags). */
void lf_gemm_blas(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
                  int ldc, int accumulate, float *ws);

/* libface's own packed SGEMM per ISA (gemm_template.h), defined only where
 * that ISA is built. OpenBLAS 0.3.21 falls back to its SSE3 kernels on CPUs
 * it does not recognise (about 4x slower on an unlisted AVX-512 Xeon), so
 * the tables use these unless FACE_GEMM=openblas (lf_gemm_openblas). */
void lf_gemm_avx2(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
                  int ldc, int accumulate, float *ws);
void lf_gemm_avx512(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                    float *C, int ldc, int accumulate, float *ws);
void lf_gemm_neon(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
                  int ldc, int accumulate, float *ws);

/* Nonzero if the optimized tables should route GEMM to OpenBLAS instead:
 * environment FACE_GEMM=openblas (read once per process; any other value or
 * none selects the packed GEMMs). For comparison, and for a CPU where
 * OpenBLAS knows better kernels than ours. */
int lf_gemm_openblas(void);

/* TF1 legacy bilinear source coordinate for output index o: in double, as
 * the reference computes o * (in / out), so every ISA picks the same taps
 * and weights. */
static inline void lf_bilinear_src(int o, int in, int out, int *i0, int *i1, float *f)
{
    double src = (double)o * ((double)in / (double)out);
    int a = (int)src; /* src >= 0, so truncation is floor */
    if (a > in - 1) a = in - 1;
    *i0 = a;
    *i1 = a + 1 < in ? a + 1 : in - 1;
    *f = (float)(src - (double)a);
}

#endif /* LF_KERNELS_IMPL_H */
