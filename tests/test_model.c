/* Model files: a writer of the format (independent of the library's reader,
 * written from docs/model-format.md) builds small synthetic files; the tests
 * load them, then damage them in every way the format can be damaged.
 *
 *   test_model          synthetic files only (quick)
 *   test_model --real   the four converted models in FACE_MODEL_DIR (models)
 */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "face/face.h"
#include "nn/nn.h"

/* ---------------------------------------------------------------- counting allocator */

typedef struct counter {
    size_t live, peak, largest, n_alloc;
    long fail_at; /* fail the allocation with this index (-1: never) */
} counter;

static void *c_alloc(void *opaque, size_t size, size_t align)
{
    counter *c = opaque;
    if (c->fail_at >= 0 && (long)c->n_alloc++ == c->fail_at) return NULL;
    if (c->fail_at < 0) c->n_alloc++;
    void *p = NULL;
    if (align < sizeof(void *)) align = sizeof(void *);
    if (posix_memalign(&p, align, size) != 0) return NULL;
    c->live += size;
    if (c->live > c->peak) c->peak = c->live;
    if (size > c->largest) c->largest = size;
    return p;
}

static void c_free(void *opaque, void *ptr, size_t size)
{
    counter *c = opaque;
    assert_true(c->live >= size);
    c->live -= size;
    free(ptr);
}

static face_allocator counting(counter *c)
{
    memset(c, 0, sizeof *c);
    c->fail_at = -1;
    face_allocator a = {sizeof a, 0, c_alloc, c_free, c};
    return a;
}

/* ---------------------------------------------------------------- writer */

#define HDR 64
#define ENT 192

typedef struct syn_tensor {
    const char *name;
    int ndim;
    uint32_t shape[4];
    const float *vals;
} syn_tensor;

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}
static size_t al64(size_t n) { return (n + 63) / 64 * 64; }

static void resign(uint8_t *buf, size_t size)
{
    crypto_generichash(buf + size - 32, 32, buf, size - 32, NULL, 0);
}

static uint8_t *syn_build(uint32_t kind, const syn_tensor *t, int n, const char *meta,
                         size_t *size_out)
{
    size_t ml = strlen(meta);
    size_t table = HDR + al64(ml);
    size_t data = al64(table + (size_t)n * ENT);
    size_t dbytes = 0;
    for (int i = 0; i < n; i++) {
        size_t cnt = 1;
        for (int d = 0; d < t[i].ndim; d++) cnt *= t[i].shape[d];
        dbytes = al64(dbytes + 4 * cnt);
    }
    size_t size = data + dbytes + 32;
    uint8_t *b = calloc(1, size);
    assert_non_null(b);
    memcpy(b, "LFMODEL", 8);
    wr32(b + 8, 1);
    wr32(b + 12, kind);
    wr32(b + 16, (uint32_t)n);
    wr32(b + 20, (uint32_t)ml);
    wr64(b + 24, size);
    wr64(b + 32, table);
    wr64(b + 40, data);
    wr64(b + 48, dbytes);
    memcpy(b + HDR, meta, ml);
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        uint8_t *e = b + table + (size_t)i * ENT;
        memcpy(e, t[i].name, strlen(t[i].name));
        wr32(e + 128, 1);
        wr32(e + 132, (uint32_t)t[i].ndim);
        size_t cnt = 1;
        for (int d = 0; d < t[i].ndim; d++) {
            wr32(e + 136 + 4 * d, t[i].shape[d]);
            cnt *= t[i].shape[d];
        }
        wr64(e + 152, off);
        wr64(e + 160, cnt);
        for (size_t k = 0; k < cnt; k++) {
            uint32_t u;
            memcpy(&u, &t[i].vals[k], 4);
            wr32(b + data + off + 4 * k, u);
        }
        off = al64(off + 4 * cnt);
    }
    resign(b, size);
    *size_out = size;
    return b;
}

