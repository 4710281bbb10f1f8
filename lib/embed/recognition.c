/* face_recognition_model: dlib's ResNet-29 descriptor network as ported by
 * face-api (docs/models.md §6), its two input paths and the fingerprint.
 *
 * The geometry is fixed by the 150x150 input, so the whole layer plan
 * (shapes, padding, buffer sizes, im2col scratch) is worked out once at load
 * time and a forward pass is a straight walk over it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "embed/embed.h"

#define REC_INPUT 150
#define REC_FEATURES 256
#define REC_BLOCKS 14
#define REC_CONVS (1 + 2 * REC_BLOCKS)
#define REC_DIV_DLIB 256.0f    /* dlib's input_rgb_image_sized normalisation */
#define REC_DIV_FACEAPI 255.0f /* face-api's */

/* Channel means of both dlib and face-api, RGB. */
static const float rec_mean[3] = {122.782f, 117.001f, 104.298f};

typedef struct rec_block_def {
    const char *name;
    int cin, cout, down;
} rec_block_def;

static const rec_block_def rec_blocks[REC_BLOCKS] = {
    {"conv32_1", 32, 32, 0},        {"conv32_2", 32, 32, 0},      {"conv32_3", 32, 32, 0},
    {"conv64_down", 32, 64, 1},     {"conv64_1", 64, 64, 0},      {"conv64_2", 64, 64, 0},
    {"conv64_3", 64, 64, 0},        {"conv128_down", 64, 128, 1}, {"conv128_1", 128, 128, 0},
    {"conv128_2", 128, 128, 0},     {"conv256_down", 128, 256, 1}, {"conv256_1", 256, 256, 0},
    {"conv256_2", 256, 256, 0},     {"conv256_down_out", 256, 256, 1},
};

/* One conv layer of the plan: the lf_conv plus its fixed input/output size. */
typedef struct rec_conv {
    lf_conv c;
    int inH, inW, outH, outW;
} rec_conv;

/* One residual block of the plan. For down blocks, pool* is the avg-pooled
 * shortcut and outH/outW the size of the sum (the larger of both paths). */
typedef struct rec_block {
    int inH, inW, cin, cout, down;
    int poolH, poolW, outH, outW;
} rec_block;

struct lf_recognizer {
    lf_allocator alloc;
    float *weights; /* one block: every conv's w/scale/shift, then fc */
    size_t weight_bytes;
    rec_conv convs[REC_CONVS]; /* conv32_down, then conv1/conv2 of each block */
    rec_block blocks[REC_BLOCKS];
    const float *fc; /* [256][128] */
    int stemH, stemW, poolH, poolW; /* conv32_down output, max-pool output */
    int finalH, finalW;             /* before the global average */
    size_t stem_floats;             /* conv32_down output */
    size_t act_floats;              /* largest activation after the max-pool */
    size_t conv_scratch;            /* largest lf_conv_forward scratch */
    uint8_t weight_hash[32];
};

/* ---------------------------------------------------------------- loading */

/* The tensors of one conv in manifest order: filters, bias, scale weights,
 * scale biases. Hashing goes in this order too. */
typedef struct rec_conv_tensors {
    const float *filters, *bias, *scale, *shift;
} rec_conv_tensors;

static void hash_floats(lf_hash *h, const float *v, size_t n)
{
    /* Little-endian bytes whatever the host, so a fingerprint is portable. */
    uint8_t buf[1024];
    while (n) {
        size_t k = n < sizeof buf / 4 ? n : sizeof buf / 4;
        for (size_t i = 0; i < k; i++) lf_wrf32(buf + 4 * i, v[i]);
        lf_hash_update(h, buf, 4 * k);
        v += k;
        n -= k;
    }
}

static int all_finite(const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return 0;
    return 1;
}

