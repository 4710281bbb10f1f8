/* ssd_mobilenetv1 (docs/models.md §4): MobileNet-V1 backbone, four extra
 * feature layers, six box/class heads over 5118 stored anchors. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "detect/detect.h"

#define MB "MobilenetV1/"
static const int k_dw_cin[13] = {32, 64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024};
static const int k_pw_cout[13] = {64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024};
static const int k_extra_cout[8] = {256, 512, 128, 256, 128, 256, 64, 128};
static const int k_head_cin[6] = {512, 1024, 512, 256, 256, 128};
static const int k_head_anchors[6] = {3, 6, 6, 6, 6, 6};
static const float k_bn_eps = 0.0010000000474974513f;

static face_status get(const face_model *m, const char *name, int n, int a, int b, int c, int dd,
                       const float **out, lf_error *err)
{
    int shape[4] = {a, b, c, dd};
    return lf_model_get(m, name, n, shape, out, err);
}

static face_status get_conv(const face_model *m, const char *wname, const char *bname, int k,
                            int cin, int cout, int stride, lf_act act, lf_conv *c, lf_error *err)
{
    const float *w, *b;
    face_status st;
    if ((st = get(m, wname, 4, k, k, cin, cout, &w, err)) != FACE_OK) return st;
    if ((st = get(m, bname, 1, cout, 0, 0, 0, &b, err)) != FACE_OK) return st;
    /* Every SAME conv here is 1x1, or 3x3 stride 2 on an even input, whose
     * padding is all at the bottom/right (§0): pad_top = pad_left = 0. */
    *c = (lf_conv){.kh = k, .kw = k, .cin = cin, .cout = cout, .stride = stride, .w = w,
                   .bias = b, .act = act};
    return FACE_OK;
}

