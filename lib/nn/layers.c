/* Convolution layers over the kernel table, split over the context's pool.
 *
 * Dense convs become GEMMs: a 1x1 stride-1 conv is one GEMM on the NHWC
 * activation as it lies; the 3x3 RGB stems run directly (no column
 * buffer); anything else goes through im2col in blocks of
 * output rows, so the column buffer stays within a fixed budget whatever the
 * image size (the budget, not the image, decides the scratch a network needs).
 * Work is split by output rows, which keeps every task's writes disjoint. */
#include <string.h>

#include "nn/nn.h"

/* im2col budget per conv call, in floats. 4 MiB keeps a block in L2/L3 on
 * the targets we care about while giving GEMM tall enough panels. */
#define LF_IM2COL_BUDGET_FLOATS ((size_t)1 << 20)

void lf_conv_geometry(lf_conv *c, int H, int W, int same, int *outH, int *outW)
{
    if (same) {
        lf_same_pad(H, c->kh, c->stride, outH, &c->pad_top);
        lf_same_pad(W, c->kw, c->stride, outW, &c->pad_left);
    } else {
        c->pad_top = c->pad_left = 0;
        *outH = (H - c->kh) / c->stride + 1;
        *outW = (W - c->kw) / c->stride + 1;
    }
}

static int conv_is_pointwise(const lf_conv *c)
{
    return c->kh == 1 && c->kw == 1 && c->stride == 1 && c->pad_top == 0 && c->pad_left == 0;
}

/* The 3x3 RGB stems: im2col would copy the image 9 times over into a
 * K = 27 column buffer, and a GEMM that shallow cannot amortise the copy;
 * the direct kernel reads the image in place and needs no scratch. Deeper
 * taps (the recognition net's 7x7 stem, K = 147) are ~1.5x faster through
 * im2col and the packed GEMM. (bench_kernels "stem convs" compares both.) */
#define LF_CONV_DIRECT_MAX_CIN 4
#define LF_CONV_DIRECT_MAX_K 36

static int conv_is_direct(const lf_conv *c)
{
    return !conv_is_pointwise(c) && c->cin <= LF_CONV_DIRECT_MAX_CIN &&
           c->kh * c->kw * c->cin <= LF_CONV_DIRECT_MAX_K;
}

/* Output rows whose im2col columns fit the budget (at least one). The tasks
 * of one call share these rows between their column slices. */
static int conv_buffer_rows(const lf_conv *c, int outH, int outW)
{
    size_t row_floats = (size_t)outW * (size_t)(c->kh * c->kw * c->cin);
    size_t fit = row_floats ? LF_IM2COL_BUDGET_FLOATS / row_floats : (size_t)outH;
    if (fit < 1) fit = 1; /* a single row wider than the budget: take one row */
    if (fit > (size_t)outH) fit = (size_t)outH;
    return (int)fit;
}

size_t lf_conv_scratch(const lf_conv *c, int outH, int outW)
{
    if (conv_is_pointwise(c) || conv_is_direct(c)) return 0;
    int rows = conv_buffer_rows(c, outH, outW);
    size_t row_floats = (size_t)outW * (size_t)(c->kh * c->kw * c->cin);
    return (size_t)rows * row_floats * sizeof(float) + LF_ALIGN;
}

typedef struct conv_job {
    const lf_exec *ex;
    const lf_conv *c;
    const float *in;
    int H, W, outH, outW;
    float *out;
    float *cols;      /* scratch for the im2col path */
    int rows_per_task;
    int slot_rows; /* im2col rows in each task's slice of cols */
} conv_job;

/* Re-bases the input at output row oy0 so a kernel only ever sees
 * non-negative top padding: rows above the image are padding, rows inside
 * are an offset into the input. */
