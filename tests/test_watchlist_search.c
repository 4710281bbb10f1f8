/* Search exactness: kernels of every ISA against the reference (bit for
 * bit), top-k against a double-precision brute force, batch against single,
 * threads against one thread, and the int8 mode's recall of the float32
 * top-1. */
#include "test_watchlist_util.h"
#include "watchlist/watchlist_internal.h"

static const face_isa ISAS[] = {FACE_ISA_AVX2, FACE_ISA_AVX512, FACE_ISA_NEON};

/* ------------------------------------------------------------- kernels */

static void test_kernels_vs_ref(void **s)
{
    (void)s;
    assert_int_equal(lf_cpu_init(), FACE_OK);
    const lf_search_kernels *ref = lf_search_kernels_for(FACE_ISA_REF);
    assert_non_null(ref);
    const size_t nbs[] = {1, 2, 3, 4, 5, 7, 9, 33};
    const int dims[] = {2, 14, 128, 130};
    const int nps[] = {1, 2, 3, 5, 16};
    uint64_t rng = 2024;
    int tested = 0;
    for (size_t ii = 0; ii < sizeof ISAS / sizeof ISAS[0]; ii++) {
        const lf_search_kernels *k = lf_search_kernels_for(ISAS[ii]);
        if (!k) continue;
        tested++;
        for (size_t a = 0; a < sizeof nbs / sizeof nbs[0]; a++)
            for (size_t b = 0; b < sizeof dims / sizeof dims[0]; b++)
                for (size_t c = 0; c < sizeof nps / sizeof nps[0]; c++) {
                    size_t nb = nbs[a];
                    int dim = dims[b], np = nps[c];
                    size_t rows = nb * LF_SEARCH_BLOCK;
                    float *x = malloc(rows * (size_t)dim * sizeof(float));
                    int8_t *x8 = malloc(rows * (size_t)dim);
                    float *q = malloc((size_t)np * (size_t)(dim + 3) * sizeof(float));
                    int16_t *q16 = malloc((size_t)np * (size_t)dim * sizeof(int16_t));
                    float *rs = malloc(rows * sizeof(float)), *rn = malloc(rows * sizeof(float));
                    float qs[16], qn[16];
                    for (size_t i = 0; i < rows * (size_t)dim; i++) {
                        x[i] = tu_randf(&rng, -1.0f, 1.0f);
                        x8[i] = (int8_t)((int)(tu_rand(&rng) % 255) - 127);
                    }
                    for (size_t i = 0; i < (size_t)np * (size_t)(dim + 3); i++) q[i] = tu_randf(&rng, -1.0f, 1.0f);
                    for (size_t i = 0; i < (size_t)np * (size_t)dim; i++)
                        q16[i] = (int16_t)((int)(tu_rand(&rng) % 65535) - 32767);
                    for (size_t i = 0; i < rows; i++) {
                        rs[i] = tu_randf(&rng, 0.0f, 0.01f);
                        rn[i] = tu_randf(&rng, 0.0f, 2.0f);
                    }
                    for (int p = 0; p < np; p++) {
                        qs[p] = tu_randf(&rng, 0.0f, 1e-5f);
                        qn[p] = tu_randf(&rng, 0.0f, 2.0f);
                    }
                    size_t ld = rows + 5;
                    float *o1 = calloc((size_t)np * ld, sizeof(float));
                    float *o2 = calloc((size_t)np * ld, sizeof(float));
                    /* probe_ld > dim checks the stride is honoured. */
                    ref->l2_f32(x, nb, dim, q, np, (size_t)dim + 3, o1, ld);
                    k->l2_f32(x, nb, dim, q, np, (size_t)dim + 3, o2, ld);
                    assert_memory_equal(o1, o2, (size_t)np * ld * sizeof(float));
                    /* The reference itself against double precision. */
                    for (int p = 0; p < np; p++)
                        for (size_t r = 0; r < rows; r += 7) {
                            double acc = 0;
                            for (int d = 0; d < dim; d++) {
                                size_t bi = r / 16, ri = r % 16;
                                double t = (double)x[(bi * (size_t)dim + (size_t)d) * 16 + ri] -
                                           q[(size_t)p * (size_t)(dim + 3) + (size_t)d];
                                acc += t * t;
                            }
                            assert_true(fabs(o1[(size_t)p * ld + r] - acc) <= 1e-5 * (1.0 + acc));
                        }
                    if (dim % 2 == 0) {
                        memset(o1, 0, (size_t)np * ld * sizeof(float));
                        memset(o2, 0, (size_t)np * ld * sizeof(float));
                        ref->l2_i8(x8, nb, dim, q16, np, qs, qn, rs, rn, o1, ld);
                        k->l2_i8(x8, nb, dim, q16, np, qs, qn, rs, rn, o2, ld);
                        assert_memory_equal(o1, o2, (size_t)np * ld * sizeof(float));
                        /* Exact integer dot: check one row per block. */
                        for (int p = 0; p < np; p++)
                            for (size_t bi = 0; bi < nb; bi++) {
                                size_t ri = bi % 16, r = bi * 16 + ri;
                                int64_t dot = 0;
                                for (int d = 0; d < dim; d++)
                                    dot += (int64_t)x8[bi * (size_t)dim * 16 + (size_t)(d / 2) * 32 + ri * 2 + (size_t)(d % 2)] *
                                           q16[(size_t)p * (size_t)dim + (size_t)d];
                                float sc = rs[r] * qs[p];
                                float m = (float)dot * sc;
                                float v = (qn[p] + rn[r]) - m * 2.0f;
                                float want = v > 0.0f ? v : 0.0f;
                                assert_true(o1[(size_t)p * ld + r] == want);
                            }
                    }
                    free(x);
                    free(x8);
                    free(q);
                    free(q16);
                    free(rs);
                    free(rn);
                    free(o1);
                    free(o2);
                }
    }
    fprintf(stderr, "search kernels: %d SIMD ISA(s) checked against ref\n", tested);
}

