/* Recognition net (lib/embed): dlib-chip path against faceref.py, flip
 * averaging, centred padding of the crop path, template fields,
 * fingerprints, bad input. Needs the converted models (skips otherwise);
 * the window chips of tests/data/embed_dlib_chips.txt also need ../shared. */
#include <math.h>

#include "embed/embed.h"
#include "testutil.h"

#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#endif
#include <stb_image.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#ifndef EMBED_DATA_DIR
#error "EMBED_DATA_DIR must name tests/data"
#endif

static lf_allocator g_alloc;
static face_model *g_model;
static lf_recognizer *g_rec;

/* An execution context with an arena reserved for img_w x img_h. */
typedef struct test_exec {
    lf_exec ex;
    lf_arena arena;
    lf_error err;
} test_exec;

static void exec_init(test_exec *t, const lf_kernels *k, const lf_recognizer *r, int w, int h)
{
    memset(t, 0, sizeof *t);
    lf_arena_init(&t->arena, &g_alloc);
    assert_int_equal(lf_arena_reserve(&t->arena, lf_recognizer_scratch_bytes(r, w, h)), FACE_OK);
    t->ex.k = k;
    t->ex.arena = &t->arena;
    t->ex.err = &t->err;
}

static void exec_done(test_exec *t)
{
    assert_int_equal(t->arena.top, 0); /* every call pops what it pushed */
    lf_arena_destroy(&t->arena);
}

static face_model *load_model(const char *file)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", tu_model_dir(), file);
    face_model *m = NULL;
    if (face_model_load_file(path, NULL, &m) != FACE_OK) return NULL;
    return m;
}

static double l2(const float *a, const float *b)
{
    double s = 0;
    for (int i = 0; i < FACE_TEMPLATE_DIM; i++) s += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    return sqrt(s);
}

static void synthetic_chip(face_chip *c)
{
    memset(c, 0, sizeof *c);
    c->struct_size = sizeof *c;
    c->size = FACE_CHIP_SIZE;
    for (int y = 0; y < 150; y++)
        for (int x = 0; x < 150; x++)
            for (int k = 0; k < 3; k++)
                c->rgb[(y * 150 + x) * 3 + k] = (uint8_t)((x * x + 3 * y + 50 * k + (x ^ y)) & 255);
}

static face_status embed_chip(const lf_kernels *k, const face_chip *chip, uint32_t flags,
                              face_template *out)
{
    test_exec t;
    exec_init(&t, k, g_rec, 150, 150);
    face_status s = lf_embed_from_chip(&t.ex, g_rec, chip, flags, out);
    exec_done(&t);
    return s;
}

/* Rebuild a chip from its recipe in the data file (see the generator). */
static int chip_from_recipe(const char *recipe, face_chip *c)
{
    if (strncmp(recipe, "synthetic", 9) == 0) {
        synthetic_chip(c);
        return 1;
    }
    char file[256];
    int x, y;
    if (sscanf(recipe, "window %255s %d %d", file, &x, &y) != 3) return -1;
    const char *shared = tu_shared_dir();
    if (!shared) return 0;
    char path[4600];
    snprintf(path, sizeof path, "%s/golden/%s", shared, file);
    int w, h, n;
    uint8_t *px = stbi_load(path, &w, &h, &n, 3);
    if (!px) return -1;
    memset(c, 0, sizeof *c);
    c->struct_size = sizeof *c;
    c->size = FACE_CHIP_SIZE;
    for (int r = 0; r < 150; r++)
        memcpy(c->rgb + (size_t)r * 450, px + ((size_t)(y + r) * w + x) * 3, 450);
    stbi_image_free(px);
    return 1;
}

/* dlib chip path, /256, against faceref.py on every chip of the data file,
 * with the active kernels and with ref. */
