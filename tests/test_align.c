/* lib/align without models or ../shared: the similarity fit (known answers),
 * face-api's crop box (hand-computed answers, the width/height correction,
 * clipping), the chip's edge cases, the landmark network against a naive
 * re-implementation on random weights, and exhaustive bad input. */
#include <float.h>
#include <math.h>

#include "align/align.h"
#include "testutil.h"

static lf_allocator g_alloc;

static face_image view(int fmt, int w, int h, int stride, const uint8_t *px)
{
    face_image im = {sizeof(face_image), fmt, w, h, stride, 0, px};
    return im;
}

/* ---------------------------------------------------------------- similarity */

static void test_similarity_known(void **state)
{
    (void)state;
    /* Two points: (0,0)->(1,1), (1,0)->(1,3) is a 90 degree turn, scale 2. */
    double s2[] = {0, 0, 1, 0}, d2[] = {1, 1, 1, 3}, m[2], t[2];
    lf_similarity_fit(s2, d2, 2, m, t);
    assert_true(fabs(m[0] - 0) < 1e-12 && fabs(m[1] - 2) < 1e-12);
    assert_true(fabs(t[0] - 1) < 1e-12 && fabs(t[1] - 1) < 1e-12);

    /* 33 scattered points under known similarities are recovered exactly
     * (to rounding), including reflections of the angle range and tiny and
     * huge scales. */
    uint64_t seed = 12345;
    const double scales[] = {0.01, 0.37, 1.0, 2.5, 40.0};
    const double angles[] = {0.0, 0.3, -1.2, 3.0, -3.1};
    for (int si = 0; si < 5; si++)
        for (int ai = 0; ai < 5; ai++) {
            double src[66], dst[66];
            double s = scales[si], a = angles[ai], tx = tu_randf(&seed, -500, 500),
                   ty = tu_randf(&seed, -500, 500);
            for (int i = 0; i < 33; i++) {
                src[2 * i] = tu_randf(&seed, 0, 150);
                src[2 * i + 1] = tu_randf(&seed, 0, 150);
                dst[2 * i] = s * (cos(a) * src[2 * i] - sin(a) * src[2 * i + 1]) + tx;
                dst[2 * i + 1] = s * (sin(a) * src[2 * i] + cos(a) * src[2 * i + 1]) + ty;
            }
            lf_similarity_fit(src, dst, 33, m, t);
            assert_true(fabs(m[0] - s * cos(a)) < 1e-9 * (1 + s));
            assert_true(fabs(m[1] - s * sin(a)) < 1e-9 * (1 + s));
            assert_true(fabs(t[0] - tx) < 1e-7 && fabs(t[1] - ty) < 1e-7);
        }

    /* Least squares, worked by hand: a square (0,0)..(10,10) scaled by 3 and
     * moved by (5, -7), with x of (0,0) pushed +0.5 and x of (10,10) -0.5.
     * Centroids stay put; A drops by 5 and B gains 5 (sigma^2 = 200), so
     * m = (3 - 5/200, 5/200) and t = (20, 8) - R (5, 5) = (5.25, -7). */
    double src[8] = {0, 0, 10, 0, 10, 10, 0, 10}, dst[8];
    for (int i = 0; i < 4; i++) {
        dst[2 * i] = 3 * src[2 * i] + 5;
        dst[2 * i + 1] = 3 * src[2 * i + 1] - 7;
    }
    dst[0] += 0.5;
    dst[4] -= 0.5;
    lf_similarity_fit(src, dst, 4, m, t);
    assert_true(fabs(m[0] - 2.975) < 1e-12 && fabs(m[1] - 0.025) < 1e-12);
    assert_true(fabs(t[0] - 5.25) < 1e-12 && fabs(t[1] + 7) < 1e-12);
}

/* ---------------------------------------------------------------- face-api box */

