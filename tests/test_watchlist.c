#define _GNU_SOURCE /* memmem */
/* Watchlist: round trip, keys, bad arguments, model check, expiry, removal,
 * audit log tamper detection, destroy, and the allocator wipe check. */
#include <fcntl.h>
#include <sys/stat.h>

#include <sodium.h>

#include "test_watchlist_util.h"
#include "watchlist/watchlist_internal.h"

static char g_dir[4096];

static int setup(void **state)
{
    (void)state;
    wt_mkdtemp(g_dir, sizeof g_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    wt_rmdir(g_dir);
    return 0;
}

static void path_in(char *out, const char *name)
{
    snprintf(out, 4200, "%s/%s", g_dir, name);
}

/* Enroll n identities; identity i has 1 + i % 3 templates. */
static void fill(face_watchlist *wl, unsigned n, uint64_t seed, face_template *first_templates)
{
    uint64_t rng = seed;
    for (unsigned i = 0; i < n; i++) {
        face_template t[3];
        unsigned nt = 1 + i % 3;
        for (unsigned k = 0; k < nt; k++) wt_template(&t[k], &rng);
        if (first_templates) first_templates[i] = t[0];
        uint8_t id[64];
        size_t idl;
        wt_id(id, &idl, i);
        char label[64];
        snprintf(label, sizeof label, "label %u", i);
        assert_int_equal(face_watchlist_enroll(wl, id, idl, label, t, nt, i % 5 ? 0 : 4000000000LL + i),
                         FACE_OK);
    }
}

static face_watchlist *make(int storage, const char *audit, const uint8_t *sk)
{
    face_watchlist_options o;
    wt_options(&o, storage);
    o.audit_path = audit;
    o.audit_sign_key = sk;
    face_watchlist_key k;
    wt_raw_key(&k);
    face_watchlist *wl = NULL;
    assert_int_equal(face_watchlist_create(&o, &k, &wl), FACE_OK);
    assert_non_null(wl);
    return wl;
}

static face_watchlist *reopen(const char *path, int *status)
{
    face_watchlist_key k;
    wt_raw_key(&k);
    face_watchlist *wl = NULL;
    *status = face_watchlist_open(path, &k, NULL, &wl);
    return wl;
}

/* ------------------------------------------------------------- round trip */

static void check_same(face_watchlist *a, face_watchlist *b, int storage)
{
    size_t na, ta, nb, tb;
    assert_int_equal(face_watchlist_count(a, &na, &ta), FACE_OK);
    assert_int_equal(face_watchlist_count(b, &nb, &tb), FACE_OK);
    assert_int_equal(na, nb);
    assert_int_equal(ta, tb);
    face_watchlist_entry *ea = calloc(na, sizeof *ea);
    size_t got;
    assert_int_equal(face_watchlist_list(a, 0, ea, na, &got), FACE_OK);
    assert_int_equal(got, na);
    for (size_t i = 0; i < na; i++) {
        face_watchlist_entry x, y;
        face_template tx[FACE_WATCHLIST_MAX_TEMPLATES_PER_ENTRY], ty[FACE_WATCHLIST_MAX_TEMPLATES_PER_ENTRY];
        assert_int_equal(face_watchlist_get(a, ea[i].id, ea[i].id_len, &x, tx, 64), FACE_OK);
        assert_int_equal(face_watchlist_get(b, ea[i].id, ea[i].id_len, &y, ty, 64), FACE_OK);
        assert_memory_equal(&x, &y, sizeof x);
        /* Storage is lossless in both modes: int8 files keep the codes. */
        assert_memory_equal(tx, ty, x.template_count * sizeof(face_template));
    }
    (void)storage;
    free(ea);
}

static void round_trip(int storage)
{
    char path[4200];
    path_in(path, storage == FACE_WATCHLIST_INT8 ? "rt8.fwl" : "rt.fwl");
    face_watchlist *wl = make(storage, NULL, NULL);
    face_template firsts[50];
    fill(wl, 50, 42, firsts);
    assert_int_equal(face_watchlist_save(wl, path), FACE_OK);
    int st;
    face_watchlist *b = reopen(path, &st);
    assert_int_equal(st, FACE_OK);
    check_same(wl, b, storage);

    /* Same search answers before and after. */
    face_watchlist_search_options so;
    face_watchlist_search_options_init(&so);
    so.k = 5;
    for (int i = 0; i < 10; i++) {
        face_watchlist_match ma[5], mb[5];
        size_t ca, cb;
        assert_int_equal(face_watchlist_search(wl, &firsts[i], &so, ma, 5, &ca), FACE_OK);
        assert_int_equal(face_watchlist_search(b, &firsts[i], &so, mb, 5, &cb), FACE_OK);
        assert_int_equal(ca, 5);
        assert_int_equal(ca, cb);
        assert_memory_equal(ma, mb, ca * sizeof ma[0]);
        uint8_t id[64];
        size_t idl;
        wt_id(id, &idl, (unsigned)i);
        assert_int_equal(ma[0].id_len, idl);
        assert_memory_equal(ma[0].id, id, idl);
        if (storage == FACE_WATCHLIST_FLOAT32) assert_true(ma[0].distance == 0.0f);
        else assert_true(ma[0].distance < 0.02f);
        assert_int_equal(ma[0].template_index, 0);
    }
    /* Save again to the handle's own path, after a change. */
    uint8_t id[64];
    size_t idl;
    wt_id(id, &idl, 3);
    assert_int_equal(face_watchlist_remove(b, id, idl), FACE_OK);
    assert_int_equal(face_watchlist_save(b, NULL), FACE_OK);
    face_watchlist *c = reopen(path, &st);
    assert_int_equal(st, FACE_OK);
    check_same(b, c, storage);
    face_watchlist_entry e;
    assert_int_equal(face_watchlist_get(c, id, idl, &e, NULL, 0), FACE_ERR_NOT_FOUND);

    face_watchlist_file_info info = {.struct_size = sizeof info};
    assert_int_equal(face_watchlist_peek(path, &info), FACE_OK);
    assert_int_equal(info.format_version, 1);
    assert_int_equal(info.key_kind, FACE_WATCHLIST_KEY_RAW);
    assert_int_equal(info.storage, storage);
    assert_int_equal(info.entry_count, 49);
    assert_memory_equal(info.fingerprint, WT_FP, 16);
    face_watchlist_close(wl);
    face_watchlist_close(b);
    face_watchlist_close(c);
}

static void test_round_trip_f32(void **s)
{
    (void)s;
    round_trip(FACE_WATCHLIST_FLOAT32);
}

static void test_round_trip_i8(void **s)
{
    (void)s;
    round_trip(FACE_WATCHLIST_INT8);
}

static void test_empty_round_trip(void **s)
{
    (void)s;
    char path[4200];
    path_in(path, "empty.fwl");
    face_watchlist *wl = make(FACE_WATCHLIST_FLOAT32, NULL, NULL);
    assert_int_equal(face_watchlist_save(wl, path), FACE_OK);
    int st;
    face_watchlist *b = reopen(path, &st);
    assert_int_equal(st, FACE_OK);
    size_t n = 9, t = 9;
    assert_int_equal(face_watchlist_count(b, &n, &t), FACE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(t, 0);
    uint64_t rng = 5;
    face_template p;
    wt_template(&p, &rng);
    face_watchlist_match m;
    size_t c = 9;
    assert_int_equal(face_watchlist_search(b, &p, NULL, &m, 1, &c), FACE_OK);
    assert_int_equal(c, 0);
    face_watchlist_close(wl);
    face_watchlist_close(b);
}

/* A watchlist larger than one 64 KiB chunk. */
static void test_multi_chunk(void **s)
{
    (void)s;
    char path[4200];
    path_in(path, "big.fwl");
    face_watchlist *wl = make(FACE_WATCHLIST_FLOAT32, NULL, NULL);
    fill(wl, 700, 7, NULL);
    assert_int_equal(face_watchlist_save(wl, path), FACE_OK);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size > 3 * 65536);
    int st;
    face_watchlist *b = reopen(path, &st);
    assert_int_equal(st, FACE_OK);
    check_same(wl, b, FACE_WATCHLIST_FLOAT32);
    face_watchlist_close(wl);
    face_watchlist_close(b);
}

/* ------------------------------------------------------------- keys */

static void test_wrong_key(void **s)
{
    (void)s;
    char path[4200];
    path_in(path, "key.fwl");
    face_watchlist *wl = make(FACE_WATCHLIST_FLOAT32, NULL, NULL);
    fill(wl, 5, 1, NULL);
    assert_int_equal(face_watchlist_save(wl, path), FACE_OK);
    face_watchlist_close(wl);

    uint8_t other[32];
    memcpy(other, WT_KEY, 32);
    for (int bit = 0; bit < 256; bit += 37) {
        other[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        face_watchlist_key k;
        face_watchlist_key_raw(&k, other);
        face_watchlist *b = (face_watchlist *)1;
        assert_int_equal(face_watchlist_open(path, &k, NULL, &b), FACE_ERR_AUTH);
        assert_null(b);
        memcpy(other, WT_KEY, 32);
    }
    face_watchlist_key pk;
    face_watchlist_key_passphrase(&pk, "secret", 6);
    face_watchlist *b = NULL;
    assert_int_equal(face_watchlist_open(path, &pk, NULL, &b), FACE_ERR_AUTH);
    assert_null(b);
}

static void test_passphrase(void **s)
{
    (void)s;
    char path[4200];
    path_in(path, "pass.fwl");
    face_watchlist_options o;
    wt_options(&o, FACE_WATCHLIST_FLOAT32);
    face_watchlist_key k;
    face_watchlist_key_passphrase(&k, "correct horse", 13);
    /* Cheap parameters keep the test fast; the bounds are what matter. */
    k.opslimit = 1;
    k.memlimit = 1u << 20;
    uint8_t kid[16] = "hsm-slot-7";
    k.key_id = kid;
    face_watchlist *wl = NULL;
    assert_int_equal(face_watchlist_create(&o, &k, &wl), FACE_OK);
    fill(wl, 4, 3, NULL);
    assert_int_equal(face_watchlist_save(wl, path), FACE_OK);
    face_watchlist_close(wl);

    face_watchlist_file_info info = {.struct_size = sizeof info};
    assert_int_equal(face_watchlist_peek(path, &info), FACE_OK);
    assert_int_equal(info.key_kind, FACE_WATCHLIST_KEY_PASSPHRASE);
    assert_int_equal(info.opslimit, 1);
    assert_int_equal(info.memlimit, 1u << 20);
    assert_memory_equal(info.key_id, kid, 16);

    face_watchlist *b = NULL;
    assert_int_equal(face_watchlist_open(path, &k, NULL, &b), FACE_OK);
    size_t n = 0;
    assert_int_equal(face_watchlist_count(b, &n, NULL), FACE_OK);
    assert_int_equal(n, 4);
    /* A save keeps the salt and cost: the same passphrase opens it again. */
    assert_int_equal(face_watchlist_save(b, NULL), FACE_OK);
    face_watchlist_close(b);
    b = NULL;
    assert_int_equal(face_watchlist_open(path, &k, NULL, &b), FACE_OK);
    face_watchlist_close(b);

    face_watchlist_key bad;
    face_watchlist_key_passphrase(&bad, "correct horsE", 13);
    b = NULL;
    assert_int_equal(face_watchlist_open(path, &bad, NULL, &b), FACE_ERR_AUTH);
    face_watchlist_key raw;
    wt_raw_key(&raw);
    assert_int_equal(face_watchlist_open(path, &raw, NULL, &b), FACE_ERR_AUTH);

    /* Bounds at create. */
    face_watchlist_key big;
    face_watchlist_key_passphrase(&big, "x", 1);
    big.memlimit = (uint64_t)FACE_WATCHLIST_KDF_MEMLIMIT_MAX * 2;
    assert_int_equal(face_watchlist_create(&o, &big, &wl), FACE_ERR_LIMIT);
    big.memlimit = FACE_WATCHLIST_KDF_MEMLIMIT_MAX;
    big.opslimit = FACE_WATCHLIST_KDF_OPSLIMIT_MAX; /* 10 GiB-passes > work bound */
    assert_int_equal(face_watchlist_create(&o, &big, &wl), FACE_ERR_LIMIT);
    big.opslimit = FACE_WATCHLIST_KDF_OPSLIMIT_MAX + 1;
    big.memlimit = 1u << 20;
    assert_int_equal(face_watchlist_create(&o, &big, &wl), FACE_ERR_LIMIT);

    /* A forged header demanding more: refused before the KDF runs (this
     * would otherwise take minutes and 2^40 bytes). */
    size_t len = 0;
    uint8_t *f = tu_read_file(path, &len);
    assert_non_null(f);
    uint64_t huge = 1ull << 40;
    for (int i = 0; i < 8; i++) f[32 + i] = (uint8_t)(huge >> (8 * i));
    char forged[4200];
    path_in(forged, "forged.fwl");
    wt_write_file(forged, f, len);
    assert_int_equal(face_watchlist_open(forged, &k, NULL, &b), FACE_ERR_CORRUPT);
    for (int i = 0; i < 8; i++) f[32 + i] = (uint8_t)((1ull << 20) >> (8 * i)); /* back to 1 MiB */
    f[24] = 200; /* 200 passes */
    wt_write_file(forged, f, len);
    assert_int_equal(face_watchlist_open(forged, &k, NULL, &b), FACE_ERR_CORRUPT);
    free(f);
}

/* ------------------------------------------------------------- arguments */

static void test_bad_arguments(void **s)
{
    (void)s;
    face_watchlist_options o;
    wt_options(&o, FACE_WATCHLIST_FLOAT32);
    face_watchlist_key k;
    wt_raw_key(&k);
    face_watchlist *wl = NULL;
    assert_int_equal(face_watchlist_create(NULL, &k, &wl), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_create(&o, NULL, &wl), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_create(&o, &k, NULL), FACE_ERR_INVALID_ARGUMENT);
    o.struct_size = 8;
    assert_int_equal(face_watchlist_create(&o, &k, &wl), FACE_ERR_INVALID_ARGUMENT);
    wt_options(&o, 3);
    assert_int_equal(face_watchlist_create(&o, &k, &wl), FACE_ERR_INVALID_ARGUMENT);
    wt_options(&o, FACE_WATCHLIST_FLOAT32);
    face_watchlist_key kb = k;
    kb.raw = NULL;
    assert_int_equal(face_watchlist_create(&o, &kb, &wl), FACE_ERR_INVALID_ARGUMENT);
    kb = k;
    kb.kind = 9;
    assert_int_equal(face_watchlist_create(&o, &kb, &wl), FACE_ERR_INVALID_ARGUMENT);
    face_watchlist_key_passphrase(&kb, "", 0);
    assert_int_equal(face_watchlist_create(&o, &kb, &wl), FACE_ERR_INVALID_ARGUMENT);
    assert_null(wl);
    assert_int_equal(face_watchlist_open(NULL, &k, NULL, &wl), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_open("/nonexistent/x.fwl", &k, NULL, &wl), FACE_ERR_IO);
    assert_int_equal(face_watchlist_open(g_dir, &k, NULL, &wl), FACE_ERR_IO); /* a directory */

    wl = make(FACE_WATCHLIST_FLOAT32, NULL, NULL);
    uint64_t rng = 11;
    face_template t[FACE_WATCHLIST_MAX_TEMPLATES_PER_ENTRY + 1];
    for (int i = 0; i <= FACE_WATCHLIST_MAX_TEMPLATES_PER_ENTRY; i++) wt_template(&t[i], &rng);
    uint8_t id[FACE_WATCHLIST_ID_MAX + 1];
    memset(id, 'a', sizeof id);
    assert_int_equal(face_watchlist_enroll(NULL, id, 3, NULL, t, 1, 0), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_enroll(wl, NULL, 3, NULL, t, 1, 0), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_enroll(wl, id, 0, NULL, t, 1, 0), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_enroll(wl, id, 65, NULL, t, 1, 0), FACE_ERR_LIMIT);
    assert_int_equal(face_watchlist_enroll(wl, id, 3, NULL, NULL, 1, 0), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_enroll(wl, id, 3, NULL, t, 0, 0), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_enroll(wl, id, 3, NULL, t, 65, 0), FACE_ERR_LIMIT);
    assert_int_equal(face_watchlist_enroll(wl, id, 3, NULL, t, 1, -5), FACE_ERR_INVALID_ARGUMENT);
    char label[300];
    memset(label, 'L', sizeof label);
    label[256] = '\0';
    assert_int_equal(face_watchlist_enroll(wl, id, 3, label, t, 1, 0), FACE_ERR_LIMIT);
    label[255] = '\0';
    face_template bad = t[0];
    bad.dim = 127;
    assert_int_equal(face_watchlist_enroll(wl, id, 3, NULL, &bad, 1, 0), FACE_ERR_INVALID_ARGUMENT);
    bad = t[0];
    bad.version = 2;
    assert_int_equal(face_watchlist_enroll(wl, id, 3, NULL, &bad, 1, 0), FACE_ERR_INVALID_ARGUMENT);
    bad = t[0];
    bad.struct_size = 12;
    assert_int_equal(face_watchlist_enroll(wl, id, 3, NULL, &bad, 1, 0), FACE_ERR_INVALID_ARGUMENT);
    bad = t[0];
    bad.values[77] = NAN;
    assert_int_equal(face_watchlist_enroll(wl, id, 3, NULL, &bad, 1, 0), FACE_ERR_INVALID_ARGUMENT);
    bad.values[77] = INFINITY;
    assert_int_equal(face_watchlist_enroll(wl, id, 3, NULL, &bad, 1, 0), FACE_ERR_INVALID_ARGUMENT);
    size_t n = 9;
    assert_int_equal(face_watchlist_count(wl, &n, NULL), FACE_OK);
    assert_int_equal(n, 0); /* nothing half-enrolled */

    /* The largest id and label are fine; a duplicate is not. */
    assert_int_equal(face_watchlist_enroll(wl, id, 64, label, t, 64, 0), FACE_OK);
    assert_int_equal(face_watchlist_enroll(wl, id, 64, NULL, t, 1, 0), FACE_ERR_EXISTS);
    assert_int_equal(face_watchlist_enroll(wl, id, 63, NULL, t, 1, 0), FACE_OK);
    /* Ids are bytes, not strings: embedded NULs are distinct ids. */
    uint8_t z1[3] = {0, 0, 1}, z2[3] = {0, 0, 2};
    assert_int_equal(face_watchlist_enroll(wl, z1, 3, NULL, t, 1, 0), FACE_OK);
    assert_int_equal(face_watchlist_enroll(wl, z2, 3, NULL, t, 1, 0), FACE_OK);
    size_t nt;
    assert_int_equal(face_watchlist_count(wl, &n, &nt), FACE_OK);
    assert_int_equal(n, 4);
    assert_int_equal(nt, 67);

    face_watchlist_entry e;
    face_template out[64];
    assert_int_equal(face_watchlist_get(wl, id, 64, &e, out, 63), FACE_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(e.template_count, 64);
    assert_int_equal(face_watchlist_get(wl, id, 64, &e, out, 64), FACE_OK);
    assert_string_equal(e.label, label);
    assert_memory_equal(out[63].values, t[63].values, sizeof t[63].values);
    assert_int_equal(face_watchlist_get(wl, id, 65, &e, NULL, 0), FACE_ERR_NOT_FOUND);
    assert_int_equal(face_watchlist_get(wl, id, 5, &e, NULL, 0), FACE_ERR_NOT_FOUND);
    assert_int_equal(face_watchlist_get(wl, NULL, 5, &e, NULL, 0), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_get(wl, id, 5, NULL, NULL, 0), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_remove(wl, id, 5), FACE_ERR_NOT_FOUND);
    assert_int_equal(face_watchlist_remove(wl, NULL, 5), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_remove(wl, id, 0), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_list(wl, 0, NULL, 1, &n), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_list(wl, 0, NULL, 0, NULL), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_count(NULL, &n, NULL), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_purge_expired(NULL, 0, NULL), FACE_ERR_INVALID_ARGUMENT);

    /* Search arguments. */
    face_watchlist_search_options so;
    face_watchlist_search_options_init(&so);
    face_watchlist_match m[4];
    size_t c;
    assert_int_equal(face_watchlist_search(NULL, &t[0], &so, m, 4, &c), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_search(wl, NULL, &so, m, 4, &c), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_search(wl, &t[0], &so, NULL, 4, &c), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_search(wl, &t[0], &so, m, 4, NULL), FACE_ERR_INVALID_ARGUMENT);
    so.k = 0;
    assert_int_equal(face_watchlist_search(wl, &t[0], &so, m, 4, &c), FACE_ERR_INVALID_ARGUMENT);
    so.k = FACE_WATCHLIST_MAX_K + 1;
    assert_int_equal(face_watchlist_search(wl, &t[0], &so, m, 4, &c), FACE_ERR_INVALID_ARGUMENT);
    so.k = 5;
    assert_int_equal(face_watchlist_search(wl, &t[0], &so, m, 4, &c), FACE_ERR_BUFFER_TOO_SMALL);
    so.k = 1;
    so.threshold = NAN;
    assert_int_equal(face_watchlist_search(wl, &t[0], &so, m, 4, &c), FACE_ERR_INVALID_ARGUMENT);
    so.threshold = -1.0f;
    assert_int_equal(face_watchlist_search(wl, &t[0], &so, m, 4, &c), FACE_ERR_INVALID_ARGUMENT);
    so.threshold = INFINITY;
    so.threads = 0;
    assert_int_equal(face_watchlist_search(wl, &t[0], &so, m, 4, &c), FACE_ERR_INVALID_ARGUMENT);
    so.threads = FACE_WATCHLIST_MAX_THREADS + 1;
    assert_int_equal(face_watchlist_search(wl, &t[0], &so, m, 4, &c), FACE_ERR_INVALID_ARGUMENT);
    so.threads = 1;
    so.struct_size = 4;
    assert_int_equal(face_watchlist_search(wl, &t[0], &so, m, 4, &c), FACE_ERR_INVALID_ARGUMENT);
    face_watchlist_search_options_init(&so);
    bad = t[0];
    bad.values[0] = NAN;
    assert_int_equal(face_watchlist_search(wl, &bad, &so, m, 4, &c), FACE_ERR_INVALID_ARGUMENT);
    size_t counts[2];
    assert_int_equal(face_watchlist_search_batch(wl, t, 0, &so, m, 4, counts), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_search_batch(wl, t, FACE_WATCHLIST_MAX_BATCH + 1, &so, m, 4, counts),
                     FACE_ERR_INVALID_ARGUMENT);
    so.k = 3;
    assert_int_equal(face_watchlist_search_batch(wl, t, 2, &so, m, 4, counts), FACE_ERR_BUFFER_TOO_SMALL);

    /* Handle-level. */
    assert_int_equal(face_watchlist_save(wl, NULL), FACE_ERR_STATE); /* never saved */
    assert_int_equal(face_watchlist_save(NULL, "x"), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_save(wl, "/nonexistent-dir/x.fwl"), FACE_ERR_IO);
    assert_int_equal(face_watchlist_audit_alert(wl, id, 3, "cam"), FACE_ERR_STATE);
    assert_int_equal(face_watchlist_audit_verify(wl, NULL, NULL, NULL), FACE_ERR_STATE);
    assert_int_equal(face_watchlist_destroy(NULL), FACE_ERR_INVALID_ARGUMENT);
    face_watchlist_close(NULL);
    face_watchlist_file_info info = {.struct_size = 3};
    assert_int_equal(face_watchlist_peek("x", &info), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_info(NULL, NULL, NULL), FACE_ERR_INVALID_ARGUMENT);
    face_watchlist_close(wl);
}

/* ------------------------------------------------------------- model check */

static void test_model_mismatch(void **s)
{
    (void)s;
    char path[4200];
    path_in(path, "model.fwl");
    face_watchlist *wl = make(FACE_WATCHLIST_FLOAT32, NULL, NULL);
    uint64_t rng = 3;
    face_template t, other;
    wt_template(&t, &rng);
    other = t;
    other.fingerprint[15] ^= 1;
    assert_int_equal(face_watchlist_enroll(wl, (const uint8_t *)"a", 1, NULL, &other, 1, 0),
                     FACE_ERR_MODEL_MISMATCH);
    face_template two[2] = {t, other};
    assert_int_equal(face_watchlist_enroll(wl, (const uint8_t *)"a", 1, NULL, two, 2, 0),
                     FACE_ERR_MODEL_MISMATCH);
    assert_int_equal(face_watchlist_enroll(wl, (const uint8_t *)"a", 1, NULL, &t, 1, 0), FACE_OK);
    face_watchlist_match m;
    size_t c;
    assert_int_equal(face_watchlist_search(wl, &other, NULL, &m, 1, &c), FACE_ERR_MODEL_MISMATCH);
    face_template batch[3] = {t, t, other};
    face_watchlist_match mb[3];
    size_t cb[3];
    assert_int_equal(face_watchlist_search_batch(wl, batch, 3, NULL, mb, 3, cb), FACE_ERR_MODEL_MISMATCH);
    assert_int_equal(face_watchlist_search(wl, &t, NULL, &m, 1, &c), FACE_OK);
    assert_int_equal(c, 1);
    uint8_t fp[16];
    int storage;
    assert_int_equal(face_watchlist_info(wl, fp, &storage), FACE_OK);
    assert_memory_equal(fp, WT_FP, 16);
    assert_int_equal(storage, FACE_WATCHLIST_FLOAT32);
    assert_int_equal(face_watchlist_save(wl, path), FACE_OK);
    face_watchlist_close(wl);

    face_watchlist_options o;
    wt_options(&o, FACE_WATCHLIST_FLOAT32);
    o.check_fingerprint = 1;
    face_watchlist_key k;
    wt_raw_key(&k);
    face_watchlist *b = NULL;
    assert_int_equal(face_watchlist_open(path, &k, &o, &b), FACE_OK);
    face_watchlist_close(b);
    o.fingerprint[0] ^= 0x80;
    b = NULL;
    assert_int_equal(face_watchlist_open(path, &k, &o, &b), FACE_ERR_MODEL_MISMATCH);
    assert_null(b);
}

/* ------------------------------------------------------------- expiry */

static void test_expiry(void **s)
{
    (void)s;
    face_watchlist *wl = make(FACE_WATCHLIST_FLOAT32, NULL, NULL);
    uint64_t rng = 99;
    face_template base, a, b, c;
    wt_template(&base, &rng);
    wt_near(&a, &base, 0.001f, &rng); /* closest */
    wt_near(&b, &base, 0.01f, &rng);
    wt_near(&c, &base, 0.02f, &rng);
    assert_int_equal(face_watchlist_enroll(wl, (const uint8_t *)"A", 1, "a", &a, 1, 1000), FACE_OK);
    assert_int_equal(face_watchlist_enroll(wl, (const uint8_t *)"B", 1, "b", &b, 1, 0), FACE_OK);
    assert_int_equal(face_watchlist_enroll(wl, (const uint8_t *)"C", 1, "c", &c, 1, 2000), FACE_OK);
    face_watchlist_search_options so;
    face_watchlist_search_options_init(&so);
    so.k = 3;
    face_watchlist_match m[3];
    size_t n = 0;
    so.now = 999;
    assert_int_equal(face_watchlist_search(wl, &base, &so, m, 3, &n), FACE_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(m[0].id, "A", 1);
    so.now = 1000; /* expires_at is the first second it is gone */
    assert_int_equal(face_watchlist_search(wl, &base, &so, m, 3, &n), FACE_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(m[0].id, "B", 1);
    assert_memory_equal(m[1].id, "C", 1);
    so.now = 5000;
    assert_int_equal(face_watchlist_search(wl, &base, &so, m, 3, &n), FACE_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(m[0].id, "B", 1);
    /* The wall clock is far past 2000. */
    so.now = 0;
    assert_int_equal(face_watchlist_search(wl, &base, &so, m, 3, &n), FACE_OK);
    assert_int_equal(n, 1);

    size_t removed = 9, left;
    assert_int_equal(face_watchlist_purge_expired(wl, 1500, &removed), FACE_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(face_watchlist_count(wl, &left, NULL), FACE_OK);
    assert_int_equal(left, 2);
    face_watchlist_entry e;
    assert_int_equal(face_watchlist_get(wl, (const uint8_t *)"A", 1, &e, NULL, 0), FACE_ERR_NOT_FOUND);
    assert_int_equal(face_watchlist_get(wl, (const uint8_t *)"C", 1, &e, NULL, 0), FACE_OK);
    assert_int_equal(e.expires_at, 2000);
    assert_int_equal(face_watchlist_purge_expired(wl, 0, &removed), FACE_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(face_watchlist_count(wl, &left, NULL), FACE_OK);
    assert_int_equal(left, 1);
    face_watchlist_close(wl);
}

/* ------------------------------------------------------------- removal */

/* Random enrolls and removals against a model of the expected contents. */
static void test_remove_consistency(void **s)
{
    (void)s;
    face_watchlist *wl = make(FACE_WATCHLIST_FLOAT32, NULL, NULL);
    enum { N = 300 };
    static face_template tpl[N][3];
    static int present[N], ntpl[N];
    uint64_t rng = 1234;
    for (int round = 0; round < 3000; round++) {
        unsigned i = tu_rand(&rng) % N;
        uint8_t id[64];
        size_t idl;
        wt_id(id, &idl, i);
        if (present[i]) {
            assert_int_equal(face_watchlist_remove(wl, id, idl), FACE_OK);
            present[i] = 0;
        } else {
            ntpl[i] = 1 + (int)(tu_rand(&rng) % 3);
            for (int k = 0; k < ntpl[i]; k++) wt_template(&tpl[i][k], &rng);
            assert_int_equal(face_watchlist_enroll(wl, id, idl, NULL, tpl[i], (size_t)ntpl[i], 0), FACE_OK);
            present[i] = 1;
        }
    }
    size_t want = 0, want_t = 0;
    for (int i = 0; i < N; i++) {
        uint8_t id[64];
        size_t idl;
        wt_id(id, &idl, (unsigned)i);
        face_watchlist_entry e;
        face_template out[3];
        face_status st = face_watchlist_get(wl, id, idl, &e, out, 3);
        if (!present[i]) {
            assert_int_equal(st, FACE_ERR_NOT_FOUND);
            continue;
        }
        want++;
        want_t += (size_t)ntpl[i];
        assert_int_equal(st, FACE_OK);
        assert_int_equal(e.template_count, ntpl[i]);
        for (int k = 0; k < ntpl[i]; k++)
            assert_memory_equal(out[k].values, tpl[i][k].values, sizeof out[k].values);
        /* Each template finds its own entry at distance 0. */
        face_watchlist_match m;
        size_t c;
        assert_int_equal(face_watchlist_search(wl, &tpl[i][ntpl[i] - 1], NULL, &m, 1, &c), FACE_OK);
        assert_int_equal(c, 1);
        assert_int_equal(m.id_len, idl);
        assert_memory_equal(m.id, id, idl);
        assert_true(m.distance == 0.0f);
        assert_int_equal(m.template_index, ntpl[i] - 1);
    }
    size_t n, nt;
    assert_int_equal(face_watchlist_count(wl, &n, &nt), FACE_OK);
    assert_int_equal(n, want);
    assert_int_equal(nt, want_t);
    /* list pages cover every entry once. */
    size_t seen = 0, off = 0, got;
    face_watchlist_entry page[7];
    do {
        assert_int_equal(face_watchlist_list(wl, off, page, 7, &got), FACE_OK);
        seen += got;
        off += got;
    } while (got == 7);
    assert_int_equal(seen, want);
    face_watchlist_close(wl);
}

/* ------------------------------------------------------------- audit */

static void copy_file(const char *from, const char *to, long cut_from, long cut_len)
{
    size_t n = 0;
    uint8_t *b = tu_read_file(from, &n);
    assert_non_null(b);
    if (cut_from >= 0) {
        memmove(b + cut_from, b + cut_from + cut_len, n - (size_t)cut_from - (size_t)cut_len);
        n -= (size_t)cut_len;
    }
    wt_write_file(to, b, n);
    free(b);
}

/* Offsets of line starts; returns the number of lines. */
static int lines_of(const uint8_t *b, size_t n, long *starts, int max)
{
    int k = 0;
    long s = 0;
    for (size_t i = 0; i < n && k < max; i++)
        if (b[i] == '\n') {
            starts[k++] = s;
            s = (long)i + 1;
        }
    starts[k] = s;
    return k;
}

static void test_audit(void **s)
{
    (void)s;
    char log[4200], path[4200], bad[4200];
    path_in(log, "audit.log");
    path_in(path, "audited.fwl");
    path_in(bad, "bad.log");
    uint8_t pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    face_watchlist *wl = make(FACE_WATCHLIST_FLOAT32, log, sk);
    fill(wl, 6, 5, NULL);
    uint8_t id[64];
    size_t idl;
    wt_id(id, &idl, 2);
    assert_int_equal(face_watchlist_remove(wl, id, idl), FACE_OK);
    assert_int_equal(face_watchlist_audit_alert(wl, id, idl, "camera 7 / gate B"), FACE_OK);
    assert_int_equal(face_watchlist_save(wl, path), FACE_OK);
    assert_int_equal(face_watchlist_audit_alert(wl, id, idl, NULL), FACE_OK);
    face_audit_report rep;
    assert_int_equal(face_watchlist_audit_verify(wl, NULL, pk, &rep), FACE_OK);
    /* create, 6 enroll, remove, alert, save, alert */
    assert_int_equal(rep.records, 11);
    assert_int_equal(rep.first_bad, 0);
    assert_true(rep.signed_records);
    assert_int_equal(face_audit_verify_signed(log, pk, &rep), FACE_OK);
    assert_int_equal(rep.records, 11);
    /* Another operator's key does not verify. */
    uint8_t pk2[32], sk2[64];
    crypto_sign_keypair(pk2, sk2);
    assert_int_equal(face_audit_verify_signed(log, pk2, &rep), FACE_ERR_AUTH);
    assert_int_equal(rep.first_bad, 1);

    size_t n = 0;
    uint8_t *orig = tu_read_file(log, &n);
    assert_non_null(orig);
    /* No biometric data and no raw caller bytes: ids appear only hex-encoded. */
    assert_null(memmem(orig, n, "person-", 7));
    assert_non_null(memmem(orig, n, " alert ", 7));
    long st[64];
    int nl = lines_of(orig, n, st, 63);
    assert_int_equal(nl, 11);

    /* Every single-byte edit of the first two and the last record (between
     * them every field kind and event shape) is caught, keyed and signed. */
    for (size_t i = 0; i < n; i++) {
        if (i >= (size_t)st[2] && i < (size_t)st[nl - 1]) continue;
        uint8_t *b = malloc(n);
        memcpy(b, orig, n);
        b[i] = b[i] == '1' ? '2' : '1';
        if (b[i] == orig[i]) continue;
        wt_write_file(bad, b, n);
        face_status v = face_watchlist_audit_verify(wl, bad, pk, &rep);
        assert_true(v == FACE_ERR_AUTH || v == FACE_ERR_CORRUPT);
        face_status w = face_audit_verify_signed(bad, pk, &rep);
        assert_true(w == FACE_ERR_AUTH || w == FACE_ERR_CORRUPT);
        /* Without the public key only a signature edit goes unnoticed: the
         * keyed chain covers everything else. */
        size_t ls = i, spaces = 0;
        while (ls > 0 && orig[ls - 1] != '\n') ls--;
        for (size_t j = ls; j < i; j++) spaces += orig[j] == ' ';
        if (spaces < 6 || orig[i] == '\n') {
            v = face_watchlist_audit_verify(wl, bad, NULL, &rep);
            assert_true(v == FACE_ERR_AUTH || v == FACE_ERR_CORRUPT);
        }
        free(b);
    }
    /* Delete each record. */
    for (int r = 0; r < nl; r++) {
        copy_file(log, bad, st[r], st[r + 1] - st[r]);
        face_status v = face_watchlist_audit_verify(wl, bad, NULL, &rep);
        assert_true(v == FACE_ERR_AUTH || v == FACE_ERR_CORRUPT);
        assert_int_equal(rep.first_bad, r == nl - 1 ? (uint64_t)nl : (uint64_t)r + 1);
        if (r < nl - 1) {
            face_status w = face_audit_verify_signed(bad, pk, &rep);
            assert_true(w == FACE_ERR_AUTH || w == FACE_ERR_CORRUPT);
        }
    }
    /* Swap two adjacent records. */
    for (int r = 0; r + 1 < nl; r++) {
        uint8_t *b = malloc(n);
        long l1 = st[r + 1] - st[r], l2 = st[r + 2] - st[r + 1];
        memcpy(b, orig, n);
        memcpy(b + st[r], orig + st[r + 1], (size_t)l2);
        memcpy(b + st[r] + l2, orig + st[r], (size_t)l1);
        wt_write_file(bad, b, n);
        assert_int_not_equal(face_watchlist_audit_verify(wl, bad, NULL, &rep), FACE_OK);
        assert_int_not_equal(face_audit_verify_signed(bad, pk, &rep), FACE_OK);
        free(b);
    }
    /* Truncation: whole records off the end (the live head catches it), and
     * a torn last line. */
    for (int r = 1; r <= nl; r++) {
        copy_file(log, bad, st[nl - r], (long)n - st[nl - r]);
        assert_int_equal(face_watchlist_audit_verify(wl, bad, NULL, &rep), FACE_ERR_AUTH);
    }
    copy_file(log, bad, (long)n - 5, 5);
    assert_int_equal(face_watchlist_audit_verify(wl, bad, NULL, &rep), FACE_ERR_CORRUPT);
    assert_int_equal(face_audit_verify_signed(bad, pk, &rep), FACE_ERR_CORRUPT);
    /* Records added by someone without the key. */
    {
        uint8_t *b = malloc(n + st[1]);
        memcpy(b, orig, n);
        memcpy(b + n, orig, (size_t)st[1]);
        wt_write_file(bad, b, n + (size_t)st[1]);
        assert_int_not_equal(face_watchlist_audit_verify(wl, bad, NULL, &rep), FACE_OK);
        free(b);
    }
    face_watchlist_close(wl);

    /* Reopening: the head sealed at save time must be in the log. A log cut
     * below it refuses the open; the intact log is continued. */
    face_watchlist_options o;
    wt_options(&o, FACE_WATCHLIST_FLOAT32);
    o.audit_path = bad;
    o.audit_sign_key = sk;
    face_watchlist_key k;
    wt_raw_key(&k);
    face_watchlist *b2 = NULL;
    copy_file(log, bad, st[8], (long)n - st[8]); /* keeps records 1..8 of 9 sealed */
    assert_int_equal(face_watchlist_open(path, &k, &o, &b2), FACE_ERR_AUTH);
    assert_null(b2);
    copy_file(log, bad, st[9], (long)n - st[9]); /* records 1..9: the sealed head */
    assert_int_equal(face_watchlist_open(path, &k, &o, &b2), FACE_OK);
    assert_int_equal(face_watchlist_audit_verify(b2, NULL, pk, &rep), FACE_OK);
    assert_int_equal(rep.records, 10); /* + open */
    face_watchlist_close(b2);
    /* A handle without a log checks a log against the head sealed in its file. */
    b2 = NULL;
    assert_int_equal(face_watchlist_open(path, &k, NULL, &b2), FACE_OK);
    assert_int_equal(face_watchlist_audit_verify(b2, log, pk, &rep), FACE_OK);
    assert_int_equal(rep.records, 11);
    copy_file(log, bad, st[8], (long)n - st[8]);
    assert_int_equal(face_watchlist_audit_verify(b2, bad, pk, &rep), FACE_ERR_AUTH);
    face_watchlist_close(b2);
    copy_file(log, bad, st[9], (long)n - st[9]);
    /* Without the signing key the log is still continued, unsigned. */
    o.audit_sign_key = NULL;
    assert_int_equal(face_watchlist_open(path, &k, &o, &b2), FACE_OK);
    assert_int_equal(face_watchlist_audit_verify(b2, NULL, NULL, &rep), FACE_OK);
    assert_false(rep.signed_records);
    assert_int_equal(face_watchlist_audit_verify(b2, NULL, pk, &rep), FACE_ERR_AUTH);
    face_watchlist_close(b2);
    /* A log of another key is refused. */
    uint8_t key2[32];
    memcpy(key2, WT_KEY, 32);
    key2[0] ^= 1;
    face_watchlist_key k2;
    face_watchlist_key_raw(&k2, key2);
    o.audit_path = log;
    assert_int_equal(face_watchlist_create(&o, &k2, &b2), FACE_ERR_AUTH);
    free(orig);
}

/* ------------------------------------------------------------- destroy */

/* The summary event: recorded with no id and its text in hex, chained and
 * signed like every record (any edit of it is caught), continued across a
 * reopen, and only printable ASCII of 1..512 bytes is accepted. */
static void test_audit_summary(void **s)
{
    (void)s;
    char log[4200], path[4200], bad[4200];
    path_in(log, "summary.log");
    path_in(path, "summary.fwl");
    path_in(bad, "summary-bad.log");
    uint8_t pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    face_watchlist *wl = make(FACE_WATCHLIST_FLOAT32, log, sk);
    static char longest[FACE_AUDIT_SUMMARY_MAX + 2];
    for (int i = 0; i < FACE_AUDIT_SUMMARY_MAX; i++) longest[i] = (char)(0x20 + i % 95);
    longest[FACE_AUDIT_SUMMARY_MAX] = '\0';
    assert_int_equal(face_watchlist_audit_summary(wl, "frames=10 faces=3"), FACE_OK);
    assert_int_equal(face_watchlist_audit_summary(wl, longest), FACE_OK);
    assert_int_equal(face_watchlist_audit_summary(wl, "x"), FACE_OK);

    /* Refused text leaves the log alone. */
    longest[FACE_AUDIT_SUMMARY_MAX] = 'y';
    longest[FACE_AUDIT_SUMMARY_MAX + 1] = '\0';
    assert_int_equal(face_watchlist_audit_summary(wl, longest), FACE_ERR_LIMIT);
    longest[FACE_AUDIT_SUMMARY_MAX] = '\0';
    const char *bad_text[] = {"", "two\nlines", "cr\r", "tab\there", "del\x7f",
                              "caf\xc3\xa9", "\x01", "\xff"};
    for (size_t i = 0; i < sizeof bad_text / sizeof *bad_text; i++)
        assert_int_equal(face_watchlist_audit_summary(wl, bad_text[i]), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_audit_summary(NULL, "x"), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_watchlist_audit_summary(wl, NULL), FACE_ERR_INVALID_ARGUMENT);

    face_audit_report rep;
    assert_int_equal(face_watchlist_audit_verify(wl, NULL, pk, &rep), FACE_OK);
    assert_int_equal(rep.records, 4); /* create + 3 summaries */
    assert_true(rep.signed_records);
    assert_int_equal(face_audit_verify_signed(log, pk, &rep), FACE_OK);

    size_t n = 0;
    uint8_t *orig = tu_read_file(log, &n);
    assert_non_null(orig);
    long st[8];
    assert_int_equal(lines_of(orig, n, st, 7), 4);
    /* "<seq> <ms> summary - <hex of the text> ..." */
    char want[64] = " summary - ";
    sodium_bin2hex(want + 11, sizeof want - 11, (const uint8_t *)"frames=10", 9);
    assert_non_null(memmem(orig + st[1], (size_t)(st[2] - st[1]), want, strlen(want)));
    assert_null(memmem(orig, n, "frames=", 7)); /* never in clear */
    /* The longest summary fits one line, under the parser's limit. */
    assert_true(st[3] - st[2] > 2 * FACE_AUDIT_SUMMARY_MAX);

    /* Every single-byte edit of the first summary record is caught. */
    for (long i = st[1]; i < st[2]; i++) {
        uint8_t *b = malloc(n);
        memcpy(b, orig, n);
        b[i] = b[i] == '1' ? '2' : '1';
        wt_write_file(bad, b, n);
        free(b);
        face_status v = face_watchlist_audit_verify(wl, bad, pk, &rep);
        assert_true(v == FACE_ERR_AUTH || v == FACE_ERR_CORRUPT);
        assert_int_equal(rep.first_bad, 2);
        face_status w = face_audit_verify_signed(bad, pk, &rep);
        assert_true(w == FACE_ERR_AUTH || w == FACE_ERR_CORRUPT);
    }
    /* A summary relabelled as an alert (same length: "summary" vs
     * "destroy") or deleted is caught too. */
    {
        uint8_t *b = malloc(n);
        memcpy(b, orig, n);
        uint8_t *ev = memmem(b + st[1], (size_t)(st[2] - st[1]), "summary", 7);
        assert_non_null(ev);
        memcpy(ev, "destroy", 7);
        wt_write_file(bad, b, n);
        free(b);
        assert_int_equal(face_watchlist_audit_verify(wl, bad, NULL, &rep), FACE_ERR_AUTH);
        copy_file(log, bad, st[2], st[3] - st[2]);
        assert_int_not_equal(face_watchlist_audit_verify(wl, bad, NULL, &rep), FACE_OK);
    }
    free(orig);

    /* Saved and reopened with its log: the summaries verify and the log is
     * continued. */
    assert_int_equal(face_watchlist_save(wl, path), FACE_OK);
    face_watchlist_close(wl);
    face_watchlist_options o;
    wt_options(&o, FACE_WATCHLIST_FLOAT32);
    o.audit_path = log;
    o.audit_sign_key = sk;
    face_watchlist_key k;
    wt_raw_key(&k);
    wl = NULL;
    assert_int_equal(face_watchlist_open(path, &k, &o, &wl), FACE_OK);
    assert_int_equal(face_watchlist_audit_summary(wl, "after reopen"), FACE_OK);
    assert_int_equal(face_watchlist_audit_verify(wl, NULL, pk, &rep), FACE_OK);
    assert_int_equal(rep.records, 7); /* + save, open, summary */
    face_watchlist_close(wl);

    /* No log: nothing to record. */
    wl = make(FACE_WATCHLIST_FLOAT32, NULL, NULL);
    assert_int_equal(face_watchlist_audit_summary(wl, "x"), FACE_ERR_STATE);
    face_watchlist_close(wl);
    unlink(log);
    unlink(path);
    unlink(bad);
}

static void test_destroy(void **s)
{
    (void)s;
    char log[4200], path[4200];
    path_in(log, "destroy.log");
    path_in(path, "destroy.fwl");
    face_watchlist *wl = make(FACE_WATCHLIST_INT8, log, NULL);
    fill(wl, 3, 8, NULL);
    assert_int_equal(face_watchlist_save(wl, path), FACE_OK);
    assert_int_equal(access(path, F_OK), 0);
    assert_int_equal(face_watchlist_destroy(wl), FACE_OK);
    assert_int_not_equal(access(path, F_OK), 0);
    size_t n = 0;
    uint8_t *b = tu_read_file(log, &n);
    assert_non_null(b);
    assert_non_null(memmem(b, n, " destroy - - ", 13));
    free(b);
    /* No temporary files are left behind. */
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -q tmp-", g_dir);
    assert_int_not_equal(system(cmd), 0);
}

/* ------------------------------------------------------------- allocator */

/* The hook sees every buffer libface frees. A buffer that held templates
 * must arrive zeroed: the test plants a marker value in every template and
 * scans each released buffer for its bytes. */
#define MARKER 0.3203125f /* 0x3EA40000: exact in float, rare in other data */
static uint8_t g_marker[4];
static int g_leaks, g_frees, g_big_frees;

static void *hook_alloc(void *op, size_t size, size_t align)
{
    (void)op;
    void *p = NULL;
    if (align < sizeof(void *)) align = sizeof(void *);
    if (posix_memalign(&p, align, size) != 0) return NULL;
    return p;
}

static void hook_free(void *op, void *ptr, size_t size)
{
    (void)op;
    g_frees++;
    if (size >= 512) g_big_frees++;
    if (memmem(ptr, size, g_marker, 4)) g_leaks++;
    free(ptr);
}

static void test_allocator_wipe(void **s)
{
    (void)s;
    float mk = MARKER;
    memcpy(g_marker, &mk, 4);
    face_allocator hook = {sizeof hook, 0, hook_alloc, hook_free, NULL};
    char path[4200];
    path_in(path, "wipe.fwl");
    for (int storage = FACE_WATCHLIST_FLOAT32; storage <= FACE_WATCHLIST_INT8; storage++) {
        g_leaks = g_frees = g_big_frees = 0;
        face_watchlist_options o;
        wt_options(&o, storage);
        o.allocator = &hook;
        face_watchlist_key k;
        wt_raw_key(&k);
        face_watchlist *wl = NULL;
        assert_int_equal(face_watchlist_create(&o, &k, &wl), FACE_OK);
        uint64_t rng = 77;
        /* Enough entries to grow every array several times. */
        for (unsigned i = 0; i < 1500; i++) {
            face_template t[2];
            wt_template(&t[0], &rng);
            wt_template(&t[1], &rng);
            for (int d = 0; d < FACE_TEMPLATE_DIM; d += 3) t[0].values[d] = t[1].values[d] = MARKER;
            uint8_t id[64];
            size_t idl;
            wt_id(id, &idl, i);
            assert_int_equal(face_watchlist_enroll(wl, id, idl, "x", t, 1 + i % 2, 0), FACE_OK);
        }
        face_template probe[3];
        for (int p = 0; p < 3; p++) {
            wt_template(&probe[p], &rng);
            for (int d = 0; d < FACE_TEMPLATE_DIM; d++) probe[p].values[d] = MARKER;
        }
        face_watchlist_search_options so;
        face_watchlist_search_options_init(&so);
        so.k = 4;
        face_watchlist_match m[12];
        size_t c[3];
        assert_int_equal(face_watchlist_search_batch(wl, probe, 3, &so, m, 12, c), FACE_OK);
        assert_int_equal(face_watchlist_save(wl, path), FACE_OK);
        for (unsigned i = 0; i < 1500; i += 2) {
            uint8_t id[64];
            size_t idl;
            wt_id(id, &idl, i);
            assert_int_equal(face_watchlist_remove(wl, id, idl), FACE_OK);
        }
        face_watchlist_close(wl);
        wl = NULL;
        assert_int_equal(face_watchlist_open(path, &k, &o, &wl), FACE_OK);
        face_template out[2];
        face_watchlist_entry e;
        uint8_t id[64];
        size_t idl;
        wt_id(id, &idl, 5);
        assert_int_equal(face_watchlist_get(wl, id, idl, &e, out, 2), FACE_OK);
        if (storage == FACE_WATCHLIST_FLOAT32) assert_true(out[0].values[0] == MARKER);
        assert_int_equal(face_watchlist_destroy(wl), FACE_OK);
        assert_true(g_big_frees > 20);
        assert_int_equal(g_leaks, 0);
        fprintf(stderr, "storage %d: %d buffers released through the hook, none held the marker\n",
                storage, g_frees);
    }
    /* The check itself works: a buffer released without wiping is caught. */
    lf_allocator a;
    assert_int_equal(lf_allocator_resolve(&a, &hook), FACE_OK);
    float *f = lf_alloc(&a, 4096, 64);
    for (int i = 0; i < 1024; i++) f[i] = MARKER;
    g_leaks = 0;
    lf_free(&a, f, 4096);
    assert_int_equal(g_leaks, 1);
    f = lf_alloc(&a, 4096, 64);
    for (int i = 0; i < 1024; i++) f[i] = MARKER;
    lf_free_wipe(&a, f, 4096);
    assert_int_equal(g_leaks, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_f32),
        cmocka_unit_test(test_round_trip_i8),
        cmocka_unit_test(test_empty_round_trip),
        cmocka_unit_test(test_multi_chunk),
        cmocka_unit_test(test_wrong_key),
        cmocka_unit_test(test_passphrase),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_model_mismatch),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_remove_consistency),
        cmocka_unit_test(test_audit),
        cmocka_unit_test(test_audit_summary),
        cmocka_unit_test(test_destroy),
        cmocka_unit_test(test_allocator_wipe),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