static void test_dlib_chip_golden(void **state)
{
    (void)state;
    size_t size = 0;
    char *text = (char *)tu_read_file(EMBED_DATA_DIR "/embed_dlib_chips.txt", &size);
    assert_non_null(text);
    text[size] = 0;
    int checked = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "chip ", 5) != 0) continue;
        char recipe[512];
        snprintf(recipe, sizeof recipe, "%s", line + 5);
        char *fl = strstr(recipe, " flip=");
        assert_non_null(fl);
        int flip = fl[6] == '1';
        *fl = 0;
        char *vals = strtok(NULL, "\n");
        assert_non_null(vals);
        float want[FACE_TEMPLATE_DIM];
        char *p = vals;
        for (int i = 0; i < FACE_TEMPLATE_DIM; i++) want[i] = strtof(p, &p);
        face_chip chip;
        int ok = chip_from_recipe(recipe, &chip);
        assert_true(ok >= 0);
        if (!ok) continue; /* window chip without ../shared */
        const face_isa isas[2] = {lf_cpu_isa(), FACE_ISA_REF};
        for (int k = 0; k < 2; k++) {
            face_template t;
            assert_int_equal(embed_chip(lf_kernels_for(isas[k]), &chip,
                                        flip ? FACE_EMBED_FLIP_AVG : 0, &t),
                             FACE_OK);
            double d = l2(t.values, want);
            if (d > 1e-4) fail_msg("chip '%s' flip=%d isa %s: L2 %.3g", recipe, flip,
                                   face_isa_name(isas[k]), d);
            assert_int_equal(t.flags, FACE_TEMPLATE_FLAG_ALIGN_DLIB |
                                          (flip ? FACE_TEMPLATE_FLAG_FLIP_AVG : 0u));
        }
        checked++;
    }
    free(text);
    assert_true(checked >= 2);
}

/* The flip average is the mean of the chip's descriptor and that of the
 * chip mirrored by hand. */
static void test_flip_average(void **state)
{
    (void)state;
    face_chip chip, mirrored;
    synthetic_chip(&chip);
    mirrored = chip;
    for (int y = 0; y < 150; y++)
        for (int x = 0; x < 150; x++)
            memcpy(mirrored.rgb + (y * 150 + x) * 3, chip.rgb + (y * 150 + 149 - x) * 3, 3);
    const lf_kernels *k = lf_kernels_active();
    face_template a, b, avg;
    assert_int_equal(embed_chip(k, &chip, 0, &a), FACE_OK);
    assert_int_equal(embed_chip(k, &mirrored, 0, &b), FACE_OK);
    assert_int_equal(embed_chip(k, &chip, FACE_EMBED_FLIP_AVG, &avg), FACE_OK);
    assert_true(l2(a.values, b.values) > 1e-3); /* the mirror really is another input */
    for (int i = 0; i < FACE_TEMPLATE_DIM; i++) assert_true(avg.values[i] == (a.values[i] + b.values[i]) * 0.5f);
    assert_int_equal(avg.flags, FACE_TEMPLATE_FLAG_ALIGN_DLIB | FACE_TEMPLATE_FLAG_FLIP_AVG);
    assert_memory_equal(a.fingerprint, avg.fingerprint, FACE_FINGERPRINT_BYTES);
}

/* Every template field, and bit-identical repeats. */
static void test_template_fields(void **state)
{
    (void)state;
    face_chip chip;
    synthetic_chip(&chip);
    face_template a, b;
    memset(&a, 0xA5, sizeof a);
    assert_int_equal(embed_chip(lf_kernels_active(), &chip, 0, &a), FACE_OK);
    assert_int_equal(a.struct_size, sizeof a);
    assert_int_equal(a.version, FACE_TEMPLATE_VERSION);
    assert_int_equal(a.dim, FACE_TEMPLATE_DIM);
    assert_int_equal(a.flags, FACE_TEMPLATE_FLAG_ALIGN_DLIB);
    assert_int_equal(a.reserved, 0);
    uint8_t fp[FACE_FINGERPRINT_BYTES];
    lf_recognizer_fingerprint(g_rec, FACE_ALIGN_DLIB, fp);
    assert_memory_equal(a.fingerprint, fp, sizeof fp);
    assert_int_equal(embed_chip(lf_kernels_active(), &chip, 0, &b), FACE_OK);
    assert_memory_equal(&a, &b, sizeof a);
    /* A real template serializes and compares with itself at distance 0. */
    uint8_t buf[FACE_TEMPLATE_SERIALIZED_BYTES];
    assert_int_equal(face_template_serialize(&a, buf, sizeof buf), FACE_OK);
    float d = -1;
    assert_int_equal(face_compare(&a, &b, &d, NULL), FACE_OK);
    assert_true(d == 0.0f);
}