static const float k_w[6] = {0.5f, -1.25f, 3.0f, 1e-30f, -0.0f, 65504.0f};
static const float k_s[1] = {5118.0f};
static const float k_bias[5] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f};

/* The reference synthetic model: 928 bytes (64 header + 64 meta + 3*192
 * table + 3*64 data + 32 trailer). */
static uint8_t *small_model(size_t *size)
{
    const syn_tensor t[3] = {
        {"a/w", 2, {2, 3, 0, 0}, k_w},
        {"s", 0, {0, 0, 0, 0}, k_s},
        {"c/bias", 1, {5, 0, 0, 0}, k_bias},
    };
    uint8_t *b = syn_build(FACE_MODEL_LANDMARKS68, t, 3, "source=test\n", size);
    assert_int_equal(*size, 928);
    return b;
}
#define TABLE0 128 /* table offset of small_model */
#define DATA0 704  /* data offset of small_model */

static face_status load(const uint8_t *b, size_t n, counter *c, face_model **m)
{
    face_allocator a = counting(c);
    face_status st = face_model_load_memory(b, n, &a, m);
    if (st != FACE_OK) {
        assert_null(*m);
        assert_int_equal(c->live, 0);
    }
    return st;
}

/* ---------------------------------------------------------------- tests */

static void check_small(const face_model *m, const uint8_t *file, size_t size)
{
    assert_int_equal(face_model_kind_of(m), FACE_MODEL_LANDMARKS68);
    assert_int_equal(m->n_tensors, 3);
    assert_memory_equal(m->content_hash, file + size - 32, 32);
    const lf_tensor *t = lf_model_find(m, "a/w");
    assert_non_null(t);
    assert_int_equal(t->ndim, 2);
    assert_int_equal(t->shape[0], 2);
    assert_int_equal(t->shape[1], 3);
    assert_int_equal(t->count, 6);
    assert_memory_equal(t->data, k_w, sizeof k_w); /* bit exact, -0.0 included */
    assert_int_equal((uintptr_t)t->data % 64, 0);
    t = lf_model_find(m, "s");
    assert_non_null(t);
    assert_int_equal(t->ndim, 0);
    assert_int_equal(t->count, 1);
    assert_true(t->data[0] == 5118.0f);
    assert_int_equal((uintptr_t)t->data % 64, 0);
    assert_null(lf_model_find(m, "a"));
    assert_null(lf_model_find(m, "a/w "));
    assert_null(lf_model_find(m, ""));

    const float *p = NULL;
    lf_error err;
    int ok_shape[1] = {5}, bad_shape[1] = {4}, two[2] = {2, 3}, swapped[2] = {3, 2};
    assert_int_equal(lf_model_get(m, "c/bias", 1, ok_shape, &p, &err), FACE_OK);
    assert_true(p && p[4] == 0.5f);
    assert_int_equal(lf_model_get(m, "c/bias", 1, bad_shape, &p, &err), FACE_ERR_CORRUPT);
    assert_null(p);
    assert_non_null(strstr(err.msg, "[5]"));
    assert_int_equal(lf_model_get(m, "a/w", 2, two, &p, &err), FACE_OK);
    assert_int_equal(lf_model_get(m, "a/w", 2, swapped, &p, &err), FACE_ERR_CORRUPT);
    assert_int_equal(lf_model_get(m, "a/w", 1, two, &p, &err), FACE_ERR_CORRUPT);
    assert_int_equal(lf_model_get(m, "s", 0, NULL, &p, &err), FACE_OK);
    assert_int_equal(lf_model_get(m, "nope", 1, ok_shape, &p, &err), FACE_ERR_NOT_FOUND);
    assert_int_equal(lf_model_get(m, "c/bias", 5, ok_shape, &p, &err), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_model_get(m, "c/bias", 1, NULL, &p, &err), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_model_get(NULL, "c/bias", 1, ok_shape, &p, &err),
                     FACE_ERR_INVALID_ARGUMENT);
}

