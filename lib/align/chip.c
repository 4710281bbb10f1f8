/* dlib's 150x150 face chip from 68 landmarks, pixel-exact to dlib 19.24:
 * get_face_chip_details(shape, 150, 0.25) + extract_image_chip (bilinear),
 * including dlib's pyramid_down<2> path for strong downscales
 * (docs/models.md §7.2 and §10, reference: faceref.py dlib_chip).
 *
 * "Pixel-exact" is fragile: bilinear results are truncated to uint8, so in a
 * flat region a 1-ulp change of a sample position can turn 200 into 199. The
 * geometry is therefore computed in double with exactly the reference's
 * operation order, including NumPy's summation orders (sequential for
 * mean(axis=0), pairwise with 8 accumulators for a full sum), and FMA
 * contraction is switched off. */
#include <math.h>
#include <string.h>

#include "align/align.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define CHIP FACE_CHIP_SIZE
#define CHIP_PADDING 0.25
#define MAX_LEVELS 64 /* each level halves the rect; 64 covers any finite double */

/* dlib's mean face (Appendix C), only the 33 points get_face_chip_details
 * uses: 27..54 and 60..64. */
static const int tmpl_idx[33] = {27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43,
                                 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 60, 61, 62, 63, 64};
static const double tmpl_xy[33][2] = {
    {0.490127, 0.203352}, {0.490127, 0.307009}, {0.490127, 0.409805}, {0.490127, 0.515625},
    {0.36688, 0.587326},  {0.426036, 0.609345}, {0.490127, 0.628106}, {0.554217, 0.609345},
    {0.613373, 0.587326}, {0.121737, 0.216423}, {0.187122, 0.178758}, {0.265825, 0.179852},
    {0.334606, 0.231733}, {0.260918, 0.245099}, {0.182743, 0.244077}, {0.645647, 0.231733},
    {0.714428, 0.179852}, {0.793132, 0.178758}, {0.858516, 0.216423}, {0.79751, 0.244077},
    {0.719335, 0.245099}, {0.254149, 0.780233}, {0.340985, 0.745405}, {0.428858, 0.727388},
    {0.490127, 0.742578}, {0.551395, 0.727388}, {0.639268, 0.745405}, {0.726104, 0.780233},
    {0.290379, 0.784792}, {0.428096, 0.778746}, {0.490127, 0.785343}, {0.552157, 0.778746},
    {0.689874, 0.784792}};

/* ---------------------------------------------------------------- similarity */

/* NumPy's pairwise summation (loops_utils.h.src), which np.sum uses over a
 * contiguous array: 8 interleaved accumulators for blocks up to 128. */
static double np_pairwise_sum(const double *a, int n)
{
    if (n < 8) {
        double res = -0.0;
        for (int i = 0; i < n; i++) res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (int j = 0; j < 8; j++) r[j] = a[j];
        int i;
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++) r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) res += a[i];
        return res;
    }
    int n2 = n / 2;
    n2 -= n2 % 8;
    return np_pairwise_sum(a, n2) + np_pairwise_sum(a + n2, n - n2);
}

#define FIT_MAX 68

void lf_similarity_fit(const double *src, const double *dst, int n, double m[2], double t[2])
{
    double mc[2] = {0, 0}, mi[2] = {0, 0};
    double ab[2 * FIT_MAX], aa[2 * FIT_MAX], cr[FIT_MAX];
    if (n > FIT_MAX) n = FIT_MAX;
    if (n <= 0) {
        m[0] = m[1] = t[0] = t[1] = 0.0;
        return;
    }
    /* mean(axis=0) of an (n, 2) array reduces row after row. */
    for (int k = 0; k < 2; k++) {
        double sc = src[k], sd = dst[k];
        for (int i = 1; i < n; i++) {
            sc += src[2 * i + k];
            sd += dst[2 * i + k];
        }
        mc[k] = sc / n;
        mi[k] = sd / n;
    }
    for (int i = 0; i < n; i++) {
        double ax = src[2 * i] - mc[0], ay = src[2 * i + 1] - mc[1];
        double bx = dst[2 * i] - mi[0], by = dst[2 * i + 1] - mi[1];
        ab[2 * i] = ax * bx;
        ab[2 * i + 1] = ay * by;
        aa[2 * i] = ax * ax;
        aa[2 * i + 1] = ay * ay;
        cr[i] = ax * by - ay * bx;
    }
    double A = np_pairwise_sum(ab, 2 * n);
    double B = np_pairwise_sum(cr, n);
    double s2 = np_pairwise_sum(aa, 2 * n);
    double sc = s2 > 0 ? A / s2 : 0.0, ss = s2 > 0 ? B / s2 : 0.0;
    m[0] = sc;
    m[1] = ss;
    t[0] = mi[0] - (sc * mc[0] + -ss * mc[1]);
    t[1] = mi[1] - (ss * mc[0] + sc * mc[1]);
}