/* Eyes and mouth collapsed to points L, R, M. */
static face_landmarks lm_lrm(double lx, double ly, double rx, double ry, double mx, double my)
{
    face_landmarks lm;
    memset(&lm, 0, sizeof lm);
    lm.count = FACE_LANDMARK_COUNT;
    for (int i = 0; i < FACE_LANDMARK_COUNT; i++) {
        face_point p = {(float)mx, (float)my};
        if (i >= 36 && i < 42) p = (face_point){(float)lx, (float)ly};
        else if (i >= 42 && i < 48) p = (face_point){(float)rx, (float)ry};
        else if (i < 48) p = (face_point){-1e6f, 1e6f}; /* unused points must not matter */
        lm.points[i] = p;
    }
    return lm;
}

static void test_faceapi_box(void **state)
{
    (void)state;
    /* |M-L| = |M-R| = sqrt(30^2 + 60^2) = 67.08; size = floor(67.08/0.45) = 149;
     * centre (130, 120): x = floor(130 - 74.5) = 55, y = floor(120 - 64.07) = 55. */
    face_landmarks lm = lm_lrm(100, 100, 160, 100, 130, 160);
    face_rect det = {40, 30, 200, 220}, out;
    assert_int_equal(lf_faceapi_box(&lm, &det, 1000, 800, &out), FACE_OK);
    assert_true(out.x == 55 && out.y == 55 && out.width == 149 && out.height == 149);
    /* Narrow detection box: width = min(size, det.width + x) = 80 + 55 = 135. */
    face_rect narrow = {40, 30, 80, 60};
    assert_int_equal(lf_faceapi_box(&lm, &narrow, 1000, 800, &out), FACE_OK);
    assert_true(out.x == 55 && out.y == 55 && out.width == 135 && out.height == 115);
    /* Fractional detection sizes are floored after the clip. */
    face_rect frac = {0, 0, 80.7f, 60.2f};
    assert_int_equal(lf_faceapi_box(&lm, &frac, 1000, 800, &out), FACE_OK);
    assert_true(out.width == 135 && out.height == 115);
    /* Clipped at the right/bottom edge of the image. */
    assert_int_equal(lf_faceapi_box(&lm, &det, 150, 100, &out), FACE_OK);
    assert_true(out.x == 55 && out.y == 55 && out.width == 95 && out.height == 45);
    /* A face at the top-left corner: the origin is clamped to 0. */
    face_landmarks c = lm_lrm(10, 5, 70, 5, 40, 65);
    assert_int_equal(lf_faceapi_box(&c, &det, 1000, 800, &out), FACE_OK);
    assert_true(out.x == 0 && out.y == 0 && out.width == 149 && out.height == 149);
    /* Entirely right of the image: nothing to crop. */
    face_landmarks far = lm_lrm(2100, 100, 2160, 100, 2130, 160);
    assert_int_equal(lf_faceapi_box(&far, &det, 1000, 800, &out), FACE_ERR_INVALID_ARGUMENT);

    /* Bad input. */
    assert_int_equal(lf_faceapi_box(NULL, &det, 10, 10, &out), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_faceapi_box(&lm, NULL, 10, 10, &out), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_faceapi_box(&lm, &det, 10, 10, NULL), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_faceapi_box(&lm, &det, 0, 10, &out), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_faceapi_box(&lm, &det, 10, -1, &out), FACE_ERR_INVALID_ARGUMENT);
    const float bad[] = {NAN, INFINITY, -INFINITY};
    for (int v = 0; v < 3; v++) {
        for (int i = 0; i < 2 * FACE_LANDMARK_COUNT; i++) {
            face_landmarks b = lm;
            ((float *)b.points)[i] = bad[v];
            assert_int_equal(lf_faceapi_box(&b, &det, 1000, 800, &out), FACE_ERR_INVALID_ARGUMENT);
        }
        for (int i = 0; i < 4; i++) {
            face_rect b = det;
            ((float *)&b)[i] = bad[v];
            assert_int_equal(lf_faceapi_box(&lm, &b, 1000, 800, &out), FACE_ERR_INVALID_ARGUMENT);
        }
    }
}

/* ---------------------------------------------------------------- chip */

/* A plausible frontal face: dlib's template mapped to image pixels by
 * scale k and offset (ox, oy). */