static void test_memory_roundtrip(void **state)
{
    (void)state;
    size_t size;
    uint8_t *b = small_model(&size);
    counter c;
    face_model *m = NULL;
    assert_int_equal(load(b, size, &c, &m), FACE_OK);
    check_small(m, b, size);
    /* The input is not retained: scribbling on it changes nothing. */
    memset(b, 0xAB, size);
    assert_true(lf_model_find(m, "a/w")->data[0] == 0.5f);
    assert_true(c.live > 0);
    face_model_destroy(m);
    assert_int_equal(c.live, 0);
    free(b);
}

static void test_file_roundtrip(void **state)
{
    (void)state;
    size_t size;
    uint8_t *b = small_model(&size);
    char path[] = "/tmp/test_model_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b, size), (ssize_t)size);
    face_model *m = NULL;
    counter c;
    face_allocator a = counting(&c);
    assert_int_equal(face_model_load_file(path, &a, &m), FACE_OK);
    check_small(m, b, size);
    face_model_destroy(m);
    assert_int_equal(c.live, 0);
    assert_int_equal(face_model_load_file(path, NULL, &m), FACE_OK); /* default allocator */
    face_model_destroy(m);

    /* Truncated on disk. */
    assert_int_equal(ftruncate(fd, (off_t)size - 1), 0);
    assert_int_equal(face_model_load_file(path, &a, &m), FACE_ERR_CORRUPT);
    assert_null(m);
    assert_int_equal(ftruncate(fd, 0), 0);
    assert_int_equal(face_model_load_file(path, &a, &m), FACE_ERR_CORRUPT);
    /* A sparse file just over the limit must be refused from its size alone. */
    assert_int_equal(ftruncate(fd, (off_t)LF_MODEL_MAX_BYTES + 1), 0);
    counting(&c);
    assert_int_equal(face_model_load_file(path, &a, &m), FACE_ERR_LIMIT);
    assert_int_equal(c.n_alloc, 0);
    close(fd);
    unlink(path);

    assert_int_equal(face_model_load_file(path, &a, &m), FACE_ERR_IO); /* gone */
    assert_int_equal(face_model_load_file("/tmp", &a, &m), FACE_ERR_IO); /* directory */
    assert_int_equal(face_model_load_file("/nonexistent/dir/x.fmdl", &a, &m), FACE_ERR_IO);
    assert_null(m);
    assert_int_equal(c.live, 0);
    free(b);
}

