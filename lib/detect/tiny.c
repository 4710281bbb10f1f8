/* tiny_face_detector (docs/models.md §3): Tiny-YOLOv2-style network with
 * separable convs, 5 anchors per cell, single class. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "detect/detect.h"

static const double k_anchor_w[5] = {1.603231, 6.041143, 2.882459, 4.266906, 9.041765};
static const double k_anchor_h[5] = {2.094468, 7.080126, 3.518061, 5.178857, 10.66308};
/* float32 constants exactly as face-api normalises: (x - mean) / 255 */
static const float k_mean[3] = {117.001f, 114.697f, 97.404f};

static face_status get(const face_model *m, const char *name, int n, int a, int b, int c, int dd,
                       const float **out, lf_error *err)
{
    int shape[4] = {a, b, c, dd};
    return lf_model_get(m, name, n, shape, out, err);
}

face_status lf_tiny_load(lf_detector *d, const face_model *m, lf_error *err)
{
    struct lf_tiny_net *t = &d->tiny;
    face_status st;
    const float *w, *b;
    char name[64];

    if ((st = get(m, "conv0/filters", 4, 3, 3, 3, 16, &w, err)) != FACE_OK) return st;
    if ((st = get(m, "conv0/bias", 1, 16, 0, 0, 0, &b, err)) != FACE_OK) return st;
    t->conv0 = (lf_conv){.kh = 3, .kw = 3, .cin = 3, .cout = 16, .stride = 1, .w = w, .bias = b,
                         .act = LF_ACT_LEAKY};
    int c = 16;
    for (int i = 0; i < 5; i++, c *= 2) {
        snprintf(name, sizeof name, "conv%d/depthwise_filter", i + 1);
        if ((st = get(m, name, 4, 3, 3, c, 1, &t->dw[i], err)) != FACE_OK) return st;
        snprintf(name, sizeof name, "conv%d/pointwise_filter", i + 1);
        if ((st = get(m, name, 4, 1, 1, c, 2 * c, &w, err)) != FACE_OK) return st;
        snprintf(name, sizeof name, "conv%d/bias", i + 1);
        if ((st = get(m, name, 1, 2 * c, 0, 0, 0, &b, err)) != FACE_OK) return st;
        t->pw[i] = (lf_conv){.kh = 1, .kw = 1, .cin = c, .cout = 2 * c, .stride = 1, .w = w,
                             .bias = b, .act = LF_ACT_LEAKY};
    }
    if ((st = get(m, "conv8/filters", 4, 1, 1, 512, 25, &w, err)) != FACE_OK) return st;
    if ((st = get(m, "conv8/bias", 1, 25, 0, 0, 0, &b, err)) != FACE_OK) return st;
    t->conv8 = (lf_conv){.kh = 1, .kw = 1, .cin = 512, .cout = 25, .stride = 1, .w = w,
                         .bias = b, .act = LF_ACT_NONE};
    return FACE_OK;
}

/* Spatial sizes of the chain for input S (§3.1) and the two ping-pong
 * buffers: consecutive tensors alternate between them, so each buffer is
 * sized for the largest tensor of its parity (at 416 that is 11 MB for the
 * conv0 output and 5.5 MB for the rest, not 2 x 11 MB). */
typedef struct tiny_plan {
    int conv0;   /* conv0 output side */
    int hw[6];   /* side after pool0..pool4 (input of conv1..conv5), hw[5] = grid */
    size_t buf[2]; /* floats of the two ping-pong buffers */
    size_t conv_scratch;
} tiny_plan;

static int pool_out(int in) { return (in + 1) / 2; }

static void plan(const lf_detector *d, int S, tiny_plan *p)
{
    const struct lf_tiny_net *t = &d->tiny;
    size_t b[2] = {0, 0};
    int k = 0; /* buffer the next tensor goes to */
#define PUT(n)                                                                               \
    do {                                                                                     \
        size_t n_ = (n);                                                                     \
        if (n_ > b[k]) b[k] = n_;                                                            \
        k ^= 1;                                                                              \
    } while (0)
    PUT((size_t)S * S * 3);
    p->conv0 = S - 2;
    PUT((size_t)p->conv0 * p->conv0 * 16);
    p->hw[0] = pool_out(p->conv0);
    PUT((size_t)p->hw[0] * p->hw[0] * 16);
    size_t cs = lf_conv_scratch(&t->conv0, p->conv0, p->conv0);
    int c = 16;
    for (int i = 0; i < 5; i++, c *= 2) {
        size_t hw = (size_t)p->hw[i] * p->hw[i];
        PUT(hw * c);     /* depthwise */
        PUT(hw * 2 * c); /* pointwise */
        size_t s = lf_conv_scratch(&t->pw[i], p->hw[i], p->hw[i]);
        if (s > cs) cs = s;
        p->hw[i + 1] = i < 4 ? pool_out(p->hw[i]) : p->hw[i]; /* pool5 has stride 1 */
        PUT((size_t)p->hw[i + 1] * p->hw[i + 1] * 2 * c);
    }
    PUT((size_t)p->hw[5] * p->hw[5] * 25);
    size_t s = lf_conv_scratch(&t->conv8, p->hw[5], p->hw[5]);
    if (s > cs) cs = s;
#undef PUT
    p->buf[0] = b[0];
    p->buf[1] = b[1];
    p->conv_scratch = cs;
}