static face_landmarks template_face(double k, double ox, double oy)
{
    /* Rough iBUG positions are enough here: only 27..54 and 60..64 matter
     * to the fit, and these tests check behaviour, not pixels. */
    face_landmarks lm;
    memset(&lm, 0, sizeof lm);
    lm.count = FACE_LANDMARK_COUNT;
    for (int i = 0; i < FACE_LANDMARK_COUNT; i++) {
        double u = 0.5 + 0.4 * cos(i * 0.7), v = 0.5 + 0.4 * sin(i * 1.3);
        lm.points[i].x = (float)(ox + k * u * 100);
        lm.points[i].y = (float)(oy + k * v * 100);
    }
    return lm;
}

static face_status chip_run(const face_image *im, const face_landmarks *lm, face_chip *out)
{
    lf_arena ar;
    lf_arena_init(&ar, &g_alloc);
    assert_int_equal(lf_arena_reserve(&ar, lf_chip_scratch_bytes(im, lm)), FACE_OK);
    lf_error err = {{0}};
    face_status st = lf_dlib_chip(&ar, im, lm, out, &err);
    assert_int_equal(ar.top, 0);
    lf_arena_destroy(&ar);
    return st;
}

static int chip_is_zero(const face_chip *c)
{
    for (size_t i = 0; i < sizeof c->rgb; i++)
        if (c->rgb[i]) return 0;
    return 1;
}

static void test_chip_edges(void **state)
{
    (void)state;
    enum { W = 200, H = 160 };
    static uint8_t px[W * H * 3];
    for (int i = 0; i < W * H * 3; i++) px[i] = (uint8_t)(17 + i % 200);
    face_image im = view(FACE_PIXEL_RGB24, W, H, W * 3, px);
    face_chip chip;

    /* Inside: not black; a constant image gives a (truncated) constant chip. */
    face_landmarks in = template_face(1.0, 40, 30);
    assert_int_equal(chip_run(&im, &in, &chip), FACE_OK);
    assert_int_equal(chip.size, FACE_CHIP_SIZE);
    assert_false(chip_is_zero(&chip));
    static uint8_t flat[W * H * 3];
    memset(flat, 200, sizeof flat);
    face_image fl = view(FACE_PIXEL_RGB24, W, H, W * 3, flat);
    assert_int_equal(chip_run(&fl, &in, &chip), FACE_OK);
    for (size_t i = 0; i < sizeof chip.rgb; i++) assert_true(chip.rgb[i] == 0 || chip.rgb[i] >= 199);

    /* Far outside in every direction, at normal and pyramid scales: black. */
    const double offs[][2] = {{-5000, 0}, {5000, 0}, {0, -5000}, {0, 5000}, {1e7, -1e7}};
    for (int i = 0; i < 5; i++)
        for (int s = 0; s < 2; s++) {
            face_landmarks out = template_face(s ? 6.0 : 1.0, offs[i][0], offs[i][1]);
            assert_int_equal(chip_run(&im, &out, &chip), FACE_OK);
            assert_true(chip_is_zero(&chip));
        }

    /* Degenerate and extreme but finite landmarks: no crash, no NaN paths. */
    face_landmarks same;
    memset(&same, 0, sizeof same);
    for (int i = 0; i < FACE_LANDMARK_COUNT; i++) same.points[i] = (face_point){50.5f, 60.5f};
    assert_int_equal(chip_run(&im, &same, &chip), FACE_OK);
    const float big[] = {FLT_MAX, -FLT_MAX, 1e30f, 3e9f};
    for (int b = 0; b < 4; b++) {
        face_landmarks x = in;
        for (int i = 0; i < FACE_LANDMARK_COUNT; i += 3) x.points[i].x = big[b];
        assert_int_equal(chip_run(&im, &x, &chip), FACE_OK);
        for (int i = 0; i < FACE_LANDMARK_COUNT; i++) x.points[i] = (face_point){big[b], -big[b]};
        assert_int_equal(chip_run(&im, &x, &chip), FACE_OK);
        assert_true(chip_is_zero(&chip));
    }
    /* A huge face on a tiny image: the pyramid runs out of pixels. */
    static uint8_t tiny_px[5 * 4 * 3] = {1};
    face_image tiny = view(FACE_PIXEL_RGB24, 5, 4, 15, tiny_px);
    face_landmarks huge = template_face(30.0, -1000, -1000);
    assert_int_equal(chip_run(&tiny, &huge, &chip), FACE_OK);
    assert_true(chip_is_zero(&chip));

    /* Bad input: NULLs, broken images, every non-finite coordinate. */
    lf_arena ar;
    lf_arena_init(&ar, &g_alloc);
    assert_int_equal(lf_arena_reserve(&ar, 1 << 16), FACE_OK);
    lf_error err = {{0}};
    assert_int_equal(lf_dlib_chip(NULL, &im, &in, &chip, &err), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_dlib_chip(&ar, NULL, &in, &chip, &err), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_dlib_chip(&ar, &im, NULL, &chip, &err), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_dlib_chip(&ar, &im, &in, NULL, &err), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_dlib_chip(&ar, &im, &in, &chip, NULL), FACE_OK); /* err is optional */
    face_image broken[] = {view(FACE_PIXEL_RGB24, 0, H, W * 3, px), view(FACE_PIXEL_RGB24, W, -1, W * 3, px),
                           view(FACE_PIXEL_RGB24, W, H, W * 3 - 1, px), view(99, W, H, W * 3, px),
                           view(0, W, H, W * 3, px), view(FACE_PIXEL_RGB24, W, H, W * 3, NULL)};
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        assert_int_equal(lf_dlib_chip(&ar, &broken[i], &in, &chip, &err), FACE_ERR_INVALID_ARGUMENT);
        assert_int_equal(lf_chip_scratch_bytes(&broken[i], &in), 0);
    }
    face_image small_struct = im;
    small_struct.struct_size = 4;
    assert_int_equal(lf_dlib_chip(&ar, &small_struct, &in, &chip, &err), FACE_ERR_INVALID_ARGUMENT);
    const float bad[] = {NAN, INFINITY, -INFINITY};
    for (int v = 0; v < 3; v++)
        for (int i = 0; i < 2 * FACE_LANDMARK_COUNT; i++) {
            face_landmarks b = in;
            ((float *)b.points)[i] = bad[v];
            assert_int_equal(lf_dlib_chip(&ar, &im, &b, &chip, &err), FACE_ERR_INVALID_ARGUMENT);
            assert_int_equal(lf_chip_scratch_bytes(&im, &b), 0);
        }
    assert_int_equal(ar.top, 0);
    lf_arena_destroy(&ar);
}