/* ------------------------------------------------------------- top-k */

typedef struct refd {
    double d;
    unsigned idx;
} refd;

static int refd_cmp(const void *a, const void *b)
{
    const refd *x = a, *y = b;
    return x->d < y->d ? -1 : x->d > y->d ? 1 : (x->idx < y->idx ? -1 : x->idx > y->idx);
}

enum { NE = 2500 };
static face_template g_t[NE][3];
static int g_nt[NE];

static face_watchlist *build(int storage, unsigned n, uint64_t seed)
{
    face_watchlist_options o;
    wt_options(&o, storage);
    face_watchlist_key k;
    wt_raw_key(&k);
    face_watchlist *wl = NULL;
    assert_int_equal(face_watchlist_create(&o, &k, &wl), FACE_OK);
    uint64_t rng = seed;
    for (unsigned i = 0; i < n; i++) {
        if (i < NE) {
            g_nt[i] = 1 + (int)(tu_rand(&rng) % 3);
            for (int t = 0; t < g_nt[i]; t++) wt_template(&g_t[i][t], &rng);
        }
        face_template tmp;
        const face_template *tp = i < NE ? g_t[i] : &tmp;
        size_t nt = i < NE ? (size_t)g_nt[i] : 1;
        if (i >= NE) wt_template(&tmp, &rng);
        uint8_t id[64];
        size_t idl;
        wt_id(id, &idl, i);
        assert_int_equal(face_watchlist_enroll(wl, id, idl, NULL, tp, nt, 0), FACE_OK);
    }
    return wl;
}

static unsigned id_index(const face_watchlist_match *m)
{
    char buf[65];
    memcpy(buf, m->id, m->id_len);
    buf[m->id_len] = '\0';
    return (unsigned)strtoul(buf + 7, NULL, 10);
}

