/* Multi-scale detection: which regions of the image the network runs on.
 *
 * Why: one pass resamples the whole image to S x S (416 for tiny, 512 for
 * SSD), and the detectors only fire on faces of at least f_min network px
 * (64 for tiny, ~1/6.5 of 416; 56 for SSD; see lf_det_f_min). A 40-px face
 * in a 1920x1080 frame is 9 px after resampling to 416 and is never found.
 *
 * Strategy (min_face_size = m > 0 and no FACE_DETECT_SINGLE_PASS):
 *   - The whole image is always run once, exactly as face-api does; it finds
 *     every face whose box is >= f_min * max(W, H) / S image px.
 *   - If m is smaller than that, add tiled levels. Level 0 uses square tiles
 *     of side T0 = S * m / f_min image px, so a box of m px becomes f_min
 *     net px. Level l uses T_l = T0 * 2^l and is responsible for boxes of
 *     [m 2^l, m 2^(l+1)); levels stop once a tile would cover the image,
 *     where the whole-image pass takes over.
 *   - Tiles of level l overlap by ov_l = m 2^(l+1) + 2 margin_l, so every box
 *     the level is responsible for lies whole inside at least one tile.
 *     Tiles stay inside the image (the last row/column is shifted back) and
 *     are spread evenly; each tile runs the same input pipeline as the
 *     whole image, so a tile narrower than T (image smaller than a tile in
 *     one axis) is padded like face-api pads.
 *   - In a tile, a box that reaches within margin_l (2 net px) of an edge
 *     shared with a neighbour is dropped: it is a cut face, seen whole by
 *     the neighbour (if it is small) or by a coarser level (if it is big).
 *   - Survivors of every view are merged with the same greedy NMS.
 * Cost: level l has about (W/(T_l - ov_l)) * (H/(T_l - ov_l)) tiles, each one
 * full network pass; the levels form a geometric series of ratio 1/4, so the
 * total is ~4/3 of level 0 plus the whole-image pass. For tiny@416, m = 40
 * on a 1920x1080 frame: T0 = 260 px (x1.6), 11x6 tiles + 6x3 (T 520) + 3x2
 * (T 1040) + 1 whole = 91 passes; m = 80: 6x3 + 3x2 + 1 = 25 passes. A
 * larger input_size needs fewer, larger tiles for the same m (less overlap
 * waste) at the same cost per pixel. Faces below LF_DET_MIN_FACE px are not
 * searched for: upsampling more than ~2x gives the network nothing to see.
 * Scratch does not grow with the number of tiles: views run one after the
 * other in the same arena space. */
#include <math.h>

#include "detect/detect.h"

#define LF_DET_MIN_FACE 20

/* Smallest face (side of the square around the head, about the tiny
 * detector's own box) that a pass finds reliably, in network input px. Both
 * networks' anchors are fixed in input px (tiny: 1.6 x 2.1 cells of 32 px),
 * so this does not scale with S. Calibrated with `bench_detect ... calibrate`
 * (a golden face pasted at 20..80 px at ~40 positions of a gray frame):
 * tiny@416 finds 52 % at 44 px, 90 % at 50-62, 97 % at 68, 100 % from 74;
 * SSD 23 % at 38, 93 % at 50, 100 % from 62. */
double lf_det_f_min(int kind, int S)
{
    (void)S;
    return kind == FACE_DETECTOR_SSD ? 56.0 : 64.0;
}

static int tiles_for(int len, int T, int ov)
{
    if (len <= T) return 1;
    /* n tiles of side T with stride <= T - ov cover len */
    int64_t n = ((int64_t)len - ov + (T - ov) - 1) / (T - ov);
    return n < 2 ? 2 : (int)n;
}

void lf_det_plan_make(int kind, const face_detect_options *o, int W, int H, lf_det_plan *p)
{
    const int S = kind == FACE_DETECTOR_SSD ? LF_SSD_INPUT : o->input_size;
    p->S = S;
    p->W = W;
    p->H = H;
    p->nlev = 0;
    p->nviews = 0;

    const int D = W > H ? W : H;
    const double fm = lf_det_f_min(kind, S);
    if (!(o->flags & FACE_DETECT_SINGLE_PASS) && o->min_face_size > 0) {
        double m = o->min_face_size < LF_DET_MIN_FACE ? LF_DET_MIN_FACE : o->min_face_size;
        for (; p->nlev < LF_DET_MAX_LEVELS - 1; m *= 2) {
            /* T is rounded down: a slightly larger scale only helps. */
            double Td = floor(S * m / fm);
            if (Td >= D) break; /* the whole-image pass sees this size */
            lf_det_level *l = &p->lev[p->nlev++];
            l->T = (int)Td;
            l->margin = 2.0 * Td / S;
            l->ov = (int)ceil(2 * m + 2 * l->margin);
            l->nx = tiles_for(W, l->T, l->ov);
            l->ny = tiles_for(H, l->T, l->ov);
            p->nviews += (int64_t)l->nx * l->ny;
        }
    }
    lf_det_level *l = &p->lev[p->nlev++];
    *l = (lf_det_level){.T = 0, .ov = 0, .nx = 1, .ny = 1, .margin = 0};
    p->nviews += 1;
}

static void axis(int len, int T, int n, int i, int *x0, int *w)
{
    if (T == 0 || len <= T) {
        *x0 = 0;
        *w = len;
        return;
    }
    /* evenly spread, first at 0, last flush with the far edge */
    *x0 = (int)(((int64_t)i * (len - T) + (n - 1) / 2) / (n - 1));
    *w = T;
}

void lf_det_plan_view(const lf_det_plan *p, int l, int i, int j, lf_det_view *v)
{
    const lf_det_level *lv = &p->lev[l];
    axis(p->W, lv->T, lv->nx, i, &v->x0, &v->w);
    axis(p->H, lv->T, lv->ny, j, &v->y0, &v->h);
    v->S = p->S;
}

int lf_det_plan_cut(const lf_det_plan *p, int l, const lf_det_view *v, const lf_det_box *b)
{
    const double m = p->lev[l].margin;
    if (p->lev[l].T == 0) return 0;
    if (v->x0 > 0 && b->x0 < v->x0 + m) return 1;
    if (v->y0 > 0 && b->y0 < v->y0 + m) return 1;
    if (v->x0 + v->w < p->W && b->x1 > v->x0 + v->w - m) return 1;
    if (v->y0 + v->h < p->H && b->y1 > v->y0 + v->h - m) return 1;
    return 0;
}
