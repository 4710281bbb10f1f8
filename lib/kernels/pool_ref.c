/* Reference max / average pooling (NHWC). */
#include <math.h>

#include "kernels/kernels_impl.h"

void lf_maxpool_ref(const float *in, int H, int W, int C, int k, int stride, int pad_top,
                    int pad_left, float *out, int outH, int outW)
{
    for (int oy = 0; oy < outH; oy++) {
        for (int ox = 0; ox < outW; ox++) {
            float *o = out + ((size_t)oy * outW + ox) * C;
            for (int c = 0; c < C; c++) {
                float m = -INFINITY;
                for (int ky = 0; ky < k; ky++) {
                    const int iy = oy * stride - pad_top + ky;
                    if (iy < 0 || iy >= H) continue;
                    for (int kx = 0; kx < k; kx++) {
                        const int ix = ox * stride - pad_left + kx;
                        if (ix < 0 || ix >= W) continue;
                        const float v = in[((size_t)iy * W + ix) * C + c];
                        m = v > m ? v : m;
                    }
                }
                o[c] = m;
            }
        }
    }
}

void lf_avgpool_ref(const float *in, int H, int W, int C, int k, int stride, float *out, int outH,
                    int outW)
{
    (void)H;
    const float div = (float)(k * k);
    for (int oy = 0; oy < outH; oy++) {
        for (int ox = 0; ox < outW; ox++) {
            float *o = out + ((size_t)oy * outW + ox) * C;
            for (int c = 0; c < C; c++) {
                float s = 0.0f;
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++)
                        s += in[((size_t)(oy * stride + ky) * W + ox * stride + kx) * C + c];
                o[c] = s / div;
            }
        }
    }
}
