#define _POSIX_C_SOURCE 200809L
/* The engine end to end, through the public API only:
 *  - the chained pipeline (detect -> landmarks -> face-api crop -> embed)
 *    against face-api.js's golden outputs, with a chained tolerance;
 *  - many threads on one engine give exactly the single-threaded results;
 *  - a warm context allocates nothing;
 *  - every buffer a context frees is zero (the wipe contract), and scratch
 *    is zero between calls;
 *  - bad arguments on every pipeline call.
 * Needs ../shared (golden) and the converted models; skips without them. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>

#include <face/face.h>

#include "golden.h"

static tu_golden *g_golden;
static face_engine *g_engine;

/* ---------------------------------------------------------------- allocator probe */

/* Counts allocations and checks, on every free, that the buffer is zero.
 * Thread-safe because contexts in the hammer test share it. */
typedef struct probe {
    atomic_long allocs, frees, nonzero_frees;
    atomic_long live_bytes;
    void *arena_like; /* largest live block, to inspect scratch between calls */
    size_t arena_size;
    pthread_mutex_t mu;
} probe;

static void *probe_alloc(void *opaque, size_t size, size_t align)
{
    probe *p = opaque;
    void *ptr = NULL;
    if (posix_memalign(&ptr, align < sizeof(void *) ? sizeof(void *) : align, size)) return NULL;
    atomic_fetch_add(&p->allocs, 1);
    atomic_fetch_add(&p->live_bytes, (long)size);
    pthread_mutex_lock(&p->mu);
    if (size > p->arena_size) {
        p->arena_size = size;
        p->arena_like = ptr;
    }
    pthread_mutex_unlock(&p->mu);
    return ptr;
}

static void probe_free(void *opaque, void *ptr, size_t size)
{
    probe *p = opaque;
    const uint8_t *b = ptr;
    for (size_t i = 0; i < size; i++)
        if (b[i]) {
            atomic_fetch_add(&p->nonzero_frees, 1);
            break;
        }
    atomic_fetch_add(&p->frees, 1);
    atomic_fetch_sub(&p->live_bytes, (long)size);
    pthread_mutex_lock(&p->mu);
    if (ptr == p->arena_like) {
        p->arena_like = NULL;
        p->arena_size = 0;
    }
    pthread_mutex_unlock(&p->mu);
    free(ptr);
}

static void probe_init(probe *p, face_allocator *a)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    a->struct_size = sizeof *a;
    a->reserved = 0;
    a->alloc = probe_alloc;
    a->free = probe_free;
    a->opaque = p;
}

/* ---------------------------------------------------------------- helpers */

static face_status load_golden_image(face_ctx *ctx, int i, face_image *img)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", g_golden->dir, g_golden->images[i].file);
    return face_image_load_file(ctx, path, img);
}

static double box_iou(const face_rect *a, const double b[4])
{
    double x0 = fmax(a->x, b[0]), y0 = fmax(a->y, b[1]);
    double x1 = fmin(a->x + a->width, b[0] + b[2]), y1 = fmin(a->y + a->height, b[1] + b[3]);
    double inter = fmax(0, x1 - x0) * fmax(0, y1 - y0);
    double uni = (double)a->width * a->height + b[2] * b[3] - inter;
    return uni > 0 ? inter / uni : 0;
}

/* Result of the whole pipeline for one image, compact enough to compare. */
typedef struct run_result {
    size_t nfaces;
    face_detection det[TU_MAX_GOLDEN_FACES];
    face_template tpl[TU_MAX_GOLDEN_FACES];
} run_result;

static void run_pipeline(face_ctx *ctx, const face_image *img, int detector, int align_mode,
                         run_result *r)
{
    face_detect_options o;
    face_detect_options_init(&o);
    o.detector = detector;
    o.flags = FACE_DETECT_SINGLE_PASS;
    assert_int_equal(face_detect(ctx, img, &o, r->det, TU_MAX_GOLDEN_FACES, &r->nfaces), FACE_OK);
    face_embed_options eo;
    face_embed_options_init(&eo);
    eo.align_mode = align_mode;
    for (size_t f = 0; f < r->nfaces; f++) {
        face_landmarks lm;
        assert_int_equal(face_landmarks_detect(ctx, img, &r->det[f].box, &lm), FACE_OK);
        assert_int_equal(face_embed(ctx, img, &lm, &r->det[f].box, &eo, &r->tpl[f]), FACE_OK);
    }
}