static void test_null_args(void **state)
{
    (void)state;
    size_t size;
    uint8_t *b = small_model(&size);
    face_model *m = (face_model *)(uintptr_t)1;
    assert_int_equal(face_model_load_memory(NULL, size, NULL, &m), FACE_ERR_INVALID_ARGUMENT);
    assert_null(m);
    assert_int_equal(face_model_load_memory(NULL, 0, NULL, &m), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_model_load_memory(b, size, NULL, NULL), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_model_load_memory(b, 0, NULL, &m), FACE_ERR_CORRUPT);
    assert_int_equal(face_model_load_file(NULL, NULL, &m), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_model_load_file("", NULL, &m), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_model_load_file("/tmp/x", NULL, NULL), FACE_ERR_INVALID_ARGUMENT);
    /* Half an allocator hook, or an unversioned one, is refused. */
    counter c;
    face_allocator half = counting(&c);
    half.free = NULL;
    assert_int_equal(face_model_load_memory(b, size, &half, &m), FACE_ERR_INVALID_ARGUMENT);
    face_allocator old = counting(&c);
    old.struct_size = 4;
    assert_int_equal(face_model_load_memory(b, size, &old, &m), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(c.n_alloc, 0);
    assert_int_equal(face_model_kind_of(NULL), 0);
    face_model_destroy(NULL);
    assert_null(lf_model_find(NULL, "a/w"));
    lf_allocator la;
    assert_int_equal(lf_allocator_resolve(&la, NULL), FACE_OK);
    assert_int_equal(lf_model_parse(&la, b, size, NULL, NULL), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_model_parse(NULL, b, size, &m, NULL), FACE_ERR_INVALID_ARGUMENT);
    /* Over the size bound before looking at a byte. */
    assert_int_equal(lf_model_parse(&la, b, LF_MODEL_MAX_BYTES + 1, &m, NULL), FACE_ERR_LIMIT);
    free(b);
}

static void test_every_truncation(void **state)
{
    (void)state;
    size_t size;
    uint8_t *b = small_model(&size);
    for (size_t n = 0; n < size; n++) {
        /* A fresh copy of exactly n bytes, so ASan sees any read past it. */
        uint8_t *t = malloc(n ? n : 1);
        memcpy(t, b, n);
        counter c;
        face_model *m = NULL;
        face_status st = load(t, n, &c, &m);
        if (st != FACE_ERR_CORRUPT) fail_msg("truncated to %zu: status %d", n, st);
        free(t);
    }
    /* Trailing garbage is as wrong as missing bytes. */
    uint8_t *longer = calloc(1, size + 1);
    memcpy(longer, b, size);
    counter c;
    face_model *m = NULL;
    assert_int_equal(load(longer, size + 1, &c, &m), FACE_ERR_CORRUPT);
    free(longer);
    free(b);
}

static void test_every_byte_flip(void **state)
{
    (void)state;
    size_t size;
    uint8_t *b = small_model(&size);
    static const uint8_t masks[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF};
    for (size_t i = 0; i < size; i++) {
        for (size_t k = 0; k < sizeof masks; k++) {
            b[i] ^= masks[k];
            counter c;
            face_model *m = NULL;
            face_status st = load(b, size, &c, &m);
            /* The checksum covers every byte before it, so no flip is
             * tolerated; the version field answers before the checksum. */
            face_status want = (i >= 8 && i < 12) ? FACE_ERR_UNSUPPORTED_VERSION : FACE_ERR_CORRUPT;
            if (st != want)
                fail_msg("byte %zu ^ 0x%02x: status %d, want %d", i, masks[k], st, want);
            b[i] ^= masks[k];
        }
    }
    counter c;
    face_model *m = NULL;
    assert_int_equal(load(b, size, &c, &m), FACE_OK); /* restored intact */
    face_model_destroy(m);
    free(b);
}

static void test_version_and_magic(void **state)
{
    (void)state;
    size_t size;
    uint8_t *b = small_model(&size);
    static const uint32_t versions[] = {0, 2, 3, 0x100, 0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        for (int sign = 0; sign < 2; sign++) {
            uint8_t *t = malloc(size);
            memcpy(t, b, size);
            wr32(t + 8, versions[i]);
            if (sign) resign(t, size);
            counter c;
            face_model *m = NULL;
            assert_int_equal(load(t, size, &c, &m), FACE_ERR_UNSUPPORTED_VERSION);
            /* Also when the rest is garbage: a newer format may look like anything. */
            memset(t + 12, 0xEE, size - 12);
            assert_int_equal(load(t, size, &c, &m), FACE_ERR_UNSUPPORTED_VERSION);
            free(t);
        }
    }
    static const char *magics[] = {"LFMODEL\1", "lfmodel\0", "LFMODEX\0", "\0\0\0\0\0\0\0\0",
                                   "\x89PNG\r\n\x1a\n"};
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++) {
        uint8_t *t = malloc(size);
        memcpy(t, b, size);
        memcpy(t, magics[i], 8);
        resign(t, size);
        counter c;
        face_model *m = NULL;
        assert_int_equal(load(t, size, &c, &m), FACE_ERR_CORRUPT);
        free(t);
    }
    free(b);
}

/* A field change that keeps the checksum valid, so only the semantic checks
 * stand between it and the loader's allocations. */
