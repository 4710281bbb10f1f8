/* lib/detect without models: NMS, sorting, IoU, and the tiling plan's
 * guarantee that every face of at least min_face_size lies whole in some
 * tile where it appears big enough for the network. */
#include <math.h>

#include "testutil.h"

#include "detect/detect.h"

static lf_det_box B(double x0, double y0, double x1, double y1, double s, int64_t i)
{
    return (lf_det_box){x0, y0, x1, y1, s, i};
}

static void test_iou(void **state)
{
    (void)state;
    lf_det_box a = B(0, 0, 10, 10, 0, 0), b = B(5, 0, 15, 10, 0, 0);
    assert_true(fabs(lf_det_iou(&a, &b) - 50.0 / 150.0) < 1e-15);
    assert_true(lf_det_iou(&a, &a) == 1.0);
    lf_det_box c = B(10, 0, 20, 10, 0, 0); /* touching: no overlap */
    assert_true(lf_det_iou(&a, &c) == 0.0);
    lf_det_box flat = B(0, 5, 10, 5, 0, 0), neg = B(3, 3, 1, 8, 0, 0);
    assert_true(lf_det_iou(&a, &flat) == 0.0);
    assert_true(lf_det_iou(&neg, &a) == 0.0);
    assert_true(lf_det_iou(&neg, &neg) == 0.0);
}

static void test_sort(void **state)
{
    (void)state;
    uint64_t seed = 42;
    for (size_t n = 0; n < 300; n += (n < 20 ? 1 : 37)) {
        lf_det_box *b = malloc((n + 1) * sizeof *b);
        for (size_t i = 0; i < n; i++) {
            /* few distinct scores so ties are common */
            b[i] = B(0, 0, 1, 1, (double)(tu_rand(&seed) % 7) / 8.0, (int64_t)i);
        }
        lf_det_sort(b, n);
        for (size_t i = 1; i < n; i++) {
            assert_true(b[i - 1].score >= b[i].score);
            if (b[i - 1].score == b[i].score) assert_true(b[i - 1].idx < b[i].idx);
        }
        free(b);
    }
}

static void test_nms(void **state)
{
    (void)state;
    /* IoU(a, b) = 0.4 exactly: equal is kept (face-api drops only > thr) */
    lf_det_box v[4] = {
        B(0, 0, 10, 10, 0.9, 0),  /* kept */
        B(0, 0, 10, 4, 0.8, 1),   /* IoU 0.4 with [0] -> kept at 0.4 */
        B(1, 1, 11, 11, 0.7, 2),  /* IoU 81/119 with [0] -> dropped */
        B(50, 50, 60, 60, 0.6, 3) /* far away -> kept */
    };
    lf_det_box w[4];
    memcpy(w, v, sizeof v);
    assert_int_equal(lf_det_nms(w, 4, 0.4, 100), 3);
    assert_true(w[0].idx == 0 && w[1].idx == 1 && w[2].idx == 3);
    memcpy(w, v, sizeof v);
    assert_int_equal(lf_det_nms(w, 4, 0.39, 100), 2);
    assert_true(w[0].idx == 0 && w[1].idx == 3);
    memcpy(w, v, sizeof v);
    assert_int_equal(lf_det_nms(w, 4, 0.4, 2), 2); /* max_keep stops early */
    assert_true(w[0].idx == 0 && w[1].idx == 1);
    memcpy(w, v, sizeof v);
    assert_int_equal(lf_det_nms(w, 4, 1.0, 100), 4);
    assert_int_equal(lf_det_nms(w, 0, 0.5, 100), 0);
}

static void opts(face_detect_options *o, int S, int m, unsigned flags)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->input_size = S;
    o->score_threshold = 0.5f;
    o->max_faces = 100;
    o->min_face_size = m;
    o->flags = flags;
}

