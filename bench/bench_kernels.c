/* Kernel throughput per ISA table.
 *
 *   bench_kernels [seconds-per-case]     (default 0.3)
 *
 * GEMM in GFLOP/s (2*M*N*K per call) on the shapes of the networks'
 * largest convs, as im2col/1x1 GEMMs; memory-bound kernels in GB/s of
 * compulsory traffic (each input and output byte once). Every table this
 * CPU supports is measured, ref included. Single thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels/kernels.h"

/* Packing workspace for the optimized GEMMs (see LF_GEMM_WS_FLOATS). */
static float g_ws[LF_GEMM_WS_FLOATS] __attribute__((aligned(64)));

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static float *fbuf(size_t n)
{
    float *p = aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    uint64_t s = 0x9e3779b97f4a7c15ULL ^ n;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        p[i] = (float)((s >> 40) & 0xffff) / 65536.0f - 0.5f;
    }
    return p;
}

static double g_budget = 0.3;

/* Runs stmt until the time budget is spent (at least 3 times, after one
 * warm-up) and keeps the fastest call: the machine is shared, and the
 * minimum is the figure least disturbed by other processes. */
#define TIME_IT(secs, stmt)                                   \
    do {                                                      \
        stmt;                                                 \
        long reps_ = 0;                                       \
        double start_ = now(), best_ = 1e30;                  \
        do {                                                  \
            double t0_ = now();                               \
            stmt;                                             \
            double t_ = now() - t0_;                          \
            if (t_ < best_) best_ = t_;                       \
            reps_++;                                          \
        } while (now() - start_ < g_budget || reps_ < 3);     \
        secs = best_;                                         \
    } while (0)

static const struct {
    const char *what;
    int M, N, K;
} GEMMS[] = {
    {"recog conv32_down 7x7 s2 (72^2 x 147 -> 32)", 72 * 72, 32, 147},
    {"recog ares 3x3 @35^2, 32ch", 35 * 35, 32, 288},
    {"recog ares 3x3 @17^2, 64ch", 17 * 17, 64, 576},
    {"recog ares 3x3 @8^2, 128ch", 8 * 8, 128, 1152},
    {"tiny conv0 3x3 VALID (414^2 x 27 -> 16)", 414 * 414, 16, 27},
    {"tiny conv4 1x1 @26^2, 128 -> 256", 26 * 26, 256, 128},
    {"tiny conv5 1x1 @13^2, 256 -> 512", 13 * 13, 512, 256},
    {"tiny 416: 1x1 @52^2, 128 -> 256", 52 * 52, 256, 128},
    {"ssd 1x1 @19^2, 512 -> 512", 19 * 19, 512, 512},
    {"ssd 1x1 @150^2... (256->128 @ 75^2)", 75 * 75, 128, 128},
    {"landmark 3x3 @56^2, 64ch", 56 * 56, 64, 576},
};

static const struct {
    const char *what;
    int H, W, C, s, pt, pl, oh, ow;
} DWS[] = {
    {"tiny conv1 207^2x16 s1", 207, 207, 16, 1, 1, 1, 207, 207},
    {"tiny conv3 52^2x64 s1", 52, 52, 64, 1, 1, 1, 52, 52},
    {"tiny conv5 13^2x256 s1", 13, 13, 256, 1, 1, 1, 13, 13},
    {"ssd 150^2x64 s2", 150, 150, 64, 2, 0, 0, 75, 75},
    {"ssd 75^2x128 s1", 75, 75, 128, 1, 1, 1, 75, 75},
    {"ssd 19^2x512 s1", 19, 19, 512, 1, 1, 1, 19, 19},
    {"landmark 56^2x64 s1", 56, 56, 64, 1, 1, 1, 56, 56},
};

