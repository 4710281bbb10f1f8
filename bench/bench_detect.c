/* Detector speed and small-face calibration.
 *
 *   bench_detect <model_dir> <image.png> [time|calibrate] [threads] [fx fy fside]
 *
 * time:      median wall time of lf_detect_faces, single pass, on the image
 *            resized to 640x480 (tiny @416/@320/@224, SSD), and the
 *            multi-scale settings on the image resized to 1920x1080.
 * calibrate: pastes the face square (fx, fy, fside), scaled to s px, at many
 *            positions of a gray S x S frame (so one pass sees it at scale
 *            1) and prints the detection rate per s: the f_min that
 *            pyramid.c uses is the smallest s with a rate near 100 %. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detect/detect.h"

#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#include <stb/stb_image.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static lf_allocator g_alloc;
static lf_arena g_arena;
static lf_error g_err;
static lf_exec g_ex;

/* Box-filter resample of a region of src into dst (RGB24). */
static void resample(const uint8_t *src, int sw, int sx0, int sy0, int sside_w, int sside_h,
                     uint8_t *dst, int dstride, int dw, int dh)
{
    for (int y = 0; y < dh; y++) {
        for (int x = 0; x < dw; x++) {
            int x0 = sx0 + x * sside_w / dw, x1 = sx0 + (x + 1) * sside_w / dw;
            int y0 = sy0 + y * sside_h / dh, y1 = sy0 + (y + 1) * sside_h / dh;
            if (x1 <= x0) x1 = x0 + 1;
            if (y1 <= y0) y1 = y0 + 1;
            unsigned acc[3] = {0, 0, 0}, n = 0;
            for (int yy = y0; yy < y1; yy++)
                for (int xx = x0; xx < x1; xx++, n++)
                    for (int c = 0; c < 3; c++) acc[c] += src[((size_t)yy * sw + xx) * 3 + c];
            for (int c = 0; c < 3; c++) dst[(size_t)y * dstride + (size_t)x * 3 + c] = (uint8_t)(acc[c] / n);
        }
    }
}

static size_t run(const lf_detector *d, const face_image *img, const face_detect_options *o,
                  face_detection *out, size_t cap)
{
    size_t need = lf_detector_scratch_bytes(d, o, img->width, img->height), n = 0;
    if (!need || lf_arena_reserve(&g_arena, need) != FACE_OK) {
        fprintf(stderr, "reserve failed\n");
        exit(1);
    }
    if (lf_detect_faces(&g_ex, d, img, o, out, cap, &n) != FACE_OK) {
        fprintf(stderr, "detect: %s\n", g_err.msg);
        exit(1);
    }
    return n;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void time_case(const char *name, const lf_detector *d, const face_image *img,
                      const face_detect_options *o, int reps)
{
    face_detection out[256];
    double t[64];
    size_t n = run(d, img, o, out, 256); /* warm-up */
    if (reps > 64) reps = 64;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        run(d, img, o, out, 256);
        t[r] = now() - t0;
    }
    qsort(t, (size_t)reps, sizeof t[0], cmpd);
    lf_det_plan p;
    lf_det_plan_make(d->kind, o, img->width, img->height, &p);
    printf("%-44s %4dx%-4d views %3lld  faces %2zu  median %8.2f ms  min %8.2f ms\n", name,
           img->width, img->height, (long long)p.nviews, n, 1e3 * t[reps / 2], 1e3 * t[0]);
}

