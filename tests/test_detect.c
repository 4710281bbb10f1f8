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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iou),         cmocka_unit_test(test_sort),
        cmocka_unit_test(test_nms),         cmocka_unit_test(test_plan_single),
        cmocka_unit_test(test_plan_cover),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
