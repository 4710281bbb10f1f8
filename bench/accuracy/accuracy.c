#define _POSIX_C_SOURCE 200809L
/* bench/accuracy: verification, 1:N identification, detection and quality
 * gate figures for libface on lfw-dev and synthetic crowd frames, with the
 * calibration table of face_threshold_for_fmr. bench/run_accuracy.sh runs it;
 * docs/accuracy.md explains every number.
 *
 *   face_accuracy --data LFW_DEV_DIR --crowd CROWD_DIR --models DIR --out DIR
 *                 [--cache FILE] [--threads N] [--limit N] [--jitter N]
 *                 [--jitter-scope pairs|all] [--detector tiny|ssd] [--det-input N]
 *                 [--det-every K] [--frames N] [--crowd-settings LIST]
 *                 [--phases LIST]
 *
 * Every image of lfw-dev is processed once per cache: detection (all boxes
 * of the primary detector, fallback to the other if none is central),
 * landmarks, quality, and the embeddings of the chip, its mirror and up to
 * four jittered chips and their mirrors. The per-image records are written
 * to the cache as they finish, so an interrupted run resumes; every test-time
 * option is then a combination of cached embeddings (flip average = the
 * mean of chip and mirror, exactly what FACE_EMBED_FLIP_AVG computes - checked
 * at start-up on one image). */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <face/face.h>

#include "lfw_detect.h"
#include "metrics.h"
#include "svg.h"

#define DIM FACE_TEMPLATE_DIM
#define MAX_DETS 8
#define MAX_JIT 4
#define CACHE_MAGIC "FACEACC2"
/* Bumped when the detection fallbacks change: only the records that needed
 * a fallback (or found nothing) are redone. */
#define CASCADE_VERSION 2

/* ------------------------------------------------------------------ utils */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "face_accuracy: %s\n", what);
    exit(1);
}

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz ? sz : 1);
    if (!p) die("out of memory");
    return p;
}

/* Deterministic generator (splitmix64): the same frames and galleries on
 * every machine. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static double rng_unit(uint64_t *s) { return (double)(rng_next(s) >> 11) / 9007199254740992.0; }
static int rng_int(uint64_t *s, int n) { return (int)(rng_unit(s) * n); }

static void progress(const char *phase, long done, long total, double t0)
{
    int width = 30, fill = total ? (int)(width * done / total) : width;
    double el = now_s() - t0, eta = done ? el * (double)(total - done) / (double)done : 0;
    fprintf(stderr, "\r  %-10s [", phase);
    for (int i = 0; i < width; i++) fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %5.1f%% %ld/%ld  %4.0fs elapsed, eta %4.0fs ", total ? 100.0 * done / total : 100.0,
            done, total, el, eta);
    if (done >= total) fputc('\n', stderr);
}

/* ------------------------------------------------------------------ options */

static const char *o_data, *o_crowd, *o_models = "build/models", *o_out = "accuracy-out",
                  *o_cache, *o_phases = "embed,verify,ident,quality,detect,crowd",
                  *o_crowd_settings = "tiny:0,tiny:80,tiny:40,tiny:24,ssd:0,ssd:40:2";
static int o_pairs_only, o_det_input = 160, o_threads = 1, o_limit, o_jitter = 0, o_jit_all, o_detector = FACE_DETECTOR_TINY,
           o_det_every = 10, o_frames = 8;

static int phase_on(const char *p)
{
    const char *s = strstr(o_phases, p);
    return s != NULL;
}

/* ------------------------------------------------------------------ images */

typedef struct identity {
    char name[96];
    int first, count; /* images [first, first + count) */
} identity;

typedef struct rec {
    uint32_t done;     /* 1 once written */
    int32_t w, h;
    int32_t ndet;      /* boxes of the primary detector (first MAX_DETS kept) */
    float det[MAX_DETS][5];
    int32_t used;      /* 0 no face, 1 primary, 2 tiny other input, 3 tiny score 0.3, 4 other network */
    int32_t njit;      /* jittered chips embedded (each with its mirror) */
    float box[4];
    float lm[FACE_LANDMARK_COUNT][2];
    float q[7];        /* face_size eye_distance yaw pitch roll sharpness score */
    float t_load, t_det, t_lm, t_emb; /* ms: decode, primary detection, landmarks, one embedding */
    float plain[DIM], mirror[DIM];
    float jit[2 * MAX_JIT][DIM];
} rec;

typedef struct cache_header {
    char magic[8];
    uint32_t rec_size, nimages;
    int32_t detector, reserved;
    uint8_t fingerprint[FACE_FINGERPRINT_BYTES];
} cache_header;

static identity *g_ids;
static int g_nids;
static char (*g_img_name)[96];
static int *g_img_num, *g_img_id, *g_in_pairs;
static int g_nimg;
static rec *g_rec;
static face_engine *g_engine;
static face_template g_proto; /* fingerprint and header of every template */
static int g_cache_fd = -1;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scan_images(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/images", o_data);
    DIR *d = opendir(path);
    if (!d) die("cannot open DATA/images");
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) names = realloc(names, (cap = cap ? cap * 2 : 4096) * sizeof *names);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    if (o_limit > 0 && (size_t)o_limit < n) {
        /* A spread subset of identities, not the first letters of the alphabet. */
        size_t step = n / (size_t)o_limit, m = 0;
        for (size_t i = 0; i < n && m < (size_t)o_limit; i += step) names[m++] = names[i];
        n = m;
    }
    g_ids = xcalloc(n, sizeof *g_ids);
    size_t icap = 8192;
    g_img_name = xcalloc(icap, sizeof *g_img_name);
    g_img_num = xcalloc(icap, sizeof(int));
    g_img_id = xcalloc(icap, sizeof(int));
    for (size_t i = 0; i < n; i++) {
        identity *id = &g_ids[g_nids];
        snprintf(id->name, sizeof id->name, "%s", names[i]);
        id->first = g_nimg;
        snprintf(path, sizeof path, "%s/images/%s", o_data, names[i]);
        DIR *dd = opendir(path);
        if (!dd) continue;
        int nums[2048], k = 0;
        while ((e = readdir(dd)) && k < 2048) {
            size_t L = strlen(e->d_name), nl = strlen(names[i]);
            if (L == nl + 9 && !strncmp(e->d_name, names[i], nl) && !strcmp(e->d_name + L - 4, ".jpg"))
                nums[k++] = atoi(e->d_name + nl + 1);
        }
        closedir(dd);
        for (int a = 1; a < k; a++) /* insertion sort: a few images each */
            for (int b = a; b > 0 && nums[b] < nums[b - 1]; b--) {
                int t = nums[b];
                nums[b] = nums[b - 1];
                nums[b - 1] = t;
            }
        for (int a = 0; a < k; a++) {
            if ((size_t)g_nimg == icap) die("more than 8192 images");
            snprintf(g_img_name[g_nimg], 96, "%s", names[i]);
            g_img_num[g_nimg] = nums[a];
            g_img_id[g_nimg] = g_nids;
            g_nimg++;
        }
        id->count = g_nimg - id->first;
        if (id->count) g_nids++;
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    g_in_pairs = xcalloc((size_t)g_nimg, sizeof(int));
}

static int find_image(const char *name, int num)
{
    int lo = 0, hi = g_nids - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, c = strcmp(g_ids[mid].name, name);
        if (c == 0) {
            for (int k = 0; k < g_ids[mid].count; k++)
                if (g_img_num[g_ids[mid].first + k] == num) return g_ids[mid].first + k;
            return -1;
        }
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return -1;
}

/* ------------------------------------------------------------------ pairs */

typedef struct lfw_pair {
    int fold, same, a, b;
} lfw_pair;

static lfw_pair *g_pairs;
static int g_npairs, g_nfolds, g_pairs_dropped;

static void read_pairs(void)
{
    char path[4096], line[512];
    snprintf(path, sizeof path, "%s/pairs.txt", o_data);
    FILE *f = fopen(path, "r");
    if (!f) die("cannot open DATA/pairs.txt");
    int per = 0;
    if (!fgets(line, sizeof line, f) || sscanf(line, "%d %d", &g_nfolds, &per) != 2 || g_nfolds < 2 ||
        g_nfolds > 10 || per < 1)
        die("bad pairs header");
    g_pairs = xcalloc((size_t)g_nfolds * per * 2, sizeof *g_pairs);
    for (int k = 0; k < g_nfolds * per * 2 && fgets(line, sizeof line, f); k++) {
        char n1[128], n2[128];
        int i1, i2, same;
        if (sscanf(line, "%127s %d %127s %d", n1, &i1, n2, &i2) == 4) same = 0;
        else if (sscanf(line, "%127s %d %d", n1, &i1, &i2) == 3) strcpy(n2, n1), same = 1;
        else die("bad pairs line");
        int a = find_image(n1, i1), b = find_image(n2, i2);
        if (a < 0 || b < 0) { /* outside a --limit subset */
            g_pairs_dropped++;
            continue;
        }
        g_pairs[g_npairs++] = (lfw_pair){k / (2 * per), same, a, b};
        g_in_pairs[a] = g_in_pairs[b] = 1;
    }
    fclose(f);
}

/* ------------------------------------------------------------------ embedding */

static atomic_int g_next, g_done_count;
static int *g_todo, g_ntodo;

static void mirror_chip(const face_chip *in, face_chip *out)
{
    *out = *in;
    for (int y = 0; y < FACE_CHIP_SIZE; y++)
        for (int x = 0; x < FACE_CHIP_SIZE; x++)
            memcpy(&out->rgb[((size_t)y * FACE_CHIP_SIZE + x) * 3],
                   &in->rgb[((size_t)y * FACE_CHIP_SIZE + (FACE_CHIP_SIZE - 1 - x)) * 3], 3);
}

/* Jitter j: a similarity transform of the landmarks about their centroid
 * (rotation, scale, shift in eye distances), so the chip is cut slightly
 * rotated, zoomed or moved, as dlib's jitter_image does at random. */
static const float jitters[MAX_JIT][4] = {
    /* degrees, scale, dx, dy (eye distances) */
    {4.0f, 1.0f, 0.03f, 0.0f},
    {-4.0f, 1.0f, -0.03f, 0.0f},
    {0.0f, 1.05f, 0.0f, 0.03f},
    {0.0f, 0.95f, 0.0f, -0.03f},
};