static void opts(face_detect_options *o, int kind, int S, int m, unsigned flags)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->detector = kind;
    o->input_size = S;
    o->score_threshold = 0.5f;
    o->max_faces = 1000;
    o->min_face_size = m;
    o->flags = flags;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s <model_dir> <image.png> [time|calibrate] [threads]\n", argv[0]);
        return 2;
    }
    const char *mode = argc > 3 ? argv[3] : "time";
    setvbuf(stdout, NULL, _IOLBF, 0);
    int threads = argc > 4 ? atoi(argv[4]) : 1;
    if (lf_cpu_init() != FACE_OK) return 1;
    lf_allocator_resolve(&g_alloc, NULL);
    lf_arena_init(&g_arena, &g_alloc);
    lf_pool *pool = NULL;
    if (threads > 1 && lf_pool_create(&g_alloc, threads, &pool) != FACE_OK) return 1;
    g_ex = (lf_exec){.k = lf_kernels_active(), .arena = &g_arena, .pool = pool, .err = &g_err};

    face_model *m[2];
    lf_detector *det[2];
    static const char *const files[2] = {"tiny_face_detector.fmdl", "ssd_mobilenetv1.fmdl"};
    for (int i = 0; i < 2; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], files[i]);
        if (face_model_load_file(path, NULL, &m[i]) != FACE_OK ||
            lf_detector_load(&g_alloc, m[i], &det[i], &g_err) != FACE_OK) {
            fprintf(stderr, "cannot load %s\n", path);
            return 1;
        }
    }
    int w, h, nc;
    uint8_t *src = stbi_load(argv[2], &w, &h, &nc, 3);
    if (!src) {
        fprintf(stderr, "cannot read %s\n", argv[2]);
        return 1;
    }
    face_detect_options o;

    if (!strcmp(mode, "time")) {
        uint8_t *vga = malloc(640 * 480 * 3), *hd = malloc(1920 * 1080 * 3);
        /* keep the aspect ratio: take a 4:3 / 16:9 crop from the top-left */
        resample(src, w, 0, 0, w, w * 3 / 4 < h ? w * 3 / 4 : h, vga, 640 * 3, 640, 480);
        resample(src, w, 0, 0, w, w * 9 / 16 < h ? w * 9 / 16 : h, hd, 1920 * 3, 1920, 1080);
        face_image a = {sizeof a, FACE_PIXEL_RGB24, 640, 480, 640 * 3, 0, vga};
        face_image b = {sizeof b, FACE_PIXEL_RGB24, 1920, 1080, 1920 * 3, 0, hd};
        printf("kernels: isa %d, threads %d\n", (int)g_ex.k->isa, threads);
        opts(&o, FACE_DETECTOR_TINY, 416, 0, 0);
        time_case("tiny@416 single pass", det[0], &a, &o, 15);
        opts(&o, FACE_DETECTOR_TINY, 320, 0, 0);
        time_case("tiny@320 single pass", det[0], &a, &o, 15);
        opts(&o, FACE_DETECTOR_TINY, 224, 0, 0);
        time_case("tiny@224 single pass", det[0], &a, &o, 15);
        opts(&o, FACE_DETECTOR_SSD, 512, 0, 0);
        time_case("ssd single pass", det[1], &a, &o, 5);
        opts(&o, FACE_DETECTOR_TINY, 416, 0, 0);
        time_case("tiny@416 single pass", det[0], &b, &o, 9);
        opts(&o, FACE_DETECTOR_TINY, 416, 80, 0);
        time_case("tiny@416 min_face_size 80", det[0], &b, &o, 5);
        opts(&o, FACE_DETECTOR_TINY, 416, 40, 0);
        time_case("tiny@416 min_face_size 40", det[0], &b, &o, 3);
        opts(&o, FACE_DETECTOR_SSD, 512, 40, 0);
        time_case("ssd min_face_size 40", det[1], &b, &o, 1);
        free(vga);
        free(hd);
    } else {
        const int S = 416;
        int side0 = argc > 7 ? atoi(argv[7]) : (w < h ? w : h) / 2;
        int fx = argc > 7 ? atoi(argv[5]) : (w - side0) / 2;
        int fy = argc > 7 ? atoi(argv[6]) : (h - side0) / 2;
        if (fx < 0 || fy < 0 || side0 <= 0 || fx + side0 > w || fy + side0 > h) {
            fprintf(stderr, "face square outside the image\n");
            return 2;
        }
        uint8_t *frame = malloc((size_t)S * S * 3);
        face_image fi = {sizeof fi, FACE_PIXEL_RGB24, S, S, S * 3, 0, frame};
        for (int kind = 0; kind < 2; kind++) {
            opts(&o, kind ? FACE_DETECTOR_SSD : FACE_DETECTOR_TINY, S, 0, 0);
            fi.width = fi.height = kind ? 512 : S;
            fi.stride = fi.width * 3;
            frame = realloc(frame, (size_t)fi.width * fi.height * 3);
            fi.data = frame;
            for (int s = 20; s <= 80; s += 6) {
                int hit = 0, tot = 0;
                for (int py = 0; py + s <= fi.height; py += 61) {
                    for (int px = 0; px + s <= fi.width; px += 67) {
                        memset(frame, 128, (size_t)fi.width * fi.height * 3);
                        resample(src, w, fx, fy, side0, side0, frame + ((size_t)py * fi.width + px) * 3, fi.stride, s, s);
                        face_detection out[16];
                        size_t n = run(det[kind], &fi, &o, out, 16);
                        tot++;
                        for (size_t i = 0; i < n && i < 16; i++) {
                            double cx = out[i].box.x + out[i].box.width / 2;
                            double cy = out[i].box.y + out[i].box.height / 2;
                            if (cx > px && cx < px + s && cy > py && cy < py + s) {
                                hit++;
                                break;
                            }
                        }
                    }
                }
                printf("%s face %3d px: found %3d / %3d (%.0f %%)\n", kind ? "ssd " : "tiny", s, hit,
                       tot, 100.0 * hit / tot);
            }
        }
        free(frame);
    }
    stbi_image_free(src);
    for (int i = 0; i < 2; i++) {
        lf_detector_free(det[i]);
        face_model_destroy(m[i]);
    }
    lf_arena_destroy(&g_arena);
    lf_pool_destroy(pool);
    return 0;
}
