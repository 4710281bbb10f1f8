/* Base layer: allocator resolution, size arithmetic, the scratch arena's
 * wipe contract (planted markers must be gone), the thread pool, errors. */
#include <stdatomic.h>

#include "base/base.h"
#include "testutil.h"

static const uint8_t MARK = 0xA5;

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

typedef struct counting {
    long allocs, frees;
    size_t last_size;
} counting;

static void *c_alloc(void *o, size_t size, size_t align)
{
    counting *c = o;
    void *p = NULL;
    if (posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size)) return NULL;
    c->allocs++;
    return p;
}

static void c_free(void *o, void *p, size_t size)
{
    counting *c = o;
    c->frees++;
    c->last_size = size;
    free(p);
}

static void test_allocator_resolve(void **state)
{
    (void)state;
    lf_allocator a;
    assert_int_equal(lf_allocator_resolve(&a, NULL), FACE_OK);
    void *p = lf_alloc(&a, 100, 64);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 64, 0);
    lf_free(&a, p, 100);
    assert_null(lf_alloc(&a, 0, 64));
    assert_null(lf_alloc(&a, 10, 3));    /* not a power of two */
    assert_null(lf_alloc(&a, 10, 8192)); /* above the documented maximum */

    counting c = {0};
    face_allocator hook = {sizeof hook, 0, c_alloc, c_free, &c};
    assert_int_equal(lf_allocator_resolve(&a, &hook), FACE_OK);
    p = lf_calloc(&a, 33, 16);
    assert_non_null(p);
    assert_true(all_zero(p, 33));
    memset(p, MARK, 33);
    lf_free_wipe(&a, p, 33);
    assert_int_equal(c.allocs, 1);
    assert_int_equal(c.frees, 1);
    assert_int_equal(c.last_size, 33);

    face_allocator half = hook;
    half.free = NULL;
    assert_int_equal(lf_allocator_resolve(&a, &half), FACE_ERR_INVALID_ARGUMENT);
    face_allocator old = hook;
    old.struct_size = 8;
    assert_int_equal(lf_allocator_resolve(&a, &old), FACE_ERR_INVALID_ARGUMENT);
}

static void test_size_arithmetic(void **state)
{
    (void)state;
    size_t r;
    assert_true(lf_mul_size(3, 5, &r) && r == 15);
    assert_false(lf_mul_size(SIZE_MAX / 2 + 1, 2, &r));
    assert_true(lf_mul_size(0, SIZE_MAX, &r) && r == 0);
    assert_true(lf_add_size(SIZE_MAX - 1, 1, &r) && r == SIZE_MAX);
    assert_false(lf_add_size(SIZE_MAX, 1, &r));
}

static void test_arena_wipes_on_pop(void **state)
{
    (void)state;
    lf_allocator a;
    lf_allocator_resolve(&a, NULL);
    lf_arena ar;
    lf_arena_init(&ar, &a);
    assert_null(lf_arena_push(&ar, 16)); /* nothing reserved yet */
    assert_int_equal(lf_arena_reserve(&ar, 4096), FACE_OK);
    size_t m0 = lf_arena_mark(&ar);
    uint8_t *p = lf_arena_push(&ar, 1000);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % LF_ALIGN, 0);
    assert_true(all_zero(p, 1000));
    memset(p, MARK, 1000);
    size_t m1 = lf_arena_mark(&ar);
    uint8_t *q = lf_arena_push(&ar, 500);
    memset(q, MARK, 500);
    lf_arena_pop_to(&ar, m1);
    assert_true(all_zero(q, 500));      /* the marker is gone */
    assert_int_equal(p[999], MARK);     /* below the mark stays */
    lf_arena_pop_to(&ar, m0);
    assert_true(all_zero(ar.base, ar.cap));
    /* Growing is only allowed when nothing is live. */
    p = lf_arena_push(&ar, 10);
    assert_int_equal(lf_arena_reserve(&ar, (size_t)1 << 24), FACE_ERR_INTERNAL);
    lf_arena_pop_to(&ar, 0);
    assert_int_equal(lf_arena_reserve(&ar, (size_t)1 << 24), FACE_OK);
    assert_true(ar.cap >= ((size_t)1 << 24));
    assert_int_equal(lf_arena_reserve(&ar, SIZE_MAX - 8), FACE_ERR_OUT_OF_MEMORY);
    assert_null(lf_arena_push(&ar, SIZE_MAX - 8));
    lf_arena_destroy(&ar);
    assert_null(ar.base);
}

