#define _POSIX_C_SOURCE 200809L
/* bench/speed: milliseconds per pipeline stage with the active kernels.
 *
 *   face_speed MODEL_DIR IMAGE... [--threads N] [--reps R] [--json]
 *
 * Each image is scaled to 640x480 and to 1920x1080 (aspect kept, centred on a
 * grey canvas) to time detection at those frame sizes; landmarks and
 * embedding are timed per face on the faces the SSD finds in the original
 * images. Reported figures are medians over reps after one warm-up pass. The
 * ISA is process-wide: run once per FACE_FORCE_ISA value (bench/speed.sh
 * does, next to face-api.js). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <face/face.h>

#define MAX_IMAGES 16
#define MAX_FACES 128

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    if (n <= 0) return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Letterbox src (RGB24) into a W x H grey frame with bilinear scaling. */
static uint8_t *letterbox(const face_image *src, int W, int H)
{
    uint8_t *dst = malloc((size_t)W * H * 3);
    memset(dst, 128, (size_t)W * H * 3);
    double s = fmin((double)W / src->width, (double)H / src->height);
    int w = (int)(src->width * s), h = (int)(src->height * s);
    int ox = (W - w) / 2, oy = (H - h) / 2;
    for (int y = 0; y < h; y++) {
        double sy = (y + 0.5) / s - 0.5;
        int y0 = (int)floor(sy);
        double fy = sy - y0;
        int y1 = y0 + 1;
        if (y0 < 0) y0 = 0;
        if (y1 >= src->height) y1 = src->height - 1;
        if (y0 >= src->height) y0 = src->height - 1;
        for (int x = 0; x < w; x++) {
            double sx = (x + 0.5) / s - 0.5;
            int x0 = (int)floor(sx);
            double fx = sx - x0;
            int x1 = x0 + 1;
            if (x0 < 0) x0 = 0;
            if (x1 >= src->width) x1 = src->width - 1;
            if (x0 >= src->width) x0 = src->width - 1;
            for (int c = 0; c < 3; c++) {
                const uint8_t *r0 = src->data + (size_t)y0 * src->stride;
                const uint8_t *r1 = src->data + (size_t)y1 * src->stride;
                double v = (1 - fy) * ((1 - fx) * r0[x0 * 3 + c] + fx * r0[x1 * 3 + c]) +
                           fy * ((1 - fx) * r1[x0 * 3 + c] + fx * r1[x1 * 3 + c]);
                dst[((size_t)(y + oy) * W + (x + ox)) * 3 + c] = (uint8_t)(v + 0.5);
            }
        }
    }
    return dst;
}

