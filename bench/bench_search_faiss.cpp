// FAISS IndexFlatL2 for bench_search.c: a C interface over the C++ library
// (Debian's libfaiss-dev ships no compiled C API).
#include <faiss/IndexFlat.h>
#include <omp.h>

extern "C" {
void *fb_create(const float *xb, long n);
void fb_search(void *index, long nq, const float *xq, int omp_threads, float *dist, long *ids);
void fb_destroy(void *index);
}

void *fb_create(const float *xb, long n)
{
    auto *ix = new faiss::IndexFlatL2(128);
    ix->add(n, xb);
    return ix;
}

void fb_search(void *index, long nq, const float *xq, int omp_threads, float *dist, long *ids)
{
    omp_set_num_threads(omp_threads);
    static_cast<faiss::IndexFlatL2 *>(index)->search(nq, xq, 1, dist, ids);
}

void fb_destroy(void *index) { delete static_cast<faiss::IndexFlatL2 *>(index); }