static face_status get_tensor(const face_model *m, const char *prefix, const char *suffix, int ndim,
                              const int *shape, const float **out, lf_hash *h, lf_error *err)
{
    char name[LF_MODEL_MAX_NAME + 1];
    int n = snprintf(name, sizeof name, "%s%s", prefix, suffix);
    if (n < 0 || (size_t)n >= sizeof name)
        return LF_FAIL(err, FACE_ERR_INTERNAL, "tensor name too long");
    face_status s = lf_model_get(m, name, ndim, shape, out, err);
    if (s != FACE_OK) return s == FACE_ERR_NOT_FOUND ? FACE_ERR_CORRUPT : s;
    size_t count = 1;
    for (int d = 0; d < ndim; d++) count *= (size_t)shape[d];
    /* A NaN weight would make every descriptor NaN; refuse it at load. */
    if (!all_finite(*out, count))
        return LF_FAIL(err, FACE_ERR_CORRUPT, "tensor '%s' has non-finite values", name);
    hash_floats(h, *out, count);
    return FACE_OK;
}

static face_status get_conv(const face_model *m, const char *prefix, int k, int cin, int cout,
                            rec_conv_tensors *t, lf_hash *h, lf_error *err)
{
    const int fshape[4] = {k, k, cin, cout};
    face_status s;
    if ((s = get_tensor(m, prefix, "/conv/filters", 4, fshape, &t->filters, h, err)) != FACE_OK ||
        (s = get_tensor(m, prefix, "/conv/bias", 1, &cout, &t->bias, h, err)) != FACE_OK ||
        (s = get_tensor(m, prefix, "/scale/weights", 1, &cout, &t->scale, h, err)) != FACE_OK ||
        (s = get_tensor(m, prefix, "/scale/biases", 1, &cout, &t->shift, h, err)) != FACE_OK)
        return s;
    return FACE_OK;
}

/* Copy a conv's weights to dst and fold the conv bias into the affine shift:
 * (y + b) * s + t = y * s + (b * s + t). Saves one pass over every output. */
static float *place_conv(rec_conv *rc, const rec_conv_tensors *t, float *dst)
{
    lf_conv *c = &rc->c;
    size_t nw = (size_t)c->kh * (size_t)c->kw * (size_t)c->cin * (size_t)c->cout;
    memcpy(dst, t->filters, nw * sizeof(float));
    c->w = dst;
    dst += nw;
    memcpy(dst, t->scale, (size_t)c->cout * sizeof(float));
    c->scale = dst;
    dst += c->cout;
    for (int i = 0; i < c->cout; i++)
        dst[i] = (float)((double)t->bias[i] * (double)t->scale[i] + (double)t->shift[i]);
    c->shift = dst;
    dst += c->cout;
    c->bias = NULL;
    return dst;
}

static void plan_conv(rec_conv *rc, int k, int cin, int cout, int stride, int same, lf_act act,
                      int inH, int inW)
{
    memset(rc, 0, sizeof *rc);
    rc->c.kh = rc->c.kw = k;
    rc->c.cin = cin;
    rc->c.cout = cout;
    rc->c.stride = stride;
    rc->c.act = act;
    rc->inH = inH;
    rc->inW = inW;
    lf_conv_geometry(&rc->c, inH, inW, same, &rc->outH, &rc->outW);
}

static size_t max_size(size_t a, size_t b) { return a > b ? a : b; }

