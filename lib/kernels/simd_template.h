/* The SIMD kernels, written once over a small vector vocabulary and
 * instantiated by kernels_avx2.c, kernels_avx512.c and kernels_neon.c.
 * Include only from those files, after they define:
 *
 *   vf, VW                  vector type and its width in floats
 *   v_load/v_store          unaligned full-width access
 *   v_loadn/v_storen        first n < VW lanes (zero-filled load; the other
 *                           lanes of memory are neither read nor written)
 *   v_set1, v_zero, v_add, v_sub, v_mul, v_div
 *   v_fma(a, b, c)          a*b + c, fused
 *   v_max(a, b), v_min(a, b)  a > b ? a : b, a < b ? a : b (the scalar
 *                           comparisons of lf_act1 and the ref pool)
 *   v_selgt0(x, y)          x > 0 ? x : y, per lane
 *   v_hsum(v)               sum of the lanes
 *   v_load_u8(p)            VW bytes from p, as floats
 *   LF_SIMD(name)           name decorated with the ISA suffix
 *   LF_SIMD_ISA, LF_SIMD_TABLE
 *
 * Element-wise kernels, pooling, im2col and resize use no FMA and keep the
 * ref operation order, so they match ref bit for bit (NaN and the sign of
 * zero aside). dwconv3x3 fuses the multiply-adds (same tap order as ref);
 * l2sq/dot use several accumulators: those differ from ref by rounding. */

#include <math.h>
#include <string.h>

#include "kernels/kernels_impl.h"

LF_INLINE vf LF_SIMD(ldn)(const float *p, int n) { return n == VW ? v_load(p) : v_loadn(p, n); }
LF_INLINE void LF_SIMD(stn)(float *p, vf v, int n)
{
    if (n == VW) v_store(p, v);
    else v_storen(p, v, n);
}

static inline vf LF_SIMD(act)(vf x, lf_act act)
{
    switch (act) {
    case LF_ACT_RELU: return v_max(x, v_zero());
    case LF_ACT_RELU6: return v_min(v_max(x, v_zero()), v_set1(6.0f));
    case LF_ACT_LEAKY: return v_selgt0(x, v_mul(x, v_set1(0.1f)));
    case LF_ACT_NONE:
    default: return x;
    }
}

/* ---------------------------------------------------------------- element-wise */

static void LF_SIMD(bias_act)(float *x, int rows, int cols, int ld, const float *bias, lf_act act)
{
    for (int r = 0; r < rows; r++) {
        float *row = x + (size_t)r * ld;
        for (int c = 0; c < cols; c += VW) {
            const int n = cols - c < VW ? cols - c : VW;
            vf v = LF_SIMD(ldn)(row + c, n);
            if (bias) v = v_add(v, LF_SIMD(ldn)(bias + c, n));
            LF_SIMD(stn)(row + c, LF_SIMD(act)(v, act), n);
        }
    }
}

static void LF_SIMD(affine_act)(float *x, int rows, int cols, int ld, const float *scale,
                                const float *shift, lf_act act)
{
    for (int r = 0; r < rows; r++) {
        float *row = x + (size_t)r * ld;
        for (int c = 0; c < cols; c += VW) {
            const int n = cols - c < VW ? cols - c : VW;
            vf v = v_mul(LF_SIMD(ldn)(row + c, n), LF_SIMD(ldn)(scale + c, n));
            v = v_add(v, LF_SIMD(ldn)(shift + c, n));
            LF_SIMD(stn)(row + c, LF_SIMD(act)(v, act), n);
        }
    }
}

static void LF_SIMD(add_act)(float *out, const float *a, const float *b, size_t n, lf_act act)
{
    size_t i = 0;
    for (; i + VW <= n; i += VW)
        v_store(out + i, LF_SIMD(act)(v_add(v_load(a + i), v_load(b + i)), act));
    if (i < n) {
        const int r = (int)(n - i);
        v_storen(out + i, LF_SIMD(act)(v_add(v_loadn(a + i, r), v_loadn(b + i, r)), act), r);
    }
}