typedef struct mutation {
    const char *what;
    size_t off;
    int width; /* 1, 4 or 8 */
    uint64_t value;
} mutation;

#define E0(o) (TABLE0 + (o))
#define E1(o) (TABLE0 + ENT + (o))
#define E2(o) (TABLE0 + 2 * ENT + (o))

static const mutation k_mutations[] = {
    {"kind 0", 12, 4, 0},
    {"kind 5", 12, 4, 5},
    {"kind huge", 12, 4, 0x80000000u},
    {"tensor count 0", 16, 4, 0},
    {"tensor count 2", 16, 4, 2},
    {"tensor count 4", 16, 4, 4},
    {"tensor count max+1", 16, 4, LF_MODEL_MAX_TENSORS + 1},
    {"tensor count 2^31", 16, 4, 0x80000000u},
    {"tensor count all ones", 16, 4, 0xFFFFFFFFu},
    {"meta 0 (table moves)", 20, 4, 0},
    {"meta 65", 20, 4, 65},
    {"meta 4097", 20, 4, 4097},
    {"meta all ones", 20, 4, 0xFFFFFFFFu},
    {"file size +1", 24, 8, 929},
    {"file size huge", 24, 8, UINT64_MAX},
    {"table offset +64", 32, 8, TABLE0 + 64},
    {"table offset 0", 32, 8, 0},
    {"table offset huge", 32, 8, UINT64_MAX - 63},
    {"data offset -64", 40, 8, DATA0 - 64},
    {"data offset +64", 40, 8, DATA0 + 64},
    {"data bytes +64", 48, 8, 256},
    {"data bytes 0", 48, 8, 0},
    {"data bytes unaligned", 48, 8, 191},
    {"data bytes huge", 48, 8, UINT64_MAX - 63},
    {"reserved header", 56, 8, 1},
    {"empty name", E0(0), 1, 0},
    {"byte after the name", E0(5), 1, 'x'},
    {"name fills 128 bytes", E0(127), 1, 'x'},
    {"dtype 0", E0(128), 4, 0},
    {"dtype 2", E0(128), 4, 2},
    {"ndim 5", E0(132), 4, 5},
    {"ndim huge", E0(132), 4, 0xFFFFFFFFu},
    {"ndim 1, second dim left set", E0(132), 4, 1},
    {"ndim 3 with dim 0", E0(132), 4, 3},
    {"dim 0", E0(136), 4, 0},
    {"dim 2^31", E0(136), 4, 0x80000000u},
    {"dim huge (count stays 6)", E0(136), 4, 0xFFFFFFFFu},
    {"unused dim set", E0(148), 4, 1},
    {"count 5", E0(160), 8, 5},
    {"count 0", E0(160), 8, 0},
    {"count huge", E0(160), 8, UINT64_MAX},
    {"offset misaligned", E0(152), 8, 4},
    {"offset past the end", E0(152), 8, 192},
    {"offset huge", E0(152), 8, UINT64_MAX - 63},
    {"offset wraps", E0(152), 8, (uint64_t)0 - 64},
    {"overlap: second at 0", E1(152), 8, 0},
    {"order: third before second", E2(152), 8, 0},
    {"third runs past the end", E2(152), 8, 192},
    {"scalar with ndim 1 and dim 0", E1(132), 4, 1},
    {"reserved entry byte", E0(170), 1, 1},
    {"last reserved entry byte", E0(191), 1, 0x80},
};

static void apply(uint8_t *t, const mutation *mu)
{
    if (mu->width == 1) t[mu->off] = (uint8_t)mu->value;
    else if (mu->width == 4) wr32(t + mu->off, (uint32_t)mu->value);
    else wr64(t + mu->off, mu->value);
}

