/* Detector speed and small-face calibration.
 *
 *   bench_detect <model_dir> <image.png> [time|calibrate|levels|filters] [threads]
 *                [fx fy fside]
 *
 * time:      best-of-N and median wall time (and best CPU time, all threads)
 *            of lf_detect_faces on the image
 *            resized to 640x480 and 1920x1080: single pass and
 *            min_face_size 40/60/80 (tiny @416), plus SSD; with the plan's
 *            network runs, input Mpx and GMAC. [reps [only]]: repetitions
 *            (best-of), and one case only, e.g. "1080/80" (tiny on 1920x1080
 *            at min_face_size 80; "480/0" is the 640x480 single pass), for
 *            profiling one configuration.
 * calibrate: pastes the face square (fx, fy, fside), scaled to s px, at many
 *            positions of a gray S x S frame (so one pass sees it at scale
 *            1) and prints the detection rate per s: the f_min that
 *            pyramid.c uses is the smallest s with a rate near 100 %.
 * levels:    the same for one tiny rect pass at scale 1 over a 1024x768
 *            frame, faces of 40..400 px: how far above f_min one level
 *            reaches (LF_TINY_LEVEL_STEP).
 * filters:   faces pasted at s / r image px into a frame that one rect pass
 *            shrinks by r: recall per resampling filter (area, bilinear,
 *            TF legacy). */
#include <math.h>
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

/* CPU time of the whole process (all threads): on a shared machine it
 * moves far less than wall time when other work steals the cores. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
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

/* MACs of every network run the plan makes. */
static double plan_gmac(const lf_det_plan *p, int kind)
{
    double m = 0;
    for (int l = 0; l < p->nlev; l++) {
        const lf_det_rect *r = &p->lev[l].rect;
        if (r->Gx > 0) {
            for (int j = 0; j < r->ny; j++) {
                for (int i = 0; i < r->nx; i++) {
                    lf_det_rtile t;
                    lf_det_rect_tile(r, i, j, &t);
                    m += lf_tiny_macs((t.gy1 - t.gy0) * LF_TINY_CELL, (t.gx1 - t.gx0) * LF_TINY_CELL);
                }
            }
        } else {
            /* SSD @512 is 3.14 GMAC (docs/models.md §8) */
            double one = kind == FACE_DETECTOR_SSD ? 3.14e9 : lf_tiny_macs(p->S, p->S);
            m += one * p->lev[l].nx * p->lev[l].ny;
        }
    }
    return m * 1e-9;
}