static float LF_SIMD(l2sq)(const float *a, const float *b, size_t n)
{
    /* Four chains hide the add latency. */
    vf s0 = v_zero(), s1 = v_zero(), s2 = v_zero(), s3 = v_zero();
    size_t i = 0;
    for (; i + 4 * VW <= n; i += 4 * VW) {
        vf d0 = v_sub(v_load(a + i), v_load(b + i));
        vf d1 = v_sub(v_load(a + i + VW), v_load(b + i + VW));
        vf d2 = v_sub(v_load(a + i + 2 * VW), v_load(b + i + 2 * VW));
        vf d3 = v_sub(v_load(a + i + 3 * VW), v_load(b + i + 3 * VW));
        s0 = v_fma(d0, d0, s0);
        s1 = v_fma(d1, d1, s1);
        s2 = v_fma(d2, d2, s2);
        s3 = v_fma(d3, d3, s3);
    }
    for (; i < n; i += VW) {
        const int r = n - i < VW ? (int)(n - i) : VW;
        vf d = v_sub(LF_SIMD(ldn)(a + i, r), LF_SIMD(ldn)(b + i, r));
        s0 = v_fma(d, d, s0);
    }
    return v_hsum(v_add(v_add(s0, s1), v_add(s2, s3)));
}

static float LF_SIMD(dot)(const float *a, const float *b, size_t n)
{
    vf s0 = v_zero(), s1 = v_zero(), s2 = v_zero(), s3 = v_zero();
    size_t i = 0;
    for (; i + 4 * VW <= n; i += 4 * VW) {
        s0 = v_fma(v_load(a + i), v_load(b + i), s0);
        s1 = v_fma(v_load(a + i + VW), v_load(b + i + VW), s1);
        s2 = v_fma(v_load(a + i + 2 * VW), v_load(b + i + 2 * VW), s2);
        s3 = v_fma(v_load(a + i + 3 * VW), v_load(b + i + 3 * VW), s3);
    }
    for (; i < n; i += VW) {
        const int r = n - i < VW ? (int)(n - i) : VW;
        s0 = v_fma(LF_SIMD(ldn)(a + i, r), LF_SIMD(ldn)(b + i, r), s0);
    }
    return v_hsum(v_add(v_add(s0, s1), v_add(s2, s3)));
}

/* ---------------------------------------------------------------- depthwise 3x3 */

/* One output vector with all nine taps in range: the hot path. */
LF_INLINE vf LF_SIMD(dw_full)(const float *r0, const float *r1, const float *r2, int C, int n,
                                  const vf *wv)
{
    vf acc = v_zero();
    acc = v_fma(LF_SIMD(ldn)(r0, n), wv[0], acc);
    acc = v_fma(LF_SIMD(ldn)(r0 + C, n), wv[1], acc);
    acc = v_fma(LF_SIMD(ldn)(r0 + 2 * C, n), wv[2], acc);
    acc = v_fma(LF_SIMD(ldn)(r1, n), wv[3], acc);
    acc = v_fma(LF_SIMD(ldn)(r1 + C, n), wv[4], acc);
    acc = v_fma(LF_SIMD(ldn)(r1 + 2 * C, n), wv[5], acc);
    acc = v_fma(LF_SIMD(ldn)(r2, n), wv[6], acc);
    acc = v_fma(LF_SIMD(ldn)(r2 + C, n), wv[7], acc);
    acc = v_fma(LF_SIMD(ldn)(r2 + 2 * C, n), wv[8], acc);
    return acc;
}

/* Any output vector: taps outside the input are skipped (they read zeros). */
static inline vf LF_SIMD(dw_edge)(const float *in, int H, int W, int C, int n, const vf *wv, int iy0,
                                  int ix0)
{
    vf acc = v_zero();
    for (int ky = 0; ky < 3; ky++) {
        const int iy = iy0 + ky;
        if (iy < 0 || iy >= H) continue;
        for (int kx = 0; kx < 3; kx++) {
            const int ix = ix0 + kx;
            if (ix < 0 || ix >= W) continue;
            acc = v_fma(LF_SIMD(ldn)(in + ((size_t)iy * W + ix) * C, n), wv[ky * 3 + kx], acc);
        }
    }
    return acc;
}

/* One channel block (n lanes from channel c) of one output row. Kept
 * separate so the full-width call sites compile with n == VW known. */