/* Shapes of every layer for the 150x150 input; sizes of the buffers. */
static void plan(lf_recognizer *r)
{
    plan_conv(&r->convs[0], 7, 3, 32, 2, 0, LF_ACT_RELU, REC_INPUT, REC_INPUT);
    r->stemH = r->convs[0].outH;
    r->stemW = r->convs[0].outW;
    r->stem_floats = (size_t)r->stemH * r->stemW * 32;
    r->poolH = (r->stemH - 3) / 2 + 1;
    r->poolW = (r->stemW - 3) / 2 + 1;
    int H = r->poolH, W = r->poolW;
    r->act_floats = (size_t)H * W * 32;
    r->conv_scratch = lf_conv_scratch(&r->convs[0].c, r->convs[0].outH, r->convs[0].outW);
    for (int b = 0; b < REC_BLOCKS; b++) {
        const rec_block_def *d = &rec_blocks[b];
        rec_block *blk = &r->blocks[b];
        rec_conv *c1 = &r->convs[1 + 2 * b], *c2 = &r->convs[2 + 2 * b];
        blk->inH = H;
        blk->inW = W;
        blk->cin = d->cin;
        blk->cout = d->cout;
        blk->down = d->down;
        plan_conv(c1, 3, d->cin, d->cout, d->down ? 2 : 1, !d->down, LF_ACT_RELU, H, W);
        plan_conv(c2, 3, d->cout, d->cout, 1, 1, LF_ACT_NONE, c1->outH, c1->outW);
        if (d->down) {
            /* dlib add_prev: the sum takes the larger size of both paths. */
            blk->poolH = (H - 2) / 2 + 1;
            blk->poolW = (W - 2) / 2 + 1;
            blk->outH = c2->outH > blk->poolH ? c2->outH : blk->poolH;
            blk->outW = c2->outW > blk->poolW ? c2->outW : blk->poolW;
        } else {
            blk->poolH = blk->poolW = 0;
            blk->outH = c2->outH;
            blk->outW = c2->outW;
        }
        r->act_floats = max_size(r->act_floats, (size_t)c1->outH * c1->outW * d->cout);
        r->act_floats = max_size(r->act_floats, (size_t)blk->outH * blk->outW * d->cout);
        r->act_floats = max_size(r->act_floats, (size_t)blk->poolH * blk->poolW * d->cin);
        r->conv_scratch = max_size(r->conv_scratch, lf_conv_scratch(&c1->c, c1->outH, c1->outW));
        r->conv_scratch = max_size(r->conv_scratch, lf_conv_scratch(&c2->c, c2->outH, c2->outW));
        H = blk->outH;
        W = blk->outW;
    }
    r->finalH = H;
    r->finalW = W;
}

face_status lf_recognizer_load(const lf_allocator *a, const face_model *m, lf_recognizer **out,
                               lf_error *err)
{
    if (!a || !m || !out) return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "NULL argument");
    *out = NULL;
    if (m->kind != FACE_MODEL_RECOGNITION)
        return LF_FAIL(err, FACE_ERR_MODEL_MISMATCH, "model kind %d is not recognition",
                       (int)m->kind);

    lf_recognizer *r = lf_calloc(a, sizeof *r, LF_ALIGN);
    if (!r) return LF_FAIL(err, FACE_ERR_OUT_OF_MEMORY, "recognizer");
    r->alloc = *a;
    plan(r);

    /* Find and shape-check everything (hashing as we go) before allocating
     * the weight block. */
    rec_conv_tensors t[REC_CONVS];
    lf_hash h;
    lf_hash_init(&h, sizeof r->weight_hash);
    static const char domain[] = "libface recognition weights v1";
    lf_hash_update(&h, domain, sizeof domain);
    face_status s = get_conv(m, "conv32_down", 7, 3, 32, &t[0], &h, err);
    for (int b = 0; s == FACE_OK && b < REC_BLOCKS; b++) {
        char prefix[64];
        const rec_block_def *d = &rec_blocks[b];
        snprintf(prefix, sizeof prefix, "%s/conv1", d->name);
        s = get_conv(m, prefix, 3, d->cin, d->cout, &t[1 + 2 * b], &h, err);
        if (s != FACE_OK) break;
        snprintf(prefix, sizeof prefix, "%s/conv2", d->name);
        s = get_conv(m, prefix, 3, d->cout, d->cout, &t[2 + 2 * b], &h, err);
    }
    const float *fc = NULL;
    const int fc_shape[2] = {REC_FEATURES, FACE_TEMPLATE_DIM};
    if (s == FACE_OK) s = get_tensor(m, "fc", "", 2, fc_shape, &fc, &h, err);
    lf_hash_final(&h, r->weight_hash, sizeof r->weight_hash);
    if (s != FACE_OK) {
        lf_free(a, r, sizeof *r);
        return s;
    }

    size_t floats = (size_t)REC_FEATURES * FACE_TEMPLATE_DIM;
    for (int i = 0; i < REC_CONVS; i++) {
        const lf_conv *c = &r->convs[i].c;
        floats += (size_t)c->kh * c->kw * c->cin * c->cout + 2 * (size_t)c->cout;
    }
    r->weight_bytes = floats * sizeof(float);
    r->weights = lf_alloc(a, r->weight_bytes, LF_ALIGN);
    if (!r->weights) {
        lf_free(a, r, sizeof *r);
        return LF_FAIL(err, FACE_ERR_OUT_OF_MEMORY, "recognition weights (%zu bytes)",
                       r->weight_bytes);
    }
    float *dst = r->weights;
    for (int i = 0; i < REC_CONVS; i++) dst = place_conv(&r->convs[i], &t[i], dst);
    memcpy(dst, fc, (size_t)REC_FEATURES * FACE_TEMPLATE_DIM * sizeof(float));
    r->fc = dst;
    *out = r;
    return FACE_OK;
}

