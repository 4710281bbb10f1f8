/* Kernel tests: known answers for the ref table (computed by hand), then
 * every kernel of every other table this CPU and build support against ref
 * on random shapes (odd sizes, strides 1 and 2, all paddings, all
 * activations, leading dimensions wider than the rows).
 *
 * Kernels that promise ref's exact operation order (element-wise, pooling,
 * im2col, resize) must match it bit for bit; dwconv3x3, GEMM, l2sq and dot
 * may differ by FMA and summation order and are checked with a tolerance
 * scaled by the number of terms. Every output buffer is surrounded by a
 * sentinel guard, and gaps between rows (ld > cols) must stay untouched.
 *
 * Built normally it is a cmocka program. Built with -DKT_STANDALONE it has a
 * plain main() and needs only the kernel sources, so the NEON table can be
 * checked under qemu without an arm64 cmocka or OpenBLAS
 * (-DKT_NO_BLAS routes the NEON table's GEMM to ref):
 *
 *   aarch64-linux-gnu-gcc -std=c11 -O2 -Iinclude -Ilib -DFACE_HAVE_NEON=1 \
 *     -D_POSIX_C_SOURCE=200809L -DKT_STANDALONE -DKT_NO_BLAS tests/test_kernels.c \
 *     lib/kernels/kernels.c lib/kernels/{gemm,eltwise,conv,pool,resize,kernels}_ref.c \
 *     lib/kernels/kernels_neon.c lib/kernels/gemm_neon.c lib/base/cpu.c -lm -lpthread -o kt
 *   qemu-aarch64 -L /usr/aarch64-linux-gnu ./kt
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/kernels_impl.h"

typedef void (*lf_gemm_fn)(int, int, int, const float *, int, const float *, int, float *, int, int,
                           float *);

/* The packing workspace every optimized GEMM call gets (see kernels.h). */
static float *g_gemm_ws;

#ifndef KT_STANDALONE
#include "testutil.h"
#else
static inline uint32_t tu_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint32_t)(*s >> 11);
}
static inline float tu_randf(uint64_t *s, float lo, float hi)
{
    return lo + (hi - lo) * (float)(tu_rand(s) & 0xffffff) / (float)0x1000000;
}
#endif

#if defined(KT_STANDALONE) && defined(KT_NO_BLAS)
void lf_gemm_blas(int M, int N, int K, const float *A, int lda, const float *B, int ldb, float *C,
                  int ldc, int accumulate, float *ws)
{
    lf_gemm_ref(M, N, K, A, lda, B, ldb, C, ldc, accumulate, ws);
}
#endif

/* ---------------------------------------------------------------- checking */

static int g_fail;
static const char *g_ctx = ""; /* the kernel/ISA/shape being checked */
static char g_ctxbuf[256];

#define KT_CHECK(cond, ...)                                                  \
    do {                                                                     \
        if (!(cond)) {                                                       \
            if (g_fail < 25) {                                               \
                fprintf(stderr, "%s:%d: [%s] ", __FILE__, __LINE__, g_ctx); \
                fprintf(stderr, __VA_ARGS__);                                \
                fputc('\n', stderr);                                         \
            }                                                                \
            g_fail++;                                                        \
        }                                                                    \
    } while (0)

#define CTX(...) (snprintf(g_ctxbuf, sizeof g_ctxbuf, __VA_ARGS__), g_ctx = g_ctxbuf)

#define GUARD 64
static const float SENTINEL = -12345.5f;

/* n floats plus a sentinel guard on both sides; returns the inner pointer. */
static float *buf_new(size_t n)
{
    float *b = malloc((n + 2 * GUARD) * sizeof(float));
    if (!b) abort();
    for (size_t i = 0; i < n + 2 * GUARD; i++) b[i] = SENTINEL;
    return b + GUARD;
}
static void buf_free(float *p)
{
    if (p) free(p - GUARD);
}
static void buf_rand(float *p, size_t n, uint64_t *rng, float lo, float hi)
{
    for (size_t i = 0; i < n; i++) p[i] = tu_randf(rng, lo, hi);
}
static float *buf_copy(const float *src, size_t n)
{
    float *b = buf_new(n);
    memcpy(b - GUARD, src - GUARD, (n + 2 * GUARD) * sizeof(float));
    return b;
}

/* Compare got against want over the buffer and both guards. tol < 0 means
 * bit-exact (== so that +0 and -0 agree); otherwise |d| <= tol*(1+|want|). */
static void compare(const float *got, const float *want, size_t n, double tol)
{
    int shown = 0;
    for (ptrdiff_t i = -GUARD; i < (ptrdiff_t)(n + GUARD); i++) {
        const double g = got[i], w = want[i];
        const int ok = tol < 0 ? g == w : fabs(g - w) <= tol * (1.0 + fabs(w));
        if (!ok && shown++ < 3)
            KT_CHECK(ok, "index %td%s: got %.9g want %.9g", i,
                     i < 0 || i >= (ptrdiff_t)n ? " (guard)" : "", g, w);
        else if (!ok)
            g_fail++;
    }
}

static void expect_near(float got, double want, double tol, const char *what)
{
    KT_CHECK(fabs(got - want) <= tol, "%s: got %.9g want %.9g", what, got, want);
}

static const lf_act ACTS[] = {LF_ACT_NONE, LF_ACT_RELU, LF_ACT_RELU6, LF_ACT_LEAKY};
static const int DIMS[] = {1, 2, 3, 4, 7, 8, 16, 17, 33, 65};
static const int CHANS[] = {1, 3, 4, 7, 8, 15, 16, 17, 32, 33, 65};
#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int pick(uint64_t *rng, const int *v, int n) { return v[tu_rand(rng) % (uint32_t)n]; }

/* ---------------------------------------------------------------- known answers (ref) */

