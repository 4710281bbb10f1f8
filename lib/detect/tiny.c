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

/* Geometry of one pass on an H x W input and its scratch. conv0 is run in
 * strips of input rows, each pooled at once, so its full-resolution 16-channel
 * output (the largest tensor by 4x) never exists: the strip buffers are a
 * few rows, and the ping-pong pair starts at pool0. Likewise conv1..conv4
 * run in bands of rows (depthwise, pointwise, pool, bias and leaky while in
 * cache: pw_pool), so only their pooled results are stored.
 * Consecutive tensors alternate between the two buffers, each sized for the
 * largest tensor of its parity. */
typedef struct tiny_geom {
    int H, W;
    int h[6], w[6]; /* after pool0..pool4 (input of conv1..conv5); [5] = head grid */
    int strip;      /* pool0 rows per conv0 strip */
    size_t buf[2];  /* floats */
    size_t strip_in, strip_out;
    size_t band;    /* floats of depthwise + pointwise band per task */
    size_t conv_scratch;
} tiny_geom;

static int pool_out(int in) { return (in + 1) / 2; }

/* Pointwise output per band: ~64 KiB, so a band is still in L1/L2 when its
 * bias/leaky and pool passes read it back (as separate passes over the
 * whole tensor they were a fifth of the pass, all memory traffic); 32 to
 * 256 KiB measured within noise. At most LF_TINY_BAND_TASKS tasks share a
 * layer (or the stem), each with its own band (or strips and row scratch). */
#define LF_TINY_BAND_FLOATS ((size_t)16 * 1024)
#define LF_TINY_BAND_TASKS 4

/* Pool output rows per band of a W-wide, C-channel pointwise output. */
static int band_rows(int W, int C)
{
    size_t r = LF_TINY_BAND_FLOATS / ((size_t)2 * (size_t)W * (size_t)C);
    return r < 1 ? 1 : (int)r; /* at most LF_TINY_BAND_FLOATS / 32 */
}

/* sw: the widest input of the run (a rect level's widest tile), which alone
 * sets the strip height, so that every buffer of a narrower tile is no
 * larger than the widest tile's and one scratch figure bounds them all. */
static void geom(const lf_detector *d, int H, int W, int sw, tiny_geom *g)
{
    const struct lf_tiny_net *t = &d->tiny;
    g->H = H;
    g->W = W;
    const int ch = H - 2, cw = W - 2;
    g->h[0] = pool_out(ch);
    g->w[0] = pool_out(cw);
    /* ~0.4 MB of input per strip (its 2 halo rows are resampled twice);
     * conv0 runs two rows at a time inside it, pooled at once from L1/L2 */
    int s = 16384 / (sw - 2);
    if (s < 4) s = 4;
    if (s > g->h[0]) s = g->h[0];
    g->strip = s;
    g->strip_in = (size_t)(2 * s + 2) * (size_t)W * 3;
    g->strip_out = (size_t)2 * (size_t)cw * 16;
    size_t cs = lf_conv_scratch(&t->conv0, 2 * s, cw);

    size_t b[2] = {0, 0};
    int k = 0; /* buffer the next tensor goes to */
#define PUT(n)                                                                               \
    do {                                                                                     \
        size_t n_ = (n);                                                                     \
        if (n_ > b[k]) b[k] = n_;                                                            \
        k ^= 1;                                                                              \
    } while (0)
    PUT((size_t)g->h[0] * g->w[0] * 16);
    int c = 16;
    g->band = 0;
    for (int i = 0; i < 5; i++, c *= 2) {
        size_t hw = (size_t)g->h[i] * g->w[i];
        if (i == 4) {
            PUT(hw * c);     /* depthwise */
            PUT(hw * 2 * c); /* pointwise; pool5 (stride 1) runs apart */
        } else {
            /* a band's depthwise rows, then its pointwise rows */
            size_t bf = (size_t)2 * band_rows(g->w[i], 2 * c) * g->w[i] * 3 * c;
            if (bf > g->band) g->band = bf;
        }
        size_t sc = lf_conv_scratch(&t->pw[i], g->h[i], g->w[i]);
        if (sc > cs) cs = sc;
        g->h[i + 1] = i < 4 ? pool_out(g->h[i]) : g->h[i];
        g->w[i + 1] = i < 4 ? pool_out(g->w[i]) : g->w[i];
        PUT((size_t)g->h[i + 1] * g->w[i + 1] * 2 * c);
    }
    PUT((size_t)g->h[5] * g->w[5] * 25);
    size_t sc = lf_conv_scratch(&t->conv8, g->h[5], g->w[5]);
    if (sc > cs) cs = sc;
#undef PUT
    g->buf[0] = b[0];
    g->buf[1] = b[1];
    g->conv_scratch = cs;
}