/* ---------------------------------------------------------------- plan */

typedef struct rect4 {
    double l, t, r, b;
} rect4;

/* dlib pyramid_down<2>::rect_down. */
static rect4 rect_down(rect4 r)
{
    rect4 o = {r.l / 2 - 1.25, r.t / 2 - 0.75, r.r / 2 - 1.25, r.b / 2 - 0.75};
    return o;
}
/* dlib drectangle area: inclusive width. */
static double rect_area(rect4 r) { return (r.r - r.l + 1) * (r.b - r.t + 1); }

typedef struct chip_plan {
    double ca, sa;     /* rotation of the chip */
    rect4 R;           /* chip rect in the final source's coordinates */
    int levels;        /* pyramid_down steps (0: sample the image itself) */
    int bx, by, bw, bh; /* sub-image the pyramid starts from (levels > 0) */
    int lw[MAX_LEVELS + 1], lh[MAX_LEVELS + 1]; /* size of level k (0 = sub-image) */
} chip_plan;

static int lm_finite(const face_landmarks *lm)
{
    for (int i = 0; i < FACE_LANDMARK_COUNT; i++)
        if (!isfinite(lm->points[i].x) || !isfinite(lm->points[i].y)) return 0;
    return 1;
}

/* Python floor division of a possibly negative int by 2, as the reference's
 * (H - 3) // 2; negative sizes mean an empty level. */
static int level_size(int n)
{
    int v = n - 3;
    v = v >= 0 ? v / 2 : -((-v + 1) / 2);
    return v > 0 ? v : 0;
}

static void rot(const chip_plan *p, double cx, double cy, double px, double py, double *ox,
                double *oy)
{
    *ox = cx + p->ca * (px - cx) - p->sa * (py - cy);
    *oy = cy + p->sa * (px - cx) + p->ca * (py - cy);
}

static double round_half_up(double v) { return floor(v + 0.5); }