/* ---------------------------------------------------------------- tests */

/* Chained: our own boxes feed our own landmarks and crop, so a box off by a
 * fraction of a pixel can move the integer crop by one pixel. The per-stage
 * tests check exactness; here each face must be found and its descriptor
 * must stay close to face-api's. */
static void test_chained_golden(void **state)
{
    (void)state;
    face_ctx *ctx = NULL;
    assert_int_equal(face_ctx_create(g_engine, NULL, &ctx), FACE_OK);
    static run_result r;
    for (int d = 0; d < 2; d++) {
        int detector = d == TU_TINY ? FACE_DETECTOR_TINY : FACE_DETECTOR_SSD;
        double worst_l2 = 0;
        for (int i = 0; i < g_golden->nimages; i++) {
            face_image img;
            assert_int_equal(load_golden_image(ctx, i, &img), FACE_OK);
            run_pipeline(ctx, &img, detector, FACE_ALIGN_FACEAPI, &r);
            const tu_golden_image *gi = &g_golden->images[i];
            assert_int_equal(r.nfaces, (size_t)gi->det[d].nfaces);
            for (int f = 0; f < gi->det[d].nfaces; f++) {
                const tu_golden_face *gf = &gi->det[d].faces[f];
                /* match by best IoU: equal scores may order differently */
                int best = -1;
                double best_iou = 0;
                for (size_t k = 0; k < r.nfaces; k++) {
                    double iou = box_iou(&r.det[k].box, gf->box);
                    if (iou > best_iou) best_iou = iou, best = (int)k;
                }
                assert_true(best >= 0);
                assert_true(best_iou >= 0.99);
                double l2 = 0;
                for (int k = 0; k < 128; k++) {
                    double dd = r.tpl[best].values[k] - gf->descriptor[k];
                    l2 += dd * dd;
                }
                l2 = sqrt(l2);
                if (l2 > worst_l2) worst_l2 = l2;
                /* Same-person distances are < 0.6; a one-pixel crop shift
                 * moves a descriptor by ~0.01-0.03. */
                assert_true(l2 < 0.05);
            }
            face_image_free(ctx, &img);
        }
        printf("chained %s: worst descriptor L2 vs face-api %.2e\n", d ? "ssd" : "tiny", worst_l2);
    }
    face_ctx_destroy(ctx);
}

typedef struct hammer_arg {
    face_allocator *alloc;
    int iterations;
    int failures;
    run_result *expect; /* per image */
} hammer_arg;

static void *hammer_thread(void *vp)
{
    hammer_arg *h = vp;
    face_ctx *ctx = NULL;
    if (face_ctx_create(g_engine, h->alloc, &ctx) != FACE_OK) {
        h->failures++;
        return NULL;
    }
    static _Thread_local run_result r;
    for (int it = 0; it < h->iterations; it++) {
        int i = it % 2; /* two images keep the test quick */
        face_image img;
        if (load_golden_image(ctx, i, &img) != FACE_OK) {
            h->failures++;
            continue;
        }
        run_pipeline(ctx, &img, FACE_DETECTOR_TINY, FACE_ALIGN_DLIB, &r);
        const run_result *e = &h->expect[i];
        if (r.nfaces != e->nfaces) h->failures++;
        for (size_t f = 0; f < r.nfaces && f < e->nfaces; f++)
            if (memcmp(&r.det[f], &e->det[f], sizeof r.det[f]) ||
                memcmp(r.tpl[f].values, e->tpl[f].values, sizeof r.tpl[f].values))
                h->failures++;
        face_image_free(ctx, &img);
    }
    face_ctx_destroy(ctx);
    return NULL;
}