/* 4x4 image 1..16, weights 1..9 (w[ky][kx] = 3*ky + kx + 1), C = 1. */
static void kat_dwconv(void)
{
    const lf_kernels *k = &lf_kernels_ref;
    float in[16], w[9], out[16];
    for (int i = 0; i < 16; i++) in[i] = (float)(i + 1);
    for (int i = 0; i < 9; i++) w[i] = (float)(i + 1);

    CTX("kat dwconv same s1");
    k->dwconv3x3(in, 4, 4, 1, w, NULL, 1, 1, 1, out, 4, 4, LF_ACT_NONE);
    /* (0,0): taps x[0][0..1], x[1][0..1] under w[1][1..2], w[2][1..2]. */
    expect_near(out[0], 1 * 5 + 2 * 6 + 5 * 8 + 6 * 9, 0, "out(0,0)");
    /* (1,1): full window rows 0..2, cols 0..2. */
    expect_near(out[5], 1 * 1 + 2 * 2 + 3 * 3 + 5 * 4 + 6 * 5 + 7 * 6 + 9 * 7 + 10 * 8 + 11 * 9, 0,
                "out(1,1)");
    /* (3,3): x[2][2..3], x[3][2..3] under w[0][0..1], w[1][0..1]. */
    expect_near(out[15], 11 * 1 + 12 * 2 + 15 * 4 + 16 * 5, 0, "out(3,3)");

    CTX("kat dwconv valid s2");
    k->dwconv3x3(in, 4, 4, 1, w, NULL, 2, 0, 0, out, 1, 1, LF_ACT_NONE);
    expect_near(out[0], 348, 0, "out(0,0)");

    /* SAME stride 2 on an even input pads bottom/right only: (1,1) reads
     * rows/cols 2..4, of which 2..3 exist. Bias 1, then relu6 clips. */
    CTX("kat dwconv same s2 bias relu6");
    const float bias = 1.0f;
    k->dwconv3x3(in, 4, 4, 1, w, &bias, 2, 0, 0, out, 2, 2, LF_ACT_NONE);
    expect_near(out[3], 11 * 1 + 12 * 2 + 15 * 4 + 16 * 5 + 1, 0, "out(1,1)");
    k->dwconv3x3(in, 4, 4, 1, w, &bias, 2, 0, 0, out, 2, 2, LF_ACT_RELU6);
    expect_near(out[3], 6, 0, "out(1,1) relu6");

    /* Two channels: channel 1 has the negated image, leaky scales by 0.1. */
    CTX("kat dwconv 2ch leaky");
    float in2[32], w2[18], out2[2];
    for (int i = 0; i < 16; i++) {
        in2[2 * i] = (float)(i + 1);
        in2[2 * i + 1] = -(float)(i + 1);
    }
    for (int i = 0; i < 9; i++) w2[2 * i] = w2[2 * i + 1] = (float)(i + 1);
    k->dwconv3x3(in2, 4, 4, 2, w2, NULL, 2, 0, 0, out2, 1, 1, LF_ACT_LEAKY);
    expect_near(out2[0], 348, 0, "c0");
    expect_near(out2[1], -34.8, 1e-5, "c1");
}

static void kat_act(void)
{
    const lf_kernels *k = &lf_kernels_ref;
    CTX("kat bias_act");
    /* rows 2, cols 3, ld 4: the 4th column of each row must stay untouched. */
    float x[8] = {-2, 0.5f, 7, 99, -0.5f, 3, -8, 99};
    const float b[3] = {0, 0.5f, 0};
    float t[8];
    memcpy(t, x, sizeof t);
    k->bias_act(t, 2, 3, 4, b, LF_ACT_LEAKY);
    expect_near(t[0], -0.2, 1e-7, "leaky(-2)");
    expect_near(t[1], 1.0, 0, "leaky(1)");
    expect_near(t[2], 7.0, 0, "leaky(7)");
    expect_near(t[3], 99, 0, "gap");
    expect_near(t[4], -0.05, 1e-8, "leaky(-0.5)");
    expect_near(t[5], 3.5, 0, "leaky(3.5)");
    expect_near(t[6], -0.8, 1e-7, "leaky(-8)");
    expect_near(t[7], 99, 0, "gap");
    memcpy(t, x, sizeof t);
    k->bias_act(t, 2, 3, 4, b, LF_ACT_RELU6);
    expect_near(t[0], 0, 0, "relu6(-2)");
    expect_near(t[2], 6, 0, "relu6(7)");
    expect_near(t[5], 3.5, 0, "relu6(3.5)");
    memcpy(t, x, sizeof t);
    k->bias_act(t, 2, 3, 4, NULL, LF_ACT_RELU);
    expect_near(t[0], 0, 0, "relu(-2)");
    expect_near(t[1], 0.5, 0, "relu(0.5)");
    expect_near(t[6], 0, 0, "relu(-8)");
    memcpy(t, x, sizeof t);
    k->bias_act(t, 2, 3, 4, b, LF_ACT_NONE);
    expect_near(t[6], -8, 0, "none(-8)");

    CTX("kat affine_act");
    const float sc[3] = {2, -1, 0.5f}, sh[3] = {1, 1, -4};
    memcpy(t, x, sizeof t);
    k->affine_act(t, 2, 3, 4, sc, sh, LF_ACT_NONE);
    /* row 0: -2*2+1, 0.5*-1+1, 7*0.5-4; row 1: -0.5*2+1, 3*-1+1, -8*0.5-4 */
    const float want[8] = {-3, 0.5f, -0.5f, 99, 0, -2, -8, 99};
    for (int i = 0; i < 8; i++) expect_near(t[i], want[i], 0, "affine");
    memcpy(t, x, sizeof t);
    k->affine_act(t, 2, 3, 4, sc, sh, LF_ACT_RELU);
    expect_near(t[0], 0, 0, "affine relu");
    expect_near(t[1], 0.5, 0, "affine relu");

    CTX("kat add_act");
    const float a[4] = {1, -2, 3, -4}, c[4] = {0.5f, 1, 4, -1};
    float o[4];
    k->add_act(o, a, c, 4, LF_ACT_RELU6);
    expect_near(o[0], 1.5, 0, "1.5");
    expect_near(o[1], 0, 0, "relu6(-1)");
    expect_near(o[2], 6, 0, "relu6(7)");
    expect_near(o[3], 0, 0, "relu6(-5)");
    memcpy(o, a, sizeof o);
    k->add_act(o, o, c, 4, LF_ACT_LEAKY); /* aliased output */
    expect_near(o[1], -0.1, 1e-8, "leaky(-1)");
    expect_near(o[3], -0.5, 1e-8, "leaky(-5)");
}