LF_INLINE void LF_SIMD(dw_row)(const float *in, int H, int W, int C, int c, int n,
                                   const float *w, const float *bias, int stride, int iy0,
                                   int pad_left, float *orow, int outW, int ox_lo, int ox_hi,
                                   lf_act act)
{
    vf wv[9];
    for (int t = 0; t < 9; t++) wv[t] = LF_SIMD(ldn)(w + t * C + c, n);
    const vf bv = bias ? LF_SIMD(ldn)(bias + c, n) : v_zero();
    const int rows_in = iy0 >= 0 && iy0 + 2 < H;
    int ox = 0;
    if (rows_in) {
        for (; ox < ox_lo; ox++) {
            vf acc = LF_SIMD(dw_edge)(in + c, H, W, C, n, wv, iy0, ox * stride - pad_left);
            LF_SIMD(stn)(orow + (size_t)ox * C + c, LF_SIMD(act)(v_add(acc, bv), act), n);
        }
        const size_t rs = (size_t)W * C;
        const float *r0 = in + (size_t)iy0 * rs + c;
        /* Four, then two pixels per step: independent FMA chains for the
         * pipeline (a lone chain of 9 dependent FMAs is latency-bound). */
        const size_t step = (size_t)stride * C;
        /* One pointer per tap, advanced together: loads address [tap +
         * k*step] with the pixel offsets in registers (per-pixel dw_full
         * calls left the compiler 36 addresses to keep on the stack). Each
         * pixel still sums its taps in (ky, kx) order. */
        const float *t0 = r0 + (size_t)(ox * stride - pad_left) * C, *t1 = t0 + C, *t2 = t1 + C;
        const float *t3 = t0 + rs, *t4 = t3 + C, *t5 = t4 + C;
        const float *t6 = t3 + rs, *t7 = t6 + C, *t8 = t7 + C;
        const size_t step2 = 2 * step, step3 = 3 * step, step4 = 4 * step;
#define LF_DW4(tp, wt)                                                                             \
    a0 = v_fma(LF_SIMD(ldn)(tp, n), wt, a0);                                                       \
    a1 = v_fma(LF_SIMD(ldn)(tp + step, n), wt, a1);                                                \
    a2 = v_fma(LF_SIMD(ldn)(tp + step2, n), wt, a2);                                               \
    a3 = v_fma(LF_SIMD(ldn)(tp + step3, n), wt, a3);
        for (; ox + 4 <= ox_hi; ox += 4) {
            vf a0 = v_zero(), a1 = v_zero(), a2 = v_zero(), a3 = v_zero();
            LF_DW4(t0, wv[0])
            LF_DW4(t1, wv[1])
            LF_DW4(t2, wv[2])
            LF_DW4(t3, wv[3])
            LF_DW4(t4, wv[4])
            LF_DW4(t5, wv[5])
            LF_DW4(t6, wv[6])
            LF_DW4(t7, wv[7])
            LF_DW4(t8, wv[8])
            t0 += step4, t1 += step4, t2 += step4, t3 += step4, t4 += step4;
            t5 += step4, t6 += step4, t7 += step4, t8 += step4;
            float *o = orow + (size_t)ox * C + c;
            LF_SIMD(stn)(o, LF_SIMD(act)(v_add(a0, bv), act), n);
            LF_SIMD(stn)(o + C, LF_SIMD(act)(v_add(a1, bv), act), n);
            LF_SIMD(stn)(o + 2 * (size_t)C, LF_SIMD(act)(v_add(a2, bv), act), n);
            LF_SIMD(stn)(o + 3 * (size_t)C, LF_SIMD(act)(v_add(a3, bv), act), n);
        }
#undef LF_DW4
        for (; ox + 2 <= ox_hi; ox += 2) {
            const float *p = r0 + (size_t)(ox * stride - pad_left) * C, *q = p + step;
            vf a0 = LF_SIMD(dw_full)(p, p + rs, p + 2 * rs, C, n, wv);
            vf a1 = LF_SIMD(dw_full)(q, q + rs, q + 2 * rs, C, n, wv);
            float *o = orow + (size_t)ox * C + c;
            LF_SIMD(stn)(o, LF_SIMD(act)(v_add(a0, bv), act), n);
            LF_SIMD(stn)(o + C, LF_SIMD(act)(v_add(a1, bv), act), n);
        }
        for (; ox < ox_hi; ox++) {
            const float *p = r0 + (size_t)(ox * stride - pad_left) * C;
            vf acc = LF_SIMD(dw_full)(p, p + rs, p + 2 * rs, C, n, wv);
            LF_SIMD(stn)(orow + (size_t)ox * C + c, LF_SIMD(act)(v_add(acc, bv), act), n);
        }
    }
    for (; ox < outW; ox++) {
        vf acc = LF_SIMD(dw_edge)(in + c, H, W, C, n, wv, iy0, ox * stride - pad_left);
        LF_SIMD(stn)(orow + (size_t)ox * C + c, LF_SIMD(act)(v_add(acc, bv), act), n);
    }
}

