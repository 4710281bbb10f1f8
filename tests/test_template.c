/* Templates: byte form (round trip, exact layout, every truncation, every
 * corruption of the header, non-finite values) and face_compare (known
 * answers, fingerprints, bad arguments). */
#include <float.h>
#include <math.h>

#include "face/face.h"
#include "testutil.h"

#define N FACE_TEMPLATE_SERIALIZED_BYTES

static void make_template(face_template *t, uint64_t seed, uint8_t fp_byte)
{
    memset(t, 0, sizeof *t);
    t->struct_size = sizeof *t;
    t->version = FACE_TEMPLATE_VERSION;
    t->dim = FACE_TEMPLATE_DIM;
    t->flags = FACE_TEMPLATE_FLAG_ALIGN_DLIB | FACE_TEMPLATE_FLAG_FLIP_AVG;
    memset(t->fingerprint, fp_byte, sizeof t->fingerprint);
    uint64_t s = seed;
    for (int i = 0; i < FACE_TEMPLATE_DIM; i++) t->values[i] = tu_randf(&s, -0.3f, 0.3f);
}

/* Parse must leave *out untouched on error: check against a sentinel. */
static face_status parse_expect_untouched(const uint8_t *buf, size_t len)
{
    face_template out, sentinel;
    memset(&sentinel, 0xA5, sizeof sentinel);
    out = sentinel;
    face_status st = face_template_parse(buf, len, &out);
    if (st != FACE_OK) assert_memory_equal(&out, &sentinel, sizeof out);
    return st;
}

static void test_sizes(void **state)
{
    (void)state;
    assert_int_equal(face_template_dim(), FACE_TEMPLATE_DIM);
    assert_int_equal(face_template_sizeof(), sizeof(face_template));
    assert_int_equal(face_template_serialized_bytes(), N);
    assert_int_equal(N, 544);
}

static void test_round_trip(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed < 50; seed++) {
        face_template a, b;
        make_template(&a, seed * 7919, (uint8_t)seed);
        a.flags = (uint32_t)(seed % 8);
        uint8_t buf[N];
        assert_int_equal(face_template_serialize(&a, buf, sizeof buf), FACE_OK);
        memset(&b, 0xEE, sizeof b);
        assert_int_equal(face_template_parse(buf, sizeof buf, &b), FACE_OK);
        assert_memory_equal(&a, &b, sizeof a);
    }
}

/* The layout is a file format: pin it byte for byte. */
static void test_known_layout(void **state)
{
    (void)state;
    face_template t;
    make_template(&t, 1, 0);
    t.flags = FACE_TEMPLATE_FLAG_ALIGN_FACEAPI;
    for (int i = 0; i < FACE_FINGERPRINT_BYTES; i++) t.fingerprint[i] = (uint8_t)(0x10 + i);
    t.values[0] = 1.0f;
    t.values[1] = -2.5f;
    uint8_t buf[N + 8];
    memset(buf, 0x5A, sizeof buf);
    assert_int_equal(face_template_serialize(&t, buf, sizeof buf), FACE_OK);
    static const uint8_t head[] = {'F', 'T', 'P', 'L', 1, 0, 128, 0, 2, 0, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(buf, head, sizeof head);
    for (int i = 0; i < FACE_FINGERPRINT_BYTES; i++) assert_int_equal(buf[16 + i], 0x10 + i);
    static const uint8_t v0[] = {0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0};
    assert_memory_equal(buf + 32, v0, sizeof v0);
    for (size_t i = N; i < sizeof buf; i++) assert_int_equal(buf[i], 0x5A); /* no overrun */
}

static void test_serialize_bad_args(void **state)
{
    (void)state;
    face_template t;
    make_template(&t, 3, 1);
    uint8_t buf[N];
    assert_int_equal(face_template_serialize(NULL, buf, N), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_template_serialize(&t, NULL, N), FACE_ERR_INVALID_ARGUMENT);

    face_template bad = t;
    const uint32_t sizes[] = {0, sizeof t - 1, sizeof t + 1, 0xffffffffu};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        bad.struct_size = sizes[i];
        assert_int_equal(face_template_serialize(&bad, buf, N), FACE_ERR_INVALID_ARGUMENT);
    }
    bad = t;
    bad.dim = 127;
    assert_int_equal(face_template_serialize(&bad, buf, N), FACE_ERR_INVALID_ARGUMENT);
    bad = t;
    bad.version = 2;
    assert_int_equal(face_template_serialize(&bad, buf, N), FACE_ERR_INVALID_ARGUMENT);
    bad = t;
    bad.values[77] = NAN;
    assert_int_equal(face_template_serialize(&bad, buf, N), FACE_ERR_INVALID_ARGUMENT);
    bad.values[77] = INFINITY;
    assert_int_equal(face_template_serialize(&bad, buf, N), FACE_ERR_INVALID_ARGUMENT);

    /* Every short capacity: refused, and nothing written. */
    for (size_t cap = 0; cap < N; cap++) {
        memset(buf, 0xC3, sizeof buf);
        assert_int_equal(face_template_serialize(&t, buf, cap), FACE_ERR_BUFFER_TOO_SMALL);
        for (size_t i = 0; i < N; i++) assert_int_equal(buf[i], 0xC3);
    }
}