static void kat_conv_direct(void)
{
    const lf_kernels *k = &lf_kernels_ref;
    CTX("kat conv_direct");
    /* The 4x4 image 1..16 again, 3x3 SAME: output channel 0 uses weights
     * 1..9 (so equals the depthwise answers), channel 1 all ones (window
     * sums), plus bias (0, -100) and relu. */
    float in[16], w[18], out[32];
    for (int i = 0; i < 16; i++) in[i] = (float)(i + 1);
    for (int t = 0; t < 9; t++) {
        w[2 * t] = (float)(t + 1);
        w[2 * t + 1] = 1.0f;
    }
    const float bias[2] = {0, -100};
    k->conv_direct(in, 4, 4, 1, w, 3, 3, 2, bias, 1, 1, 1, out, 4, 4, LF_ACT_RELU);
    expect_near(out[0], 111, 0, "(0,0) c0");
    expect_near(out[1], 0, 0, "(0,0) c1: 1+2+5+6-100 -> relu");
    expect_near(out[2 * 5], 348, 0, "(1,1) c0");
    expect_near(out[2 * 5 + 1], 0, 0, "(1,1) c1: 54 - 100 -> relu");
    k->conv_direct(in, 4, 4, 1, w, 3, 3, 2, bias, 1, 1, 1, out, 4, 4, LF_ACT_NONE);
    expect_near(out[2 * 5 + 1], -46, 0, "(1,1) c1: 54 - 100");
    expect_near(out[2 * 15], 175, 0, "(3,3) c0");
    /* Two input channels (image, negated image), 2x2 VALID stride 2, one
     * output: w = (1, 0) per tap -> the plain 2x2 window sum of the image. */
    float in2[32], w2[8], out2[4];
    for (int i = 0; i < 16; i++) {
        in2[2 * i] = (float)(i + 1);
        in2[2 * i + 1] = -(float)(i + 1);
    }
    for (int t = 0; t < 4; t++) {
        w2[2 * t] = 1.0f;
        w2[2 * t + 1] = 0.0f;
    }
    k->conv_direct(in2, 4, 4, 2, w2, 2, 2, 1, NULL, 2, 0, 0, out2, 2, 2, LF_ACT_NONE);
    expect_near(out2[0], 1 + 2 + 5 + 6, 0, "(0,0)");
    expect_near(out2[3], 11 + 12 + 15 + 16, 0, "(1,1)");
}

static void kat_gemm(void)
{
    CTX("kat gemm");
    /* A 2x3 (lda 4), B 3x2 (ldb 3), C 2x2 (ldc 3). */
    const float A[8] = {1, 2, 3, -1, 4, 5, 6, -1};
    const float B[9] = {7, 8, -1, 9, 10, -1, 11, 12, -1};
    float C[6] = {1, 1, 99, 2, 2, 99};
    lf_kernels_ref.gemm(2, 2, 3, A, 4, B, 3, C, 3, 0, NULL);
    /* [1 2 3; 4 5 6] x [7 8; 9 10; 11 12] = [58 64; 139 154] */
    const float want[6] = {58, 64, 99, 139, 154, 99};
    for (int i = 0; i < 6; i++) expect_near(C[i], want[i], 0, "C");
    lf_kernels_ref.gemm(2, 2, 3, A, 4, B, 3, C, 3, 1, NULL);
    for (int i = 0; i < 6; i++) expect_near(C[i], i % 3 == 2 ? 99 : 2 * want[i], 0, "C accumulated");
}

static void kat_pool_im2col(void)
{
    const lf_kernels *k = &lf_kernels_ref;
    /* 3x3 image 1..9, max-pool 2x2 stride 2 SAME pads bottom/right by one,
     * and those taps are ignored (all values here are positive anyway, so
     * also try an all-negative image where zero padding would win). */
    float in[9], out[4];
    for (int i = 0; i < 9; i++) in[i] = (float)(i + 1);
    CTX("kat maxpool");
    k->maxpool(in, 3, 3, 1, 2, 2, 0, 0, out, 2, 2);
    expect_near(out[0], 5, 0, "(0,0)");
    expect_near(out[1], 6, 0, "(0,1)");
    expect_near(out[2], 8, 0, "(1,0)");
    expect_near(out[3], 9, 0, "(1,1)");
    for (int i = 0; i < 9; i++) in[i] = -(float)(i + 1);
    k->maxpool(in, 3, 3, 1, 2, 2, 0, 0, out, 2, 2);
    expect_near(out[0], -1, 0, "neg (0,0)");
    expect_near(out[3], -9, 0, "neg (1,1) single in-range tap");
    /* stride-1 2x2 SAME (the tiny detector's last pool), top/left padded. */
    k->maxpool(in, 3, 3, 1, 2, 1, 1, 1, out, 1, 1);
    expect_near(out[0], -1, 0, "pad top-left");

    CTX("kat avgpool");
    const float in2[8] = {1, 10, 2, 20, 3, 30, 4, 40}; /* 2x2x2 */
    k->avgpool(in2, 2, 2, 2, 2, 2, out, 1, 1);
    expect_near(out[0], 2.5, 0, "c0");
    expect_near(out[1], 25, 0, "c1");

    CTX("kat im2col");
    /* 3x3 image 1..9 (C=1), 2x2 kernel, stride 1, pad 1 top/left: out 3x3
     * (bottom/right unpadded), rows hold (ky,kx) taps. */
    for (int i = 0; i < 9; i++) in[i] = (float)(i + 1);
    float cols[36];
    k->im2col(in, 3, 3, 1, 2, 2, 1, 1, 1, cols, 3, 3);
    const float want0[4] = {0, 0, 0, 1}, want4[4] = {1, 2, 4, 5}, want8[4] = {5, 6, 8, 9};
    const float want2[4] = {0, 0, 2, 3};
    for (int i = 0; i < 4; i++) {
        expect_near(cols[i], want0[i], 0, "row 0");
        expect_near(cols[8 + i], want2[i], 0, "row 2");
        expect_near(cols[16 + i], want4[i], 0, "row 4");
        expect_near(cols[32 + i], want8[i], 0, "row 8");
    }
    /* Two channels, stride 2, 2x2 VALID on 3x3 -> 1x1: (ky, kx, c) order. */
    float in3[18], cols3[8];
    for (int i = 0; i < 9; i++) {
        in3[2 * i] = (float)(i + 1);
        in3[2 * i + 1] = (float)(-(i + 1));
    }
    k->im2col(in3, 3, 3, 2, 2, 2, 2, 0, 0, cols3, 1, 1);
    const float want3[8] = {1, -1, 2, -2, 4, -4, 5, -5};
    for (int i = 0; i < 8; i++) expect_near(cols3[i], want3[i], 0, "HWIO order");
}