static void jitter_landmarks(const face_landmarks *in, int j, float eye, face_landmarks *out)
{
    *out = *in;
    float cx = 0, cy = 0;
    for (int i = 0; i < FACE_LANDMARK_COUNT; i++) cx += in->points[i].x, cy += in->points[i].y;
    cx /= FACE_LANDMARK_COUNT, cy /= FACE_LANDMARK_COUNT;
    float a = jitters[j][0] * 3.14159265f / 180.0f, s = jitters[j][1];
    float c = s * cosf(a), sn = s * sinf(a);
    for (int i = 0; i < FACE_LANDMARK_COUNT; i++) {
        float x = in->points[i].x - cx, y = in->points[i].y - cy;
        out->points[i].x = cx + c * x - sn * y + jitters[j][2] * eye;
        out->points[i].y = cy + sn * x + c * y + jitters[j][3] * eye;
    }
}

static int embed_values(face_ctx *ctx, const face_chip *chip, float *out, double *ms)
{
    face_template t;
    double t0 = now_s();
    face_status s = face_embed_chip(ctx, chip, NULL, &t);
    if (ms) *ms = 1000 * (now_s() - t0);
    if (s != FACE_OK) return 0;
    memcpy(out, t.values, sizeof t.values);
    face_template_wipe(&t);
    return 1;
}

static int want_jit(int i) { return o_jitter > 0 && (o_jit_all || g_in_pairs[i]) ? o_jitter : 0; }

static void process_image(face_ctx *ctx, int i, rec *r)
{
    char path[4096];
    memset(r, 0, sizeof *r);
    snprintf(path, sizeof path, "%s/images/%s/%s_%04d.jpg", o_data, g_img_name[i], g_img_name[i],
             g_img_num[i]);
    face_image img;
    double t0 = now_s();
    if (face_image_load_file(ctx, path, &img) != FACE_OK) {
        fprintf(stderr, "\ncannot load %s: %s\n", path, face_ctx_last_error(ctx));
        r->done = 1;
        return;
    }
    r->t_load = (float)(1000 * (now_s() - t0));
    r->w = img.width, r->h = img.height;
    face_detection det[32];
    t0 = now_s();
    size_t n = lfw_run_detect(ctx, &img, o_detector, o_detector == FACE_DETECTOR_TINY ? o_det_input : 0, 0.5f, 0,
                          det, 32);
    r->t_det = (float)(1000 * (now_s() - t0));
    r->ndet = (int32_t)n;
    for (size_t k = 0; k < n && k < MAX_DETS; k++) {
        r->det[k][0] = det[k].box.x, r->det[k][1] = det[k].box.y;
        r->det[k][2] = det[k].box.width, r->det[k][3] = det[k].box.height;
        r->det[k][4] = det[k].score;
    }
    int best = lfw_pick_central(det, n, img.width, img.height);
    r->used = best >= 0 ? LFW_FOUND_PRIMARY
                        : lfw_fallback(ctx, &img, o_detector, o_det_input, det, 32, &n, &best);
    face_landmarks lm;
    face_chip chip, mir;
    if (best >= 0) {
        const face_rect *b = &det[best].box;
        r->box[0] = b->x, r->box[1] = b->y, r->box[2] = b->width, r->box[3] = b->height;
        t0 = now_s();
        face_status s = face_landmarks_detect(ctx, &img, b, &lm);
        r->t_lm = (float)(1000 * (now_s() - t0));
        if (s == FACE_OK) s = face_align_chip(ctx, &img, &lm, &chip);
        double ms = 0;
        if (s == FACE_OK && embed_values(ctx, &chip, r->plain, &ms)) {
            r->t_emb = (float)ms;
            for (int k = 0; k < FACE_LANDMARK_COUNT; k++)
                r->lm[k][0] = lm.points[k].x, r->lm[k][1] = lm.points[k].y;
            face_quality q;
            if (face_quality_estimate(&lm, b, &chip, &q) == FACE_OK) {
                r->q[0] = q.face_size, r->q[1] = q.eye_distance, r->q[2] = q.yaw;
                r->q[3] = q.pitch, r->q[4] = q.roll, r->q[5] = q.sharpness, r->q[6] = q.score;
            }
            mirror_chip(&chip, &mir);
            int ok = embed_values(ctx, &mir, r->mirror, NULL);
            int nj = want_jit(i);
            for (int j = 0; ok && j < nj; j++) {
                face_landmarks jl;
                jitter_landmarks(&lm, j, r->q[1] > 1 ? r->q[1] : b->width / 2.5f, &jl);
                ok = face_align_chip(ctx, &img, &jl, &chip) == FACE_OK &&
                     embed_values(ctx, &chip, r->jit[2 * j], NULL);
                mirror_chip(&chip, &mir);
                ok = ok && embed_values(ctx, &mir, r->jit[2 * j + 1], NULL);
                if (ok) r->njit = j + 1;
            }
            if (!ok) r->used = 0;
        } else {
            r->used = 0;
        }
    }
    memset(&chip, 0, sizeof chip);
    memset(&mir, 0, sizeof mir);
    face_image_free(ctx, &img);
    r->done = 1;
}

static void *embed_worker(void *arg)
{
    (void)arg;
    face_ctx *ctx = NULL;
    if (face_ctx_create(g_engine, NULL, &ctx) != FACE_OK) return NULL;
    rec *r = xcalloc(1, sizeof *r);
    for (;;) {
        int k = atomic_fetch_add(&g_next, 1);
        if (k >= g_ntodo) break;
        int i = g_todo[k];
        process_image(ctx, i, r);
        g_rec[i] = *r;
        off_t off = (off_t)sizeof(cache_header) + (off_t)i * (off_t)sizeof(rec);
        if (g_cache_fd >= 0 && pwrite(g_cache_fd, r, sizeof *r, off) != (ssize_t)sizeof *r)
            fprintf(stderr, "\ncache write failed\n");
        atomic_fetch_add(&g_done_count, 1);
    }
    memset(r, 0, sizeof *r);
    free(r);
    face_ctx_destroy(ctx);
    return NULL;
}

/* The harness builds flip averages itself from the chip and mirror
 * embeddings; make sure that is what the library's flag computes. */
static void check_flip_identity(void)
{
    int i = -1;
    for (int k = 0; k < g_nimg && i < 0; k++)
        if (g_rec[k].used) i = k;
    if (i < 0) return;
    face_ctx *ctx = NULL;
    if (face_ctx_create(g_engine, NULL, &ctx) != FACE_OK) die("ctx");
    char path[4096];
    snprintf(path, sizeof path, "%s/images/%s/%s_%04d.jpg", o_data, g_img_name[i], g_img_name[i],
             g_img_num[i]);
    face_image img;
    face_landmarks lm;
    face_chip chip;
    face_template t;
    face_embed_options eo;
    face_embed_options_init(&eo);
    eo.flags = FACE_EMBED_FLIP_AVG;
    lm.struct_size = sizeof lm;
    lm.count = FACE_LANDMARK_COUNT;
    for (int k = 0; k < FACE_LANDMARK_COUNT; k++)
        lm.points[k].x = g_rec[i].lm[k][0], lm.points[k].y = g_rec[i].lm[k][1];
    if (face_image_load_file(ctx, path, &img) != FACE_OK ||
        face_align_chip(ctx, &img, &lm, &chip) != FACE_OK ||
        face_embed_chip(ctx, &chip, &eo, &t) != FACE_OK)
        die("flip check: pipeline failed");
    for (int k = 0; k < DIM; k++)
        if (t.values[k] != (g_rec[i].plain[k] + g_rec[i].mirror[k]) * 0.5f)
            die("flip check: FACE_EMBED_FLIP_AVG differs from mean(chip, mirror) - stale cache?");
    g_proto = t;
    memset(g_proto.values, 0, sizeof g_proto.values);
    g_proto.flags &= ~(uint32_t)FACE_TEMPLATE_FLAG_FLIP_AVG;
    face_image_free(ctx, &img);
    face_ctx_destroy(ctx);
    fprintf(stderr, "  flip check: FACE_EMBED_FLIP_AVG == mean(chip, mirror) bit for bit\n");
}

static void embed_all(void)
{
    char path[4096];
    const char *cache = o_cache;
    if (!cache) {
        snprintf(path, sizeof path, "%s/cache.bin", o_out);
        cache = path;
    }
    cache_header h, want;
    memset(&want, 0, sizeof want);
    memcpy(want.magic, CACHE_MAGIC, 8);
    want.rec_size = sizeof(rec);
    want.nimages = (uint32_t)g_nimg;
    want.detector = o_detector;
    want.reserved = o_det_input | CASCADE_VERSION << 16;
    face_engine_fingerprint(g_engine, FACE_ALIGN_DLIB, want.fingerprint);
    g_rec = xcalloc((size_t)g_nimg, sizeof *g_rec);
    g_cache_fd = open(cache, O_RDWR | O_CREAT, 0644);
    if (g_cache_fd < 0) die("cannot open the cache file");
    int reuse = pread(g_cache_fd, &h, sizeof h, 0) == (ssize_t)sizeof h && !memcmp(&h, &want, sizeof h);
    int redo_fallbacks = 0;
    if (!reuse && pread(g_cache_fd, &h, sizeof h, 0) == (ssize_t)sizeof h) {
        cache_header old = h;
        old.reserved = want.reserved;
        if (!memcmp(&old, &want, sizeof h) && (h.reserved & 0xffff) == (want.reserved & 0xffff)) {
            reuse = redo_fallbacks = 1;
            if (pwrite(g_cache_fd, &want, sizeof want, 0) != (ssize_t)sizeof want) die("cannot write the cache");
        }
    }
    if (!reuse) {
        if (ftruncate(g_cache_fd, 0) != 0 || pwrite(g_cache_fd, &want, sizeof want, 0) != (ssize_t)sizeof want)
            die("cannot write the cache");
    } else {
        ssize_t got = pread(g_cache_fd, g_rec, (size_t)g_nimg * sizeof(rec), sizeof h);
        if (got < 0) got = 0;
        /* a torn last record has done == 0 and is redone */
        for (size_t k = (size_t)got / sizeof(rec); k < (size_t)g_nimg; k++) g_rec[k].done = 0;
        if (redo_fallbacks)
            for (int k = 0; k < g_nimg; k++)
                if (g_rec[k].used != 1) g_rec[k].done = 0;
    }
    g_todo = xcalloc((size_t)g_nimg, sizeof(int));
    for (int i = 0; i < g_nimg; i++)
        if ((!g_rec[i].done || (g_rec[i].used && g_rec[i].njit < want_jit(i))) && (!o_pairs_only || g_in_pairs[i]))
            g_todo[g_ntodo++] = i;
    fprintf(stderr, "embedding: %d images, %d cached, %d to do (%d threads, jitter %d on %s)\n",
            g_nimg, g_nimg - g_ntodo, g_ntodo, o_threads, o_jitter, o_jit_all ? "all" : "pair images");
    if (g_ntodo) {
        pthread_t th[64];
        double t0 = now_s();
        for (int t = 0; t < o_threads; t++) pthread_create(&th[t], NULL, embed_worker, NULL);
        for (;;) {
            int d = atomic_load(&g_done_count);
            progress("embed", d, g_ntodo, t0);
            if (d >= g_ntodo) break;
            nanosleep(&(struct timespec){0, 500000000L}, NULL);
        }
        for (int t = 0; t < o_threads; t++) pthread_join(th[t], NULL);
    }
    close(g_cache_fd);
    g_cache_fd = -1;
    check_flip_identity();
}