static void test_resigned_mutations(void **state)
{
    (void)state;
    size_t size;
    uint8_t *b = small_model(&size);
    /* Control: re-signing an untouched file keeps it valid, so every failure
     * below comes from the field, not from the checksum. */
    {
        counter c;
        face_model *m = NULL;
        resign(b, size);
        assert_int_equal(load(b, size, &c, &m), FACE_OK);
        face_model_destroy(m);
    }
    size_t n = sizeof k_mutations / sizeof k_mutations[0];
    for (size_t i = 0; i < n; i++) {
        const mutation *mu = &k_mutations[i];
        uint8_t *t = malloc(size);
        memcpy(t, b, size);
        apply(t, mu);
        resign(t, size);
        counter c;
        face_model *m = NULL;
        face_status st = load(t, size, &c, &m);
        if (st != FACE_ERR_CORRUPT) fail_msg("%s: status %d, want CORRUPT", mu->what, st);
        /* Nothing sized by a forged field may be allocated: the largest
         * allocation stays near the real table size. */
        if (c.largest > 4096) fail_msg("%s: allocated %zu bytes", mu->what, c.largest);
        free(t);
    }
    /* An empty tensor that is self-consistent (dim 0, count 0). */
    {
        uint8_t *t = malloc(size);
        memcpy(t, b, size);
        wr32(t + E0(136), 0);
        wr64(t + E0(160), 0);
        resign(t, size);
        counter c;
        face_model *m = NULL;
        assert_int_equal(load(t, size, &c, &m), FACE_ERR_CORRUPT);
        free(t);
    }
    /* Duplicate names ("s" renamed to "a/w"). */
    {
        uint8_t *t = malloc(size);
        memcpy(t, b, size);
        memcpy(t + E1(0), "a/w", 4);
        resign(t, size);
        counter c;
        face_model *m = NULL;
        assert_int_equal(load(t, size, &c, &m), FACE_ERR_CORRUPT);
        free(t);
    }
    /* Non-finite weights. */
    static const uint32_t bad_bits[] = {0x7FC00000u, 0xFFC00001u, 0x7F800000u, 0xFF800000u};
    for (size_t i = 0; i < 4; i++) {
        for (size_t where = 0; where < 3; where++) {
            static const size_t pos[3] = {DATA0, DATA0 + 20, DATA0 + 128 + 16};
            uint8_t *t = malloc(size);
            memcpy(t, b, size);
            wr32(t + pos[where], bad_bits[i]);
            resign(t, size);
            counter c;
            face_model *m = NULL;
            assert_int_equal(load(t, size, &c, &m), FACE_ERR_CORRUPT);
            free(t);
        }
    }
    free(b);
}

static void test_out_of_memory(void **state)
{
    (void)state;
    size_t size;
    uint8_t *b = small_model(&size);
    counter c;
    face_model *m = NULL;
    assert_int_equal(load(b, size, &c, &m), FACE_OK);
    size_t needed = c.n_alloc;
    face_model_destroy(m);
    assert_true(needed >= 2);
    for (size_t k = 0; k < needed; k++) {
        face_allocator a = counting(&c);
        c.fail_at = (long)k;
        assert_int_equal(face_model_load_memory(b, size, &a, &m), FACE_ERR_OUT_OF_MEMORY);
        assert_null(m);
        assert_int_equal(c.live, 0);
    }
    free(b);
}

/* The tensor-count bound is inclusive; one more is refused. */
static void test_tensor_count_bound(void **state)
{
    (void)state;
    for (int extra = 0; extra < 2; extra++) {
        int n = LF_MODEL_MAX_TENSORS + extra;
        syn_tensor *t = calloc((size_t)n, sizeof *t);
        char(*names)[16] = calloc((size_t)n, 16);
        float *vals = calloc((size_t)n, sizeof(float));
        for (int i = 0; i < n; i++) {
            snprintf(names[i], 16, "t%d", i);
            vals[i] = (float)i;
            t[i].name = names[i];
            t[i].ndim = 1;
            t[i].shape[0] = 1;
            t[i].vals = &vals[i];
        }
        size_t size;
        uint8_t *b = syn_build(FACE_MODEL_RECOGNITION, t, n, "", &size);
        counter c;
        face_model *m = NULL;
        face_status st = load(b, size, &c, &m);
        if (!extra) {
            assert_int_equal(st, FACE_OK);
            assert_int_equal(m->n_tensors, n);
            const lf_tensor *x = lf_model_find(m, "t4095");
            assert_non_null(x);
            assert_true(x->data[0] == 4095.0f);
            face_model_destroy(m);
        } else {
            assert_int_equal(st, FACE_ERR_CORRUPT);
        }
        free(b);
        free(vals);
        free(names);
        free(t);
    }
}