/* A 2-thread pool gives the same descriptor as one thread. */
static void test_pool(void **state)
{
    (void)state;
    face_chip chip;
    synthetic_chip(&chip);
    face_template a, b;
    assert_int_equal(embed_chip(lf_kernels_active(), &chip, 0, &a), FACE_OK);
    test_exec t;
    exec_init(&t, lf_kernels_active(), g_rec, 150, 150);
    assert_int_equal(lf_pool_create(&g_alloc, 2, &t.ex.pool), FACE_OK);
    assert_int_equal(lf_embed_from_chip(&t.ex, g_rec, &chip, 0, &b), FACE_OK);
    lf_pool_destroy(t.ex.pool);
    exec_done(&t);
    assert_true(l2(a.values, b.values) < 1e-5);
}

/* An image view of an RGB buffer. */
static face_image rgb_image(const uint8_t *px, int w, int h)
{
    face_image img;
    memset(&img, 0, sizeof img);
    img.struct_size = sizeof img;
    img.format = FACE_PIXEL_RGB24;
    img.width = w;
    img.height = h;
    img.stride = w * 3;
    img.data = px;
    return img;
}

static face_status embed_crop(const face_image *img, face_rect r, uint32_t flags, face_template *out)
{
    test_exec t;
    exec_init(&t, lf_kernels_active(), g_rec, img->width, img->height);
    face_status s = lf_embed_from_crop(&t.ex, g_rec, img, &r, flags, out);
    exec_done(&t);
    return s;
}

/* Centred padding: a w x h crop gives exactly what the padded square (made
 * by hand, d - round(d/2) black columns before) gives, for portrait and
 * landscape, odd and even d, with downscaling and upscaling. */