static void time_case(const char *name, const lf_detector *d, const face_image *img,
                      const face_detect_options *o, int reps)
{
    face_detection out[256];
    double t[64], c[64];
    size_t n = run(d, img, o, out, 256); /* warm-up */
    if (reps > 64) reps = 64;
    for (int r = 0; r < reps; r++) {
        double t0 = now(), c0 = cpu_now();
        run(d, img, o, out, 256);
        t[r] = now() - t0;
        c[r] = cpu_now() - c0;
    }
    qsort(t, (size_t)reps, sizeof t[0], cmpd);
    qsort(c, (size_t)reps, sizeof c[0], cmpd);
    lf_det_plan p;
    lf_det_plan_make(d->kind, o, img->width, img->height, &p);
    printf("%-30s %4dx%-4d runs %3lld  %6.2f Mpx %6.2f GMAC  scratch %5.1f MB  faces %2zu  "
           "best %8.2f ms  median %8.2f ms  cpu best %8.2f ms\n",
           name, img->width, img->height, (long long)p.nviews, p.net_px * 1e-6,
           plan_gmac(&p, d->kind), lf_detector_scratch_bytes(d, o, img->width, img->height) / 1048576.0,
           n, 1e3 * t[0], 1e3 * t[reps / 2], 1e3 * c[0]);
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

/* One tiny rect pass over the whole image at scale r with a filter, as a
 * pyramid level runs it. */
static size_t run_rect(const lf_detector *d, const face_image *img, double r, int filter,
                       lf_det_box *c)
{
    lf_det_rect q = {.W = img->width, .H = img->height, .filter = filter,
                     .halo_before = LF_TINY_HALO_BEFORE, .halo_after = LF_TINY_HALO_AFTER};
    q.Wr = (int)ceil(img->width * r - 1e-9);
    q.Hr = (int)ceil(img->height * r - 1e-9);
    q.Gx = (q.Wr + LF_TINY_CELL - 1) / LF_TINY_CELL;
    q.Gy = (q.Hr + LF_TINY_CELL - 1) / LF_TINY_CELL;
    lf_det_rect_split(&q, LF_TINY_TILE_CELLS);
    size_t n = 0;
    if (lf_arena_reserve(&g_arena, lf_tiny_rect_scratch(d, &q)) != FACE_OK ||
        lf_tiny_rect_run(&g_ex, d, img, &q, 0.5, 0.4, 1000, c, &n) != FACE_OK) {
        fprintf(stderr, "rect pass failed\n");
        exit(1);
    }
    return n;
}

static int hit(const lf_det_box *c, size_t n, double px, double py, double s)
{
    for (size_t i = 0; i < n; i++) {
        double cx = (c[i].x0 + c[i].x1) / 2, cy = (c[i].y0 + c[i].y1) / 2;
        if (cx > px && cx < px + s && cy > py && cy < py + s) return 1;
    }
    return 0;
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
    /* One GEMM packing workspace per thread, as a face_ctx has. */
    float *gemm_ws = lf_calloc(&g_alloc, (size_t)(threads > 1 ? threads : 1) * LF_GEMM_WS_FLOATS * sizeof(float), LF_ALIGN);
    if (!gemm_ws) return 1;
    g_ex = (lf_exec){.k = lf_kernels_active(), .arena = &g_arena, .pool = pool, .err = &g_err,
                     .gemm_ws = gemm_ws};

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
        int reps = argc > 5 ? atoi(argv[5]) : 7;
        const char *only = argc > 6 ? argv[6] : NULL;
        static const int ms[4] = {0, 80, 60, 40};
        for (int im = 0; im < 2; im++) {
            for (int k = 0; k < 4; k++) {
                char name[64];
                snprintf(name, sizeof name, "%d/%d", im ? 1080 : 480, ms[k]);
                if (only && strcmp(only, name)) continue;
                snprintf(name, sizeof name, "tiny@416 min_face_size %d", ms[k]);
                opts(&o, FACE_DETECTOR_TINY, 416, ms[k], 0);
                time_case(name, det[0], im ? &b : &a, &o, reps);
            }
        }
        if (!only) {
            opts(&o, FACE_DETECTOR_SSD, 512, 0, 0);
            time_case("ssd single pass", det[1], &a, &o, 3);
            opts(&o, FACE_DETECTOR_SSD, 512, 80, 0);
            time_case("ssd min_face_size 80", det[1], &b, &o, 1);
        }
        free(vga);
        free(hd);
    } else if (!strcmp(mode, "levels") || !strcmp(mode, "filters")) {
        int side0 = argc > 7 ? atoi(argv[7]) : (w < h ? w : h) / 2;
        int fx = argc > 7 ? atoi(argv[5]) : (w - side0) / 2;
        int fy = argc > 7 ? atoi(argv[6]) : (h - side0) / 2;
        const int levels = !strcmp(mode, "levels");
        static const double rs[3] = {0.8, 0.4, 0.25};
        static const char *const fname[3] = {"area", "bilinear", "tf-legacy"};
        const int FW = 1024, FH = 768;
        lf_det_box *c = malloc(100000 * sizeof *c);
        for (int ri = 0; ri < (levels ? 1 : 3); ri++) {
            for (int f = 0; f < (levels ? 1 : 3); f++) {
                const double r = levels ? 1.0 : rs[ri];
                const int fw = levels ? FW : (int)(FW / r), fh = levels ? FH : (int)(FH / r);
                uint8_t *frame = malloc((size_t)fw * fh * 3);
                face_image fi = {sizeof fi, FACE_PIXEL_RGB24, fw, fh, fw * 3, 0, frame};
                static const int lv_sizes[] = {40, 52, 64, 96, 128, 192, 256, 288, 320, 384, 448};
                static const int fl_sizes[] = {44, 50, 56, 64, 72, 84};
                const int *sz = levels ? lv_sizes : fl_sizes;
                int nsz = levels ? 11 : 6;
                for (int k = 0; k < nsz; k++) {
                    int tot = 0, ok = 0;
                    const double s = sz[k] / r; /* image px */
                    const int is = (int)(s + 0.5);
                    const double step = levels ? 0.37 * sz[k] + 23 : 97 / r;
                    for (double py = 3; py + is < fh; py += step * 1.7) {
                        for (double px = 5; px + is < fw; px += step * 1.3) {
                            memset(frame, 128, (size_t)fw * fh * 3);
                            resample(src, w, fx, fy, side0, side0,
                                     frame + ((size_t)(int)py * fw + (int)px) * 3, fi.stride, is, is);
                            size_t n = run_rect(det[0], &fi, r, f, c);
                            ok += hit(c, n, (int)px, (int)py, is);
                            tot++;
                        }
                    }
                    printf("%s r %.2f %-9s face %3d net px: found %3d / %3d (%.0f %%)\n",
                           levels ? "level" : "filter", r, fname[f], sz[k], ok, tot,
                           100.0 * ok / tot);
                }
                free(frame);
            }
        }
        free(c);
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