/* ------------------------------------------------------------------ options */

enum { OPT_PLAIN, OPT_FLIP, OPT_JIT, OPT_JITFLIP, NOPT };
static const char *opt_name[NOPT] = {"single crop", "flip average", "jitter", "jitter + flip"};
static const char *opt_key[NOPT] = {"plain", "flip", "jitter", "jitter_flip"};

static int opt_embeds(int o) { return o == OPT_PLAIN ? 1 : o == OPT_FLIP ? 2 : o == OPT_JIT ? 1 + o_jitter : 2 * (1 + o_jitter); }

/* The descriptor of image i under option o; 0 if there is none (no face, or
 * jitter not computed for it). */
static int descriptor(int i, int o, float *v)
{
    const rec *r = &g_rec[i];
    if (!r->used) return 0;
    if (o == OPT_PLAIN) {
        memcpy(v, r->plain, DIM * sizeof *v);
        return 1;
    }
    if (o == OPT_FLIP) {
        for (int k = 0; k < DIM; k++) v[k] = (r->plain[k] + r->mirror[k]) * 0.5f;
        return 1;
    }
    if (o_jitter == 0 || r->njit < o_jitter) return 0;
    int flip = o == OPT_JITFLIP, n = 1 + o_jitter;
    for (int k = 0; k < DIM; k++) {
        float s = r->plain[k] + (flip ? r->mirror[k] : 0.0f);
        for (int j = 0; j < o_jitter; j++) s += r->jit[2 * j][k] + (flip ? r->jit[2 * j + 1][k] : 0.0f);
        v[k] = s / (float)(flip ? 2 * n : n);
    }
    return 1;
}

static float l2(const float *a, const float *b)
{
    float s = 0;
    for (int k = 0; k < DIM; k++) {
        float d = a[k] - b[k];
        s += d * d;
    }
    return sqrtf(s);
}

/* ------------------------------------------------------------------ JSON */

static FILE *g_json, *g_md;

static void json_array(const char *key, const double *v, size_t n, int last)
{
    fprintf(g_json, "\"%s\": [", key);
    for (size_t i = 0; i < n; i++)
        fprintf(g_json, "%s%.6g", i ? ", " : "", isfinite(v[i]) ? v[i] : -1.0);
    fprintf(g_json, "]%s", last ? "" : ", ");
}

static double fmr_grid(int k) { return pow(10.0, -7.0 + 0.25 * k); } /* k = 0..28: 1e-7..1 */
#define NGRID 29

/* ------------------------------------------------------------------ verification */

static float *g_imp[NOPT], *g_gen[NOPT];
static size_t g_nimp[NOPT], g_ngen[NOPT];
static int g_have[NOPT];
static float *g_desc; /* scratch: descriptors of every image for one option */
static int *g_hasdesc;

static void load_descriptors(int o)
{
    for (int i = 0; i < g_nimg; i++) g_hasdesc[i] = descriptor(i, o, g_desc + (size_t)i * DIM);
}

static const int *g_pair_mask; /* NULL = every pair */

static double lofo_for(int o, const float *qmin, double qthr, double *fold_acc, double *sd,
                       size_t *kept)
{
    (void)o;
    acc_pair *p = xcalloc((size_t)g_npairs, sizeof *p);
    size_t n = 0;
    for (int k = 0; k < g_npairs; k++) {
        const lfw_pair *lp = &g_pairs[k];
        if (g_pair_mask && !g_pair_mask[k]) continue;
        int ok = g_hasdesc[lp->a] && g_hasdesc[lp->b];
        /* The quality gate drops a pair whose worse face is below qthr; a
         * face that was never found stays an error, it is not "rejected". */
        if (qmin && ok && fminf(qmin[lp->a], qmin[lp->b]) < qthr) continue;
        p[n].fold = lp->fold;
        p[n].same = lp->same;
        p[n].valid = ok;
        p[n].dist = ok ? l2(g_desc + (size_t)lp->a * DIM, g_desc + (size_t)lp->b * DIM) : 0;
        n++;
    }
    double acc = acc_lofo(p, n, g_nfolds, fold_acc, NULL, sd);
    if (kept) *kept = n;
    free(p);
    return acc;
}

static void all_pairs(int o)
{
    size_t ng = 0, ni = 0;
    for (int a = 0; a < g_nids; a++) ng += (size_t)g_ids[a].count * (size_t)(g_ids[a].count - 1) / 2;
    ni = (size_t)g_nimg * (size_t)(g_nimg - 1) / 2 - ng;
    float *gen = xcalloc(ng, sizeof *gen), *imp = xcalloc(ni, sizeof *imp);
    size_t gi = 0, ii = 0;
    double t0 = now_s();
    for (int a = 0; a < g_nimg; a++) {
        const float *va = g_desc + (size_t)a * DIM;
        for (int b = a + 1; b < g_nimg; b++) {
            float d = g_hasdesc[a] && g_hasdesc[b] ? l2(va, g_desc + (size_t)b * DIM) : INFINITY;
            if (g_img_id[a] == g_img_id[b]) gen[gi++] = d;
            else imp[ii++] = d;
        }
        if (a % 200 == 0 || a == g_nimg - 1) progress("all pairs", a + 1, g_nimg, t0);
    }
    acc_sort(gen, ng);
    acc_sort(imp, ni);
    g_gen[o] = gen, g_ngen[o] = ng, g_imp[o] = imp, g_nimp[o] = ni;
}

static double g_cal_thr[NGRID]; /* plain-option thresholds at the FMR grid */

static void write_calibration(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/calibration_table.h", o_out);
    FILE *f = fopen(path, "w");
    if (!f) die("cannot write calibration_table.h");
    uint8_t fp[FACE_FINGERPRINT_BYTES];
    face_engine_fingerprint(g_engine, FACE_ALIGN_DLIB, fp);
    size_t n = g_nimp[OPT_PLAIN];
    /* Only comparisons that happen count: face_compare needs two templates,
     * so pairs with an undetected face (+inf, sorted last) are left out. */
    while (n > 0 && isinf(g_imp[OPT_PLAIN][n - 1])) n--;
    time_t tt = time(NULL);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%d", gmtime(&tt));
    fprintf(f, "/* Generated by bench/accuracy (face_accuracy) on %s - do not edit.\n"
               " * Impostor distance quantiles of templates with dlib alignment, no flip,\n"
               " * over all %zu cross-identity pairs of the %d lfw-dev images (%d identities)\n"
               " * in which a face was found. Each point has at least 10 impostor pairs\n"
               " * below it. Regenerate: UPDATE_CALIBRATION=1 bench/run_accuracy.sh.\n"
               " * docs/calibration.md: provenance, limits. */\n",
            date, n, g_nimg, g_nids);
    fprintf(f, "#define LF_CAL_FINGERPRINT {");
    for (int k = 0; k < FACE_FINGERPRINT_BYTES; k++) fprintf(f, "%s0x%02x", k ? ", " : "", fp[k]);
    fprintf(f, "}\n#define LF_CAL_IMPOSTOR_PAIRS %zuu\n", n);
    fprintf(f, "static const lf_calib_point lf_cal_points[] = {\n");
    /* -6 .. -1 in quarter decades */
    for (int k = 4; k <= 24; k++) {
        double fmr = fmr_grid(k);
        if (fmr * (double)n < 10) continue;
        size_t idx = (size_t)floor(fmr * (double)n + 1e-9);
        float t = nextafterf(g_imp[OPT_PLAIN][idx], -INFINITY);
        fprintf(f, "    {%.2f, %.9gf}, /* FMR %.3g: %zu impostor pairs below */\n", -7.0 + 0.25 * k,
                (double)t, fmr, idx);
    }
    fprintf(f, "};\n");
    fclose(f);
    fprintf(stderr, "  wrote %s\n", path);
}