void lf_recognizer_free(lf_recognizer *r)
{
    if (!r) return;
    lf_allocator a = r->alloc;
    lf_free(&a, r->weights, r->weight_bytes);
    lf_free(&a, r, sizeof *r);
}

/* Pushes of one call, each padded to LF_ALIGN by the arena. */
#define REC_PUSHES 10

static size_t rec_input_bytes(void) { return (size_t)REC_INPUT * REC_INPUT * 3 * sizeof(float); }

static size_t forward_bytes(const lf_recognizer *r)
{
    return (r->stem_floats + 3 * r->act_floats) * sizeof(float) + r->conv_scratch;
}

size_t lf_recognizer_scratch_bytes(const lf_recognizer *r, int img_w, int img_h)
{
    (void)img_h; /* the crop path holds two rows of the crop, never the whole crop */
    if (!r) return 0;
    size_t w = img_w > REC_INPUT ? (size_t)img_w : REC_INPUT;
    size_t rows = 2 * w * 3 * sizeof(float);
    size_t stage = rows > forward_bytes(r) ? rows : forward_bytes(r);
    return rec_input_bytes() + stage + REC_PUSHES * LF_ALIGN;
}

void lf_recognizer_fingerprint(const lf_recognizer *r, int align_mode,
                               uint8_t out[FACE_FINGERPRINT_BYTES])
{
    uint32_t div = align_mode == FACE_ALIGN_DLIB ? 256u : align_mode == FACE_ALIGN_FACEAPI ? 255u : 0u;
    uint8_t tail[8];
    lf_wr32(tail, (uint32_t)align_mode);
    lf_wr32(tail + 4, div);
    lf_hash h;
    lf_hash_init(&h, FACE_FINGERPRINT_BYTES);
    lf_hash_update(&h, r->weight_hash, sizeof r->weight_hash);
    lf_hash_update(&h, tail, sizeof tail);
    lf_hash_final(&h, out, FACE_FINGERPRINT_BYTES);
}

/* ---------------------------------------------------------------- forward */

static void *push(const lf_exec *ex, size_t bytes)
{
    void *p = lf_arena_push(ex->arena, bytes);
    if (!p) LF_FAIL(ex->err, FACE_ERR_INTERNAL, "scratch arena too small (%zu bytes more)", bytes);
    return p;
}

/* Down-block sum: the shortcut (pooled x, channels zero-padded from cin to
 * cout) plus the main path (zero-padded bottom/right to the shortcut's size),
 * then relu. Written element by element: the maps are at most 17x17. */
static void down_sum(const rec_block *b, const rec_conv *c2, const float *pool, const float *main,
                     float *out)
{
    for (int y = 0; y < b->outH; y++)
        for (int x = 0; x < b->outW; x++) {
            int in_pool = y < b->poolH && x < b->poolW;
            int in_main = y < c2->outH && x < c2->outW;
            const float *p = pool + ((size_t)y * b->poolW + x) * b->cin;
            const float *m = main + ((size_t)y * c2->outW + x) * b->cout;
            float *o = out + ((size_t)y * b->outW + x) * b->cout;
            for (int c = 0; c < b->cout; c++) {
                float v = (in_pool && c < b->cin ? p[c] : 0.0f) + (in_main ? m[c] : 0.0f);
                o[c] = v > 0.0f ? v : 0.0f;
            }
        }
}

/* Descriptor of a normalised 150x150x3 input. Uses the arena above its mark
 * and returns it wiped. */
