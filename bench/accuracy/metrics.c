/* Error-rate arithmetic; see metrics.h for the conventions. */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

void acc_sort(float *v, size_t n)
{
    if (n > 1) qsort(v, n, sizeof *v, cmp_float);
}

/* Number of elements <= t (upper bound by bisection). +inf is "no
 * comparison" and never matches, not even at t = +inf. */
static size_t count_le(const float *s, size_t n, double t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((double)s[mid] <= t) lo = mid + 1;
        else hi = mid;
    }
    while (lo > 0 && isinf(s[lo - 1]) && s[lo - 1] > 0) lo--;
    return lo;
}

double acc_rate_at(const float *sorted, size_t n, double t)
{
    return n ? (double)count_le(sorted, n, t) / (double)n : 0.0;
}

double acc_threshold_at_rate(const float *s, size_t n, double rate)
{
    if (n == 0) return -INFINITY;
    double kd = floor(rate * (double)n + 1e-9); /* 1e-9: rate*n of an exact count */
    if (kd < 0) kd = 0;
    if (kd >= (double)n) return INFINITY;
    size_t k = (size_t)kd;
    /* Everything strictly below s[k] is allowed to match, s[k] itself (and
     * any ties with it) must not: just below s[k]. With ties at s[k-1] ==
     * s[k], fewer than k may match; that is the honest operating point. */
    return nextafter((double)s[k], -INFINITY);
}

double acc_miss_at_rate(const float *mated, size_t nm, const float *nonmated, size_t nn,
                        double rate, double *threshold)
{
    double t = acc_threshold_at_rate(nonmated, nn, rate);
    if (threshold) *threshold = t;
    return nm ? 1.0 - acc_rate_at(mated, nm, t) : 0.0;
}

double acc_eer(const float *mated, size_t nm, const float *nonmated, size_t nn, double *threshold)
{
    if (!nm || !nn) {
        if (threshold) *threshold = NAN;
        return NAN;
    }
    /* Sweep the merged distinct finite values; at t the FMR rises and FNMR
     * falls, both step functions. */
    size_t i = 0, j = 0;
    /* t below every score: FMR 0, FNMR 1. */
    double best = 1.0, best_t = -INFINITY, best_eer = 0.5;
    for (;;) {
        double t;
        if (i < nm && j < nn) t = fmin(mated[i], nonmated[j]);
        else if (i < nm) t = mated[i];
        else if (j < nn) t = nonmated[j];
        else break;
        if (!isfinite(t)) break;
        while (i < nm && (double)mated[i] <= t) i++;
        while (j < nn && (double)nonmated[j] <= t) j++;
        double fmr = (double)j / (double)nn, fnmr = 1.0 - (double)i / (double)nm;
        double gap = fabs(fmr - fnmr);
        if (gap < best) best = gap, best_t = t, best_eer = (fmr + fnmr) / 2;
    }
    if (threshold) *threshold = best_t;
    return best_eer;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct scored {
    double d;
    int same;
} scored;

static int cmp_scored(const void *a, const void *b)
{
    return cmp_double(&((const scored *)a)->d, &((const scored *)b)->d);
}

double acc_best_threshold(const acc_pair *p, size_t n, int fold)
{
    scored *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return NAN;
    size_t m = 0, diff_total = 0;
    for (size_t i = 0; i < n; i++) {
        if (fold >= 0 && p[i].fold == fold) continue;
        if (!p[i].valid) continue; /* wrong at every threshold: does not move the optimum */
        v[m].d = p[i].dist;
        v[m].same = p[i].same;
        diff_total += !p[i].same;
        m++;
    }
    if (m == 0) {
        free(v);
        return 0.0;
    }
    qsort(v, m, sizeof *v, cmp_scored);
    /* Cut before index c: pairs [0, c) are called same. Right answers =
     * same among [0,c) + different among [c, m). Only cuts between distinct
     * values are thresholds a rule "dist < t" can express. */
    size_t same_below = 0, diff_below = 0, best_right = 0;
    double best_t = v[0].d - 1.0;
    best_right = diff_total; /* c = 0 */
    for (size_t c = 1; c <= m; c++) {
        same_below += v[c - 1].same;
        diff_below += !v[c - 1].same;
        if (c < m && v[c].d == v[c - 1].d) continue;
        size_t right = same_below + (diff_total - diff_below);
        if (right > best_right) {
            best_right = right;
            best_t = c < m ? (v[c - 1].d + v[c].d) / 2 : v[m - 1].d + 1.0;
        }
    }
    free(v);
    return best_t;
}

double acc_fold_accuracy(const acc_pair *p, size_t n, int fold, double thr, size_t *count)
{
    size_t right = 0, all = 0;
    for (size_t i = 0; i < n; i++) {
        if (fold >= 0 && p[i].fold != fold) continue;
        all++;
        if (p[i].valid && (p[i].dist < thr) == (p[i].same != 0)) right++;
    }
    if (count) *count = all;
    return all ? (double)right / (double)all : 0.0;
}

double acc_lofo(const acc_pair *p, size_t n, int nfolds, double *fold_acc, double *fold_thr,
                double *sd)
{
    double sum = 0, sum2 = 0;
    for (int f = 0; f < nfolds; f++) {
        double thr = acc_best_threshold(p, n, f);
        double a = acc_fold_accuracy(p, n, f, thr, NULL);
        if (fold_acc) fold_acc[f] = a;
        if (fold_thr) fold_thr[f] = thr;
        sum += a;
        sum2 += a * a;
    }
    double mean = nfolds > 0 ? sum / nfolds : 0.0;
    if (sd) *sd = nfolds > 0 ? sqrt(fmax(0.0, sum2 / nfolds - mean * mean)) : 0.0;
    return mean;
}