static void test_parse_truncations(void **state)
{
    (void)state;
    face_template t;
    make_template(&t, 5, 2);
    uint8_t buf[N + 1];
    assert_int_equal(face_template_serialize(&t, buf, N), FACE_OK);
    buf[N] = 0;
    for (size_t len = 0; len < N; len++)
        assert_int_equal(parse_expect_untouched(buf, len), FACE_ERR_CORRUPT);
    assert_int_equal(parse_expect_untouched(buf, N + 1), FACE_ERR_CORRUPT);
    assert_int_equal(parse_expect_untouched(buf, N), FACE_OK);

    face_template out;
    assert_int_equal(face_template_parse(NULL, N, &out), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_template_parse(buf, N, NULL), FACE_ERR_INVALID_ARGUMENT);
}

/* Every value of every byte of the magic, version and dimension. */
static void test_parse_header_bytes(void **state)
{
    (void)state;
    face_template t;
    make_template(&t, 9, 3);
    uint8_t good[N], buf[N];
    assert_int_equal(face_template_serialize(&t, good, N), FACE_OK);
    for (int off = 0; off < 8; off++) {
        for (int x = 1; x < 256; x++) {
            memcpy(buf, good, N);
            buf[off] ^= (uint8_t)x;
            face_status want = off < 4 ? FACE_ERR_CORRUPT
                             : off < 6 ? FACE_ERR_UNSUPPORTED_VERSION
                                       : FACE_ERR_CORRUPT;
            assert_int_equal(parse_expect_untouched(buf, N), want);
        }
    }
    /* A future version is reported as such even at another length. */
    memcpy(buf, good, N);
    buf[4] = 2;
    assert_int_equal(parse_expect_untouched(buf, N - 100), FACE_ERR_UNSUPPORTED_VERSION);
}

static void test_parse_flags_reserved(void **state)
{
    (void)state;
    face_template t;
    make_template(&t, 11, 4);
    uint8_t good[N], buf[N];
    assert_int_equal(face_template_serialize(&t, good, N), FACE_OK);
    for (int bit = 0; bit < 32; bit++) {
        memcpy(buf, good, N);
        buf[8 + bit / 8] ^= (uint8_t)(1u << (bit % 8));
        face_status want = bit < 3 ? FACE_OK : FACE_ERR_CORRUPT; /* three defined flags */
        assert_int_equal(parse_expect_untouched(buf, N), want);
        memcpy(buf, good, N);
        buf[12 + bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(parse_expect_untouched(buf, N), FACE_ERR_CORRUPT);
    }
}

static void test_parse_non_finite(void **state)
{
    (void)state;
    face_template t;
    make_template(&t, 13, 5);
    uint8_t good[N], buf[N];
    assert_int_equal(face_template_serialize(&t, good, N), FACE_OK);
    /* quiet NaN, signalling NaN, negative NaN, +inf, -inf */
    static const uint32_t bad[] = {0x7fc00000u, 0x7f800001u, 0xffffffffu, 0x7f800000u, 0xff800000u};
    for (int i = 0; i < FACE_TEMPLATE_DIM; i++) {
        for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
            memcpy(buf, good, N);
            for (int j = 0; j < 4; j++) buf[32 + 4 * i + j] = (uint8_t)(bad[k] >> (8 * j));
            assert_int_equal(parse_expect_untouched(buf, N), FACE_ERR_CORRUPT);
        }
    }
    /* Largest finite and denormal values are fine. */
    memcpy(buf, good, N);
    buf[32] = 0xff, buf[33] = 0xff, buf[34] = 0x7f, buf[35] = 0x7f;
    buf[36] = 0x01, buf[37] = 0x00, buf[38] = 0x00, buf[39] = 0x80;
    face_template out;
    assert_int_equal(face_template_parse(buf, N, &out), FACE_OK);
    assert_true(out.values[0] == FLT_MAX);
    assert_true(out.values[1] < 0.0f && out.values[1] > -FLT_MIN);
}

