/* A small fork-join thread pool, one per face_ctx that asked for threads.
 *
 * Work items are claimed with an atomic counter so uneven rows balance out;
 * the calling thread works too, so "2 threads" means one extra worker. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "base/base.h"

#define LF_POOL_MAX 64

struct lf_pool {
    const lf_allocator *alloc;
    int nworkers; /* extra threads; total = nworkers + 1 */
    pthread_t threads[LF_POOL_MAX];
    pthread_mutex_t mu;
    pthread_cond_t wake, done;
    unsigned long generation;
    int stop;
    int busy; /* workers still inside the current job */
    /* current job */
    lf_task_fn fn;
    void *arg;
    int n;
    atomic_int next;
};

static void run_items(lf_pool *p)
{
    for (;;) {
        int i = atomic_fetch_add(&p->next, 1);
        if (i >= p->n) break;
        p->fn(p->arg, i);
    }
}

static void *worker(void *vp)
{
    lf_pool *p = vp;
    unsigned long seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->generation == seen) pthread_cond_wait(&p->wake, &p->mu);
        if (p->stop) break;
        seen = p->generation;
        pthread_mutex_unlock(&p->mu);
        run_items(p);
        pthread_mutex_lock(&p->mu);
        if (--p->busy == 0) pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

face_status lf_pool_create(const lf_allocator *a, int threads, lf_pool **out)
{
    if (!out || threads < 1 || threads > LF_POOL_MAX) return FACE_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (threads == 1) return FACE_OK; /* NULL pool: run on the caller */
    lf_pool *p = lf_calloc(a, sizeof *p, LF_ALIGN);
    if (!p) return FACE_ERR_OUT_OF_MEMORY;
    p->alloc = a;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
    for (int i = 0; i < threads - 1; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0) {
            lf_pool_destroy(p);
            return FACE_ERR_OUT_OF_MEMORY;
        }
        p->nworkers++;
    }
    *out = p;
    return FACE_OK;
}

void lf_pool_destroy(lf_pool *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nworkers; i++) pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    lf_free(p->alloc, p, sizeof *p);
}

int lf_pool_threads(const lf_pool *p) { return p ? p->nworkers + 1 : 1; }

void lf_pool_run(lf_pool *p, int n, lf_task_fn fn, void *arg)
{
    if (n <= 0) return;
    if (!p || n == 1) {
        for (int i = 0; i < n; i++) fn(arg, i);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->arg = arg;
    p->n = n;
    atomic_store(&p->next, 0);
    p->busy = p->nworkers;
    p->generation++;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    run_items(p);
    pthread_mutex_lock(&p->mu);
    while (p->busy > 0) pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}
