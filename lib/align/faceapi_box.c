/* face-api's descriptor crop (docs/models.md §7.1): an axis-aligned square
 * chosen from the eyes and mouth, limited by the detection box it came from
 * (the validated width/height correction), clipped to the image and floored.
 * Computed in double like face-api's JS numbers. */
#include <math.h>

#include "align/align.h"

/* Mean of points [i0, i1) as NumPy's mean(axis=0): a running sum per axis. */
static void mean_pts(const face_landmarks *lm, int i0, int i1, double *mx, double *my)
{
    double sx = lm->points[i0].x, sy = lm->points[i0].y;
    for (int i = i0 + 1; i < i1; i++) {
        sx += lm->points[i].x;
        sy += lm->points[i].y;
    }
    *mx = sx / (i1 - i0);
    *my = sy / (i1 - i0);
}

face_status lf_faceapi_box(const face_landmarks *lm, const face_rect *det_box, int img_w,
                           int img_h, face_rect *out)
{
    if (!lm || !det_box || !out || img_w <= 0 || img_h <= 0) return FACE_ERR_INVALID_ARGUMENT;
    for (int i = 0; i < FACE_LANDMARK_COUNT; i++)
        if (!isfinite(lm->points[i].x) || !isfinite(lm->points[i].y))
            return FACE_ERR_INVALID_ARGUMENT;
    if (!isfinite(det_box->x) || !isfinite(det_box->y) || !isfinite(det_box->width) ||
        !isfinite(det_box->height))
        return FACE_ERR_INVALID_ARGUMENT;

    double lx, ly, rx, ry, mx, my;
    mean_pts(lm, 36, 42, &lx, &ly); /* image-left eye */
    mean_pts(lm, 42, 48, &rx, &ry); /* image-right eye */
    mean_pts(lm, 48, 68, &mx, &my); /* whole mouth */
    double dl = sqrt((mx - lx) * (mx - lx) + (my - ly) * (my - ly));
    double dr = sqrt((mx - rx) * (mx - rx) + (my - ry) * (my - ry));
    double size = floor((dl + dr) / 2 / 0.45);
    double cx = (lx + rx + mx) / 3, cy = (ly + ry + my) / 3;
    double x = floor(fmax(0, cx - 0.5 * size));
    double y = floor(fmax(0, cy - 0.43 * size));
    /* face-api limits the box by the detection box's size offset by the
     * aligned box's own origin; this binds for narrow detection boxes. */
    double w = fmin(size, (double)det_box->width + x);
    double h = fmin(size, (double)det_box->height + y);

    /* Clip the corners (x, y, x + w, y + h) to the image, then floor; x, y
     * are >= 0 already. */
    double w2 = fmin((x + w) - x, img_w - x), h2 = fmin((y + h) - y, img_h - y);
    x = floor(x);
    y = floor(y);
    w2 = floor(w2);
    h2 = floor(h2);
    if (!(w2 >= 1 && h2 >= 1)) return FACE_ERR_INVALID_ARGUMENT; /* nothing inside the image */
    out->x = (float)x;
    out->y = (float)y;
    out->width = (float)w2;
    out->height = (float)h2;
    return FACE_OK;
}
