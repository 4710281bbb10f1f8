/* dlib chip: pixel-exact against faceref.py's dlib_chip (dlib 19.24), via the
 * hashes and probe pixels in tests/data/align_golden.txt
 * (tools/gen_align_golden.py): the golden sample faces, faces crossing every
 * border, the pyramid path, rolled faces, a procedural image; plus every
 * pixel format giving the same chip and scratch accounting. Also face-api's
 * descriptor crop box: exactly the golden descriptorCrop of every face. */
#include <math.h>

#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

#include "align/align.h"
#include "golden.h"
#include "testutil.h"

#define MAX_CASES 128

typedef struct chip_case {
    char name[96], src[96];
    face_landmarks lm;
    uint64_t hash;
    int nprobe;
    int probe[8][5]; /* x, y, r, g, b */
} chip_case;

static chip_case g_cases[MAX_CASES];
static int g_ncases;

static uint64_t fnv64(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static const char *data_path(const char *file, char *buf, size_t n)
{
    const char *slash = strrchr(__FILE__, '/');
    int dir = slash ? (int)(slash - __FILE__) : 1;
    snprintf(buf, n, "%.*s/data/%s", dir, slash ? __FILE__ : ".", file);
    return buf;
}

static int load_cases(void)
{
    char path[4096];
    FILE *f = fopen(data_path("align_golden.txt", path, sizeof path), "r");
    if (!f) return 0;
    static char line[65536];
    chip_case *c = NULL;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "case ", 5)) {
            if (g_ncases >= MAX_CASES) break;
            c = &g_cases[g_ncases++];
            memset(c, 0, sizeof *c);
            if (sscanf(line + 5, "%95s %95s", c->name, c->src) != 2) return 0;
        } else if (!strncmp(line, "lm ", 3) && c) {
            char *p = line + 3;
            for (int i = 0; i < FACE_LANDMARK_COUNT; i++) {
                c->lm.points[i].x = strtof(p, &p);
                c->lm.points[i].y = strtof(p, &p);
            }
            c->lm.count = FACE_LANDMARK_COUNT;
        } else if (!strncmp(line, "chip ", 5) && c) {
            char *p = line + 5;
            c->hash = strtoull(p, &p, 16);
            int n;
            while (c->nprobe < 8 &&
                   sscanf(p, " %d,%d=%d,%d,%d%n", &c->probe[c->nprobe][0], &c->probe[c->nprobe][1],
                          &c->probe[c->nprobe][2], &c->probe[c->nprobe][3],
                          &c->probe[c->nprobe][4], &n) == 5) {
                c->nprobe++;
                p += n;
            }
        }
    }
    fclose(f);
    return g_ncases;
}

/* The procedural image of gen_align_golden.py's synth(). */
static uint8_t *synth(int W, int H)
{
    uint8_t *px = malloc((size_t)W * H * 3);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *o = px + ((size_t)y * W + x) * 3;
            o[0] = (uint8_t)((x * 5 + y * 3) & 255);
            o[1] = (uint8_t)((((x >> 4) ^ (y >> 4)) * 37) & 255);
            o[2] = ((x / 32 + y / 32) % 2 == 1) ? 255 : 0;
        }
    return px;
}

typedef struct loaded {
    char src[96];
    uint8_t *px;
    int w, h;
} loaded;
static loaded g_img[8];

static const loaded *get_image(const char *src)
{
    for (int i = 0; i < 8; i++)
        if (g_img[i].px && !strcmp(g_img[i].src, src)) return &g_img[i];
    for (int i = 0; i < 8; i++) {
        if (g_img[i].px) continue;
        loaded *l = &g_img[i];
        snprintf(l->src, sizeof l->src, "%s", src);
        if (!strncmp(src, "synth:", 6)) {
            sscanf(src + 6, "%d:%d", &l->w, &l->h);
            l->px = synth(l->w, l->h);
        } else {
            char path[4096];
            int n;
            snprintf(path, sizeof path, "%s/golden/%s", tu_shared_dir(), src);
            l->px = stbi_load(path, &l->w, &l->h, &n, 3);
        }
        return l->px ? l : NULL;
    }
    return NULL;
}

/* Filled by hand: lib/align sits below the engine, which owns face_image_init. */
static face_image view(int fmt, int w, int h, int stride, const uint8_t *px)
{
    face_image im = {sizeof(face_image), fmt, w, h, stride, 0, px};
    return im;
}

static face_image rgb_view(const loaded *l) { return view(FACE_PIXEL_RGB24, l->w, l->h, l->w * 3, l->px); }

static lf_allocator g_alloc;

