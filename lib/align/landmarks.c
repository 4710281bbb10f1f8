/* face_landmark_68 (docs/models.md §5): crop the detection box, pad it to a
 * centred square, resize to 112, four DenseNet-like blocks of separable
 * convs, global average, FC to 68 points. The tiny variant (three blocks of
 * three convs) is recognised by its tensor set and runs through the same
 * code. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "align/align.h"

#define LM_IN 112
#define LM_OUT (2 * FACE_LANDMARK_COUNT)
#define LM_MAX_BLOCKS 4
#define LM_MAX_CONVS 4

static const float lm_mean[3] = {122.782f, 117.001f, 104.298f};

typedef struct lm_sep {
    const float *dw; /* [3][3][C] */
    const float *pw; /* [Cin][Cout] */
    const float *bias;
} lm_sep;

struct lf_landmarker {
    lf_allocator alloc;
    int nblocks, nconvs; /* 4, 4 (full) or 3, 3 (tiny) */
    int feat;            /* channels of the last block: 256 or 128 */
    const float *conv0_w, *conv0_b;
    lm_sep sep[LM_MAX_BLOCKS][LM_MAX_CONVS]; /* sep[0][0] unused: dense0/conv0 is dense */
    const float *fc_w, *fc_b;
    float *weights; /* one block holding every tensor above */
    size_t weights_floats;
};

static int block_channels(int b) { return 32 << b; }

/* ---------------------------------------------------------------- load */

typedef struct tensor_req {
    char name[64];
    int ndim, shape[4];
    const float **dst;
} tensor_req;

static void req(tensor_req *r, int *n, const char *name, int ndim, int d0, int d1, int d2, int d3,
                const float **dst)
{
    tensor_req *t = &r[(*n)++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->ndim = ndim;
    t->shape[0] = d0;
    t->shape[1] = d1;
    t->shape[2] = d2;
    t->shape[3] = d3;
    t->dst = dst;
}

face_status lf_landmarker_load(const lf_allocator *a, const face_model *m, lf_landmarker **out,
                               lf_error *err)
{
    if (!a || !m || !out) return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "NULL argument");
    *out = NULL;
    if (m->kind != FACE_MODEL_LANDMARKS68)
        return LF_FAIL(err, FACE_ERR_MODEL_MISMATCH, "model kind %d is not a landmark model",
                       (int)m->kind);
    lf_landmarker *l = lf_calloc(a, sizeof *l, LF_ALIGN);
    if (!l) return LF_FAIL(err, FACE_ERR_OUT_OF_MEMORY, "landmarker");
    l->alloc = *a;
    int tiny = lf_model_find(m, "dense3/conv0/bias") == NULL;
    l->nblocks = tiny ? 3 : 4;
    l->nconvs = tiny ? 3 : 4;
    l->feat = block_channels(l->nblocks - 1);

    tensor_req r[2 + LM_MAX_BLOCKS * LM_MAX_CONVS * 3 + 2];
    int n = 0;
    char name[64];
    req(r, &n, "dense0/conv0/filters", 4, 3, 3, 3, 32, &l->conv0_w);
    req(r, &n, "dense0/conv0/bias", 1, 32, 0, 0, 0, &l->conv0_b);
    for (int b = 0; b < l->nblocks; b++) {
        int C = block_channels(b);
        for (int j = 0; j < l->nconvs; j++) {
            if (b == 0 && j == 0) continue;
            int cin = (j == 0) ? block_channels(b - 1) : C;
            lm_sep *s = &l->sep[b][j];
            snprintf(name, sizeof name, "dense%d/conv%d/depthwise_filter", b, j);
            req(r, &n, name, 4, 3, 3, cin, 1, &s->dw);
            snprintf(name, sizeof name, "dense%d/conv%d/pointwise_filter", b, j);
            req(r, &n, name, 4, 1, 1, cin, C, &s->pw);
            snprintf(name, sizeof name, "dense%d/conv%d/bias", b, j);
            req(r, &n, name, 1, C, 0, 0, 0, &s->bias);
        }
    }
    req(r, &n, "fc/weights", 2, l->feat, LM_OUT, 0, 0, &l->fc_w);
    req(r, &n, "fc/bias", 1, LM_OUT, 0, 0, 0, &l->fc_b);

    /* Check every tensor first, then copy them into one block of our own so
     * the landmarker does not depend on the model's lifetime. */
    const float *src[sizeof r / sizeof r[0]];
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        face_status st = lf_model_get(m, r[i].name, r[i].ndim, r[i].shape, &src[i], err);
        if (st != FACE_OK) {
            lf_free(a, l, sizeof *l);
            return st;
        }
        size_t cnt = 1;
        for (int d = 0; d < r[i].ndim; d++) cnt *= (size_t)r[i].shape[d];
        total += (cnt + 15) & ~(size_t)15; /* keep each tensor 64-byte aligned */
    }
    l->weights = lf_alloc(a, total * sizeof(float), LF_ALIGN);
    if (!l->weights) {
        lf_free(a, l, sizeof *l);
        return LF_FAIL(err, FACE_ERR_OUT_OF_MEMORY, "landmark weights (%zu floats)", total);
    }
    l->weights_floats = total;
    float *p = l->weights;
    for (int i = 0; i < n; i++) {
        size_t cnt = 1;
        for (int d = 0; d < r[i].ndim; d++) cnt *= (size_t)r[i].shape[d];
        memcpy(p, src[i], cnt * sizeof(float));
        *r[i].dst = p;
        p += (cnt + 15) & ~(size_t)15;
    }
    *out = l;
    return FACE_OK;
}