static void test_threads_match_single(void **state)
{
    (void)state;
    static run_result expect[2];
    face_ctx *ctx = NULL;
    assert_int_equal(face_ctx_create(g_engine, NULL, &ctx), FACE_OK);
    for (int i = 0; i < 2; i++) {
        face_image img;
        assert_int_equal(load_golden_image(ctx, i, &img), FACE_OK);
        run_pipeline(ctx, &img, FACE_DETECTOR_TINY, FACE_ALIGN_DLIB, &expect[i]);
        assert_true(expect[i].nfaces > 0);
        face_image_free(ctx, &img);
    }
    face_ctx_destroy(ctx);

    probe p;
    face_allocator a;
    probe_init(&p, &a);
    enum { NT = 4 };
    pthread_t th[NT];
    hammer_arg args[NT];
    for (int t = 0; t < NT; t++) {
        args[t] = (hammer_arg){&a, 3, 0, expect};
        assert_int_equal(pthread_create(&th[t], NULL, hammer_thread, &args[t]), 0);
    }
    for (int t = 0; t < NT; t++) {
        pthread_join(th[t], NULL);
        assert_int_equal(args[t].failures, 0);
    }
    assert_int_equal(atomic_load(&p.allocs), atomic_load(&p.frees));
    assert_int_equal(atomic_load(&p.nonzero_frees), 0);
}

/* Internal threads (FACE_OPT_THREADS) split work but must not change a bit. */
static void test_ctx_threads_match_single(void **state)
{
    (void)state;
    static run_result one, two;
    face_ctx *ctx = NULL;
    assert_int_equal(face_ctx_create(g_engine, NULL, &ctx), FACE_OK);
    face_image img;
    assert_int_equal(load_golden_image(ctx, 0, &img), FACE_OK);
    run_pipeline(ctx, &img, FACE_DETECTOR_SSD, FACE_ALIGN_DLIB, &one);
    assert_int_equal(face_ctx_set_option(ctx, FACE_OPT_THREADS, 2), FACE_OK);
    int64_t v = 0;
    assert_int_equal(face_ctx_get_option(ctx, FACE_OPT_THREADS, &v), FACE_OK);
    assert_int_equal(v, 2);
    run_pipeline(ctx, &img, FACE_DETECTOR_SSD, FACE_ALIGN_DLIB, &two);
    /* Splitting a GEMM into row blocks lets OpenBLAS pick other edge kernels,
     * so the last bits may move; anything beyond rounding is a bug. */
    assert_int_equal(one.nfaces, two.nfaces);
    for (size_t f = 0; f < one.nfaces; f++) {
        assert_true(fabsf(one.det[f].score - two.det[f].score) < 1e-5f);
        assert_true(fabsf(one.det[f].box.x - two.det[f].box.x) < 1e-3f);
        assert_true(fabsf(one.det[f].box.y - two.det[f].box.y) < 1e-3f);
        assert_true(fabsf(one.det[f].box.width - two.det[f].box.width) < 1e-3f);
        assert_true(fabsf(one.det[f].box.height - two.det[f].box.height) < 1e-3f);
        double l2 = 0;
        for (int k = 0; k < FACE_TEMPLATE_DIM; k++) {
            double d = one.tpl[f].values[k] - two.tpl[f].values[k];
            l2 += d * d;
        }
        assert_true(sqrt(l2) < 1e-5);
    }
    face_image_free(ctx, &img);
    face_ctx_destroy(ctx);
}

