/* SGEMM throughput on the networks' real GEMM shapes: libface's own packed
 * GEMM per ISA against OpenBLAS (serial) as linked.
 *
 *   bench_gemm [seconds-per-case [M N K]]    (default 0.2 s, the shapes below)
 *
 * OpenBLAS picks its kernels from the CPU at load; to see what it does with
 * the right kernels on a CPU it does not recognise, run it a second time
 * with e.g. OPENBLAS_CORETYPE=SkylakeX. Single thread, GFLOP/s = 2*M*N*K
 * per call, best of N runs (the machine is shared). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels/kernels_impl.h"

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

typedef void (*gemm_fn)(int, int, int, const float *, int, const float *, int, float *, int, int,
                        float *);
static float g_ws[LF_GEMM_WS_FLOATS] __attribute__((aligned(64)));

static double g_budget = 0.2;

static double gflops(gemm_fn f, int M, int N, int K, const float *A, const float *B, float *C)
{
    f(M, N, K, A, K, B, N, C, N, 0, g_ws); /* warm-up: caches, TLB, first-touch */
    long reps = 0;
    double start = now(), best = 1e30;
    do {
        double t0 = now();
        f(M, N, K, A, K, B, N, C, N, 0, g_ws);
        double t = now() - t0;
        if (t < best) best = t;
        reps++;
    } while (now() - start < g_budget || reps < 3);
    return 2.0 * M * N * K / best * 1e-9;
}

static const struct {
    const char *family;
    int M, N, K;
} SHAPES[] = {
    {"recog im2col", 72 * 72, 32, 147},  {"recog im2col", 35 * 35, 32, 288},
    {"recog im2col", 17 * 17, 64, 576},  {"recog im2col", 8 * 8, 128, 1152},
    {"recog im2col", 4 * 4, 256, 2304},  {"recog im2col", 2 * 2, 256, 2304},
    {"tiny pw", 104 * 104, 64, 32},      {"tiny pw", 52 * 52, 128, 64},
    {"tiny pw", 26 * 26, 256, 128},      {"tiny pw", 13 * 13, 512, 256},
    {"tiny pw", 13 * 13, 25, 512},       {"ssd pw", 256 * 256, 64, 32},
    {"ssd pw", 128 * 128, 128, 64},      {"ssd pw", 64 * 64, 256, 128},
    {"ssd pw", 32 * 32, 512, 256},       {"ssd pw", 32 * 32, 512, 512},
    {"ssd pw", 16 * 16, 1024, 512},      {"ssd pw", 16 * 16, 1024, 1024},
    {"landmark pw", 56 * 56, 64, 32},    {"landmark pw", 28 * 28, 128, 64},
    {"landmark pw", 14 * 14, 256, 128},  {"landmark pw", 7 * 7, 256, 256},
};

int main(int argc, char **argv)
{
    if (argc > 1) g_budget = atof(argv[1]);
    if (!(g_budget > 0)) g_budget = 0.2;
    lf_cpu_init();

    const char *names[4];
    gemm_fn fns[4];
    int nf = 0;
#if defined(FACE_HAVE_AVX512)
    if (face_isa_supported(FACE_ISA_AVX512)) names[nf] = "avx512", fns[nf++] = lf_gemm_avx512;
#endif
#if defined(FACE_HAVE_AVX2)
    if (face_isa_supported(FACE_ISA_AVX2)) names[nf] = "avx2", fns[nf++] = lf_gemm_avx2;
#endif
#if defined(FACE_HAVE_NEON)
    if (face_isa_supported(FACE_ISA_NEON)) names[nf] = "neon", fns[nf++] = lf_gemm_neon;
#endif
    names[nf] = "openblas", fns[nf++] = lf_gemm_blas;

    const char *ct = getenv("OPENBLAS_CORETYPE");
    printf("SGEMM GFLOP/s, single thread (OPENBLAS_CORETYPE=%s)\n", ct ? ct : "(unset)");
    printf("%-14s %6s %5s %5s", "family", "M", "N", "K");
    for (int f = 0; f < nf; f++) printf(" %9s", names[f]);
    printf("\n");
    double sum[4] = {0};
    int ns = (int)(sizeof SHAPES / sizeof SHAPES[0]);
    const int one = argc == 5; /* a single shape from the command line */
    if (one) ns = 1;
    for (int s = 0; s < ns; s++) {
        const int M = one ? atoi(argv[2]) : SHAPES[s].M, N = one ? atoi(argv[3]) : SHAPES[s].N;
        const int K = one ? atoi(argv[4]) : SHAPES[s].K;
        if (M <= 0 || N <= 0 || K <= 0) {
            fprintf(stderr, "bad shape\n");
            return 2;
        }
        float *A = fbuf((size_t)M * K), *B = fbuf((size_t)K * N), *C = fbuf((size_t)M * N);
        printf("%-14s %6d %5d %5d", one ? "custom" : SHAPES[s].family, M, N, K);
        for (int f = 0; f < nf; f++) {
            double g = gflops(fns[f], M, N, K, A, B, C);
            sum[f] += g;
            printf(" %9.1f", g);
        }
        printf("\n");
        fflush(stdout);
        free(A);
        free(B);
        free(C);
    }
    printf("%-14s %18s", "mean", "");
    for (int f = 0; f < nf; f++) printf(" %9.1f", sum[f] / ns);
    printf("\n");
    return 0;
}