static void test_crop_padding(void **state)
{
    (void)state;
    const int W = 400, H = 300;
    uint8_t *img_px = malloc((size_t)W * H * 3);
    uint64_t s = 42;
    for (int i = 0; i < W * H * 3; i++) img_px[i] = (uint8_t)(tu_rand(&s) >> 3);
    face_image img = rgb_image(img_px, W, H);
    const int cases[][4] = {{37, 21, 101, 160}, {10, 40, 160, 101}, {5, 7, 120, 80}, {50, 60, 61, 100}};
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        int cx = cases[ci][0], cy = cases[ci][1], cw = cases[ci][2], ch = cases[ci][3];
        int side = cw > ch ? cw : ch, d = side - (cw < ch ? cw : ch);
        int before = d - (int)floor(d / 2.0 + 0.5);
        int ox = cw < ch ? before : 0, oy = ch < cw ? before : 0;
        uint8_t *sq = calloc((size_t)side * side, 3);
        for (int y = 0; y < ch; y++)
            memcpy(sq + ((size_t)(y + oy) * side + ox) * 3, img_px + ((size_t)(cy + y) * W + cx) * 3,
                   (size_t)cw * 3);
        face_image sqimg = rgb_image(sq, side, side);
        face_template a, b;
        assert_int_equal(embed_crop(&img, (face_rect){(float)cx, (float)cy, (float)cw, (float)ch}, 0, &a),
                         FACE_OK);
        assert_int_equal(embed_crop(&sqimg, (face_rect){0, 0, (float)side, (float)side}, 0, &b),
                         FACE_OK);
        assert_memory_equal(a.values, b.values, sizeof a.values);
        assert_int_equal(a.flags, FACE_TEMPLATE_FLAG_ALIGN_FACEAPI);
        free(sq);
    }

    /* Other pixel formats read the same colours. */
    uint8_t *bgra = malloc((size_t)W * H * 4);
    for (int i = 0; i < W * H; i++) {
        bgra[4 * i] = img_px[3 * i + 2];
        bgra[4 * i + 1] = img_px[3 * i + 1];
        bgra[4 * i + 2] = img_px[3 * i];
        bgra[4 * i + 3] = 255;
    }
    face_image img4 = img;
    img4.format = FACE_PIXEL_BGRA32;
    img4.stride = W * 4;
    img4.data = bgra;
    face_template a, b;
    face_rect r = {20, 30, 170, 190};
    assert_int_equal(embed_crop(&img, r, FACE_EMBED_FLIP_AVG, &a), FACE_OK);
    assert_int_equal(embed_crop(&img4, r, FACE_EMBED_FLIP_AVG, &b), FACE_OK);
    assert_memory_equal(&a, &b, sizeof a);
    assert_int_equal(a.flags, FACE_TEMPLATE_FLAG_ALIGN_FACEAPI | FACE_TEMPLATE_FLAG_FLIP_AVG);

    /* A crop reaching past the image is clipped as face-api clips: origin
     * clamped at 0, size cut at the edge from the unfloored origin, then
     * everything floored (height 300 - 250.25 = 49.75 -> 49). */
    face_rect past = {-30.5f, 250.25f, 130.9f, 200.0f}, clipped = {0, 250, 100, 49};
    assert_int_equal(embed_crop(&img, past, 0, &a), FACE_OK);
    assert_int_equal(embed_crop(&img, clipped, 0, &b), FACE_OK);
    assert_memory_equal(&a, &b, sizeof a);
    free(bgra);
    free(img_px);
}

static void test_fingerprints(void **state)
{
    (void)state;
    uint8_t dl[FACE_FINGERPRINT_BYTES], fa[FACE_FINGERPRINT_BYTES], x[FACE_FINGERPRINT_BYTES];
    lf_recognizer_fingerprint(g_rec, FACE_ALIGN_DLIB, dl);
    lf_recognizer_fingerprint(g_rec, FACE_ALIGN_FACEAPI, fa);
    assert_memory_not_equal(dl, fa, sizeof dl);

    /* A second load of the same file: the same fingerprints. */
    face_model *m2 = load_model("face_recognition.fmdl");
    assert_non_null(m2);
    lf_recognizer *r2 = NULL;
    lf_error err;
    assert_int_equal(lf_recognizer_load(&g_alloc, m2, &r2, &err), FACE_OK);
    lf_recognizer_fingerprint(r2, FACE_ALIGN_DLIB, x);
    assert_memory_equal(dl, x, sizeof x);
    lf_recognizer_fingerprint(r2, FACE_ALIGN_FACEAPI, x);
    assert_memory_equal(fa, x, sizeof x);
    lf_recognizer_free(r2);

    /* One weight changed by one ulp, first tensor or last: another model. */
    const char *names[2] = {"conv32_down/conv/filters", "fc"};
    for (int n = 0; n < 2; n++) {
        const lf_tensor *t = lf_model_find(m2, names[n]);
        assert_non_null(t);
        float *w = (float *)t->data + t->count - 1;
        float keep = *w;
        *w = nextafterf(keep, INFINITY);
        assert_int_equal(lf_recognizer_load(&g_alloc, m2, &r2, &err), FACE_OK);
        lf_recognizer_fingerprint(r2, FACE_ALIGN_DLIB, x);
        assert_memory_not_equal(dl, x, sizeof x);
        lf_recognizer_fingerprint(r2, FACE_ALIGN_FACEAPI, x);
        assert_memory_not_equal(fa, x, sizeof x);
        lf_recognizer_free(r2);
        *w = keep;
    }
    face_model_destroy(m2);
}