static size_t geom_bytes(const tiny_geom *g)
{
    return (g->buf[0] + g->buf[1] + (g->strip_in + g->strip_out + g->band) * LF_TINY_BAND_TASKS) *
               sizeof(float) +
           g->conv_scratch + 7 * LF_ALIGN;
}

double lf_tiny_macs(int H, int W)
{
    /* conv0 27 taps x 16; per block dw 9 C + pw C x 2C; head 512 x 25 */
    int h = pool_out(H - 2), w = pool_out(W - 2);
    double m = (double)(H - 2) * (W - 2) * 27 * 16;
    for (int i = 0, c = 16; i < 5; i++, c *= 2) {
        m += (double)h * w * (9.0 * c + (double)c * 2 * c);
        if (i < 4) h = pool_out(h), w = pool_out(w);
    }
    return m + (double)h * w * 512 * 25;
}

/* Rows [y0, y0+n) of the network input, RGB 0..255, full input width;
 * task t < LF_TINY_BAND_TASKS of a pool run (its own row scratch). */
typedef void (*fill_fn)(void *ctx, int t, int y0, int n, float *out);

static float *push_floats(lf_arena *a, size_t n)
{
    return lf_arena_push_uninit(a, n * sizeof(float));
}

/* §2: (x - mean) / 255 in float, a true division as face-api does. Four
 * pixels (12 floats, a whole number of vectors) per step with the means laid
 * out to match, so the compiler emits vector divides (divps at -O2); the
 * per-channel loop it replaces ran one scalar divide at a time. */
static void normalize(float *x, size_t npx)
{
    float m[12];
    for (int i = 0; i < 12; i++) m[i] = k_mean[i % 3];
    size_t i = 0;
    for (; i + 4 <= npx; i += 4) {
        float *p = x + 3 * i;
        for (int j = 0; j < 12; j++) p[j] = (p[j] - m[j]) / 255.0f;
    }
    for (; i < npx; i++)
        for (int c = 0; c < 3; c++) x[3 * i + c] = (x[3 * i + c] - k_mean[c]) / 255.0f;
}

/* conv1..conv4 whole: depthwise 3x3 (pad 1), pointwise, bias, leaky and
 * 2x2/2 pool, band by band: a task owns pool rows [p0, p1) and turns each
 * band of them into depthwise rows, then pointwise rows, in its own band
 * buffer, then pools them into out; only the pooled tensor goes through
 * memory. Every value is computed as by the unfused layers (a depthwise
 * pixel's taps do not depend on the rows around it being computed, nor a
 * GEMM element on how M is split), so tiles and passes stay bitwise. */
typedef struct pw_pool_job {
    const lf_exec *ex;
    const lf_conv *c;
    const float *dw; /* depthwise filter [3][3][cin] */
    const float *in; /* H x W x cin */
    int H, W;
    float *out; /* oh x ow x cout */
    int oh, ow;
    float *band;
    size_t band_floats;
    int rows, per_task;
} pw_pool_job;