static void verify(void)
{
    fprintf(stderr, "verification\n");
    fprintf(g_json, "\"verification\": {\"pairs\": %d, \"pairs_outside_subset\": %d, \"options\": {",
            g_npairs, g_pairs_dropped);
    fprintf(g_md, "## Verification (lfw-dev, %d pairs, %d folds, leave-one-fold-out)\n\n", g_npairs,
            g_nfolds);
    fprintf(g_md, "| option | embeddings/face | ms/face | LOFO accuracy (undetected = error) | LOFO, pairs with both faces found | TAR@FAR=1e-3 | TAR@FAR=1e-4 | EER |\n"
                  "|---|---|---|---|---|---|---|---|\n");
    double emb_ms = 0;
    int ne = 0;
    for (int i = 0; i < g_nimg; i++)
        if (g_rec[i].used) emb_ms += g_rec[i].t_emb, ne++;
    emb_ms = ne ? emb_ms / ne : 0;
    int first = 1;
    for (int o = 0; o < NOPT; o++) {
        load_descriptors(o);
        int missing = 0;
        for (int k = 0; k < g_npairs; k++)
            missing += g_rec[g_pairs[k].a].used && !g_hasdesc[g_pairs[k].a];
        if (missing) continue; /* jitter not computed */
        g_have[o] = 1;
        double fold_acc[10], sd;
        double acc = lofo_for(o, NULL, 0, fold_acc, &sd, NULL);
        /* The same protocol on the pairs whose two faces were found, which is
         * what a recognition-only check (faces given) measures. */
        int *det_mask = xcalloc((size_t)g_npairs, sizeof(int)), ninv = 0;
        for (int k = 0; k < g_npairs; k++) {
            det_mask[k] = g_hasdesc[g_pairs[k].a] && g_hasdesc[g_pairs[k].b];
            ninv += !det_mask[k];
        }
        g_pair_mask = det_mask;
        double sd_det, acc_det = lofo_for(o, NULL, 0, NULL, &sd_det, NULL);
        g_pair_mask = NULL;
        free(det_mask);
        int full = o == OPT_PLAIN || o == OPT_FLIP || o_jit_all;
        double tar3 = NAN, tar4 = NAN, eer = NAN, eer_t = NAN, t3 = NAN, t4 = NAN;
        double det_fmr[NGRID], det_fnmr[NGRID];
        if (full) {
            all_pairs(o);
            tar3 = 1 - acc_miss_at_rate(g_gen[o], g_ngen[o], g_imp[o], g_nimp[o], 1e-3, &t3);
            tar4 = 1 - acc_miss_at_rate(g_gen[o], g_ngen[o], g_imp[o], g_nimp[o], 1e-4, &t4);
            eer = acc_eer(g_gen[o], g_ngen[o], g_imp[o], g_nimp[o], &eer_t);
            for (int k = 0; k < NGRID; k++) {
                det_fmr[k] = fmr_grid(k);
                det_fnmr[k] = acc_miss_at_rate(g_gen[o], g_ngen[o], g_imp[o], g_nimp[o], det_fmr[k], NULL);
            }
            if (o == OPT_PLAIN) { /* as write_calibration: comparisons that happen */
                size_t nf = g_nimp[o];
                while (nf > 0 && isinf(g_imp[o][nf - 1])) nf--;
                for (int k = 0; k < NGRID; k++) g_cal_thr[k] = acc_threshold_at_rate(g_imp[o], nf, fmr_grid(k));
            }
        }
        fprintf(g_json, "%s\"%s\": {\"embeddings_per_face\": %d, \"ms_per_face\": %.2f, "
                        "\"lofo_accuracy\": %.5f, \"lofo_sd\": %.5f, \"pairs_without_face\": %d, "
                        "\"lofo_accuracy_detected_pairs\": %.5f, \"fold_accuracy\": [",
                first ? "" : ", ", opt_key[o], opt_embeds(o), emb_ms * opt_embeds(o), acc, sd, ninv, acc_det);
        first = 0;
        for (int f = 0; f < g_nfolds; f++) fprintf(g_json, "%s%.5f", f ? ", " : "", fold_acc[f]);
        fprintf(g_json, "]");
        if (full) {
            fprintf(g_json, ", \"genuine_pairs\": %zu, \"impostor_pairs\": %zu, \"tar_at_far_1e-3\": %.5f, "
                            "\"threshold_far_1e-3\": %.5f, \"tar_at_far_1e-4\": %.5f, \"threshold_far_1e-4\": %.5f, "
                            "\"eer\": %.5f, \"eer_threshold\": %.5f, \"det\": {",
                    g_ngen[o], g_nimp[o], tar3, t3, tar4, t4, eer, eer_t);
            json_array("fmr", det_fmr, NGRID, 0);
            json_array("fnmr", det_fnmr, NGRID, 1);
            fprintf(g_json, "}");
            fprintf(g_md, "| %s | %d | %.1f | %.2f%% ± %.2f | %.2f%% (%d pairs) | %.2f%% | %.2f%% | %.2f%% |\n",
                    opt_name[o], opt_embeds(o), emb_ms * opt_embeds(o), 100 * acc, 100 * sd, 100 * acc_det,
                    g_npairs - ninv, 100 * tar3, 100 * tar4, 100 * eer);
        } else {
            fprintf(g_md, "| %s (embedded for pair images only) | %d | %.1f | %.2f%% ± %.2f | %.2f%% (%d pairs) | - | - | - |\n",
                    opt_name[o], opt_embeds(o), emb_ms * opt_embeds(o), 100 * acc, 100 * sd, 100 * acc_det,
                    g_npairs - ninv);
        }
        fprintf(g_json, "}");
    }
    fprintf(g_json, "}");
    /* Jittered crops cost (1 + J) or 2 (1 + J) embeddings per face; when the
     * cache holds them for only part of the images, compare every option on
     * the pairs whose two images have them (same pairs for all options). */
    int *mask = xcalloc((size_t)g_npairs, sizeof(int)), nmask = 0, jit_of_cache = 0;
    for (int i = 0; i < g_nimg; i++)
        if (g_rec[i].njit > jit_of_cache) jit_of_cache = g_rec[i].njit;
    if (o_jitter == 0 && jit_of_cache > 0) {
        o_jitter = jit_of_cache;
        for (int k = 0; k < g_npairs; k++) {
            const rec *a = &g_rec[g_pairs[k].a], *b = &g_rec[g_pairs[k].b];
            mask[k] = a->used && b->used && a->njit >= o_jitter && b->njit >= o_jitter;
            nmask += mask[k];
        }
        g_pair_mask = mask;
        fprintf(g_json, ", \"jitter_subset\": {\"jitter\": %d, \"pairs\": %d", o_jitter, nmask);
        fprintf(g_md, "\nTest-time options on the %d pairs whose images all have %d jittered crops "
                      "(the cache holds jitter for part of the images only; pairs with an undetected face are left out here):\n\n"
                      "| option | embeddings/face | ms/face | LOFO accuracy |\n|---|---|---|---|\n",
                nmask, o_jitter);
        for (int o = 0; o < NOPT; o++) {
            load_descriptors(o);
            double sd2, acc2 = lofo_for(o, NULL, 0, NULL, &sd2, NULL);
            fprintf(g_json, ", \"%s\": %.5f", opt_key[o], acc2);
            fprintf(g_md, "| %s | %d | %.1f | %.2f%% ± %.2f |\n", opt_name[o], opt_embeds(o),
                    emb_ms * opt_embeds(o), 100 * acc2, 100 * sd2);
        }
        fprintf(g_json, "}");
        g_pair_mask = NULL;
        o_jitter = 0;
    }
    free(mask);
    /* The plain table, and what it means for flip-averaged templates. */
    if (g_have[OPT_FLIP] && g_imp[OPT_FLIP]) {
        fprintf(g_json, ", \"flip_fmr_at_plain_thresholds\": {");
        fprintf(g_md, "\nFMR of flip-averaged templates at the single-crop calibration thresholds:\n\n"
                      "| target FMR | threshold | FMR with flip average |\n|---|---|---|\n");
        for (int k = 4, first2 = 1; k <= 24; k += 4) {
            double r = acc_rate_at(g_imp[OPT_FLIP], g_nimp[OPT_FLIP], g_cal_thr[k]);
            fprintf(g_json, "%s\"%.0e\": %.4g", first2 ? "" : ", ", fmr_grid(k), r);
            fprintf(g_md, "| %.0e | %.4f | %.2e |\n", fmr_grid(k), g_cal_thr[k], r);
            first2 = 0;
        }
        fprintf(g_json, "}");
    }
    /* Distances the face-api / dlib literature uses, as FMR. */
    fprintf(g_json, ", \"fmr_at_distance\": {");
    fprintf(g_md, "\nFMR and FNMR (all pairs, single crop) at fixed distances (similarity = 1 - d/1.2):\n\n"
                  "| distance | similarity | FMR | FNMR |\n|---|---|---|---|\n");
    const double dist_pts[] = {0.4, 0.45, 0.5, 0.55, 0.6};
    for (int k = 0; k < 5; k++) {
        double fmr = acc_rate_at(g_imp[OPT_PLAIN], g_nimp[OPT_PLAIN], dist_pts[k]);
        double fnmr = 1 - acc_rate_at(g_gen[OPT_PLAIN], g_ngen[OPT_PLAIN], dist_pts[k]);
        fprintf(g_json, "%s\"%.2f\": {\"fmr\": %.4g, \"fnmr\": %.4g}", k ? ", " : "", dist_pts[k], fmr, fnmr);
        fprintf(g_md, "| %.2f | %.3f | %.2e | %.2f%% |\n", dist_pts[k], 1 - dist_pts[k] / 1.2, fmr, 100 * fnmr);
    }
    fprintf(g_json, "}, \"calibration\": {\"log10_fmr\": [");
    for (int k = 4; k <= 24; k++) fprintf(g_json, "%s%.2f", k > 4 ? ", " : "", -7.0 + 0.25 * k);
    fprintf(g_json, "], \"distance\": [");
    for (int k = 4; k <= 24; k++) fprintf(g_json, "%s%.6f", k > 4 ? ", " : "", g_cal_thr[k]);
    fprintf(g_json, "]}}, ");
    fprintf(g_md, "\n");
    write_calibration();

    /* DET plot */
    char path[4096];
    snprintf(path, sizeof path, "%s/det.svg", o_out);
    double xs[NOPT][NGRID], ys[NOPT][NGRID];
    svg_series s[NOPT];
    size_t ns = 0;
    for (int o = 0; o < NOPT; o++) {
        if (!g_imp[o]) continue;
        for (int k = 0; k < NGRID; k++) {
            xs[o][k] = fmr_grid(k);
            ys[o][k] = acc_miss_at_rate(g_gen[o], g_ngen[o], g_imp[o], g_nimp[o], xs[o][k], NULL);
        }
        s[ns++] = (svg_series){opt_name[o], xs[o], ys[o], NGRID};
    }
    svg_plot p = {"DET, all lfw-dev pairs (undetected = miss)", "false match rate (FMR)",
                  "false non-match rate (FNMR)", 1, 1, 1e-7, 1, 1e-3, 1};
    svg_write(path, &p, s, ns);
}

/* ------------------------------------------------------------------ identification */

#define NFPIR 24
static double fpir_grid(int k) { return pow(10.0, -4.0 + 4.0 * k / (NFPIR - 1)); }

typedef struct ident_result {
    float *mated, *nonmated; /* sorted; +inf = no face or wrong top-1 */
    size_t nm, nn;
    int gallery;
    double rank1;
} ident_result;

static int *g_multi, g_nmulti, *g_enrolled_img; /* per identity: gallery image, -1 if none */
static float *g_probe_q; /* per image quality score, -1 if no face */

static void setup_galleries(int o)
{
    load_descriptors(o);
    g_multi = xcalloc((size_t)g_nids, sizeof(int));
    g_enrolled_img = xcalloc((size_t)g_nids, sizeof(int));
    g_nmulti = 0;
    for (int a = 0; a < g_nids; a++) {
        g_enrolled_img[a] = -1;
        if (g_ids[a].count < 2) continue;
        g_multi[g_nmulti++] = a;
        for (int k = 0; k < g_ids[a].count && g_enrolled_img[a] < 0; k++)
            if (g_hasdesc[g_ids[a].first + k]) g_enrolled_img[a] = g_ids[a].first + k;
    }
    uint64_t seed = 20240417;
    for (int k = g_nmulti - 1; k > 0; k--) { /* Fisher-Yates: nested random galleries */
        int j = rng_int(&seed, k + 1), t = g_multi[k];
        g_multi[k] = g_multi[j];
        g_multi[j] = t;
    }
}