static void test_warm_context_does_not_allocate(void **state)
{
    (void)state;
    probe p;
    face_allocator a;
    probe_init(&p, &a);
    face_ctx *ctx = NULL;
    assert_int_equal(face_ctx_create(g_engine, &a, &ctx), FACE_OK);
    /* Decode with the default allocator so only pipeline calls are counted. */
    face_ctx *io = NULL;
    assert_int_equal(face_ctx_create(g_engine, NULL, &io), FACE_OK);
    face_image img;
    assert_int_equal(load_golden_image(io, 1, &img), FACE_OK);
    static run_result r;
    for (int d = 0; d < 2; d++) {
        int det = d ? FACE_DETECTOR_SSD : FACE_DETECTOR_TINY;
        run_pipeline(ctx, &img, det, FACE_ALIGN_DLIB, &r); /* warm-up */
        run_pipeline(ctx, &img, det, FACE_ALIGN_FACEAPI, &r);
        long before = atomic_load(&p.allocs);
        run_pipeline(ctx, &img, det, FACE_ALIGN_DLIB, &r);
        run_pipeline(ctx, &img, det, FACE_ALIGN_FACEAPI, &r);
        assert_int_equal(atomic_load(&p.allocs), before);
    }
    /* Scratch is zero whenever no call is running. */
    pthread_mutex_lock(&p.mu);
    const uint8_t *scratch = p.arena_like;
    size_t n = p.arena_size;
    pthread_mutex_unlock(&p.mu);
    assert_non_null(scratch);
    assert_true(n >= ((size_t)1 << 20));
    for (size_t i = 0; i < n; i++)
        if (scratch[i]) fail_msg("scratch byte %zu of %zu is not zero between calls", i, n);
    face_image_free(io, &img);
    face_ctx_destroy(io);
    face_ctx_destroy(ctx);
    assert_int_equal(atomic_load(&p.allocs), atomic_load(&p.frees));
    assert_int_equal(atomic_load(&p.nonzero_frees), 0);
}

/* Plant a marker in memory the context owns (a decoded image), and check it
 * is gone by the time the buffer reaches free(). */
static void test_decoded_pixels_wiped(void **state)
{
    (void)state;
    probe p;
    face_allocator a;
    probe_init(&p, &a);
    face_ctx *ctx = NULL;
    assert_int_equal(face_ctx_create(g_engine, &a, &ctx), FACE_OK);
    face_image img;
    assert_int_equal(load_golden_image(ctx, 2, &img), FACE_OK);
    memset((uint8_t *)img.data, 0xA5, (size_t)img.stride * (size_t)img.height);
    face_image_free(ctx, &img);
    assert_null(img.data);
    face_ctx_destroy(ctx);
    assert_true(atomic_load(&p.frees) > 0);
    assert_int_equal(atomic_load(&p.nonzero_frees), 0);
    assert_int_equal(atomic_load(&p.allocs), atomic_load(&p.frees));
}