face_status lf_ssd_load(lf_detector *d, const face_model *m, lf_error *err)
{
    struct lf_ssd_net *s = &d->ssd;
    face_status st;
    char wn[96], bn[96];

    if ((st = get_conv(m, MB "Conv2d_0_pointwise/weights", MB "Conv2d_0_pointwise/convolution_bn_offset",
                       3, 3, 32, 2, LF_ACT_RELU6, &s->conv0, err)) != FACE_OK)
        return st;

    size_t total = 0;
    for (int i = 0; i < 13; i++) total += (size_t)k_dw_cin[i] * 10;
    s->folded_bytes = total * sizeof(float);
    s->folded = lf_alloc(&d->alloc, s->folded_bytes, LF_ALIGN);
    if (!s->folded) return LF_FAIL(err, FACE_ERR_OUT_OF_MEMORY, "folded depthwise weights");

    float *p = s->folded;
    for (int i = 0; i < 13; i++) {
        const int C = k_dw_cin[i];
        const float *w, *gamma, *beta, *mean, *var;
        char base[64];
        snprintf(base, sizeof base, MB "Conv2d_%d_depthwise/", i + 1);
        snprintf(wn, sizeof wn, "%sdepthwise_weights", base);
        if ((st = get(m, wn, 4, 3, 3, C, 1, &w, err)) != FACE_OK) return st;
        snprintf(wn, sizeof wn, "%sBatchNorm/gamma", base);
        if ((st = get(m, wn, 1, C, 0, 0, 0, &gamma, err)) != FACE_OK) return st;
        snprintf(wn, sizeof wn, "%sBatchNorm/beta", base);
        if ((st = get(m, wn, 1, C, 0, 0, 0, &beta, err)) != FACE_OK) return st;
        snprintf(wn, sizeof wn, "%sBatchNorm/moving_mean", base);
        if ((st = get(m, wn, 1, C, 0, 0, 0, &mean, err)) != FACE_OK) return st;
        snprintf(wn, sizeof wn, "%sBatchNorm/moving_variance", base);
        if ((st = get(m, wn, 1, C, 0, 0, 0, &var, err)) != FACE_OK) return st;

        /* §4.1 fold: w' = w*g, b' = beta - mean*g, g = gamma/sqrt(var+eps),
         * in float like the graph; the residual difference from applying BN
         * after the conv is a few ulp. */
        float *fw = p, *fb = p + 9 * (size_t)C;
        for (int c = 0; c < C; c++) {
            float g = gamma[c] / sqrtf(var[c] + k_bn_eps);
            for (int t = 0; t < 9; t++) fw[(size_t)t * C + c] = w[(size_t)t * C + c] * g;
            fb[c] = beta[c] - mean[c] * g;
        }
        s->dw_w[i] = fw;
        s->dw_b[i] = fb;
        s->dw_c[i] = C;
        s->dw_stride[i] = (i + 1 == 2 || i + 1 == 4 || i + 1 == 6 || i + 1 == 12) ? 2 : 1;
        p += 10 * (size_t)C;

        snprintf(wn, sizeof wn, MB "Conv2d_%d_pointwise/weights", i + 1);
        snprintf(bn, sizeof bn, MB "Conv2d_%d_pointwise/convolution_bn_offset", i + 1);
        if ((st = get_conv(m, wn, bn, 1, C, k_pw_cout[i], 1, LF_ACT_RELU6, &s->pw[i], err)) !=
            FACE_OK)
            return st;
    }

    int cin = 1024;
    for (int k = 0; k < 8; k++) {
        snprintf(wn, sizeof wn, "Prediction/Conv2d_%d_pointwise/weights", k);
        snprintf(bn, sizeof bn, "Prediction/Conv2d_%d_pointwise/convolution_bn_offset", k);
        int odd = k % 2;
        if ((st = get_conv(m, wn, bn, odd ? 3 : 1, cin, k_extra_cout[k], odd ? 2 : 1, LF_ACT_RELU6,
                           &s->extra[k], err)) != FACE_OK)
            return st;
        cin = k_extra_cout[k];
    }
    for (int k = 0; k < 6; k++) {
        snprintf(wn, sizeof wn, "Prediction/BoxPredictor_%d/BoxEncodingPredictor/weights", k);
        snprintf(bn, sizeof bn, "Prediction/BoxPredictor_%d/BoxEncodingPredictor/biases", k);
        if ((st = get_conv(m, wn, bn, 1, k_head_cin[k], k_head_anchors[k] * 4, 1, LF_ACT_NONE,
                           &s->box[k], err)) != FACE_OK)
            return st;
        snprintf(wn, sizeof wn, "Prediction/BoxPredictor_%d/ClassPredictor/weights", k);
        snprintf(bn, sizeof bn, "Prediction/BoxPredictor_%d/ClassPredictor/biases", k);
        if ((st = get_conv(m, wn, bn, 1, k_head_cin[k], k_head_anchors[k] * 3, 1, LF_ACT_NONE,
                           &s->cls[k], err)) != FACE_OK)
            return st;
    }
    int ashape[3] = {1, LF_SSD_ANCHORS, 4};
    if ((st = lf_model_get(m, "Output/extra_dim", 3, ashape, &s->anchors, err)) != FACE_OK)
        return st;
    return FACE_OK;
}

/* Layer sizes are fixed by the 512 input; walk them once to size the two
 * ping-pong buffers (by parity, as in tiny.c) and the conv scratch. */
typedef struct ssd_plan {
    size_t buf[2];
    size_t conv_scratch;
} ssd_plan;