static void kat_resize_dist(void)
{
    const lf_kernels *k = &lf_kernels_ref;
    CTX("kat resize 2x2->3x3");
    /* scale 2/3: src 0, 2/3, 4/3 -> (i0,i1,f) = (0,1,0), (0,1,2/3), (1,1,1/3).
     * Rows: [0 3], [0 3]+([6 9]-[0 3])*2/3 = [4 7], [6 9]; columns likewise. */
    const float in[4] = {0, 3, 6, 9};
    const float want[9] = {0, 2, 3, 4, 6, 7, 6, 8, 9};
    float out[9];
    k->resize_bilinear(in, 2, 2, 1, out, 3, 3);
    for (int i = 0; i < 9; i++) expect_near(out[i], want[i], 1e-6, "out");

    CTX("kat resize 3x1->2x1 downscale, 2 channels");
    /* scale 1.5 rows: src 0, 1.5 -> rows 0 and 0.5*(r1+r2). */
    const float in2[6] = {1, -1, 2, -2, 4, -4};
    float out2[4];
    k->resize_bilinear(in2, 3, 1, 2, out2, 2, 1);
    expect_near(out2[0], 1, 0, "r0c0");
    expect_near(out2[1], -1, 0, "r0c1");
    expect_near(out2[2], 3, 0, "r1c0");
    expect_near(out2[3], -3, 0, "r1c1");

    CTX("kat l2sq/dot");
    const float a[5] = {1, 2, 3, 4, 5}, b[5] = {2, 0, 3, 1, -1};
    expect_near(k->l2sq(a, b, 5), 1 + 4 + 0 + 9 + 36, 0, "l2sq");
    expect_near(k->dot(a, b, 5), 2 + 0 + 9 + 4 - 5, 0, "dot");
    expect_near(k->dot(a, b, 0), 0, 0, "dot empty");
}

/* wsum_u8, every table: bytes 0..255 as floats, products added left to
 * right; the accumulate flag adds onto out. Lengths around each vector
 * width exercise the tails. */
static void kat_wsum_u8(void)
{
    for (int ti = 0; ti < 4; ti++) {
        const lf_kernels *k = lf_kernels_for((face_isa)ti);
        if (!k || !face_isa_supported((face_isa)ti)) continue;
        CTX("kat wsum_u8 %s", face_isa_name(k->isa));
        uint8_t r0[40], r1[40], r2[40];
        for (int i = 0; i < 40; i++) {
            r0[i] = (uint8_t)(i * 7);
            r1[i] = (uint8_t)(255 - i);
            r2[i] = (uint8_t)(i & 1 ? 255 : 0);
        }
        const uint8_t *rows[3] = {r0, r1, r2};
        const float w[3] = {0.25f, 0.5f, 0.25f};
        float out[40];
        for (size_t len = 1; len <= 40; len += 3) {
            k->wsum_u8(out, rows, w, 3, len, 0);
            for (size_t i = 0; i < len; i++)
                expect_near(out[i], 0.25 * r0[i] + 0.5 * r1[i] + 0.25 * r2[i], 0, "3 rows");
            k->wsum_u8(out, rows + 1, w + 1, 1, len, 1);
            for (size_t i = 0; i < len; i++)
                expect_near(out[i], 0.25 * r0[i] + r1[i] + 0.25 * r2[i], 0, "accumulate");
        }
    }
}

/* ---------------------------------------------------------------- differential */

static const face_isa OTHER_ISAS[] = {FACE_ISA_AVX2, FACE_ISA_AVX512, FACE_ISA_NEON};

static void diff_gemm(const lf_kernels *t, uint64_t *rng)
{
    static const int S[] = {1, 2, 3, 5, 7, 8, 15, 16, 17, 31, 33, 64, 65, 100, 129, 300};
    for (int it = 0; it < 120; it++) {
        const int M = pick(rng, S, NELEM(S)), N = pick(rng, S, NELEM(S)), K = pick(rng, S, NELEM(S));
        const int lda = K + (int)(tu_rand(rng) % 3), ldb = N + (int)(tu_rand(rng) % 3);
        const int ldc = N + (int)(tu_rand(rng) % 3), acc = (int)(tu_rand(rng) & 1);
        CTX("%s gemm M=%d N=%d K=%d lda=%d ldb=%d ldc=%d acc=%d", face_isa_name(t->isa), M, N, K,
            lda, ldb, ldc, acc);
        const size_t na = (size_t)M * lda, nb = (size_t)K * ldb, nc = (size_t)M * ldc;
        float *A = buf_new(na), *B = buf_new(nb), *C0 = buf_new(nc);
        buf_rand(A, na, rng, -1, 1);
        buf_rand(B, nb, rng, -1, 1);
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
                /* Without accumulate, C must be ignored: NaN would leak. */
                C0[(size_t)i * ldc + j] = acc ? tu_randf(rng, -1, 1) : NAN;
        float *C1 = buf_copy(C0, nc);
        lf_kernels_ref.gemm(M, N, K, A, lda, B, ldb, C0, ldc, acc, NULL);
        t->gemm(M, N, K, A, lda, B, ldb, C1, ldc, acc, g_gemm_ws);
        compare(C1, C0, nc, 1e-6 * (K + 1));
        buf_free(A);
        buf_free(B);
        buf_free(C0);
        buf_free(C1);
    }
}

/* One GEMM against ref on M x N x K with random leading-dimension slack and
 * accumulate. Without accumulate C starts as NaN, so any read of it shows;
 * the gaps between rows (ld > N) and the guards must stay untouched. */
static void gemm_case(const char *name, lf_gemm_fn f, int M, int N, int K, int acc, uint64_t *rng)
{
    const int lda = K + (int)(tu_rand(rng) % 3), ldb = N + (int)(tu_rand(rng) % 3);
    const int ldc = N + (int)(tu_rand(rng) % 3);
    CTX("%s M=%d N=%d K=%d lda=%d ldb=%d ldc=%d acc=%d", name, M, N, K, lda, ldb, ldc, acc);
    const size_t na = (size_t)M * lda, nb = (size_t)K * ldb, nc = (size_t)M * ldc;
    float *A = buf_new(na), *B = buf_new(nb), *C0 = buf_new(nc);
    buf_rand(A, na, rng, -1, 1);
    buf_rand(B, nb, rng, -1, 1);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) C0[(size_t)i * ldc + j] = acc ? tu_randf(rng, -1, 1) : NAN;
    float *C1 = buf_copy(C0, nc);
    lf_kernels_ref.gemm(M, N, K, A, lda, B, ldb, C0, ldc, acc, NULL);
    /* Every fourth call without a workspace: the unpacked fallback path. */
    f(M, N, K, A, lda, B, ldb, C1, ldc, acc, tu_rand(rng) % 4 ? g_gemm_ws : NULL);
    /* Both sum K products of [-1, 1] values in a different order; the
     * error grows like sqrt(K) ulps, well inside this bound. */
    compare(C1, C0, nc, 1e-6 * (K + 1));
    buf_free(A);
    buf_free(B);
    buf_free(C0);
    buf_free(C1);
}

