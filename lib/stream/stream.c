/* Live streams: detect, track, gate, embed the best shots, search, alert.
 *
 * Privacy by construction: the only biometric data a stream holds between
 * two calls are the alerts in its queue. Landmarks, the chip and the
 * template of a face live in the stream's per-face scratch (lf_face_scratch)
 * while that face is processed, and are wiped before the next face; the
 * context's arena wipes the network activations on every pop; tracks hold
 * geometry and the ids they alerted on, and are wiped when they end. Every
 * block the stream allocates is released with lf_free_wipe. */
#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "engine/engine.h"
#include "nn/nn.h"
#include "stream/stream_internal.h"

#define LF_STREAM_MAX_FACES 1000
#define LF_STREAM_MAX_TRACKS 4096
#define LF_STREAM_MAX_QUEUE 65536
#define LF_STREAM_MAX_EMBEDS 16
#define LF_STREAM_DEFAULT_PIXELS (3840LL * 2160LL)
#define LF_STREAM_AUDIT_DETAIL 256
#define LF_STREAM_MAX_INTERVAL 1000
/* Local detection sizes the network input so the tracked face spans about
 * this many net px. Measured on the e2e sequences (faces of 100-120 px):
 * at 64-76 net px, near tiny's floor f_min = 64, local boxes come out 15-30 %
 * too large and scores drop to 0.5-0.7; since the next window is sized from
 * that box, the face shrinks further in net px and the track is lost within
 * a few frames. At 128-160 net px boxes match the whole-frame ones within a
 * few px and scores are 0.8-1.0. 128 is the cheaper end. */
#define LF_STREAM_LOCAL_FACE_NET 128.0f
#define LF_STREAM_LOCAL_MIN_INPUT 64
#define LF_STREAM_LOCAL_SCORE 0.7f /* x detect_score, for boxes in a track's window */
/* Local windows overlap when faces are close; two boxes from two windows
 * with more overlap than this are one face. */
#define LF_STREAM_LOCAL_DUP_IOU 0.5f
/* A window narrower than this (a track predicted off the frame) is not
 * searched: the track just misses the frame. */
#define LF_STREAM_LOCAL_MIN_SIDE 16

/* ---------------------------------------------------------------- counters */

enum {
    C_FRAMES,
    C_FACES,
    C_TRACKS,
    C_GATED,
    C_SEARCHED,
    C_ALERTS,
    C_DROPPED,
    C_UNTRACKED,
    C_FULL,
    C_LOCAL,
    C_N
};

struct face_deployment {
    lf_allocator alloc;
    _Atomic uint64_t c[C_N];
};

static void counters_from(const uint64_t *c, face_stream_counters *out)
{
    memset(out, 0, sizeof *out);
    out->struct_size = sizeof *out;
    out->frames = c[C_FRAMES];
    out->faces = c[C_FACES];
    out->tracks = c[C_TRACKS];
    out->faces_gated = c[C_GATED];
    out->faces_searched = c[C_SEARCHED];
    out->alerts = c[C_ALERTS];
    out->alerts_dropped = c[C_DROPPED];
    out->faces_untracked = c[C_UNTRACKED];
    out->detect_full = c[C_FULL];
    out->detect_local = c[C_LOCAL];
}

face_status face_deployment_create(const face_allocator *allocator, face_deployment **out)
{
    if (!out) return FACE_ERR_INVALID_ARGUMENT;
    *out = NULL;
    lf_allocator a;
    face_status s = lf_allocator_resolve(&a, allocator);
    if (s != FACE_OK) return s;
    face_deployment *d = lf_calloc(&a, sizeof *d, LF_ALIGN);
    if (!d) return FACE_ERR_OUT_OF_MEMORY;
    d->alloc = a;
    for (int i = 0; i < C_N; i++) atomic_init(&d->c[i], 0);
    *out = d;
    return FACE_OK;
}

void face_deployment_destroy(face_deployment *d)
{
    if (!d) return;
    lf_allocator a = d->alloc;
    lf_free_wipe(&a, d, sizeof *d);
}

face_status face_deployment_get_counters(const face_deployment *d, face_stream_counters *out)
{
    if (!d || !out) return FACE_ERR_INVALID_ARGUMENT;
    uint64_t c[C_N];
    for (int i = 0; i < C_N; i++) c[i] = atomic_load(&((face_deployment *)d)->c[i]);
    counters_from(c, out);
    return FACE_OK;
}