void lf_landmarker_free(lf_landmarker *l)
{
    if (!l) return;
    lf_allocator a = l->alloc;
    lf_free(&a, l->weights, l->weights_floats * sizeof(float));
    lf_free(&a, l, sizeof *l);
}

/* ---------------------------------------------------------------- scratch */

/* Largest activation: block 0's output, 56 x 56 x 32 (the 112 x 112 x 3
 * input is smaller). Five such buffers carry a block: its input, out1, the
 * running sum, the separable conv's input/output, the depthwise output. */
#define LM_ACT_FLOATS ((size_t)(LM_IN / 2) * (LM_IN / 2) * 32)
#define LM_NBUF 5

static lf_conv conv0_desc(const lf_landmarker *l, int *oh, int *ow)
{
    lf_conv c = {3, 3, 3, 32, 2, 0, 0, l->conv0_w, l->conv0_b, NULL, NULL, LF_ACT_RELU};
    lf_conv_geometry(&c, LM_IN, LM_IN, 1, oh, ow);
    return c;
}

size_t lf_landmarker_scratch_bytes(const lf_landmarker *l)
{
    if (!l) return 0;
    int oh, ow;
    lf_conv c = conv0_desc(l, &oh, &ow);
    size_t act = LM_NBUF * (LM_ACT_FLOATS * sizeof(float) + LF_ALIGN);
    size_t rows = 2 * (2 * LM_IN * 3 * sizeof(float) + LF_ALIGN); /* two cached source rows */
    size_t tail = 2 * (256 * sizeof(float) + LF_ALIGN);           /* pooled features, FC out */
    return act + rows + tail + lf_conv_scratch(&c, oh, ow) + LF_ALIGN;
}

/* ---------------------------------------------------------------- input */

/* The crop, centred-padded to a D x D square and resized to 112 x 112 with
 * TF1 legacy bilinear, sampled straight from the image: only the 112 x 2
 * source rows and columns the resize touches are ever read, so the scratch
 * does not depend on the face size. Arithmetic follows the reference:
 * source positions in double, fractions and interpolation in float. */
typedef struct lm_src {
    const face_image *img;
    int cx, cy, cw, ch; /* crop in the image */
    int left, top;      /* padding before the crop inside the square */
    int xi[2][LM_IN];   /* square columns each output column reads */
    float fx[LM_IN];
    float *row[2]; /* cached square rows at xi columns: [2*LM_IN][3] */
    int row_y[2];
} lm_src;

static void fetch_row(lm_src *s, int slot, int sy)
{
    float *dst = s->row[slot];
    s->row_y[slot] = sy;
    int iy = sy - s->top;
    for (int k = 0; k < 2 * LM_IN; k++) {
        int ix = s->xi[k / LM_IN][k % LM_IN] - s->left;
        float *o = dst + 3 * k;
        if (iy < 0 || iy >= s->ch || ix < 0 || ix >= s->cw)
            o[0] = o[1] = o[2] = 0.0f;
        else
            lf_image_rgb_row(s->img, s->cy + iy, s->cx + ix, 1, o);
    }
}

static const float *get_row(lm_src *s, int sy)
{
    if (s->row_y[0] == sy) return s->row[0];
    if (s->row_y[1] == sy) return s->row[1];
    /* Rows are requested in increasing order: replace the older one. */
    int slot = s->row_y[0] < s->row_y[1] ? 0 : 1;
    fetch_row(s, slot, sy);
    return s->row[slot];
}