/* The packed GEMMs of gemm_template.h (whatever FACE_GEMM selects for the
 * tables) on sizes around every blocking edge: rows around the micro-tile
 * heights (14 avx512, 6 avx2, 8 neon) and the in-place-B threshold (2 tiles);
 * columns around the panel widths (32, 16, 12) and the column blocks (512,
 * 256, 252); depths around the K block (256) and past several of them. */
static void diff_gemm_blocking(const char *name, lf_gemm_fn f, uint64_t *rng)
{
    static const int MS[] = {1, 2, 5, 6, 7, 8, 9, 13, 14, 15, 27, 28, 29, 43, 100};
    static const int NS[] = {1, 7, 12, 13, 16, 17, 25, 31, 32, 33, 251, 252, 253, 256, 257, 511, 512, 513, 600};
    static const int KS[] = {1, 2, 3, 31, 255, 256, 257, 512, 513, 777};
    int it = 0;
    for (int mi = 0; mi < NELEM(MS); mi++)
        for (int ni = 0; ni < NELEM(NS); ni++, it++) {
            const int M = MS[mi], N = NS[ni];
            int K = pick(rng, KS, NELEM(KS));
            /* Keep ref's share cheap enough for sanitizers and qemu. */
            while ((double)M * N * K > 3e6) K = KS[tu_rand(rng) % 4];
            gemm_case(name, f, M, N, K, it & 1, rng);
        }
    /* A deep product (the recognition net's last layers are K = 2304) with
     * every edge at once, and the degenerate vectors. */
    gemm_case(name, f, 29, 33, 3001, 0, rng);
    gemm_case(name, f, 15, 17, 2304, 1, rng);
    gemm_case(name, f, 1, 1, 1000, 1, rng);
    gemm_case(name, f, 1, 600, 1, 0, rng);
    gemm_case(name, f, 600, 1, 3, 0, rng);
    gemm_case(name, f, 3, 5, 0, 0, rng); /* K = 0: C = 0, or unchanged */
    gemm_case(name, f, 3, 5, 0, 1, rng);
}

static void diff_gemm_own(const lf_kernels *t, uint64_t *rng)
{
    switch (t->isa) {
#if defined(FACE_HAVE_AVX512)
    case FACE_ISA_AVX512: diff_gemm_blocking("gemm_avx512", lf_gemm_avx512, rng); break;
#endif
#if defined(FACE_HAVE_AVX2)
    case FACE_ISA_AVX2: diff_gemm_blocking("gemm_avx2", lf_gemm_avx2, rng); break;
#endif
#if defined(FACE_HAVE_NEON)
    case FACE_ISA_NEON: diff_gemm_blocking("gemm_neon", lf_gemm_neon, rng); break;
#endif
    default: KT_CHECK(0, "no packed GEMM for %s", face_isa_name(t->isa)); break;
    }
}

/* OpenBLAS (FACE_GEMM=openblas) on a few edge shapes: it stays selectable,
 * so it must stay right too. Once, not per ISA: it picks its own kernels. */
static void diff_gemm_blas(void)
{
    uint64_t rng = 0x243f6a8885a308d3ULL;
    static const int S[][3] = {{1, 1, 1}, {29, 33, 257}, {7, 513, 31}, {100, 25, 512}, {3, 5, 0}};
    for (int i = 0; i < NELEM(S); i++)
        for (int acc = 0; acc < 2; acc++)
            gemm_case("gemm_blas", lf_gemm_blas, S[i][0], S[i][1], S[i][2], acc, &rng);
}

static void diff_rowwise(const lf_kernels *t, uint64_t *rng)
{
    for (int it = 0; it < 150; it++) {
        const int rows = pick(rng, DIMS, NELEM(DIMS)), cols = pick(rng, CHANS, NELEM(CHANS));
        const int ld = cols + (int)(tu_rand(rng) % 4);
        const lf_act act = ACTS[it % 4];
        const int with_bias = (it / 4) % 2;
        const size_t n = (size_t)rows * ld;
        float *x0 = buf_new(n), *bias = buf_new((size_t)cols), *shift = buf_new((size_t)cols);
        for (int r = 0; r < rows; r++) buf_rand(x0 + (size_t)r * ld, (size_t)cols, rng, -8, 8);
        buf_rand(bias, (size_t)cols, rng, -2, 2);
        buf_rand(shift, (size_t)cols, rng, -2, 2);

        CTX("%s bias_act rows=%d cols=%d ld=%d act=%d bias=%d", face_isa_name(t->isa), rows, cols,
            ld, act, with_bias);
        float *x1 = buf_copy(x0, n), *x2 = buf_copy(x0, n);
        lf_kernels_ref.bias_act(x1, rows, cols, ld, with_bias ? bias : NULL, act);
        t->bias_act(x2, rows, cols, ld, with_bias ? bias : NULL, act);
        compare(x2, x1, n, -1);
        buf_free(x1);
        buf_free(x2);

        CTX("%s affine_act rows=%d cols=%d ld=%d act=%d", face_isa_name(t->isa), rows, cols, ld, act);
        x1 = buf_copy(x0, n);
        x2 = buf_copy(x0, n);
        lf_kernels_ref.affine_act(x1, rows, cols, ld, bias, shift, act);
        t->affine_act(x2, rows, cols, ld, bias, shift, act);
        compare(x2, x1, n, -1);
        buf_free(x1);
        buf_free(x2);

        /* add_act and the distances over the whole buffer length n. */
        CTX("%s add_act n=%zu act=%d", face_isa_name(t->isa), n, act);
        float *y = buf_new(n);
        buf_rand(x0, n, rng, -8, 8);
        buf_rand(y, n, rng, -8, 8);
        x1 = buf_new(n);
        x2 = buf_new(n);
        lf_kernels_ref.add_act(x1, x0, y, n, act);
        t->add_act(x2, x0, y, n, act);
        compare(x2, x1, n, -1);
        /* In place, out aliasing a. */
        memcpy(x2, x0, n * sizeof(float));
        t->add_act(x2, x2, y, n, act);
        compare(x2, x1, n, -1);

        CTX("%s l2sq/dot n=%zu", face_isa_name(t->isa), n);
        double l2 = 0, dt = 0, ab = 0;
        for (size_t i = 0; i < n; i++) {
            l2 += ((double)x0[i] - y[i]) * ((double)x0[i] - y[i]);
            dt += (double)x0[i] * y[i];
            ab += fabs((double)x0[i] * y[i]);
        }
        const double e = 1e-6 * (double)(n + 1);
        KT_CHECK(fabs(t->l2sq(x0, y, n) - l2) <= e * (1 + l2), "l2sq %.9g vs %.9g",
                 t->l2sq(x0, y, n), l2);
        KT_CHECK(fabs(lf_kernels_ref.l2sq(x0, y, n) - l2) <= e * (1 + l2), "ref l2sq");
        KT_CHECK(fabs(t->dot(x0, y, n) - dt) <= e * (1 + ab), "dot %.9g vs %.9g", t->dot(x0, y, n),
                 dt);
        KT_CHECK(fabs(lf_kernels_ref.dot(x0, y, n) - dt) <= e * (1 + ab), "ref dot");
        buf_free(x1);
        buf_free(x2);
        buf_free(y);
        buf_free(x0);
        buf_free(bias);
        buf_free(shift);
    }
}