face_status face_stream_counters_format(const face_stream_counters *c, char *buf, size_t cap)
{
    if (!c || !buf || c->struct_size < sizeof *c) return FACE_ERR_INVALID_ARGUMENT;
    if (cap < 256) return FACE_ERR_BUFFER_TOO_SMALL;
    /* 8 fields of at most 20 digits plus their names fit in 255 bytes. */
    snprintf(buf, 256,
             "frames=%llu faces=%llu tracks=%llu gated=%llu searched=%llu alerts=%llu "
             "dropped=%llu untracked=%llu",
             (unsigned long long)c->frames, (unsigned long long)c->faces,
             (unsigned long long)c->tracks, (unsigned long long)c->faces_gated,
             (unsigned long long)c->faces_searched, (unsigned long long)c->alerts,
             (unsigned long long)c->alerts_dropped, (unsigned long long)c->faces_untracked);
    return FACE_OK;
}

face_status face_deployment_report(const face_deployment *d, face_watchlist *wl)
{
    if (!d || !wl) return FACE_ERR_INVALID_ARGUMENT;
    face_stream_counters c;
    face_deployment_get_counters(d, &c);
    /* 10 fields of at most 20 digits and their names: under 330 bytes. */
    char text[FACE_AUDIT_SUMMARY_MAX + 1];
    snprintf(text, sizeof text,
             "deployment frames=%llu faces=%llu tracks=%llu gated=%llu searched=%llu alerts=%llu "
             "dropped=%llu untracked=%llu full=%llu local=%llu",
             (unsigned long long)c.frames, (unsigned long long)c.faces,
             (unsigned long long)c.tracks, (unsigned long long)c.faces_gated,
             (unsigned long long)c.faces_searched, (unsigned long long)c.alerts,
             (unsigned long long)c.alerts_dropped, (unsigned long long)c.faces_untracked,
             (unsigned long long)c.detect_full, (unsigned long long)c.detect_local);
    return face_watchlist_audit_summary(wl, text);
}

/* ---------------------------------------------------------------- stream */

/* An alert as allocated: the public part first, then how to free it, so a
 * polled alert outlives its stream. */
typedef struct lf_alert {
    face_stream_alert pub;
    lf_allocator alloc;
} lf_alert;

/* Everything biometric about the face being processed. Wiped after each face. */
typedef struct lf_face_scratch {
    face_landmarks lm;
    face_chip chip;
    face_template tpl;
    face_quality q;
    face_watchlist_match matches[LF_TRACK_MAX_ALERTED];
} lf_face_scratch;

struct face_stream {
    lf_allocator alloc;
    face_stream_options opt;
    const face_engine *engine;
    face_watchlist *wl;
    face_ctx *ctx;
    face_detect_options det_opt;   /* whole frame */
    face_detect_options local_opt; /* one window around a track */
    int32_t since_full;            /* frames since the last whole-frame detection */
    double full_us, window_us;     /* running means: one whole frame, one local window */
    face_embed_options emb_opt;
    face_watchlist_search_options search_opt;
    lf_tracker tr;
    face_detection *dets;
    face_rect *boxes;
    int32_t *assign;
    lf_face_scratch *face;
    lf_alert **queue;
    int32_t qhead, qcount;
    int64_t last_ts;
    int have_ts;
    uint64_t c[C_N];
    face_stream_stats st;
    lf_error err;
};

void face_stream_options_init(face_stream_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->flags = FACE_STREAM_AUDIT_ALERTS;
    o->threads = 1;
    o->detector = FACE_DETECTOR_TINY;
    o->input_size = 416;
    o->detect_score = 0.5f;
    o->min_face_size = 80;
    o->max_faces = 64;
    o->max_frame_pixels = LF_STREAM_DEFAULT_PIXELS;
    o->max_tracks = 0; /* 2 * max_faces */
    o->max_missed = 10;
    o->track_iou = 0.3f;
    o->min_eye_distance = 16.0f;
    o->max_yaw = 35.0f;
    o->max_pitch = 30.0f;
    o->min_sharpness = 10.0f;
    o->min_quality = 0.0f;
    o->max_embeds_per_track = 3;
    o->reembed_gain = 0.2f;
    o->threshold = 0.5f;
    o->search_k = 1;
    o->queue_capacity = 64;
    o->detect_interval = 5;
    o->full_min_face_size = 0; /* = min_face_size */
    o->local_scale = 2.0f;
}

static int in_range_f(float v, float lo, float hi) { return v >= lo && v <= hi; } /* false for NaN */