static face_status forward(const lf_exec *ex, const lf_recognizer *r, const float *in,
                           float desc[FACE_TEMPLATE_DIM])
{
    const lf_kernels *k = ex->k;
    size_t mark = lf_arena_mark(ex->arena);
    face_status s = FACE_ERR_INTERNAL;
    float *stem = push(ex, r->stem_floats * sizeof(float));
    float *x = push(ex, r->act_floats * sizeof(float));
    float *t = push(ex, r->act_floats * sizeof(float));
    float *u = push(ex, r->act_floats * sizeof(float));
    if (!stem || !x || !t || !u) goto done;

    const rec_conv *c0 = &r->convs[0];
    if ((s = lf_conv_forward(ex, &c0->c, in, c0->inH, c0->inW, stem, c0->outH, c0->outW)) != FACE_OK)
        goto done;
    k->maxpool(stem, r->stemH, r->stemW, 32, 3, 2, 0, 0, x, r->poolH, r->poolW);

    for (int bi = 0; bi < REC_BLOCKS; bi++) {
        const rec_block *b = &r->blocks[bi];
        const rec_conv *c1 = &r->convs[1 + 2 * bi], *c2 = &r->convs[2 + 2 * bi];
        if ((s = lf_conv_forward(ex, &c1->c, x, c1->inH, c1->inW, t, c1->outH, c1->outW)) != FACE_OK ||
            (s = lf_conv_forward(ex, &c2->c, t, c2->inH, c2->inW, u, c2->outH, c2->outW)) != FACE_OK)
            goto done;
        if (b->down) {
            /* t is free again once conv2 has read it: it takes the shortcut. */
            k->avgpool(x, b->inH, b->inW, b->cin, 2, 2, t, b->poolH, b->poolW);
            down_sum(b, c2, t, u, x);
        } else {
            k->add_act(x, x, u, (size_t)b->outH * b->outW * b->cout, LF_ACT_RELU);
        }
    }

    /* Global average (sequential sum, then one division, as the reference). */
    float feat[REC_FEATURES];
    int n = r->finalH * r->finalW;
    for (int c = 0; c < REC_FEATURES; c++) {
        float acc = 0.0f;
        for (int i = 0; i < n; i++) acc += x[(size_t)i * REC_FEATURES + c];
        feat[c] = acc / (float)n;
    }
    k->gemm(1, FACE_TEMPLATE_DIM, REC_FEATURES, feat, REC_FEATURES, r->fc, FACE_TEMPLATE_DIM, desc,
            FACE_TEMPLATE_DIM, 0, lf_exec_gemm_ws(ex, 0));
    lf_wipe(feat, sizeof feat);
    s = FACE_OK;
done:
    lf_arena_pop_to(ex->arena, mark);
    return s;
}

static void mirror_input(float *in)
{
    for (int y = 0; y < REC_INPUT; y++) {
        float *row = in + (size_t)y * REC_INPUT * 3;
        for (int a = 0, b = REC_INPUT - 1; a < b; a++, b--)
            for (int c = 0; c < 3; c++) {
                float tmp = row[3 * a + c];
                row[3 * a + c] = row[3 * b + c];
                row[3 * b + c] = tmp;
            }
    }
}

/* Run the net on a prepared input (and its mirror) and fill the template. */
static face_status finish_template(const lf_exec *ex, const lf_recognizer *r, float *in,
                                   uint32_t embed_flags, int align_mode, face_template *out)
{
    float d[FACE_TEMPLATE_DIM], dm[FACE_TEMPLATE_DIM];
    face_status s = forward(ex, r, in, d);
    if (s == FACE_OK && (embed_flags & FACE_EMBED_FLIP_AVG)) {
        mirror_input(in);
        s = forward(ex, r, in, dm);
        for (int i = 0; s == FACE_OK && i < FACE_TEMPLATE_DIM; i++) d[i] = (d[i] + dm[i]) * 0.5f;
    }
    if (s == FACE_OK) {
        face_template t;
        memset(&t, 0, sizeof t);
        t.struct_size = sizeof t;
        t.version = FACE_TEMPLATE_VERSION;
        t.dim = FACE_TEMPLATE_DIM;
        t.flags = (align_mode == FACE_ALIGN_DLIB ? FACE_TEMPLATE_FLAG_ALIGN_DLIB
                                                 : FACE_TEMPLATE_FLAG_ALIGN_FACEAPI) |
                  (embed_flags & FACE_EMBED_FLIP_AVG ? FACE_TEMPLATE_FLAG_FLIP_AVG : 0u);
        lf_recognizer_fingerprint(r, align_mode, t.fingerprint);
        memcpy(t.values, d, sizeof d);
        *out = t;
        lf_wipe(&t, sizeof t);
    }
    lf_wipe(d, sizeof d);
    lf_wipe(dm, sizeof dm);
    return s;
}