static void test_topk_exact(void **s)
{
    (void)s;
    face_watchlist *wl = build(FACE_WATCHLIST_FLOAT32, NE, 17);
    uint64_t rng = 71;
    enum { K = 10 };
    refd *r = malloc(NE * sizeof *r);
    for (int probe = 0; probe < 40; probe++) {
        face_template q;
        if (probe % 2) wt_near(&q, &g_t[tu_rand(&rng) % NE][0], 0.02f, &rng);
        else wt_template(&q, &rng);
        for (unsigned i = 0; i < NE; i++) {
            double best = 1e300;
            for (int t = 0; t < g_nt[i]; t++) {
                double acc = 0;
                for (int d = 0; d < FACE_TEMPLATE_DIM; d++) {
                    double df = (double)g_t[i][t].values[d] - q.values[d];
                    acc += df * df;
                }
                if (acc < best) best = acc;
            }
            r[i].d = sqrt(best);
            r[i].idx = i;
        }
        qsort(r, NE, sizeof *r, refd_cmp);
        face_watchlist_search_options so;
        face_watchlist_search_options_init(&so);
        so.k = K;
        face_watchlist_match m[K];
        size_t c;
        assert_int_equal(face_watchlist_search(wl, &q, &so, m, K, &c), FACE_OK);
        assert_int_equal(c, K);
        for (int i = 0; i < K; i++) {
            assert_true(fabs(m[i].distance - r[i].d) <= 1e-5 * (1.0 + r[i].d));
            /* Same identity unless the reference itself has a near-tie. */
            int tie = (i > 0 && r[i].d - r[i - 1].d < 1e-5) || r[i + 1].d - r[i].d < 1e-5;
            if (!tie) assert_int_equal(id_index(&m[i]), r[i].idx);
        }
        /* Threshold: exactly the identities within it, up to k. */
        so.threshold = (float)((r[3].d + r[4].d) / 2);
        assert_int_equal(face_watchlist_search(wl, &q, &so, m, K, &c), FACE_OK);
        assert_int_equal(c, 4);
        for (size_t i = 0; i < c; i++) assert_true(m[i].distance <= so.threshold);
        so.threshold = 0.0f;
        assert_int_equal(face_watchlist_search(wl, &q, &so, m, K, &c), FACE_OK);
        assert_int_equal(c, 0);
    }
    /* A probe equal to a stored template finds it at distance 0 with its index. */
    face_watchlist_match m;
    size_t c;
    assert_int_equal(face_watchlist_search(wl, &g_t[5][g_nt[5] - 1], NULL, &m, 1, &c), FACE_OK);
    assert_int_equal(id_index(&m), 5);
    assert_true(m.distance == 0.0f);
    assert_int_equal(m.template_index, g_nt[5] - 1);
    free(r);
    face_watchlist_close(wl);
}

/* ------------------------------------------------------------- batch, threads, ISAs */

static void search_all(face_watchlist *wl, const face_template *q, size_t nq, int batch, int threads,
                       face_watchlist_match *m, size_t *c, uint32_t k)
{
    face_watchlist_search_options so;
    face_watchlist_search_options_init(&so);
    so.k = k;
    so.threads = threads;
    if (batch) {
        assert_int_equal(face_watchlist_search_batch(wl, q, nq, &so, m, nq * k, c), FACE_OK);
    } else {
        for (size_t i = 0; i < nq; i++)
            assert_int_equal(face_watchlist_search(wl, &q[i], &so, m + i * k, k, &c[i]), FACE_OK);
    }
}

static void test_batch_threads_isas(void **s)
{
    (void)s;
    enum { NQ = 19, K = 7 };
    for (int storage = FACE_WATCHLIST_FLOAT32; storage <= FACE_WATCHLIST_INT8; storage++) {
        /* > 16384 templates so that threads take effect. */
        face_watchlist *wl = build(storage, 18000, 5);
        size_t nt;
        assert_int_equal(face_watchlist_count(wl, NULL, &nt), FACE_OK);
        assert_true(nt > 16384);
        uint64_t rng = 8;
        face_template q[NQ];
        for (int i = 0; i < NQ; i++) {
            if (i % 3) wt_near(&q[i], &g_t[tu_rand(&rng) % NE][0], 0.03f, &rng);
            else wt_template(&q[i], &rng);
        }
        static face_watchlist_match m0[NQ * K], m1[NQ * K];
        size_t c0[NQ], c1[NQ];
        search_all(wl, q, NQ, 0, 1, m0, c0, K);
        const int modes[][2] = {{1, 1}, {0, 2}, {1, 2}, {1, 3}, {0, 16}};
        for (size_t mo = 0; mo < sizeof modes / sizeof modes[0]; mo++) {
            memset(m1, 0xee, sizeof m1);
            search_all(wl, q, NQ, modes[mo][0], modes[mo][1], m1, c1, K);
            assert_memory_equal(c0, c1, sizeof c0);
            for (int i = 0; i < NQ; i++) assert_memory_equal(m0 + i * K, m1 + i * K, c0[i] * sizeof m0[0]);
        }
        for (size_t ii = 0; ii <= sizeof ISAS / sizeof ISAS[0]; ii++) {
            face_isa isa = ii == 0 ? FACE_ISA_REF : ISAS[ii - 1];
            const lf_search_kernels *kt = lf_search_kernels_for(isa);
            if (!kt) continue;
            lf_wl_kernels_override = kt;
            memset(m1, 0xee, sizeof m1);
            search_all(wl, q, NQ, 1, 2, m1, c1, K);
            lf_wl_kernels_override = NULL;
            assert_memory_equal(c0, c1, sizeof c0);
            for (int i = 0; i < NQ; i++) assert_memory_equal(m0 + i * K, m1 + i * K, c0[i] * sizeof m0[0]);
        }
        face_watchlist_close(wl);
    }
}

