/* Detector handle and the detect driver: validate, plan the views
 * (pyramid.c), run the network on each, merge. */
#include <string.h>

#include "detect/detect.h"

face_status lf_detector_load(const lf_allocator *a, const face_model *m, lf_detector **out,
                             lf_error *err)
{
    if (!out) return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!a || !m) return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "allocator or model is NULL");
    int kind;
    if (m->kind == FACE_MODEL_TINY_DETECTOR)
        kind = FACE_DETECTOR_TINY;
    else if (m->kind == FACE_MODEL_SSD_DETECTOR)
        kind = FACE_DETECTOR_SSD;
    else
        return LF_FAIL(err, FACE_ERR_MODEL_MISMATCH, "model kind %d is not a detector", (int)m->kind);

    lf_detector *d = lf_calloc(a, sizeof *d, LF_ALIGN);
    if (!d) return LF_FAIL(err, FACE_ERR_OUT_OF_MEMORY, "detector");
    d->alloc = *a;
    d->kind = kind;
    face_status st = kind == FACE_DETECTOR_TINY ? lf_tiny_load(d, m, err) : lf_ssd_load(d, m, err);
    if (st != FACE_OK) {
        lf_detector_free(d);
        return st;
    }
    *out = d;
    return FACE_OK;
}

void lf_detector_free(lf_detector *d)
{
    if (!d) return;
    lf_allocator a = d->alloc;
    lf_free(&a, d->ssd.folded, d->ssd.folded_bytes);
    lf_free(&a, d, sizeof *d);
}

int lf_detector_kind(const lf_detector *d) { return d ? d->kind : 0; }

static int bytes_per_pixel(int fmt)
{
    switch (fmt) {
    case FACE_PIXEL_GRAY8: return 1;
    case FACE_PIXEL_RGB24:
    case FACE_PIXEL_BGR24: return 3;
    case FACE_PIXEL_RGBA32:
    case FACE_PIXEL_BGRA32: return 4;
    default: return 0;
    }
}

static int input_size_ok(const lf_detector *d, const face_detect_options *o)
{
    if (d->kind == FACE_DETECTOR_SSD) return 1; /* fixed 512; input_size is not used */
    return o->input_size >= 64 && o->input_size <= 1024 && o->input_size % 32 == 0;
}

static int options_ok(const lf_detector *d, const face_detect_options *o)
{
    return input_size_ok(d, o) && o->score_threshold > 0 && o->score_threshold < 1 &&
           o->nms_iou >= 0 && o->nms_iou <= 1 && o->min_face_size >= 0 && o->max_faces > 0;
}

/* Candidates one view (or one whole rect level) can produce, and the
 * capacity of the merged list: when it would overflow it is compacted by
 * NMS, so it need hold only the faces reported plus one view's worth. */
static void cand_caps(const lf_detector *d, const lf_det_plan *p, const face_detect_options *o,
                      size_t *per_view, size_t *merged)
{
    *per_view = d->kind == FACE_DETECTOR_TINY ? lf_tiny_max_cands(d, p->S) : lf_ssd_max_cands(d);
    for (int l = 0; l < p->nlev; l++) {
        if (p->lev[l].rect.Gx <= 0) continue;
        size_t c = lf_tiny_rect_max_cands(&p->lev[l].rect);
        if (c > *per_view) *per_view = c;
    }
    *merged = p->nviews > 1 ? *per_view + (size_t)o->max_faces : 0;
}

size_t lf_detector_scratch_bytes(const lf_detector *d, const face_detect_options *o, int w, int h)
{
    if (!d || !o || w <= 0 || h <= 0 || !options_ok(d, o)) return 0;
    lf_det_plan p;
    lf_det_plan_make(d->kind, o, w, h, &p);
    size_t per_view, merged, n, cands, total;
    cand_caps(d, &p, o, &per_view, &merged);
    size_t net = d->kind == FACE_DETECTOR_TINY ? lf_tiny_scratch(d, p.S) : lf_ssd_scratch(d);
    for (int l = 0; l < p.nlev; l++) {
        if (p.lev[l].rect.Gx <= 0) continue;
        size_t s = lf_tiny_rect_scratch(d, &p.lev[l].rect);
        if (s > net) net = s;
    }
    if (!lf_add_size(per_view, merged, &n) || !lf_mul_size(n, sizeof(lf_det_box), &cands) ||
        !lf_add_size(net, cands, &total) || !lf_add_size(total, 2 * LF_ALIGN, &total))
        return 0;
    return total;
}