size_t lf_tiny_scratch(const lf_detector *d, int S)
{
    tiny_plan p;
    plan(d, S, &p);
    return (p.buf[0] + p.buf[1]) * sizeof(float) + lf_det_sample_ws_bytes(S) + p.conv_scratch +
           4 * LF_ALIGN;
}

size_t lf_tiny_max_cands(const lf_detector *d, int S)
{
    tiny_plan p;
    plan(d, S, &p);
    return (size_t)p.hw[5] * p.hw[5] * 5;
}

static double sigmoid(double v) { return 1.0 / (1.0 + exp(-v)); }

face_status lf_tiny_run(const lf_exec *ex, const lf_detector *d, const face_image *img,
                        const lf_det_view *v, double score_thr, double iou, size_t max_keep,
                        lf_det_box *cands, size_t *n)
{
    const struct lf_tiny_net *t = &d->tiny;
    const lf_kernels *k = ex->k;
    const int S = v->S;
    tiny_plan p;
    plan(d, S, &p);
    *n = 0;

    size_t mark = lf_arena_mark(ex->arena);
    float *buf[2];
    buf[0] = lf_arena_push(ex->arena, p.buf[0] * sizeof(float));
    buf[1] = lf_arena_push(ex->arena, p.buf[1] * sizeof(float));
    void *ws = lf_arena_push(ex->arena, lf_det_sample_ws_bytes(S));
    if (!buf[0] || !buf[1] || !ws) {
        lf_arena_pop_to(ex->arena, mark);
        return LF_FAIL(ex->err, FACE_ERR_OUT_OF_MEMORY, "scratch arena too small");
    }

    /* §2: square, resize, then (x - mean) / 255 in float. */
    float *x = buf[0];
    lf_det_sample_view(img, v, x, ws);
    for (size_t i = 0, np = (size_t)S * S; i < np; i++) {
        for (int c = 0; c < 3; c++) x[3 * i + c] = (x[3 * i + c] - k_mean[c]) / 255.0f;
    }

    face_status st;
    int cur = 0;
    int H = S;
    if ((st = lf_conv_forward(ex, &t->conv0, buf[cur], H, H, buf[cur ^ 1], p.conv0, p.conv0)) !=
        FACE_OK)
        goto done;
    cur ^= 1;
    H = p.conv0;
    k->maxpool(buf[cur], H, H, 16, 2, 2, 0, 0, buf[cur ^ 1], p.hw[0], p.hw[0]);
    cur ^= 1;
    H = p.hw[0];

    int c = 16;
    for (int i = 0; i < 5; i++, c *= 2) {
        /* Explicit 1-px zero pad then VALID == pad 1 on every side, same size. */
        lf_dwconv_forward(ex, buf[cur], H, H, c, t->dw[i], NULL, 1, 1, 1, buf[cur ^ 1], H, H,
                          LF_ACT_NONE);
        cur ^= 1;
        if ((st = lf_conv_forward(ex, &t->pw[i], buf[cur], H, H, buf[cur ^ 1], H, H)) != FACE_OK)
            goto done;
        cur ^= 1;
        /* SAME 2x2 pools pad only bottom/right, so pad_top/left is 0. */
        k->maxpool(buf[cur], H, H, 2 * c, 2, i < 4 ? 2 : 1, 0, 0, buf[cur ^ 1], p.hw[i + 1],
                   p.hw[i + 1]);
        cur ^= 1;
        H = p.hw[i + 1];
    }
    if ((st = lf_conv_forward(ex, &t->conv8, buf[cur], H, H, buf[cur ^ 1], H, H)) != FACE_OK)
        goto done;
    cur ^= 1;

    /* §3.2 decode, in double. fx/fy undo the bottom/right padding. */
    {
        const float *out = buf[cur];
        const int G = H;
        int wp, hp;
        lf_det_reshaped(v->w, v->h, S, &wp, &hp);
        const double mx = wp > hp ? wp : hp;
        const double fx = mx / wp, fy = mx / hp;
        const double W = v->w, Hh = v->h;
        size_t nc = 0;
        for (int r = 0; r < G; r++) {
            for (int col = 0; col < G; col++) {
                for (int a = 0; a < 5; a++) {
                    const float *q = out + ((size_t)(r * G + col) * 25 + (size_t)a * 5);
                    double score = sigmoid((double)q[4]);
                    if (!(score > score_thr)) continue;
                    double cx = (col + sigmoid((double)q[0])) / G * fx;
                    double cy = (r + sigmoid((double)q[1])) / G * fy;
                    double bw = exp((double)q[2]) * k_anchor_w[a] / G * fx;
                    double bh = exp((double)q[3]) * k_anchor_h[a] / G * fy;
                    lf_det_box *bx = &cands[nc++];
                    double x0 = (cx - bw / 2) * W, y0 = (cy - bh / 2) * Hh;
                    bx->x0 = x0 + v->x0;
                    bx->y0 = y0 + v->y0;
                    bx->x1 = x0 + bw * W + v->x0;
                    bx->y1 = y0 + bh * Hh + v->y0;
                    bx->score = score;
                    bx->idx = (int64_t)(r * G + col) * 5 + a;
                }
            }
        }
        lf_det_sort(cands, nc);
        *n = lf_det_nms(cands, nc, iou, max_keep);
    }
    st = FACE_OK;
done:
    lf_arena_pop_to(ex->arena, mark);
    return st;
}
