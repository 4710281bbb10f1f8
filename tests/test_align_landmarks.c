/* face_landmark_68 against face-api.js: every golden face of the six sample
 * photos, from both detectors' boxes, within 0.5 px (the reference reaches
 * 0.0005 px). Also: the same result for every pixel format, with a thread
 * pool, and with the reference kernels; scratch accounting; the per-face
 * time is printed. */
#include <math.h>
#include <time.h>

#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

#include "align/align.h"
#include "golden.h"
#include "testutil.h"

static lf_allocator g_alloc;
static face_model *g_model;
static lf_landmarker *g_lm;
static tu_golden *g_gold;

typedef struct runner {
    lf_arena arena;
    lf_error err;
    lf_exec ex;
} runner;

static void runner_init(runner *r, const lf_kernels *k, lf_pool *pool)
{
    memset(r, 0, sizeof *r);
    lf_arena_init(&r->arena, &g_alloc);
    assert_int_equal(lf_arena_reserve(&r->arena, lf_landmarker_scratch_bytes(g_lm)), FACE_OK);
    r->ex.k = k;
    r->ex.arena = &r->arena;
    r->ex.pool = pool;
    r->ex.err = &r->err;
}

static face_image view(int fmt, int w, int h, int stride, const uint8_t *px)
{
    face_image im = {sizeof(face_image), fmt, w, h, stride, 0, px};
    return im;
}

static uint8_t *load_png(const tu_golden_image *gi, int *w, int *h)
{
    char path[8400];
    int n;
    snprintf(path, sizeof path, "%s/%s", g_gold->dir, gi->file);
    uint8_t *px = stbi_load(path, w, h, &n, 3);
    assert_non_null(px);
    assert_int_equal(*w, gi->width);
    assert_int_equal(*h, gi->height);
    return px;
}

