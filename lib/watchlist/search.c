/* 1:N search: a kernel computes squared distances for a chunk of rows and
 * every probe of the batch, then a scalar pass keeps each probe's k best
 * identities. The rows are read once per call whatever the batch size.
 *
 * Top-k of identities, not templates: a list holds at most one row per
 * entry, the entry's best so far. An entry pushed out can come back with a
 * better row later; the final list is the k entries with the smallest
 * minimum distance. Order is (distance^2, row), so ties resolve the same
 * way with any number of threads. */
#include <math.h>
#include <string.h>

#include <sodium.h>

#include "watchlist/watchlist_internal.h"

const lf_search_kernels *lf_wl_kernels_override = NULL;

/* Rows handled per kernel call and probe: the distance buffer stays within
 * L2 (probes x rows x 4 bytes <= 256 KiB). */
#define CHUNK_ROWS_MAX 1024
#define CHUNK_FLOATS 65536
/* Below this many templates extra threads cost more than they save. */
#define THREAD_MIN_ROWS 16384

typedef struct cand {
    float d2;
    uint32_t row;
    uint32_t entry;
} cand;

typedef struct topk {
    cand *c;
    uint32_t n;
} topk;

static inline int cand_less(float d2, uint32_t row, const cand *b)
{
    return d2 < b->d2 || (d2 == b->d2 && row < b->row);
}

/* Offer (d2, row) of entry to a sorted list of at most k distinct entries. */
static void offer(topk *t, uint32_t k, float d2, uint32_t row, uint32_t entry)
{
    for (uint32_t i = 0; i < t->n; i++) {
        if (t->c[i].entry != entry) continue;
        if (!cand_less(d2, row, &t->c[i])) return;
        /* Better row for a listed entry: drop the old one, insert below. */
        memmove(&t->c[i], &t->c[i + 1], (t->n - i - 1) * sizeof(cand));
        t->n--;
        break;
    }
    if (t->n == k && !cand_less(d2, row, &t->c[k - 1])) return;
    uint32_t pos = t->n < k ? t->n : k - 1;
    while (pos > 0 && cand_less(d2, row, &t->c[pos - 1])) {
        t->c[pos] = t->c[pos - 1];
        pos--;
    }
    t->c[pos] = (cand){d2, row, entry};
    if (t->n < k) t->n++;
}

typedef struct job {
    const face_watchlist *wl;
    const lf_search_kernels *kern;
    int nprobes;
    uint32_t k;
    float thr2;
    int64_t now;
    const float *pf;     /* float32 probes, nprobes x dim */
    const int16_t *pi;   /* int8 mode: quantized probes */
    const float *qscale, *qnorm;
} job;

typedef struct part {
    const job *j;
    size_t b0, b1; /* block range */
    topk *lists;   /* nprobes lists of k */
    float *dist;   /* CHUNK_FLOATS */
} part;

static void scan(part *pt)
{
    const job *j = pt->j;
    const face_watchlist *wl = j->wl;
    const int np = j->nprobes;
    size_t chunk_blocks = (CHUNK_FLOATS / (size_t)np) / LF_SEARCH_BLOCK;
    if (chunk_blocks > CHUNK_ROWS_MAX / LF_SEARCH_BLOCK) chunk_blocks = CHUNK_ROWS_MAX / LF_SEARCH_BLOCK;
    if (chunk_blocks == 0) chunk_blocks = 1;
    const size_t bstride = (size_t)LF_WL_DIM * LF_SEARCH_BLOCK;
    for (size_t b = pt->b0; b < pt->b1; b += chunk_blocks) {
        size_t nb = pt->b1 - b < chunk_blocks ? pt->b1 - b : chunk_blocks;
        size_t ld = nb * LF_SEARCH_BLOCK;
        size_t r0 = b * LF_SEARCH_BLOCK;
        if (wl->storage == FACE_WATCHLIST_INT8)
            j->kern->l2_i8(wl->i8 + b * bstride, nb, LF_WL_DIM, j->pi, np, j->qscale, j->qnorm,
                           wl->rscale + r0, wl->rnorm + r0, pt->dist, ld);
        else
            j->kern->l2_f32(wl->f32 + b * bstride, nb, LF_WL_DIM, j->pf, np, LF_WL_DIM,
                            pt->dist, ld);
        size_t nr = wl->nrows - r0 < ld ? wl->nrows - r0 : ld; /* skip padding rows */
        for (int p = 0; p < np; p++) {
            topk *t = &pt->lists[p];
            const float *dp = pt->dist + (size_t)p * ld;
            float bound = j->thr2;
            if (t->n == j->k && t->c[j->k - 1].d2 < bound) bound = t->c[j->k - 1].d2;
            for (size_t r = 0; r < nr; r++) {
                /* <= keeps equal distances, which the row order then decides. */
                if (!(dp[r] <= bound)) continue;
                uint32_t row = (uint32_t)(r0 + r);
                uint32_t e = wl->row_owner[row];
                int64_t exp = wl->entries[e].expires_at;
                if (exp > 0 && exp <= j->now) continue;
                offer(t, j->k, dp[r], row, e);
                if (t->n == j->k && t->c[j->k - 1].d2 < bound) bound = t->c[j->k - 1].d2;
            }
        }
    }
}