static void test_plan_single(void **state)
{
    (void)state;
    face_detect_options o;
    lf_det_plan p;
    lf_det_view v;
    /* min_face_size 0 or SINGLE_PASS: one view, the whole image */
    opts(&o, 416, 0, 0);
    lf_det_plan_make(FACE_DETECTOR_TINY, &o, 1920, 1080, &p);
    assert_int_equal(p.nviews, 1);
    lf_det_plan_view(&p, 0, 0, 0, &v);
    assert_true(v.x0 == 0 && v.y0 == 0 && v.w == 1920 && v.h == 1080 && v.S == 416);
    opts(&o, 416, 40, FACE_DETECT_SINGLE_PASS);
    lf_det_plan_make(FACE_DETECTOR_TINY, &o, 1920, 1080, &p);
    assert_int_equal(p.nviews, 1);
    /* a face as large as the whole pass can see needs no tiles */
    opts(&o, 416, 200, 0);
    lf_det_plan_make(FACE_DETECTOR_TINY, &o, 640, 480, &p);
    assert_int_equal(p.nviews, 1);
    opts(&o, 416, 40, 0);
    lf_det_plan_make(FACE_DETECTOR_SSD, &o, 1920, 1080, &p);
    assert_int_equal(p.S, LF_SSD_INPUT);
    assert_true(p.nviews > 1);
}

/* A rect level's tiles own every head cell exactly once, compute it with
 * the full halo (clipped at the image), and stay under the tile cap. */
static void check_rect_tiles(const lf_det_rect *r)
{
    assert_true(r->Gx >= 1 && r->Gy >= 1 && r->nx >= 1 && r->ny >= 1);
    assert_true(r->Wr <= r->Gx * LF_TINY_CELL && r->Wr > (r->Gx - 1) * LF_TINY_CELL);
    assert_true(r->Hr <= r->Gy * LF_TINY_CELL && r->Hr > (r->Gy - 1) * LF_TINY_CELL);
    unsigned char *own = calloc((size_t)r->Gx * r->Gy, 1);
    int gw, gh;
    lf_det_rect_max_tile(r, &gw, &gh);
    assert_true((int64_t)gw * gh <= LF_TINY_TILE_CELLS);
    for (int j = 0; j < r->ny; j++) {
        for (int i = 0; i < r->nx; i++) {
            lf_det_rtile t;
            lf_det_rect_tile(r, i, j, &t);
            assert_true(t.gx1 - t.gx0 <= gw && t.gy1 - t.gy0 <= gh);
            int hb = t.cx0 - LF_TINY_HALO_BEFORE, ha = t.cx1 + LF_TINY_HALO_AFTER;
            assert_int_equal(t.gx0, hb > 0 ? hb : 0);
            assert_int_equal(t.gx1, ha < r->Gx ? ha : r->Gx);
            hb = t.cy0 - LF_TINY_HALO_BEFORE, ha = t.cy1 + LF_TINY_HALO_AFTER;
            assert_int_equal(t.gy0, hb > 0 ? hb : 0);
            assert_int_equal(t.gy1, ha < r->Gy ? ha : r->Gy);
            for (int y = t.cy0; y < t.cy1; y++)
                for (int x = t.cx0; x < t.cx1; x++) own[(size_t)y * r->Gx + x]++;
        }
    }
    for (size_t k = 0; k < (size_t)r->Gx * r->Gy; k++) assert_int_equal(own[k], 1);
    free(own);
}

/* Every square face box of side s >= m placed anywhere inside the image must
 * lie inside some view, not cut by it, at a scale where it spans at least
 * ~f_min net px; tiles stay inside the image. A tiny rect level covers the
 * whole image, but only faces up to LF_TINY_LEVEL_STEP x f_min net px. */