static const float *conv_rows_from(const conv_job *j, int oy0, int *H, int *pad_top)
{
    const lf_conv *c = j->c;
    int row_start = oy0 * c->stride - c->pad_top;
    const float *in = j->in;
    *H = j->H;
    if (row_start >= 0) {
        in += (size_t)row_start * (size_t)j->W * (size_t)c->cin;
        *H -= row_start;
        *pad_top = 0;
    } else {
        *pad_top = -row_start;
    }
    if (*H < 0) *H = 0;
    return in;
}

static void epilogue(const lf_exec *ex, const lf_conv *c, float *y, int rows)
{
    if (c->scale) {
        if (c->bias) ex->k->bias_act(y, rows, c->cout, c->cout, c->bias, LF_ACT_NONE);
        ex->k->affine_act(y, rows, c->cout, c->cout, c->scale, c->shift, c->act);
    } else {
        ex->k->bias_act(y, rows, c->cout, c->cout, c->bias, c->act);
    }
}

static void pointwise_task(void *arg, int t)
{
    conv_job *j = arg;
    const lf_conv *c = j->c;
    int M = j->H * j->W;
    int m0 = t * j->rows_per_task;
    int m1 = m0 + j->rows_per_task;
    if (m1 > M) m1 = M;
    if (m0 >= m1) return;
    const float *a = j->in + (size_t)m0 * c->cin;
    float *y = j->out + (size_t)m0 * c->cout;
    j->ex->k->gemm(m1 - m0, c->cout, c->cin, a, c->cin, c->w, c->cout, y, c->cout, 0,
                   lf_exec_gemm_ws(j->ex, t));
    epilogue(j->ex, c, y, m1 - m0);
}

/* Task t owns output rows [t*rows_per_task, ...) and its own slice of the
 * column buffer, which it refills block by block. */
static void im2col_task(void *arg, int t)
{
    conv_job *j = arg;
    const lf_conv *c = j->c;
    const lf_kernels *k = j->ex->k;
    int K = c->kh * c->kw * c->cin;
    int oy_begin = t * j->rows_per_task;
    int oy_end = oy_begin + j->rows_per_task;
    if (oy_end > j->outH) oy_end = j->outH;
    if (oy_begin >= oy_end) return;
    int slot_rows = j->slot_rows;
    float *cols = j->cols + (size_t)t * (size_t)slot_rows * (size_t)j->outW * (size_t)K;

    for (int oy0 = oy_begin; oy0 < oy_end; oy0 += slot_rows) {
        int oy1 = oy0 + slot_rows;
        if (oy1 > oy_end) oy1 = oy_end;
        /* Re-base the input so the kernel only ever sees non-negative
         * padding: rows above the image are padding, rows inside are an
         * offset into the input. */
        int H, pad_top;
        const float *in = conv_rows_from(j, oy0, &H, &pad_top);
        k->im2col(in, H, j->W, c->cin, c->kh, c->kw, c->stride, pad_top, c->pad_left, cols,
                  oy1 - oy0, j->outW);
        int M = (oy1 - oy0) * j->outW;
        float *y = j->out + (size_t)oy0 * (size_t)j->outW * (size_t)c->cout;
        k->gemm(M, c->cout, K, cols, K, c->w, c->cout, y, c->cout, 0, lf_exec_gemm_ws(j->ex, t));
        epilogue(j->ex, c, y, M);
    }
}

/* Task t owns output rows [t*rows_per_task, ...); bias and activation are
 * fused into the kernel unless a frozen batch norm (scale) must come first. */
static void direct_task(void *arg, int t)
{
    conv_job *j = arg;
    const lf_conv *c = j->c;
    int oy0 = t * j->rows_per_task;
    int oy1 = oy0 + j->rows_per_task;
    if (oy1 > j->outH) oy1 = j->outH;
    if (oy0 >= oy1) return;
    int H, pad_top;
    const float *in = conv_rows_from(j, oy0, &H, &pad_top);
    float *y = j->out + (size_t)oy0 * (size_t)j->outW * (size_t)c->cout;
    j->ex->k->conv_direct(in, H, j->W, c->cin, c->w, c->kh, c->kw, c->cout, c->bias, c->stride,
                          pad_top, c->pad_left, y, oy1 - oy0, j->outW,
                          c->scale ? LF_ACT_NONE : c->act);
    if (c->scale)
        j->ex->k->affine_act(y, (oy1 - oy0) * j->outW, c->cout, c->cout, c->scale, c->shift,
                             c->act);
}

