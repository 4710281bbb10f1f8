/* Reference depthwise 3x3 conv and im2col (NHWC). */
#include <string.h>

#include "kernels/kernels_impl.h"

void lf_dwconv3x3_ref(const float *in, int H, int W, int C, const float *w, const float *bias,
                      int stride, int pad_top, int pad_left, float *out, int outH, int outW,
                      lf_act act)
{
    for (int oy = 0; oy < outH; oy++) {
        for (int ox = 0; ox < outW; ox++) {
            float *o = out + ((size_t)oy * outW + ox) * C;
            for (int c = 0; c < C; c++) {
                /* Taps in (ky, kx) order from zero, like the reference. */
                float acc = 0.0f;
                for (int ky = 0; ky < 3; ky++) {
                    const int iy = oy * stride - pad_top + ky;
                    if (iy < 0 || iy >= H) continue;
                    for (int kx = 0; kx < 3; kx++) {
                        const int ix = ox * stride - pad_left + kx;
                        if (ix < 0 || ix >= W) continue;
                        acc += in[((size_t)iy * W + ix) * C + c] * w[(ky * 3 + kx) * C + c];
                    }
                }
                if (bias) acc += bias[c];
                o[c] = lf_act1(acc, act);
            }
        }
    }
}

void lf_im2col_ref(const float *in, int H, int W, int C, int kh, int kw, int stride, int pad_top,
                   int pad_left, float *cols, int outH, int outW)
{
    const size_t rowlen = (size_t)kh * kw * C;
    for (int oy = 0; oy < outH; oy++) {
        for (int ox = 0; ox < outW; ox++) {
            float *dst = cols + ((size_t)oy * outW + ox) * rowlen;
            for (int ky = 0; ky < kh; ky++) {
                const int iy = oy * stride - pad_top + ky;
                for (int kx = 0; kx < kw; kx++) {
                    const int ix = ox * stride - pad_left + kx;
                    float *d = dst + ((size_t)ky * kw + kx) * C;
                    if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                        memset(d, 0, (size_t)C * sizeof(float));
                    else
                        memcpy(d, in + ((size_t)iy * W + ix) * C, (size_t)C * sizeof(float));
                }
            }
        }
    }
}

void lf_conv_direct_ref(const float *in, int H, int W, int Cin, const float *w, int kh, int kw,
                        int Cout, const float *bias, int stride, int pad_top, int pad_left,
                        float *out, int outH, int outW, lf_act act)
{
    for (int oy = 0; oy < outH; oy++) {
        for (int ox = 0; ox < outW; ox++) {
            float *o = out + ((size_t)oy * outW + ox) * Cout;
            for (int co = 0; co < Cout; co++) {
                float acc = 0.0f;
                for (int ky = 0; ky < kh; ky++) {
                    const int iy = oy * stride - pad_top + ky;
                    if (iy < 0 || iy >= H) continue;
                    for (int kx = 0; kx < kw; kx++) {
                        const int ix = ox * stride - pad_left + kx;
                        if (ix < 0 || ix >= W) continue;
                        const float *x = in + ((size_t)iy * W + ix) * Cin;
                        const float *wt = w + ((size_t)ky * kw + kx) * Cin * Cout + co;
                        for (int ci = 0; ci < Cin; ci++) acc += x[ci] * wt[(size_t)ci * Cout];
                    }
                }
                if (bias) acc += bias[co];
                o[co] = lf_act1(acc, act);
            }
        }
    }
}