static void check_cover(int kind, int S, int W, int H, int m, uint64_t *seed)
{
    face_detect_options o;
    opts(&o, S, m, 0);
    lf_det_plan p;
    lf_det_plan_make(kind, &o, W, H, &p);
    assert_true(p.nviews >= 1);
    assert_int_equal(p.lev[p.nlev - 1].T, 0);
    for (int l = 0; l < p.nlev; l++) {
        if (p.lev[l].rect.Gx > 0) {
            assert_int_equal(kind, FACE_DETECTOR_TINY);
            check_rect_tiles(&p.lev[l].rect);
            continue;
        }
        for (int j = 0; j < p.lev[l].ny; j++) {
            for (int i = 0; i < p.lev[l].nx; i++) {
                lf_det_view v;
                lf_det_plan_view(&p, l, i, j, &v);
                assert_true(v.x0 >= 0 && v.y0 >= 0 && v.w > 0 && v.h > 0);
                assert_true(v.x0 + v.w <= W && v.y0 + v.h <= H);
            }
        }
    }
    int mm = m < 20 ? 20 : m;
    const double fm = lf_det_f_min(kind, S);
    for (int t = 0; t < 400; t++) {
        int maxs = (W < H ? W : H);
        if (mm > maxs) break;
        double s = mm + (double)(tu_rand(seed) % 1000) / 1000.0 * (maxs - mm);
        double x0 = (double)(tu_rand(seed) % 10000) / 10000.0 * (W - s);
        double y0 = (double)(tu_rand(seed) % 10000) / 10000.0 * (H - s);
        lf_det_box b = B(x0, y0, x0 + s, y0 + s, 1, 0);
        int ok = 0;
        for (int l = 0; l < p.nlev && !ok; l++) {
            const lf_det_rect *r = &p.lev[l].rect;
            if (r->Gx > 0) {
                double rx = (double)r->Wr / W, ry = (double)r->Hr / H;
                double lo = s * (rx < ry ? rx : ry), hi = s * (rx > ry ? rx : ry);
                if (lo >= fm - 1e-9 && hi <= fm * LF_TINY_LEVEL_STEP * 1.01) ok = 1;
                continue;
            }
            for (int j = 0; j < p.lev[l].ny && !ok; j++) {
                for (int i = 0; i < p.lev[l].nx && !ok; i++) {
                    lf_det_view v;
                    lf_det_plan_view(&p, l, i, j, &v);
                    int D = v.w > v.h ? v.w : v.h;
                    double net = s * S / D;
                    int inside = b.x0 >= v.x0 && b.x1 <= v.x0 + v.w && b.y0 >= v.y0 &&
                                 b.y1 <= v.y0 + v.h;
                    if (inside && !lf_det_plan_cut(&p, l, &v, &b) && net >= fm - 1e-9)
                        ok = 1;
                    /* the whole-image pass sees everything, small or not */
                    if (p.lev[l].T == 0 && net >= fm - 1e-9) ok = 1;
                }
            }
        }
        if (!ok)
            fail_msg("%dx%d m=%d S=%d: box %.1f at (%.1f,%.1f) not covered", W, H, m, S, s, x0,
                     y0);
    }
}

static void test_plan_cover(void **state)
{
    (void)state;
    uint64_t seed = 7;
    static const int dims[][2] = {{1920, 1080}, {640, 480}, {4000, 8}, {300, 3000}, {1, 1},
                                  {2000, 2000}, {417, 416}};
    static const int ms[] = {1, 20, 33, 40, 64, 100, 250};
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++) {
            check_cover(FACE_DETECTOR_TINY, 416, dims[d][0], dims[d][1], ms[k], &seed);
            check_cover(FACE_DETECTOR_TINY, 224, dims[d][0], dims[d][1], ms[k], &seed);
            check_cover(FACE_DETECTOR_SSD, 512, dims[d][0], dims[d][1], ms[k], &seed);
        }
    }
}

/* ------------------------------------------------------------ rect decode */

static double sig(double v) { return 1.0 / (1.0 + exp(-v)); }

/* §3.2 restated for a rectangular grid in net px: cell (r, c) spans
 * [32c, 32c+32) of the input, anchors are in cells of 32 px, and net px u
 * is image px u * W / Wr. Written independently of lf_tiny_decode. */