static void plan(const lf_detector *d, ssd_plan *p)
{
    const struct lf_ssd_net *s = &d->ssd;
    size_t b[2] = {0, 0}, cs = 0;
    int k = 0;
#define PUT(n)                                                                               \
    do {                                                                                     \
        size_t n_ = (n);                                                                     \
        if (n_ > b[k]) b[k] = n_;                                                            \
        k ^= 1;                                                                              \
    } while (0)
#define CS(c, h)                                                                             \
    do {                                                                                     \
        size_t s_ = lf_conv_scratch((c), (h), (h));                                          \
        if (s_ > cs) cs = s_;                                                                \
    } while (0)
    int H = LF_SSD_INPUT;
    PUT((size_t)H * H * 3);
    H /= 2;
    CS(&s->conv0, H);
    PUT((size_t)H * H * 32);
    for (int i = 0; i < 13; i++) {
        H = (H + s->dw_stride[i] - 1) / s->dw_stride[i];
        PUT((size_t)H * H * s->dw_c[i]);
        CS(&s->pw[i], H);
        PUT((size_t)H * H * k_pw_cout[i]);
        if (i == 10) {
            CS(&s->box[0], H);
            CS(&s->cls[0], H);
        }
        if (i == 12) {
            CS(&s->box[1], H);
            CS(&s->cls[1], H);
        }
    }
    for (int e = 0; e < 8; e++) {
        if (e % 2) H = (H + 1) / 2;
        CS(&s->extra[e], H);
        PUT((size_t)H * H * k_extra_cout[e]);
        if (e % 2) {
            CS(&s->box[2 + e / 2], H);
            CS(&s->cls[2 + e / 2], H);
        }
    }
#undef PUT
#undef CS
    p->buf[0] = b[0];
    p->buf[1] = b[1];
    p->conv_scratch = cs;
}

size_t lf_ssd_scratch(const lf_detector *d)
{
    ssd_plan p;
    plan(d, &p);
    size_t heads = (size_t)LF_SSD_ANCHORS * 7 * sizeof(float);
    return (p.buf[0] + p.buf[1]) * sizeof(float) + heads + lf_det_sample_ws_bytes(LF_SSD_INPUT) +
           p.conv_scratch + 5 * LF_ALIGN;
}

size_t lf_ssd_max_cands(const lf_detector *d)
{
    (void)d;
    return LF_SSD_ANCHORS;
}

static double sigmoid(double v) { return 1.0 / (1.0 + exp(-v)); }

