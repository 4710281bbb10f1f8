/* Exhaustive tamper loop over a small sealed file: every single-byte change,
 * every truncation and appended bytes must get FACE_ERR_AUTH or a format
 * error (FACE_ERR_CORRUPT, FACE_ERR_UNSUPPORTED_VERSION) - never success,
 * never a crash, never a handle. A raw key keeps each open cheap. */
#include "test_watchlist_util.h"

static char g_dir[4096], g_path[4200], g_bad[4200];
static int g_auth, g_corrupt, g_version;

static face_watchlist *make(unsigned n, int storage)
{
    face_watchlist_options o;
    wt_options(&o, storage);
    face_watchlist_key k;
    wt_raw_key(&k);
    face_watchlist *wl = NULL;
    assert_int_equal(face_watchlist_create(&o, &k, &wl), FACE_OK);
    uint64_t rng = 31;
    for (unsigned i = 0; i < n; i++) {
        face_template t[2];
        wt_template(&t[0], &rng);
        wt_template(&t[1], &rng);
        uint8_t id[64];
        size_t idl;
        wt_id(id, &idl, i);
        assert_int_equal(face_watchlist_enroll(wl, id, idl, "suspect", t, 1 + i % 2, i ? 0 : 4102444800LL),
                         FACE_OK);
    }
    return wl;
}

/* Open must fail with an allowed code and return no handle. */
static void expect_reject(const uint8_t *b, size_t n)
{
    wt_write_file(g_bad, b, n);
    face_watchlist_key k;
    wt_raw_key(&k);
    face_watchlist *wl = (face_watchlist *)&k; /* must be reset to NULL */
    face_status st = face_watchlist_open(g_bad, &k, NULL, &wl);
    if (st == FACE_ERR_AUTH) g_auth++;
    else if (st == FACE_ERR_CORRUPT) g_corrupt++;
    else if (st == FACE_ERR_UNSUPPORTED_VERSION) g_version++;
    else fail_msg("tampered file (%zu bytes) opened with status %d", n, st);
    assert_null(wl);
}

static void sanity_open(const char *path)
{
    face_watchlist_key k;
    wt_raw_key(&k);
    face_watchlist *wl = NULL;
    assert_int_equal(face_watchlist_open(path, &k, NULL, &wl), FACE_OK);
    face_watchlist_close(wl);
}

static void exhaustive(int storage)
{
    face_watchlist *wl = make(2, storage);
    assert_int_equal(face_watchlist_save(wl, g_path), FACE_OK);
    face_watchlist_close(wl);
    size_t n = 0;
    uint8_t *orig = tu_read_file(g_path, &n);
    assert_non_null(orig);
    uint8_t *b = malloc(n + 4096);
    g_auth = g_corrupt = g_version = 0;
    const uint8_t flips[] = {0x01, 0x80, 0xff};
    for (size_t i = 0; i < n; i++)
        for (size_t f = 0; f < sizeof flips; f++) {
            memcpy(b, orig, n);
            b[i] ^= flips[f];
            expect_reject(b, n);
        }
    for (size_t len = 0; len < n; len++) expect_reject(orig, len);
    uint64_t rng = 9;
    const size_t extra[] = {1, 2, 16, 17, 18, 100, 4096};
    for (size_t e = 0; e < sizeof extra / sizeof extra[0]; e++) {
        memcpy(b, orig, n);
        memset(b + n, 0, extra[e]);
        expect_reject(b, n + extra[e]);
        for (size_t j = 0; j < extra[e]; j++) b[n + j] = (uint8_t)tu_rand(&rng);
        expect_reject(b, n + extra[e]);
    }
    /* The untouched file still opens: the loop did test something real. */
    wt_write_file(g_bad, orig, n);
    sanity_open(g_bad);
    fprintf(stderr, "storage %d, %zu-byte file: %d auth, %d corrupt, %d version rejections\n", storage,
            n, g_auth, g_corrupt, g_version);
    assert_true(g_auth > 0 && g_corrupt > 0 && g_version > 0);
    free(b);
    free(orig);
}

static void test_exhaustive_f32(void **s)
{
    (void)s;
    exhaustive(FACE_WATCHLIST_FLOAT32);
}

static void test_exhaustive_i8(void **s)
{
    (void)s;
    exhaustive(FACE_WATCHLIST_INT8);
}

/* Several 64 KiB chunks: reordered, dropped or duplicated chunks, and a
 * sample of flips across the whole file. */
static void test_chunks(void **s)
{
    (void)s;
    face_watchlist *wl = make(300, FACE_WATCHLIST_FLOAT32);
    assert_int_equal(face_watchlist_save(wl, g_path), FACE_OK);
    face_watchlist_close(wl);
    size_t n = 0;
    uint8_t *orig = tu_read_file(g_path, &n);
    assert_non_null(orig);
    const size_t H = 136, C = 65536 + 17;
    assert_true(n > H + 2 * C);
    uint8_t *b = malloc(n + C);
    /* swap chunks 0 and 1 */
    memcpy(b, orig, n);
    memcpy(b + H, orig + H + C, C);
    memcpy(b + H + C, orig + H, C);
    expect_reject(b, n);
    /* drop chunk 1 */
    memcpy(b, orig, H + C);
    memcpy(b + H + C, orig + H + 2 * C, n - H - 2 * C);
    expect_reject(b, n - C);
    /* duplicate chunk 1 */
    memcpy(b, orig, H + 2 * C);
    memcpy(b + H + 2 * C, orig + H + C, n - H - C);
    expect_reject(b, n + C);
    for (size_t i = 0; i < n; i += 211) {
        memcpy(b, orig, n);
        b[i] ^= 0x10;
        expect_reject(b, n);
    }
    for (size_t len = 0; len < n; len += 997) expect_reject(orig, len);
    free(b);
    free(orig);
    sanity_open(g_path);
}

static int setup(void **state)
{
    (void)state;
    wt_mkdtemp(g_dir, sizeof g_dir);
    snprintf(g_path, sizeof g_path, "%s/w.fwl", g_dir);
    snprintf(g_bad, sizeof g_bad, "%s/bad.fwl", g_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    wt_rmdir(g_dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exhaustive_f32),
        cmocka_unit_test(test_exhaustive_i8),
        cmocka_unit_test(test_chunks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
