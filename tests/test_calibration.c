/* face_threshold_for_fmr and the calibration lookup behind it: a hand-made
 * table with known answers, the shipped table's invariants (monotonic, within
 * range, exact at its points, enough impostor pairs under every point), bad
 * arguments, and - with the converted models - the public call on a real
 * engine. */
#include <math.h>

#include "testutil.h"

#include "engine/calibration.h"

static const lf_calib_point pts[3] = {{-4.0, 0.40f}, {-3.0, 0.50f}, {-2.0, 0.60f}};
static const lf_calibration tab = {{0}, FACE_ALIGN_DLIB, pts, 3, 1000000};

static void test_lookup_known(void **state)
{
    (void)state;
    float t = -1;
    assert_int_equal(lf_calibration_lookup(&tab, 1e-3, &t), FACE_OK);
    assert_true(t == 0.50f);
    assert_int_equal(lf_calibration_lookup(&tab, 1e-4, &t), FACE_OK);
    assert_true(t == 0.40f);
    assert_int_equal(lf_calibration_lookup(&tab, 1e-2, &t), FACE_OK);
    assert_true(t == 0.60f);
    /* halfway in log10: 10^-2.5 -> 0.55; 10^-3.75 -> 0.425 */
    assert_int_equal(lf_calibration_lookup(&tab, pow(10, -2.5), &t), FACE_OK);
    assert_true(fabsf(t - 0.55f) < 1e-6f);
    assert_int_equal(lf_calibration_lookup(&tab, pow(10, -3.75), &t), FACE_OK);
    assert_true(fabsf(t - 0.425f) < 1e-6f);
}

static void test_lookup_bad(void **state)
{
    (void)state;
    float t = 123.0f;
    /* outside the measured range: refused, not extrapolated */
    assert_int_equal(lf_calibration_lookup(&tab, 1e-5, &t), FACE_ERR_LIMIT);
    assert_int_equal(lf_calibration_lookup(&tab, 0.5, &t), FACE_ERR_LIMIT);
    const double bad[] = {0.0, -1e-3, 1.0, 2.0, NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(lf_calibration_lookup(&tab, bad[i], &t), FACE_ERR_INVALID_ARGUMENT);
    assert_true(t == 123.0f); /* untouched on every error */
    assert_int_equal(lf_calibration_lookup(NULL, 1e-3, &t), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_calibration_lookup(&tab, 1e-3, NULL), FACE_ERR_INVALID_ARGUMENT);
    lf_calibration empty = tab;
    empty.count = 0;
    assert_int_equal(lf_calibration_lookup(&empty, 1e-3, &t), FACE_ERR_INVALID_ARGUMENT);
    /* a one-point table answers at its point only */
    lf_calibration one = tab;
    one.count = 1;
    assert_int_equal(lf_calibration_lookup(&one, 1e-4, &t), FACE_OK);
    assert_true(t == 0.40f);
    assert_int_equal(lf_calibration_lookup(&one, 2e-4, &t), FACE_ERR_LIMIT);
}

static void test_builtin_table(void **state)
{
    (void)state;
    const lf_calibration *c = lf_calibration_builtin();
    assert_non_null(c);
    assert_true(c->count >= 2);
    assert_int_equal(c->align_mode, FACE_ALIGN_DLIB);
    assert_true(c->impostor_pairs > 0);
    for (size_t i = 0; i < c->count; i++) {
        assert_true(isfinite(c->points[i].distance));
        assert_true(c->points[i].distance > 0.0f && c->points[i].distance < 2.0f);
        assert_true(c->points[i].log10_fmr < 0.0);
        /* every point rests on at least 10 impostor pairs */
        assert_true(pow(10, c->points[i].log10_fmr) * (double)c->impostor_pairs >= 10.0);
        if (i) {
            assert_true(c->points[i].log10_fmr > c->points[i - 1].log10_fmr);
            assert_true(c->points[i].distance >= c->points[i - 1].distance);
        }
        float t;
        assert_int_equal(lf_calibration_lookup(c, pow(10, c->points[i].log10_fmr), &t), FACE_OK);
        assert_true(t == c->points[i].distance);
    }
    /* monotonic across the whole range, in fine steps */
    double lo = c->points[0].log10_fmr, hi = c->points[c->count - 1].log10_fmr;
    float prev = -1;
    for (int k = 0; k <= 1000; k++) {
        float t;
        double l = lo + (hi - lo) * k / 1000.0;
        assert_int_equal(lf_calibration_lookup(c, pow(10, l), &t), FACE_OK);
        assert_true(t >= prev);
        prev = t;
    }
    float t;
    assert_int_equal(lf_calibration_lookup(c, pow(10, lo - 0.01), &t), FACE_ERR_LIMIT);
    assert_int_equal(lf_calibration_lookup(c, pow(10, hi + 0.01), &t), FACE_ERR_LIMIT);
}

static void test_public_call(void **state)
{
    (void)state;
    float t = 7.0f;
    /* argument checks come before the engine is looked at */
    assert_int_equal(face_threshold_for_fmr(NULL, 1e-3, &t), FACE_ERR_INVALID_ARGUMENT);
    assert_true(t == 7.0f);
    const char *dir = tu_model_dir();
    if (!dir) {
        skip();
        return;
    }
    face_engine *e = NULL;
    assert_int_equal(face_engine_create_from_dir(dir, NULL, &e), FACE_OK);
    const lf_calibration *c = lf_calibration_builtin();
    for (size_t i = 0; i < c->count; i++) {
        assert_int_equal(face_threshold_for_fmr(e, pow(10, c->points[i].log10_fmr), &t), FACE_OK);
        assert_true(t == c->points[i].distance);
    }
    /* the decimal spelling of a table point gives that point */
    assert_int_equal(face_threshold_for_fmr(e, 1e-4, &t), FACE_OK);
    float t3;
    assert_int_equal(face_threshold_for_fmr(e, 1e-3, &t3), FACE_OK);
    assert_true(t3 > t);
    assert_int_equal(face_threshold_for_fmr(e, 1e-4, NULL), FACE_ERR_INVALID_ARGUMENT);
    const double bad[] = {0.0, -1.0, 1.0, NAN, INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(face_threshold_for_fmr(e, bad[i], &t), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_threshold_for_fmr(e, 1e-12, &t), FACE_ERR_LIMIT);
    face_engine_destroy(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_known), cmocka_unit_test(test_lookup_bad),
        cmocka_unit_test(test_builtin_table), cmocka_unit_test(test_public_call),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