static face_template make_template(const float *v)
{
    face_template t = g_proto;
    memcpy(t.values, v, sizeof t.values);
    return t;
}

/* One gallery of the first G shuffled multi-image identities, searched
 * through face_watchlist_search_batch with every probe. If keep_q >= 0, only
 * probes with quality score >= keep_q are searched (the quality gate). */
static ident_result identify(int o, int G, double keep_q)
{
    ident_result res;
    memset(&res, 0, sizeof res);
    res.gallery = G;
    face_watchlist_options wo;
    face_watchlist_options_init(&wo);
    memcpy(wo.fingerprint, g_proto.fingerprint, FACE_FINGERPRINT_BYTES);
    uint8_t key[FACE_WATCHLIST_KEY_BYTES];
    for (int k = 0; k < FACE_WATCHLIST_KEY_BYTES; k++) key[k] = (uint8_t)(k * 7 + 1);
    face_watchlist_key wk;
    face_watchlist_key_raw(&wk, key);
    face_watchlist *wl = NULL;
    if (face_watchlist_create(&wo, &wk, &wl) != FACE_OK) die("watchlist create");
    int *member = xcalloc((size_t)g_nids, sizeof(int)); /* 1 = enrolled */
    for (int k = 0; k < G && k < g_nmulti; k++) {
        int a = g_multi[k];
        if (g_enrolled_img[a] < 0) continue; /* failure to enrol: its probes are misses */
        face_template t = make_template(g_desc + (size_t)g_enrolled_img[a] * DIM);
        uint32_t id = (uint32_t)a;
        if (face_watchlist_enroll(wl, (const uint8_t *)&id, sizeof id, g_ids[a].name, &t, 1, 0) != FACE_OK)
            die("enroll");
        member[a] = 1;
        face_template_wipe(&t);
    }
    /* probes */
    int *probe = xcalloc((size_t)g_nimg, sizeof(int)), np = 0;
    int *is_mated = xcalloc((size_t)g_nimg, sizeof(int));
    for (int i = 0; i < g_nimg; i++) {
        int a = g_img_id[i];
        int pos = -1; /* gallery position of identity a, if any */
        for (int k = 0; k < G && k < g_nmulti && pos < 0; k++)
            if (g_multi[k] == a) pos = k;
        if (pos >= 0 && g_enrolled_img[a] == i) continue; /* the gallery image itself */
        if (keep_q >= 0 && (g_probe_q[i] < 0 || g_probe_q[i] < keep_q) && g_hasdesc[i]) continue;
        probe[np] = i;
        is_mated[np] = pos >= 0;
        np++;
    }
    res.mated = xcalloc((size_t)np, sizeof(float));
    res.nonmated = xcalloc((size_t)np, sizeof(float));
    face_watchlist_search_options so;
    face_watchlist_search_options_init(&so);
    so.k = 1;
    face_template *batch = xcalloc(FACE_WATCHLIST_MAX_BATCH, sizeof *batch);
    face_watchlist_match *m = xcalloc(FACE_WATCHLIST_MAX_BATCH, sizeof *m);
    size_t *counts = xcalloc(FACE_WATCHLIST_MAX_BATCH, sizeof *counts);
    int *bidx = xcalloc(FACE_WATCHLIST_MAX_BATCH, sizeof(int));
    size_t rank1 = 0, mated_total = 0;
    for (int s = 0; s < np;) {
        int nb = 0, start = s;
        for (; s < np && nb < FACE_WATCHLIST_MAX_BATCH; s++)
            if (g_hasdesc[probe[s]]) {
                batch[nb] = make_template(g_desc + (size_t)probe[s] * DIM);
                bidx[nb++] = s;
            }
        for (int k = start; k < s; k++) /* no face: a miss / no alarm */
            if (!g_hasdesc[probe[k]]) {
                if (is_mated[k]) res.mated[res.nm++] = INFINITY;
                else res.nonmated[res.nn++] = INFINITY;
            }
        if (nb == 0) continue;
        face_status st = face_watchlist_search_batch(wl, batch, (size_t)nb, &so, m, FACE_WATCHLIST_MAX_BATCH, counts);
        if (st != FACE_OK) die("watchlist search");
        for (int b = 0; b < nb; b++) {
            int k = bidx[b], i = probe[k];
            float d = counts[b] ? m[b].distance : INFINITY;
            uint32_t got = 0;
            if (counts[b]) memcpy(&got, m[b].id, sizeof got);
            if (is_mated[k]) {
                int hit = counts[b] && got == (uint32_t)g_img_id[i];
                res.mated[res.nm++] = hit ? d : INFINITY;
                rank1 += (size_t)hit;
            } else {
                res.nonmated[res.nn++] = d;
            }
        }
        for (int b = 0; b < nb; b++) face_template_wipe(&batch[b]);
    }
    for (int k = 0; k < np; k++) mated_total += (size_t)is_mated[k];
    res.rank1 = mated_total ? (double)rank1 / (double)mated_total : 0;
    acc_sort(res.mated, res.nm);
    acc_sort(res.nonmated, res.nn);
    face_watchlist_close(wl);
    free(batch), free(m), free(counts), free(bidx), free(probe), free(is_mated), free(member);
    return res;
}

static void identification(void)
{
    fprintf(stderr, "identification (1:N through face_watchlist_search_batch)\n");
    int o = g_have[OPT_FLIP] ? OPT_FLIP : OPT_PLAIN;
    setup_galleries(o);
    int sizes[3] = {100, 400, g_nmulti}, nsz = 0;
    for (int k = 0; k < 3; k++)
        if (sizes[k] <= g_nmulti && (nsz == 0 || sizes[k] > sizes[nsz - 1])) sizes[nsz++] = sizes[k];
    int singles = 0;
    for (int a = 0; a < g_nids; a++) singles += g_ids[a].count == 1;
    fprintf(g_json, "\"identification\": {\"option\": \"%s\", \"multi_image_identities\": %d, "
                    "\"single_image_identities\": %d, \"galleries\": [",
            opt_key[o], g_nmulti, singles);
    fprintf(g_md, "## Identification 1:N (lfw-dev, %s, through face_watchlist_search_batch)\n\n"
                  "%d identities with >= 2 images (one enrolled image each), %d single-image identities.\n\n"
                  "| gallery | mated probes | non-mated probes | FPIR floor (1/non-mated) | rank-1 | FNIR@FPIR=0.003 (threshold) | FNIR@FPIR=0.01 (threshold) |\n"
                  "|---|---|---|---|---|---|---|\n",
            opt_name[o], g_nmulti, singles);
    double fx[3][NFPIR], fy[3][NFPIR];
    char names[3][64];
    svg_series ser[3];
    ident_result rs[3];
    double t0 = now_s();
    for (int g = 0; g < nsz; g++) {
        ident_result r = identify(o, sizes[g], -1);
        rs[g] = r;
        progress("galleries", g + 1, nsz, t0);
        double t3, t1;
        double f3 = acc_miss_at_rate(r.mated, r.nm, r.nonmated, r.nn, 0.003, &t3);
        double f1 = acc_miss_at_rate(r.mated, r.nm, r.nonmated, r.nn, 0.01, &t1);
        for (int k = 0; k < NFPIR; k++) {
            fx[g][k] = fpir_grid(k);
            fy[g][k] = (double)r.nn * fx[g][k] < 1 ? NAN
                                                    : acc_miss_at_rate(r.mated, r.nm, r.nonmated, r.nn, fx[g][k], NULL);
        }
        snprintf(names[g], sizeof names[g], "gallery %d", sizes[g]);
        ser[g] = (svg_series){names[g], fx[g], fy[g], NFPIR};
        fprintf(g_json, "%s{\"size\": %d, \"mated\": %zu, \"nonmated\": %zu, \"fpir_floor\": %.3g, "
                        "\"rank1\": %.5f, \"fnir_at_fpir_0.003\": %.5f, \"threshold_0.003\": %.5f, "
                        "\"fnir_at_fpir_0.01\": %.5f, \"threshold_0.01\": %.5f, ",
                g ? ", " : "", sizes[g], r.nm, r.nn, 1.0 / (double)r.nn, r.rank1, f3, t3, f1, t1);
        json_array("fpir", fx[g], NFPIR, 0);
        json_array("fnir", fy[g], NFPIR, 1);
        fprintf(g_json, "}");
        fprintf(g_md, "| %d | %zu | %zu | %.2e | %.2f%% | %.2f%% (%.3f) | %.2f%% (%.3f) |\n", sizes[g], r.nm,
                r.nn, 1.0 / (double)r.nn, 100 * r.rank1, 100 * f3, t3, 100 * f1, t1);
    }
    fprintf(g_json, "], \"fpir_growth\": [");
    /* False alarms against gallery size at fixed thresholds, measured and as
     * predicted from the 1:1 impostor rate: FPIR ~ 1 - (1 - FMR)^G. */
    fprintf(g_md, "\nFalse-alarm rate against gallery size at fixed thresholds (measured FPIR; predicted 1-(1-FMR)^G from all-pairs FMR):\n\n"
                  "| threshold | FMR (1:1) |");
    for (int g = 0; g < nsz; g++) fprintf(g_md, " G=%d measured / predicted |", sizes[g]);
    fprintf(g_md, " predicted G=10,000 | predicted G=1,000 |\n|---|---|");
    for (int g = 0; g < nsz; g++) fprintf(g_md, "---|");
    fprintf(g_md, "---|---|\n");
    double thr_list[5];
    int nt = 0;
    thr_list[nt++] = g_cal_thr[16]; /* FMR 1e-3 */
    thr_list[nt++] = g_cal_thr[12]; /* 1e-4 */
    thr_list[nt++] = g_cal_thr[8];  /* 1e-5 */
    thr_list[nt++] = 0.5;
    thr_list[nt++] = 0.6;
    for (int t = 0; t < nt; t++) {
        double fmr = acc_rate_at(g_imp[o], g_nimp[o], thr_list[t]);
        fprintf(g_json, "%s{\"threshold\": %.5f, \"fmr\": %.4g, \"points\": [", t ? ", " : "", thr_list[t], fmr);
        fprintf(g_md, "| %.3f | %.1e |", thr_list[t], fmr);
        for (int g = 0; g < nsz; g++) {
            double meas = acc_rate_at(rs[g].nonmated, rs[g].nn, thr_list[t]);
            double pred = 1 - pow(1 - fmr, sizes[g]);
            fprintf(g_json, "%s{\"size\": %d, \"fpir\": %.5g, \"predicted\": %.5g, \"fnir\": %.5f}", g ? ", " : "",
                    sizes[g], meas, pred, 1 - acc_rate_at(rs[g].mated, rs[g].nm, thr_list[t]));
            fprintf(g_md, " %.4f / %.4f |", meas, pred);
        }
        fprintf(g_md, " %.3f | %.4f |\n", 1 - pow(1 - fmr, 10000), 1 - pow(1 - fmr, 1000));
        fprintf(g_json, "]}");
    }
    fprintf(g_json, "]}, ");
    fprintf(g_md, "\n");
    char path[4096];
    snprintf(path, sizeof path, "%s/fnir_fpir.svg", o_out);
    svg_plot p = {"1:N on lfw-dev: FNIR against FPIR per gallery size", "false positive identification rate (FPIR)",
                  "false negative identification rate (FNIR)", 1, 1, 1e-4, 1, 1e-3, 1};
    svg_write(path, &p, ser, (size_t)nsz);
    for (int g = 0; g < nsz; g++) free(rs[g].mated), free(rs[g].nonmated);
}