/* ---------------------------------------------------------------- landmark net */

/* A landmark model in memory with random weights, built like lf_model_parse
 * would: tensors by manifest name and shape. */
#define MAXT 64
typedef struct fake_model {
    face_model m;
    lf_tensor t[MAXT];
    float *data[MAXT];
} fake_model;

static void add_tensor(fake_model *f, const char *name, int ndim, const int *shape, uint64_t *seed,
                       float amp)
{
    lf_tensor *t = &f->t[f->m.n_tensors];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->ndim = ndim;
    t->count = 1;
    for (int d = 0; d < ndim; d++) t->count *= (size_t)(t->shape[d] = shape[d]);
    float *p = malloc(t->count * sizeof(float));
    for (size_t i = 0; i < t->count; i++) p[i] = tu_randf(seed, -amp, amp);
    t->data = f->data[f->m.n_tensors++] = p;
}

/* nb blocks of nc convs: 4, 4 is face_landmark_68, 3, 3 its tiny variant. */
static void fake_landmark_model(fake_model *f, uint64_t seed, int nb, int nc)
{
    memset(f, 0, sizeof *f);
    f->m.kind = FACE_MODEL_LANDMARKS68;
    f->m.tensors = f->t;
    char n[64];
    add_tensor(f, "dense0/conv0/filters", 4, (int[]){3, 3, 3, 32}, &seed, 0.5f);
    add_tensor(f, "dense0/conv0/bias", 1, (int[]){32}, &seed, 0.1f);
    for (int b = 0; b < nb; b++)
        for (int j = 0; j < nc; j++) {
            if (!b && !j) continue;
            int C = 32 << b, cin = j ? C : C / 2;
            snprintf(n, sizeof n, "dense%d/conv%d/depthwise_filter", b, j);
            add_tensor(f, n, 4, (int[]){3, 3, cin, 1}, &seed, 0.5f);
            snprintf(n, sizeof n, "dense%d/conv%d/pointwise_filter", b, j);
            add_tensor(f, n, 4, (int[]){1, 1, cin, C}, &seed, 1.0f / sqrtf((float)cin));
            snprintf(n, sizeof n, "dense%d/conv%d/bias", b, j);
            add_tensor(f, n, 1, (int[]){C}, &seed, 0.1f);
        }
    add_tensor(f, "fc/weights", 2, (int[]){32 << (nb - 1), 136}, &seed, 0.1f);
    add_tensor(f, "fc/bias", 1, (int[]){136}, &seed, 0.5f);
}

