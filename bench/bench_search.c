/* Watchlist search throughput.
 *
 *   bench_search [--min-n N] [--max-n N] [--seconds S]
 *
 * For N = 1e3, 1e4, 1e5, 1e6 random 128-D templates: queries/s with batch 1
 * and 16, float32 and int8, 1 and 2 threads, and the effective bandwidth
 * (bytes of the watchlist scanned per second) against this machine's memory
 * bandwidth, measured here by a streaming read. With libfaiss-dev installed,
 * FAISS IndexFlatL2 runs on the same data in the same process.
 *
 * Two threads: at N >= 16384 the search option threads = 2 (libface starts
 * one worker for the call); below that two caller threads search at once,
 * the other documented way. FAISS: two caller threads at batch 1 (its batch-1
 * path uses one thread), OpenMP with 2 threads at batch 16.
 *
 * This machine may be shared (other builds running): wall-clock rates then
 * drift with the load. For one thread the bench also reports rates per
 * second of the thread's own CPU time (CLOCK_THREAD_CPUTIME_ID), for the
 * bandwidth loop and the searches alike, which is what the comparisons
 * against bandwidth and FAISS use when a core is not ours alone. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "face/face.h"
#include "kernels/search.h"

#ifdef FACE_BENCH_FAISS
void *fb_create(const float *xb, long n);
void fb_search(void *index, long nq, const float *xq, int omp_threads, float *dist, long *ids);
void fb_destroy(void *index);
#endif

#define DIM FACE_TEMPLATE_DIM
#define MAXB 16

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t g_rng = 0x9e3779b97f4a7c15ull;
static float frand(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (float)((g_rng >> 40) & 0xffffff) / (float)0x1000000 * 0.5f - 0.25f;
}

/* ---------------------------------------------------------------- bandwidth */

typedef struct bw_job {
    const uint64_t *p;
    size_t n;
    uint64_t sum;
} bw_job;

static void *bw_read(void *arg)
{
    bw_job *j = arg;
    uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (size_t i = 0; i + 4 <= j->n; i += 4) {
        a0 += j->p[i];
        a1 += j->p[i + 1];
        a2 += j->p[i + 2];
        a3 += j->p[i + 3];
    }
    j->sum = a0 ^ a1 ^ a2 ^ a3;
    return NULL;
}

/* Best of 5 streaming reads of a 1 GiB buffer, in GB/s (1e9 bytes); *cpu
 * gets the best rate per second of CPU time (one thread only). */
static double bandwidth(int threads, double *cpu)
{
    double best_cpu = 0;
    size_t bytes = (size_t)1 << 30, n = bytes / 8;
    uint64_t *buf = malloc(bytes);
    if (!buf) return 0;
    for (size_t i = 0; i < n; i++) buf[i] = i;
    double best = 0;
    for (int rep = 0; rep < 5; rep++) {
        bw_job j[2];
        pthread_t t;
        double t0 = now_s(), c0 = cpu_s();
        for (int k = 0; k < threads; k++) {
            j[k].p = buf + n / (size_t)threads * (size_t)k;
            j[k].n = n / (size_t)threads;
        }
        if (threads == 2) pthread_create(&t, NULL, bw_read, &j[1]);
        bw_read(&j[0]);
        if (threads == 2) pthread_join(t, NULL);
        double dt = now_s() - t0, dc = cpu_s() - c0;
        if (j[0].sum == 42) fprintf(stderr, " ");
        double gbs = (double)bytes / dt / 1e9;
        if (gbs > best) best = gbs;
        if ((double)bytes / dc / 1e9 > best_cpu) best_cpu = (double)bytes / dc / 1e9;
    }
    free(buf);
    if (cpu) *cpu = best_cpu;
    return best;
}

/* ---------------------------------------------------------------- runs */

typedef struct run {
    face_watchlist *wl;
    const face_template *probes; /* MAXB */
    int batch, threads_opt;
    double seconds;
    long iters;
    double elapsed, cpu;
#ifdef FACE_BENCH_FAISS
    void *fx;
    const float *fq;
    int omp;
#endif
} run;