static void pw_pool_task(void *arg, int t)
{
    const pw_pool_job *j = arg;
    const lf_conv *c = j->c;
    const lf_kernels *k = j->ex->k;
    const int p0 = t * j->per_task, p1 = p0 + j->per_task < j->oh ? p0 + j->per_task : j->oh;
    float *dwb = j->band + (size_t)t * j->band_floats;
    float *band = dwb + (size_t)2 * j->rows * j->W * c->cin;
    for (int q0 = p0; q0 < p1; q0 += j->rows) {
        const int q1 = q0 + j->rows < p1 ? q0 + j->rows : p1;
        const int y0 = 2 * q0, y1 = 2 * q1 < j->H ? 2 * q1 : j->H;
        const int M = (y1 - y0) * j->W;
        /* depthwise rows [y0, y1): the input re-based at row y0 - 1 (or
         * the top padding row), with the rows to the end of the input in
         * view so a row's taps are classified as in one whole-layer call */
        const int rs = y0 - 1 > 0 ? y0 - 1 : 0;
        k->dwconv3x3(j->in + (size_t)rs * j->W * c->cin, j->H - rs, j->W, c->cin, j->dw, NULL, 1,
                     y0 - rs == 1 ? 0 : 1, 1, dwb, y1 - y0, j->W, LF_ACT_NONE);
        k->gemm(M, c->cout, c->cin, dwb, c->cin, c->w, c->cout, band, c->cout, 0,
                lf_exec_gemm_ws(j->ex, t));
        /* Pool first, then bias and leaky on a quarter of the values: both
         * are non-decreasing in x (and rounding keeps them so), so the max
         * of act(x + b) over a window is act(max x + b), bit for bit. */
        float *o = j->out + (size_t)q0 * j->ow * c->cout;
        /* SAME 2x2 pools pad only bottom/right, so pad_top/left is 0. */
        k->maxpool(band, y1 - y0, j->W, c->cout, 2, 2, 0, 0, o, q1 - q0, j->ow);
        k->bias_act(o, (q1 - q0) * j->ow, c->cout, c->cout, c->bias, c->act);
    }
}

static void pw_pool(const lf_exec *ex, const lf_conv *c, const float *dw, const float *in, int H,
                    int W, float *out, int oh, int ow, float *band, size_t band_floats)
{
    pw_pool_job j = {ex, c, dw, in, H, W, out, oh, ow, band, band_floats, band_rows(W, c->cout), 0};
    int ntasks = lf_pool_threads(ex->pool);
    if (ntasks > LF_TINY_BAND_TASKS) ntasks = LF_TINY_BAND_TASKS;
    /* at least two bands' worth of rows per task, or splitting costs more */
    if (ntasks > oh / (2 * j.rows)) ntasks = oh / (2 * j.rows);
    if (ntasks < 1) ntasks = 1;
    j.per_task = (oh + ntasks - 1) / ntasks;
    lf_pool_run(ex->pool, ntasks, pw_pool_task, &j);
}

/* The stem: input strips made, normalised, convolved (conv0, bias, leaky)
 * and pooled (pool0) one after another, each task with its own strips, so
 * the resampling runs on every core and the conv0 output of a strip is
 * pooled while still in that core's cache. */
typedef struct stem_job {
    const lf_exec *ex;
    const lf_conv *c;
    const tiny_geom *g;
    fill_fn fill;
    void *ctx;
    float *sin, *sout, *out;
    int per_task; /* strips */
} stem_job;

static void stem_task(void *arg, int t)
{
    const stem_job *j = arg;
    const tiny_geom *g = j->g;
    const lf_conv *c = j->c;
    const lf_kernels *k = j->ex->k;
    float *sin = j->sin + (size_t)t * g->strip_in, *sout = j->sout + (size_t)t * g->strip_out;
    const int W = g->W, ch = g->H - 2, cw = g->W - 2;
    const int jb = t * j->per_task * g->strip;
    const int je = jb + j->per_task * g->strip < g->h[0] ? jb + j->per_task * g->strip : g->h[0];
    for (int j0 = jb; j0 < je; j0 += g->strip) {
        const int j1 = j0 + g->strip < je ? j0 + g->strip : je;
        const int r0 = 2 * j0, r1 = 2 * j1 < ch ? 2 * j1 : ch; /* conv0 rows */
        const int nin = r1 - r0 + 2;
        j->fill(j->ctx, t, r0, nin, sin);
        normalize(sin, (size_t)nin * (size_t)W);
        for (int r = r0; r < r1; r += 2) {
            const int nr = r1 - r < 2 ? r1 - r : 2;
            k->conv_direct(sin + (size_t)(r - r0) * W * 3, nr + 2, W, 3, c->w, 3, 3, 16, c->bias, 1,
                           0, 0, sout, nr, cw, c->act);
            k->maxpool(sout, nr, cw, 16, 2, 2, 0, 0, j->out + (size_t)(r / 2) * g->w[0] * 16, 1,
                       g->w[0]);
        }
    }
}