typedef struct setting {
    const char *name;
    int detector, input_size, min_face;
} setting;

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s MODEL_DIR IMAGE... [--threads N] [--reps R] [--json]\n",
                argv[0]);
        return 2;
    }
    int threads = 1, reps = 5, json = 0;
    const char *paths[MAX_IMAGES];
    int nimg = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--json")) json = 1;
        else if (nimg < MAX_IMAGES) paths[nimg++] = argv[i];
    }
    if (reps < 1) reps = 1;
    face_engine *engine;
    face_ctx *ctx;
    face_status s = face_engine_create_from_dir(argv[1], NULL, &engine);
    if (s != FACE_OK) {
        fprintf(stderr, "models: %s\n", face_strerror(s));
        return 1;
    }
    if (face_ctx_create(engine, NULL, &ctx) != FACE_OK ||
        face_ctx_set_option(ctx, FACE_OPT_THREADS, threads) != FACE_OK) {
        fprintf(stderr, "context: %s\n", face_ctx_last_error(ctx));
        return 1;
    }

    face_image orig[MAX_IMAGES];
    face_image frames[2][MAX_IMAGES];
    uint8_t *pix[2][MAX_IMAGES];
    static const int sizes[2][2] = {{640, 480}, {1920, 1080}};
    for (int i = 0; i < nimg; i++) {
        if (face_image_load_file(ctx, paths[i], &orig[i]) != FACE_OK) {
            fprintf(stderr, "%s: %s\n", paths[i], face_ctx_last_error(ctx));
            return 1;
        }
        for (int z = 0; z < 2; z++) {
            pix[z][i] = letterbox(&orig[i], sizes[z][0], sizes[z][1]);
            face_image_init(&frames[z][i], FACE_PIXEL_RGB24, sizes[z][0], sizes[z][1],
                            sizes[z][0] * 3, pix[z][i]);
        }
    }

    static const setting settings[] = {
        {"tiny416", FACE_DETECTOR_TINY, 416, 0},
        {"tiny416_min40", FACE_DETECTOR_TINY, 416, 40},
        {"ssd", FACE_DETECTOR_SSD, 512, 0},
    };
    enum { NSET = sizeof settings / sizeof settings[0] };
    double det_ms[NSET][2];
    double *v = malloc(sizeof(double) * (size_t)(reps * MAX_IMAGES * MAX_FACES + 16));
    face_detection det[MAX_FACES];
    size_t n;
    for (int k = 0; k < NSET; k++)
        for (int z = 0; z < 2; z++) {
            face_detect_options o;
            face_detect_options_init(&o);
            o.detector = settings[k].detector;
            o.input_size = settings[k].input_size;
            o.min_face_size = settings[k].min_face;
            if (!o.min_face_size) o.flags = FACE_DETECT_SINGLE_PASS;
            int nv = 0;
            for (int r = -1; r < reps; r++)
                for (int i = 0; i < nimg; i++) {
                    double t0 = now_ms();
                    face_detect(ctx, &frames[z][i], &o, det, MAX_FACES, &n);
                    if (r >= 0) v[nv++] = now_ms() - t0;
                }
            det_ms[k][z] = median(v, nv);
        }

    /* Per-face stages on the original photos' SSD faces. */
    int nl = 0, ne = 0, nf = 0;
    double *lv = malloc(sizeof(double) * (size_t)(reps * MAX_IMAGES * MAX_FACES + 16));
    double *ev = malloc(sizeof(double) * (size_t)(reps * MAX_IMAGES * MAX_FACES + 16));
    double *av = malloc(sizeof(double) * (size_t)(reps * MAX_IMAGES * MAX_FACES + 16));
    int na = 0;
    for (int i = 0; i < nimg; i++) {
        face_detect_options o;
        face_detect_options_init(&o);
        o.detector = FACE_DETECTOR_SSD;
        o.flags = FACE_DETECT_SINGLE_PASS;
        if (face_detect(ctx, &orig[i], &o, det, MAX_FACES, &n) != FACE_OK) n = 0;
        nf += (int)n;
        for (size_t f = 0; f < n; f++)
            for (int r = -1; r < reps; r++) {
                face_landmarks lm;
                face_chip chip;
                face_template t;
                double t0 = now_ms();
                face_landmarks_detect(ctx, &orig[i], &det[f].box, &lm);
                double t1 = now_ms();
                face_align_chip(ctx, &orig[i], &lm, &chip);
                double t2 = now_ms();
                face_embed_chip(ctx, &chip, NULL, &t);
                double t3 = now_ms();
                if (r >= 0) {
                    lv[nl++] = t1 - t0;
                    av[na++] = t2 - t1;
                    ev[ne++] = t3 - t2;
                }
            }
    }
    double lm_ms = median(lv, nl), al_ms = median(av, na), em_ms = median(ev, ne);
    const char *isa = face_isa_name(face_active_isa());
    if (json) {
        printf("{\"isa\":\"%s\",\"threads\":%d,\"faces\":%d", isa, threads, nf);
        for (int k = 0; k < NSET; k++)
            printf(",\"detect_%s_640x480\":%.3f,\"detect_%s_1920x1080\":%.3f", settings[k].name,
                   det_ms[k][0], settings[k].name, det_ms[k][1]);
        printf(",\"landmarks_per_face\":%.3f,\"align_per_face\":%.3f,\"embed_per_face\":%.3f}\n",
               lm_ms, al_ms, em_ms);
    } else {
        printf("kernels %s, %d thread(s), %d images, %d faces, median of %d reps (ms)\n", isa,
               threads, nimg, nf, reps);
        for (int k = 0; k < NSET; k++)
            printf("  detect %-14s 640x480 %8.2f   1920x1080 %8.2f\n", settings[k].name,
                   det_ms[k][0], det_ms[k][1]);
        printf("  landmarks per face   %8.2f\n  align chip per face  %8.2f\n"
               "  embed per face       %8.2f\n",
               lm_ms, al_ms, em_ms);
    }
    for (int i = 0; i < nimg; i++) {
        face_image_free(ctx, &orig[i]);
        free(pix[0][i]);
        free(pix[1][i]);
    }
    free(v);
    free(lv);
    free(ev);
    free(av);
    face_ctx_destroy(ctx);
    face_engine_destroy(engine);
    return 0;
}