static void LF_SIMD(dwconv3x3)(const float *in, int H, int W, int C, const float *w,
                               const float *bias, int stride, int pad_top, int pad_left, float *out,
                               int outH, int outW, lf_act act)
{
    /* Columns whose three taps are all inside: ox*stride - pad_left in
     * [0, W-3]. */
    int ox_lo = (pad_left + stride - 1) / stride;
    int ox_hi = W - 3 + pad_left >= 0 ? (W - 3 + pad_left) / stride + 1 : 0;
    if (ox_hi > outW) ox_hi = outW;
    if (ox_lo > ox_hi) ox_lo = ox_hi;
    /* Rows outermost so the three input rows stay in cache while every
     * channel block passes over them. */
    for (int oy = 0; oy < outH; oy++) {
        const int iy0 = oy * stride - pad_top;
        float *orow = out + (size_t)oy * outW * C;
        int c = 0;
        for (; c + VW <= C; c += VW)
            LF_SIMD(dw_row)(in, H, W, C, c, VW, w, bias, stride, iy0, pad_left, orow, outW, ox_lo,
                            ox_hi, act);
        if (c < C)
            LF_SIMD(dw_row)(in, H, W, C, c, C - c, w, bias, stride, iy0, pad_left, orow, outW,
                            ox_lo, ox_hi, act);
    }
}

/* ---------------------------------------------------------------- im2col */

static inline void LF_SIMD(copy)(float *dst, const float *src, size_t n)
{
    size_t i = 0;
    for (; i + VW <= n; i += VW) v_store(dst + i, v_load(src + i));
    if (i < n) v_storen(dst + i, v_loadn(src + i, (int)(n - i)), (int)(n - i));
}

static inline void LF_SIMD(zero)(float *dst, size_t n)
{
    size_t i = 0;
    for (; i + VW <= n; i += VW) v_store(dst + i, v_zero());
    if (i < n) v_storen(dst + i, v_zero(), (int)(n - i));
}

static void LF_SIMD(im2col)(const float *in, int H, int W, int C, int kh, int kw, int stride,
                            int pad_top, int pad_left, float *cols, int outH, int outW)
{
    const size_t rowlen = (size_t)kh * kw * C;
    for (int oy = 0; oy < outH; oy++) {
        for (int ox = 0; ox < outW; ox++) {
            float *dst = cols + ((size_t)oy * outW + ox) * rowlen;
            const int ix0 = ox * stride - pad_left;
            /* In NHWC the in-range taps of one kernel row are one contiguous
             * run of the input, so each row is a single copy, even for C=3. */
            int kx_lo = ix0 < 0 ? -ix0 : 0;
            int kx_hi = W - ix0 < kw ? W - ix0 : kw;
            if (kx_hi < kx_lo) kx_hi = kx_lo;
            for (int ky = 0; ky < kh; ky++) {
                const int iy = oy * stride - pad_top + ky;
                float *d = dst + (size_t)ky * kw * C;
                if (iy < 0 || iy >= H || kx_lo == kx_hi) {
                    LF_SIMD(zero)(d, (size_t)kw * C);
                    continue;
                }
                LF_SIMD(zero)(d, (size_t)kx_lo * C);
                LF_SIMD(copy)(d + (size_t)kx_lo * C, in + ((size_t)iy * W + ix0 + kx_lo) * C,
                              (size_t)(kx_hi - kx_lo) * C);
                LF_SIMD(zero)(d + (size_t)kx_hi * C, (size_t)(kw - kx_hi) * C);
            }
        }
    }
}

/* ---------------------------------------------------------------- pooling */

/* A 2x2 window wholly inside, C a multiple of VW: the tiny detector's
 * pools. Same max chain from -inf as the general path, unrolled. */
LF_INLINE void LF_SIMD(max2x2)(const float *p, size_t rs, int C, float *o)
{
    const vf ninf = v_set1(-INFINITY);
    for (int c = 0; c < C; c += VW) {
        vf m = v_max(v_load(p + c), ninf);
        m = v_max(v_load(p + C + c), m);
        m = v_max(v_load(p + rs + c), m);
        m = v_max(v_load(p + rs + C + c), m);
        v_store(o + c, m);
    }
}