static void test_bad_arguments(void **state)
{
    (void)state;
    face_ctx *ctx = NULL;
    assert_int_equal(face_ctx_create(g_engine, NULL, &ctx), FACE_OK);
    static uint8_t px[64 * 64 * 3];
    face_image img;
    assert_int_equal(face_image_init(&img, FACE_PIXEL_RGB24, 64, 64, 64 * 3, px), FACE_OK);
    face_detection det[4];
    size_t n = 99;

    /* detect */
    assert_int_equal(face_detect(NULL, &img, NULL, det, 4, &n), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_detect(ctx, NULL, NULL, det, 4, &n), FACE_ERR_INVALID_ARGUMENT);
    assert_string_not_equal(face_ctx_last_error(ctx), "");
    assert_int_equal(face_detect(ctx, &img, NULL, det, 4, NULL), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_detect(ctx, &img, NULL, NULL, 4, &n), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_detect(ctx, &img, NULL, NULL, 0, &n), FACE_OK);
    assert_string_equal(face_ctx_last_error(ctx), "");
    face_image bad = img;
    bad.width = 0;
    assert_int_equal(face_detect(ctx, &bad, NULL, det, 4, &n), FACE_ERR_INVALID_ARGUMENT);
    bad = img;
    bad.height = -5;
    assert_int_equal(face_detect(ctx, &bad, NULL, det, 4, &n), FACE_ERR_INVALID_ARGUMENT);
    bad = img;
    bad.stride = 10;
    assert_int_equal(face_detect(ctx, &bad, NULL, det, 4, &n), FACE_ERR_INVALID_ARGUMENT);
    bad = img;
    bad.format = 0;
    assert_int_equal(face_detect(ctx, &bad, NULL, det, 4, &n), FACE_ERR_INVALID_ARGUMENT);
    bad = img;
    bad.width = bad.height = 60000; /* absurd: refused before any pixel is read */
    bad.stride = 60000 * 3;
    assert_int_equal(face_detect(ctx, &bad, NULL, det, 4, &n), FACE_ERR_LIMIT);
    bad = img;
    bad.struct_size = 3;
    assert_int_equal(face_detect(ctx, &bad, NULL, det, 4, &n), FACE_ERR_INVALID_ARGUMENT);

    face_detect_options o;
    face_detect_options_init(&o);
    o.detector = 7;
    assert_int_equal(face_detect(ctx, &img, &o, det, 4, &n), FACE_ERR_INVALID_ARGUMENT);
    face_detect_options_init(&o);
    o.input_size = 100;
    assert_int_equal(face_detect(ctx, &img, &o, det, 4, &n), FACE_ERR_INVALID_ARGUMENT);
    face_detect_options_init(&o);
    o.score_threshold = 1.5f;
    assert_int_equal(face_detect(ctx, &img, &o, det, 4, &n), FACE_ERR_INVALID_ARGUMENT);
    o.score_threshold = NAN;
    assert_int_equal(face_detect(ctx, &img, &o, det, 4, &n), FACE_ERR_INVALID_ARGUMENT);
    face_detect_options_init(&o);
    o.min_face_size = -1;
    assert_int_equal(face_detect(ctx, &img, &o, det, 4, &n), FACE_ERR_INVALID_ARGUMENT);
    face_detect_options_init(&o);
    o.struct_size = 2;
    assert_int_equal(face_detect(ctx, &img, &o, det, 4, &n), FACE_ERR_INVALID_ARGUMENT);

    /* options */
    assert_int_equal(face_ctx_set_option(ctx, FACE_OPT_THREADS, 0), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_ctx_set_option(ctx, FACE_OPT_THREADS, 1000), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_ctx_set_option(ctx, 12345, 1), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_ctx_set_option(ctx, FACE_OPT_MAX_PIXELS, -1), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_ctx_set_option(NULL, FACE_OPT_THREADS, 1), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_ctx_set_option(ctx, FACE_OPT_MAX_PIXELS, 1000), FACE_OK);
    assert_int_equal(face_detect(ctx, &img, NULL, det, 4, &n), FACE_ERR_LIMIT);
    assert_int_equal(face_ctx_set_option(ctx, FACE_OPT_MAX_PIXELS, 40000000), FACE_OK);

    /* landmarks */
    face_rect box = {10, 10, 30, 30};
    face_landmarks lm;
    assert_int_equal(face_landmarks_detect(ctx, &img, NULL, &lm), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_landmarks_detect(ctx, &img, &box, NULL), FACE_ERR_INVALID_ARGUMENT);
    face_rect nanbox = {NAN, 0, 10, 10};
    assert_int_equal(face_landmarks_detect(ctx, &img, &nanbox, &lm), FACE_ERR_INVALID_ARGUMENT);
    face_rect zero = {10, 10, 0, 30};
    assert_int_equal(face_landmarks_detect(ctx, &img, &zero, &lm), FACE_ERR_INVALID_ARGUMENT);
    face_rect huge = {1e30f, 0, 10, 10};
    assert_int_equal(face_landmarks_detect(ctx, &img, &huge, &lm), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_landmarks_detect(ctx, &img, &box, &lm), FACE_OK);
    /* a box entirely outside the image is still a defined request */
    face_rect outside = {500, 500, 30, 30};
    face_status s = face_landmarks_detect(ctx, &img, &outside, &lm);
    assert_true(s == FACE_OK || s == FACE_ERR_INVALID_ARGUMENT);

    /* align / embed */
    face_chip chip;
    face_template t;
    assert_int_equal(face_landmarks_detect(ctx, &img, &box, &lm), FACE_OK);
    assert_int_equal(face_align_chip(ctx, &img, NULL, &chip), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_align_chip(ctx, &img, &lm, NULL), FACE_ERR_INVALID_ARGUMENT);
    face_landmarks badlm = lm;
    badlm.points[30].x = INFINITY;
    assert_int_equal(face_align_chip(ctx, &img, &badlm, &chip), FACE_ERR_INVALID_ARGUMENT);
    badlm = lm;
    badlm.count = 5;
    assert_int_equal(face_align_chip(ctx, &img, &badlm, &chip), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_align_chip(ctx, &img, &lm, &chip), FACE_OK);
    assert_int_equal(face_embed_chip(ctx, NULL, NULL, &t), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_embed_chip(ctx, &chip, NULL, NULL), FACE_ERR_INVALID_ARGUMENT);
    face_chip badchip = chip;
    badchip.size = 149;
    assert_int_equal(face_embed_chip(ctx, &badchip, NULL, &t), FACE_ERR_INVALID_ARGUMENT);
    face_embed_options eo;
    face_embed_options_init(&eo);
    eo.align_mode = 9;
    assert_int_equal(face_embed_chip(ctx, &chip, &eo, &t), FACE_ERR_INVALID_ARGUMENT);
    face_embed_options_init(&eo);
    eo.flags = 0x80;
    assert_int_equal(face_embed_chip(ctx, &chip, &eo, &t), FACE_ERR_INVALID_ARGUMENT);
    face_embed_options_init(&eo);
    eo.align_mode = FACE_ALIGN_FACEAPI;
    assert_int_equal(face_embed(ctx, &img, &lm, NULL, &eo, &t), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_embed_crop(ctx, &img, &zero, NULL, &t), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_align_faceapi_box(&lm, &box, 0, 64, &box), FACE_ERR_INVALID_ARGUMENT);

    /* A template from another alignment mode is another model's template. */
    face_template td, tf;
    assert_int_equal(face_embed_chip(ctx, &chip, NULL, &td), FACE_OK);
    assert_int_equal(face_embed(ctx, &img, &lm, &box, &eo, &tf), FACE_OK);
    float dist = 0;
    assert_int_equal(face_compare(&td, &tf, &dist, NULL), FACE_ERR_MODEL_MISMATCH);
    uint8_t fp[FACE_FINGERPRINT_BYTES];
    assert_int_equal(face_engine_fingerprint(g_engine, FACE_ALIGN_DLIB, fp), FACE_OK);
    assert_memory_equal(fp, td.fingerprint, sizeof fp);
    assert_int_equal(face_engine_fingerprint(g_engine, 0, fp), FACE_ERR_INVALID_ARGUMENT);
    face_ctx_destroy(ctx);
}