face_status lf_conv_forward(const lf_exec *ex, const lf_conv *c, const float *in, int H, int W,
                            float *out, int outH, int outW)
{
    if (!ex || !c || !in || !out || H <= 0 || W <= 0 || outH <= 0 || outW <= 0)
        return LF_FAIL(ex ? ex->err : NULL, FACE_ERR_INTERNAL, "bad conv arguments");
    int threads = lf_pool_threads(ex->pool);
    conv_job j = {ex, c, in, H, W, outH, outW, out, NULL, 0, 0};

    if (conv_is_pointwise(c)) {
        int M = H * W;
        /* Fewer than ~64 rows per task is not worth the hand-off. */
        int ntasks = threads;
        if (ntasks > M / 64) ntasks = M / 64;
        if (ntasks < 1) ntasks = 1;
        j.rows_per_task = (M + ntasks - 1) / ntasks;
        lf_pool_run(ex->pool, ntasks, pointwise_task, &j);
        return FACE_OK;
    }

    if (conv_is_direct(c)) {
        /* Rows are independent: split them like the depthwise layer. */
        int ntasks = threads < outH ? threads : outH;
        j.rows_per_task = (outH + ntasks - 1) / ntasks;
        lf_pool_run(ex->pool, ntasks, direct_task, &j);
        return FACE_OK;
    }

    int total_rows = conv_buffer_rows(c, outH, outW);
    int ntasks = threads;
    if (ntasks > total_rows) ntasks = total_rows; /* every task needs a row of buffer */
    if (ntasks > outH) ntasks = outH;
    if (ntasks < 1) ntasks = 1;
    size_t mark = lf_arena_mark(ex->arena);
    j.cols = lf_arena_push_uninit(ex->arena, lf_conv_scratch(c, outH, outW));
    if (!j.cols)
        return LF_FAIL(ex->err, FACE_ERR_INTERNAL, "scratch arena too small for conv %dx%d",
                       c->kh, c->kw);
    j.slot_rows = total_rows / ntasks;
    j.rows_per_task = (outH + ntasks - 1) / ntasks;
    lf_pool_run(ex->pool, ntasks, im2col_task, &j);
    /* Columns are rewritten by every conv of the pass; wiping them each time
     * cost ~15% of the recognition net. The call's final pop wipes them. */
    lf_arena_release_to(ex->arena, mark);
    return FACE_OK;
}

typedef struct dw_job {
    const lf_exec *ex;
    const float *in, *w, *bias;
    float *out;
    int H, W, C, stride, pad_top, pad_left, outH, outW, rows_per_task;
    lf_act act;
} dw_job;

static void dw_task(void *arg, int t)
{
    dw_job *j = arg;
    int oy0 = t * j->rows_per_task;
    int oy1 = oy0 + j->rows_per_task;
    if (oy1 > j->outH) oy1 = j->outH;
    if (oy0 >= oy1) return;
    int row_start = oy0 * j->stride - j->pad_top;
    const float *in = j->in;
    int H = j->H, pad_top;
    if (row_start >= 0) {
        in += (size_t)row_start * (size_t)j->W * (size_t)j->C;
        H -= row_start;
        pad_top = 0;
    } else {
        pad_top = -row_start;
    }
    if (H < 0) H = 0;
    j->ex->k->dwconv3x3(in, H, j->W, j->C, j->w, j->bias, j->stride, pad_top, j->pad_left,
                        j->out + (size_t)oy0 * (size_t)j->outW * (size_t)j->C, oy1 - oy0, j->outW,
                        j->act);
}