static face_status run_chip(const face_image *im, const face_landmarks *lm, face_chip *out,
                            size_t *scratch)
{
    lf_arena ar;
    lf_arena_init(&ar, &g_alloc);
    size_t need = lf_chip_scratch_bytes(im, lm);
    if (scratch) *scratch = need;
    assert_int_equal(lf_arena_reserve(&ar, need + 64), FACE_OK);
    lf_error err = {{0}};
    face_status st = lf_dlib_chip(&ar, im, lm, out, &err);
    assert_int_equal(ar.top, 0); /* scratch handed back */
    lf_arena_destroy(&ar);
    return st;
}

static void test_golden_chips(void **state)
{
    (void)state;
    int failed = 0, pyramid = 0;
    for (int i = 0; i < g_ncases; i++) {
        chip_case *c = &g_cases[i];
        const loaded *l = get_image(c->src);
        assert_non_null(l);
        face_image im = rgb_view(l);
        face_chip chip;
        size_t scratch;
        assert_int_equal(run_chip(&im, &c->lm, &chip, &scratch), FACE_OK);
        pyramid += scratch > 0;
        uint64_t h = fnv64(chip.rgb, sizeof chip.rgb);
        int bad_probe = 0;
        for (int k = 0; k < c->nprobe; k++) {
            const uint8_t *p = chip.rgb + ((size_t)c->probe[k][1] * FACE_CHIP_SIZE + c->probe[k][0]) * 3;
            if (p[0] != c->probe[k][2] || p[1] != c->probe[k][3] || p[2] != c->probe[k][4]) {
                fprintf(stderr, "  %s: pixel (%d,%d) = %d,%d,%d, expected %d,%d,%d\n", c->name,
                        c->probe[k][0], c->probe[k][1], p[0], p[1], p[2], c->probe[k][2],
                        c->probe[k][3], c->probe[k][4]);
                bad_probe = 1;
            }
        }
        if (h != c->hash || bad_probe) {
            fprintf(stderr, "FAIL %s: hash %016llx expected %016llx\n", c->name,
                    (unsigned long long)h, (unsigned long long)c->hash);
            failed++;
        }
    }
    fprintf(stderr, "%d chips checked (%d through the pyramid), %d mismatches\n", g_ncases, pyramid,
            failed);
    assert_true(pyramid >= 8); /* the strong-downscale cases really took that path */
    assert_int_equal(failed, 0);
}

/* The same pixels in every format give the same chip; GRAY8 equals RGB24
 * with R = G = B. Uses a pyramid case and a border case so that both the
 * direct sampler and the pyramid read every format. */
static void convert(const loaded *l, int fmt, uint8_t **buf, face_image *im)
{
    int bpp = fmt == FACE_PIXEL_GRAY8 ? 1 : (fmt == FACE_PIXEL_RGB24 || fmt == FACE_PIXEL_BGR24) ? 3 : 4;
    int stride = l->w * bpp + 13; /* a padded stride on purpose */
    *buf = malloc((size_t)stride * l->h);
    for (int y = 0; y < l->h; y++)
        for (int x = 0; x < l->w; x++) {
            const uint8_t *s = l->px + ((size_t)y * l->w + x) * 3;
            uint8_t *d = *buf + (size_t)y * stride + (size_t)x * bpp;
            switch (fmt) {
            case FACE_PIXEL_GRAY8: d[0] = s[1]; break;
            case FACE_PIXEL_RGB24: memcpy(d, s, 3); break;
            case FACE_PIXEL_BGR24: d[0] = s[2], d[1] = s[1], d[2] = s[0]; break;
            case FACE_PIXEL_RGBA32: memcpy(d, s, 3), d[3] = 77; break;
            case FACE_PIXEL_BGRA32: d[0] = s[2], d[1] = s[1], d[2] = s[0], d[3] = 99; break;
            }
        }
    *im = view(fmt, l->w, l->h, stride, *buf);
}

static void test_pixel_formats(void **state)
{
    (void)state;
    const char *names[] = {"border/left-out", "pyramid/x4-rolled", "synth/rolled"};
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
        chip_case *c = NULL;
        for (int i = 0; i < g_ncases; i++)
            if (!strcmp(g_cases[i].name, names[n])) c = &g_cases[i];
        assert_non_null(c);
        const loaded *l = get_image(c->src);
        assert_non_null(l);
        face_chip ref, got;
        face_image im = rgb_view(l);
        assert_int_equal(run_chip(&im, &c->lm, &ref, NULL), FACE_OK);
        for (int fmt = FACE_PIXEL_GRAY8; fmt <= FACE_PIXEL_BGRA32; fmt++) {
            uint8_t *buf;
            face_image v;
            convert(l, fmt, &buf, &v);
            assert_int_equal(run_chip(&v, &c->lm, &got, NULL), FACE_OK);
            if (fmt == FACE_PIXEL_GRAY8) {
                /* Expected: the chip of the RGB image whose channels are all G. */
                loaded g = *l;
                g.px = malloc((size_t)l->w * l->h * 3);
                for (size_t i = 0; i < (size_t)l->w * l->h; i++)
                    g.px[3 * i] = g.px[3 * i + 1] = g.px[3 * i + 2] = l->px[3 * i + 1];
                face_image gi = rgb_view(&g);
                face_chip gref;
                assert_int_equal(run_chip(&gi, &c->lm, &gref, NULL), FACE_OK);
                assert_memory_equal(gref.rgb, got.rgb, sizeof got.rgb);
                free(g.px);
            } else {
                assert_memory_equal(ref.rgb, got.rgb, sizeof got.rgb);
            }
            free(buf);
        }
    }
}