/* Output size for kernel k, stride s, padding before/after; <= 0 if none. */
static int out_dim(int in, int k, int s, int before, int after)
{
    const int span = in + before + after - k;
    return span < 0 ? 0 : span / s + 1;
}

static void diff_spatial(const lf_kernels *t, uint64_t *rng)
{
    for (int it = 0; it < 400; it++) {
        const int H = pick(rng, DIMS, NELEM(DIMS)), W = pick(rng, DIMS, NELEM(DIMS));
        const int C = pick(rng, CHANS, NELEM(CHANS));
        const int s = 1 + (int)(tu_rand(rng) & 1);
        const int pt = (int)(tu_rand(rng) % 3), pl = (int)(tu_rand(rng) % 3);
        const int pb = (int)(tu_rand(rng) % 3), pr = (int)(tu_rand(rng) % 3);
        const lf_act act = ACTS[it % 4];
        const size_t nin = (size_t)H * W * C;
        float *in = buf_new(nin);
        buf_rand(in, nin, rng, -4, 4);

        /* dwconv3x3 */
        int oh = out_dim(H, 3, s, pt, pb), ow = out_dim(W, 3, s, pl, pr);
        if (oh > 0 && ow > 0) {
            CTX("%s dwconv3x3 H=%d W=%d C=%d s=%d pad=%d,%d,%d,%d act=%d", face_isa_name(t->isa),
                H, W, C, s, pt, pl, pb, pr, act);
            float *w = buf_new((size_t)9 * C), *b = buf_new((size_t)C);
            buf_rand(w, (size_t)9 * C, rng, -1, 1);
            buf_rand(b, (size_t)C, rng, -1, 1);
            const size_t no = (size_t)oh * ow * C;
            float *o0 = buf_new(no), *o1 = buf_new(no);
            const float *bias = it & 8 ? NULL : b;
            lf_kernels_ref.dwconv3x3(in, H, W, C, w, bias, s, pt, pl, o0, oh, ow, act);
            t->dwconv3x3(in, H, W, C, w, bias, s, pt, pl, o1, oh, ow, act);
            compare(o1, o0, no, 1e-5);
            buf_free(o0);
            buf_free(o1);
            buf_free(w);
            buf_free(b);
        }

        /* im2col with k in 1..3 (plus 7 now and then, the recognition stem) */
        const int kk = it % 7 == 0 ? 7 : 1 + (int)(tu_rand(rng) % 3);
        oh = out_dim(H, kk, s, pt, pb);
        ow = out_dim(W, kk, s, pl, pr);
        if (oh > 0 && ow > 0) {
            CTX("%s im2col H=%d W=%d C=%d k=%d s=%d pad=%d,%d,%d,%d", face_isa_name(t->isa), H, W, C,
                kk, s, pt, pl, pb, pr);
            const size_t no = (size_t)oh * ow * kk * kk * C;
            float *o0 = buf_new(no), *o1 = buf_new(no);
            lf_kernels_ref.im2col(in, H, W, C, kk, kk, s, pt, pl, o0, oh, ow);
            t->im2col(in, H, W, C, kk, kk, s, pt, pl, o1, oh, ow);
            compare(o1, o0, no, -1);
            buf_free(o0);
            buf_free(o1);
        }

        /* conv_direct: few input channels, kernels 1..3 and 7, any Cout;
         * also checked against the other ref path, im2col + GEMM. */
        /* Reinterpret the input as H x W x cin (cin <= C keeps it in bounds). */
        const int cin = 1 + (int)(tu_rand(rng) % (uint32_t)(C < 4 ? C : 4));
        const int cout = pick(rng, CHANS, NELEM(CHANS));
        oh = out_dim(H, kk, s, pt, pb);
        ow = out_dim(W, kk, s, pl, pr);
        if (oh > 0 && ow > 0) {
            CTX("%s conv_direct H=%d W=%d Cin=%d Cout=%d k=%d s=%d pad=%d,%d,%d,%d act=%d",
                face_isa_name(t->isa), H, W, cin, cout, kk, s, pt, pl, pb, pr, act);
            const size_t nw = (size_t)kk * kk * cin * cout, no = (size_t)oh * ow * cout;
            float *w = buf_new(nw), *b = buf_new((size_t)cout);
            buf_rand(w, nw, rng, -1, 1);
            buf_rand(b, (size_t)cout, rng, -1, 1);
            const float *bias = it & 16 ? NULL : b;
            float *o0 = buf_new(no), *o1 = buf_new(no), *o2 = buf_new(no);
            float *cols = buf_new((size_t)oh * ow * kk * kk * cin);
            lf_kernels_ref.conv_direct(in, H, W, cin, w, kk, kk, cout, bias, s, pt, pl, o0, oh, ow,
                                       act);
            t->conv_direct(in, H, W, cin, w, kk, kk, cout, bias, s, pt, pl, o1, oh, ow, act);
            /* kk*kk*cin terms of up to 4 in magnitude: allow rounding that
             * grows with the term count (a wrong tap is off by ~1). */
            const double tol = 2e-6 * (double)(kk * kk * cin + 1);
            compare(o1, o0, no, tol);
            lf_kernels_ref.im2col(in, H, W, cin, kk, kk, s, pt, pl, cols, oh, ow);
            lf_kernels_ref.gemm(oh * ow, cout, kk * kk * cin, cols, kk * kk * cin, w, cout, o2, cout, 0,
                                NULL);
            lf_kernels_ref.bias_act(o2, oh * ow, cout, cout, bias, act);
            compare(o2, o0, no, tol);
            buf_free(w);
            buf_free(b);
            buf_free(o0);
            buf_free(o1);
            buf_free(o2);
            buf_free(cols);
        }

        /* maxpool k in 2..3; padding below k so every window has a tap */
        const int pk = 2 + (int)(tu_rand(rng) & 1);
        const int mt = pt % pk, ml = pl % pk, mb = pb % pk, mr = pr % pk;
        oh = out_dim(H, pk, s, mt, mb);
        ow = out_dim(W, pk, s, ml, mr);
        if (oh > 0 && ow > 0) {
            CTX("%s maxpool H=%d W=%d C=%d k=%d s=%d pad=%d,%d,%d,%d", face_isa_name(t->isa), H, W,
                C, pk, s, mt, ml, mb, mr);
            const size_t no = (size_t)oh * ow * C;
            float *o0 = buf_new(no), *o1 = buf_new(no);
            lf_kernels_ref.maxpool(in, H, W, C, pk, s, mt, ml, o0, oh, ow);
            t->maxpool(in, H, W, C, pk, s, mt, ml, o1, oh, ow);
            compare(o1, o0, no, -1);
            buf_free(o0);
            buf_free(o1);
        }

        /* avgpool VALID, k from 1 to min(H, W) (global pooling included) */
        const int mn = H < W ? H : W;
        const int ak = 1 + (int)(tu_rand(rng) % (uint32_t)(mn < 7 ? mn : 7));
        oh = out_dim(H, ak, s, 0, 0);
        ow = out_dim(W, ak, s, 0, 0);
        {
            CTX("%s avgpool H=%d W=%d C=%d k=%d s=%d", face_isa_name(t->isa), H, W, C, ak, s);
            const size_t no = (size_t)oh * ow * C;
            float *o0 = buf_new(no), *o1 = buf_new(no);
            lf_kernels_ref.avgpool(in, H, W, C, ak, s, o0, oh, ow);
            t->avgpool(in, H, W, C, ak, s, o1, oh, ow);
            compare(o1, o0, no, -1);
            buf_free(o0);
            buf_free(o1);
        }

        /* resize to a random size, up and down */
        const int rh = pick(rng, DIMS, NELEM(DIMS)), rw = pick(rng, DIMS, NELEM(DIMS));
        {
            CTX("%s resize %dx%dx%d -> %dx%d", face_isa_name(t->isa), H, W, C, rh, rw);
            const size_t no = (size_t)rh * rw * C;
            float *o0 = buf_new(no), *o1 = buf_new(no);
            lf_kernels_ref.resize_bilinear(in, H, W, C, o0, rh, rw);
            t->resize_bilinear(in, H, W, C, o1, rh, rw);
            compare(o1, o0, no, -1);
            buf_free(o0);
            buf_free(o1);
        }
        buf_free(in);
    }
}