face_status lf_ssd_run(const lf_exec *ex, const lf_detector *d, const face_image *img,
                       const lf_det_view *v, double score_thr, double iou, size_t max_keep,
                       lf_det_box *cands, size_t *n)
{
    const struct lf_ssd_net *s = &d->ssd;
    const int S = LF_SSD_INPUT;
    ssd_plan p;
    plan(d, &p);
    *n = 0;

    size_t mark = lf_arena_mark(ex->arena);
    float *buf[2];
    buf[0] = lf_arena_push(ex->arena, p.buf[0] * sizeof(float));
    buf[1] = lf_arena_push(ex->arena, p.buf[1] * sizeof(float));
    float *enc = lf_arena_push(ex->arena, (size_t)LF_SSD_ANCHORS * 4 * sizeof(float));
    float *logit = lf_arena_push(ex->arena, (size_t)LF_SSD_ANCHORS * 3 * sizeof(float));
    void *ws = lf_arena_push(ex->arena, lf_det_sample_ws_bytes(S));
    if (!buf[0] || !buf[1] || !enc || !logit || !ws) {
        lf_arena_pop_to(ex->arena, mark);
        return LF_FAIL(ex->err, FACE_ERR_OUT_OF_MEMORY, "scratch arena too small");
    }

    lf_det_view sv = *v;
    sv.S = S;
    float *x = buf[0];
    lf_det_sample_view(img, &sv, x, ws);
    for (size_t i = 0, nv = (size_t)S * S * 3; i < nv; i++) x[i] = x[i] / 127.5f - 1.0f;

    face_status st;
    int cur = 0, H = S, outH;
    size_t head_off = 0; /* anchors emitted so far */
#define CONV(c, oh)                                                                           \
    do {                                                                                      \
        if ((st = lf_conv_forward(ex, (c), buf[cur], H, H, buf[cur ^ 1], (oh), (oh))) !=      \
            FACE_OK)                                                                          \
            goto done;                                                                        \
        cur ^= 1;                                                                             \
        H = (oh);                                                                             \
    } while (0)
    /* Heads run as soon as their feature map exists, so no feature map has to
     * outlive the next layer. NHWC flattening of a head output is already the
     * (row, col, anchor) order of §4.3. */
#define HEAD(kk)                                                                              \
    do {                                                                                      \
        if ((st = lf_conv_forward(ex, &s->box[kk], buf[cur], H, H, enc + head_off * 4, H,     \
                                  H)) != FACE_OK)                                             \
            goto done;                                                                        \
        if ((st = lf_conv_forward(ex, &s->cls[kk], buf[cur], H, H, logit + head_off * 3, H,   \
                                  H)) != FACE_OK)                                             \
            goto done;                                                                        \
        head_off += (size_t)H * H * k_head_anchors[kk];                                       \
    } while (0)

    CONV(&s->conv0, S / 2);
    for (int i = 0; i < 13; i++) {
        const int st_ = s->dw_stride[i];
        outH = (H + st_ - 1) / st_;
        /* SAME: stride 1 pads 1 before; stride 2 on an even input pads only after. */
        const int pad = st_ == 1 ? 1 : 0;
        lf_dwconv_forward(ex, buf[cur], H, H, s->dw_c[i], s->dw_w[i], s->dw_b[i], st_, pad, pad,
                          buf[cur ^ 1], outH, outH, LF_ACT_RELU6);
        cur ^= 1;
        H = outH;
        CONV(&s->pw[i], H);
        if (i == 10) HEAD(0);
        if (i == 12) HEAD(1);
    }
    for (int e = 0; e < 8; e++) {
        CONV(&s->extra[e], e % 2 ? (H + 1) / 2 : H);
        if (e % 2) HEAD(2 + e / 2);
    }
#undef CONV
#undef HEAD
    if (head_off != LF_SSD_ANCHORS) {
        st = LF_FAIL(ex->err, FACE_ERR_INTERNAL, "SSD heads produced %zu anchors", head_off);
        goto done;
    }

    /* §4.5 decode (double), candidates in normalised (x, y) corners. */
    size_t nc = 0;
    for (int i = 0; i < LF_SSD_ANCHORS; i++) {
        double score = sigmoid((double)logit[3 * i + 1]);
        if (!(score > score_thr)) continue;
        const float *a = s->anchors + 4 * (size_t)i;
        const float *t = enc + 4 * (size_t)i;
        double ha = (double)a[2] - a[0], wa = (double)a[3] - a[1];
        double yc = a[0] + ha / 2, xc = a[1] + wa / 2;
        double cy = (double)t[0] / 10 * ha + yc, cx = (double)t[1] / 10 * wa + xc;
        double h = exp((double)t[2] / 5) * ha, w = exp((double)t[3] / 5) * wa;
        lf_det_box *b = &cands[nc++];
        b->y0 = cy - h / 2;
        b->x0 = cx - w / 2;
        b->y1 = cy + h / 2;
        b->x1 = cx + w / 2;
        b->score = score;
        b->idx = i;
    }
    lf_det_sort(cands, nc);
    nc = lf_det_nms(cands, nc, iou, max_keep);

    /* Clip to the padded square, undo the padding, scale to the view. */
    int wp, hp;
    lf_det_reshaped(v->w, v->h, S, &wp, &hp);
    const double W = v->w, Hh = v->h;
    for (size_t i = 0; i < nc; i++) {
        lf_det_box *b = &cands[i];
        double top = (b->y0 > 0 ? b->y0 : 0) * S / hp, bot = (b->y1 < 1 ? b->y1 : 1) * S / hp;
        double left = (b->x0 > 0 ? b->x0 : 0) * S / wp, right = (b->x1 < 1 ? b->x1 : 1) * S / wp;
        b->x0 = left * W + v->x0;
        b->y0 = top * Hh + v->y0;
        b->x1 = right * W + v->x0;
        b->y1 = bot * Hh + v->y0;
    }
    *n = nc;
    st = FACE_OK;
done:
    lf_arena_pop_to(ex->arena, mark);
    return st;
}