/* ------------------------------------------------------------------ quality */

static void quality_gate(void)
{
    fprintf(stderr, "quality gate\n");
    int o = g_have[OPT_FLIP] ? OPT_FLIP : OPT_PLAIN;
    if (!g_multi) setup_galleries(o);
    else load_descriptors(o);
    /* quality score of every detected face, and its quantiles */
    float *qs = xcalloc((size_t)g_nimg, sizeof(float));
    size_t nq = 0;
    for (int i = 0; i < g_nimg; i++)
        if (g_rec[i].used) qs[nq++] = g_rec[i].q[6];
    acc_sort(qs, nq);
    const double rej[] = {0, 0.01, 0.02, 0.05, 0.1, 0.2};
    fprintf(g_json, "\"quality\": {\"option\": \"%s\", \"measure\": \"face_quality_estimate score\", \"steps\": [", opt_key[o]);
    fprintf(g_md, "## Quality gate (%s; probes below a face_quality_estimate score are rejected)\n\n"
                  "| rejected faces | min score | LOFO accuracy (pairs kept) | FNIR@FPIR=0.01, G=%d | FNIR@FPIR=0.003 |\n"
                  "|---|---|---|---|---|\n",
            opt_name[o], g_nmulti);
    float *qmin = xcalloc((size_t)g_nimg, sizeof(float));
    for (int i = 0; i < g_nimg; i++) qmin[i] = g_rec[i].used ? g_rec[i].q[6] : -1;
    g_probe_q = qmin;
    for (int k = 0; k < 6; k++) {
        double qt = rej[k] == 0 ? -1 : qs[(size_t)(rej[k] * (double)nq)];
        size_t kept;
        double sd, acc = lofo_for(o, qmin, qt, NULL, &sd, &kept);
        ident_result r = identify(o, g_nmulti, qt);
        double f1 = acc_miss_at_rate(r.mated, r.nm, r.nonmated, r.nn, 0.01, NULL);
        double f3 = acc_miss_at_rate(r.mated, r.nm, r.nonmated, r.nn, 0.003, NULL);
        fprintf(g_json, "%s{\"reject\": %.3f, \"min_score\": %.4f, \"pairs_kept\": %zu, \"lofo_accuracy\": %.5f, "
                        "\"mated\": %zu, \"nonmated\": %zu, \"fnir_at_fpir_0.01\": %.5f, \"fnir_at_fpir_0.003\": %.5f}",
                k ? ", " : "", rej[k], qt, kept, acc, r.nm, r.nn, f1, f3);
        fprintf(g_md, "| %.0f%% | %.3f | %.2f%% (%zu pairs) | %.2f%% | %.2f%% |\n", 100 * rej[k], qt, 100 * acc, kept,
                100 * f1, 100 * f3);
        free(r.mated), free(r.nonmated);
        progress("gate", k + 1, 6, now_s());
    }
    /* The stream module's default gate: eye distance >= 16 px, |yaw| <= 35,
     * sharpness >= 10. */
    float *gate = xcalloc((size_t)g_nimg, sizeof(float));
    int rejected = 0, found = 0;
    for (int i = 0; i < g_nimg; i++) {
        const rec *r = &g_rec[i];
        gate[i] = -1;
        if (!r->used) continue;
        found++;
        int pass = r->q[1] >= 16 && fabsf(r->q[2]) <= 35 && r->q[5] >= 10;
        gate[i] = pass ? 1.0f : 0.0f;
        rejected += !pass;
    }
    g_probe_q = gate;
    size_t kept;
    double sd, acc = lofo_for(o, gate, 0.5, NULL, &sd, &kept);
    ident_result r = identify(o, g_nmulti, 0.5);
    double f1 = acc_miss_at_rate(r.mated, r.nm, r.nonmated, r.nn, 0.01, NULL);
    double f3 = acc_miss_at_rate(r.mated, r.nm, r.nonmated, r.nn, 0.003, NULL);
    fprintf(g_json, "], \"stream_default_gate\": {\"rejected_faces\": %d, \"faces\": %d, \"lofo_accuracy\": %.5f, "
                    "\"pairs_kept\": %zu, \"fnir_at_fpir_0.01\": %.5f, \"fnir_at_fpir_0.003\": %.5f}}, ",
            rejected, found, acc, kept, f1, f3);
    fprintf(g_md, "| stream default gate (eye >= 16 px, abs(yaw) <= 35, sharpness >= 10): %d of %d faces | - | %.2f%% (%zu pairs) | %.2f%% | %.2f%% |\n\n",
            rejected, found, 100 * acc, kept, 100 * f1, 100 * f3);
    /* yaw distribution, for the reader of the gate table */
    free(r.mated), free(r.nonmated), free(gate), free(qmin), free(qs);
    g_probe_q = NULL;
}

/* ------------------------------------------------------------------ detection on lfw-dev */

static int contains_centre(const float *b, int w, int h)
{
    return b[0] <= w / 2.0f && w / 2.0f <= b[0] + b[2] && b[1] <= h / 2.0f && h / 2.0f <= b[1] + b[3];
}

static void detection_lfw(void)
{
    fprintf(stderr, "detection on lfw-dev\n");
    int hit = 0, chain = 0, n = 0;
    long false_det = 0;
    double ms = 0;
    for (int i = 0; i < g_nimg; i++) {
        const rec *r = &g_rec[i];
        if (!r->w) continue;
        n++;
        int h = 0;
        for (int k = 0; k < r->ndet && k < MAX_DETS; k++) {
            int c = contains_centre(r->det[k], r->w, r->h);
            if (c && !h) h = 1;
            else false_det++;
        }
        if (r->ndet > MAX_DETS) false_det += r->ndet - MAX_DETS;
        hit += h;
        chain += r->used != 0;
        ms += r->t_det;
    }
    const char *pname = o_detector == FACE_DETECTOR_TINY ? "tiny" : "ssd";
    fprintf(g_json, "\"detection_lfw\": {\"images\": %d, \"settings\": [{\"detector\": \"%s\", \"input_size\": %d, "
                    "\"recall\": %.5f, \"false_per_image\": %.5f, \"ms_per_image\": %.2f}",
            n, pname, o_detector == FACE_DETECTOR_TINY ? o_det_input : 512, n ? (double)hit / n : 0, n ? (double)false_det / n : 0, n ? ms / n : 0);
    fprintf(g_md, "## Detection on lfw-dev (%d images, one labelled face at the centre)\n\n"
                  "| detector (single pass, score >= 0.5) | images | recall | other detections / image | ms / image |\n|---|---|---|---|---|\n"
                  "| %s @%d (all images) | %d | %.2f%% | %.4f | %.1f |\n",
            n, pname, o_detector == FACE_DETECTOR_TINY ? o_det_input : 512, n, 100.0 * hit / (n ? n : 1), (double)false_det / (n ? n : 1), ms / (n ? n : 1));
    /* Other settings on a spread subset (every K-th image), live. */
    if (o_det_every > 0) {
        static const int sets[][2] = {{FACE_DETECTOR_TINY, 416}, {FACE_DETECTOR_TINY, 320}, {FACE_DETECTOR_TINY, 224},
                                      {FACE_DETECTOR_TINY, 160}, {FACE_DETECTOR_TINY, 128}, {FACE_DETECTOR_SSD, 512}};
        enum { NSET = 6 };
        face_ctx *ctx = NULL;
        if (face_ctx_create(g_engine, NULL, &ctx) != FACE_OK) die("ctx");
        int m = 0, mh[NSET] = {0};
        long mf[NSET] = {0};
        double mms[NSET] = {0}, t0 = now_s();
        int total = (g_nimg + o_det_every - 1) / o_det_every;
        for (int i = 0; i < g_nimg; i += o_det_every) {
            char path[4096];
            snprintf(path, sizeof path, "%s/images/%s/%s_%04d.jpg", o_data, g_img_name[i], g_img_name[i], g_img_num[i]);
            face_image img;
            if (face_image_load_file(ctx, path, &img) != FACE_OK) continue;
            for (int q = 0; q < NSET; q++) {
                face_detection det[32];
                double t1 = now_s();
                size_t nd = lfw_run_detect(ctx, &img, sets[q][0], sets[q][1], 0.5f, 0, det, 32);
                mms[q] += 1000 * (now_s() - t1);
                int h = 0;
                for (size_t k = 0; k < nd; k++) {
                    float b[4] = {det[k].box.x, det[k].box.y, det[k].box.width, det[k].box.height};
                    if (contains_centre(b, img.width, img.height) && !h) h = 1;
                    else mf[q]++;
                }
                mh[q] += h;
            }
            m++;
            face_image_free(ctx, &img);
            progress("det sets", m, total, t0);
        }
        face_ctx_destroy(ctx);
        for (int q = 0; q < NSET; q++) {
            const char *dn = sets[q][0] == FACE_DETECTOR_TINY ? "tiny" : "ssd";
            fprintf(g_json, ", {\"detector\": \"%s\", \"input_size\": %d, \"subset_every\": %d, \"images\": %d, "
                            "\"recall\": %.5f, \"false_per_image\": %.5f, \"ms_per_image\": %.2f}",
                    dn, sets[q][1], o_det_every, m, m ? (double)mh[q] / m : 0, m ? (double)mf[q] / m : 0,
                    m ? mms[q] / m : 0);
            fprintf(g_md, "| %s @%d (every %dth image) | %d | %.2f%% | %.4f | %.1f |\n", dn, sets[q][1], o_det_every,
                    m, 100.0 * mh[q] / (m ? m : 1), (double)mf[q] / (m ? m : 1), mms[q] / (m ? m : 1));
        }
    }
    fprintf(g_json, "], \"pipeline_recall\": %.5f}, ", n ? (double)chain / n : 0);
    fprintf(g_md, "| pipeline: %s @%d, else tiny @320/128/416/224, else tiny at score 0.3, else the other network at 0.3 | %d | %.2f%% | - | - |\n\n",
            pname, o_detector == FACE_DETECTOR_TINY ? o_det_input : 512, n, 100.0 * chain / (n ? n : 1));
}