static face_status check_common(const lf_exec *ex, const lf_recognizer *r, uint32_t embed_flags,
                                const face_template *out)
{
    if (!ex || !ex->k || !ex->arena) return FACE_ERR_INVALID_ARGUMENT;
    if (!r || !out) return LF_FAIL(ex->err, FACE_ERR_INVALID_ARGUMENT, "NULL recognizer or output");
    if (embed_flags & ~FACE_EMBED_FLIP_AVG)
        return LF_FAIL(ex->err, FACE_ERR_INVALID_ARGUMENT, "unknown embed flags 0x%x",
                       (unsigned)embed_flags);
    return FACE_OK;
}

face_status lf_embed_from_chip(const lf_exec *ex, const lf_recognizer *r, const face_chip *chip,
                               uint32_t embed_flags, face_template *out)
{
    face_status s = check_common(ex, r, embed_flags, out);
    if (s != FACE_OK) return s;
    if (!chip) return LF_FAIL(ex->err, FACE_ERR_INVALID_ARGUMENT, "NULL chip");
    if (chip->size != FACE_CHIP_SIZE)
        return LF_FAIL(ex->err, FACE_ERR_INVALID_ARGUMENT, "chip size %d, expected %d",
                       (int)chip->size, FACE_CHIP_SIZE);

    size_t mark = lf_arena_mark(ex->arena);
    float *in = push(ex, rec_input_bytes());
    if (!in) return FACE_ERR_INTERNAL;
    /* dlib's normalisation; the subtraction and the division are each
     * rounded as dlib rounds them. */
    for (size_t i = 0; i < (size_t)REC_INPUT * REC_INPUT; i++)
        for (int c = 0; c < 3; c++)
            in[3 * i + c] = ((float)chip->rgb[3 * i + c] - rec_mean[c]) / REC_DIV_DLIB;
    s = finish_template(ex, r, in, embed_flags, FACE_ALIGN_DLIB, out);
    lf_arena_pop_to(ex->arena, mark);
    return s;
}

/* TF1 legacy bilinear taps for output index o (align_corners=false,
 * half_pixel_centers=false); src in double, as tfjs computes it. */
static void resize_taps(int o, int in, int *i0, int *i1, float *f)
{
    double src = (double)o * ((double)in / (double)REC_INPUT);
    int a = (int)src;
    if (a > in - 1) a = in - 1;
    *i0 = a;
    *i1 = a + 1 < in ? a + 1 : in - 1;
    *f = (float)(src - (double)a);
}