/* The network shapes themselves (big C, real padding), a few each. */
static void diff_network_shapes(const lf_kernels *t)
{
    static const struct {
        int H, W, C, s, pt, pl, oh, ow;
    } S[] = {
        {52, 52, 128, 1, 1, 1, 52, 52}, /* tiny: SAME s1 */
        {38, 38, 256, 2, 0, 0, 19, 19}, /* ssd: SAME s2, even input */
        {19, 19, 512, 1, 1, 1, 19, 19},
        {10, 10, 1024, 1, 1, 1, 10, 10},
        {56, 56, 64, 2, 0, 0, 28, 28}, /* landmark dense block */
    };
    uint64_t rng = 0x5eed5eedULL;
    for (int i = 0; i < NELEM(S); i++) {
        const size_t nin = (size_t)S[i].H * S[i].W * S[i].C, no = (size_t)S[i].oh * S[i].ow * S[i].C;
        float *in = buf_new(nin), *w = buf_new((size_t)9 * S[i].C), *b = buf_new((size_t)S[i].C);
        float *o0 = buf_new(no), *o1 = buf_new(no);
        buf_rand(in, nin, &rng, -4, 4);
        buf_rand(w, (size_t)9 * S[i].C, &rng, -1, 1);
        buf_rand(b, (size_t)S[i].C, &rng, -1, 1);
        CTX("%s dwconv3x3 network shape %d", face_isa_name(t->isa), i);
        lf_kernels_ref.dwconv3x3(in, S[i].H, S[i].W, S[i].C, w, b, S[i].s, S[i].pt, S[i].pl, o0,
                                 S[i].oh, S[i].ow, LF_ACT_RELU6);
        t->dwconv3x3(in, S[i].H, S[i].W, S[i].C, w, b, S[i].s, S[i].pt, S[i].pl, o1, S[i].oh,
                     S[i].ow, LF_ACT_RELU6);
        compare(o1, o0, no, 1e-5);
        buf_free(in);
        buf_free(w);
        buf_free(b);
        buf_free(o0);
        buf_free(o1);
    }
}

/* wsum_u8: random bytes, weights, row counts (1..9) and lengths; exact. */
static void diff_wsum_u8(const lf_kernels *t, uint64_t *rng)
{
    uint8_t data[9][200];
    for (int k = 0; k < 9; k++)
        for (int i = 0; i < 200; i++) data[k][i] = (uint8_t)tu_rand(rng);
    for (int it = 0; it < 200; it++) {
        const int n = 1 + (int)(tu_rand(rng) % 9);
        const size_t len = tu_rand(rng) % 190;
        const size_t off = tu_rand(rng) % 10; /* unaligned rows */
        const int acc = (int)(tu_rand(rng) & 1);
        const uint8_t *rows[9];
        float w[9];
        for (int k = 0; k < n; k++) {
            rows[k] = data[(k * 5 + it) % 9] + off;
            w[k] = tu_randf(rng, -1, 1);
        }
        CTX("%s wsum_u8 n=%d len=%zu acc=%d", face_isa_name(t->isa), n, len, acc);
        float *o0 = buf_new(len + 1), *o1 = buf_new(len + 1);
        buf_rand(o0, len + 1, rng, -100, 100);
        memcpy(o1, o0, (len + 1) * sizeof(float));
        lf_kernels_ref.wsum_u8(o0, rows, w, n, len, acc);
        t->wsum_u8(o1, rows, w, n, len, acc);
        compare(o1, o0, len + 1, -1); /* the element past len stays untouched too */
        buf_free(o0);
        buf_free(o1);
    }
}

/* Returns how many ISAs were compared. */
static int diff_all(void (*fn)(const lf_kernels *, uint64_t *))
{
    int n = 0;
    for (int i = 0; i < NELEM(OTHER_ISAS); i++) {
        const lf_kernels *t = lf_kernels_for(OTHER_ISAS[i]);
        if (!t || !face_isa_supported(OTHER_ISAS[i])) continue;
        uint64_t rng = 0x9e3779b97f4a7c15ULL + (uint64_t)i;
        fn(t, &rng);
        n++;
    }
    return n;
}

