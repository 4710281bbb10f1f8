/* Error-rate arithmetic of the accuracy harness (bench/accuracy/metrics.c)
 * on small hand-made score lists whose answers are worked out by hand in the
 * comments. */
#include <math.h>

#include "testutil.h"

#include "../bench/accuracy/metrics.h"

static const float nonmated10[10] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1.0f};

static void test_threshold_at_rate(void **state)
{
    (void)state;
    /* rate 0.1 of 10: one non-mated score may match -> just below 0.2 */
    double t = acc_threshold_at_rate(nonmated10, 10, 0.1);
    assert_true(t < 0.2f && t >= 0.1999999);
    assert_true(acc_rate_at(nonmated10, 10, t) == 0.1);
    /* rate 0.35: floor(3.5) = 3 may match -> below 0.4, FMR 0.3 */
    t = acc_threshold_at_rate(nonmated10, 10, 0.35);
    assert_true(acc_rate_at(nonmated10, 10, t) == 0.3);
    /* below 1/n: nothing may match */
    t = acc_threshold_at_rate(nonmated10, 10, 0.05);
    assert_true(t < 0.1f);
    assert_true(acc_rate_at(nonmated10, 10, t) == 0.0);
    /* rate 1: everything matches */
    assert_true(isinf(acc_threshold_at_rate(nonmated10, 10, 1.0)));
    assert_true(isinf(acc_threshold_at_rate(nonmated10, 0, 0.1)) &&
                acc_threshold_at_rate(nonmated10, 0, 0.1) < 0);
    /* exact products such as 0.3 * 10 are not lost to rounding */
    t = acc_threshold_at_rate(nonmated10, 10, 0.3);
    assert_true(acc_rate_at(nonmated10, 10, t) == 0.3);
    /* ties: 3 equal scores at 0.2, rate 0.25 allows 1 -> none can match */
    const float tied[4] = {0.2f, 0.2f, 0.2f, 0.5f};
    t = acc_threshold_at_rate(tied, 4, 0.25);
    assert_true(acc_rate_at(tied, 4, t) == 0.0);
    t = acc_threshold_at_rate(tied, 4, 0.75); /* 3 allowed: all three ties */
    assert_true(acc_rate_at(tied, 4, t) == 0.75);
}

static void test_miss_at_rate(void **state)
{
    (void)state;
    /* mated: four comparisons and one failed detection (+inf) */
    const float mated[5] = {0.05f, 0.15f, 0.25f, 0.35f, INFINITY};
    double t;
    /* FMR 0.1 -> t < 0.2: 2 of 5 mated match -> FNMR 0.6 (TAR 0.4) */
    assert_true(fabs(acc_miss_at_rate(mated, 5, nonmated10, 10, 0.1, &t) - 0.6) < 1e-12);
    assert_true(t < 0.2f);
    /* FMR 0.3 -> t < 0.4: 4 of 5 -> 0.2 */
    assert_true(fabs(acc_miss_at_rate(mated, 5, nonmated10, 10, 0.3, NULL) - 0.2) < 1e-12);
    /* FMR 1 -> t = inf: the failed detection still misses */
    assert_true(fabs(acc_miss_at_rate(mated, 5, nonmated10, 10, 1.0, NULL) - 0.2) < 1e-12);
    /* FMR 0 -> t just below the best impostor (0.1): 0.05 still matches */
    assert_true(fabs(acc_miss_at_rate(mated, 5, nonmated10, 10, 0.0, NULL) - 0.8) < 1e-12);
    /* non-mated +inf (no face) never raises an alarm */
    const float nm_inf[4] = {0.3f, INFINITY, INFINITY, INFINITY};
    assert_true(acc_rate_at(nm_inf, 4, INFINITY) == 0.25);
}

static void test_eer(void **state)
{
    (void)state;
    /* t = 3.5: FMR 1/4 (3.5), FNMR 1/4 (4 misses) -> EER 0.25 */
    const float m[4] = {1, 2, 3, 4}, n[4] = {3.5f, 5, 6, 7};
    double t;
    assert_true(fabs(acc_eer(m, 4, n, 4, &t) - 0.25) < 1e-12);
    assert_true(t == 3.5);
    /* perfectly separated: EER 0 at the last mated score */
    const float n2[4] = {5, 6, 7, 8};
    assert_true(acc_eer(m, 4, n2, 4, &t) == 0.0);
    assert_true(t == 4.0);
    /* every mated comparison failed: FNMR is 1 everywhere, and the rates
     * meet only when every impostor matches too */
    const float minf[2] = {INFINITY, INFINITY};
    assert_true(acc_eer(minf, 2, n2, 4, &t) == 1.0);
    assert_true(t == 8.0);
    assert_true(isnan(acc_eer(m, 0, n2, 4, NULL)));
}

static void test_lofo(void **state)
{
    (void)state;
    /* fold 0: same 0.1 0.2, different 0.8 0.9 (separable at 0.5)
     * fold 1: same 0.3 0.5, different 0.4 0.7, and a same pair without a face
     * Threshold for fold 0 from fold 1: cuts 0.35 and 0.6 both get 3 of 4
     * right, the smaller wins -> 0.35 -> fold 0 all right (1.0).
     * Threshold for fold 1 from fold 0: 0.5 -> 0.3 right, 0.4 wrong, 0.5
     * wrong (not < 0.5), 0.7 right, the faceless pair wrong -> 2/5 = 0.4. */
    const acc_pair p[] = {
        {0, 1, 1, 0.1}, {0, 1, 1, 0.2}, {0, 0, 1, 0.8}, {0, 0, 1, 0.9},
        {1, 1, 1, 0.3}, {1, 1, 1, 0.5}, {1, 0, 1, 0.4}, {1, 0, 1, 0.7}, {1, 1, 0, 0.0},
    };
    size_t n = sizeof p / sizeof p[0];
    assert_true(fabs(acc_best_threshold(p, n, 1) - 0.5) < 1e-12);
    assert_true(fabs(acc_best_threshold(p, n, 0) - 0.35) < 1e-12);
    double fa[2], ft[2], sd;
    double mean = acc_lofo(p, n, 2, fa, ft, &sd);
    assert_true(fa[0] == 1.0);
    assert_true(fabs(fa[1] - 0.4) < 1e-12);
    assert_true(fabs(mean - 0.7) < 1e-12);
    assert_true(fabs(sd - 0.3) < 1e-12);
    size_t cnt;
    assert_true(fabs(acc_fold_accuracy(p, n, -1, 0.6, &cnt) - 7.0 / 9.0) < 1e-12);
    assert_true(cnt == 9);
    /* no valid training pair: threshold 0, every pair called different */
    const acc_pair q[] = {{0, 1, 0, 0.0}, {1, 0, 1, 0.5}};
    assert_true(acc_best_threshold(q, 2, 1) == 0.0);
}

static void test_sort(void **state)
{
    (void)state;
    float v[6] = {3, INFINITY, 1, 2, 0.5f, 1};
    acc_sort(v, 6);
    for (int i = 1; i < 6; i++) assert_true(v[i - 1] <= v[i]);
    assert_true(isinf(v[5]));
    acc_sort(v, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threshold_at_rate), cmocka_unit_test(test_miss_at_rate),
        cmocka_unit_test(test_eer), cmocka_unit_test(test_lofo), cmocka_unit_test(test_sort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
