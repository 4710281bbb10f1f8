/* Allocator resolution, wiping frees and the scratch arena. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/base.h"

static void *default_alloc(void *opaque, size_t size, size_t align)
{
    (void)opaque;
    void *p = NULL;
    if (align < sizeof(void *)) align = sizeof(void *);
    if (posix_memalign(&p, align, size) != 0) return NULL;
    return p;
}

static void default_free(void *opaque, void *ptr, size_t size)
{
    (void)opaque;
    (void)size;
    free(ptr);
}

face_status lf_allocator_resolve(lf_allocator *dst, const face_allocator *src)
{
    if (!dst) return FACE_ERR_INVALID_ARGUMENT;
    if (!src) {
        dst->alloc = default_alloc;
        dst->free = default_free;
        dst->opaque = NULL;
        return FACE_OK;
    }
    /* A hook with only one callback would pair our free with someone else's
     * alloc: refuse it rather than guess. */
    if (src->struct_size < sizeof(face_allocator) || !src->alloc || !src->free)
        return FACE_ERR_INVALID_ARGUMENT;
    dst->alloc = src->alloc;
    dst->free = src->free;
    dst->opaque = src->opaque;
    return FACE_OK;
}

void *lf_alloc(const lf_allocator *a, size_t size, size_t align)
{
    if (!a || size == 0 || align == 0 || (align & (align - 1)) || align > 4096) return NULL;
    return a->alloc(a->opaque, size, align);
}

void *lf_calloc(const lf_allocator *a, size_t size, size_t align)
{
    void *p = lf_alloc(a, size, align);
    if (p) memset(p, 0, size);
    return p;
}

void lf_free(const lf_allocator *a, void *p, size_t size)
{
    if (a && p) a->free(a->opaque, p, size);
}

void lf_wipe(void *p, size_t n)
{
    if (p && n) sodium_memzero(p, n);
}

void lf_free_wipe(const lf_allocator *a, void *p, size_t size)
{
    if (!a || !p) return;
    sodium_memzero(p, size);
    a->free(a->opaque, p, size);
}

int lf_mul_size(size_t a, size_t b, size_t *out)
{
    if (a && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}

int lf_add_size(size_t a, size_t b, size_t *out)
{
    if (b > SIZE_MAX - a) return 0;
    *out = a + b;
    return 1;
}

/* ---------------------------------------------------------------- arena */

void lf_arena_init(lf_arena *ar, const lf_allocator *a)
{
    memset(ar, 0, sizeof *ar);
    ar->alloc = a;
}

face_status lf_arena_reserve(lf_arena *ar, size_t bytes)
{
    size_t need;
    if (!lf_add_size(ar->top, bytes, &need) || !lf_add_size(need, LF_ALIGN, &need))
        return FACE_ERR_OUT_OF_MEMORY;
    if (need <= ar->cap) return FACE_OK;
    /* Growing moves the block, which would invalidate live pointers. */
    if (ar->top != 0) return FACE_ERR_INTERNAL;
    /* Grow geometrically so a context warms up in a few steps. */
    size_t cap = ar->cap ? ar->cap : (size_t)1 << 20;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) return FACE_ERR_OUT_OF_MEMORY;
        cap *= 2;
    }
    uint8_t *nb = lf_calloc(ar->alloc, cap, LF_ALIGN);
    if (!nb) return FACE_ERR_OUT_OF_MEMORY;
    /* The old block is zero already (pop wipes), but free it wiped anyway in
     * case a caller wrote past its pushes. */
    lf_free_wipe(ar->alloc, ar->base, ar->cap);
    ar->base = nb;
    ar->cap = cap;
    ar->dirty = 0;
    return FACE_OK;
}

void *lf_arena_push_uninit(lf_arena *ar, size_t size)
{
    size_t start = (ar->top + (LF_ALIGN - 1)) & ~(size_t)(LF_ALIGN - 1);
    size_t end;
    if (!ar->base || !lf_add_size(start, size, &end) || end > ar->cap) return NULL;
    ar->top = end;
    if (end > ar->high_water) ar->high_water = end;
    return ar->base + start;
}

void *lf_arena_push(lf_arena *ar, size_t size)
{
    uint8_t *p = lf_arena_push_uninit(ar, size);
    /* Bytes above top are zero except where a release left them dirty. */
    if (p) {
        size_t start = (size_t)(p - ar->base);
        if (start < ar->dirty) {
            size_t end = start + size < ar->dirty ? start + size : ar->dirty;
            memset(p, 0, end - start);
        }
    }
    return p;
}

void lf_arena_pop_to(lf_arena *ar, size_t mark)
{
    size_t end = ar->top > ar->dirty ? ar->top : ar->dirty;
    if (mark < end) sodium_memzero(ar->base + mark, end - mark);
    if (mark < ar->top) ar->top = mark;
    /* Everything from mark up is clean now; below mark is live (or was
     * already counted), so dirty need not reach past it. */
    if (ar->dirty > mark) ar->dirty = mark;
}

void lf_arena_release_to(lf_arena *ar, size_t mark)
{
    if (mark >= ar->top) return;
    if (ar->top > ar->dirty) ar->dirty = ar->top;
    ar->top = mark;
}

void lf_arena_destroy(lf_arena *ar)
{
    if (!ar) return;
    lf_free_wipe(ar->alloc, ar->base, ar->cap);
    ar->base = NULL;
    ar->cap = ar->top = ar->dirty = 0;
}