static void test_engine_models_wrong_slot(void **state)
{
    (void)state;
    char path[4200];
    face_model *m = NULL;
    snprintf(path, sizeof path, "%s/tiny_face_detector.fmdl", tu_model_dir());
    assert_int_equal(face_model_load_file(path, NULL, &m), FACE_OK);
    assert_int_equal(face_model_kind_of(m), FACE_MODEL_TINY_DETECTOR);
    face_engine_config cfg;
    face_engine_config_init(&cfg);
    cfg.model_dir = tu_model_dir();
    cfg.recognition = m; /* a detector where the recognition net belongs */
    face_engine *e = (face_engine *)1;
    assert_int_equal(face_engine_create(&cfg, &e), FACE_ERR_MODEL_MISMATCH);
    assert_null(e);
    /* on failure the caller still owns m */
    cfg.recognition = NULL;
    cfg.tiny_detector = m;
    assert_int_equal(face_engine_create(&cfg, &e), FACE_OK);
    face_engine_destroy(e); /* now the engine owned m and freed it */
}

int main(void)
{
    TU_REQUIRE_SHARED();
    TU_REQUIRE_MODELS();
    g_golden = tu_golden_load();
    if (!g_golden || g_golden->nimages < 6) {
        fprintf(stderr, "cannot read the golden file\n");
        return 1;
    }
    face_status s = face_engine_create_from_dir(tu_model_dir(), NULL, &g_engine);
    if (s != FACE_OK) {
        fprintf(stderr, "engine: %s\n", face_strerror(s));
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_engine_models_wrong_slot),
        cmocka_unit_test(test_decoded_pixels_wiped),
        cmocka_unit_test(test_warm_context_does_not_allocate),
        cmocka_unit_test(test_chained_golden),
        cmocka_unit_test(test_ctx_threads_match_single),
        cmocka_unit_test(test_threads_match_single),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    face_engine_destroy(g_engine);
    free(g_golden);
    return rc;
}
