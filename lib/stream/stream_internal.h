/* libface stream internals: the tracker and the quality measures, exposed
 * for the white-box tests. Private header; never installed. The stream sits
 * above the engine; nothing below may include this. */
#ifndef LF_STREAM_INTERNAL_H
#define LF_STREAM_INTERNAL_H

#include <stdint.h>

#include "base/base.h"
#include "face/face.h"

/* Watchlist entries one track can alert on (search_k is bounded by it). */
#define LF_TRACK_MAX_ALERTED 8

/* One tracked face. Holds geometry and bookkeeping only: never pixels,
 * landmarks, chips or templates. */
typedef struct lf_track {
    uint64_t id;          /* 0 = free slot */
    float cx, cy, w, h;   /* last matched box: centre and size, px */
    float vx, vy;         /* centre velocity, px per frame */
    int32_t missed;       /* consecutive frames unseen */
    uint32_t hits;        /* frames matched */
    int32_t embeds;       /* shots embedded and searched */
    float best_score;     /* quality score of the best shot embedded */
    int32_t nalerted;
    uint8_t alerted_len[LF_TRACK_MAX_ALERTED];
    uint8_t alerted[LF_TRACK_MAX_ALERTED][FACE_WATCHLIST_ID_MAX];
} lf_track;

/* A candidate (track, detection) association. */
typedef struct lf_track_pair {
    float score;
    int32_t track, det;
} lf_track_pair;

typedef struct lf_tracker {
    lf_track *tracks; /* cap slots */
    int32_t cap;
    int32_t live;
    uint64_t next_id;
    float iou_min;
    int32_t max_missed;
    lf_track_pair *pairs; /* cap * max_dets */
    int32_t max_dets;
    uint8_t *det_used;    /* max_dets */
} lf_tracker;

/* What one update did. */
typedef struct lf_track_events {
    uint32_t started, ended, untracked;
} lf_track_events;

/* Allocate the slots and the association scratch. */
face_status lf_tracker_init(lf_tracker *t, const lf_allocator *a, int cap, int max_dets,
                            float iou_min, int max_missed);
/* Wipe and free everything. */
void lf_tracker_free(lf_tracker *t, const lf_allocator *a);
/*
 * Associate n (<= max_dets) detection boxes with the live tracks: greedy on
 * a score from IoU with each track's predicted box (constant velocity) and
 * centre distance; unmatched boxes start tracks (or get -1 when every slot is
 * live); tracks unseen for more than max_missed frames end and are wiped.
 * assign[j] = slot index of box j's track, or -1.
 */
void lf_tracker_update(lf_tracker *t, const face_rect *boxes, int n, int32_t *assign,
                       lf_track_events *ev);
/* The same, but a box that continues no track starts none (assign -1, not
 * counted as untracked): for local detections, whose windows see only part
 * of the frame, so a face they meet by chance is left to the next
 * whole-frame detection. */
void lf_tracker_update_known(lf_tracker *t, const face_rect *boxes, int n, int32_t *assign,
                             lf_track_events *ev);
/* Where a live track is expected in the next frame (constant velocity). */
void lf_track_predict(const lf_track *tr, face_rect *r);
/* End every live track (wiping it); returns how many ended. */
uint32_t lf_tracker_clear(lf_tracker *t);

/* IoU of two rects; 0 if either is empty. */
float lf_rect_iou(const face_rect *a, const face_rect *b);

#endif /* LF_STREAM_INTERNAL_H */
