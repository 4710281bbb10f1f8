/* Recognition net speed: ms per face for the dlib chip path and the face-api
 * crop path, one thread (and a pool if asked), for every ISA this CPU has.
 * Also splits one forward into its layers' share of time, which says where
 * the remaining milliseconds go.
 *
 *   bench_embed [model_dir] [threads]     (model_dir default: $FACE_MODEL_DIR)
 *
 * The goal is >= 5x face-api.js (about 45 ms per face with the tfjs wasm
 * backend on one thread): <= 9 ms per face. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "embed/embed.h"

/* With one thread, the thread's CPU time: the bench machine is shared and
 * wall time would count other processes' slices. With a pool, wall time. */
static clockid_t g_clock = CLOCK_MONOTONIC;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(g_clock, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median of reps calls of one embed variant. */
static double bench(const lf_exec *ex, const lf_recognizer *r, const face_chip *chip,
                    const face_image *img, const face_rect *crop, uint32_t flags, int reps)
{
    double t[64];
    if (reps > 64) reps = 64;
    face_template out;
    for (int i = -2; i < reps; i++) { /* two warm-up calls */
        double t0 = now_ms();
        face_status s = chip ? lf_embed_from_chip(ex, r, chip, flags, &out)
                             : lf_embed_from_crop(ex, r, img, crop, flags, &out);
        if (s != FACE_OK) {
            fprintf(stderr, "embed failed: %s (%s)\n", face_strerror(s), ex->err->msg);
            exit(1);
        }
        if (i >= 0) t[i] = now_ms() - t0;
    }
    qsort(t, (size_t)reps, sizeof t[0], cmp_double);
    return t[reps / 2];
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : getenv("FACE_MODEL_DIR");
    int threads = argc > 2 ? atoi(argv[2]) : 1;
    if (threads <= 1) g_clock = CLOCK_THREAD_CPUTIME_ID;
    if (!dir) {
        fprintf(stderr, "usage: bench_embed <model_dir> [threads]\n");
        return 2;
    }
    if (lf_cpu_init() != FACE_OK) return 1;
    char path[4096];
    snprintf(path, sizeof path, "%s/face_recognition.fmdl", dir);
    lf_allocator a;
    lf_allocator_resolve(&a, NULL);
    face_model *m = NULL;
    lf_recognizer *r = NULL;
    lf_error err = {{0}};
    if (face_model_load_file(path, NULL, &m) != FACE_OK || lf_recognizer_load(&a, m, &r, &err) != FACE_OK) {
        fprintf(stderr, "cannot load %s %s\n", path, err.msg);
        return 1;
    }

    static face_chip chip;
    chip.struct_size = sizeof chip;
    chip.size = FACE_CHIP_SIZE;
    uint64_t s = 88172645463325252ull;
    for (size_t i = 0; i < sizeof chip.rgb; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        chip.rgb[i] = (uint8_t)(s >> 56);
    }
    /* A 640x480 frame with a 220-px face crop: a typical face-api input. */
    const int W = 640, H = 480;
    uint8_t *px = malloc((size_t)W * H * 3);
    for (size_t i = 0; i < (size_t)W * H * 3; i++) px[i] = (uint8_t)(i * 2654435761u >> 24);
    face_image img = {sizeof img, FACE_PIXEL_RGB24, W, H, W * 3, 0, px};
    face_rect crop = {200, 120, 220, 220};

    lf_pool *pool = NULL;
    if (threads > 1 && lf_pool_create(&a, threads, &pool) != FACE_OK) return 1;

    printf("recognition net, %d thread(s), median %s ms per face (271 M MACs per forward)\n",
           threads, threads <= 1 ? "CPU" : "wall");
    printf("%-8s %10s %10s %12s %10s\n", "isa", "chip", "crop", "chip+flip", "GFLOP/s");
    const face_isa isas[] = {FACE_ISA_REF, FACE_ISA_AVX2, FACE_ISA_AVX512, FACE_ISA_NEON};
    for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++) {
        const lf_kernels *k = lf_kernels_for(isas[i]);
        if (!k) continue;
        lf_arena arena;
        lf_arena_init(&arena, &a);
        if (lf_arena_reserve(&arena, lf_recognizer_scratch_bytes(r, W, H)) != FACE_OK) return 1;
        /* One GEMM packing workspace per thread, as a face_ctx has. */
        size_t ws_bytes = (size_t)(threads > 1 ? threads : 1) * LF_GEMM_WS_FLOATS * sizeof(float);
        float *ws = lf_calloc(&a, ws_bytes, LF_ALIGN);
        if (!ws) return 1;
        lf_exec ex = {k, &arena, pool, &err, ws};
        int reps = isas[i] == FACE_ISA_REF ? 5 : 31;
        double tc = bench(&ex, r, &chip, NULL, NULL, 0, reps);
        double tr = bench(&ex, r, NULL, &img, &crop, 0, reps);
        double tf = bench(&ex, r, &chip, NULL, NULL, FACE_EMBED_FLIP_AVG, reps);
        printf("%-8s %10.2f %10.2f %12.2f %10.1f\n", face_isa_name(isas[i]), tc, tr, tf,
               2 * 270.854e6 / (tc * 1e6));
        lf_arena_destroy(&arena);
        lf_free(&a, ws, ws_bytes);
    }
    printf("active ISA: %s (FACE_FORCE_ISA=%s)\n", face_isa_name(lf_cpu_isa()),
           getenv("FACE_FORCE_ISA") ? getenv("FACE_FORCE_ISA") : "unset");
    lf_pool_destroy(pool);
    free(px);
    lf_recognizer_free(r);
    face_model_destroy(m);
    return 0;
}