static void test_compare_known(void **state)
{
    (void)state;
    face_template a, b;
    make_template(&a, 1, 7);
    b = a;
    memset(a.values, 0, sizeof a.values);
    memset(b.values, 0, sizeof b.values);
    float d = -1, s = -1;

    assert_int_equal(face_compare(&a, &b, &d, &s), FACE_OK);
    assert_true(d == 0.0f && s == 1.0f);

    b.values[5] = 0.6f; /* the trained decision distance: similarity 0.5 */
    assert_int_equal(face_compare(&a, &b, &d, &s), FACE_OK);
    assert_true(d == 0.6f);
    assert_float_equal(s, 0.5f, 1e-7f);

    a.values[0] = 0.3f; /* 0.3, 0.4 -> 0.5 (all exactly representable after rounding) */
    b.values[5] = 0.0f;
    b.values[1] = 0.4f;
    assert_int_equal(face_compare(&a, &b, &d, &s), FACE_OK);
    assert_float_equal(d, 0.5f, 1e-7f);
    assert_float_equal(s, 1.0f - 0.5f / 1.2f, 1e-7f);

    a.values[0] = 3.0f; /* far apart: similarity clamps to 0 */
    b.values[1] = 4.0f;
    assert_int_equal(face_compare(&a, &b, &d, &s), FACE_OK);
    assert_true(d == 5.0f && s == 0.0f);

    /* Extreme finite values: the distance saturates instead of wrapping. */
    a.values[0] = FLT_MAX;
    b.values[0] = -FLT_MAX;
    assert_int_equal(face_compare(&a, &b, &d, &s), FACE_OK);
    assert_true(isinf(d) && s == 0.0f);

    /* Outputs are optional. */
    assert_int_equal(face_compare(&a, &b, NULL, NULL), FACE_OK);
}

/* Random pairs against a double computation written out here. */
static void test_compare_random(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed < 200; seed++) {
        face_template a, b;
        make_template(&a, seed, 9);
        make_template(&b, seed * 31 + 17, 9);
        double s2 = 0;
        for (int i = 0; i < FACE_TEMPLATE_DIM; i++) {
            double diff = (double)a.values[i] - (double)b.values[i];
            s2 += diff * diff;
        }
        float d1, d2, s1, s2f;
        assert_int_equal(face_compare(&a, &b, &d1, &s1), FACE_OK);
        assert_int_equal(face_compare(&b, &a, &d2, &s2f), FACE_OK);
        assert_true(d1 == d2 && s1 == s2f); /* symmetric, bit for bit */
        assert_true(d1 == (float)sqrt(s2));
        double sim = 1.0 - sqrt(s2) / 1.2;
        sim = sim < 0 ? 0 : sim > 1 ? 1 : sim;
        assert_true(s1 == (float)sim);
    }
}

static void test_compare_errors(void **state)
{
    (void)state;
    face_template a, b;
    make_template(&a, 21, 1);
    make_template(&b, 22, 1);
    float d = 123, s = 456;
    assert_int_equal(face_compare(NULL, &b, &d, &s), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_compare(&a, NULL, &d, &s), FACE_ERR_INVALID_ARGUMENT);

    /* A different fingerprint in any byte is a different model. */
    for (int i = 0; i < FACE_FINGERPRINT_BYTES; i++) {
        face_template c = b;
        c.fingerprint[i] ^= 0x01;
        assert_int_equal(face_compare(&a, &c, &d, &s), FACE_ERR_MODEL_MISMATCH);
        assert_int_equal(face_compare(&c, &a, &d, &s), FACE_ERR_MODEL_MISMATCH);
    }
    face_template c = b;
    c.struct_size = sizeof c - 4;
    assert_int_equal(face_compare(&a, &c, &d, &s), FACE_ERR_INVALID_ARGUMENT);
    c = b;
    c.dim = 64;
    assert_int_equal(face_compare(&c, &a, &d, &s), FACE_ERR_INVALID_ARGUMENT);
    c = b;
    c.version = 0;
    assert_int_equal(face_compare(&a, &c, &d, &s), FACE_ERR_INVALID_ARGUMENT);
    for (int i = 0; i < FACE_TEMPLATE_DIM; i += 9) {
        c = b;
        c.values[i] = NAN;
        assert_int_equal(face_compare(&a, &c, &d, &s), FACE_ERR_INVALID_ARGUMENT);
        c.values[i] = -INFINITY;
        assert_int_equal(face_compare(&c, &a, &d, &s), FACE_ERR_INVALID_ARGUMENT);
    }
    assert_true(d == 123 && s == 456); /* untouched on every error */
}

static void test_wipe(void **state)
{
    (void)state;
    face_template t, zero;
    make_template(&t, 1, 0xFF);
    memset(&zero, 0, sizeof zero);
    face_template_wipe(&t);
    assert_memory_equal(&t, &zero, sizeof t);
    face_template_wipe(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_known_layout),
        cmocka_unit_test(test_serialize_bad_args),
        cmocka_unit_test(test_parse_truncations),
        cmocka_unit_test(test_parse_header_bytes),
        cmocka_unit_test(test_parse_flags_reserved),
        cmocka_unit_test(test_parse_non_finite),
        cmocka_unit_test(test_compare_known),
        cmocka_unit_test(test_compare_random),
        cmocka_unit_test(test_compare_errors),
        cmocka_unit_test(test_wipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