static face_rect golden_box(const tu_golden_face *f)
{
    face_rect b = {(float)f->box[0], (float)f->box[1], (float)f->box[2], (float)f->box[3]};
    return b;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_golden_landmarks(void **state)
{
    (void)state;
    runner r;
    runner_init(&r, lf_kernels_active(), NULL);
    double worst = 0, sum = 0, ms = 0;
    int faces = 0;
    for (int i = 0; i < g_gold->nimages; i++) {
        const tu_golden_image *gi = &g_gold->images[i];
        int w, h;
        uint8_t *px = load_png(gi, &w, &h);
        face_image im = view(FACE_PIXEL_RGB24, w, h, w * 3, px);
        for (int d = 0; d < 2; d++) {
            assert_true(gi->det[d].nfaces > 0);
            for (int j = 0; j < gi->det[d].nfaces; j++) {
                const tu_golden_face *f = &gi->det[d].faces[j];
                face_rect box = golden_box(f);
                face_landmarks lm;
                double t0 = now_ms();
                face_status st = lf_landmarks_run(&r.ex, g_lm, &im, &box, &lm);
                ms += now_ms() - t0;
                assert_int_equal(st, FACE_OK);
                assert_int_equal(r.arena.top, 0);
                assert_int_equal(lm.count, FACE_LANDMARK_COUNT);
                double face_worst = 0;
                for (int k = 0; k < FACE_LANDMARK_COUNT; k++) {
                    double dx = fabs(lm.points[k].x - f->landmarks[k][0]);
                    double dy = fabs(lm.points[k].y - f->landmarks[k][1]);
                    face_worst = fmax(face_worst, fmax(dx, dy));
                }
                if (face_worst > 0.5)
                    fprintf(stderr, "FAIL %s det %d face %d: %.4f px\n", gi->file, d, j, face_worst);
                worst = fmax(worst, face_worst);
                sum += face_worst;
                faces++;
            }
        }
        stbi_image_free(px);
    }
    fprintf(stderr, "%d faces: worst landmark error %.5f px, mean of per-face worst %.5f px, "
                    "%.3f ms per face (%s kernels)\n",
            faces, worst, sum / faces, ms / faces, face_isa_name(lf_kernels_active()->isa));
    assert_true(faces >= 40);
    assert_true(worst <= 0.5);
    lf_arena_destroy(&r.arena);
}

/* Every pixel format, a thread pool and the reference kernels agree. */
static void test_variants(void **state)
{
    (void)state;
    const tu_golden_image *gi = &g_gold->images[1];
    int w, h;
    uint8_t *px = load_png(gi, &w, &h);
    face_rect box = golden_box(&gi->det[TU_TINY].faces[0]);
    runner r;
    runner_init(&r, lf_kernels_active(), NULL);
    face_landmarks ref, got;
    face_image im = view(FACE_PIXEL_RGB24, w, h, w * 3, px);
    assert_int_equal(lf_landmarks_run(&r.ex, g_lm, &im, &box, &ref), FACE_OK);

    /* Formats: same channels in other layouts, padded strides. */
    for (int fmt = FACE_PIXEL_BGR24; fmt <= FACE_PIXEL_BGRA32; fmt++) {
        int bpp = fmt == FACE_PIXEL_BGR24 ? 3 : 4, stride = w * bpp + 7;
        int swap = fmt != FACE_PIXEL_RGBA32;
        uint8_t *buf = calloc((size_t)stride, (size_t)h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const uint8_t *s = px + ((size_t)y * w + x) * 3;
                uint8_t *o = buf + (size_t)y * stride + (size_t)x * bpp;
                o[0] = s[swap ? 2 : 0];
                o[1] = s[1];
                o[2] = s[swap ? 0 : 2];
                if (bpp == 4) o[3] = 200;
            }
        face_image v = view(fmt, w, h, stride, buf);
        assert_int_equal(lf_landmarks_run(&r.ex, g_lm, &v, &box, &got), FACE_OK);
        assert_memory_equal(&ref, &got, sizeof ref);
        free(buf);
    }
    /* GRAY8 == RGB24 with R = G = B. */
    uint8_t *gray = malloc((size_t)w * h), *grgb = malloc((size_t)w * h * 3);
    for (size_t i = 0; i < (size_t)w * h; i++) gray[i] = grgb[3 * i] = grgb[3 * i + 1] = grgb[3 * i + 2] = px[3 * i];
    face_image gv = view(FACE_PIXEL_GRAY8, w, h, w, gray), gr = view(FACE_PIXEL_RGB24, w, h, w * 3, grgb);
    face_landmarks a, b;
    assert_int_equal(lf_landmarks_run(&r.ex, g_lm, &gv, &box, &a), FACE_OK);
    assert_int_equal(lf_landmarks_run(&r.ex, g_lm, &gr, &box, &b), FACE_OK);
    assert_memory_equal(&a, &b, sizeof a);
    free(gray);
    free(grgb);

    /* Two threads: work is split by rows, so results are identical. */
    lf_pool *pool = NULL;
    assert_int_equal(lf_pool_create(&g_alloc, 2, &pool), FACE_OK);
    runner r2;
    runner_init(&r2, lf_kernels_active(), pool);
    assert_int_equal(lf_landmarks_run(&r2.ex, g_lm, &im, &box, &got), FACE_OK);
    assert_memory_equal(&ref, &got, sizeof ref);
    lf_arena_destroy(&r2.arena);
    lf_pool_destroy(pool);

    /* Reference kernels (plain C GEMM): same to float rounding. */
    runner r3;
    runner_init(&r3, &lf_kernels_ref, NULL);
    assert_int_equal(lf_landmarks_run(&r3.ex, g_lm, &im, &box, &got), FACE_OK);
    for (int k = 0; k < FACE_LANDMARK_COUNT; k++) {
        assert_true(fabs(ref.points[k].x - got.points[k].x) < 1e-3);
        assert_true(fabs(ref.points[k].y - got.points[k].y) < 1e-3);
    }
    lf_arena_destroy(&r3.arena);

    /* A box crossing the image corner still works (the crop is clipped). */
    face_rect edge = {-30.25f, -12.5f, 90.0f, 100.0f};
    assert_int_equal(lf_landmarks_run(&r.ex, g_lm, &im, &edge, &got), FACE_OK);
    for (int k = 0; k < FACE_LANDMARK_COUNT; k++)
        assert_true(isfinite(got.points[k].x) && isfinite(got.points[k].y));

    /* Too little scratch: a clean error, the arena as it was. */
    lf_arena_pop_to(&r.arena, 0);
    assert_non_null(lf_arena_push(&r.arena, r.arena.cap - lf_landmarker_scratch_bytes(g_lm) / 2));
    size_t mark = r.arena.top;
    assert_int_equal(lf_landmarks_run(&r.ex, g_lm, &im, &box, &got), FACE_ERR_INTERNAL);
    assert_int_equal(r.arena.top, mark);
    lf_arena_destroy(&r.arena);
    stbi_image_free(px);
}

int main(void)
{
    TU_REQUIRE_SHARED();
    TU_REQUIRE_MODELS();
    g_gold = tu_golden_load();
    if (!g_gold) return TU_SKIP_CODE;
    assert_int_equal(lf_cpu_init(), FACE_OK);
    lf_allocator_resolve(&g_alloc, NULL);
    char path[4200];
    snprintf(path, sizeof path, "%s/face_landmark_68.fmdl", tu_model_dir());
    size_t size = 0;
    uint8_t *buf = tu_read_file(path, &size);
    if (!buf) return TU_SKIP_CODE;
    lf_error err = {{0}};
    if (lf_model_parse(&g_alloc, buf, size, &g_model, &err) != FACE_OK) {
        fprintf(stderr, "model: %s\n", err.msg);
        return 1;
    }
    free(buf);
    if (lf_landmarker_load(&g_alloc, g_model, &g_lm, &err) != FACE_OK) {
        fprintf(stderr, "landmarker: %s\n", err.msg);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_landmarks),
        cmocka_unit_test(test_variants),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    lf_landmarker_free(g_lm);
    face_model_destroy(g_model);
    free(g_gold);
    return rc;
}