face_status lf_embed_from_crop(const lf_exec *ex, const lf_recognizer *r, const face_image *img,
                               const face_rect *crop, uint32_t embed_flags, face_template *out)
{
    face_status s = check_common(ex, r, embed_flags, out);
    if (s != FACE_OK) return s;
    if (!img || !img->data || img->width <= 0 || img->height <= 0 || !crop)
        return LF_FAIL(ex->err, FACE_ERR_INVALID_ARGUMENT, "NULL or empty image, or NULL crop");
    double W = img->width, H = img->height;
    double rx = crop->x, ry = crop->y, rw = crop->width, rh = crop->height;
    if (!isfinite(rx) || !isfinite(ry) || !isfinite(rw) || !isfinite(rh))
        return LF_FAIL(ex->err, FACE_ERR_INVALID_ARGUMENT, "crop is not finite");

    /* face-api's clip: clamp the origin at 0, cut the size at the image
     * edge, then floor everything. */
    double x0 = rx > 0 ? rx : 0, y0 = ry > 0 ? ry : 0;
    double w = fmin(rx + rw - x0, W - x0), h = fmin(ry + rh - y0, H - y0);
    if (!(x0 < W && y0 < H && w >= 1.0 && h >= 1.0))
        return LF_FAIL(ex->err, FACE_ERR_INVALID_ARGUMENT,
                       "crop (%g, %g, %g, %g) is empty inside the %dx%d image", rx, ry, rw, rh,
                       img->width, img->height);
    int cx = (int)floor(x0), cy = (int)floor(y0), cw = (int)floor(w), ch = (int)floor(h);

    /* Centred padding to a square: face-api appends round(d/2) after and
     * d - round(d/2) before (JS rounding, .5 up). */
    int side = cw > ch ? cw : ch;
    int d = side - (cw < ch ? cw : ch);
    int before = d - (d + 1) / 2;
    int offx = cw < ch ? before : 0, offy = ch < cw ? before : 0;

    size_t mark = lf_arena_mark(ex->arena);
    float *in = push(ex, rec_input_bytes());
    size_t row_mark = lf_arena_mark(ex->arena);
    float *rows[2] = {push(ex, (size_t)cw * 3 * sizeof(float)), push(ex, (size_t)cw * 3 * sizeof(float))};
    if (!in || !rows[0] || !rows[1]) {
        lf_arena_pop_to(ex->arena, mark);
        return FACE_ERR_INTERNAL;
    }

    /* Resize straight from the image through the virtual padded square, two
     * source rows at a time: the scratch stays two crop rows, whatever the
     * crop size, and the arithmetic is the reference's (rows first, then
     * columns, in float). */
    int tx0[REC_INPUT], tx1[REC_INPUT];
    float fx[REC_INPUT];
    for (int o = 0; o < REC_INPUT; o++) resize_taps(o, side, &tx0[o], &tx1[o], &fx[o]);
    int held[2] = {-1, -1}; /* crop row held by each row buffer */
    for (int oy = 0; oy < REC_INPUT; oy++) {
        int sy[2];
        float fy;
        resize_taps(oy, side, &sy[0], &sy[1], &fy);
        const float *src[2];
        for (int j = 0; j < 2; j++) {
            int cr = sy[j] - offy;
            if (cr < 0 || cr >= ch) {
                src[j] = NULL; /* a padding row: zeros */
                continue;
            }
            int slot = held[0] == cr ? 0 : held[1] == cr ? 1 : -1;
            if (slot < 0) {
                /* Reuse the buffer the other tap of this row does not need. */
                slot = (j == 1 && src[0] == rows[0]) ? 1 : (j == 1 && src[0] == rows[1]) ? 0 : j;
                lf_image_rgb_row(img, cy + cr, cx, cw, rows[slot]);
                held[slot] = cr;
            }
            src[j] = rows[slot];
        }
        float *o = in + (size_t)oy * REC_INPUT * 3;
        for (int ox = 0; ox < REC_INPUT; ox++) {
            int a = tx0[ox] - offx, b = tx1[ox] - offx;
            int a_ok = a >= 0 && a < cw, b_ok = b >= 0 && b < cw;
            for (int c = 0; c < 3; c++) {
                float t0 = src[0] && a_ok ? src[0][3 * a + c] : 0.0f;
                float b0 = src[1] && a_ok ? src[1][3 * a + c] : 0.0f;
                float t1 = src[0] && b_ok ? src[0][3 * b + c] : 0.0f;
                float b1 = src[1] && b_ok ? src[1][3 * b + c] : 0.0f;
                float l = t0 + (b0 - t0) * fy;
                float rr = t1 + (b1 - t1) * fy;
                float v = l + (rr - l) * fx[ox];
                o[3 * ox + c] = (v - rec_mean[c]) / REC_DIV_FACEAPI;
            }
        }
    }
    lf_arena_pop_to(ex->arena, row_mark); /* wipes the pixel rows */

    s = finish_template(ex, r, in, embed_flags, FACE_ALIGN_FACEAPI, out);
    lf_arena_pop_to(ex->arena, mark);
    return s;
}