static void *run_wl(void *arg)
{
    run *r = arg;
    face_watchlist_search_options so;
    face_watchlist_search_options_init(&so);
    so.threads = r->threads_opt;
    face_watchlist_match m[MAXB];
    size_t c[MAXB];
    double t0 = now_s(), c0 = cpu_s(), t;
    long it = 0;
    do {
        if (face_watchlist_search_batch(r->wl, r->probes, (size_t)r->batch, &so, m, MAXB, c) != FACE_OK) {
            fprintf(stderr, "search failed\n");
            exit(1);
        }
        it++;
        t = now_s() - t0;
    } while (t < r->seconds || it < 3);
    r->iters = it;
    r->elapsed = t;
    r->cpu = cpu_s() - c0;
    return NULL;
}

#ifdef FACE_BENCH_FAISS
static void *run_faiss(void *arg)
{
    run *r = arg;
    float d[MAXB];
    long id[MAXB];
    double t0 = now_s(), c0 = cpu_s(), t;
    long it = 0;
    do {
        fb_search(r->fx, r->batch, r->fq, r->omp, d, id);
        it++;
        t = now_s() - t0;
    } while (t < r->seconds || it < 3);
    r->iters = it;
    r->elapsed = t;
    r->cpu = cpu_s() - c0;
    return NULL;
}
#endif

/* Queries per second with `callers` threads each running r's loop; *cpu
 * gets queries per second of the caller's CPU time (meaningful for one
 * thread without workers). */
static double measure(run *r, int callers, void *(*fn)(void *), double *cpu)
{
    run rr[2] = {*r, *r};
    pthread_t t;
    if (callers == 2) pthread_create(&t, NULL, fn, &rr[1]);
    fn(&rr[0]);
    if (callers == 2) pthread_join(t, NULL);
    double qps = 0;
    for (int k = 0; k < callers; k++) qps += (double)rr[k].iters * r->batch / rr[k].elapsed;
    if (cpu) *cpu = (double)rr[0].iters * r->batch / rr[0].cpu;
    return qps;
}

static const char *cpu_name(void)
{
    static char name[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *c = strchr(line, ':');
            if (c) {
                snprintf(name, sizeof name, "%s", c + 2);
                name[strcspn(name, "\n")] = '\0';
            }
            break;
        }
    }
    if (f) fclose(f);
    return name;
}

int main(int argc, char **argv)
{
    long max_n = 1000000, min_n = 1000;
    double seconds = 0.5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--max-n") && i + 1 < argc) max_n = atol(argv[++i]);
        else if (!strcmp(argv[i], "--min-n") && i + 1 < argc) min_n = atol(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--min-n N] [--max-n N] [--seconds S]\n", argv[0]);
            return 2;
        }
    }
    if (face_init() != FACE_OK) {
        fprintf(stderr, "face_init failed (FACE_FORCE_ISA?)\n");
        return 1;
    }
    double bw1c, bw1 = bandwidth(1, &bw1c), bw2 = bandwidth(2, NULL);
    time_t now = time(NULL);
    char date[64];
    strftime(date, sizeof date, "%Y-%m-%d", gmtime(&now));
    printf("CPU: %s (%ld cores online); kernels: %s; date: %s\n", cpu_name(), sysconf(_SC_NPROCESSORS_ONLN),
           face_isa_name(face_active_isa()), date);
    printf("Memory bandwidth (streaming read, best of 5 x 1 GiB): %.1f GB/s with 1 thread (%.1f GB/s per "
           "CPU-second), %.1f GB/s with 2\n",
           bw1, bw1c, bw2);
#ifdef FACE_BENCH_FAISS
    printf("FAISS: IndexFlatL2 from libfaiss-dev, same data, same process\n");
#else
    printf("FAISS: not built (libfaiss-dev absent)\n");