/* One forward pass; leaves the head output (g->h[5] x g->w[5] x 25) in
 * arena memory that the caller pops. */
static face_status forward(const lf_exec *ex, const lf_detector *d, const tiny_geom *g, fill_fn fill,
                           void *ctx, const float **head)
{
    const struct lf_tiny_net *t = &d->tiny;
    const lf_kernels *k = ex->k;
    float *buf[2], *sin, *sout, *band;
    buf[0] = push_floats(ex->arena, g->buf[0]);
    buf[1] = push_floats(ex->arena, g->buf[1]);
    sin = push_floats(ex->arena, g->strip_in * LF_TINY_BAND_TASKS);
    sout = push_floats(ex->arena, g->strip_out * LF_TINY_BAND_TASKS);
    band = push_floats(ex->arena, g->band * LF_TINY_BAND_TASKS);
    if (!buf[0] || !buf[1] || !sin || !sout || !band)
        return LF_FAIL(ex->err, FACE_ERR_OUT_OF_MEMORY, "scratch arena too small");

    face_status st;
    const int strips = (g->h[0] + g->strip - 1) / g->strip;
    int ntasks = lf_pool_threads(ex->pool);
    if (ntasks > LF_TINY_BAND_TASKS) ntasks = LF_TINY_BAND_TASKS;
    if (ntasks > strips) ntasks = strips;
    stem_job sj = {ex, &t->conv0, g, fill, ctx, sin, sout, buf[0], (strips + ntasks - 1) / ntasks};
    lf_pool_run(ex->pool, ntasks, stem_task, &sj);

    int cur = 0;
    int H = g->h[0], Wd = g->w[0];
    int c = 16;
    for (int i = 0; i < 5; i++, c *= 2) {
        /* Depthwise: explicit 1-px zero pad then VALID == pad 1 on every
         * side, same size. */
        if (i < 4) {
            pw_pool(ex, &t->pw[i], t->dw[i], buf[cur], H, Wd, buf[cur ^ 1], g->h[i + 1],
                    g->w[i + 1], band, g->band);
        } else {
            lf_dwconv_forward(ex, buf[cur], H, Wd, c, t->dw[i], NULL, 1, 1, 1, buf[cur ^ 1], H, Wd,
                              LF_ACT_NONE);
            cur ^= 1;
            if ((st = lf_conv_forward(ex, &t->pw[i], buf[cur], H, Wd, buf[cur ^ 1], H, Wd)) !=
                FACE_OK)
                return st;
            cur ^= 1;
            /* pool5: 2x2 stride 1, SAME (bottom/right) */
            k->maxpool(buf[cur], H, Wd, 2 * c, 2, 1, 0, 0, buf[cur ^ 1], g->h[i + 1], g->w[i + 1]);
        }
        cur ^= 1;
        H = g->h[i + 1];
        Wd = g->w[i + 1];
    }
    if ((st = lf_conv_forward(ex, &t->conv8, buf[cur], H, Wd, buf[cur ^ 1], H, Wd)) != FACE_OK)
        return st;
    *head = buf[cur ^ 1];
    return FACE_OK;
}

static double sigmoid(double v) { return 1.0 / (1.0 + exp(-v)); }