/* Four-dimensional shapes and a name of the maximum length. */
static void test_shapes_and_names(void **state)
{
    (void)state;
    char longname[128];
    memset(longname, 'n', 127);
    longname[127] = '\0';
    float v[2 * 3 * 4 * 5];
    for (int i = 0; i < 120; i++) v[i] = (float)i * 0.25f;
    const syn_tensor t[2] = {
        {longname, 4, {2, 3, 4, 5}, v},
        {"x", 3, {1, 1, 1, 0}, v},
    };
    size_t size;
    uint8_t *b = syn_build(FACE_MODEL_TINY_DETECTOR, t, 2, "k=v\n", &size);
    counter c;
    face_model *m = NULL;
    assert_int_equal(load(b, size, &c, &m), FACE_OK);
    assert_int_equal(face_model_kind_of(m), FACE_MODEL_TINY_DETECTOR);
    const float *p;
    int shape[4] = {2, 3, 4, 5};
    assert_int_equal(lf_model_get(m, longname, 4, shape, &p, NULL), FACE_OK);
    assert_memory_equal(p, v, sizeof v);
    int s3[3] = {1, 1, 1};
    assert_int_equal(lf_model_get(m, "x", 3, s3, &p, NULL), FACE_OK);
    assert_true(p[0] == 0.0f);
    face_model_destroy(m);
    assert_int_equal(c.live, 0);
    free(b);
}

/* ---------------------------------------------------------------- real models */

/* Every value of a uint8-quantized tensor must be float32(q*scale + min) for
 * an integer q in [0, 255], with scale/min from docs/models.md Appendix A;
 * q = 0 and q = 255 both occur because tfjs quantizes to the tensor's range. */
static void check_lattice(const face_model *m, const char *name, double scale, double mn)
{
    const lf_tensor *t = lf_model_find(m, name);
    if (!t) fail_msg("missing %s", name);
    int seen0 = 0, seen255 = 0;
    for (size_t i = 0; i < t->count; i++) {
        double q = round(((double)t->data[i] - mn) / scale);
        if (q < 0 || q > 255 || (float)(q * scale + mn) != t->data[i])
            fail_msg("%s[%zu] = %a is not on the quantization lattice", name, i,
                     (double)t->data[i]);
        seen0 |= q == 0;
        seen255 |= q == 255;
    }
    assert_true(seen0 && seen255);
}

static face_model *load_real(const char *file, int kind, int n_tensors)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", tu_model_dir(), file);
    face_model *m = NULL;
    face_status st = face_model_load_file(path, NULL, &m);
    if (st != FACE_OK) fail_msg("%s: %s", path, face_strerror(st));
    assert_int_equal(face_model_kind_of(m), kind);
    assert_int_equal(m->n_tensors, n_tensors);
    for (int i = 0; i < m->n_tensors; i++)
        assert_int_equal((uintptr_t)m->tensors[i].data % 64, 0);
    return m;
}

static float at(const face_model *m, const char *name, size_t i)
{
    const lf_tensor *t = lf_model_find(m, name);
    if (!t || i >= t->count) fail_msg("missing %s[%zu]", name, i);
    return t->data[i];
}

