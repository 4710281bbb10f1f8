/* Tracking by detection: one person walking past a camera should make one
 * track, so that the watchlist is searched with a few good shots of them
 * and an officer sees one alert, not one per frame.
 *
 * Each track predicts its box with a constant-velocity model (centre moves
 * by its smoothed per-frame velocity, size is kept). A detection continues a
 * track when it overlaps the prediction (IoU) or, for fast or small faces
 * whose boxes no longer overlap, when its centre is within half a face of
 * the prediction and its size is similar. Pairs are taken greedily, best
 * score first; with the handful of faces a frame holds this matches the
 * optimal assignment in practice and costs O(T*D log(T*D)). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stream/stream_internal.h"

float lf_rect_iou(const face_rect *a, const face_rect *b)
{
    if (!(a->width > 0 && a->height > 0 && b->width > 0 && b->height > 0)) return 0.0f;
    float x0 = fmaxf(a->x, b->x), y0 = fmaxf(a->y, b->y);
    float x1 = fminf(a->x + a->width, b->x + b->width);
    float y1 = fminf(a->y + a->height, b->y + b->height);
    float iw = x1 - x0, ih = y1 - y0;
    if (!(iw > 0 && ih > 0)) return 0.0f;
    float inter = iw * ih;
    return inter / (a->width * a->height + b->width * b->height - inter);
}

face_status lf_tracker_init(lf_tracker *t, const lf_allocator *a, int cap, int max_dets,
                            float iou_min, int max_missed)
{
    memset(t, 0, sizeof *t);
    size_t npairs;
    if (cap < 1 || max_dets < 1 || !lf_mul_size((size_t)cap, (size_t)max_dets, &npairs))
        return FACE_ERR_INVALID_ARGUMENT;
    t->cap = cap;
    t->max_dets = max_dets;
    t->iou_min = iou_min;
    t->max_missed = max_missed;
    t->next_id = 1;
    t->tracks = lf_calloc(a, (size_t)cap * sizeof *t->tracks, LF_ALIGN);
    t->pairs = lf_calloc(a, npairs * sizeof *t->pairs, LF_ALIGN);
    t->det_used = lf_calloc(a, (size_t)max_dets, LF_ALIGN);
    if (!t->tracks || !t->pairs || !t->det_used) {
        lf_tracker_free(t, a);
        return FACE_ERR_OUT_OF_MEMORY;
    }
    return FACE_OK;
}

void lf_tracker_free(lf_tracker *t, const lf_allocator *a)
{
    /* Track geometry says where a person was: wiped like the rest. */
    if (t->tracks) lf_free_wipe(a, t->tracks, (size_t)t->cap * sizeof *t->tracks);
    if (t->pairs) lf_free_wipe(a, t->pairs, (size_t)t->cap * (size_t)t->max_dets * sizeof *t->pairs);
    if (t->det_used) lf_free_wipe(a, t->det_used, (size_t)t->max_dets);
    memset(t, 0, sizeof *t);
}

static int cmp_pair(const void *pa, const void *pb)
{
    const lf_track_pair *a = pa, *b = pb;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    /* Deterministic ties: older track (lower slot) and earlier (better
     * scored) detection first. */
    if (a->track != b->track) return a->track < b->track ? -1 : 1;
    return (a->det > b->det) - (a->det < b->det);
}

void lf_track_predict(const lf_track *tr, face_rect *r)
{
    float steps = (float)(tr->missed + 1);
    float cx = tr->cx + tr->vx * steps, cy = tr->cy + tr->vy * steps;
    r->x = cx - tr->w * 0.5f;
    r->y = cy - tr->h * 0.5f;
    r->width = tr->w;
    r->height = tr->h;
}

/* Association score, or a negative value when the pair is implausible. */
static float pair_score(const lf_tracker *t, const face_rect *p, const face_rect *d)
{
    float iou = lf_rect_iou(p, d);
    float side = fmaxf(fmaxf(p->width, p->height), fmaxf(d->width, d->height));
    float dx = (d->x + d->width * 0.5f) - (p->x + p->width * 0.5f);
    float dy = (d->y + d->height * 0.5f) - (p->y + p->height * 0.5f);
    float dist = sqrtf(dx * dx + dy * dy);
    float ratio = d->width / p->width;
    int near = dist <= 0.5f * side && ratio > 0.67f && ratio < 1.5f;
    if (iou < t->iou_min && !near) return -1.0f;
    /* IoU dominates; the distance term separates boxes whose IoU is 0. */
    return iou + 0.25f * fmaxf(0.0f, 1.0f - dist / side);
}