static void diff_network_shapes_rng(const lf_kernels *t, uint64_t *rng)
{
    (void)rng;
    diff_network_shapes(t);
}

/* ---------------------------------------------------------------- dispatch */

static void check_dispatch(void)
{
    CTX("dispatch");
    KT_CHECK(lf_cpu_init() == FACE_OK || getenv("FACE_FORCE_ISA"), "lf_cpu_init failed");
    KT_CHECK(lf_kernels_for(FACE_ISA_REF) == &lf_kernels_ref, "ref table");
    KT_CHECK(lf_kernels_for((face_isa)4) == NULL, "isa 4");
    KT_CHECK(lf_kernels_for((face_isa)-1) == NULL, "isa -1");
    for (int i = 0; i < 4; i++) {
        const lf_kernels *t = lf_kernels_for((face_isa)i);
        KT_CHECK(!t == !face_isa_supported(i), "table for %s vs supported %d", face_isa_name(i),
                 face_isa_supported(i));
        if (t) {
            KT_CHECK((int)t->isa == i, "table isa");
            /* Every entry filled in: a NULL would crash a network later. */
            KT_CHECK(t->gemm && t->bias_act && t->affine_act && t->dwconv3x3 && t->im2col &&
                         t->maxpool && t->avgpool && t->add_act && t->resize_bilinear && t->l2sq &&
                         t->dot && t->conv_direct && t->wsum_u8,
                     "table %s has a NULL entry", face_isa_name(i));
        }
    }
    const lf_kernels *act = lf_kernels_active();
    KT_CHECK(act != NULL && act->isa == face_active_isa(), "active table is not the active ISA");

    /* Per-ISA ctest runs (FACE_FORCE_ISA=avx2 ctest -L quick) must really run
     * that ISA, or they would silently retest another. */
    const char *force = getenv("FACE_FORCE_ISA");
    if (force && *force) {
        KT_CHECK(face_init() == FACE_OK, "FACE_FORCE_ISA=%s rejected", force);
        KT_CHECK(strcmp(face_isa_name(face_active_isa()), force) == 0,
                 "FACE_FORCE_ISA=%s but active ISA is %s", force, face_isa_name(face_active_isa()));
        KT_CHECK(strcmp(face_isa_name(lf_kernels_active()->isa), force) == 0,
                 "FACE_FORCE_ISA=%s but active kernels are %s", force,
                 face_isa_name(lf_kernels_active()->isa));
    }
}

/* ---------------------------------------------------------------- drivers */

#ifndef KT_STANDALONE
#define KT_TEST(name, body)                  \
    static void name(void **state)           \
    {                                        \
        (void)state;                         \
        g_fail = 0;                          \
        body;                                \
        assert_int_equal(g_fail, 0);         \
    }
#else
static int g_total_fail;
#define KT_TEST(name, body)                                          \
    static void name(void **state)                                   \
    {                                                                \
        (void)state;                                                 \
        g_fail = 0;                                                  \
        body;                                                        \
        printf("%-28s %s\n", #name, g_fail ? "FAILED" : "ok");      \
        g_total_fail += g_fail;                                      \
    }
#endif

static int g_isas_compared;
KT_TEST(test_dispatch, check_dispatch())
KT_TEST(test_kat_dwconv, kat_dwconv())
KT_TEST(test_kat_act, kat_act())
KT_TEST(test_kat_conv_direct, kat_conv_direct())
KT_TEST(test_kat_gemm, kat_gemm())
KT_TEST(test_kat_pool_im2col, kat_pool_im2col())
KT_TEST(test_kat_resize_dist, kat_resize_dist())
KT_TEST(test_kat_wsum_u8, kat_wsum_u8())
KT_TEST(test_diff_wsum_u8, diff_all(diff_wsum_u8))
KT_TEST(test_diff_gemm, g_isas_compared = diff_all(diff_gemm))
KT_TEST(test_diff_gemm_own, diff_all(diff_gemm_own))
KT_TEST(test_diff_gemm_blas, diff_gemm_blas())
KT_TEST(test_diff_rowwise, diff_all(diff_rowwise))
KT_TEST(test_diff_spatial, diff_all(diff_spatial))
KT_TEST(test_diff_network_shapes, diff_all(diff_network_shapes_rng))

#ifndef KT_STANDALONE
/* Aligned like the library's scratch; garbage-filled so a GEMM that reads
 * its workspace before writing it shows up as a mismatch. */
static void alloc_gemm_ws(void)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, LF_GEMM_WS_FLOATS * sizeof(float))) abort();
    memset(p, 0x7f, LF_GEMM_WS_FLOATS * sizeof(float));
    g_gemm_ws = p;
}

int main(void)
{
    alloc_gemm_ws();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dispatch),        cmocka_unit_test(test_kat_dwconv),
        cmocka_unit_test(test_kat_act),         cmocka_unit_test(test_kat_conv_direct),
        cmocka_unit_test(test_kat_gemm),
        cmocka_unit_test(test_kat_pool_im2col), cmocka_unit_test(test_kat_resize_dist),
        cmocka_unit_test(test_diff_gemm),       cmocka_unit_test(test_diff_gemm_own),
        cmocka_unit_test(test_diff_gemm_blas),  cmocka_unit_test(test_diff_rowwise),
        cmocka_unit_test(test_diff_spatial),    cmocka_unit_test(test_diff_network_shapes),
        cmocka_unit_test(test_kat_wsum_u8),     cmocka_unit_test(test_diff_wsum_u8),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    fprintf(stderr, "kernels: compared %d SIMD table(s) against ref\n", g_isas_compared);
    return rc;
}
#else
int main(void)
{
    alloc_gemm_ws();
    test_dispatch(NULL);
    test_kat_dwconv(NULL);
    test_kat_act(NULL);
    test_kat_conv_direct(NULL);
    test_kat_gemm(NULL);
    test_kat_pool_im2col(NULL);
    test_kat_resize_dist(NULL);
    test_kat_wsum_u8(NULL);
    test_diff_wsum_u8(NULL);
    test_diff_gemm(NULL);
    test_diff_gemm_own(NULL);
    test_diff_gemm_blas(NULL);
    test_diff_rowwise(NULL);
    test_diff_spatial(NULL);
    test_diff_network_shapes(NULL);
    printf("compared %d SIMD table(s) against ref; %d failure(s)\n", g_isas_compared, g_total_fail);
    return g_total_fail ? 1 : 0;
}
#endif