static void LF_SIMD(maxpool)(const float *in, int H, int W, int C, int k, int stride, int pad_top,
                             int pad_left, float *out, int outH, int outW)
{
    const int fast = k == 2 && C % VW == 0 && pad_left == 0;
    /* columns whose window is wholly inside */
    const int ox_full = fast && W >= 2 ? (W - 2) / stride + 1 : 0;
    for (int oy = 0; oy < outH; oy++) {
        const int iy0 = oy * stride - pad_top;
        const int ky_lo = iy0 < 0 ? -iy0 : 0, ky_hi = H - iy0 < k ? H - iy0 : k;
        int ox = 0;
        if (fast && ky_lo == 0 && ky_hi == 2) {
            const float *p = in + (size_t)iy0 * W * C;
            float *o = out + (size_t)oy * outW * C;
            const int n = ox_full < outW ? ox_full : outW;
            for (; ox < n; ox++)
                LF_SIMD(max2x2)(p + (size_t)ox * stride * C, (size_t)W * C, C, o + (size_t)ox * C);
        }
        for (; ox < outW; ox++) {
            const int ix0 = ox * stride - pad_left;
            const int kx_lo = ix0 < 0 ? -ix0 : 0, kx_hi = W - ix0 < k ? W - ix0 : k;
            float *o = out + ((size_t)oy * outW + ox) * C;
            for (int c = 0; c < C; c += VW) {
                const int n = C - c < VW ? C - c : VW;
                vf m = v_set1(-INFINITY);
                for (int ky = ky_lo; ky < ky_hi; ky++) {
                    const float *p = in + ((size_t)(iy0 + ky) * W + (size_t)(ix0 + kx_lo)) * C + c;
                    for (int kx = 0; kx < kx_hi - kx_lo; kx++)
                        m = v_max(LF_SIMD(ldn)(p + (size_t)kx * C, n), m);
                }
                LF_SIMD(stn)(o + c, m, n);
            }
        }
    }
}

static void LF_SIMD(avgpool)(const float *in, int H, int W, int C, int k, int stride, float *out,
                             int outH, int outW)
{
    (void)H;
    const vf div = v_set1((float)(k * k));
    for (int oy = 0; oy < outH; oy++) {
        for (int ox = 0; ox < outW; ox++) {
            float *o = out + ((size_t)oy * outW + ox) * C;
            for (int c = 0; c < C; c += VW) {
                const int n = C - c < VW ? C - c : VW;
                vf s = v_zero();
                for (int ky = 0; ky < k; ky++) {
                    const float *p = in + ((size_t)(oy * stride + ky) * W + ox * stride) * C + c;
                    for (int kx = 0; kx < k; kx++) s = v_add(s, LF_SIMD(ldn)(p + (size_t)kx * C, n));
                }
                LF_SIMD(stn)(o + c, v_div(s, div), n);
            }
        }
    }
}

/* ---------------------------------------------------------------- direct conv */

/* Output channels in V vectors for 4 neighbouring pixels whose taps are all
 * inside: 4*V independent FMA chains sharing each weight load. p points at
 * the first tap of the first pixel; step is the distance between pixels.
 * Every path sums a pixel's taps in (ky, kx, ci) order from zero, so tiles
 * and edges agree bit for bit. */
static inline void LF_SIMD(cd_tile4)(const float *p, size_t step, size_t rowstride, int krow,
                                     int kh, const float *w, int Cout, int co, int n, int V,
                                     const float *bias, float *o, lf_act act)
{
    vf acc[2][4];
    for (int v = 0; v < V; v++)
        for (int i = 0; i < 4; i++) acc[v][i] = v_zero();
    for (int ky = 0; ky < kh; ky++) {
        const float *x = p + (size_t)ky * rowstride;
        const float *wk = w + (size_t)ky * krow * Cout + co;
        /* In NHWC the kw*Cin taps of one kernel row are contiguous. */
        for (int t = 0; t < krow; t++) {
            vf wv[2];
            for (int v = 0; v < V; v++)
                wv[v] = LF_SIMD(ldn)(wk + (size_t)t * Cout + v * VW, v == V - 1 ? n : VW);
            for (int i = 0; i < 4; i++) {
                const vf xv = v_set1(x[i * step + t]);
                for (int v = 0; v < V; v++) acc[v][i] = v_fma(xv, wv[v], acc[v][i]);
            }
        }
    }
    for (int v = 0; v < V; v++) {
        const int m = v == V - 1 ? n : VW;
        const vf bv = bias ? LF_SIMD(ldn)(bias + co + v * VW, m) : v_zero();
        for (int i = 0; i < 4; i++)
            LF_SIMD(stn)(o + (size_t)i * Cout + v * VW, LF_SIMD(act)(v_add(acc[v][i], bv), act), m);
    }
}