static void test_real_models(void **state)
{
    (void)state;
    face_model *m = load_real("tiny_face_detector.fmdl", FACE_MODEL_TINY_DETECTOR, 19);
    /* conv0/filters[0] has q = 166 in the .bin. */
    assert_true(at(m, "conv0/filters", 0) ==
                (float)(166 * 0.009007044399485869 + -1.2069439495311063));
    assert_true(at(m, "conv0/filters", 0) == 0x1.27249p-2f);
    check_lattice(m, "conv0/filters", 0.009007044399485869, -1.2069439495311063);
    check_lattice(m, "conv5/pointwise_filter", 0.030007277283014035, -3.8709387695088107);
    assert_true(at(m, "conv8/bias", 24) == 0x1.2949f2p-7f);
    int s8[4] = {1, 1, 512, 25};
    assert_int_equal(lf_model_get(m, "conv8/filters", 4, s8, NULL, NULL), FACE_OK);
    face_model_destroy(m);

    m = load_real("ssd_mobilenetv1.fmdl", FACE_MODEL_SSD_DETECTOR, 151);
    int sa[3] = {1, 5118, 4};
    const float *anchors;
    assert_int_equal(lf_model_get(m, "Output/extra_dim", 3, sa, &anchors, NULL), FACE_OK);
    /* Raw float32 read from odd offset 5,535,069 of the .bin. */
    assert_true(anchors[0] == -0x1.19999ap-5f && anchors[2] == 0x1.0cccccp-4f);
    for (int i = 0; i < 5118; i++) assert_true(anchors[4 * i] < anchors[4 * i + 2]);
    /* int32 constants: round-half-up(q*scale+min), stored as float. */
    assert_true(at(m, "Postprocessor/stack/1", 0) == 5118.0f);
    assert_true(at(m, "Prediction/BoxPredictor_0/stack_1/1", 0) == 3072.0f);
    assert_true(at(m, "Preprocessor/ResizeImage/size", 1) == 512.0f);
    assert_true(at(m, "Postprocessor/Slice/size", 2) == -1.0f);
    /* begin = round(q/255) for q = 0, 0, 255 */
    assert_true(at(m, "Postprocessor/Slice/begin", 1) == 0.0f);
    assert_true(at(m, "Postprocessor/Slice/begin", 2) == 1.0f);
    assert_true(at(m, "Preprocessor/mul/x", 0) == (float)0.007843137718737125);
    face_model_destroy(m);

    m = load_real("face_landmark_68.fmdl", FACE_MODEL_LANDMARKS68, 49);
    check_lattice(m, "fc/weights", 0.010417488509533453, -1.500118345372817);
    assert_true(at(m, "fc/bias", 0) == 0x1.3abb4cp-4f);
    assert_true(at(m, "fc/weights", 256 * 136 - 1) == -0x1.00052cp-4f);
    face_model_destroy(m);

    m = load_real("face_recognition.fmdl", FACE_MODEL_RECOGNITION, 117);
    check_lattice(m, "fc", 0.000357687911566566, -0.04578405268052045);
    assert_true(at(m, "fc", 0) == -0x1.bd6324p-8f);
    /* Raw float32 tensors are copied bit for bit. */
    assert_true(at(m, "conv64_down/conv1/conv/filters", 0) == -0x1.2667dp-8f);
    assert_true(at(m, "conv64_3/conv2/conv/filters", 3 * 3 * 64 * 64 - 1) == -0x1.08ecf6p-8f);
    face_model_destroy(m);
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) return 1;
    if (argc > 1 && strcmp(argv[1], "--real") == 0) {
        TU_REQUIRE_MODELS();
        const struct CMUnitTest real[] = {cmocka_unit_test(test_real_models)};
        return cmocka_run_group_tests(real, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_roundtrip),   cmocka_unit_test(test_file_roundtrip),
        cmocka_unit_test(test_null_args),          cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_every_byte_flip),    cmocka_unit_test(test_version_and_magic),
        cmocka_unit_test(test_resigned_mutations), cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_tensor_count_bound), cmocka_unit_test(test_shapes_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