void lf_dwconv_forward(const lf_exec *ex, const float *in, int H, int W, int C, const float *w,
                       const float *bias, int stride, int pad_top, int pad_left, float *out,
                       int outH, int outW, lf_act act)
{
    int ntasks = lf_pool_threads(ex->pool);
    /* Small maps: splitting costs more than it saves. */
    if ((size_t)outH * (size_t)outW * (size_t)C < 16384) ntasks = 1;
    if (ntasks > outH) ntasks = outH;
    if (ntasks < 1) ntasks = 1;
    dw_job j = {ex, in, w, bias, out, H, W, C, stride, pad_top, pad_left, outH, outW,
                (outH + ntasks - 1) / ntasks, act};
    lf_pool_run(ex->pool, ntasks, dw_task, &j);
}

/* ---------------------------------------------------------------- images */

static int bytes_per_pixel(int format)
{
    switch (format) {
    case FACE_PIXEL_GRAY8: return 1;
    case FACE_PIXEL_RGB24:
    case FACE_PIXEL_BGR24: return 3;
    case FACE_PIXEL_RGBA32:
    case FACE_PIXEL_BGRA32: return 4;
    default: return 0;
    }
}

/* Dimensions beyond this are rejected outright: they would overflow int
 * arithmetic in the networks long before they hit the pixel limit. */
#define LF_MAX_SIDE 65536

face_status lf_image_check(const face_image *img, int64_t max_pixels, lf_error *err)
{
    if (!img) return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "image is NULL");
    if (img->struct_size < sizeof(face_image))
        return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "image struct_size %u too small",
                       (unsigned)img->struct_size);
    int bpp = bytes_per_pixel(img->format);
    if (!bpp) return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "unknown pixel format %d", img->format);
    if (!img->data) return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "image data is NULL");
    if (img->width <= 0 || img->height <= 0)
        return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "image size %dx%d", img->width, img->height);
    if (img->width > LF_MAX_SIDE || img->height > LF_MAX_SIDE ||
        (int64_t)img->width * img->height > max_pixels)
        return LF_FAIL(err, FACE_ERR_LIMIT, "image %dx%d exceeds the limit of %lld pixels",
                       img->width, img->height, (long long)max_pixels);
    if ((int64_t)img->stride < (int64_t)img->width * bpp)
        return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "stride %d < width %d * %d bytes",
                       img->stride, img->width, bpp);
    return FACE_OK;
}

void lf_image_rgb_row(const face_image *img, int y, int x0, int n, float *rgb)
{
    const uint8_t *p = img->data + (size_t)y * (size_t)img->stride;
    switch (img->format) {
    case FACE_PIXEL_GRAY8:
        for (int i = 0; i < n; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = p[x0 + i];
        break;
    case FACE_PIXEL_RGB24:
        p += (size_t)x0 * 3;
        for (int i = 0; i < 3 * n; i++) rgb[i] = p[i];
        break;
    case FACE_PIXEL_BGR24:
        p += (size_t)x0 * 3;
        for (int i = 0; i < n; i++) {
            rgb[3 * i] = p[3 * i + 2];
            rgb[3 * i + 1] = p[3 * i + 1];
            rgb[3 * i + 2] = p[3 * i];
        }
        break;
    case FACE_PIXEL_RGBA32:
        p += (size_t)x0 * 4;
        for (int i = 0; i < n; i++) {
            rgb[3 * i] = p[4 * i];
            rgb[3 * i + 1] = p[4 * i + 1];
            rgb[3 * i + 2] = p[4 * i + 2];
        }
        break;
    case FACE_PIXEL_BGRA32:
        p += (size_t)x0 * 4;
        for (int i = 0; i < n; i++) {
            rgb[3 * i] = p[4 * i + 2];
            rgb[3 * i + 1] = p[4 * i + 1];
            rgb[3 * i + 2] = p[4 * i];
        }
        break;
    default:
        memset(rgb, 0, (size_t)n * 3 * sizeof(float));
    }
}
