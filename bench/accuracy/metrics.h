/* Biometric error rates on score lists, for the accuracy harness and its
 * unit tests (tests/test_metrics.c). Plain C, no libface dependency.
 *
 * Scores are distances: smaller means more alike, and a comparison is a
 * match when distance <= threshold (the rule face_watchlist_search uses).
 * A comparison that could not be made (no face found) is passed as +inf:
 * it never matches (not even at threshold +inf), so it is a false non-match for a mated comparison and
 * a correct rejection for a non-mated one. */
#ifndef ACC_METRICS_H
#define ACC_METRICS_H

#include <stddef.h>

/* Sort ascending in place (NaN is not allowed). */
void acc_sort(float *v, size_t n);

/* Fraction of the sorted list with value <= t. 0 for an empty list. */
double acc_rate_at(const float *sorted, size_t n, double t);

/* The largest threshold t such that at most floor(rate * n) of the sorted
 * non-mated scores are <= t, that is the operating point for a target false
 * match rate (or FPIR). If floor(rate * n) == 0 the threshold lies just below
 * the smallest score; if it is >= n, it is +inf. Returns -inf for n == 0. */
double acc_threshold_at_rate(const float *sorted_nonmated, size_t n, double rate);

/* Miss rate (FNMR / FNIR) at the operating point of a target false match rate:
 * 1 - acc_rate_at(mated, threshold_at_rate(nonmated, rate)). Both sorted. */
double acc_miss_at_rate(const float *sorted_mated, size_t nm, const float *sorted_nonmated,
                        size_t nn, double rate, double *threshold);

/* Equal error rate: the point where FMR(t) and FNMR(t) cross, swept over
 * every distinct score; returns the mean of the two at the threshold where
 * |FMR - FNMR| is smallest (ties: the smallest threshold). */
double acc_eer(const float *sorted_mated, size_t nm, const float *sorted_nonmated, size_t nn,
               double *threshold);

/* One verification pair of a fold protocol. valid = 0: a face was not found,
 * the pair is an error at every threshold. */
typedef struct acc_pair {
    int fold;
    int same;
    int valid;
    double dist;
} acc_pair;

/* Threshold maximising accuracy over the pairs not in fold `fold` (all pairs
 * when fold < 0): candidates are midpoints between consecutive distinct valid
 * distances (plus one below and one above all of them); the rule is
 * "same when dist < threshold"; ties go to the smallest threshold. */
double acc_best_threshold(const acc_pair *p, size_t n, int fold);

/* Accuracy of threshold thr on the pairs of fold `fold` (all when fold < 0);
 * *count receives how many pairs were counted (may be NULL). */
double acc_fold_accuracy(const acc_pair *p, size_t n, int fold, double thr, size_t *count);

/* Leave-one-fold-out: for each fold 0..nfolds-1 the threshold is chosen on
 * the other folds and applied to this one. Returns the mean accuracy; per-fold
 * accuracy/threshold go to the arrays when not NULL; *sd the population
 * standard deviation over folds. */
double acc_lofo(const acc_pair *p, size_t n, int nfolds, double *fold_acc, double *fold_thr,
                double *sd);

#endif