int main(int argc, char **argv)
{
    if (argc > 1) g_budget = atof(argv[1]);
    if (!(g_budget > 0)) g_budget = 0.3;
    if (lf_cpu_init() != FACE_OK) fprintf(stderr, "note: FACE_FORCE_ISA rejected; measuring all\n");

    const lf_kernels *tabs[4];
    int nt = 0;
    for (int i = 0; i < 4; i++)
        if (lf_kernels_for((face_isa)i)) tabs[nt++] = lf_kernels_for((face_isa)i);

    printf("GEMM GFLOP/s (single thread, best of N; ref = plain C, others = the table GEMM:\n"
           "packed per ISA, or OpenBLAS serial with FACE_GEMM=openblas)\n");
    printf("%-46s %6s %5s %5s", "shape", "M", "N", "K");
    for (int t = 0; t < nt; t++) printf(" %8s", face_isa_name(tabs[t]->isa));
    printf("\n");
    for (size_t g = 0; g < sizeof GEMMS / sizeof GEMMS[0]; g++) {
        const int M = GEMMS[g].M, N = GEMMS[g].N, K = GEMMS[g].K;
        float *A = fbuf((size_t)M * K), *B = fbuf((size_t)K * N), *C = fbuf((size_t)M * N);
        printf("%-46s %6d %5d %5d", GEMMS[g].what, M, N, K);
        for (int t = 0; t < nt; t++) {
            double sec;
            TIME_IT(sec, tabs[t]->gemm(M, N, K, A, K, B, N, C, N, 0, g_ws));
            printf(" %8.1f", 2.0 * M * N * K / sec * 1e-9);
        }
        printf("\n");
        free(A);
        free(B);
        free(C);
    }

    printf("\ndwconv3x3 GB/s (input + output bytes once; bias + relu6)\n");
    printf("%-46s", "shape");
    for (int t = 0; t < nt; t++) printf(" %8s", face_isa_name(tabs[t]->isa));
    printf("\n");
    for (size_t d = 0; d < sizeof DWS / sizeof DWS[0]; d++) {
        const size_t nin = (size_t)DWS[d].H * DWS[d].W * DWS[d].C;
        const size_t nout = (size_t)DWS[d].oh * DWS[d].ow * DWS[d].C;
        float *in = fbuf(nin), *w = fbuf((size_t)9 * DWS[d].C), *b = fbuf((size_t)DWS[d].C);
        float *out = fbuf(nout);
        printf("%-46s", DWS[d].what);
        for (int t = 0; t < nt; t++) {
            double sec;
            TIME_IT(sec, tabs[t]->dwconv3x3(in, DWS[d].H, DWS[d].W, DWS[d].C, w, b, DWS[d].s,
                                            DWS[d].pt, DWS[d].pl, out, DWS[d].oh, DWS[d].ow,
                                            LF_ACT_RELU6));
            printf(" %8.1f", (double)(nin + nout) * sizeof(float) / sec * 1e-9);
        }
        printf("\n");
        free(in);
        free(w);
        free(b);
        free(out);
    }

    /* The stems: direct conv against im2col + GEMM of the same table. */
    static const struct {
        const char *what;
        int H, W, Cin, k, s, pt, pl, Cout, oh, ow;
    } STEMS[] = {
        {"tiny conv0 416^2x3 3x3 VALID -> 16", 416, 416, 3, 3, 1, 0, 0, 16, 414, 414},
        {"ssd conv0 512^2x3 3x3 s2 SAME -> 32", 512, 512, 3, 3, 2, 0, 0, 32, 256, 256},
        {"recog 150^2x3 7x7 s2 VALID -> 32", 150, 150, 3, 7, 2, 0, 0, 32, 72, 72},
        {"landmark 112^2x3 3x3 s2 SAME -> 32", 112, 112, 3, 3, 2, 0, 0, 32, 56, 56},
    };
    printf("\nstem convs GFLOP/s: conv_direct | im2col + gemm\n");
    printf("%-46s", "shape");
    for (int t = 0; t < nt; t++) printf(" %17s", face_isa_name(tabs[t]->isa));
    printf("\n");
    for (size_t d = 0; d < sizeof STEMS / sizeof STEMS[0]; d++) {
        const int K = STEMS[d].k * STEMS[d].k * STEMS[d].Cin, M = STEMS[d].oh * STEMS[d].ow;
        float *in = fbuf((size_t)STEMS[d].H * STEMS[d].W * STEMS[d].Cin);
        float *w = fbuf((size_t)K * STEMS[d].Cout), *b = fbuf((size_t)STEMS[d].Cout);
        float *out = fbuf((size_t)M * STEMS[d].Cout), *cols = fbuf((size_t)M * K);
        const double flop = 2.0 * M * K * STEMS[d].Cout;
        printf("%-46s", STEMS[d].what);
        for (int t = 0; t < nt; t++) {
            const lf_kernels *k = tabs[t];
            double s1, s2;
            TIME_IT(s1, k->conv_direct(in, STEMS[d].H, STEMS[d].W, STEMS[d].Cin, w, STEMS[d].k,
                                       STEMS[d].k, STEMS[d].Cout, b, STEMS[d].s, STEMS[d].pt,
                                       STEMS[d].pl, out, STEMS[d].oh, STEMS[d].ow, LF_ACT_RELU));
            TIME_IT(s2, (k->im2col(in, STEMS[d].H, STEMS[d].W, STEMS[d].Cin, STEMS[d].k, STEMS[d].k,
                                   STEMS[d].s, STEMS[d].pt, STEMS[d].pl, cols, STEMS[d].oh,
                                   STEMS[d].ow),
                         k->gemm(M, STEMS[d].Cout, K, cols, K, w, STEMS[d].Cout, out, STEMS[d].Cout,
                                 0, g_ws),
                         k->bias_act(out, M, STEMS[d].Cout, STEMS[d].Cout, b, LF_ACT_RELU)));
            printf("  %7.1f | %5.1f", flop / s1 * 1e-9, flop / s2 * 1e-9);
        }
        printf("\n");
        free(in);
        free(w);
        free(b);
        free(out);
        free(cols);
    }

    /* Other memory-bound kernels on one mid-size activation, 52x52x128. */
    printf("\nother kernels GB/s on 52x52x128 (resize: 640x480x3 -> 416x416)\n");
    printf("%-46s", "kernel");
    for (int t = 0; t < nt; t++) printf(" %8s", face_isa_name(tabs[t]->isa));
    printf("\n");
    {
        const int H = 52, W = 52, C = 128;
        const size_t n = (size_t)H * W * C;
        float *x = fbuf(n), *y = fbuf(n), *o = fbuf(n * 9), *p = fbuf(C), *q = fbuf(C);
        float *img = fbuf((size_t)640 * 480 * 3), *rs = fbuf((size_t)416 * 416 * 3);
        const char *names[] = {"bias_act leaky", "affine_act relu", "add_act relu",
                               "maxpool 2x2 s2", "avgpool 2x2 s2", "im2col 3x3 s1 pad1",
                               "resize_bilinear C=3", "dot 128-D (x 8112 calls)"};
        for (int kk = 0; kk < 8; kk++) {
            printf("%-46s", names[kk]);
            for (int t = 0; t < nt; t++) {
                const lf_kernels *k = tabs[t];
                double sec, bytes;
                volatile float sink = 0;
                switch (kk) {
                case 0:
                    TIME_IT(sec, k->bias_act(x, H * W, C, C, p, LF_ACT_LEAKY));
                    bytes = 2.0 * n;
                    break;
                case 1:
                    TIME_IT(sec, k->affine_act(x, H * W, C, C, p, q, LF_ACT_RELU));
                    bytes = 2.0 * n;
                    break;
                case 2:
                    TIME_IT(sec, k->add_act(o, x, y, n, LF_ACT_RELU));
                    bytes = 3.0 * n;
                    break;
                case 3:
                    TIME_IT(sec, k->maxpool(x, H, W, C, 2, 2, 0, 0, o, H / 2, W / 2));
                    bytes = 1.25 * n;
                    break;
                case 4:
                    TIME_IT(sec, k->avgpool(x, H, W, C, 2, 2, o, H / 2, W / 2));
                    bytes = 1.25 * n;
                    break;
                case 5:
                    TIME_IT(sec, k->im2col(x, H, W, C, 3, 3, 1, 1, 1, o, H, W));
                    bytes = 10.0 * n;
                    break;
                case 6:
                    TIME_IT(sec, k->resize_bilinear(img, 480, 640, 3, rs, 416, 416));
                    bytes = 640.0 * 480 * 3 + 416.0 * 416 * 3;
                    break;
                default:
                    TIME_IT(sec, for (int r = 0; r < H * W * C / 128 / 4; r++) sink += k->dot(
                                     x + (size_t)r * 128, y, 128));
                    bytes = (double)n / 4;
                    break;
                }
                (void)sink;
                printf(" %8.1f", bytes * sizeof(float) / sec * 1e-9);
            }
            printf("\n");
        }
        free(x);
        free(y);
        free(o);
        free(p);
        free(q);
        free(img);
        free(rs);
    }
    return 0;
}