static void test_load_errors(void **state)
{
    (void)state;
    lf_recognizer *r = (lf_recognizer *)&g_alloc; /* must be reset to NULL on error */
    lf_error err;
    assert_int_equal(lf_recognizer_load(NULL, g_model, &r, &err), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_recognizer_load(&g_alloc, NULL, &r, &err), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_recognizer_load(&g_alloc, g_model, NULL, &err), FACE_ERR_INVALID_ARGUMENT);

    /* Another network's file. */
    face_model *lm = load_model("face_landmark_68.fmdl");
    if (lm) {
        r = (lf_recognizer *)&g_alloc;
        assert_int_equal(lf_recognizer_load(&g_alloc, lm, &r, &err), FACE_ERR_MODEL_MISMATCH);
        assert_null(r);
        face_model_destroy(lm);
    }

    /* A recognition model with a tensor renamed, reshaped or poisoned: a
     * shallow copy of the loaded model with its own tensor table. */
    face_model fake = *g_model;
    lf_tensor *tt = malloc(sizeof(lf_tensor) * (size_t)g_model->n_tensors);
    fake.tensors = tt;
    float *poison = malloc(sizeof(float) * 256);
    for (int i = 0; i < 256; i++) poison[i] = 0.0f;
    poison[200] = NAN;
    for (int variant = 0; variant < 4; variant++) {
        memcpy(tt, g_model->tensors, sizeof(lf_tensor) * (size_t)g_model->n_tensors);
        lf_tensor *t = NULL;
        for (int i = 0; i < fake.n_tensors; i++)
            if (strcmp(tt[i].name, "conv128_1/conv2/scale/weights") == 0) t = &tt[i];
        assert_non_null(t);
        if (variant == 0) t->name[0] = 'X';
        if (variant == 1) t->shape[0] = 127;
        if (variant == 2) t->ndim = 2, t->shape[1] = 1;
        if (variant == 3) t->data = poison + 128; /* its element 72 is NaN */
        r = (lf_recognizer *)&g_alloc;
        assert_int_equal(lf_recognizer_load(&g_alloc, &fake, &r, &err), FACE_ERR_CORRUPT);
        assert_null(r);
    }
    free(poison);
    free(tt);
    lf_recognizer_free(NULL);
}