static void build_input(lm_src *s, float *x)
{
    int D = s->cw > s->ch ? s->cw : s->ch;
    double scale = (double)D / LM_IN;
    int y0[LM_IN], y1[LM_IN];
    float fy[LM_IN];
    for (int o = 0; o < LM_IN; o++) {
        double src = o * scale;
        int i0 = (int)floor(src);
        int i1 = i0 + 1 < D ? i0 + 1 : D - 1;
        s->xi[0][o] = y0[o] = i0;
        s->xi[1][o] = y1[o] = i1;
        s->fx[o] = fy[o] = (float)(src - i0);
    }
    s->row_y[0] = s->row_y[1] = -1;
    const float inv = 255.0f;
    for (int oy = 0; oy < LM_IN; oy++) {
        const float *top = get_row(s, y0[oy]);
        const float *bot = get_row(s, y1[oy]);
        float *o = x + (size_t)oy * LM_IN * 3;
        for (int ox = 0; ox < LM_IN; ox++) {
            const float *t0 = top + 3 * ox, *t1 = top + 3 * (LM_IN + ox);
            const float *b0 = bot + 3 * ox, *b1 = bot + 3 * (LM_IN + ox);
            for (int c = 0; c < 3; c++) {
                float l = t0[c] + (b0[c] - t0[c]) * fy[oy];
                float r = t1[c] + (b1[c] - t1[c]) * fy[oy];
                float v = l + (r - l) * s->fx[ox];
                o[3 * ox + c] = (v - lm_mean[c]) / inv;
            }
        }
    }
}

/* ---------------------------------------------------------------- network */

/* Depthwise 3x3 (stride s, SAME, no bias) then pointwise 1x1 + bias. */
static face_status sep_conv(const lf_exec *ex, const lm_sep *p, const float *in, int H, int W,
                            int cin, int cout, int stride, float *dw, float *out, int *oh,
                            int *ow)
{
    int pt, pl;
    lf_same_pad(H, 3, stride, oh, &pt);
    lf_same_pad(W, 3, stride, ow, &pl);
    lf_dwconv_forward(ex, in, H, W, cin, p->dw, NULL, stride, pt, pl, dw, *oh, *ow, LF_ACT_NONE);
    lf_conv pw = {1, 1, cin, cout, 1, 0, 0, p->pw, p->bias, NULL, NULL, LF_ACT_NONE};
    return lf_conv_forward(ex, &pw, dw, *oh, *ow, out, *oh, *ow);
}

static void relu_copy(const lf_exec *ex, float *dst, const float *src, size_t n)
{
    memcpy(dst, src, n * sizeof(float));
    ex->k->bias_act(dst, 1, (int)n, (int)n, NULL, LF_ACT_RELU);
}

static face_status forward(const lf_exec *ex, const lf_landmarker *l, float *buf[LM_NBUF],
                           float *feat, float *pts)
{
    /* buf[0] holds the 112x112x3 input and then each block's output. */
    float *x = buf[0], *o1 = buf[1], *acc = buf[2], *t = buf[3], *dw = buf[4];
    const lf_kernels *k = ex->k;
    int H = LM_IN, W = LM_IN, cin = 3;
    face_status st;
    for (int b = 0; b < l->nblocks; b++) {
        int C = block_channels(b), oh, ow;
        if (b == 0) {
            lf_conv c0 = conv0_desc(l, &oh, &ow);
            st = lf_conv_forward(ex, &c0, x, H, W, o1, oh, ow);
        } else {
            st = sep_conv(ex, &l->sep[b][0], x, H, W, cin, C, 2, dw, o1, &oh, &ow);
            if (st == FACE_OK) k->bias_act(o1, oh * ow, C, C, NULL, LF_ACT_RELU);
        }
        if (st != FACE_OK) return st;
        H = oh;
        W = ow;
        size_t n = (size_t)H * W * C;
        /* out2 = sep(out1); out1 is post-ReLU already. */
        st = sep_conv(ex, &l->sep[b][1], o1, H, W, C, C, 1, dw, acc, &oh, &ow);
        if (st != FACE_OK) return st;
        k->add_act(acc, acc, o1, n, LF_ACT_NONE);
        for (int j = 2; j < l->nconvs; j++) {
            relu_copy(ex, t, acc, n);
            st = sep_conv(ex, &l->sep[b][j], t, H, W, C, C, 1, dw, t, &oh, &ow);
            if (st != FACE_OK) return st;
            /* The last sum of the block is also its output, after ReLU. */
            if (j == l->nconvs - 1)
                k->add_act(x, acc, t, n, LF_ACT_RELU);
            else
                k->add_act(acc, acc, t, n, LF_ACT_NONE);
        }
        cin = C;
    }
    /* avg-pool k x k stride 2 VALID on a k x k map: the global mean. */
    k->avgpool(x, H, W, cin, H, 2, feat, 1, 1);
    k->gemm(1, LM_OUT, cin, feat, cin, l->fc_w, LM_OUT, pts, LM_OUT, 0, lf_exec_gemm_ws(ex, 0));
    k->bias_act(pts, 1, LM_OUT, LM_OUT, l->fc_b, LF_ACT_NONE);
    return FACE_OK;
}