static void test_arena_release_stays_dirty_until_pop(void **state)
{
    (void)state;
    lf_allocator a;
    lf_allocator_resolve(&a, NULL);
    lf_arena ar;
    lf_arena_init(&ar, &a);
    assert_int_equal(lf_arena_reserve(&ar, 1 << 16), FACE_OK);
    size_t m0 = lf_arena_mark(&ar);
    uint8_t *cols = lf_arena_push_uninit(&ar, 4000);
    memset(cols, MARK, 4000);
    lf_arena_release_to(&ar, m0);
    assert_int_equal(cols[10], MARK); /* released, not yet wiped */
    /* A zeroed push over dirty bytes must still come back zero. */
    uint8_t *act = lf_arena_push(&ar, 1000);
    assert_ptr_equal(act, cols);
    assert_true(all_zero(act, 1000));
    size_t m1 = lf_arena_mark(&ar);
    /* The uninitialised variant may hand the dirty bytes back as they are. */
    uint8_t *more = lf_arena_push_uninit(&ar, 100);
    assert_non_null(more);
    (void)m1;
    /* The public call's final pop wipes everything, dirty bytes included. */
    lf_arena_pop_to(&ar, 0);
    assert_true(all_zero(ar.base, ar.cap));
    assert_int_equal(ar.dirty, 0);
    lf_arena_destroy(&ar);
}

static atomic_int g_hits[1000];

static void count_task(void *arg, int i)
{
    (void)arg;
    atomic_fetch_add(&g_hits[i], 1);
}

static void test_pool_runs_every_item_once(void **state)
{
    (void)state;
    lf_allocator a;
    lf_allocator_resolve(&a, NULL);
    for (int threads = 1; threads <= 4; threads++) {
        lf_pool *pool = NULL;
        assert_int_equal(lf_pool_create(&a, threads, &pool), FACE_OK);
        assert_int_equal(lf_pool_threads(pool), threads);
        for (int round = 0; round < 20; round++) {
            int n = 1 + round * 37 % 1000;
            for (int i = 0; i < 1000; i++) atomic_store(&g_hits[i], 0);
            lf_pool_run(pool, n, count_task, NULL);
            for (int i = 0; i < 1000; i++) assert_int_equal(atomic_load(&g_hits[i]), i < n);
        }
        lf_pool_destroy(pool);
    }
    lf_pool *pool = NULL;
    assert_int_equal(lf_pool_create(&a, 0, &pool), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_pool_create(&a, 65, &pool), FACE_ERR_INVALID_ARGUMENT);
    lf_pool_destroy(NULL);
}

static void test_errors(void **state)
{
    (void)state;
    lf_error e;
    assert_int_equal(lf_fail(&e, FACE_ERR_LIMIT, "f", "x=%d", 7), FACE_ERR_LIMIT);
    assert_string_equal(e.msg, "f(): x=7");
    char big[600];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = 0;
    LF_FAIL(&e, FACE_ERR_IO, "%s", big); /* truncated, never overflows */
    assert_int_equal(strlen(e.msg), LF_ERR_MAX - 1);
    assert_int_equal(lf_fail(NULL, FACE_ERR_IO, "f", "ignored"), FACE_ERR_IO);
    lf_error_clear(&e);
    assert_string_equal(e.msg, "");
}

static void test_little_endian(void **state)
{
    (void)state;
    uint8_t b[8];
    lf_wr32(b, 0x11223344u);
    assert_int_equal(b[0], 0x44);
    assert_int_equal(lf_rd32(b), 0x11223344u);
    lf_wr64(b, 0x0102030405060708ull);
    assert_int_equal(b[0], 8);
    assert_true(lf_rd64(b) == 0x0102030405060708ull);
    lf_wrf32(b, 1.5f);
    assert_true(lf_rdf32(b) == 1.5f);
    assert_int_equal(lf_rd32(b), 0x3fc00000u);
}

static void test_hash_known_answer(void **state)
{
    (void)state;
    /* BLAKE2b-256("abc"), from RFC 7693's reference implementation. */
    static const uint8_t want[4] = {0xbd, 0xdd, 0x81, 0x3c};
    lf_hash h;
    uint8_t out[32];
    lf_hash_init(&h, 32);
    lf_hash_update(&h, "a", 1);
    lf_hash_update(&h, "bc", 2);
    lf_hash_final(&h, out, 32);
    assert_memory_equal(out, want, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allocator_resolve),
        cmocka_unit_test(test_size_arithmetic),
        cmocka_unit_test(test_arena_wipes_on_pop),
        cmocka_unit_test(test_arena_release_stays_dirty_until_pop),
        cmocka_unit_test(test_pool_runs_every_item_once),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_little_endian),
        cmocka_unit_test(test_hash_known_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