static face_status check_options(const face_stream_options *o)
{
    if (o->flags & ~(FACE_STREAM_AUDIT_ALERTS | FACE_STREAM_FIXED_INTERVAL))
        return FACE_ERR_INVALID_ARGUMENT;
    if (o->threads < 1 || o->threads > 64) return FACE_ERR_INVALID_ARGUMENT;
    if (o->detector != FACE_DETECTOR_TINY && o->detector != FACE_DETECTOR_SSD)
        return FACE_ERR_INVALID_ARGUMENT;
    if (!(o->detect_score > 0.0f && o->detect_score < 1.0f)) return FACE_ERR_INVALID_ARGUMENT;
    if (o->min_face_size < 0 || o->min_face_size > 100000) return FACE_ERR_INVALID_ARGUMENT;
    if (o->max_faces < 1 || o->max_faces > LF_STREAM_MAX_FACES) return FACE_ERR_INVALID_ARGUMENT;
    if (o->max_frame_pixels < 1 || o->max_frame_pixels > LF_MAX_SIDE_PIXELS)
        return FACE_ERR_INVALID_ARGUMENT;
    if (o->max_tracks < 0 || o->max_tracks > LF_STREAM_MAX_TRACKS) return FACE_ERR_INVALID_ARGUMENT;
    if (o->max_missed < 0 || o->max_missed > 1000) return FACE_ERR_INVALID_ARGUMENT;
    if (!(o->track_iou > 0.0f && o->track_iou < 1.0f)) return FACE_ERR_INVALID_ARGUMENT;
    if (!in_range_f(o->min_eye_distance, 0.0f, 1e5f) || !in_range_f(o->max_yaw, 0.0f, 90.0f) ||
        !in_range_f(o->max_pitch, 0.0f, 90.0f) || !in_range_f(o->min_sharpness, 0.0f, 1e9f) ||
        !in_range_f(o->min_quality, 0.0f, 1.0f) || !in_range_f(o->reembed_gain, 0.0f, 100.0f) ||
        !in_range_f(o->threshold, 0.0f, 1e3f))
        return FACE_ERR_INVALID_ARGUMENT;
    if (o->max_embeds_per_track < 1 || o->max_embeds_per_track > LF_STREAM_MAX_EMBEDS)
        return FACE_ERR_INVALID_ARGUMENT;
    if (o->search_k < 1 || o->search_k > LF_TRACK_MAX_ALERTED) return FACE_ERR_INVALID_ARGUMENT;
    if (o->queue_capacity < 1 || o->queue_capacity > LF_STREAM_MAX_QUEUE)
        return FACE_ERR_INVALID_ARGUMENT;
    if (o->detect_interval < 1 || o->detect_interval > LF_STREAM_MAX_INTERVAL)
        return FACE_ERR_INVALID_ARGUMENT;
    if (o->full_min_face_size < 0 || o->full_min_face_size > 100000)
        return FACE_ERR_INVALID_ARGUMENT;
    if (!in_range_f(o->local_scale, 1.5f, 6.0f)) return FACE_ERR_INVALID_ARGUMENT;
    return FACE_OK;
}

static void alert_free(lf_alert *a)
{
    if (!a) return;
    lf_allocator al = a->alloc;
    lf_free_wipe(&al, a, sizeof *a);
}

void face_stream_alert_free(face_stream_alert *alert) { alert_free((lf_alert *)alert); }

void face_stream_destroy(face_stream *s)
{
    if (!s) return;
    lf_allocator a = s->alloc;
    if (s->queue) {
        for (int i = 0; i < s->qcount; i++)
            alert_free(s->queue[(s->qhead + i) % s->opt.queue_capacity]);
        lf_free_wipe(&a, s->queue, (size_t)s->opt.queue_capacity * sizeof *s->queue);
    }
    lf_tracker_free(&s->tr, &a);
    if (s->dets) lf_free_wipe(&a, s->dets, (size_t)s->opt.max_faces * sizeof *s->dets);
    if (s->boxes) lf_free_wipe(&a, s->boxes, (size_t)s->opt.max_faces * sizeof *s->boxes);
    if (s->assign) lf_free_wipe(&a, s->assign, (size_t)s->opt.max_faces * sizeof *s->assign);
    if (s->face) lf_free_wipe(&a, s->face, sizeof *s->face);
    face_ctx_destroy(s->ctx);
    lf_free_wipe(&a, s, sizeof *s);
}