/* The hot shapes with every accumulator a named variable: at -O2 the
 * compiler keeps the arrays of cd_tile4 in memory (an FMA chain through a
 * store and a load per tap), which halved the stem's speed. 8 pixels x 1
 * vector (Cout <= VW) or 4 pixels x 2 vectors; same tap order as cd_tile. */
#define LF_CD_STEP8(i) a##i = v_fma(v_set1(x[i * step + t]), wv, a##i)
LF_INLINE void LF_SIMD(cd_tile8)(const float *p, size_t step, size_t rowstride, int krow,
                                 int kh, const float *w, int Cout, int n, const float *bias,
                                 float *o, lf_act act)
{
    vf a0 = v_zero(), a1 = v_zero(), a2 = v_zero(), a3 = v_zero();
    vf a4 = v_zero(), a5 = v_zero(), a6 = v_zero(), a7 = v_zero();
    for (int ky = 0; ky < kh; ky++) {
        const float *x = p + (size_t)ky * rowstride;
        const float *wk = w + (size_t)ky * krow * Cout;
        for (int t = 0; t < krow; t++) {
            const vf wv = LF_SIMD(ldn)(wk + (size_t)t * Cout, n);
            LF_CD_STEP8(0);
            LF_CD_STEP8(1);
            LF_CD_STEP8(2);
            LF_CD_STEP8(3);
            LF_CD_STEP8(4);
            LF_CD_STEP8(5);
            LF_CD_STEP8(6);
            LF_CD_STEP8(7);
        }
    }
    const vf bv = bias ? LF_SIMD(ldn)(bias, n) : v_zero();
    LF_SIMD(stn)(o, LF_SIMD(act)(v_add(a0, bv), act), n);
    LF_SIMD(stn)(o + Cout, LF_SIMD(act)(v_add(a1, bv), act), n);
    LF_SIMD(stn)(o + 2 * (size_t)Cout, LF_SIMD(act)(v_add(a2, bv), act), n);
    LF_SIMD(stn)(o + 3 * (size_t)Cout, LF_SIMD(act)(v_add(a3, bv), act), n);
    LF_SIMD(stn)(o + 4 * (size_t)Cout, LF_SIMD(act)(v_add(a4, bv), act), n);
    LF_SIMD(stn)(o + 5 * (size_t)Cout, LF_SIMD(act)(v_add(a5, bv), act), n);
    LF_SIMD(stn)(o + 6 * (size_t)Cout, LF_SIMD(act)(v_add(a6, bv), act), n);
    LF_SIMD(stn)(o + 7 * (size_t)Cout, LF_SIMD(act)(v_add(a7, bv), act), n);
}
#undef LF_CD_STEP8

#define LF_CD_STEP4(i)                                                                           \
    do {                                                                                         \
        const vf xv = v_set1(x[i * step + t]);                                                   \
        a##i = v_fma(xv, w0, a##i);                                                              \
        b##i = v_fma(xv, w1, b##i);                                                              \
    } while (0)
/* Channels [co, co + VW + n) of 4 pixels. */
LF_INLINE void LF_SIMD(cd_tile4x2)(const float *p, size_t step, size_t rowstride, int krow,
                                   int kh, const float *w, int Cout, int co, int n,
                                   const float *bias, float *o, lf_act act)
{
    vf a0 = v_zero(), a1 = v_zero(), a2 = v_zero(), a3 = v_zero();
    vf b0 = v_zero(), b1 = v_zero(), b2 = v_zero(), b3 = v_zero();
    for (int ky = 0; ky < kh; ky++) {
        const float *x = p + (size_t)ky * rowstride;
        const float *wk = w + (size_t)ky * krow * Cout + co;
        for (int t = 0; t < krow; t++) {
            const vf w0 = v_load(wk + (size_t)t * Cout);
            const vf w1 = LF_SIMD(ldn)(wk + (size_t)t * Cout + VW, n);
            LF_CD_STEP4(0);
            LF_CD_STEP4(1);
            LF_CD_STEP4(2);
            LF_CD_STEP4(3);
        }
    }
    const vf ba = bias ? v_load(bias + co) : v_zero();
    const vf bb = bias ? LF_SIMD(ldn)(bias + co + VW, n) : v_zero();
    o += co;
    v_store(o, LF_SIMD(act)(v_add(a0, ba), act));
    v_store(o + Cout, LF_SIMD(act)(v_add(a1, ba), act));
    v_store(o + 2 * (size_t)Cout, LF_SIMD(act)(v_add(a2, ba), act));
    v_store(o + 3 * (size_t)Cout, LF_SIMD(act)(v_add(a3, ba), act));
    LF_SIMD(stn)(o + VW, LF_SIMD(act)(v_add(b0, bb), act), n);
    LF_SIMD(stn)(o + Cout + VW, LF_SIMD(act)(v_add(b1, bb), act), n);
    LF_SIMD(stn)(o + 2 * (size_t)Cout + VW, LF_SIMD(act)(v_add(b2, bb), act), n);
    LF_SIMD(stn)(o + 3 * (size_t)Cout + VW, LF_SIMD(act)(v_add(b3, bb), act), n);
}
#undef LF_CD_STEP4

