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

/* Source rows per call of the vertical kernel; more taps (a shrink by more
 * than ~7x) take several calls. */
#define LF_DET_VROWS 8

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

void lf_det_view_taps(const lf_det_view *v, void *ws)
{
    const int D = v->w > v->h ? v->w : v->h;
    tap *tx = ws, *ty = tx + v->S;
    make_taps(tx, v->S, D, v->w);
    make_taps(ty, v->S, D, v->h);
}

void lf_det_sample_rows(const face_image *img, const lf_det_view *v, const void *ws, int y0, int n,
                        float *out)
{
    const int S = v->S;
    const tap *tx = ws, *ty = tx + S;
    static const float zero[3] = {0, 0, 0};

    for (int oy = y0; oy < y0 + n; oy++) {
        float *o = out + (size_t)(oy - y0) * (size_t)S * 3;
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

void lf_det_sample_view(const face_image *img, const lf_det_view *v, float *out, void *ws)
{
    lf_det_view_taps(v, ws);
    lf_det_sample_rows(img, v, ws, 0, v->S, out);
}

/* ------------------------------------------------------------ rect levels
 *
 * A rect level resizes the whole image by a free factor per axis, so the
 * filter is ours to choose (face-api compatibility binds only the square
 * pass). Shrinking uses an area average: bilinear on a 2-3x reduction reads
 * only 2 of every 2-3 source pixels per axis and aliases the few pixels a
 * small face has (bench_detect "filters" measures the recall of each
 * filter). Enlarging uses bilinear with half-pixel centres, so the net's
 * pixel u covers image [u/r, (u+1)/r) under every filter and one box
 * scale (1/r) undoes them all. */

static int axis_maxn(int filter, int L, int Lr)
{
    if (filter == LF_DET_AREA && Lr < L) return (L + Lr - 1) / Lr + 1;
    return 2;
}

static void axis_taps(int filter, int L, int Lr, lf_det_taps *t)
{
    const double ratio = (double)L / (double)Lr;
    for (int o = 0; o < Lr; o++) {
        float *w = t->w + (size_t)o * (size_t)t->maxn;
        if (filter == LF_DET_AREA && Lr < L) {
            double a = o * ratio, b = (o + 1) * ratio;
            int i0 = (int)floor(a), i1 = (int)ceil(b) - 1;
            if (i1 > L - 1) i1 = L - 1;
            if (i1 - i0 + 1 > t->maxn) i1 = i0 + t->maxn - 1; /* rounding guard */
            t->i0[o] = i0;
            t->n[o] = i1 - i0 + 1;
            for (int i = 0; i < t->maxn; i++) w[i] = 0;
            for (int i = i0; i <= i1; i++) {
                double lo = i > a ? i : a, hi = i + 1 < b ? i + 1 : b;
                w[i - i0] = (float)((hi - lo) / ratio);
            }
            continue;
        }
        double src = filter == LF_DET_LEGACY ? o * ratio : (o + 0.5) * ratio - 0.5;
        if (src < 0) src = 0;
        if (src > L - 1) src = L - 1;
        int i0 = (int)floor(src);
        double f = src - i0;
        t->i0[o] = i0;
        w[0] = (float)(1.0 - f);
        w[1] = (float)f;
        t->n[o] = f > 0 && i0 + 1 < L ? 2 : 1;
    }
}

static size_t taps_bytes(int maxn, int Lr)
{
    size_t b = (size_t)Lr * (2 * sizeof(int) + (size_t)maxn * sizeof(float));
    return (b + LF_ALIGN - 1) / LF_ALIGN * LF_ALIGN;
}

size_t lf_det_rect_taps_bytes(const lf_det_rect *r)
{
    return taps_bytes(axis_maxn(r->filter, r->W, r->Wr), r->Wr) +
           taps_bytes(axis_maxn(r->filter, r->H, r->Hr), r->Hr);
}

static uint8_t *taps_place(uint8_t *m, int filter, int L, int Lr, lf_det_taps *t)
{
    t->maxn = axis_maxn(filter, L, Lr);
    t->w = (float *)(void *)m;
    t->i0 = (int *)(void *)(m + (size_t)Lr * (size_t)t->maxn * sizeof(float));
    t->n = t->i0 + Lr;
    axis_taps(filter, L, Lr, t);
    return m + taps_bytes(t->maxn, Lr);
}

void lf_det_rect_taps(const lf_det_rect *r, void *mem, lf_det_taps *tx, lf_det_taps *ty)
{
    uint8_t *m = taps_place(mem, r->filter, r->W, r->Wr, tx);
    taps_place(m, r->filter, r->H, r->Hr, ty);
}

size_t lf_det_rect_row_floats(const lf_det_rect *r, int tile_w)
{
    /* the vertical sum of a row (3 W floats and maxn zero columns after
     * it), then LF_DET_VROWS source rows as RGB bytes (3 W bytes each) for
     * pixel formats other than RGB24; none of it depends on the tile width */
    (void)tile_w;
    return 3 * ((size_t)r->W + (size_t)axis_maxn(r->filter, r->W, r->Wr)) +
           (LF_DET_VROWS * 3 * (size_t)r->W + sizeof(float) - 1) / sizeof(float);
}

/* n pixels of row y from column x0 as RGB bytes. */
static void rgb8_row(const face_image *img, int y, int x0, int n, uint8_t *o)
{
    const uint8_t *p = img->data + (size_t)y * (size_t)img->stride;
    switch (img->format) {
    case FACE_PIXEL_GRAY8:
        for (int i = 0; i < n; i++) o[3 * i] = o[3 * i + 1] = o[3 * i + 2] = p[x0 + i];
        return;
    case FACE_PIXEL_RGB24: memcpy(o, p + 3 * (size_t)x0, 3 * (size_t)n); return;
    case FACE_PIXEL_BGR24:
        p += 3 * (size_t)x0;
        for (int i = 0; i < n; i++)
            o[3 * i] = p[3 * i + 2], o[3 * i + 1] = p[3 * i + 1], o[3 * i + 2] = p[3 * i];
        return;
    case FACE_PIXEL_RGBA32:
        p += 4 * (size_t)x0;
        for (int i = 0; i < n; i++)
            o[3 * i] = p[4 * i], o[3 * i + 1] = p[4 * i + 1], o[3 * i + 2] = p[4 * i + 2];
        return;
    default: /* BGRA32 */
        p += 4 * (size_t)x0;
        for (int i = 0; i < n; i++)
            o[3 * i] = p[4 * i + 2], o[3 * i + 1] = p[4 * i + 1], o[3 * i + 2] = p[4 * i];
        return;
    }
}

/* o[x] = sum_t w[t] * s[t] over all maxn weights of column x (the unused
 * ones are zero and read zeros or image values: adding 0 * v leaves the sum
 * unchanged, and a fixed count lets the compiler unroll). */
static inline void hfilter(const lf_det_taps *tx, int x0, int xe, int s_lo, int N,
                           const float *col, float *o)
{
    for (int x = x0; x < xe; x++) {
        const float *wx = tx->w + (size_t)x * (size_t)N;
        const float *s = col + 3 * (size_t)(tx->i0[x] - s_lo);
        float h0 = 0, h1 = 0, h2 = 0;
        for (int t = 0; t < N; t++) {
            h0 += wx[t] * s[3 * t];
            h1 += wx[t] * s[3 * t + 1];
            h2 += wx[t] * s[3 * t + 2];
        }
        float *q = o + 3 * (size_t)(x - x0);
        q[0] = h0, q[1] = h1, q[2] = h2;
    }
}

void lf_det_rect_rows(const face_image *img, const lf_det_rect *r, const lf_det_taps *tx,
                      const lf_det_taps *ty, int x0, int w, int y0, int n, float *out,
                      float *rowbuf)
{
    lf_det_rect_rows_k(lf_kernels_active(), img, r, tx, ty, x0, w, y0, n, out, rowbuf);
}

void lf_det_rect_rows_k(const lf_kernels *k, const face_image *img, const lf_det_rect *r,
                        const lf_det_taps *tx, const lf_det_taps *ty, int x0, int w, int y0, int n,
                        float *out, float *rowbuf)
{
    /* Separable: the vertical taps first, straight from the caller's bytes
     * over the source columns the tile reads (a vector kernel), then the
     * horizontal taps once per output pixel. The other order filtered every
     * source row horizontally for each output row that reads it, in scalar
     * code: it was a quarter of a pyramid. */
    const int xe = x0 + w < r->Wr ? x0 + w : r->Wr; /* columns with image data */
    const int s_lo = xe > x0 ? tx->i0[x0] : 0;
    const int s_hi = xe > x0 ? tx->i0[xe - 1] + tx->n[xe - 1] : 0;
    const size_t ns = 3 * (size_t)(s_hi - s_lo), N = (size_t)tx->maxn;
    float *col = rowbuf;
    uint8_t *rgb = (uint8_t *)(col + 3 * (size_t)r->W + 3 * N);
    memset(col + ns, 0, 3 * N * sizeof(float));
    for (int y = y0; y < y0 + n; y++) {
        float *o = out + (size_t)(y - y0) * (size_t)w * 3;
        if (y >= r->Hr || xe <= x0) {
            memset(o, 0, (size_t)w * 3 * sizeof(float));
            continue;
        }
        const float *wy = ty->w + (size_t)y * (size_t)ty->maxn;
        for (int k0 = 0; k0 < ty->n[y]; k0 += LF_DET_VROWS) {
            const int g = ty->n[y] - k0 < LF_DET_VROWS ? ty->n[y] - k0 : LF_DET_VROWS;
            const uint8_t *rows[LF_DET_VROWS];
            for (int j = 0; j < g; j++) {
                const int sy = ty->i0[y] + k0 + j;
                if (img->format == FACE_PIXEL_RGB24) {
                    rows[j] = img->data + (size_t)sy * (size_t)img->stride + 3 * (size_t)s_lo;
                } else {
                    rgb8_row(img, sy, s_lo, s_hi - s_lo, rgb + (size_t)j * 3 * (size_t)r->W);
                    rows[j] = rgb + (size_t)j * 3 * (size_t)r->W;
                }
            }
            k->wsum_u8(col, rows, wy + k0, g, ns, k0 > 0);
        }
        switch (N) { /* the common counts with constant trip counts */
        case 2: hfilter(tx, x0, xe, s_lo, 2, col, o); break;
        case 3: hfilter(tx, x0, xe, s_lo, 3, col, o); break;
        case 4: hfilter(tx, x0, xe, s_lo, 4, col, o); break;
        default: hfilter(tx, x0, xe, s_lo, (int)N, col, o); break;
        }
        memset(o + 3 * (size_t)(xe - x0), 0, 3 * (size_t)(x0 + w - xe) * sizeof(float));
    }
}