#endif
    printf("\nq/s: wall clock. cpu q/s, GB/s and %% of bandwidth: per second of CPU time (1 thread),\n"
           "wall clock (2 threads). vs FAISS: cpu q/s ratio (1 thread), wall ratio (2 threads).\n\n");
    printf("| N | storage | batch | threads | q/s | cpu q/s | GB/s | %% of bandwidth | FAISS q/s | FAISS cpu q/s | vs FAISS |\n");
    printf("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    fflush(stdout);

    float *data = malloc((size_t)max_n * DIM * sizeof(float));
    if (!data) return 1;
    for (size_t i = 0; i < (size_t)max_n * DIM; i++) data[i] = frand();
    static const uint8_t fp[FACE_FINGERPRINT_BYTES] = {1, 2, 3, 4};
    face_template probes[MAXB];
    float fq[MAXB * DIM];
    for (int p = 0; p < MAXB; p++) {
        memset(&probes[p], 0, sizeof probes[p]);
        probes[p].struct_size = sizeof probes[p];
        probes[p].version = FACE_TEMPLATE_VERSION;
        probes[p].dim = DIM;
        memcpy(probes[p].fingerprint, fp, sizeof fp);
        for (int d = 0; d < DIM; d++) probes[p].values[d] = fq[p * DIM + d] = frand();
    }
    uint8_t key[32] = {7};
    face_watchlist_key k;
    face_watchlist_key_raw(&k, key);

    for (long n = min_n; n <= max_n; n *= 10) {
#ifdef FACE_BENCH_FAISS
        void *fx = fb_create(data, n);
        double fqps[2][2], fcpu[2][2];
        for (int b = 0; b < 2; b++)
            for (int th = 0; th < 2; th++) {
                run r = {0};
                r.batch = b ? MAXB : 1;
                r.seconds = seconds;
                r.fx = fx;
                r.fq = fq;
                r.omp = (b && th) ? 2 : 1;
                fqps[b][th] = measure(&r, (!b && th) ? 2 : 1, run_faiss, &fcpu[b][th]);
            }
#endif
        for (int storage = FACE_WATCHLIST_FLOAT32; storage <= FACE_WATCHLIST_INT8; storage++) {
            face_watchlist_options o;
            face_watchlist_options_init(&o);
            o.storage = storage;
            memcpy(o.fingerprint, fp, sizeof fp);
            face_watchlist *wl = NULL;
            if (face_watchlist_create(&o, &k, &wl) != FACE_OK) return 1;
            face_template t = probes[0];
            for (long i = 0; i < n; i++) {
                memcpy(t.values, data + (size_t)i * DIM, sizeof t.values);
                uint32_t id = (uint32_t)i;
                if (face_watchlist_enroll(wl, (const uint8_t *)&id, sizeof id, NULL, &t, 1, 0) != FACE_OK) {
                    fprintf(stderr, "enroll failed\n");
                    return 1;
                }
            }
#ifdef FACE_BENCH_FAISS
            if (storage == FACE_WATCHLIST_FLOAT32) {
                /* Same answers: FAISS and libface agree on the top-1. */
                face_watchlist_match m;
                size_t c;
                float d;
                long id;
                for (int p = 0; p < MAXB; p++) {
                    face_watchlist_search(wl, &probes[p], NULL, &m, 1, &c);
                    fb_search(fx, 1, fq + p * DIM, 1, &d, &id);
                    uint32_t got;
                    memcpy(&got, m.id, 4);
                    if ((long)got != id) fprintf(stderr, "note: top-1 differs from FAISS (probe %d)\n", p);
                }
            }
#endif
            double row_bytes = storage == FACE_WATCHLIST_INT8 ? DIM + 8 : DIM * 4;
            for (int b = 0; b < 2; b++)
                for (int th = 0; th < 2; th++) {
                    run r = {0};
                    r.wl = wl;
                    r.probes = probes;
                    r.batch = b ? MAXB : 1;
                    r.seconds = seconds;
                    int per_call = th && n >= 16384;
                    r.threads_opt = per_call ? 2 : 1;
                    double cq, qps = measure(&r, th && !per_call ? 2 : 1, run_wl, &cq);
                    double rate = th ? qps : cq; /* like for like with the bandwidth */
                    double gbs = rate / r.batch * (double)n * row_bytes / 1e9;
                    double bw = th ? bw2 : bw1c;
                    printf("| %ld | %s | %d | %d | %.0f |", n, storage == FACE_WATCHLIST_INT8 ? "int8" : "float32",
                           r.batch, th + 1, qps);
                    if (th) printf(" - |");
                    else printf(" %.0f |", cq);
                    printf(" %.2f | %.0f%% |", gbs, 100.0 * gbs / bw);
#ifdef FACE_BENCH_FAISS
                    if (th) printf(" %.0f | - | %.2fx |\n", fqps[b][th], qps / fqps[b][th]);
                    else printf(" %.0f | %.0f | %.2fx |\n", fqps[b][th], fcpu[b][th], cq / fcpu[b][th]);
#else
                    printf(" - | - | - |\n");
#endif
                    fflush(stdout);
                }
            face_watchlist_close(wl);
        }
#ifdef FACE_BENCH_FAISS
        fb_destroy(fx);
#endif
    }
    free(data);
    return 0;
}
