/* Reference TF1 legacy bilinear resize (align_corners=false,
 * half_pixel_centers=false), rows interpolated first, then columns, as
 * faceref.resize_bilinear does, so results match it bit for bit. */
#include "kernels/kernels_impl.h"

void lf_resize_bilinear_ref(const float *in, int H, int W, int C, float *out, int outH, int outW)
{
    for (int oy = 0; oy < outH; oy++) {
        int y0, y1;
        float fy;
        lf_bilinear_src(oy, H, outH, &y0, &y1, &fy);
        const float *top = in + (size_t)y0 * W * C, *bot = in + (size_t)y1 * W * C;
        for (int ox = 0; ox < outW; ox++) {
            int x0, x1;
            float fx;
            lf_bilinear_src(ox, W, outW, &x0, &x1, &fx);
            float *o = out + ((size_t)oy * outW + ox) * C;
            for (int c = 0; c < C; c++) {
                const float t0 = top[(size_t)x0 * C + c], b0 = bot[(size_t)x0 * C + c];
                const float t1 = top[(size_t)x1 * C + c], b1 = bot[(size_t)x1 * C + c];
                /* One operation per statement: clang contracts a*b+c in
                 * one expression into an FMA where the target has one,
                 * which would break the exact match with faceref. */
                const float dl = (b0 - t0) * fy, dr = (b1 - t1) * fy;
                const float l = t0 + dl, r = t1 + dr;
                const float dx = (r - l) * fx;
                o[c] = l + dx;
            }
        }
    }
}

void lf_wsum_u8_ref(float *out, const uint8_t *const *rows, const float *w, int n, size_t len,
                    int accumulate)
{
    for (size_t i = 0; i < len; i++) {
        float acc = w[0] * (float)rows[0][i];
        if (accumulate) acc = out[i] + acc;
        for (int k = 1; k < n; k++) {
            const float p = w[k] * (float)rows[k][i];
            acc += p;
        }
        out[i] = acc;
    }
}