static face_status run_view(const lf_exec *ex, const lf_detector *d, const face_image *img,
                            const lf_det_view *v, const face_detect_options *o, double iou,
                            lf_det_box *c, size_t *n)
{
    if (d->kind == FACE_DETECTOR_TINY)
        return lf_tiny_run(ex, d, img, v, o->score_threshold, iou, (size_t)o->max_faces, c, n);
    return lf_ssd_run(ex, d, img, v, o->score_threshold, iou, (size_t)o->max_faces, c, n);
}

face_status lf_detect_faces(const lf_exec *ex, const lf_detector *d, const face_image *img,
                            const face_detect_options *o, face_detection *out, size_t cap,
                            size_t *count)
{
    lf_error *err = ex ? ex->err : NULL;
    if (count) *count = 0;
    if (!ex || !ex->k || !ex->arena || !d || !img || !o || !count || (cap > 0 && !out))
        return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "NULL argument");
    const int bpp = bytes_per_pixel(img->format);
    if (!bpp) return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "pixel format %d", (int)img->format);
    if (!img->data || img->width <= 0 || img->height <= 0 ||
        (int64_t)img->stride < (int64_t)img->width * bpp)
        return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "image %dx%d stride %d", (int)img->width,
                       (int)img->height, (int)img->stride);
    if (!options_ok(d, o)) return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "detect options");

    const double iou =
        o->nms_iou > 0 ? (double)o->nms_iou : (d->kind == FACE_DETECTOR_TINY ? 0.4 : 0.5);
    lf_det_plan p;
    lf_det_plan_make(d->kind, o, img->width, img->height, &p);
    size_t per_view, merged_cap;
    cand_caps(d, &p, o, &per_view, &merged_cap);

    size_t mark = lf_arena_mark(ex->arena);
    lf_det_box *vc = lf_arena_push(ex->arena, per_view * sizeof *vc);
    lf_det_box *all = merged_cap ? lf_arena_push(ex->arena, merged_cap * sizeof *all) : NULL;
    if (!vc || (merged_cap && !all)) {
        lf_arena_pop_to(ex->arena, mark);
        return LF_FAIL(err, FACE_ERR_OUT_OF_MEMORY, "scratch arena too small");
    }

    face_status st = FACE_OK;
    lf_det_box *res = vc;
    size_t nres = 0;
    if (p.nviews == 1) {
        /* face-api's single pass: its NMS is the final answer. */
        lf_det_view v;
        lf_det_plan_view(&p, 0, 0, 0, &v);
        st = run_view(ex, d, img, &v, o, iou, vc, &nres);
    } else {
        size_t nall = 0;
        int64_t seq = 0; /* global tie-break order across views */
        for (int l = 0; l < p.nlev && st == FACE_OK; l++) {
            if (p.lev[l].rect.Gx > 0) { /* one exact pass over the whole image */
                size_t n;
                if ((st = lf_tiny_rect_run(ex, d, img, &p.lev[l].rect, o->score_threshold, iou,
                                           (size_t)o->max_faces, vc, &n)) != FACE_OK)
                    break;
                if (nall + n > merged_cap) {
                    lf_det_sort(all, nall);
                    nall = lf_det_nms(all, nall, iou, (size_t)o->max_faces);
                }
                for (size_t k = 0; k < n; k++) {
                    all[nall] = vc[k];
                    all[nall++].idx = seq++;
                }
                continue;
            }
            for (int j = 0; j < p.lev[l].ny && st == FACE_OK; j++) {
                for (int i = 0; i < p.lev[l].nx && st == FACE_OK; i++) {
                    lf_det_view v;
                    size_t n;
                    lf_det_plan_view(&p, l, i, j, &v);
                    if ((st = run_view(ex, d, img, &v, o, iou, vc, &n)) != FACE_OK) break;
                    if (nall + n > merged_cap) {
                        lf_det_sort(all, nall);
                        nall = lf_det_nms(all, nall, iou, (size_t)o->max_faces);
                    }
                    for (size_t k = 0; k < n; k++) {
                        if (lf_det_plan_cut(&p, l, &v, &vc[k])) continue;
                        all[nall] = vc[k];
                        all[nall++].idx = seq++;
                    }
                }
            }
        }
        if (st == FACE_OK) {
            lf_det_sort(all, nall);
            nres = lf_det_nms(all, nall, iou, (size_t)o->max_faces);
            res = all;
        }
    }
    if (st == FACE_OK) {
        for (size_t i = 0; i < nres && i < cap; i++) {
            const lf_det_box *b = &res[i];
            out[i] = (face_detection){.struct_size = sizeof(face_detection),
                                      .score = (float)b->score,
                                      .box = {(float)b->x0, (float)b->y0, (float)(b->x1 - b->x0),
                                              (float)(b->y1 - b->y0)}};
        }
        *count = nres;
    }
    lf_arena_pop_to(ex->arena, mark);
    return st;
}