static void *scan_thread(void *arg)
{
    scan(arg);
    return NULL;
}

face_status lf_wl_search(face_watchlist *wl, const face_template *probes, size_t nprobes,
                         const face_watchlist_search_options *opt, face_watchlist_match *matches,
                         size_t *counts)
{
    const uint32_t k = opt->k;
    const int i8 = wl->storage == FACE_WATCHLIST_INT8;
    const int np = (int)nprobes;
    int threads = opt->threads;

    job j;
    memset(&j, 0, sizeof j);
    j.wl = wl;
    j.kern = lf_wl_kernels_override ? lf_wl_kernels_override : lf_search_kernels_active();
    j.nprobes = np;
    j.k = k;
    j.thr2 = isinf(opt->threshold) ? INFINITY : opt->threshold * opt->threshold;
    j.now = lf_wl_now(opt->now);

    /* One scratch block: probes (float and int16), probe scales and norms,
     * per-thread lists and distance buffers. Wiped on release: it holds the
     * probes and distances derived from them. */
    size_t nb_total = (wl->nrows + LF_SEARCH_BLOCK - 1) / LF_SEARCH_BLOCK;
    if (threads > 1 && wl->nrows < THREAD_MIN_ROWS) threads = 1;
    if ((size_t)threads > nb_total) threads = nb_total ? (int)nb_total : 1;
    size_t off_pf = 0;
    size_t off_pi = off_pf + nprobes * LF_WL_DIM * sizeof(float);
    size_t off_qs = off_pi + (i8 ? nprobes * LF_WL_DIM * sizeof(int16_t) : 0);
    size_t off_qn = off_qs + nprobes * sizeof(float);
    size_t off_parts = (off_qn + nprobes * sizeof(float) + 63) & ~(size_t)63;
    size_t off_lists = off_parts + (size_t)threads * sizeof(part);
    size_t off_cands = off_lists + (size_t)threads * nprobes * sizeof(topk);
    size_t off_dist = (off_cands + (size_t)threads * nprobes * k * sizeof(cand) + 63) & ~(size_t)63;
    size_t total = off_dist + (size_t)threads * CHUNK_FLOATS * sizeof(float);
    uint8_t *mem = lf_alloc(&wl->alloc, total, LF_ALIGN);
    if (!mem) return FACE_ERR_OUT_OF_MEMORY;
    memset(mem, 0, off_dist);

    float *pf = (float *)(void *)(mem + off_pf);
    int16_t *pi = (int16_t *)(void *)(mem + off_pi);
    float *qscale = (float *)(void *)(mem + off_qs);
    float *qnorm = (float *)(void *)(mem + off_qn);
    for (size_t p = 0; p < nprobes; p++) {
        const float *v = probes[p].values;
        memcpy(pf + p * LF_WL_DIM, v, LF_WL_DIM * sizeof(float));
        if (!i8) continue;
        /* Probes keep 16 bits: their rounding error is ~1/256 of the rows'. */
        float m = 0.0f, n = 0.0f;
        for (int d = 0; d < LF_WL_DIM; d++) {
            float a = fabsf(v[d]);
            if (a > m) m = a;
            float vv = v[d] * v[d];
            n = n + vv;
        }
        float t = m / 32767.0f;
        for (int d = 0; d < LF_WL_DIM; d++)
            pi[p * LF_WL_DIM + d] = (int16_t)(t > 0.0f ? lrintf(v[d] / t) : 0);
        qscale[p] = t;
        qnorm[p] = n;
    }
    j.pf = pf;
    j.pi = pi;
    j.qscale = qscale;
    j.qnorm = qnorm;

    part *parts = (part *)(void *)(mem + off_parts);
    topk *lists = (topk *)(void *)(mem + off_lists);
    cand *cands = (cand *)(void *)(mem + off_cands);
    for (int t = 0; t < threads; t++) {
        parts[t].j = &j;
        parts[t].b0 = nb_total * (size_t)t / (size_t)threads;
        parts[t].b1 = nb_total * (size_t)(t + 1) / (size_t)threads;
        parts[t].lists = lists + (size_t)t * nprobes;
        parts[t].dist = (float *)(void *)(mem + off_dist) + (size_t)t * CHUNK_FLOATS;
        for (size_t p = 0; p < nprobes; p++)
            parts[t].lists[p].c = cands + ((size_t)t * nprobes + p) * k;
    }

    pthread_t tid[FACE_WATCHLIST_MAX_THREADS];
    int started[FACE_WATCHLIST_MAX_THREADS] = {0};
    for (int t = 1; t < threads; t++)
        started[t] = pthread_create(&tid[t], NULL, scan_thread, &parts[t]) == 0;
    scan(&parts[0]);
    for (int t = 1; t < threads; t++) {
        if (started[t]) pthread_join(tid[t], NULL);
        else scan(&parts[t]); /* could not start: do its share here */
    }

    for (size_t p = 0; p < nprobes; p++) {
        topk *res = &parts[0].lists[p];
        for (int t = 1; t < threads; t++) {
            const topk *o = &parts[t].lists[p];
            for (uint32_t i = 0; i < o->n; i++) offer(res, k, o->c[i].d2, o->c[i].row, o->c[i].entry);
        }
        for (uint32_t i = 0; i < res->n; i++) {
            face_watchlist_match *m = &matches[p * k + i];
            const lf_wl_entry *e = &wl->entries[res->c[i].entry];
            memset(m, 0, sizeof *m);
            m->struct_size = sizeof *m;
            m->id_len = e->id_len;
            memcpy(m->id, e->id, e->id_len);
            m->distance = sqrtf(res->c[i].d2);
            m->template_index = wl->row_tpl[res->c[i].row];
        }
        counts[p] = res->n;
    }
    lf_free_wipe(&wl->alloc, mem, total);
    return FACE_OK;
}

