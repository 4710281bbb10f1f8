/* face-api crop path against face-api.js itself: every face of
 * ../shared/golden/faceapi-1.7.15-samples.json (both detectors), its golden
 * descriptorCrop cut from the exact pixels face-api saw, must give the golden
 * descriptor. Cosine alone would accept a /256-for-/255 slip (a pure scale),
 * so the L2 distance is checked too. */
#include <math.h>

#include "embed/embed.h"
#include "golden.h"
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

#define MIN_COSINE 0.9999
#define MAX_L2 1e-4

static lf_allocator g_alloc;
static face_model *g_model;
static lf_recognizer *g_rec;
static tu_golden *g_golden;

/* One pass over every golden face with the given kernels; ref is slow, so
 * it may be limited to the first max_faces. */
static void run_golden(const lf_kernels *k, int max_faces)
{
    lf_arena arena;
    lf_arena_init(&arena, &g_alloc);
    lf_error err;
    lf_exec ex = {k, &arena, NULL, &err, NULL};
    double worst_cos = 1, worst_l2 = 0;
    int faces = 0;
    for (int i = 0; i < g_golden->nimages && faces < max_faces; i++) {
        const tu_golden_image *gi = &g_golden->images[i];
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", g_golden->dir, gi->file);
        int w, h, n;
        uint8_t *px = stbi_load(path, &w, &h, &n, 3);
        assert_non_null(px);
        assert_int_equal(w, gi->width);
        assert_int_equal(h, gi->height);
        face_image img = {sizeof img, FACE_PIXEL_RGB24, w, h, w * 3, 0, px};
        assert_int_equal(lf_arena_reserve(&arena, lf_recognizer_scratch_bytes(g_rec, w, h)), FACE_OK);
        for (int d = 0; d < 2; d++)
            for (int f = 0; f < gi->det[d].nfaces && faces < max_faces; f++, faces++) {
                const tu_golden_face *gf = &gi->det[d].faces[f];
                face_rect crop = {(float)gf->crop[0], (float)gf->crop[1], (float)gf->crop[2],
                                  (float)gf->crop[3]};
                face_template t;
                assert_int_equal(lf_embed_from_crop(&ex, g_rec, &img, &crop, 0, &t), FACE_OK);
                assert_int_equal(arena.top, 0);
                double dot = 0, na = 0, nb = 0, l2 = 0;
                for (int j = 0; j < FACE_TEMPLATE_DIM; j++) {
                    double a = t.values[j], b = gf->descriptor[j];
                    dot += a * b;
                    na += a * a;
                    nb += b * b;
                    l2 += (a - b) * (a - b);
                }
                double cosine = dot / sqrt(na * nb);
                l2 = sqrt(l2);
                if (cosine < worst_cos) worst_cos = cosine;
                if (l2 > worst_l2) worst_l2 = l2;
                if (cosine < MIN_COSINE || l2 > MAX_L2)
                    fail_msg("%s %s face %d crop (%g,%g,%g,%g): cosine %.7f, L2 %.3g (isa %s)",
                             gi->file, d ? "ssd" : "tiny", f, gf->crop[0], gf->crop[1],
                             gf->crop[2], gf->crop[3], cosine, l2, face_isa_name(k->isa));
                assert_int_equal(t.flags, FACE_TEMPLATE_FLAG_ALIGN_FACEAPI);
            }
        stbi_image_free(px);
    }
    print_message("isa %s: %d faces, worst cosine %.8f, worst L2 %.3g\n", face_isa_name(k->isa),
                  faces, worst_cos, worst_l2);
    lf_arena_destroy(&arena);
}

static void test_golden_active(void **state)
{
    (void)state;
    run_golden(lf_kernels_active(), 1 << 30);
}

static void test_golden_ref(void **state)
{
    (void)state;
    run_golden(lf_kernels_for(FACE_ISA_REF), 6);
}

/* The golden set must really be there: 42 faces over six images. */
static void test_golden_complete(void **state)
{
    (void)state;
    int faces = 0;
    for (int i = 0; i < g_golden->nimages; i++)
        faces += g_golden->images[i].det[0].nfaces + g_golden->images[i].det[1].nfaces;
    assert_int_equal(g_golden->nimages, 6);
    assert_true(faces >= 40);
}

int main(void)
{
    TU_REQUIRE_SHARED();
    TU_REQUIRE_MODELS();
    assert_int_equal(lf_cpu_init(), FACE_OK);
    lf_allocator_resolve(&g_alloc, NULL);
    g_golden = tu_golden_load();
    char path[4200];
    snprintf(path, sizeof path, "%s/face_recognition.fmdl", tu_model_dir());
    lf_error err;
    if (!g_golden || face_model_load_file(path, NULL, &g_model) != FACE_OK ||
        lf_recognizer_load(&g_alloc, g_model, &g_rec, &err) != FACE_OK) {
        fprintf(stderr, "cannot load the golden file or the recognition model\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_complete),
        cmocka_unit_test(test_golden_active),
        cmocka_unit_test(test_golden_ref),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    lf_recognizer_free(g_rec);
    face_model_destroy(g_model);
    free(g_golden);
    return rc;
}