/* One pixel, any position: out-of-range taps skipped. */
static void LF_SIMD(cd_pixel)(const float *in, int H, int W, int Cin, const float *w, int kh,
                              int kw, int Cout, const float *bias, int iy0, int ix0, float *o,
                              lf_act act)
{
    for (int co = 0; co < Cout; co += VW) {
        const int n = Cout - co < VW ? Cout - co : VW;
        vf acc = v_zero();
        for (int ky = 0; ky < kh; ky++) {
            const int iy = iy0 + ky;
            if (iy < 0 || iy >= H) continue;
            for (int kx = 0; kx < kw; kx++) {
                const int ix = ix0 + kx;
                if (ix < 0 || ix >= W) continue;
                const float *x = in + ((size_t)iy * W + ix) * Cin;
                const float *wt = w + ((size_t)ky * kw + kx) * Cin * Cout + co;
                for (int ci = 0; ci < Cin; ci++)
                    acc = v_fma(v_set1(x[ci]), LF_SIMD(ldn)(wt + (size_t)ci * Cout, n), acc);
            }
        }
        const vf bv = bias ? LF_SIMD(ldn)(bias + co, n) : v_zero();
        LF_SIMD(stn)(o + co, LF_SIMD(act)(v_add(acc, bv), act), n);
    }
}

static void LF_SIMD(conv_direct)(const float *in, int H, int W, int Cin, const float *w, int kh,
                                 int kw, int Cout, const float *bias, int stride, int pad_top,
                                 int pad_left, float *out, int outH, int outW, lf_act act)
{
    int ox_lo = (pad_left + stride - 1) / stride;
    int ox_hi = W - kw + pad_left >= 0 ? (W - kw + pad_left) / stride + 1 : 0;
    if (ox_hi > outW) ox_hi = outW;
    if (ox_lo > ox_hi) ox_lo = ox_hi;
    const size_t rowstride = (size_t)W * Cin, step = (size_t)stride * Cin;
    const int krow = kw * Cin;
    for (int oy = 0; oy < outH; oy++) {
        const int iy0 = oy * stride - pad_top;
        float *orow = out + (size_t)oy * outW * Cout;
        int ox = 0;
        if (iy0 >= 0 && iy0 + kh <= H) {
            for (; ox < ox_lo; ox++)
                LF_SIMD(cd_pixel)(in, H, W, Cin, w, kh, kw, Cout, bias, iy0,
                                  ox * stride - pad_left, orow + (size_t)ox * Cout, act);
            /* Up to VW output channels: 8 pixels a step for 8 chains. */
            if (Cout <= VW) {
                for (; ox + 8 <= ox_hi; ox += 8) {
                    const float *p =
                        in + (size_t)iy0 * rowstride + (size_t)(ox * stride - pad_left) * Cin;
                    LF_SIMD(cd_tile8)(p, step, rowstride, krow, kh, w, Cout, Cout, bias,
                                      orow + (size_t)ox * Cout, act);
                }
            }
            for (; ox + 4 <= ox_hi; ox += 4) {
                const float *p = in + (size_t)iy0 * rowstride + (size_t)(ox * stride - pad_left) * Cin;
                float *o = orow + (size_t)ox * Cout;
                int co = 0;
                for (; co + 2 * VW <= Cout; co += 2 * VW)
                    LF_SIMD(cd_tile4x2)(p, step, rowstride, krow, kh, w, Cout, co, VW, bias, o, act);
                if (Cout - co > VW)
                    LF_SIMD(cd_tile4x2)(p, step, rowstride, krow, kh, w, Cout, co, Cout - co - VW,
                                        bias, o, act);
                else if (Cout - co == VW)
                    LF_SIMD(cd_tile4)(p, step, rowstride, krow, kh, w, Cout, co, VW, 1, bias, o + co, act);
                else if (Cout > co)
                    LF_SIMD(cd_tile4)(p, step, rowstride, krow, kh, w, Cout, co, Cout - co, 1, bias,
                                      o + co, act);
            }
        }
        for (; ox < outW; ox++)
            LF_SIMD(cd_pixel)(in, H, W, Cin, w, kh, kw, Cout, bias, iy0, ox * stride - pad_left,
                              orow + (size_t)ox * Cout, act);
    }
}