static void make_plan(const face_image *img, const face_landmarks *lm, chip_plan *p)
{
    double src[33 * 2], dst[33 * 2], m[2], t[2];
    memset(p, 0, sizeof *p);
    for (int i = 0; i < 33; i++) {
        for (int k = 0; k < 2; k++)
            src[2 * i + k] = (tmpl_xy[i][k] + CHIP_PADDING) / (1 + 2 * CHIP_PADDING) * CHIP;
        dst[2 * i] = lm->points[tmpl_idx[i]].x;
        dst[2 * i + 1] = lm->points[tmpl_idx[i]].y;
    }
    lf_similarity_fit(src, dst, 33, m, t);
    double s = hypot(m[0], m[1]), ang = atan2(m[1], m[0]);
    p->ca = cos(ang);
    p->sa = sin(ang);
    /* centered_drect(T(75, 75), 150 s, 150 s) */
    double cx = m[0] * (CHIP / 2.0) + -m[1] * (CHIP / 2.0) + t[0];
    double cy = m[1] * (CHIP / 2.0) + m[0] * (CHIP / 2.0) + t[1];
    double hw = (CHIP * s - 1) / 2;
    rect4 R = {cx - hw, cy - hw, cx + hw, cy + hw};

    int depth = 0;
    double grow = 2;
    rect4 r = rect_down(R);
    while (rect_area(r) > (double)CHIP * CHIP && depth < MAX_LEVELS) {
        r = rect_down(r);
        depth++;
        grow = grow * 2 + 2;
    }
    if (depth) {
        /* The pyramid only covers the bounding box of the rotated rect. */
        double rcx = (R.l + R.r) / 2, rcy = (R.t + R.b) / 2, xs[4], ys[4];
        rot(p, rcx, rcy, R.l, R.t, &xs[0], &ys[0]);
        rot(p, rcx, rcy, R.r, R.t, &xs[1], &ys[1]);
        rot(p, rcx, rcy, R.l, R.b, &xs[2], &ys[2]);
        rot(p, rcx, rcy, R.r, R.b, &xs[3], &ys[3]);
        double x0 = xs[0], x1 = xs[0], y0 = ys[0], y1 = ys[0];
        for (int i = 1; i < 4; i++) {
            x0 = fmin(x0, xs[i]);
            x1 = fmax(x1, xs[i]);
            y0 = fmin(y0, ys[i]);
            y1 = fmax(y1, ys[i]);
        }
        double bl = round_half_up(fmax(x0 - grow, 0));
        double bt = round_half_up(fmax(y0 - grow, 0));
        double br = round_half_up(fmin(x1 + grow, img->width - 1));
        double bb = round_half_up(fmin(y1 + grow, img->height - 1));
        R.l -= bl;
        R.r -= bl;
        R.t -= bt;
        R.b -= bt;
        /* bl, bt >= 0 and br, bb <= size - 1, so these fit an int; an empty
         * box (the face is entirely outside) gives a 0-size level 0. */
        p->bx = (int)fmin(bl, img->width);
        p->by = (int)fmin(bt, img->height);
        p->bw = br >= bl ? (int)(br - bl) + 1 : 0;
        p->bh = bb >= bt ? (int)(bb - bt) + 1 : 0;
        p->lw[0] = p->bw;
        p->lh[0] = p->bh;
        while (rect_area(rect_down(R)) > (double)CHIP * CHIP && p->levels < MAX_LEVELS) {
            R = rect_down(R);
            p->levels++;
            p->lw[p->levels] = level_size(p->lw[p->levels - 1]);
            p->lh[p->levels] = level_size(p->lh[p->levels - 1]);
        }
    }
    p->R = R;
}

/* ---------------------------------------------------------------- pixels */

