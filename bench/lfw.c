#define _POSIX_C_SOURCE 200809L
/* bench/lfw: LFW verification accuracy, leave-one-fold-out.
 *
 *   face_lfw IMAGES_DIR PAIRS_FILE [options]
 *     --models DIR        converted models (default build/models)
 *     --align dlib|faceapi   alignment (default dlib)
 *     --flip              average with the mirrored chip's descriptor
 *     --detector ssd|tiny primary detector (default tiny; bench/lfw_detect.h
 *                         has the fallbacks, shared with bench/run_accuracy.sh)
 *     --tiny-input N      tiny's input size for the primary pass (default 160)
 *     --threads N         worker threads (images are split across contexts)
 *     --scores FILE       write "fold same distance" per pair (for ROC/DET plots)
 *
 * The pairs file is LFW's: a header "nfolds npairs", then per fold npairs
 * matched lines "name i j" and npairs mismatched lines "n1 i n2 j". For each
 * fold the distance threshold is chosen on the other folds (maximum accuracy)
 * and applied to this one. A pair with an undetected face counts as an error,
 * never as skipped. The last line printed is the mean accuracy. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <face/face.h>

#include "lfw_detect.h"

#define MAX_FOLDS 10

typedef struct image_entry {
    char name[128];
    int index;
    int ok;
    face_template tpl;
} image_entry;

typedef struct pair {
    int fold;
    int same;
    int a, b; /* image indices */
    double dist;
    int valid;
} pair;

static image_entry *g_images;
static int g_nimages, g_cap;
static const char *g_dir;
static face_engine *g_engine;
static int g_align = FACE_ALIGN_DLIB, g_flip, g_detector = FACE_DETECTOR_TINY, g_tiny_input = 160;
static atomic_int g_next, g_done, g_missed;

static int image_id(const char *name, int index)
{
    for (int i = 0; i < g_nimages; i++)
        if (g_images[i].index == index && strcmp(g_images[i].name, name) == 0) return i;
    if (g_nimages == g_cap) {
        g_cap = g_cap ? g_cap * 2 : 1024;
        g_images = realloc(g_images, (size_t)g_cap * sizeof *g_images);
    }
    image_entry *e = &g_images[g_nimages];
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    e->index = index;
    return g_nimages++;
}

static int embed_image(face_ctx *ctx, image_entry *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s_%04d.jpg", g_dir, e->name, e->name, e->index);
    face_image img;
    if (face_image_load_file(ctx, path, &img) != FACE_OK) {
        fprintf(stderr, "cannot load %s: %s\n", path, face_ctx_last_error(ctx));
        return 0;
    }
    face_detection det[32];
    size_t n = 0;
    int best = -1;
    lfw_find_face(ctx, &img, g_detector, g_tiny_input, det, 32, &n, &best);
    int ok = 0;
    if (best >= 0) {
        face_landmarks lm;
        face_embed_options eo;
        face_embed_options_init(&eo);
        eo.align_mode = g_align;
        eo.flags = g_flip ? FACE_EMBED_FLIP_AVG : 0;
        ok = face_landmarks_detect(ctx, &img, &det[best].box, &lm) == FACE_OK &&
             face_embed(ctx, &img, &lm, &det[best].box, &eo, &e->tpl) == FACE_OK;
    }
    face_image_free(ctx, &img);
    return ok;
}