static void end_track(lf_tracker *t, int i)
{
    lf_wipe(&t->tracks[i], sizeof t->tracks[i]);
    t->live--;
}

static void update(lf_tracker *t, const face_rect *boxes, int n, int allow_new, int32_t *assign,
                   lf_track_events *ev)
{
    memset(ev, 0, sizeof *ev);
    if (n > t->max_dets) n = t->max_dets;
    size_t np = 0;
    for (int i = 0; i < t->cap; i++) {
        if (!t->tracks[i].id) continue;
        face_rect p;
        lf_track_predict(&t->tracks[i], &p);
        for (int j = 0; j < n; j++) {
            float s = pair_score(t, &p, &boxes[j]);
            if (s >= 0.0f) t->pairs[np++] = (lf_track_pair){s, i, j};
        }
    }
    qsort(t->pairs, np, sizeof *t->pairs, cmp_pair);
    memset(t->det_used, 0, (size_t)t->max_dets);
    for (int j = 0; j < n; j++) assign[j] = -1;
    /* A track is "taken" this frame once missed is set to -1. */
    for (size_t k = 0; k < np; k++) {
        lf_track_pair pr = t->pairs[k];
        lf_track *tr = &t->tracks[pr.track];
        if (t->det_used[pr.det] || tr->missed < 0) continue;
        const face_rect *d = &boxes[pr.det];
        float cx = d->x + d->width * 0.5f, cy = d->y + d->height * 0.5f;
        float steps = (float)(tr->missed + 1);
        /* Smooth the velocity so one jittery box does not fling the
         * prediction; the first match sets it outright. */
        float ovx = (cx - tr->cx) / steps, ovy = (cy - tr->cy) / steps;
        if (tr->hits == 1) {
            tr->vx = ovx;
            tr->vy = ovy;
        } else {
            tr->vx = 0.5f * tr->vx + 0.5f * ovx;
            tr->vy = 0.5f * tr->vy + 0.5f * ovy;
        }
        tr->cx = cx;
        tr->cy = cy;
        tr->w = d->width;
        tr->h = d->height;
        tr->hits++;
        tr->missed = -1;
        t->det_used[pr.det] = 1;
        assign[pr.det] = pr.track;
    }
    lf_wipe(t->pairs, np * sizeof *t->pairs);
    for (int i = 0; i < t->cap; i++) {
        lf_track *tr = &t->tracks[i];
        if (!tr->id) continue;
        if (tr->missed < 0) {
            tr->missed = 0;
        } else if (++tr->missed > t->max_missed) {
            end_track(t, i);
            ev->ended++;
        }
    }
    int slot = 0;
    for (int j = 0; j < n && allow_new; j++) {
        if (t->det_used[j]) continue;
        while (slot < t->cap && t->tracks[slot].id) slot++;
        if (slot == t->cap) {
            ev->untracked++;
            continue;
        }
        lf_track *tr = &t->tracks[slot];
        memset(tr, 0, sizeof *tr);
        tr->id = t->next_id++;
        tr->cx = boxes[j].x + boxes[j].width * 0.5f;
        tr->cy = boxes[j].y + boxes[j].height * 0.5f;
        tr->w = boxes[j].width;
        tr->h = boxes[j].height;
        tr->hits = 1;
        t->live++;
        ev->started++;
        assign[j] = slot;
    }
    memset(t->det_used, 0, (size_t)t->max_dets);
}

void lf_tracker_update(lf_tracker *t, const face_rect *boxes, int n, int32_t *assign,
                       lf_track_events *ev)
{
    update(t, boxes, n, 1, assign, ev);
}

void lf_tracker_update_known(lf_tracker *t, const face_rect *boxes, int n, int32_t *assign,
                             lf_track_events *ev)
{
    update(t, boxes, n, 0, assign, ev);
}

uint32_t lf_tracker_clear(lf_tracker *t)
{
    uint32_t ended = 0;
    for (int i = 0; i < t->cap; i++)
        if (t->tracks[i].id) {
            end_track(t, i);
            ended++;
        }
    return ended;
}