/* An arena one byte short of the need fails cleanly; the pyramid path is the
 * one that needs scratch. */
static void test_scratch_short(void **state)
{
    (void)state;
    chip_case *c = NULL;
    for (int i = 0; i < g_ncases; i++)
        if (!strcmp(g_cases[i].name, "pyramid/x9")) c = &g_cases[i];
    assert_non_null(c);
    const loaded *l = get_image(c->src);
    face_image im = rgb_view(l);
    size_t need = lf_chip_scratch_bytes(&im, &c->lm);
    assert_true(need > 0);
    /* Far below the 1920x1280 image: the pyramid streams rows. */
    assert_true(need < (size_t)l->w * 3 * 64);
    lf_arena ar;
    lf_arena_init(&ar, &g_alloc);
    assert_int_equal(lf_arena_reserve(&ar, need), FACE_OK);
    /* The arena rounds its capacity up: fill it so only half the need is left. */
    assert_non_null(lf_arena_push(&ar, ar.cap - need / 2 - LF_ALIGN));
    size_t mark = ar.top;
    face_chip chip;
    lf_error err = {{0}};
    assert_int_equal(lf_dlib_chip(&ar, &im, &c->lm, &chip, &err), FACE_ERR_INTERNAL);
    assert_int_equal(ar.top, mark);
    assert_true(strlen(err.msg) > 0);
    lf_arena_pop_to(&ar, 0);
    /* With exactly the advertised bytes free it works. */
    assert_non_null(lf_arena_push(&ar, ar.cap - need - LF_ALIGN));
    assert_int_equal(lf_dlib_chip(&ar, &im, &c->lm, &chip, &err), FACE_OK);
    assert_int_equal(fnv64(chip.rgb, sizeof chip.rgb), c->hash);
    lf_arena_destroy(&ar);
}

/* §7.1 with the validated correction, from the golden landmarks (rounded
 * to float like face_landmarks) and the golden detection box. */
static void test_faceapi_crops(void **state)
{
    (void)state;
    tu_golden *g = tu_golden_load();
    assert_non_null(g);
    int n = 0, narrowed = 0;
    for (int i = 0; i < g->nimages; i++)
        for (int d = 0; d < 2; d++)
            for (int j = 0; j < g->images[i].det[d].nfaces; j++) {
                const tu_golden_face *f = &g->images[i].det[d].faces[j];
                face_landmarks lm;
                memset(&lm, 0, sizeof lm);
                for (int k = 0; k < FACE_LANDMARK_COUNT; k++) {
                    lm.points[k].x = (float)f->landmarks[k][0];
                    lm.points[k].y = (float)f->landmarks[k][1];
                }
                face_rect det = {(float)f->box[0], (float)f->box[1], (float)f->box[2], (float)f->box[3]};
                face_rect out;
                assert_int_equal(lf_faceapi_box(&lm, &det, g->images[i].width, g->images[i].height, &out),
                                 FACE_OK);
                if (out.x != f->crop[0] || out.y != f->crop[1] || out.width != f->crop[2] ||
                    out.height != f->crop[3])
                    fail_msg("%s det %d face %d: (%g %g %g %g), golden (%g %g %g %g)", g->images[i].file, d,
                             j, out.x, out.y, out.width, out.height, f->crop[0], f->crop[1], f->crop[2],
                             f->crop[3]);
                narrowed += out.width != out.height;
                n++;
            }
    fprintf(stderr, "%d face-api crops exact (%d not square)\n", n, narrowed);
    assert_true(n >= 40);
    free(g);
}

int main(void)
{
    TU_REQUIRE_SHARED();
    if (!load_cases()) {
        fprintf(stderr, "cannot read tests/data/align_golden.txt\n");
        return 1;
    }
    lf_allocator_resolve(&g_alloc, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_chips),
        cmocka_unit_test(test_pixel_formats),
        cmocka_unit_test(test_scratch_short),
        cmocka_unit_test(test_faceapi_crops),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    for (int i = 0; i < 8; i++) free(g_img[i].px);
    return rc;
}