size_t lf_tiny_decode(const lf_tiny_grid *g, const lf_det_rtile *t, const float *out, double thr,
                      lf_det_box *cands)
{
    /* §3.2 with a grid per axis. face-api's fx = max(W',H') / W' undoes
     * the padding of the square input; for an input of 32 Gx columns
     * holding Wr image columns it is 32 Gx / Wr (= S / W' for the square
     * pass, so that pass decodes exactly as before). */
    const int tw = t->gx1 - t->gx0;
    const double fx = (double)(LF_TINY_CELL * g->Gx) / g->Wr;
    const double fy = (double)(LF_TINY_CELL * g->Gy) / g->Hr;
    const double Gx = g->Gx, Gy = g->Gy;
    size_t nc = 0;
    for (int r = t->cy0; r < t->cy1; r++) {
        for (int col = t->cx0; col < t->cx1; col++) {
            const float *cell = out + (size_t)((r - t->gy0) * tw + (col - t->gx0)) * 25;
            for (int a = 0; a < 5; a++) {
                const float *q = cell + a * 5;
                double score = sigmoid((double)q[4]);
                if (!(score > thr)) continue;
                double cx = (col + sigmoid((double)q[0])) / Gx * fx;
                double cy = (r + sigmoid((double)q[1])) / Gy * fy;
                double bw = exp((double)q[2]) * k_anchor_w[a] / Gx * fx;
                double bh = exp((double)q[3]) * k_anchor_h[a] / Gy * fy;
                lf_det_box *bx = &cands[nc++];
                double x0 = (cx - bw / 2) * g->W, y0 = (cy - bh / 2) * g->H;
                bx->x0 = x0 + g->ox;
                bx->y0 = y0 + g->oy;
                bx->x1 = x0 + bw * g->W + g->ox;
                bx->y1 = y0 + bh * g->H + g->oy;
                bx->score = score;
                bx->idx = ((int64_t)r * g->Gx + col) * 5 + a;
            }
        }
    }
    return nc;
}

/* ------------------------------------------------------------ face-api pass */

size_t lf_tiny_scratch(const lf_detector *d, int S)
{
    tiny_geom g;
    geom(d, S, S, S, &g);
    return geom_bytes(&g) + lf_det_sample_ws_bytes(S) + LF_ALIGN;
}

size_t lf_tiny_max_cands(const lf_detector *d, int S)
{
    tiny_geom g;
    geom(d, S, S, S, &g);
    return (size_t)g.h[5] * g.w[5] * 5;
}

typedef struct view_fill {
    const face_image *img;
    const lf_det_view *v;
    const void *ws;
} view_fill;

static void fill_view(void *ctx, int t, int y0, int n, float *out)
{
    (void)t; /* no scratch: the taps are read-only */
    view_fill *f = ctx;
    lf_det_sample_rows(f->img, f->v, f->ws, y0, n, out);
}

face_status lf_tiny_run(const lf_exec *ex, const lf_detector *d, const face_image *img,
                        const lf_det_view *v, double score_thr, double iou, size_t max_keep,
                        lf_det_box *cands, size_t *n)
{
    const int S = v->S;
    tiny_geom g;
    geom(d, S, S, S, &g);
    *n = 0;

    size_t mark = lf_arena_mark(ex->arena);
    void *ws = lf_arena_push_uninit(ex->arena, lf_det_sample_ws_bytes(S));
    if (!ws) return LF_FAIL(ex->err, FACE_ERR_OUT_OF_MEMORY, "scratch arena too small");
    lf_det_view_taps(v, ws);
    view_fill f = {img, v, ws};
    const float *head;
    face_status st = forward(ex, d, &g, fill_view, &f, &head);
    if (st == FACE_OK) {
        int wp, hp;
        lf_det_reshaped(v->w, v->h, S, &wp, &hp);
        const int G = g.h[5];
        lf_tiny_grid gr = {G, G, wp, hp, v->x0, v->y0, v->w, v->h};
        lf_det_rtile t = {0, G, 0, G, 0, G, 0, G};
        size_t nc = lf_tiny_decode(&gr, &t, head, score_thr, cands);
        lf_det_sort(cands, nc);
        *n = lf_det_nms(cands, nc, iou, max_keep);
    }
    lf_arena_release_to(ex->arena, mark); /* the caller wipes (detect.h) */
    return st;
}

/* ------------------------------------------------------------ rect passes */