static void read_rgb_u8(const face_image *img, int y, int x0, int n, uint8_t *rgb)
{
    const uint8_t *p = img->data + (size_t)y * (size_t)img->stride;
    switch (img->format) {
    case FACE_PIXEL_GRAY8:
        for (int i = 0; i < n; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = p[x0 + i];
        break;
    case FACE_PIXEL_RGB24: memcpy(rgb, p + (size_t)x0 * 3, (size_t)n * 3); break;
    case FACE_PIXEL_BGR24:
    case FACE_PIXEL_RGBA32:
    case FACE_PIXEL_BGRA32: {
        int bpp = img->format == FACE_PIXEL_BGR24 ? 3 : 4;
        int swap = img->format != FACE_PIXEL_RGBA32;
        p += (size_t)x0 * (size_t)bpp;
        for (int i = 0; i < n; i++, p += bpp) {
            rgb[3 * i] = p[swap ? 2 : 0];
            rgb[3 * i + 1] = p[1];
            rgb[3 * i + 2] = p[swap ? 0 : 2];
        }
        break;
    }
    default: memset(rgb, 0, (size_t)n * 3);
    }
}

/* ---------------------------------------------------------------- pyramid */

/* pyramid_down<2> run as a pull-driven cascade: level k keeps only the five
 * horizontally filtered input rows its next output row needs, so the
 * scratch is a few rows per level plus the last level, never a copy of the
 * (possibly huge) sub-image. */
typedef struct pyr_level {
    int in_w, out_w;
    int next_in;     /* next input row to filter into the ring */
    int32_t *ring;   /* 5 rows of out_w*3 horizontally filtered sums */
    uint8_t *in_row; /* one input row, in_w*3 */
} pyr_level;

typedef struct pyr {
    const face_image *img;
    int bx, by;
    pyr_level lv[MAX_LEVELS + 1]; /* lv[k] produces level k from level k-1, k >= 1 */
} pyr;

static void pyr_row(pyr *py, int k, int r, uint8_t *dst)
{
    pyr_level *L = &py->lv[k];
    int n = L->out_w * 3;
    while (L->next_in <= 2 * r + 4) {
        int y = L->next_in++;
        if (k == 1)
            read_rgb_u8(py->img, py->by + y, py->bx, L->in_w, L->in_row);
        else
            pyr_row(py, k - 1, y, L->in_row);
        int32_t *t = L->ring + (size_t)(y % 5) * (size_t)n;
        const uint8_t *x = L->in_row;
        for (int c = 0; c < L->out_w; c++) {
            const uint8_t *q = x + (size_t)c * 6;
            for (int ch = 0; ch < 3; ch++)
                t[3 * c + ch] = q[ch] + 4 * q[3 + ch] + 6 * q[6 + ch] + 4 * q[9 + ch] + q[12 + ch];
        }
    }
    const int32_t *t0 = L->ring + (size_t)((2 * r) % 5) * (size_t)n;
    const int32_t *t1 = L->ring + (size_t)((2 * r + 1) % 5) * (size_t)n;
    const int32_t *t2 = L->ring + (size_t)((2 * r + 2) % 5) * (size_t)n;
    const int32_t *t3 = L->ring + (size_t)((2 * r + 3) % 5) * (size_t)n;
    const int32_t *t4 = L->ring + (size_t)((2 * r + 4) % 5) * (size_t)n;
    for (int i = 0; i < n; i++)
        dst[i] = (uint8_t)((t0[i] + 4 * t1[i] + 6 * t2[i] + 4 * t3[i] + t4[i]) / 256);
}

static size_t align_up(size_t n) { return (n + LF_ALIGN - 1) & ~(size_t)(LF_ALIGN - 1); }

/* Scratch layout of a plan: per level a ring and an input row, then the last
 * level. Sizes are bounded by the image (the sub-image is clipped to it). */
static size_t plan_scratch(const chip_plan *p)
{
    if (!p->levels || !p->lw[p->levels] || !p->lh[p->levels]) return 0;
    size_t total = 0;
    for (int k = 1; k <= p->levels; k++) {
        total += align_up(5 * (size_t)p->lw[k] * 3 * sizeof(int32_t)) + LF_ALIGN;
        total += align_up((size_t)p->lw[k - 1] * 3) + LF_ALIGN;
    }
    total += align_up((size_t)p->lw[p->levels] * (size_t)p->lh[p->levels] * 3) + LF_ALIGN;
    return total;
}

size_t lf_chip_scratch_bytes(const face_image *img, const face_landmarks *lm)
{
    if (lf_image_check(img, INT64_MAX, NULL) != FACE_OK || !lm || !lm_finite(lm)) return 0;
    chip_plan p;
    make_plan(img, lm, &p);
    return plan_scratch(&p);
}

/* ---------------------------------------------------------------- sampling */

/* dlib interpolate_bilinear: 0 unless all four neighbours are inside, the
 * result truncated to uint8. src is either the caller's image (no pyramid)
 * or the last pyramid level (RGB24, w x h). */
typedef struct sampler {
    const face_image *img;
    const uint8_t *buf;
    int w, h;
} sampler;

static void sample(const sampler *sp, double X, double Y, uint8_t *o)
{
    double fx0 = floor(X), fy0 = floor(Y);
    /* Compare in double first: X may be far outside int range. */
    if (!(fx0 >= 0 && fy0 >= 0 && fx0 + 1 < sp->w && fy0 + 1 < sp->h)) {
        o[0] = o[1] = o[2] = 0;
        return;
    }
    int x0 = (int)fx0, y0 = (int)fy0;
    double fx = X - fx0, fy = Y - fy0;
    uint8_t q[4][6]; /* rows y0, y1, each two RGB pixels */
    const uint8_t *r0, *r1;
    if (sp->buf) {
        r0 = sp->buf + ((size_t)y0 * (size_t)sp->w + (size_t)x0) * 3;
        r1 = r0 + (size_t)sp->w * 3;
    } else {
        read_rgb_u8(sp->img, y0, x0, 2, q[0]);
        read_rgb_u8(sp->img, y0 + 1, x0, 2, q[1]);
        r0 = q[0];
        r1 = q[1];
    }
    for (int c = 0; c < 3; c++) {
        double v = (1 - fy) * ((1 - fx) * r0[c] + fx * r0[3 + c]) +
                   fy * ((1 - fx) * r1[c] + fx * r1[3 + c]);
        if (v < 0) v = 0;
        if (v > 255) v = 255;
        o[c] = (uint8_t)v;
    }
}

face_status lf_dlib_chip(lf_arena *arena, const face_image *img, const face_landmarks *lm,
                         face_chip *out, lf_error *err)
{
    if (!arena || !out) return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "arena or output is NULL");
    face_status st = lf_image_check(img, INT64_MAX, err);
    if (st != FACE_OK) return st;
    if (!lm) return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "landmarks are NULL");
    if (!lm_finite(lm)) return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "non-finite landmark");

    chip_plan p;
    make_plan(img, lm, &p);
    sampler sp = {img, NULL, img->width, img->height};
    size_t mark = lf_arena_mark(arena);
    if (p.levels) {
        int L = p.levels;
        if (!p.lw[L] || !p.lh[L]) {
            sp.w = sp.h = 0; /* the pyramid ran out of pixels: every sample is outside */
        } else {
            pyr py;
            memset(&py, 0, sizeof py);
            py.img = img;
            py.bx = p.bx;
            py.by = p.by;
            for (int k = 1; k <= L; k++) {
                pyr_level *lv = &py.lv[k];
                lv->in_w = p.lw[k - 1];
                lv->out_w = p.lw[k];
                lv->ring = lf_arena_push(arena, 5 * (size_t)p.lw[k] * 3 * sizeof(int32_t));
                lv->in_row = lf_arena_push(arena, (size_t)p.lw[k - 1] * 3);
                if (!lv->ring || !lv->in_row) break;
            }
            uint8_t *last = lf_arena_push(arena, (size_t)p.lw[L] * (size_t)p.lh[L] * 3);
            if (!last || !py.lv[L].ring || !py.lv[L].in_row) {
                lf_arena_pop_to(arena, mark);
                return LF_FAIL(err, FACE_ERR_INTERNAL,
                               "scratch arena too small for the chip pyramid (%zu bytes needed)",
                               plan_scratch(&p));
            }
            for (int r = 0; r < p.lh[L]; r++) pyr_row(&py, L, r, last + (size_t)r * p.lw[L] * 3);
            sp.buf = last;
            sp.w = p.lw[L];
            sp.h = p.lh[L];
        }
    }

    double cx = (p.R.l + p.R.r) / 2, cy = (p.R.t + p.R.b) / 2;
    double tl[2], tr[2], bl[2];
    rot(&p, cx, cy, p.R.l, p.R.t, &tl[0], &tl[1]);
    rot(&p, cx, cy, p.R.r, p.R.t, &tr[0], &tr[1]);
    rot(&p, cx, cy, p.R.l, p.R.b, &bl[0], &bl[1]);
    double dxx = tr[0] - tl[0], dxy = tr[1] - tl[1];
    double dyx = bl[0] - tl[0], dyy = bl[1] - tl[1];
    for (int row = 0; row < CHIP; row++) {
        double gy = (double)row / (CHIP - 1);
        for (int col = 0; col < CHIP; col++) {
            double gx = (double)col / (CHIP - 1);
            double X = tl[0] + dxx * gx + dyx * gy;
            double Y = tl[1] + dxy * gx + dyy * gy;
            sample(&sp, X, Y, out->rgb + ((size_t)row * CHIP + (size_t)col) * 3);
        }
    }
    lf_arena_pop_to(arena, mark);
    out->struct_size = sizeof(face_chip);
    out->size = CHIP;
    return FACE_OK;
}
