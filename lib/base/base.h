/* libface base layer: allocator, errors, scratch arena, thread pool, CPU
 * dispatch. Private header; never installed.
 *
 * Everything here depends only on the C library, pthreads and libsodium.
 * It must not include any other libface module header: every other module
 * sits above it. Internal symbols use the lf_ prefix and stay hidden. */
#ifndef LF_BASE_H
#define LF_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "face/status.h"

#define LF_ALIGN 64 /* cache line, and enough for AVX-512 loads */

#if defined(__GNUC__) || defined(__clang__)
#define LF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LF_PRINTF(a, b)
#endif

/* ---------------------------------------------------------------- allocator */

/* A resolved allocator: always has both callbacks. */
typedef struct lf_allocator {
    void *(*alloc)(void *opaque, size_t size, size_t align);
    void (*free)(void *opaque, void *ptr, size_t size);
    void *opaque;
} lf_allocator;

/* Resolve a public allocator (NULL or incomplete -> default). Returns
 * FACE_ERR_INVALID_ARGUMENT for a hook with a bad struct_size or only one
 * callback set. */
face_status lf_allocator_resolve(lf_allocator *dst, const face_allocator *src);
/* NULL on failure or size 0. align is a power of two <= 4096. */
void *lf_alloc(const lf_allocator *a, size_t size, size_t align);
/* Zero-filled. */
void *lf_calloc(const lf_allocator *a, size_t size, size_t align);
/* Free without wiping (data that was never sensitive). NULL is a no-op. */
void lf_free(const lf_allocator *a, void *p, size_t size);
/* Wipe with sodium_memzero, then free. Use for anything that held pixels,
 * chips, templates, keys or activations derived from a face. */
void lf_free_wipe(const lf_allocator *a, void *p, size_t size);
/* a*b (+c) with overflow check; returns 0 on overflow. */
int lf_mul_size(size_t a, size_t b, size_t *out);
int lf_add_size(size_t a, size_t b, size_t *out);
/* sodium_memzero, usable from every module. */
void lf_wipe(void *p, size_t n);

/* ---------------------------------------------------------------- scratch */

/*
 * A bump arena owned by one face_ctx. Memory is reserved up front (or grown
 * while the context warms up), handed out with lf_arena_push and given back
 * with lf_arena_pop_to, which wipes everything above the mark: scratch is
 * zero whenever it is not in use, not only when it is freed.
 */
typedef struct lf_arena {
    const lf_allocator *alloc;
    uint8_t *base;
    size_t cap;
    size_t top;
    size_t high_water; /* largest top seen, so a warm context never grows */
    size_t dirty;      /* end of bytes released without a wipe (see release) */
} lf_arena;

void lf_arena_init(lf_arena *ar, const lf_allocator *a);
/* Make sure at least bytes are free above the current top. Only allowed when
 * top == 0 (nothing is live), because growing moves the block. */
face_status lf_arena_reserve(lf_arena *ar, size_t bytes);
/* NULL if the arena is too small (callers reserve first). Zeroed memory. */
void *lf_arena_push(lf_arena *ar, size_t size);
/* Same, but the contents are unspecified: for buffers the caller overwrites
 * completely before reading (saves re-zeroing released bytes). */
void *lf_arena_push_uninit(lf_arena *ar, size_t size);
static inline size_t lf_arena_mark(const lf_arena *ar) { return ar->top; }
/* Wipe and release everything pushed after mark, including bytes that were
 * released earlier without a wipe. */
void lf_arena_pop_to(lf_arena *ar, size_t mark);
/* Release without wiping, for scratch that is reused many times inside one
 * call (im2col columns): the bytes stay dirty until the next lf_arena_pop_to
 * at or below them, which every public call does before it returns. */
void lf_arena_release_to(lf_arena *ar, size_t mark);
/* Wipe and free the block. */
void lf_arena_destroy(lf_arena *ar);

/* ---------------------------------------------------------------- errors */

#define LF_ERR_MAX 256
typedef struct lf_error {
    char msg[LF_ERR_MAX];
} lf_error;

/* Record "func(): detail" and return status. err may be NULL. */
face_status lf_fail(lf_error *err, face_status status, const char *func, const char *fmt, ...)
    LF_PRINTF(4, 5);
static inline void lf_error_clear(lf_error *err)
{
    if (err) err->msg[0] = '\0';
}
#define LF_FAIL(err, status, ...) lf_fail((err), (status), __func__, __VA_ARGS__)

/* ---------------------------------------------------------------- threads */

/*
 * A fixed-size pool of worker threads owned by one face_ctx. It exists only
 * when the caller asked for more than one thread (FACE_OPT_THREADS).
 * lf_pool_run(pool, n, fn, arg) calls fn(arg, i) for i in [0, n) across the
 * workers and the calling thread and returns when all are done. A NULL pool
 * runs everything on the caller.
 */
typedef struct lf_pool lf_pool;
typedef void (*lf_task_fn)(void *arg, int index);
face_status lf_pool_create(const lf_allocator *a, int threads, lf_pool **out);
void lf_pool_destroy(lf_pool *pool);
int lf_pool_threads(const lf_pool *pool); /* 1 for NULL */
void lf_pool_run(lf_pool *pool, int n, lf_task_fn fn, void *arg);

/* ---------------------------------------------------------------- CPU */

/* Detect the CPU once and apply FACE_FORCE_ISA. Same as face_init(). */
face_status lf_cpu_init(void);
face_isa lf_cpu_isa(void);          /* active ISA; call lf_cpu_init first */
int lf_cpu_supports(face_isa isa);  /* CPU and build both support it */

/* ---------------------------------------------------------------- hashing */

/* BLAKE2b with the requested output length (16..64), over several parts. */
typedef struct lf_hash {
    _Alignas(64) uint8_t state[384];
} lf_hash;
void lf_hash_init(lf_hash *h, size_t outlen);
void lf_hash_update(lf_hash *h, const void *data, size_t n);
void lf_hash_final(lf_hash *h, uint8_t *out, size_t outlen);

/* ---------------------------------------------------------------- little endian */

static inline uint16_t lf_rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t lf_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t lf_rd64(const uint8_t *p) { return lf_rd32(p) | ((uint64_t)lf_rd32(p + 4) << 32); }
static inline void lf_wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void lf_wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void lf_wr64(uint8_t *p, uint64_t v)
{
    lf_wr32(p, (uint32_t)v);
    lf_wr32(p + 4, (uint32_t)(v >> 32));
}
float lf_rdf32(const uint8_t *p);
void lf_wrf32(uint8_t *p, float v);

#endif /* LF_BASE_H */