static void fake_free(fake_model *f)
{
    for (int i = 0; i < f->m.n_tensors; i++) free(f->data[i]);
}

static const float *tensor(const fake_model *f, const char *name)
{
    for (int i = 0; i < f->m.n_tensors; i++)
        if (!strcmp(f->t[i].name, name)) return f->t[i].data;
    fail_msg("no tensor %s", name);
    return NULL;
}

/* Naive NHWC ops in double, written from docs/models.md §5.2. */
static double *nconv(const double *x, int H, int W, int C, const float *w, int kh, int co,
                     const float *b, int s, int depth, int *oh, int *ow)
{
    int o = (H + s - 1) / s, P = (o - 1) * s + kh - H;
    if (P < 0) P = 0;
    *oh = *ow = o; /* square maps only */
    int pb = P / 2;
    int cout = depth ? C : co;
    double *y = calloc((size_t)o * o * cout, sizeof(double));
    for (int oy = 0; oy < o; oy++)
        for (int ox = 0; ox < o; ox++)
            for (int c = 0; c < cout; c++) {
                double acc = (!depth && b) ? b[c] : 0;
                for (int ky = 0; ky < kh; ky++)
                    for (int kx = 0; kx < kh; kx++) {
                        int iy = oy * s + ky - pb, ix = ox * s + kx - pb;
                        if (iy < 0 || ix < 0 || iy >= H || ix >= W) continue;
                        const double *p = x + ((size_t)iy * W + ix) * C;
                        if (depth)
                            acc += p[c] * w[(ky * kh + kx) * C + c];
                        else
                            for (int ci = 0; ci < C; ci++)
                                acc += p[ci] * w[((size_t)(ky * kh + kx) * C + ci) * co + c];
                    }
                y[((size_t)oy * o + ox) * cout + c] = acc;
            }
    return y;
}

static double *nsep(const fake_model *f, int b, int j, const double *x, int H, int C, int co, int s,
                    int *oh)
{
    char n[64];
    int ow;
    snprintf(n, sizeof n, "dense%d/conv%d/depthwise_filter", b, j);
    double *d = nconv(x, H, H, C, tensor(f, n), 3, C, NULL, s, 1, oh, &ow);
    snprintf(n, sizeof n, "dense%d/conv%d/pointwise_filter", b, j);
    const float *pw = tensor(f, n);
    snprintf(n, sizeof n, "dense%d/conv%d/bias", b, j);
    double *y = nconv(d, *oh, *oh, C, pw, 1, co, tensor(f, n), 1, 0, oh, &ow);
    free(d);
    return y;
}