/* ---------------------------------------------------------------- run */

face_status lf_landmarks_run(const lf_exec *ex, const lf_landmarker *l, const face_image *img,
                             const face_rect *box, face_landmarks *out)
{
    lf_error *err = ex ? ex->err : NULL;
    if (!ex || !ex->k || !ex->arena || !l || !box || !out)
        return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "NULL argument");
    face_status st = lf_image_check(img, INT64_MAX, err);
    if (st != FACE_OK) return st;
    double bx = box->x, by = box->y, bw = box->width, bh = box->height;
    if (!isfinite(bx) || !isfinite(by) || !isfinite(bw) || !isfinite(bh))
        return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "non-finite box");

    /* §5.1: clip the box corners to the image, then floor. Double keeps the
     * crop origin from flipping by a pixel (which moves points by ~2 px). */
    double x0 = fmax(bx, 0), y0 = fmax(by, 0);
    double cwd = floor(fmin((bx + bw) - x0, img->width - x0));
    double chd = floor(fmin((by + bh) - y0, img->height - y0));
    if (!(cwd >= 1 && chd >= 1))
        return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT,
                       "box (%g, %g, %g, %g) has no pixel inside the %dx%d image", bx, by, bw, bh,
                       img->width, img->height);

    lm_src s;
    memset(&s, 0, sizeof s);
    s.img = img;
    s.cx = (int)floor(x0);
    s.cy = (int)floor(y0);
    s.cw = (int)cwd;
    s.ch = (int)chd;
    /* Centred padding: round(d/2) after, the rest before (JS Math.round). */
    int d = s.cw > s.ch ? s.cw - s.ch : s.ch - s.cw;
    int before = d - (d + 1) / 2;
    if (s.cw > s.ch) s.top = before;
    else s.left = before;

    size_t mark = lf_arena_mark(ex->arena);
    float *buf[LM_NBUF];
    int ok = 1;
    for (int i = 0; i < LM_NBUF; i++) ok &= (buf[i] = lf_arena_push(ex->arena, LM_ACT_FLOATS * sizeof(float))) != NULL;
    s.row[0] = lf_arena_push(ex->arena, 2 * LM_IN * 3 * sizeof(float));
    s.row[1] = lf_arena_push(ex->arena, 2 * LM_IN * 3 * sizeof(float));
    float *feat = lf_arena_push(ex->arena, 256 * sizeof(float));
    float *pts = lf_arena_push(ex->arena, 256 * sizeof(float));
    if (!ok || !s.row[0] || !s.row[1] || !feat || !pts) {
        lf_arena_pop_to(ex->arena, mark);
        return LF_FAIL(err, FACE_ERR_INTERNAL, "scratch arena too small for landmarks (%zu bytes)",
                       lf_landmarker_scratch_bytes(l));
    }
    build_input(&s, buf[0]);
    st = forward(ex, l, buf, feat, pts);
    if (st == FACE_OK) {
        /* §5.3 with the validated correction: crop size from the floored
         * crop, origin from the unfloored box. */
        double cw = s.cw, ch = s.ch;
        double sc = (double)LM_IN / (cw > ch ? cw : ch);
        double padx = cw < ch ? (ch * sc - cw * sc) / 2 : 0.0;
        double pady = ch < cw ? (cw * sc - ch * sc) / 2 : 0.0;
        for (int i = 0; i < FACE_LANDMARK_COUNT; i++) {
            double u = ((double)pts[2 * i] * LM_IN - padx) / (cw * sc);
            double v = ((double)pts[2 * i + 1] * LM_IN - pady) / (ch * sc);
            out->points[i].x = (float)(bx + u * cw);
            out->points[i].y = (float)(by + v * ch);
        }
        out->struct_size = sizeof(face_landmarks);
        out->count = FACE_LANDMARK_COUNT;
    }
    lf_arena_pop_to(ex->arena, mark);
    return st;
}
