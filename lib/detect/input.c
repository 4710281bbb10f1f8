/* Detector input pipeline (docs/models.md §2): pad a region to a square with
 * zeros at the bottom/right, resample it to S x S with TF1 legacy bilinear.
 *
 * The padded square is never materialised (for a 1920x1080 frame it would be
 * 44 MB of floats): each output pixel gathers its four source taps straight
 * from the caller's pixels, reading 0 for taps in the padding. The arithmetic
 * follows face-api's order (vertical lerp first, then horizontal, in float)
 * so the network sees the same values, not merely close ones. */
#include <math.h>
#include <string.h>

#include "detect/detect.h"

static inline void read_px(const uint8_t *row, int fmt, int x, float *rgb)
{
    const uint8_t *p;
    switch (fmt) {
    case FACE_PIXEL_GRAY8:
        rgb[0] = rgb[1] = rgb[2] = (float)row[x];
        return;
    case FACE_PIXEL_RGB24:
        p = row + 3 * (size_t)x;
        rgb[0] = p[0], rgb[1] = p[1], rgb[2] = p[2];
        return;
    case FACE_PIXEL_BGR24:
        p = row + 3 * (size_t)x;
        rgb[0] = p[2], rgb[1] = p[1], rgb[2] = p[0];
        return;
    case FACE_PIXEL_RGBA32:
        p = row + 4 * (size_t)x;
        rgb[0] = p[0], rgb[1] = p[1], rgb[2] = p[2];
        return;
    default: /* BGRA32; formats are validated before we get here */
        p = row + 4 * (size_t)x;
        rgb[0] = p[2], rgb[1] = p[1], rgb[2] = p[0];
        return;
    }
}

void lf_det_rgb_row(const face_image *img, int y, int x0, int n, float *rgb)
{
    const uint8_t *row = img->data + (size_t)y * (size_t)img->stride;
    for (int i = 0; i < n; i++) read_px(row, img->format, x0 + i, rgb + 3 * i);
}

void lf_det_reshaped(int w, int h, int S, int *wp, int *hp)
{
    /* JS Math.round(v) = floor(v + 0.5) for the positive values here. */
    double sc = (double)S / (double)(w > h ? w : h);
    int a = (int)floor(w * sc + 0.5), b = (int)floor(h * sc + 0.5);
    *wp = a < 1 ? 1 : a;
    *hp = b < 1 ? 1 : b;
}

/* Per output coordinate: the two source taps (-1 = padding, reads 0) and the
 * weight of the second. */
typedef struct tap {
    int i0, i1;
    float f;
} tap;

size_t lf_det_sample_ws_bytes(int S) { return (size_t)S * 2 * sizeof(tap); }

static void make_taps(tap *t, int S, int D, int len)
{
    /* TF1 legacy: src = o * (in / out); the ratio in double as tfjs computes
     * it before the per-pixel float math. */
    double ratio = (double)D / (double)S;
    for (int o = 0; o < S; o++) {
        double src = (double)o * ratio;
        int i0 = (int)floor(src);
        int i1 = i0 + 1 < D ? i0 + 1 : D - 1;
        t[o].f = (float)(src - (double)i0);
        t[o].i0 = i0 < len ? i0 : -1;
        t[o].i1 = i1 < len ? i1 : -1;
    }
}

void lf_det_sample_view(const face_image *img, const lf_det_view *v, float *out, void *ws)
{
    const int S = v->S;
    const int D = v->w > v->h ? v->w : v->h;
    tap *tx = ws, *ty = tx + S;
    make_taps(tx, S, D, v->w);
    make_taps(ty, S, D, v->h);
    static const float zero[3] = {0, 0, 0};

    for (int oy = 0; oy < S; oy++) {
        float *o = out + (size_t)oy * (size_t)S * 3;
        const tap *y = &ty[oy];
        if (y->i0 < 0) { /* bottom padding: both taps are zero rows */
            memset(o, 0, (size_t)S * 3 * sizeof(float));
            continue;
        }
        const uint8_t *r0 = img->data + (size_t)(v->y0 + y->i0) * (size_t)img->stride;
        const uint8_t *r1 =
            y->i1 < 0 ? NULL : img->data + (size_t)(v->y0 + y->i1) * (size_t)img->stride;
        const float fy = y->f;
        for (int ox = 0; ox < S; ox++) {
            const tap *x = &tx[ox];
            float a0[3], b0[3], a1[3], b1[3];
            const float *ta0 = zero, *tb0 = zero, *ta1 = zero, *tb1 = zero;
            if (x->i0 >= 0) {
                read_px(r0, img->format, v->x0 + x->i0, a0), ta0 = a0;
                if (r1) read_px(r1, img->format, v->x0 + x->i0, b0), tb0 = b0;
            }
            if (x->i1 >= 0) {
                read_px(r0, img->format, v->x0 + x->i1, a1), ta1 = a1;
                if (r1) read_px(r1, img->format, v->x0 + x->i1, b1), tb1 = b1;
            }
            const float fx = x->f;
            for (int c = 0; c < 3; c++) {
                float l = ta0[c] + (tb0[c] - ta0[c]) * fy;
                float r = ta1[c] + (tb1[c] - ta1[c]) * fy;
                o[3 * ox + c] = l + (r - l) * fx;
            }
        }
    }
}