static void naive_forward(const fake_model *f, int nb, int nc, const double *in, double out[136])
{
    int H = 112, C = 3;
    double *x = malloc(sizeof(double) * 112 * 112 * 3);
    memcpy(x, in, sizeof(double) * 112 * 112 * 3);
    for (int b = 0; b < nb; b++) {
        int Cb = 32 << b, oh, ow;
        double *o[4] = {NULL, NULL, NULL, NULL};
        o[0] = b ? nsep(f, b, 0, x, H, C, Cb, 2, &oh)
                 : nconv(x, H, H, C, tensor(f, "dense0/conv0/filters"), 3, 32,
                         tensor(f, "dense0/conv0/bias"), 2, 0, &oh, &ow);
        size_t n = (size_t)oh * oh * Cb;
        for (size_t i = 0; i < n; i++) o[0][i] = fmax(o[0][i], 0);
        double *sum = malloc(n * sizeof(double));
        for (int j = 1; j < nc; j++) {
            for (size_t i = 0; i < n; i++) {
                double s = 0;
                for (int q = 0; q < j; q++) s += o[q][i];
                sum[i] = j == 1 ? s : fmax(s, 0);
            }
            int oh2;
            o[j] = nsep(f, b, j, sum, oh, Cb, Cb, 1, &oh2);
        }
        free(x);
        x = malloc(n * sizeof(double));
        for (size_t i = 0; i < n; i++) {
            double s = 0;
            for (int q = 0; q < nc; q++) s += o[q][i];
            x[i] = fmax(s, 0);
        }
        for (int j = 0; j < nc; j++) free(o[j]);
        free(sum);
        H = oh;
        C = Cb;
    }
    const float *fw = tensor(f, "fc/weights"), *fb = tensor(f, "fc/bias");
    for (int k = 0; k < 136; k++) {
        double acc = fb[k];
        for (int c = 0; c < C; c++) {
            double m = 0;
            for (int p = 0; p < H * H; p++) m += x[(size_t)p * C + c];
            acc += m / (H * H) * fw[(size_t)c * 136 + k];
        }
        out[k] = acc;
    }
    free(x);
}

