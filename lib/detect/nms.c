/* Greedy class-agnostic NMS shared by both detectors (§3.2, §4.5), and by the
 * pyramid driver when it merges views. Boxes are in double precision: the
 * golden boxes are compared at IoU 0.99, and a float box would already lose
 * ~1e-4 px at 1920 px before any network error. */
#include "detect/detect.h"

double lf_det_iou(const lf_det_box *a, const lf_det_box *b)
{
    double aa = (a->x1 - a->x0) * (a->y1 - a->y0);
    double ab = (b->x1 - b->x0) * (b->y1 - b->y0);
    if (aa <= 0 || ab <= 0) return 0.0;
    double iw = (a->x1 < b->x1 ? a->x1 : b->x1) - (a->x0 > b->x0 ? a->x0 : b->x0);
    double ih = (a->y1 < b->y1 ? a->y1 : b->y1) - (a->y0 > b->y0 ? a->y0 : b->y0);
    if (iw <= 0 || ih <= 0) return 0.0;
    double inter = iw * ih;
    return inter / (aa + ab - inter);
}

static int before(const lf_det_box *a, const lf_det_box *b)
{
    if (a->score != b->score) return a->score > b->score;
    return a->idx < b->idx;
}

/* Heap sort: in place (no scratch to reserve) and O(n log n) for the ~5000
 * SSD anchors; it is not stable, but the idx tie break makes the order
 * total, so the result equals a stable sort by score. */
static void sift(lf_det_box *b, size_t root, size_t n)
{
    for (;;) {
        size_t c = 2 * root + 1;
        if (c >= n) return;
        /* max-heap on "sorts later" so the front ends up best-first */
        if (c + 1 < n && before(&b[c], &b[c + 1])) c++;
        if (!before(&b[root], &b[c])) return;
        lf_det_box t = b[root];
        b[root] = b[c];
        b[c] = t;
        root = c;
    }
}

void lf_det_sort(lf_det_box *b, size_t n)
{
    if (n < 2) return;
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            lf_det_box t = b[i];
            size_t j = i;
            while (j > 0 && before(&t, &b[j - 1])) {
                b[j] = b[j - 1];
                j--;
            }
            b[j] = t;
        }
        return;
    }
    /* Heap whose top is the worst box; pop worst to the back. */
    for (size_t i = n / 2; i-- > 0;) sift(b, i, n);
    for (size_t end = n - 1; end > 0; end--) {
        lf_det_box t = b[0];
        b[0] = b[end];
        b[end] = t;
        sift(b, 0, end);
    }
}

size_t lf_det_nms(lf_det_box *b, size_t n, double iou, size_t max_keep)
{
    size_t kept = 0;
    for (size_t i = 0; i < n && kept < max_keep; i++) {
        int ok = 1;
        for (size_t j = 0; j < kept; j++) {
            if (lf_det_iou(&b[i], &b[j]) > iou) {
                ok = 0;
                break;
            }
        }
        if (ok) b[kept++] = b[i];
    }
    return kept;
}