/* ---------------------------------------------------------------- resize */

static void LF_SIMD(resize_bilinear)(const float *in, int H, int W, int C, float *out, int outH,
                                     int outW)
{
    for (int oy = 0; oy < outH; oy++) {
        int y0, y1;
        float fy;
        lf_bilinear_src(oy, H, outH, &y0, &y1, &fy);
        const float *top = in + (size_t)y0 * W * C, *bot = in + (size_t)y1 * W * C;
        const vf fyv = v_set1(fy);
        for (int ox = 0; ox < outW; ox++) {
            int x0, x1;
            float fx;
            lf_bilinear_src(ox, W, outW, &x0, &x1, &fx);
            const vf fxv = v_set1(fx);
            const float *t0 = top + (size_t)x0 * C, *b0 = bot + (size_t)x0 * C;
            const float *t1 = top + (size_t)x1 * C, *b1 = bot + (size_t)x1 * C;
            float *o = out + ((size_t)oy * outW + ox) * C;
            /* Same unfused operations as ref: this must match it exactly. */
            for (int c = 0; c < C; c += VW) {
                const int n = C - c < VW ? C - c : VW;
                const vf vt0 = LF_SIMD(ldn)(t0 + c, n), vt1 = LF_SIMD(ldn)(t1 + c, n);
                const vf l = v_add(vt0, v_mul(v_sub(LF_SIMD(ldn)(b0 + c, n), vt0), fyv));
                const vf r = v_add(vt1, v_mul(v_sub(LF_SIMD(ldn)(b1 + c, n), vt1), fyv));
                LF_SIMD(stn)(o + c, v_add(l, v_mul(v_sub(r, l), fxv)), n);
            }
        }
    }
}

/* ---------------------------------------------------------------- byte rows */

static void LF_SIMD(wsum_u8)(float *out, const uint8_t *const *rows, const float *w, int n,
                             size_t len, int accumulate)
{
    size_t i = 0;
    for (; i + VW <= len; i += VW) {
        vf acc = v_mul(v_set1(w[0]), v_load_u8(rows[0] + i));
        if (accumulate) acc = v_add(v_load(out + i), acc);
        for (int k = 1; k < n; k++) acc = v_add(acc, v_mul(v_set1(w[k]), v_load_u8(rows[k] + i)));
        v_store(out + i, acc);
    }
    for (; i < len; i++) { /* the tail in the same order */
        float acc = w[0] * (float)rows[0][i];
        if (accumulate) acc = out[i] + acc;
        for (int k = 1; k < n; k++) {
            const float p = w[k] * (float)rows[k][i];
            acc += p;
        }
        out[i] = acc;
    }
}

/* ---------------------------------------------------------------- GEMM */

/* The packed GEMM of this ISA (LF_SIMD(gemm), gemm_<isa>.c), or OpenBLAS
 * when FACE_GEMM=openblas; the branch costs nothing next to a GEMM. */
static void LF_SIMD(gemm_table)(int M, int N, int K, const float *A, int lda, const float *B,
                                int ldb, float *C, int ldc, int accumulate, float *ws)
{
    if (lf_gemm_openblas())
        lf_gemm_blas(M, N, K, A, lda, B, ldb, C, ldc, accumulate, ws);
    else
        LF_SIMD(gemm)(M, N, K, A, lda, B, ldb, C, ldc, accumulate, ws);
}

const lf_kernels LF_SIMD_TABLE = {
    .isa = LF_SIMD_ISA,
    .gemm = LF_SIMD(gemm_table),
    .bias_act = LF_SIMD(bias_act),
    .affine_act = LF_SIMD(affine_act),
    .dwconv3x3 = LF_SIMD(dwconv3x3),
    .im2col = LF_SIMD(im2col),
    .maxpool = LF_SIMD(maxpool),
    .avgpool = LF_SIMD(avgpool),
    .add_act = LF_SIMD(add_act),
    .resize_bilinear = LF_SIMD(resize_bilinear),
    .l2sq = LF_SIMD(l2sq),
    .dot = LF_SIMD(dot),
    .conv_direct = LF_SIMD(conv_direct),
    .wsum_u8 = LF_SIMD(wsum_u8),
};