static face_status check_opts(const face_watchlist_search_options *opt)
{
    if (opt->struct_size < sizeof *opt) return FACE_ERR_INVALID_ARGUMENT;
    if (opt->k < 1 || opt->k > FACE_WATCHLIST_MAX_K) return FACE_ERR_INVALID_ARGUMENT;
    if (isnan(opt->threshold) || opt->threshold < 0.0f) return FACE_ERR_INVALID_ARGUMENT;
    if (opt->threads < 1 || opt->threads > FACE_WATCHLIST_MAX_THREADS) return FACE_ERR_INVALID_ARGUMENT;
    if (opt->now < 0) return FACE_ERR_INVALID_ARGUMENT;
    return FACE_OK;
}

face_status face_watchlist_search_batch(face_watchlist *wl, const face_template *probes,
                                        size_t nprobes, const face_watchlist_search_options *opt,
                                        face_watchlist_match *matches, size_t cap, size_t *counts)
{
    face_watchlist_search_options def;
    if (!wl || !probes || !matches || !counts) return FACE_ERR_INVALID_ARGUMENT;
    if (nprobes == 0 || nprobes > FACE_WATCHLIST_MAX_BATCH) return FACE_ERR_INVALID_ARGUMENT;
    if (!opt) {
        face_watchlist_search_options_init(&def);
        opt = &def;
    }
    face_status st = check_opts(opt);
    if (st != FACE_OK) return st;
    for (size_t p = 0; p < nprobes; p++) {
        st = lf_wl_check_template(wl, &probes[p]);
        if (st != FACE_OK) return st;
    }
    if (cap < nprobes * opt->k) return FACE_ERR_BUFFER_TOO_SMALL;
    st = lf_cpu_init();
    if (st != FACE_OK) return st;
    pthread_rwlock_rdlock(&wl->lock);
    st = lf_wl_search(wl, probes, nprobes, opt, matches, counts);
    pthread_rwlock_unlock(&wl->lock);
    return st;
}

face_status face_watchlist_search(face_watchlist *wl, const face_template *probe,
                                  const face_watchlist_search_options *opt,
                                  face_watchlist_match *matches, size_t cap, size_t *count)
{
    return face_watchlist_search_batch(wl, probe, 1, opt, matches, cap, count);
}