size_t lf_tiny_rect_max_cands(const lf_det_rect *r) { return (size_t)r->Gx * r->Gy * 5; }

size_t lf_tiny_rect_scratch(const lf_detector *d, const lf_det_rect *r)
{
    int gw, gh;
    lf_det_rect_max_tile(r, &gw, &gh);
    tiny_geom g;
    geom(d, gh * LF_TINY_CELL, gw * LF_TINY_CELL, gw * LF_TINY_CELL, &g);
    return geom_bytes(&g) + lf_det_rect_taps_bytes(r) +
           lf_det_rect_row_floats(r, gw * LF_TINY_CELL) * LF_TINY_BAND_TASKS * sizeof(float) +
           3 * LF_ALIGN;
}

typedef struct rect_fill {
    const lf_kernels *k;
    const face_image *img;
    const lf_det_rect *r;
    lf_det_taps tx, ty;
    int x0, w, y0; /* tile origin and width in level px */
    float *rowbuf; /* LF_TINY_BAND_TASKS slices of row_floats */
    size_t row_floats;
} rect_fill;

static void fill_rect(void *ctx, int t, int y0, int n, float *out)
{
    rect_fill *f = ctx;
    lf_det_rect_rows_k(f->k, f->img, f->r, &f->tx, &f->ty, f->x0, f->w, f->y0 + y0, n, out,
                       f->rowbuf + (size_t)t * f->row_floats);
}

face_status lf_tiny_rect_run(const lf_exec *ex, const lf_detector *d, const face_image *img,
                             const lf_det_rect *r, double score_thr, double iou, size_t max_keep,
                             lf_det_box *cands, size_t *n)
{
    *n = 0;
    int gw, gh;
    lf_det_rect_max_tile(r, &gw, &gh);
    const size_t mark = lf_arena_mark(ex->arena);
    rect_fill f = {.k = ex->k, .img = img, .r = r};
    void *tm = lf_arena_push_uninit(ex->arena, lf_det_rect_taps_bytes(r));
    f.row_floats = lf_det_rect_row_floats(r, gw * LF_TINY_CELL);
    f.rowbuf = push_floats(ex->arena, f.row_floats * LF_TINY_BAND_TASKS);
    if (!tm || !f.rowbuf) {
        lf_arena_pop_to(ex->arena, mark);
        return LF_FAIL(ex->err, FACE_ERR_OUT_OF_MEMORY, "scratch arena too small");
    }
    lf_det_rect_taps(r, tm, &f.tx, &f.ty);
    const lf_tiny_grid gr = {r->Gx, r->Gy, r->Wr, r->Hr, 0, 0, r->W, r->H};
    const size_t tiles = lf_arena_mark(ex->arena);
    face_status st = FACE_OK;
    size_t nc = 0;
    for (int j = 0; j < r->ny && st == FACE_OK; j++) {
        for (int i = 0; i < r->nx && st == FACE_OK; i++) {
            lf_det_rtile t;
            lf_det_rect_tile(r, i, j, &t);
            tiny_geom g;
            geom(d, (t.gy1 - t.gy0) * LF_TINY_CELL, (t.gx1 - t.gx0) * LF_TINY_CELL, gw * LF_TINY_CELL,
                 &g);
            f.x0 = t.gx0 * LF_TINY_CELL;
            f.y0 = t.gy0 * LF_TINY_CELL;
            f.w = g.W;
            const float *head;
            if ((st = forward(ex, d, &g, fill_rect, &f, &head)) == FACE_OK)
                nc += lf_tiny_decode(&gr, &t, head, score_thr, cands + nc);
            /* the next tile overwrites the same buffers: wiping tens of MB
             * per tile cost ~3 % of a pyramid; see the release below */
            lf_arena_release_to(ex->arena, tiles);
        }
    }
    if (st == FACE_OK) {
        /* every tile's candidates together: the same set, hence the same
         * NMS, as one pass over the whole level */
        lf_det_sort(cands, nc);
        *n = lf_det_nms(cands, nc, iou, max_keep);
    }
    lf_arena_release_to(ex->arena, mark); /* the caller wipes (detect.h) */
    return st;
}