static void test_landmark_net_differential(void **state)
{
    (void)state;
    fake_model f;
    lf_error err = {{0}};
    lf_landmarker *l = NULL;
    for (int variant = 0; variant < 2; variant++) {
        int nb = variant ? 3 : 4, nc = nb; /* full net, then the tiny one */
        fake_landmark_model(&f, 777 + variant, nb, nc);
        assert_int_equal(lf_landmarker_load(&g_alloc, &f.m, &l, &err), FACE_OK);

        /* A 112x112 box at the origin: no padding, no resize, so the network
         * input is exactly (pixel - mean) / 255 and X = 112 * output. */
        static uint8_t px[112 * 112 * 3];
        uint64_t seed = 99;
        for (size_t i = 0; i < sizeof px; i++) px[i] = (uint8_t)tu_rand(&seed);
        static double in[112 * 112 * 3];
        const double mean[3] = {122.782, 117.001, 104.298};
        for (size_t i = 0; i < sizeof px; i++) in[i] = ((double)px[i] - (float)mean[i % 3]) / 255.0;
        double want[136];
        naive_forward(&f, nb, nc, in, want);

        const lf_kernels *tables[] = {&lf_kernels_ref, lf_kernels_active()};
        for (int t = 0; t < 2; t++) {
            lf_arena ar;
            lf_arena_init(&ar, &g_alloc);
            assert_int_equal(lf_arena_reserve(&ar, lf_landmarker_scratch_bytes(l)), FACE_OK);
            lf_exec ex = {tables[t], &ar, NULL, &err, NULL};
            face_image im = view(FACE_PIXEL_RGB24, 112, 112, 336, px);
            face_rect box = {0, 0, 112, 112};
            face_landmarks lm;
            assert_int_equal(lf_landmarks_run(&ex, l, &im, &box, &lm), FACE_OK);
            double scale = 0, worst = 0;
            for (int k = 0; k < 136; k++) scale = fmax(scale, fabs(want[k]) * 112);
            for (int k = 0; k < 68; k++) {
                worst = fmax(worst, fabs(lm.points[k].x - want[2 * k] * 112));
                worst = fmax(worst, fabs(lm.points[k].y - want[2 * k + 1] * 112));
            }
            assert_true(scale > 1); /* random weights still give a non-trivial output */
            if (worst > 1e-4 * scale) fail_msg("isa %d: worst %g of %g", tables[t]->isa, worst, scale);

            /* Bad input: every call fails cleanly and leaves the arena empty. */
            assert_int_equal(lf_landmarks_run(NULL, l, &im, &box, &lm), FACE_ERR_INVALID_ARGUMENT);
            assert_int_equal(lf_landmarks_run(&ex, NULL, &im, &box, &lm), FACE_ERR_INVALID_ARGUMENT);
            assert_int_equal(lf_landmarks_run(&ex, l, NULL, &box, &lm), FACE_ERR_INVALID_ARGUMENT);
            assert_int_equal(lf_landmarks_run(&ex, l, &im, NULL, &lm), FACE_ERR_INVALID_ARGUMENT);
            assert_int_equal(lf_landmarks_run(&ex, l, &im, &box, NULL), FACE_ERR_INVALID_ARGUMENT);
            const face_rect bad_boxes[] = {
                {0, 0, 0, 0},        {10, 10, 0, 50},      {10, 10, 50, -5},   {500, 0, 50, 50},
                {0, 500, 50, 50},    {-100, 0, 50, 50},    {0, -100, 50, 50},  {111.5f, 0, 0.4f, 50},
                {NAN, 0, 50, 50},    {0, INFINITY, 50, 50}, {0, 0, -INFINITY, 50}, {0, 0, 50, NAN},
                {1e30f, 1e30f, 1e30f, 1e30f}, {-1e30f, -1e30f, 10, 10}};
            for (size_t i = 0; i < sizeof bad_boxes / sizeof bad_boxes[0]; i++)
                assert_int_equal(lf_landmarks_run(&ex, l, &im, &bad_boxes[i], &lm),
                                 FACE_ERR_INVALID_ARGUMENT);
            face_image broken = view(FACE_PIXEL_RGB24, 112, 112, 100, px);
            assert_int_equal(lf_landmarks_run(&ex, l, &broken, &box, &lm), FACE_ERR_INVALID_ARGUMENT);
            /* A huge box covering the image is fine: the crop is clipped. */
            face_rect cover = {-1e6f, -1e6f, 3e6f, 3e6f};
            assert_int_equal(lf_landmarks_run(&ex, l, &im, &cover, &lm), FACE_OK);
            assert_int_equal(ar.top, 0);
            lf_arena_destroy(&ar);
        }
        lf_landmarker_free(l);
        if (!variant) fake_free(&f);
    }

    /* Load errors: wrong kind, a missing tensor, a misshapen tensor. */
    f.m.kind = FACE_MODEL_RECOGNITION;
    assert_int_equal(lf_landmarker_load(&g_alloc, &f.m, &l, &err), FACE_ERR_MODEL_MISMATCH);
    assert_null(l);
    f.m.kind = FACE_MODEL_LANDMARKS68;
    int saved = f.t[3].shape[3];
    f.t[3].shape[3] = saved - 1;
    assert_int_not_equal(lf_landmarker_load(&g_alloc, &f.m, &l, &err), FACE_OK);
    assert_null(l);
    f.t[3].shape[3] = saved;
    snprintf(f.t[f.m.n_tensors - 1].name, sizeof f.t[0].name, "fc/bias_renamed");
    assert_int_not_equal(lf_landmarker_load(&g_alloc, &f.m, &l, &err), FACE_OK);
    assert_null(l);
    assert_int_equal(lf_landmarker_load(NULL, &f.m, &l, &err), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_landmarker_load(&g_alloc, NULL, &l, &err), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_landmarker_load(&g_alloc, &f.m, NULL, &err), FACE_ERR_INVALID_ARGUMENT);
    lf_landmarker_free(NULL);
    assert_int_equal(lf_landmarker_scratch_bytes(NULL), 0);
    fake_free(&f);
}

int main(void)
{
    assert_int_equal(lf_cpu_init(), FACE_OK);
    lf_allocator_resolve(&g_alloc, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_similarity_known),
        cmocka_unit_test(test_faceapi_box),
        cmocka_unit_test(test_chip_edges),
        cmocka_unit_test(test_landmark_net_differential),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
