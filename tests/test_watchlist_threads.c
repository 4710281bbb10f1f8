/* Many readers and one writer on one handle (run under TSan by the
 * sanitizer job): searches - single, batch, with per-call threads - get,
 * list, count and saves run while a writer enrolls, removes, purges and
 * records alerts. Permanent entries are never touched by the writer, so
 * every search must keep finding them exactly. */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "test_watchlist_util.h"

enum { PERM = 64, CHURN = 120, READERS = 3 };

static face_watchlist *g_wl;
static face_template g_perm[PERM];
static atomic_int g_done;
static atomic_long g_searches;
static char g_dir[4096], g_path[4200], g_log[4200];

static void *reader(void *arg)
{
    int which = (int)(intptr_t)arg;
    uint64_t rng = 100 + (uint64_t)which;
    face_watchlist_search_options so;
    face_watchlist_search_options_init(&so);
    so.k = 3;
    so.threads = which == 0 ? 2 : 1; /* per-call workers under the shared lock */
    while (!atomic_load(&g_done)) {
        unsigned i = tu_rand(&rng) % PERM;
        face_watchlist_match m[3 * 4];
        size_t c[4];
        if (which == 2) {
            face_template batch[4] = {g_perm[i], g_perm[(i + 1) % PERM], g_perm[(i + 2) % PERM],
                                      g_perm[(i + 3) % PERM]};
            assert_int_equal(face_watchlist_search_batch(g_wl, batch, 4, &so, m, 12, c), FACE_OK);
        } else {
            assert_int_equal(face_watchlist_search(g_wl, &g_perm[i], &so, m, 3, c), FACE_OK);
        }
        assert_true(c[0] >= 1);
        assert_true(m[0].distance == 0.0f);
        char want[16];
        int n = snprintf(want, sizeof want, "perm-%u", i);
        assert_int_equal(m[0].id_len, n);
        assert_memory_equal(m[0].id, want, (size_t)n);
        face_watchlist_entry e;
        assert_int_equal(face_watchlist_get(g_wl, (const uint8_t *)want, (size_t)n, &e, NULL, 0), FACE_OK);
        size_t cnt, got;
        assert_int_equal(face_watchlist_count(g_wl, &cnt, NULL), FACE_OK);
        assert_true(cnt >= PERM);
        face_watchlist_entry page[8];
        assert_int_equal(face_watchlist_list(g_wl, tu_rand(&rng) % cnt, page, 8, &got), FACE_OK);
        atomic_fetch_add(&g_searches, 1);
    }
    return NULL;
}

static void *saver(void *arg)
{
    (void)arg;
    while (!atomic_load(&g_done)) {
        assert_int_equal(face_watchlist_save(g_wl, g_path), FACE_OK);
        face_audit_report rep;
        assert_int_equal(face_watchlist_audit_verify(g_wl, NULL, NULL, &rep), FACE_OK);
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static void test_readers_writer(void **s)
{
    (void)s;
    wt_mkdtemp(g_dir, sizeof g_dir);
    snprintf(g_path, sizeof g_path, "%s/w.fwl", g_dir);
    snprintf(g_log, sizeof g_log, "%s/audit.log", g_dir);
    face_watchlist_options o;
    wt_options(&o, FACE_WATCHLIST_FLOAT32);
    o.audit_path = g_log;
    face_watchlist_key k;
    wt_raw_key(&k);
    assert_int_equal(face_watchlist_create(&o, &k, &g_wl), FACE_OK);
    uint64_t rng = 1;
    for (unsigned i = 0; i < PERM; i++) {
        wt_template(&g_perm[i], &rng);
        char id[16];
        int n = snprintf(id, sizeof id, "perm-%u", i);
        assert_int_equal(face_watchlist_enroll(g_wl, (const uint8_t *)id, (size_t)n, NULL, &g_perm[i], 1, 0),
                         FACE_OK);
    }
    /* Enough rows that the threads=2 reader really starts a worker. */
    for (unsigned i = 0; i < 17000; i++) {
        face_template t;
        wt_template(&t, &rng);
        char id[16];
        int n = snprintf(id, sizeof id, "bulk-%u", i);
        assert_int_equal(face_watchlist_enroll(g_wl, (const uint8_t *)id, (size_t)n, NULL, &t, 1, 0), FACE_OK);
    }
    pthread_t r[READERS], sv;
    for (int i = 0; i < READERS; i++) assert_int_equal(pthread_create(&r[i], NULL, reader, (void *)(intptr_t)i), 0);
    assert_int_equal(pthread_create(&sv, NULL, saver, NULL), 0);
    for (unsigned i = 0; i < CHURN; i++) {
        /* Writers are preferred by the lock: pause so readers interleave. */
        struct timespec pause = {0, 2 * 1000 * 1000};
        nanosleep(&pause, NULL);
        face_template t[2];
        wt_template(&t[0], &rng);
        wt_template(&t[1], &rng);
        char id[16];
        int n = snprintf(id, sizeof id, "churn-%u", i);
        assert_int_equal(face_watchlist_enroll(g_wl, (const uint8_t *)id, (size_t)n, NULL, t, 2, i % 3 ? 0 : 1000),
                         FACE_OK);
        if (i % 2) {
            n = snprintf(id, sizeof id, "churn-%u", i - 1);
            face_status st = face_watchlist_remove(g_wl, (const uint8_t *)id, (size_t)n);
            assert_true(st == FACE_OK || st == FACE_ERR_NOT_FOUND);
            n = snprintf(id, sizeof id, "bulk-%u", i);
            assert_int_equal(face_watchlist_remove(g_wl, (const uint8_t *)id, (size_t)n), FACE_OK);
        }
        if (i % 40 == 39) {
            size_t removed;
            assert_int_equal(face_watchlist_purge_expired(g_wl, 2000, &removed), FACE_OK);
            assert_int_equal(face_watchlist_audit_alert(g_wl, (const uint8_t *)"perm-1", 6, "cam"), FACE_OK);
        }
    }
    for (int wait = 0; wait < 2000 && atomic_load(&g_searches) < 300; wait++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    atomic_store(&g_done, 1);
    for (int i = 0; i < READERS; i++) pthread_join(r[i], NULL);
    pthread_join(sv, NULL);
    fprintf(stderr, "%ld reader iterations alongside %d writes\n", atomic_load(&g_searches), CHURN);
    assert_true(atomic_load(&g_searches) >= 300);
    face_audit_report rep;
    assert_int_equal(face_watchlist_audit_verify(g_wl, NULL, NULL, &rep), FACE_OK);
    face_watchlist_close(g_wl);
    wt_rmdir(g_dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_readers_writer)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
