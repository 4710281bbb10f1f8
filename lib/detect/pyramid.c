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
 *   - tiny (fully convolutional) adds rect levels for the sizes below that.
 *     Level l resizes the WHOLE image by r_l = f_min / (m k^l) per axis
 *     (ceil to whole px, padded bottom/right to multiples of 32) and runs
 *     the network once on that rectangular input: its head grid is Gx x Gy
 *     cells of 32 px and the §3.2 decode generalises per axis (fx = 32 Gx /
 *     Wr). Level l is responsible for faces [m k^l, m k^(l+1)); levels stop
 *     once the whole-image pass sees m k^l. k = LF_TINY_LEVEL_STEP = 2,
 *     measured with `bench_detect ... levels` (recall of one pass at scale
 *     1 against face size, two golden faces): 64-128 net px 83-100 %, but
 *     192 px 43-100 %, 256 px 27-33 %; tiny's range per pass is narrow, so
 *     the old x2 spacing stays (it is cheap: level 1 costs 1/4 of level 0).
 *     Shrinking levels use an area average (input.c); `bench_detect ...
 *     filters` found area, half-pixel bilinear and TF-legacy bilinear
 *     within noise of each other at r = 0.8 and 0.4 (90/88/92 % at 50 px,
 *     100 % from 56-64), so the filter without aliasing was kept.
 *   - A big level is computed in tiles of whole head cells (at most
 *     LF_TINY_TILE_CELLS, split to least recomputed area) so scratch stays
 *     bounded: 1080p at m = 40 is a 3072x1728 input, 3x2 tiles, 56 MB.
 *     Head cell g depends on input rows [32g - 62, 32g + 127] (conv0 VALID
 *     +2, five pad-1 depthwise convs and five 2x2 pools, pool5 stride 1),
 *     i.e. cells g-2 .. g+3: a tile that starts on a cell boundary and
 *     carries 2 cells of context before and 3 after (clipped at the image,
 *     where its padding is the image's own) computes its cells bit for bit
 *     as one pass over the level would; tests check this and that one cell
 *     less breaks it. All tiles' candidates are sorted and NMS'd together.
 *   - SSD's anchors are tied to its 512 x 512 input, so it keeps square
 *     tiles: level l has tiles of side T_l = S m 2^l / f_min image px and
 *     is responsible for boxes of [m 2^l, m 2^(l+1)); tiles of level l
 *     overlap by ov_l = m 2^(l+1) + 2 margin_l, so every box the level is
 *     responsible for lies whole inside at least one tile; tiles stay inside
 *     the image and run the same input pipeline as the whole image. A box
 *     that reaches within margin_l (2 net px) of an edge shared with a
 *     neighbour is dropped: it is a cut face, seen whole by the neighbour or
 *     a coarser level.
 *   - Survivors of every level are merged with the same greedy NMS.
 * Cost, tiny@416 on 1920x1080 (GMAC from lf_tiny_macs, halos included;
 * best-of-5 wall time on one AVX-512 core of a busy shared machine):
 *              before (square 416 tiles)        after (rect levels, area)
 *     m = 40   88 passes, 17.5 GMAC, 1732 ms    3072x1728 (3x2 tiles), 1536x864
 *                                               (2), 768x432, whole: 10 runs,
 *                                               8.4 Mpx, 9.7 GMAC, 978 ms
 *     m = 60   39 passes,  7.8 GMAC             2048x1152 (4), 1024x576, whole:
 *                                               6 runs, 3.6 Mpx, 4.2 GMAC, 582 ms
 *     m = 80   22 passes,  4.4 GMAC,  412 ms    1536x864 (2), 768x432, whole:
 *                                               4 runs, 2.0 Mpx, 2.3 GMAC, 280 ms
 * (bench_detect time prints these per run.) With the fused stem and
 * conv1-4 bands of tiny.c (best CPU time, one thread, same machine): m = 40
 * 268 ms, m = 60 112 ms, m = 80 63 ms, ~28 ms per GMAC where the
 * layer-by-layer passes took ~65; the 416 pass 5.5 ms. Faces below
 * LF_DET_MIN_FACE px are not searched for: upsampling more than ~2x gives
 * the network nothing to see. Scratch does not grow with the number of tiles or views: they run
 * one after the other in the same arena space. */
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

/* Owned cells [c0, c1) and computed cells [g0, g1) of tile i of n. */
static void rect_axis(int G, int n, int i, int hb, int ha, int *c0, int *c1, int *g0, int *g1)
{
    *c0 = (int)((int64_t)i * G / n);
    *c1 = (int)((int64_t)(i + 1) * G / n);
    *g0 = *c0 - hb > 0 ? *c0 - hb : 0;
    *g1 = *c1 + ha < G ? *c1 + ha : G;
}

static void rect_axis_stats(int G, int n, int hb, int ha, int64_t *sum, int *max)
{
    *sum = 0;
    *max = 0;
    for (int i = 0; i < n; i++) {
        int c0, c1, g0, g1;
        rect_axis(G, n, i, hb, ha, &c0, &c1, &g0, &g1);
        *sum += g1 - g0;
        if (g1 - g0 > *max) *max = g1 - g0;
    }
}

void lf_det_rect_tile(const lf_det_rect *r, int i, int j, lf_det_rtile *t)
{
    rect_axis(r->Gx, r->nx, i, r->halo_before, r->halo_after, &t->cx0, &t->cx1, &t->gx0, &t->gx1);
    rect_axis(r->Gy, r->ny, j, r->halo_before, r->halo_after, &t->cy0, &t->cy1, &t->gy0, &t->gy1);
}

void lf_det_rect_max_tile(const lf_det_rect *r, int *gw, int *gh)
{
    int64_t s;
    rect_axis_stats(r->Gx, r->nx, r->halo_before, r->halo_after, &s, gw);
    rect_axis_stats(r->Gy, r->ny, r->halo_before, r->halo_after, &s, gh);
}

void lf_det_rect_split(lf_det_rect *r, int64_t max_cells)
{
    /* Least computed area (halos are recomputed work) under the tile size
     * cap. Tiles narrower than the halo are never worth it, which bounds
     * the search. */
    const int hb = r->halo_before, ha = r->halo_after, halo = hb + ha;
    int64_t best = -1;
    r->nx = r->ny = 1;
    for (int nx = 1; nx <= r->Gx; nx++) {
        if (nx > 1 && r->Gx / nx < halo) break;
        int64_t sx, sy;
        int mx, my;
        rect_axis_stats(r->Gx, nx, hb, ha, &sx, &mx);
        for (int ny = 1; ny <= r->Gy; ny++) {
            if (ny > 1 && r->Gy / ny < halo && best >= 0) break;
            rect_axis_stats(r->Gy, ny, hb, ha, &sy, &my);
            if ((int64_t)mx * my > max_cells) continue;
            if (best < 0 || sx * sy < best) {
                best = sx * sy;
                r->nx = nx;
                r->ny = ny;
            }
            break; /* more rows only add halo */
        }
    }
    if (best < 0) { /* a grid so large that even halo-sized tiles exceed the cap */
        r->nx = (r->Gx + halo - 1) / halo;
        r->ny = (r->Gy + halo - 1) / halo;
    }
}

/* tiny's levels: each resizes the whole image so its smallest face becomes
 * f_min net px. */
static void plan_rect_levels(const face_detect_options *o, int W, int H, lf_det_plan *p)
{
    const int D = W > H ? W : H;
    const double fm = lf_det_f_min(FACE_DETECTOR_TINY, p->S);
    const double whole_min = fm * D / p->S; /* smallest face the face-api pass sees */
    double m = o->min_face_size < LF_DET_MIN_FACE ? LF_DET_MIN_FACE : o->min_face_size;
    for (; m < whole_min && p->nlev < LF_DET_MAX_LEVELS - 1; m *= LF_TINY_LEVEL_STEP) {
        const double r = fm / m;
        lf_det_level *l = &p->lev[p->nlev++];
        *l = (lf_det_level){.T = -1, .nx = 1, .ny = 1};
        lf_det_rect *q = &l->rect;
        q->W = W;
        q->H = H;
        /* rounded up: a slightly larger scale only helps */
        q->Wr = (int)ceil(W * r - 1e-9);
        q->Hr = (int)ceil(H * r - 1e-9);
        if (q->Wr < 1) q->Wr = 1;
        if (q->Hr < 1) q->Hr = 1;
        q->Gx = (q->Wr + LF_TINY_CELL - 1) / LF_TINY_CELL;
        q->Gy = (q->Hr + LF_TINY_CELL - 1) / LF_TINY_CELL;
        q->filter = LF_DET_AREA;
        q->halo_before = LF_TINY_HALO_BEFORE;
        q->halo_after = LF_TINY_HALO_AFTER;
        lf_det_rect_split(q, LF_TINY_TILE_CELLS);
        p->nviews += (int64_t)q->nx * q->ny;
        for (int j = 0; j < q->ny; j++) {
            for (int i = 0; i < q->nx; i++) {
                lf_det_rtile t;
                lf_det_rect_tile(q, i, j, &t);
                p->net_px += (double)(t.gx1 - t.gx0) * (t.gy1 - t.gy0) * LF_TINY_CELL * LF_TINY_CELL;
            }
        }
    }
}

void lf_det_plan_make(int kind, const face_detect_options *o, int W, int H, lf_det_plan *p)
{
    const int S = kind == FACE_DETECTOR_SSD ? LF_SSD_INPUT : o->input_size;
    p->S = S;
    p->W = W;
    p->H = H;
    p->nlev = 0;
    p->nviews = 0;
    p->net_px = 0;

    const int D = W > H ? W : H;
    const double fm = lf_det_f_min(kind, S);
    const int multi = !(o->flags & FACE_DETECT_SINGLE_PASS) && o->min_face_size > 0;
    if (multi && kind == FACE_DETECTOR_TINY) {
        plan_rect_levels(o, W, H, p);
    } else if (multi) {
        double m = o->min_face_size < LF_DET_MIN_FACE ? LF_DET_MIN_FACE : o->min_face_size;
        for (; p->nlev < LF_DET_MAX_LEVELS - 1; m *= 2) {
            /* T is rounded down: a slightly larger scale only helps. */
            double Td = floor(S * m / fm);
            if (Td >= D) break; /* the whole-image pass sees this size */
            lf_det_level *l = &p->lev[p->nlev++];
            *l = (lf_det_level){.T = (int)Td};
            l->margin = 2.0 * Td / S;
            l->ov = (int)ceil(2 * m + 2 * l->margin);
            l->nx = tiles_for(W, l->T, l->ov);
            l->ny = tiles_for(H, l->T, l->ov);
            p->nviews += (int64_t)l->nx * l->ny;
            p->net_px += (double)l->nx * l->ny * S * S;
        }
    }
    lf_det_level *l = &p->lev[p->nlev++];
    *l = (lf_det_level){.T = 0, .ov = 0, .nx = 1, .ny = 1, .margin = 0};
    p->nviews += 1;
    p->net_px += (double)S * S;
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
    if (p->lev[l].T <= 0) return 0; /* whole image, or a rect level (exact seams) */
    if (v->x0 > 0 && b->x0 < v->x0 + m) return 1;
    if (v->y0 > 0 && b->y0 < v->y0 + m) return 1;
    if (v->x0 + v->w < p->W && b->x1 > v->x0 + v->w - m) return 1;
    if (v->y0 + v->h < p->H && b->y1 > v->y0 + v->h - m) return 1;
    return 0;
}