static void ref_box(const float *q, int a, int r, int c, int Wr, int Hr, double W, double H,
                    double ox, double oy, lf_det_box *b)
{
    static const double aw[5] = {1.603231, 6.041143, 2.882459, 4.266906, 9.041765};
    static const double ah[5] = {2.094468, 7.080126, 3.518061, 5.178857, 10.66308};
    double cx = 32.0 * (c + sig(q[0])), cy = 32.0 * (r + sig(q[1]));
    double w = 32.0 * exp(q[2]) * aw[a], h = 32.0 * exp(q[3]) * ah[a];
    double sx = W / Wr, sy = H / Hr;
    *b = (lf_det_box){ox + (cx - w / 2) * sx, oy + (cy - h / 2) * sy, ox + (cx + w / 2) * sx,
                      oy + (cy + h / 2) * sy, sig(q[4]), 0};
}

static void test_rect_decode(void **state)
{
    (void)state;
    uint64_t seed = 99;
    static const int grids[][4] = {/* Gx, Gy, Wr, Hr */ {13, 13, 416, 234}, {96, 54, 3072, 1728},
                                   {7, 3, 200, 70},    {1, 1, 5, 32},       {40, 9, 1260, 257}};
    for (size_t gi = 0; gi < sizeof grids / sizeof grids[0]; gi++) {
        const int Gx = grids[gi][0], Gy = grids[gi][1];
        lf_tiny_grid g = {Gx, Gy, grids[gi][2], grids[gi][3], 17.5, -3.0, 1920.0 * (gi + 1) / 3,
                          1080.0 * (gi + 2) / 5};
        /* a tile in the middle of the grid (or the whole of a small one) */
        lf_det_rtile t;
        t.gx0 = Gx / 4, t.gx1 = Gx - Gx / 5, t.gy0 = Gy / 3, t.gy1 = Gy;
        t.cx0 = t.gx0 + (t.gx1 - t.gx0 > 4), t.cx1 = t.gx1 - (t.gx1 - t.gx0 > 4);
        t.cy0 = t.gy0, t.cy1 = t.gy1 - (t.gy1 - t.gy0 > 3);
        const int tw = t.gx1 - t.gx0, th = t.gy1 - t.gy0;
        float *out = malloc((size_t)tw * th * 25 * sizeof *out);
        for (size_t k = 0; k < (size_t)tw * th * 25; k++)
            out[k] = (float)((double)(tu_rand(&seed) % 20001) / 10000.0 - 1.0) * 3.0f;
        lf_det_box *got = malloc((size_t)tw * th * 5 * sizeof *got);
        const double thr = 0.6;
        size_t n = lf_tiny_decode(&g, &t, out, thr, got), k = 0;
        for (int r = 0; r < Gy; r++) {
            for (int c = 0; c < Gx; c++) {
                for (int a = 0; a < 5; a++) {
                    int owned = r >= t.cy0 && r < t.cy1 && c >= t.cx0 && c < t.cx1;
                    if (!owned) continue;
                    const float *q = out + ((size_t)(r - t.gy0) * tw + (c - t.gx0)) * 25 + a * 5;
                    lf_det_box e;
                    ref_box(q, a, r, c, g.Wr, g.Hr, g.W, g.H, g.ox, g.oy, &e);
                    if (!(e.score > thr)) continue;
                    assert_true(k < n);
                    const lf_det_box *b = &got[k++];
                    assert_true(b->idx == ((int64_t)r * Gx + c) * 5 + a);
                    double tol = 1e-9 * (g.W + g.H);
                    if (fabs(b->x0 - e.x0) > tol || fabs(b->y0 - e.y0) > tol ||
                        fabs(b->x1 - e.x1) > tol || fabs(b->y1 - e.y1) > tol ||
                        b->score != e.score)
                        fail_msg("grid %zu cell (%d,%d) anchor %d: (%g %g %g %g) vs (%g %g %g %g)",
                                 gi, r, c, a, b->x0, b->y0, b->x1, b->y1, e.x0, e.y0, e.x1, e.y1);
                }
            }
        }
        assert_int_equal(k, n);
        assert_true(n > 0);
        free(out);
        free(got);
    }
}