/* ------------------------------------------------------------- int8 recall */

/* Identities with a spread like real descriptors: a genuine probe is a
 * noisy view of an enrolled identity, an impostor probe is unrelated. The
 * int8 mode should name the same top-1 as float32 for (nearly) all
 * genuine probes; for impostors the top-1 is a near-tie among strangers, so
 * agreement there is reported as a figure, not a requirement. */
static void test_int8_recall(void **s)
{
    (void)s;
    enum { N = 5000, NQ = 400 };
    face_watchlist_options o;
    face_watchlist_key k;
    wt_raw_key(&k);
    face_watchlist *wf = NULL, *wq = NULL;
    wt_options(&o, FACE_WATCHLIST_FLOAT32);
    assert_int_equal(face_watchlist_create(&o, &k, &wf), FACE_OK);
    wt_options(&o, FACE_WATCHLIST_INT8);
    assert_int_equal(face_watchlist_create(&o, &k, &wq), FACE_OK);
    face_template *base = malloc(N * sizeof *base);
    uint64_t rng = 4242;
    for (unsigned i = 0; i < N; i++) {
        face_template t;
        wt_template(&base[i], &rng);
        wt_near(&t, &base[i], 0.04f, &rng);
        uint8_t id[64];
        size_t idl;
        wt_id(id, &idl, i);
        assert_int_equal(face_watchlist_enroll(wf, id, idl, NULL, &t, 1, 0), FACE_OK);
        assert_int_equal(face_watchlist_enroll(wq, id, idl, NULL, &t, 1, 0), FACE_OK);
    }
    int agree_gen = 0, agree_imp = 0, top5 = 0;
    double err = 0, maxerr = 0;
    for (int i = 0; i < NQ; i++) {
        face_template q;
        int genuine = i % 2 == 0;
        if (genuine) wt_near(&q, &base[tu_rand(&rng) % N], 0.04f, &rng);
        else wt_template(&q, &rng);
        face_watchlist_search_options so;
        face_watchlist_search_options_init(&so);
        so.k = 5;
        face_watchlist_match mf[5], mq[5];
        size_t cf, cq;
        assert_int_equal(face_watchlist_search(wf, &q, &so, mf, 5, &cf), FACE_OK);
        assert_int_equal(face_watchlist_search(wq, &q, &so, mq, 5, &cq), FACE_OK);
        int same = mf[0].id_len == mq[0].id_len && memcmp(mf[0].id, mq[0].id, mf[0].id_len) == 0;
        if (genuine) agree_gen += same;
        else agree_imp += same;
        for (int j = 0; j < 5; j++)
            if (mq[j].id_len == mf[0].id_len && memcmp(mq[j].id, mf[0].id, mf[0].id_len) == 0) top5++;
        double e = fabs((double)mf[0].distance - mq[0].distance);
        err += e;
        if (e > maxerr) maxerr = e;
    }
    double rg = agree_gen / (double)(NQ / 2), ri = agree_imp / (double)(NQ / 2);
    fprintf(stderr,
            "int8 recall of float32 top-1: genuine %.4f, impostor %.4f, within int8 top-5 %.4f; "
            "top-1 distance error mean %.5f max %.5f\n",
            rg, ri, top5 / (double)NQ, err / NQ, maxerr);
    assert_true(rg >= 0.99);
    assert_true(top5 >= NQ * 0.97);
    assert_true(maxerr < 0.05);
    free(base);
    face_watchlist_close(wf);
    face_watchlist_close(wq);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernels_vs_ref),
        cmocka_unit_test(test_topk_exact),
        cmocka_unit_test(test_batch_threads_isas),
        cmocka_unit_test(test_int8_recall),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