/* ------------------------------------------------------------------ crowd frames */

#define FW 1920
#define FH 1080
#define NSIZES 8
static const int face_sizes[NSIZES] = {16, 20, 24, 32, 40, 48, 64, 96};
#define PER_SIZE 6

typedef struct gt_face {
    float cx, cy, side;
    int size_class;
} gt_face;

/* Area-weighted resampling of an RGB image region (sx, sy, sw, sh) to dw x dh:
 * each destination pixel averages the source footprint it covers, so a
 * 250-px face shrunk to 16 px is antialiased like a camera would see it. */
static void resample(const uint8_t *src, int sw_full, int sh_full, double sx, double sy, double sw, double sh,
                     float *dst, int dw, int dh)
{
    double fx = sw / dw, fy = sh / dh;
    for (int y = 0; y < dh; y++) {
        double y0 = sy + y * fy, y1 = y0 + fy;
        for (int x = 0; x < dw; x++) {
            double x0 = sx + x * fx, x1 = x0 + fx, acc[3] = {0, 0, 0}, wsum = 0;
            for (int yy = (int)floor(y0); yy < (int)ceil(y1); yy++) {
                double wy = fmin(y1, yy + 1) - fmax(y0, yy);
                int cy = yy < 0 ? 0 : yy >= sh_full ? sh_full - 1 : yy;
                for (int xx = (int)floor(x0); xx < (int)ceil(x1); xx++) {
                    double wx = fmin(x1, xx + 1) - fmax(x0, xx);
                    int cx = xx < 0 ? 0 : xx >= sw_full ? sw_full - 1 : xx;
                    const uint8_t *p = src + ((size_t)cy * sw_full + cx) * 3;
                    double wgt = wx * wy;
                    acc[0] += wgt * p[0], acc[1] += wgt * p[1], acc[2] += wgt * p[2];
                    wsum += wgt;
                }
            }
            for (int c = 0; c < 3; c++) dst[((size_t)y * dw + x) * 3 + c] = (float)(acc[c] / wsum);
        }
    }
}

/* Upsampling (a small crowd photo stretched to 1080p) uses bilinear taps. */
static void bilinear(const uint8_t *src, int sw, int sh, double sx, double sy, double scale, uint8_t *dst, int dw,
                     int dh)
{
    for (int y = 0; y < dh; y++)
        for (int x = 0; x < dw; x++) {
            double u = sx + (x + 0.5) * scale - 0.5, v = sy + (y + 0.5) * scale - 0.5;
            int x0 = (int)floor(u), y0 = (int)floor(v);
            double ax = u - x0, ay = v - y0;
            for (int c = 0; c < 3; c++) {
                double s = 0;
                for (int j = 0; j < 2; j++)
                    for (int i = 0; i < 2; i++) {
                        int xx = x0 + i < 0 ? 0 : x0 + i >= sw ? sw - 1 : x0 + i;
                        int yy = y0 + j < 0 ? 0 : y0 + j >= sh ? sh - 1 : y0 + j;
                        s += (i ? ax : 1 - ax) * (j ? ay : 1 - ay) * src[((size_t)yy * sw + xx) * 3 + c];
                    }
                dst[((size_t)y * dw + x) * 3 + c] = (uint8_t)lround(fmin(255, fmax(0, s)));
            }
        }
}

static int make_frame(face_ctx *ctx, char **bgs, int nbg, int f, uint8_t *frame, gt_face *gt, int *ngt)
{
    uint64_t seed = 1000003ull * (uint64_t)(f + 1);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", o_crowd, bgs[f % nbg]);
    face_image bg;
    if (face_image_load_file(ctx, path, &bg) != FACE_OK) return 0;
    /* cover 1920x1080, centred */
    double scale = fmin((double)bg.width / FW, (double)bg.height / FH);
    double sx = (bg.width - FW * scale) / 2, sy = (bg.height - FH * scale) / 2;
    if (scale >= 1) {
        float *tmp = xcalloc((size_t)FW * 64 * 3, sizeof(float));
        for (int y0 = 0; y0 < FH; y0 += 64) { /* in strips to bound the float buffer */
            int h = FH - y0 < 64 ? FH - y0 : 64;
            resample(bg.data, bg.width, bg.height, sx, sy + y0 * scale, FW * scale, h * scale, tmp, FW, h);
            for (size_t k = 0; k < (size_t)FW * h * 3; k++) frame[(size_t)y0 * FW * 3 + k] = (uint8_t)lroundf(tmp[k]);
        }
        free(tmp);
    } else {
        bilinear(bg.data, bg.width, bg.height, sx, sy, scale, frame, FW, FH);
    }
    face_image_free(ctx, &bg);
    /* a 10 x 6 grid of 192 x 180 cells; faces in a random subset of cells */
    int cells[60];
    for (int k = 0; k < 60; k++) cells[k] = k;
    for (int k = 59; k > 0; k--) {
        int j = rng_int(&seed, k + 1), t = cells[k];
        cells[k] = cells[j], cells[j] = t;
    }
    int n = 0;
    for (int s = 0; s < NSIZES; s++)
        for (int r = 0; r < PER_SIZE; r++) {
            /* a frontal-ish source face found by the primary detector */
            int i;
            do i = rng_int(&seed, g_nimg);
            while (g_rec[i].used != 1 || fabsf(g_rec[i].q[2]) > 30);
            const rec *rc = &g_rec[i];
            snprintf(path, sizeof path, "%s/images/%s/%s_%04d.jpg", o_data, g_img_name[i], g_img_name[i], g_img_num[i]);
            face_image src;
            if (face_image_load_file(ctx, path, &src) != FACE_OK) continue;
            double side = sqrt((double)rc->box[2] * rc->box[3]);
            double bcx = rc->box[0] + rc->box[2] / 2.0, bcy = rc->box[1] + rc->box[3] / 2.0;
            double k = (double)face_sizes[s] / side; /* source px -> frame px */
            double crop = 1.6 * side;                /* face plus some context */
            int dw = (int)lround(crop * k);
            float *patch = xcalloc((size_t)dw * dw * 3, sizeof(float));
            resample(src.data, src.width, src.height, bcx - crop / 2, bcy - crop / 2, crop, crop, patch, dw, dw);
            face_image_free(ctx, &src);
            int cell = cells[n];
            int cx0 = (cell % 10) * 192, cy0 = (cell / 10) * 180;
            int ox = cx0 + rng_int(&seed, 192 - dw > 0 ? 192 - dw : 1);
            int oy = cy0 + rng_int(&seed, 180 - dw > 0 ? 180 - dw : 1);
            /* feathered edge: no hard seam for the detector to key on */
            double feather = 0.15 * dw;
            for (int y = 0; y < dw; y++)
                for (int x = 0; x < dw; x++) {
                    int fx = ox + x, fy = oy + y;
                    if (fx < 0 || fy < 0 || fx >= FW || fy >= FH) continue;
                    double e = fmin(fmin(x + 0.5, dw - x - 0.5), fmin(y + 0.5, dw - y - 0.5));
                    double a = fmin(1.0, e / feather);
                    uint8_t *p = frame + ((size_t)fy * FW + fx) * 3;
                    for (int c = 0; c < 3; c++)
                        p[c] = (uint8_t)lround(a * patch[((size_t)y * dw + x) * 3 + c] + (1 - a) * p[c]);
                }
            free(patch);
            gt[n].cx = (float)(ox + (bcx - (bcx - crop / 2)) * k);
            gt[n].cy = (float)(oy + (bcy - (bcy - crop / 2)) * k);
            gt[n].side = (float)face_sizes[s];
            gt[n].size_class = s;
            n++;
        }
    *ngt = n;
    return 1;
}