/* Resampling: a level at scale 1 copies the image under every filter; an
 * area reduction by exactly 2 is the 2x2 mean; weights sum to 1. */
static void test_rect_resample(void **state)
{
    (void)state;
    const int W = 38, H = 20;
    uint8_t px[38 * 20 * 3];
    for (int i = 0; i < W * H * 3; i++) px[i] = (uint8_t)(i * 53 + 7);
    face_image img = {.struct_size = sizeof img, .format = FACE_PIXEL_RGB24, .width = W,
                      .height = H, .stride = 3 * W, .data = px};
    for (int f = 0; f < 3; f++) {
        for (int half = 0; half < 2; half++) {
            lf_det_rect r = {.W = W, .H = H, .Wr = half ? W / 2 : W, .Hr = half ? H / 2 : H,
                             .filter = f};
            r.Gx = (r.Wr + 31) / 32, r.Gy = (r.Hr + 31) / 32;
            void *mem = malloc(lf_det_rect_taps_bytes(&r));
            lf_det_taps tx, ty;
            lf_det_rect_taps(&r, mem, &tx, &ty);
            for (int o = 0; o < r.Wr; o++) {
                double sum = 0;
                for (int k = 0; k < tx.n[o]; k++) sum += tx.w[(size_t)o * tx.maxn + k];
                assert_true(fabs(sum - 1) < 1e-6);
                assert_true(tx.i0[o] >= 0 && tx.i0[o] + tx.n[o] <= W);
            }
            const int nw = 32 * r.Gx, nh = 32 * r.Gy;
            float *out = malloc((size_t)nw * nh * 3 * sizeof *out);
            float *rb = malloc(lf_det_rect_row_floats(&r, nw) * sizeof *rb);
            /* two calls, as the strips of a tile would make them */
            lf_det_rect_rows(&img, &r, &tx, &ty, 0, nw, 0, 5, out, rb);
            lf_det_rect_rows(&img, &r, &tx, &ty, 0, nw, 5, nh - 5, out + (size_t)5 * nw * 3, rb);
            for (int y = 0; y < nh; y++) {
                for (int x = 0; x < nw; x++) {
                    for (int c = 0; c < 3; c++) {
                        float v = out[((size_t)y * nw + x) * 3 + c], e = 0;
                        if (x < r.Wr && y < r.Hr) {
                            if (!half) {
                                e = px[((size_t)y * W + x) * 3 + c];
                            } else if (f == LF_DET_AREA) {
                                for (int k = 0; k < 4; k++)
                                    e += px[((size_t)(2 * y + k / 2) * W + 2 * x + k % 2) * 3 + c];
                                e /= 4;
                            } else {
                                continue; /* bilinear halving: weights checked above */
                            }
                        }
                        if (fabs(v - e) > 1e-3)
                            fail_msg("filter %d half %d (%d,%d,%d): %g vs %g", f, half, x, y, c,
                                     v, e);
                    }
                }
            }
            /* a tile's columns are the same columns of the whole input */
            float part[7 * 3];
            lf_det_rect_rows(&img, &r, &tx, &ty, 3, 7, 2, 1, part, rb);
            assert_memory_equal(part, out + ((size_t)2 * nw + 3) * 3, sizeof part);
            free(out);
            free(rb);
            free(mem);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iou),         cmocka_unit_test(test_sort),
        cmocka_unit_test(test_nms),         cmocka_unit_test(test_plan_single),
        cmocka_unit_test(test_plan_cover),  cmocka_unit_test(test_rect_decode),
        cmocka_unit_test(test_rect_resample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