static void *worker(void *arg)
{
    (void)arg;
    face_ctx *ctx = NULL;
    if (face_ctx_create(g_engine, NULL, &ctx) != FACE_OK) return NULL;
    for (;;) {
        int i = atomic_fetch_add(&g_next, 1);
        if (i >= g_nimages) break;
        g_images[i].ok = embed_image(ctx, &g_images[i]);
        if (!g_images[i].ok) atomic_fetch_add(&g_missed, 1);
        int d = atomic_fetch_add(&g_done, 1) + 1;
        if (d % 100 == 0 || d == g_nimages) {
            fprintf(stderr, "\r  embedded %d / %d images (%d without a face)", d, g_nimages,
                    atomic_load(&g_missed));
            if (d == g_nimages) fprintf(stderr, "\n");
        }
    }
    face_ctx_destroy(ctx);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Accuracy of threshold thr over pairs in (or not in) fold f. Invalid pairs
 * are wrong whatever the threshold. */
static double accuracy(const pair *p, int n, int fold, int in_fold, double thr, int *total)
{
    int right = 0, all = 0;
    for (int i = 0; i < n; i++) {
        if ((p[i].fold == fold) != in_fold) continue;
        all++;
        if (!p[i].valid) continue;
        int said_same = p[i].dist < thr;
        right += said_same == p[i].same;
    }
    if (total) *total = all;
    return all ? (double)right / all : 0;
}

static double best_threshold(const pair *p, int n, int fold)
{
    double *cand = malloc((size_t)n * sizeof *cand);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (p[i].fold != fold && p[i].valid) cand[m++] = p[i].dist;
    qsort(cand, (size_t)m, sizeof *cand, cmp_double);
    double best_thr = 0.6, best_acc = -1;
    for (int i = 0; i + 1 < m; i++) {
        double thr = (cand[i] + cand[i + 1]) / 2;
        double acc = accuracy(p, n, fold, 0, thr, NULL);
        if (acc > best_acc) best_acc = acc, best_thr = thr;
    }
    free(cand);
    return best_thr;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s IMAGES_DIR PAIRS_FILE [--models DIR] [--align dlib|faceapi] "
                        "[--flip] [--detector ssd|tiny] [--tiny-input N] [--threads N] "
                        "[--scores FILE]\n",
                argv[0]);
        return 2;
    }
    g_dir = argv[1];
    const char *models = "build/models", *scores = NULL;
    int threads = 1;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--models") && i + 1 < argc) models = argv[++i];
        else if (!strcmp(argv[i], "--align") && i + 1 < argc)
            g_align = !strcmp(argv[++i], "faceapi") ? FACE_ALIGN_FACEAPI : FACE_ALIGN_DLIB;
        else if (!strcmp(argv[i], "--flip")) g_flip = 1;
        else if (!strcmp(argv[i], "--detector") && i + 1 < argc)
            g_detector = !strcmp(argv[++i], "tiny") ? FACE_DETECTOR_TINY : FACE_DETECTOR_SSD;
        else if (!strcmp(argv[i], "--tiny-input") && i + 1 < argc) g_tiny_input = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--scores") && i + 1 < argc) scores = argv[++i];
        else {
            fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (threads < 1 || threads > 64) threads = 1;

    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    int nfolds = 0, per = 0;
    if (fscanf(f, "%d %d", &nfolds, &per) != 2 || nfolds < 2 || nfolds > MAX_FOLDS || per < 1) {
        fprintf(stderr, "bad pairs header\n");
        return 1;
    }
    int npairs = nfolds * per * 2;
    pair *pairs = calloc((size_t)npairs, sizeof *pairs);
    char line[512];
    fgets(line, sizeof line, f);
    for (int k = 0; k < npairs; k++) {
        if (!fgets(line, sizeof line, f)) {
            fprintf(stderr, "pairs file ends early at pair %d\n", k);
            return 1;
        }
        char n1[128], n2[128];
        int i1, i2;
        pair *p = &pairs[k];
        p->fold = k / (2 * per);
        if (sscanf(line, "%127s %d %127s %d", n1, &i1, n2, &i2) == 4) {
            p->same = 0;
        } else if (sscanf(line, "%127s %d %d", n1, &i1, &i2) == 3) {
            strcpy(n2, n1);
            p->same = 1;
        } else {
            fprintf(stderr, "bad pairs line %d: %s", k + 2, line);
            return 1;
        }
        p->a = image_id(n1, i1);
        p->b = image_id(n2, i2);
    }
    fclose(f);

    face_status s = face_engine_create_from_dir(models, NULL, &g_engine);
    if (s != FACE_OK) {
        fprintf(stderr, "cannot load models from %s: %s\n", models, face_strerror(s));
        return 1;
    }
    fprintf(stderr, "LFW: %d folds x %d pairs, %d images, align %s%s, detector %s, kernels %s\n",
            nfolds, 2 * per, g_nimages, g_align == FACE_ALIGN_DLIB ? "dlib" : "faceapi",
            g_flip ? " + flip" : "", g_detector == FACE_DETECTOR_SSD ? "ssd" : "tiny",
            face_isa_name(face_active_isa()));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t th[64];
    for (int t = 0; t < threads; t++) pthread_create(&th[t], NULL, worker, NULL);
    for (int t = 0; t < threads; t++) pthread_join(th[t], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

    int invalid = 0;
    for (int k = 0; k < npairs; k++) {
        pair *p = &pairs[k];
        p->valid = g_images[p->a].ok && g_images[p->b].ok;
        float d = 0;
        if (p->valid && face_compare(&g_images[p->a].tpl, &g_images[p->b].tpl, &d, NULL) != FACE_OK)
            p->valid = 0;
        p->dist = d;
        invalid += !p->valid;
    }
    if (scores) {
        FILE *o = fopen(scores, "w");
        for (int k = 0; o && k < npairs; k++)
            fprintf(o, "%d %d %.6f %d\n", pairs[k].fold, pairs[k].same, pairs[k].dist,
                    pairs[k].valid);
        if (o) fclose(o);
    }
    double sum = 0, sum2 = 0;
    for (int fold = 0; fold < nfolds; fold++) {
        double thr = best_threshold(pairs, npairs, fold);
        int tot = 0;
        double acc = accuracy(pairs, npairs, fold, 1, thr, &tot);
        printf("fold %d: threshold %.4f accuracy %.2f%% (%d pairs)\n", fold + 1, thr, 100 * acc,
               tot);
        sum += acc;
        sum2 += acc * acc;
    }
    double mean = sum / nfolds;
    double sd = sqrt(fmax(0, sum2 / nfolds - mean * mean));
    printf("images without a face: %d of %d; pairs counted wrong for it: %d of %d\n",
           atomic_load(&g_missed), g_nimages, invalid, npairs);
    printf("embedding time: %.1f s (%.1f ms per image, %d threads)\n", secs,
           1000 * secs / g_nimages, threads);
    printf("LFW accuracy (leave-one-fold-out, %d folds): %.2f%% +- %.2f%%\n", nfolds, 100 * mean,
           100 * sd);
    for (int i = 0; i < g_nimages; i++) face_template_wipe(&g_images[i].tpl);
    free(g_images);
    free(pairs);
    face_engine_destroy(g_engine);
    return 0;
}