static void test_bad_input(void **state)
{
    (void)state;
    face_chip chip;
    synthetic_chip(&chip);
    face_template out, sentinel;
    memset(&sentinel, 0x5C, sizeof sentinel);
    out = sentinel;
    test_exec t;
    exec_init(&t, lf_kernels_active(), g_rec, 64, 64);

    assert_int_equal(lf_embed_from_chip(NULL, g_rec, &chip, 0, &out), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_embed_from_chip(&t.ex, NULL, &chip, 0, &out), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_embed_from_chip(&t.ex, g_rec, NULL, 0, &out), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_embed_from_chip(&t.ex, g_rec, &chip, 0, NULL), FACE_ERR_INVALID_ARGUMENT);
    for (uint32_t bit = 1; bit; bit <<= 1)
        if (bit != FACE_EMBED_FLIP_AVG)
            assert_int_equal(lf_embed_from_chip(&t.ex, g_rec, &chip, bit, &out),
                             FACE_ERR_INVALID_ARGUMENT);
    const int32_t sizes[] = {0, -150, 149, 151, 112, 300};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        face_chip c = chip;
        c.size = sizes[i];
        assert_int_equal(lf_embed_from_chip(&t.ex, g_rec, &c, 0, &out), FACE_ERR_INVALID_ARGUMENT);
        assert_true(strstr(t.err.msg, "chip size") != NULL);
    }

    uint8_t px[64 * 48 * 3];
    memset(px, 128, sizeof px);
    face_image img = rgb_image(px, 64, 48);
    face_rect ok = {4, 4, 30, 30};
    assert_int_equal(lf_embed_from_crop(&t.ex, g_rec, NULL, &ok, 0, &out), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_embed_from_crop(&t.ex, g_rec, &img, NULL, 0, &out), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_embed_from_crop(&t.ex, g_rec, &img, &ok, 0, NULL), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_embed_from_crop(&t.ex, g_rec, &img, &ok, 2, &out), FACE_ERR_INVALID_ARGUMENT);
    const face_rect bad[] = {
        {64, 0, 10, 10},      /* right of the image */
        {0, 48, 10, 10},      /* below */
        {-20, 0, 20, 10},     /* left, touching */
        {0, -30, 10, 30.5f},  /* above: half a pixel reaches in, floored to 0 */
        {10, 10, 0, 10},      /* zero width */
        {10, 10, 10, 0},      /* zero height */
        {10, 10, 0.9f, 10},   /* floors to zero */
        {10, 10, -5, 10},     /* negative */
        {NAN, 0, 10, 10},     {0, 0, INFINITY, 10},
        {0, 0, 10, -INFINITY}, {1e30f, 0, 10, 10},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(lf_embed_from_crop(&t.ex, g_rec, &img, &bad[i], 0, &out),
                         FACE_ERR_INVALID_ARGUMENT);
    }
    assert_memory_equal(&out, &sentinel, sizeof out);
    assert_int_equal(t.arena.top, 0);

    /* An arena reserved too small: an internal error, nothing left behind. */
    lf_arena small;
    lf_arena_init(&small, &g_alloc);
    assert_int_equal(lf_arena_reserve(&small, 100000), FACE_OK);
    t.ex.arena = &small;
    assert_int_equal(lf_embed_from_chip(&t.ex, g_rec, &chip, 0, &out), FACE_ERR_INTERNAL);
    assert_int_equal(lf_embed_from_crop(&t.ex, g_rec, &img, &ok, 0, &out), FACE_ERR_INTERNAL);
    assert_int_equal(small.top, 0);
    for (size_t i = 0; i < small.cap; i++)
        if (small.base[i]) fail_msg("scratch byte %zu not wiped", i);
    lf_arena_destroy(&small);
    t.ex.arena = &t.arena;
    assert_memory_equal(&out, &sentinel, sizeof out);
    exec_done(&t);
}

/* After a successful call the arena is zero again: activations are biometric. */
static void test_scratch_wiped(void **state)
{
    (void)state;
    face_chip chip;
    synthetic_chip(&chip);
    test_exec t;
    exec_init(&t, lf_kernels_active(), g_rec, 150, 150);
    face_template out;
    assert_int_equal(lf_embed_from_chip(&t.ex, g_rec, &chip, FACE_EMBED_FLIP_AVG, &out), FACE_OK);
    assert_true(t.arena.high_water <= lf_recognizer_scratch_bytes(g_rec, 150, 150));
    for (size_t i = 0; i < t.arena.cap; i++)
        if (t.arena.base[i]) fail_msg("scratch byte %zu not wiped", i);
    exec_done(&t);
}

int main(void)
{
    TU_REQUIRE_MODELS();
    assert_int_equal(lf_cpu_init(), FACE_OK);
    lf_allocator_resolve(&g_alloc, NULL);
    g_model = load_model("face_recognition.fmdl");
    lf_error err;
    if (!g_model || lf_recognizer_load(&g_alloc, g_model, &g_rec, &err) != FACE_OK) {
        fprintf(stderr, "cannot load the recognition model\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dlib_chip_golden), cmocka_unit_test(test_flip_average),
        cmocka_unit_test(test_template_fields),  cmocka_unit_test(test_pool),
        cmocka_unit_test(test_crop_padding),     cmocka_unit_test(test_fingerprints),
        cmocka_unit_test(test_load_errors),      cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_scratch_wiped),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    lf_recognizer_free(g_rec);
    face_model_destroy(g_model);
    return rc;
}