static void crowd(void)
{
    fprintf(stderr, "crowd frames (%d frames of %dx%d, %d faces each)\n", o_frames, FW, FH, NSIZES * PER_SIZE);
    DIR *d = opendir(o_crowd);
    if (!d) die("cannot open the crowd directory");
    char **bgs = NULL;
    int nbg = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t L = strlen(e->d_name);
        if (L < 5 || strcmp(e->d_name + L - 4, ".jpg")) continue;
        if (nbg == cap) bgs = realloc(bgs, (size_t)(cap = cap ? cap * 2 : 64) * sizeof *bgs);
        bgs[nbg++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(bgs, (size_t)nbg, sizeof *bgs, cmp_str);
    if (!nbg) die("no crowd images");
    /* settings "det:minface[:frames]" */
    int sdet[16], smin[16], sfr[16], ns = 0;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", o_crowd_settings);
    for (char *tok = strtok(buf, ","); tok && ns < 16; tok = strtok(NULL, ",")) {
        char dn[16];
        int mf = 0, fr = o_frames;
        if (sscanf(tok, "%15[a-z]:%d:%d", dn, &mf, &fr) < 2) die("bad --crowd-settings");
        sdet[ns] = !strcmp(dn, "ssd") ? FACE_DETECTOR_SSD : FACE_DETECTOR_TINY;
        smin[ns] = mf, sfr[ns] = fr < o_frames ? fr : o_frames;
        ns++;
    }
    uint8_t *frame = xcalloc((size_t)FW * FH * 3, 1);
    gt_face gt[NSIZES * PER_SIZE];
    int found[16][NSIZES], total[16][NSIZES];
    double ms[16];
    long ndet[16];
    memset(found, 0, sizeof found), memset(total, 0, sizeof total), memset(ms, 0, sizeof ms), memset(ndet, 0, sizeof ndet);
    face_ctx *ctx = NULL;
    if (face_ctx_create(g_engine, NULL, &ctx) != FACE_OK) die("ctx");
    face_ctx_set_option(ctx, FACE_OPT_MAX_FACES, 4000);
    face_detection *det = xcalloc(4000, sizeof *det);
    long work = 0, done = 0;
    for (int s = 0; s < ns; s++) work += sfr[s];
    double t0 = now_s();
    for (int f = 0; f < o_frames; f++) {
        int ngt = 0;
        if (!make_frame(ctx, bgs, nbg, f, frame, gt, &ngt)) continue;
        if (f == 0) { /* one example frame, as a binary PPM */
            char path[4096];
            snprintf(path, sizeof path, "%s/crowd_frame0.ppm", o_out);
            FILE *pf = fopen(path, "wb");
            if (pf) {
                fprintf(pf, "P6\n%d %d\n255\n", FW, FH);
                fwrite(frame, 1, (size_t)FW * FH * 3, pf);
                fclose(pf);
            }
        }
        face_image img;
        face_image_init(&img, FACE_PIXEL_RGB24, FW, FH, FW * 3, frame);
        for (int s = 0; s < ns; s++) {
            if (f >= sfr[s]) continue;
            double t1 = now_s();
            size_t nd = lfw_run_detect(ctx, &img, sdet[s], 0, 0.5f, smin[s], det, 4000);
            ms[s] += 1000 * (now_s() - t1);
            ndet[s] += (long)nd;
            int used[4000];
            memset(used, 0, sizeof(int) * (nd < 4000 ? nd : 4000));
            for (int g = 0; g < ngt; g++) {
                total[s][gt[g].size_class]++;
                for (size_t k = 0; k < nd; k++) {
                    if (used[k]) continue;
                    double side = sqrt((double)det[k].box.width * det[k].box.height);
                    double dx = det[k].box.x + det[k].box.width / 2 - gt[g].cx;
                    double dy = det[k].box.y + det[k].box.height / 2 - gt[g].cy;
                    if (sqrt(dx * dx + dy * dy) <= 0.5 * gt[g].side && side >= 0.5 * gt[g].side &&
                        side <= 2 * gt[g].side) {
                        used[k] = 1;
                        found[s][gt[g].size_class]++;
                        break;
                    }
                }
            }
            progress("crowd", ++done, work, t0);
        }
    }
    face_ctx_destroy(ctx);
    free(det), free(frame);
    fprintf(g_json, "\"crowd\": {\"frame\": [%d, %d], \"faces_per_size_per_frame\": %d, \"sizes\": [", FW, FH, PER_SIZE);
    for (int k = 0; k < NSIZES; k++) fprintf(g_json, "%s%d", k ? ", " : "", face_sizes[k]);
    fprintf(g_json, "], \"settings\": [");
    fprintf(g_md, "## Detection recall against face size (synthetic %dx%d crowd frames, %d faces per size per frame)\n\n"
                  "| detector | min_face_size | frames | ms / frame |",
            FW, FH, PER_SIZE);
    for (int k = 0; k < NSIZES; k++) fprintf(g_md, " %d px |", face_sizes[k]);
    fprintf(g_md, "\n|---|---|---|---|");
    for (int k = 0; k < NSIZES; k++) fprintf(g_md, "---|");
    fprintf(g_md, "\n");
    double xs[16][NSIZES], ys[16][NSIZES];
    char names[16][48];
    svg_series ser[16];
    for (int s = 0; s < ns; s++) {
        const char *dn = sdet[s] == FACE_DETECTOR_SSD ? "ssd" : "tiny";
        fprintf(g_json, "%s{\"detector\": \"%s\", \"min_face_size\": %d, \"frames\": %d, \"ms_per_frame\": %.1f, "
                        "\"detections_per_frame\": %.1f, \"recall\": [",
                s ? ", " : "", dn, smin[s], sfr[s], ms[s] / sfr[s], (double)ndet[s] / sfr[s]);
        char mfs[24];
        if (smin[s]) snprintf(mfs, sizeof mfs, "%d", smin[s]);
        else snprintf(mfs, sizeof mfs, "single pass");
        fprintf(g_md, "| %s | %s | %d | %.0f |", dn, mfs, sfr[s], ms[s] / sfr[s]);
        for (int k = 0; k < NSIZES; k++) {
            double r = total[s][k] ? (double)found[s][k] / total[s][k] : NAN;
            xs[s][k] = face_sizes[k], ys[s][k] = r;
            fprintf(g_json, "%s%.4f", k ? ", " : "", isfinite(r) ? r : -1.0);
            if (isfinite(r)) fprintf(g_md, " %.0f%% |", 100 * r);
            else fprintf(g_md, " - |");
        }
        fprintf(g_md, "\n");
        fprintf(g_json, "]}");
        if (smin[s]) snprintf(names[s], sizeof names[s], "%s min_face %d", dn, smin[s]);
        else snprintf(names[s], sizeof names[s], "%s single pass", dn);
        ser[s] = (svg_series){names[s], xs[s], ys[s], NSIZES};
    }
    fprintf(g_json, "]}, ");
    char path[4096];
    snprintf(path, sizeof path, "%s/recall_vs_size.svg", o_out);
    svg_plot p = {"Detection recall vs face size, 1920x1080 crowd frames", "face size (px, box side)", "recall", 0, 0,
                  0, 100, 0, 1};
    svg_write(path, &p, ser, (size_t)ns);
}

/* ------------------------------------------------------------------ main */

static void usage(void)
{
    fprintf(stderr,
            "usage: face_accuracy --data LFW_DEV_DIR --crowd CROWD_DIR [--models DIR] [--out DIR]\n"
            "       [--cache FILE] [--threads N] [--limit IDENTITIES] [--jitter 0..4]\n"
            "       [--jitter-scope pairs|all] [--detector tiny|ssd] [--det-input N] [--det-every K]\n"
            "       [--pairs-only 0|1 (experiments: embed only the images of pairs.txt)]\n"
            "       [--frames N] [--crowd-settings det:min[:frames],...] [--phases LIST]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i += 2) { /* every option takes a value */
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) usage();
        if (!strcmp(a, "--data")) o_data = v;
        else if (!strcmp(a, "--crowd")) o_crowd = v;
        else if (!strcmp(a, "--models")) o_models = v;
        else if (!strcmp(a, "--out")) o_out = v;
        else if (!strcmp(a, "--cache")) o_cache = v;
        else if (!strcmp(a, "--threads")) o_threads = atoi(v);
        else if (!strcmp(a, "--limit")) o_limit = atoi(v);
        else if (!strcmp(a, "--jitter")) o_jitter = atoi(v);
        else if (!strcmp(a, "--jitter-scope")) o_jit_all = !strcmp(v, "all");
        else if (!strcmp(a, "--detector")) o_detector = !strcmp(v, "ssd") ? FACE_DETECTOR_SSD : FACE_DETECTOR_TINY;
        else if (!strcmp(a, "--det-every")) o_det_every = atoi(v);
        else if (!strcmp(a, "--det-input")) o_det_input = atoi(v);
        else if (!strcmp(a, "--pairs-only")) o_pairs_only = atoi(v);
        else if (!strcmp(a, "--frames")) o_frames = atoi(v);
        else if (!strcmp(a, "--crowd-settings")) o_crowd_settings = v;
        else if (!strcmp(a, "--phases")) o_phases = v;
        else usage();
    }
    if (!o_data || o_threads < 1 || o_threads > 64 || o_jitter < 0 || o_jitter > MAX_JIT || o_frames < 0)
        usage();
    mkdir(o_out, 0755);
    face_status s = face_engine_create_from_dir(o_models, NULL, &g_engine);
    if (s != FACE_OK) {
        fprintf(stderr, "cannot load models from %s: %s\n", o_models, face_strerror(s));
        return 1;
    }
    scan_images();
    read_pairs();
    fprintf(stderr, "lfw-dev: %d identities, %d images, %d pairs; kernels %s\n", g_nids, g_nimg, g_npairs,
            face_isa_name(face_active_isa()));
    char path[4096];
    snprintf(path, sizeof path, "%s/results.json", o_out);
    g_json = fopen(path, "w");
    snprintf(path, sizeof path, "%s/summary.md", o_out);
    g_md = fopen(path, "w");
    if (!g_json || !g_md) die("cannot write results");
    time_t tt = time(NULL);
    char date[64];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
    fprintf(g_json, "{\"date\": \"%s\", \"kernels\": \"%s\", \"identities\": %d, \"images\": %d, "
                    "\"primary_detector\": \"%s\", \"jitter\": %d, \"jitter_scope\": \"%s\", ",
            date, face_isa_name(face_active_isa()), g_nids, g_nimg,
            o_detector == FACE_DETECTOR_TINY ? "tiny" : "ssd", o_jitter, o_jit_all ? "all" : "pairs");
    embed_all();
    g_desc = xcalloc((size_t)g_nimg * DIM, sizeof(float));
    g_hasdesc = xcalloc((size_t)g_nimg, sizeof(int));
    int found = 0;
    double t_load = 0, t_det = 0, t_lm = 0, t_emb = 0;
    for (int i = 0; i < g_nimg; i++)
        if (g_rec[i].used) {
            found++;
            t_load += g_rec[i].t_load, t_det += g_rec[i].t_det, t_lm += g_rec[i].t_lm, t_emb += g_rec[i].t_emb;
        }
    if (!found) die("no face found at all");
    fprintf(g_json, "\"faces_found\": %d, \"ms\": {\"decode\": %.2f, \"detect\": %.2f, \"landmarks\": %.2f, "
                    "\"embed\": %.2f}, ",
            found, t_load / found, t_det / found, t_lm / found, t_emb / found);
    fprintf(g_md, "# libface accuracy (%s, kernels %s)\n\nlfw-dev: %d identities, %d images, faces found in %d; "
                  "mean ms per face: decode %.1f, detect %.1f, landmarks %.1f, one embedding %.1f.\n\n",
            date, face_isa_name(face_active_isa()), g_nids, g_nimg, found, t_load / found, t_det / found,
            t_lm / found, t_emb / found);
    if (phase_on("verify")) verify();
    if (phase_on("ident") && g_imp[OPT_PLAIN]) identification();
    if (phase_on("quality") && g_imp[OPT_PLAIN]) quality_gate();
    if (phase_on("detect")) detection_lfw();
    if (phase_on("crowd") && o_crowd && o_frames > 0) crowd();
    fprintf(g_json, "\"complete\": true}\n");
    fclose(g_json);
    fclose(g_md);
    for (int o = 0; o < NOPT; o++) free(g_imp[o]), free(g_gen[o]);
    memset(g_rec, 0, (size_t)g_nimg * sizeof *g_rec);
    memset(g_desc, 0, (size_t)g_nimg * DIM * sizeof(float));
    free(g_rec), free(g_desc), free(g_hasdesc);
    face_engine_destroy(g_engine);
    fprintf(stderr, "results in %s (results.json, summary.md, *.svg, calibration_table.h)\n", o_out);
    return 0;
}