face_status face_stream_create(const face_engine *engine, face_watchlist *wl,
                               const face_stream_options *opts, face_stream **out)
{
    if (!out) return FACE_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (!engine || !wl) return FACE_ERR_INVALID_ARGUMENT;
    face_stream_options o;
    face_stream_options_init(&o);
    if (opts) {
        /* A struct from before detect_interval was appended keeps the
         * defaults of the fields it does not have (docs/ABI.md). */
        const size_t v1 = offsetof(face_stream_options, detect_interval);
        if (opts->struct_size < v1) return FACE_ERR_INVALID_ARGUMENT;
        memcpy(&o, opts, opts->struct_size < sizeof o ? opts->struct_size : sizeof o);
        o.struct_size = sizeof o;
    }
    if (o.max_tracks == 0) o.max_tracks = 2 * o.max_faces;
    face_status st = check_options(&o);
    if (st != FACE_OK) return st;
    if ((o.detector == FACE_DETECTOR_TINY && !engine->tiny) ||
        (o.detector == FACE_DETECTOR_SSD && !engine->ssd))
        return FACE_ERR_NOT_FOUND;

    /* Templates from this stream are dlib-chip templates: the watchlist
     * must hold the same kind, or every search would fail per face. */
    uint8_t fp_engine[FACE_FINGERPRINT_BYTES], fp_wl[FACE_FINGERPRINT_BYTES];
    if ((st = face_engine_fingerprint(engine, FACE_ALIGN_DLIB, fp_engine)) != FACE_OK) return st;
    if ((st = face_watchlist_info(wl, fp_wl, NULL)) != FACE_OK) return st;
    if (memcmp(fp_engine, fp_wl, sizeof fp_wl) != 0) return FACE_ERR_MODEL_MISMATCH;

    lf_allocator a = engine->alloc;
    if (o.allocator && (st = lf_allocator_resolve(&a, o.allocator)) != FACE_OK) return st;
    o.allocator = NULL; /* copied into a; the caller's struct need not outlive us */

    face_stream *s = lf_calloc(&a, sizeof *s, LF_ALIGN);
    if (!s) return FACE_ERR_OUT_OF_MEMORY;
    s->alloc = a;
    s->opt = o;
    s->engine = engine;
    s->wl = wl;
    face_allocator pub = {sizeof pub, 0, a.alloc, a.free, a.opaque};
    if ((st = face_ctx_create(engine, &pub, &s->ctx)) != FACE_OK) goto fail;
    if ((st = face_ctx_set_option(s->ctx, FACE_OPT_MAX_PIXELS, o.max_frame_pixels)) != FACE_OK ||
        (st = face_ctx_set_option(s->ctx, FACE_OPT_MAX_FACES, o.max_faces)) != FACE_OK ||
        (o.threads > 1 &&
         (st = face_ctx_set_option(s->ctx, FACE_OPT_THREADS, o.threads)) != FACE_OK))
        goto fail;
    if ((st = lf_tracker_init(&s->tr, &a, o.max_tracks, o.max_faces, o.track_iou, o.max_missed)) !=
        FACE_OK)
        goto fail;
    s->dets = lf_calloc(&a, (size_t)o.max_faces * sizeof *s->dets, LF_ALIGN);
    s->boxes = lf_calloc(&a, (size_t)o.max_faces * sizeof *s->boxes, LF_ALIGN);
    s->assign = lf_calloc(&a, (size_t)o.max_faces * sizeof *s->assign, LF_ALIGN);
    s->face = lf_calloc(&a, sizeof *s->face, LF_ALIGN);
    s->queue = lf_calloc(&a, (size_t)o.queue_capacity * sizeof *s->queue, LF_ALIGN);
    if (!s->dets || !s->boxes || !s->assign || !s->face || !s->queue) {
        st = FACE_ERR_OUT_OF_MEMORY;
        goto fail;
    }
    face_detect_options_init(&s->det_opt);
    s->det_opt.detector = o.detector;
    s->det_opt.input_size = o.input_size;
    s->det_opt.score_threshold = o.detect_score;
    s->det_opt.min_face_size = o.full_min_face_size ? o.full_min_face_size : o.min_face_size;
    s->det_opt.max_faces = o.max_faces;
    /* A window is a few faces wide: one pass at a size matched to the face
     * (set per window) sees it; the pyramid would only add cost. */
    s->local_opt = s->det_opt;
    s->local_opt.min_face_size = 0;
    s->local_opt.flags |= FACE_DETECT_SINGLE_PASS;
    /* A window's box can only continue a track where one is predicted, so
     * it needs less evidence than a new face (as trackers that associate
     * low-score boxes do). On bench_stream's 5-face 1080p scene, faces
     * followed per frame went from 3.75 to 4.4 of 5 at 0.7x, with no extra
     * tracks. */
    s->local_opt.score_threshold = o.detect_score * LF_STREAM_LOCAL_SCORE;
    face_embed_options_init(&s->emb_opt);
    face_watchlist_search_options_init(&s->search_opt);
    s->search_opt.k = (uint32_t)o.search_k;
    s->search_opt.threshold = o.threshold;
    s->st.struct_size = sizeof s->st;
    *out = s;
    return FACE_OK;

fail:
    face_stream_destroy(s);
    return st;
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void count(face_stream *s, int which, uint64_t n)
{
    if (!n) return;
    s->c[which] += n;
    if (s->opt.deployment) atomic_fetch_add(&s->opt.deployment->c[which], n);
}

static void enqueue(face_stream *s, lf_alert *a)
{
    int cap = s->opt.queue_capacity;
    if (s->qcount == cap) {
        /* Full: the newest alert is the one an officer can still act on. */
        alert_free(s->queue[s->qhead]);
        s->queue[s->qhead] = NULL;
        s->qhead = (s->qhead + 1) % cap;
        s->qcount--;
        count(s, C_DROPPED, 1);
    }
    s->queue[(s->qhead + s->qcount) % cap] = a;
    s->qcount++;
}

static int already_alerted(const lf_track *t, const face_watchlist_match *m)
{
    for (int i = 0; i < t->nalerted; i++)
        if (t->alerted_len[i] == m->id_len && memcmp(t->alerted[i], m->id, m->id_len) == 0)
            return 1;
    return 0;
}

/* Build, record and deliver one alert. Returns an audit error, if any; the
 * alert is delivered either way. */
static face_status raise_alert(face_stream *s, lf_track *t, const face_detection *det,
                               const face_watchlist_match *m, int64_t ts)
{
    lf_alert *a = lf_calloc(&s->alloc, sizeof *a, LF_ALIGN);
    if (!a) return LF_FAIL(&s->err, FACE_ERR_OUT_OF_MEMORY, "cannot allocate an alert");
    a->alloc = s->alloc;
    face_stream_alert *p = &a->pub;
    p->struct_size = sizeof *p;
    p->stream_id = s->opt.stream_id;
    p->track_id = t->id;
    p->timestamp_us = ts;
    p->box = det->box;
    p->distance = m->distance;
    float sim = 1.0f - m->distance / 1.2f; /* face_compare's mapping */
    p->similarity = sim < 0.0f ? 0.0f : sim > 1.0f ? 1.0f : sim;
    p->id_len = m->id_len;
    memcpy(p->id, m->id, m->id_len);
    face_watchlist_entry e;
    if (face_watchlist_get(s->wl, m->id, m->id_len, &e, NULL, 0) == FACE_OK)
        memcpy(p->label, e.label, sizeof p->label);
    p->label[sizeof p->label - 1] = '\0';
    p->quality = s->face->q;
    p->chip = s->face->chip;

    if (t->nalerted < LF_TRACK_MAX_ALERTED) {
        t->alerted_len[t->nalerted] = (uint8_t)m->id_len;
        memcpy(t->alerted[t->nalerted], m->id, m->id_len);
        t->nalerted++;
    }
    count(s, C_ALERTS, 1);

    face_status audit = FACE_OK;
    if (s->opt.flags & FACE_STREAM_AUDIT_ALERTS) {
        char detail[LF_STREAM_AUDIT_DETAIL];
        snprintf(detail, sizeof detail, "stream=%u track=%llu t_us=%lld distance=%.4f",
                 (unsigned)s->opt.stream_id, (unsigned long long)t->id, (long long)ts,
                 (double)m->distance);
        audit = face_watchlist_audit_alert(s->wl, m->id, m->id_len, detail);
        if (audit == FACE_ERR_STATE) audit = FACE_OK; /* no audit log: nothing to record */
        else if (audit != FACE_OK)
            LF_FAIL(&s->err, audit, "alert delivered but not recorded in the audit log (%s)",
                    face_strerror(audit));
    }
    int keep = 1;
    if (s->opt.on_alert) keep = s->opt.on_alert(s->opt.on_alert_user, p);
    if (keep) enqueue(s, a);
    else alert_free(a);
    return audit;
}

/* Landmarks, gate, and when the shot is the track's best so far: chip,
 * template, search, alerts. *first_err receives the first failure. */
static void process_face(face_stream *s, lf_track *t, const face_image *img,
                         const face_detection *det, int64_t ts, face_status *first_err)
{
    lf_face_scratch *f = s->face;
    uint64_t t0 = now_us();
    face_status st = face_landmarks_detect(s->ctx, img, &det->box, &f->lm);
    uint64_t t1 = now_us();
    s->st.landmarks_us += t1 - t0;
    if (st != FACE_OK) goto out;
    /* Pose and size first: they are free, and a turned face needs no chip. */
    st = face_quality_estimate(&f->lm, &det->box, NULL, &f->q);
    if (st != FACE_OK) goto out;
    const face_stream_options *o = &s->opt;
    if (f->q.eye_distance < o->min_eye_distance || fabsf(f->q.yaw) > o->max_yaw ||
        fabsf(f->q.pitch) > o->max_pitch)
        goto out;
    st = face_align_chip(s->ctx, img, &f->lm, &f->chip);
    if (st == FACE_OK) st = face_quality_estimate(&f->lm, &det->box, &f->chip, &f->q);
    uint64_t t2 = now_us();
    s->st.align_us += t2 - t1;
    if (st != FACE_OK) goto out;
    if ((o->min_sharpness > 0 && f->q.sharpness < o->min_sharpness) || f->q.score < o->min_quality)
        goto out;
    count(s, C_GATED, 1);
    if (t->embeds > 0 && !(f->q.score > t->best_score * (1.0f + o->reembed_gain))) goto out;

    st = face_embed_chip(s->ctx, &f->chip, &s->emb_opt, &f->tpl);
    uint64_t t3 = now_us();
    s->st.embed_us += t3 - t2;
    if (st != FACE_OK) goto out;
    t->embeds++;
    t->best_score = f->q.score;
    size_t n = 0;
    st = face_watchlist_search(s->wl, &f->tpl, &s->search_opt, f->matches, LF_TRACK_MAX_ALERTED,
                               &n);
    s->st.search_us += now_us() - t3;
    if (st != FACE_OK) goto out;
    count(s, C_SEARCHED, 1);
    for (size_t i = 0; i < n; i++) {
        if (f->matches[i].distance > o->threshold || already_alerted(t, &f->matches[i])) continue;
        face_status as = raise_alert(s, t, det, &f->matches[i], ts);
        if (as != FACE_OK && *first_err == FACE_OK) *first_err = as;
    }
out:
    if (st != FACE_OK && *first_err == FACE_OK) {
        *first_err = st;
        LF_FAIL(&s->err, st, "track %llu: %s", (unsigned long long)t->id,
                face_ctx_last_error(s->ctx));
    }
    /* The face is done: nothing of it survives in the stream. */
    lf_wipe(f, sizeof *f);
}

static int pixel_bytes(int format)
{
    switch (format) {
    case FACE_PIXEL_GRAY8: return 1;
    case FACE_PIXEL_RGB24:
    case FACE_PIXEL_BGR24: return 3;
    default: return 4; /* RGBA32, BGRA32: lf_image_check refused the rest */
    }
}

/* Whole-frame detection into s->dets. */
static face_status detect_full(face_stream *s, const face_image *img, size_t *n)
{
    *n = 0;
    face_status st = face_detect(s->ctx, img, &s->det_opt, s->dets, (size_t)s->opt.max_faces, n);
    if (st == FACE_ERR_BUFFER_TOO_SMALL) st = FACE_OK; /* best max_faces kept */
    if (*n > (size_t)s->opt.max_faces) *n = (size_t)s->opt.max_faces;
    if (st != FACE_OK) LF_FAIL(&s->err, st, "detect: %s", face_ctx_last_error(s->ctx));
    return st;
}

/*
 * Local detection: each live track is looked for in a window of local_scale
 * times its side around its predicted box, a view into the caller's frame
 * (same stride, no copy), in one pass whose input size puts the face near
 * LF_STREAM_LOCAL_FACE_NET net px. Boxes go back to frame coordinates in
 * s->dets; a face two windows both saw is kept once (best score first).
 */
static face_status detect_local(face_stream *s, const face_image *img, size_t *n)
{
    const size_t cap = (size_t)s->opt.max_faces;
    const int bpp = pixel_bytes(img->format);
    const int max_input = s->opt.input_size;
    *n = 0;
    for (int i = 0; i < s->tr.cap && *n < cap; i++) {
        const lf_track *tr = &s->tr.tracks[i];
        if (!tr->id) continue;
        face_rect p;
        lf_track_predict(tr, &p);
        float side = fmaxf(p.width, p.height);
        float half = 0.5f * s->opt.local_scale * side;
        float cx = p.x + 0.5f * p.width, cy = p.y + 0.5f * p.height;
        /* Clip in float first: a prediction far off the frame must not
         * overflow the int conversion. */
        float fx0 = fmaxf(0.0f, floorf(cx - half)), fy0 = fmaxf(0.0f, floorf(cy - half));
        float fx1 = fminf((float)img->width, ceilf(cx + half));
        float fy1 = fminf((float)img->height, ceilf(cy + half));
        if (!(fx1 - fx0 >= LF_STREAM_LOCAL_MIN_SIDE && fy1 - fy0 >= LF_STREAM_LOCAL_MIN_SIDE))
            continue;
        int x0 = (int)fx0, y0 = (int)fy0, w = (int)fx1 - x0, h = (int)fy1 - y0;
        face_image view = *img;
        view.width = w;
        view.height = h;
        view.data = img->data + (size_t)y0 * (size_t)img->stride + (size_t)x0 * (size_t)bpp;
        if (s->opt.detector == FACE_DETECTOR_TINY) {
            float want = LF_STREAM_LOCAL_FACE_NET * (float)(w > h ? w : h) / side;
            int in = ((int)ceilf(want) + 31) / 32 * 32;
            if (in < LF_STREAM_LOCAL_MIN_INPUT) in = LF_STREAM_LOCAL_MIN_INPUT;
            if (in > max_input) in = max_input;
            s->local_opt.input_size = in;
        }
        s->local_opt.max_faces = (int32_t)(cap - *n);
        size_t k = 0;
        face_status st = face_detect(s->ctx, &view, &s->local_opt, s->dets + *n, cap - *n, &k);
        if (st == FACE_ERR_BUFFER_TOO_SMALL) st = FACE_OK;
        if (st != FACE_OK) {
            LF_FAIL(&s->err, st, "local detect, track %llu: %s", (unsigned long long)tr->id,
                    face_ctx_last_error(s->ctx));
            return st;
        }
        count(s, C_LOCAL, 1);
        if (k > cap - *n) k = cap - *n;
        /* Back to frame coordinates; drop what an earlier window already
         * has (the detector's NMS ran within this window only). */
        const size_t base = *n;
        size_t kept = base;
        for (size_t j = 0; j < k; j++) {
            face_detection d = s->dets[base + j];
            d.box.x += (float)x0;
            d.box.y += (float)y0;
            int dup = 0;
            for (size_t q = 0; q < base && !dup; q++)
                dup = lf_rect_iou(&s->dets[q].box, &d.box) > LF_STREAM_LOCAL_DUP_IOU;
            if (!dup) s->dets[kept++] = d;
            lf_wipe(&d, sizeof d);
        }
        lf_wipe(s->dets + kept, (base + k - kept) * sizeof *s->dets);
        *n = kept;
    }
    return FACE_OK;
}

/* A mean that drops fast and rises slowly: the first calls on a context
 * pay for its scratch and would otherwise hold the estimate up for dozens
 * of frames; a frame slowed by a busy machine should not swing it either. */
static double running_mean(double mean, double x)
{
    if (!(mean > 0)) return x;
    return x < mean ? 0.5 * (mean + x) : 0.9 * mean + 0.1 * x;
}

face_status face_stream_push(face_stream *s, const face_image *img, int64_t ts)
{
    if (!s) return FACE_ERR_INVALID_ARGUMENT;
    lf_error_clear(&s->err);
    face_status st = lf_image_check(img, s->opt.max_frame_pixels, &s->err);
    if (st != FACE_OK) return st;
    if (s->have_ts && ts < s->last_ts)
        return LF_FAIL(&s->err, FACE_ERR_INVALID_ARGUMENT,
                       "timestamp %lld us is before the previous frame's %lld us", (long long)ts,
                       (long long)s->last_ts);
    uint64_t t0 = now_us();
    size_t n = 0;
    /* Whole frame on the first frame and every detect_interval-th after;
     * the frames in between only follow the tracks already live. */
    int full = s->since_full == 0;
    /* With many tracks the windows cost more than the whole frame, which
     * also finds new faces: then detect it whole, and restart the cadence. */
    if (!full && !(s->opt.flags & FACE_STREAM_FIXED_INTERVAL) && s->full_us > 0 &&
        s->window_us > 0 && s->tr.live * s->window_us >= s->full_us)
        full = 1;
    uint32_t c_local = (uint32_t)s->c[C_LOCAL];
    st = full ? detect_full(s, img, &n) : detect_local(s, img, &n);
    if (st != FACE_OK) {
        lf_wipe(s->dets, (size_t)s->opt.max_faces * sizeof *s->dets);
        return st;
    }
    uint64_t t1 = now_us();
    const double dt = (double)(t1 - t0);
    s->st.detect_us += t1 - t0;
    if (full) {
        s->st.detect_full_us += t1 - t0;
        s->full_us = running_mean(s->full_us, dt);
    } else {
        s->st.detect_local_us += t1 - t0;
        uint32_t windows = (uint32_t)s->c[C_LOCAL] - c_local;
        if (windows) {
            double w = dt / windows;
            s->window_us = running_mean(s->window_us, w);
        }
    }
    s->last_ts = ts;
    s->have_ts = 1;
    s->since_full = full ? 1 : s->since_full + 1;
    if (s->since_full >= s->opt.detect_interval) s->since_full = 0;

    for (size_t j = 0; j < n; j++) s->boxes[j] = s->dets[j].box;
    lf_track_events ev;
    size_t seen = n;
    if (full) {
        lf_tracker_update(&s->tr, s->boxes, (int)n, s->assign, &ev);
        count(s, C_FULL, 1);
    } else {
        lf_tracker_update_known(&s->tr, s->boxes, (int)n, s->assign, &ev);
        /* A local box that continues no track is a face met by chance at
         * a window's edge: not counted, left to the next full detection. */
        seen = 0;
        for (size_t j = 0; j < n; j++) seen += s->assign[j] >= 0;
    }
    count(s, C_FRAMES, 1);
    count(s, C_FACES, seen);
    count(s, C_TRACKS, ev.started);
    count(s, C_UNTRACKED, ev.untracked);

    face_status first_err = FACE_OK;
    for (size_t j = 0; j < n; j++) {
        if (s->assign[j] < 0) continue;
        lf_track *t = &s->tr.tracks[s->assign[j]];
        if (t->embeds >= s->opt.max_embeds_per_track) continue;
        process_face(s, t, img, &s->dets[j], ts, &first_err);
    }
    lf_wipe(s->dets, n * sizeof *s->dets);
    lf_wipe(s->boxes, n * sizeof *s->boxes);
    uint64_t total = now_us() - t0;
    s->st.frames++;
    s->st.total_us += total;
    if (total > s->st.max_total_us) s->st.max_total_us = total;
    uint64_t *mx = full ? &s->st.max_full_us : &s->st.max_local_us;
    if (total > *mx) *mx = total;
    return first_err;
}

face_status face_stream_flush(face_stream *s)
{
    if (!s) return FACE_ERR_INVALID_ARGUMENT;
    lf_error_clear(&s->err);
    lf_tracker_clear(&s->tr);
    s->since_full = 0; /* no track left to follow: look at the whole next frame */
    return FACE_OK;
}

face_status face_stream_poll(face_stream *s, face_stream_alert **out)
{
    if (!s || !out) return FACE_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (!s->qcount) return FACE_OK;
    lf_alert *a = s->queue[s->qhead];
    s->queue[s->qhead] = NULL;
    s->qhead = (s->qhead + 1) % s->opt.queue_capacity;
    s->qcount--;
    *out = &a->pub;
    return FACE_OK;
}

face_status face_stream_get_counters(const face_stream *s, face_stream_counters *out)
{
    if (!s || !out) return FACE_ERR_INVALID_ARGUMENT;
    counters_from(s->c, out);
    return FACE_OK;
}

face_status face_stream_get_stats(const face_stream *s, face_stream_stats *out)
{
    if (!s || !out) return FACE_ERR_INVALID_ARGUMENT;
    *out = s->st;
    out->struct_size = sizeof *out;
    return FACE_OK;
}

face_status face_stream_live_tracks(const face_stream *s, size_t *count_out)
{
    if (!s || !count_out) return FACE_ERR_INVALID_ARGUMENT;
    *count_out = (size_t)s->tr.live;
    return FACE_OK;
}

const char *face_stream_last_error(const face_stream *s) { return s ? s->err.msg : ""; }

size_t face_sizeof_quality(void) { return sizeof(face_quality); }
size_t face_sizeof_stream_options(void) { return sizeof(face_stream_options); }
size_t face_sizeof_stream_alert(void) { return sizeof(face_stream_alert); }
size_t face_sizeof_stream_counters(void) { return sizeof(face_stream_counters); }
size_t face_sizeof_stream_stats(void) { return sizeof(face_stream_stats); }
