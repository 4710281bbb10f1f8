#define _POSIX_C_SOURCE 200809L
/* Streams end to end on real photos, through the public API only.
 *
 * Obama is enrolled (from known/obama/); a sequence of frames is pushed:
 * obama_and_biden.jpg sliding a few pixels per frame (Biden, Obama and a
 * girl: three tracks), empty
 * frames that end the tracks, the same pair again (new tracks), then
 * kit_with_rose.jpg (nobody enrolled), then Biden alone. Expected: exactly
 * one alert per Obama track, never one for anyone else.
 *
 * Privacy checks, with an allocator hook on the stream (and so its
 * context): every buffer it frees is all zero when freed, over the whole
 * run; and after the run, no live block of the stream holds any piece of
 * Biden's chip or template (computed independently), nor of the caller's
 * frame pixels.
 *
 * Plus bad arguments on create and push. Needs ../shared and the models. */
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>

#include <face/face.h>

#include "testutil.h"

/* ---------------------------------------------------------------- allocator probe */

#define MAX_LIVE 4096
typedef struct probe {
    pthread_mutex_t mu;
    long allocs, frees, nonzero_frees;
    size_t nonzero_size; /* of the first offender */
    void *live[MAX_LIVE];
    size_t live_size[MAX_LIVE];
} probe;

static void *probe_alloc(void *opaque, size_t size, size_t align)
{
    probe *p = opaque;
    void *ptr = NULL;
    if (posix_memalign(&ptr, align < sizeof(void *) ? sizeof(void *) : align, size)) return NULL;
    pthread_mutex_lock(&p->mu);
    p->allocs++;
    for (int i = 0; i < MAX_LIVE; i++)
        if (!p->live[i]) {
            p->live[i] = ptr;
            p->live_size[i] = size;
            break;
        }
    pthread_mutex_unlock(&p->mu);
    return ptr;
}

static void probe_free(void *opaque, void *ptr, size_t size)
{
    probe *p = opaque;
    const uint8_t *b = ptr;
    int dirty = 0;
    for (size_t i = 0; i < size; i++)
        if (b[i]) {
            dirty = 1;
            break;
        }
    pthread_mutex_lock(&p->mu);
    p->frees++;
    if (dirty && !p->nonzero_frees++) p->nonzero_size = size;
    for (int i = 0; i < MAX_LIVE; i++)
        if (p->live[i] == ptr) {
            p->live[i] = NULL;
            break;
        }
    pthread_mutex_unlock(&p->mu);
    free(ptr);
}

static void probe_init(probe *p, face_allocator *a)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    *a = (face_allocator){sizeof *a, 0, probe_alloc, probe_free, p};
}

/* Does any live block contain needle? */
static int probe_live_contains(probe *p, const void *needle, size_t n)
{
    int found = 0;
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < MAX_LIVE && !found; i++) {
        if (!p->live[i] || p->live_size[i] < n) continue;
        const uint8_t *b = p->live[i];
        for (size_t off = 0; off + n <= p->live_size[i]; off++)
            if (b[off] == ((const uint8_t *)needle)[0] && memcmp(b + off, needle, n) == 0) {
                found = 1;
                break;
            }
    }
    pthread_mutex_unlock(&p->mu);
    return found;
}

/* ---------------------------------------------------------------- fixtures */

static face_engine *g_engine;
static face_ctx *g_ctx; /* for decoding and the independent pipeline */
static char g_people[4096];

static void load(const char *rel, face_image *img)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", g_people, rel);
    assert_int_equal(face_image_load_file(g_ctx, path, img), FACE_OK);
}

/* An RGB24 frame owned by the test (malloc). */
typedef struct frame {
    int w, h;
    uint8_t *px;
    face_image img;
} frame;

static void frame_new(frame *f, int w, int h)
{
    f->w = w;
    f->h = h;
    f->px = calloc((size_t)w * h, 3);
    assert_non_null(f->px);
    assert_int_equal(face_image_init(&f->img, FACE_PIXEL_RGB24, w, h, w * 3, f->px), FACE_OK);
}

/* Background grey, then src downscaled by an integer factor pasted at (x, y). */
static void frame_compose(frame *f, const face_image *src, int factor, int x, int y)
{
    memset(f->px, 90, (size_t)f->w * f->h * 3);
    if (!src) return;
    int sw = src->width / factor, sh = src->height / factor;
    for (int j = 0; j < sh; j++) {
        int ty = y + j;
        if (ty < 0 || ty >= f->h) continue;
        for (int i = 0; i < sw; i++) {
            int tx = x + i;
            if (tx < 0 || tx >= f->w) continue;
            for (int c = 0; c < 3; c++) {
                int s = 0;
                for (int dy = 0; dy < factor; dy++)
                    for (int dx = 0; dx < factor; dx++)
                        s += src->data[(size_t)(j * factor + dy) * src->stride +
                                       (size_t)(i * factor + dx) * 3 + c];
                f->px[((size_t)ty * f->w + tx) * 3 + c] = (uint8_t)(s / (factor * factor));
            }
        }
    }
}

/* The largest face of img, embedded with the same steps a stream uses. */
static void largest_face(const face_image *img, face_detection *det, face_chip *chip,
                         face_template *tpl)
{
    face_detection dets[16];
    size_t n = 0;
    face_detect_options o;
    face_detect_options_init(&o);
    o.min_face_size = 80;
    assert_int_equal(face_detect(g_ctx, img, &o, dets, 16, &n), FACE_OK);
    assert_true(n >= 1);
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (dets[i].box.width > dets[best].box.width) best = i;
    *det = dets[best];
    face_landmarks lm;
    assert_int_equal(face_landmarks_detect(g_ctx, img, &det->box, &lm), FACE_OK);
    assert_int_equal(face_align_chip(g_ctx, img, &lm, chip), FACE_OK);
    assert_int_equal(face_embed_chip(g_ctx, chip, NULL, tpl), FACE_OK);
}

static face_watchlist *make_watchlist(void)
{
    face_watchlist_options wo;
    face_watchlist_options_init(&wo);
    assert_int_equal(face_engine_fingerprint(g_engine, FACE_ALIGN_DLIB, wo.fingerprint), FACE_OK);
    uint8_t raw[32];
    memset(raw, 0x5a, sizeof raw);
    face_watchlist_key key;
    face_watchlist_key_raw(&key, raw);
    face_watchlist *wl = NULL;
    assert_int_equal(face_watchlist_create(&wo, &key, &wl), FACE_OK);
    face_template t[2];
    const char *files[2] = {"known/obama/obama.jpg", "known/obama/obama2.jpg"};
    for (int i = 0; i < 2; i++) {
        face_image img;
        load(files[i], &img);
        face_detection d;
        face_chip chip;
        largest_face(&img, &d, &chip, &t[i]);
        face_image_free(g_ctx, &img);
    }
    assert_int_equal(face_watchlist_enroll(wl, (const uint8_t *)"obama", 5, "Barack Obama", t, 2, 0),
                     FACE_OK);
    face_template_wipe(&t[0]);
    face_template_wipe(&t[1]);
    return wl;
}

typedef struct cb_log {
    int calls;
    uint64_t tracks[16];
} cb_log;

static int on_alert(void *user, const face_stream_alert *a)
{
    cb_log *l = user;
    if (l->calls < 16) l->tracks[l->calls] = a->track_id;
    l->calls++;
    return 1; /* also queue it */
}

/* ---------------------------------------------------------------- end to end */

static void run_alerts_once_per_track_and_no_trace(int interval)
{
    face_watchlist *wl = make_watchlist();
    face_image pair, other;
    load("probes/obama_and_biden.jpg", &pair);
    load("probes/kit_with_rose.jpg", &other);

    frame f;
    frame_new(&f, 1280, 800);

    probe pr;
    face_allocator hook;
    probe_init(&pr, &hook);
    face_deployment *dep = NULL;
    assert_int_equal(face_deployment_create(NULL, &dep), FACE_OK);
    cb_log log;
    memset(&log, 0, sizeof log);
    face_stream_options o;
    face_stream_options_init(&o);
    o.stream_id = 7;
    o.allocator = &hook;
    o.max_missed = 4;
    o.on_alert = on_alert;
    o.on_alert_user = &log;
    o.deployment = dep;
    o.detect_interval = interval;
    o.flags |= FACE_STREAM_FIXED_INTERVAL; /* exact full/local counts below */
    face_stream *s = NULL;
    assert_int_equal(face_stream_create(g_engine, wl, &o, &s), FACE_OK);

    int64_t ts = 1000000;
    int frames = 0;
    uint8_t marker[64];
    for (int seg = 0; seg < 2; seg++) {
        for (int i = 0; i < 10; i++, frames++) {
            frame_compose(&f, &pair, 2, 100 + 6 * i, 40 + 2 * i);
            assert_int_equal(face_stream_push(s, &f.img, ts += 40000), FACE_OK);
        }
        /* A piece of the last frame's pixels (a face region) for the scan. */
        memcpy(marker, f.px + ((size_t)300 * f.w + 400) * 3, sizeof marker);
        for (int i = 0; i < 8; i++, frames++) {
            frame_compose(&f, NULL, 1, 0, 0);
            assert_int_equal(face_stream_push(s, &f.img, ts += 40000), FACE_OK);
        }
        size_t live = 99;
        assert_int_equal(face_stream_live_tracks(s, &live), FACE_OK);
        assert_int_equal(live, 0);
    }
    for (int i = 0; i < 30; i++, frames++) {
        frame_compose(&f, &other, 1, 300 + 3 * i, 50);
        assert_int_equal(face_stream_push(s, &f.img, ts += 40000), FACE_OK);
    }
    /* Empty frames end those tracks; then one frame shows Biden alone
     * (the pair shifted so Obama and the girl are off the right edge). */
    for (int i = 0; i < 6; i++, frames++) {
        frame_compose(&f, NULL, 1, 0, 0);
        assert_int_equal(face_stream_push(s, &f.img, ts += 40000), FACE_OK);
    }
    /* Held for a whole detection interval, so a whole-frame detection
     * sees him (with no live track, local frames look nowhere). */
    frame_compose(&f, &pair, 2, 780, 40);
    for (int i = 0; i < interval; i++, frames++)
        assert_int_equal(face_stream_push(s, &f.img, ts += 40000), FACE_OK);
    assert_true(frames >= 50);

    /* Biden's chip and template from that frame, made independently the
     * way the stream makes them: the needles for the "no trace" scan. */
    face_detection dets[8];
    size_t n = 0;
    face_detect_options dopt;
    face_detect_options_init(&dopt);
    dopt.min_face_size = 80;
    assert_int_equal(face_detect(g_ctx, &f.img, &dopt, dets, 8, &n), FACE_OK);
    assert_int_equal(n, 1);
    assert_true(dets[0].box.x > 1100);
    face_landmarks lm;
    static face_chip biden_chip;
    face_template biden_tpl;
    assert_int_equal(face_landmarks_detect(g_ctx, &f.img, &dets[0].box, &lm), FACE_OK);
    assert_int_equal(face_align_chip(g_ctx, &f.img, &lm, &biden_chip), FACE_OK);
    assert_int_equal(face_embed_chip(g_ctx, &biden_chip, NULL, &biden_tpl), FACE_OK);

    /* Exactly two alerts, both Obama, on two different tracks. */
    face_stream_alert *a[3] = {NULL, NULL, NULL};
    for (int i = 0; i < 3; i++) assert_int_equal(face_stream_poll(s, &a[i]), FACE_OK);
    assert_non_null(a[0]);
    assert_non_null(a[1]);
    assert_null(a[2]);
    assert_int_equal(log.calls, 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(a[i]->struct_size, sizeof *a[i]);
        assert_int_equal(a[i]->stream_id, 7);
        assert_int_equal(a[i]->id_len, 5);
        assert_memory_equal(a[i]->id, "obama", 5);
        assert_string_equal(a[i]->label, "Barack Obama");
        assert_true(a[i]->distance <= o.threshold);
        assert_true(fabsf(a[i]->similarity - (1.0f - a[i]->distance / 1.2f)) < 1e-6f);
        assert_true(a[i]->box.x > 600); /* Obama, the right face */
        assert_int_equal(a[i]->chip.size, FACE_CHIP_SIZE);
        assert_int_equal(a[i]->track_id, log.tracks[i]);
        assert_true(a[i]->timestamp_us > 1000000);
        assert_true(a[i]->quality.score > 0);
    }
    assert_true(a[0]->track_id != a[1]->track_id);

    face_stream_counters c, dc;
    assert_int_equal(face_stream_get_counters(s, &c), FACE_OK);
    assert_int_equal(c.frames, (uint64_t)frames);
    assert_int_equal(c.alerts, 2);
    assert_int_equal(c.alerts_dropped, 0);
    assert_true(c.tracks >= 8); /* 2 x (biden, obama, girl) + kit + rose */
    /* Obama and Biden on every frame of the two segments and both people
     * of the second photo, less the frames a face waits for the next
     * whole-frame detection after it appears (the girl and a weak false
     * positive near the threshold come and go on top). */
    assert_true(c.faces >= (uint64_t)(2 * (10 - interval + 1) * 2 + (30 - interval + 1) * 2));
    assert_true(c.faces_searched >= 4 && c.faces_searched <= c.faces_gated);
    assert_true(c.faces_searched <= c.tracks * (uint64_t)o.max_embeds_per_track);
    assert_int_equal(c.detect_full, (uint64_t)(frames + interval - 1) / (uint64_t)interval);
    if (interval == 1) assert_int_equal(c.detect_local, 0);
    else assert_true(c.detect_local >= (uint64_t)(2 * 8 * 3)); /* >= 2 segments x 8 local x 3 */
    assert_int_equal(face_deployment_get_counters(dep, &dc), FACE_OK);
    assert_memory_equal(&c, &dc, sizeof c);
    face_stream_stats st;
    assert_int_equal(face_stream_get_stats(s, &st), FACE_OK);
    assert_int_equal(st.frames, (uint64_t)frames);
    assert_true(st.detect_us > 0 && st.landmarks_us > 0 && st.embed_us > 0);
    assert_true(st.total_us >= st.detect_us + st.landmarks_us + st.align_us + st.embed_us);
    assert_int_equal(st.detect_us, st.detect_full_us + st.detect_local_us);
    assert_true(st.max_full_us > 0 && st.max_full_us <= st.max_total_us);
    assert_true(interval == 1 ? st.max_local_us == 0 : st.max_local_us > 0);

    /* No trace of Biden (never alerted) nor of the frames in the stream's
     * live memory: scan for 64-byte windows of his chip, his template's
     * values, and the frame marker. */
    assert_int_equal(face_stream_flush(s), FACE_OK);
    for (int off = 40 * 450; off < 110 * 450; off += 450 * 7)
        assert_false(probe_live_contains(&pr, biden_chip.rgb + off, 64));
    assert_false(probe_live_contains(&pr, biden_tpl.values, 64));
    assert_false(probe_live_contains(&pr, marker, sizeof marker));
    /* The scan can fail: the polled alerts came from the same allocator,
     * so Obama's chip is found while they are alive. */
    assert_true(probe_live_contains(&pr, a[0]->chip.rgb + 60 * 450, 64));

    face_stream_alert_free(a[0]);
    face_stream_alert_free(a[1]);
    face_stream_destroy(s);
    assert_int_equal(pr.nonzero_frees, 0);
    assert_true(pr.frees > 0);
    assert_int_equal(pr.allocs, pr.frees);

    face_deployment_destroy(dep);
    free(f.px);
    face_image_free(g_ctx, &pair);
    face_image_free(g_ctx, &other);
    face_template_wipe(&biden_tpl);
    face_watchlist_close(wl);
}

static void test_alerts_once_per_track_and_no_trace(void **state)
{
    (void)state;
    run_alerts_once_per_track_and_no_trace(1);
}

/* The same with whole-frame detection every 5th frame and local detection
 * around the tracks in between. */
static void test_alerts_with_detect_interval(void **state)
{
    (void)state;
    run_alerts_once_per_track_and_no_trace(5);
}

/* Faces moving ~10 px a frame are followed through the local frames. With
 * max_missed 0 a track ends on the first frame it is not seen, and a new
 * track of Obama would alert again: exactly one alert means his track
 * was found on every frame, local ones included. */
static void test_moving_faces_through_local_frames(void **state)
{
    (void)state;
    face_watchlist *wl = make_watchlist();
    face_image pair;
    load("probes/obama_and_biden.jpg", &pair);
    frame f;
    frame_new(&f, 1280, 800);
    face_stream_options o;
    face_stream_options_init(&o);
    o.detect_interval = 5;
    o.flags |= FACE_STREAM_FIXED_INTERVAL;
    o.max_missed = 0;
    face_stream *s = NULL;
    assert_int_equal(face_stream_create(g_engine, wl, &o, &s), FACE_OK);
    enum { NFR = 20 };
    for (int i = 0; i < NFR; i++) {
        frame_compose(&f, &pair, 2, 60 + 10 * i, 30 + 4 * i);
        assert_int_equal(face_stream_push(s, &f.img, 40000 * i), FACE_OK);
        size_t live = 0;
        assert_int_equal(face_stream_live_tracks(s, &live), FACE_OK);
        assert_true(live >= 2); /* Obama and Biden */
    }
    face_stream_counters c;
    assert_int_equal(face_stream_get_counters(s, &c), FACE_OK);
    assert_int_equal(c.frames, NFR);
    assert_int_equal(c.detect_full, NFR / 5);
    assert_true(c.detect_local >= 2 * (NFR - NFR / 5));
    assert_true(c.faces >= 2 * NFR);
    assert_int_equal(c.alerts, 1);
    face_stream_alert *a = NULL;
    assert_int_equal(face_stream_poll(s, &a), FACE_OK);
    assert_non_null(a);
    assert_memory_equal(a->id, "obama", 5);
    face_stream_alert_free(a);
    face_stream_destroy(s);
    free(f.px);
    face_image_free(g_ctx, &pair);
    face_watchlist_close(wl);
}

/* Faces that appear between two whole-frame detections are found at the
 * next one: local frames look only around live tracks. */
static void test_faces_appearing_between_full_detections(void **state)
{
    (void)state;
    face_watchlist *wl = make_watchlist();
    face_image pair;
    load("probes/obama_and_biden.jpg", &pair);
    frame f;
    frame_new(&f, 1280, 800);
    face_stream_options o;
    face_stream_options_init(&o);
    o.detect_interval = 5;
    o.flags |= FACE_STREAM_FIXED_INTERVAL;
    face_stream *s = NULL;
    assert_int_equal(face_stream_create(g_engine, wl, &o, &s), FACE_OK);
    frame_compose(&f, NULL, 1, 0, 0);
    assert_int_equal(face_stream_push(s, &f.img, 0), FACE_OK); /* whole frame: empty */
    frame_compose(&f, &pair, 2, 100, 40);
    face_stream_alert *a = NULL;
    size_t live = 99;
    for (int i = 1; i < 5; i++) {
        assert_int_equal(face_stream_push(s, &f.img, 40000 * i), FACE_OK);
        assert_int_equal(face_stream_live_tracks(s, &live), FACE_OK);
        assert_int_equal(live, 0);
        assert_int_equal(face_stream_poll(s, &a), FACE_OK);
        assert_null(a);
    }
    assert_int_equal(face_stream_push(s, &f.img, 200000), FACE_OK); /* whole frame */
    assert_int_equal(face_stream_live_tracks(s, &live), FACE_OK);
    assert_true(live >= 2); /* Obama, Biden (and the girl, near the threshold) */
    assert_int_equal(face_stream_poll(s, &a), FACE_OK);
    assert_non_null(a);
    assert_int_equal(a->timestamp_us, 200000);
    assert_memory_equal(a->id, "obama", 5);
    face_stream_alert_free(a);
    face_stream_counters c;
    assert_int_equal(face_stream_get_counters(s, &c), FACE_OK);
    assert_int_equal(c.detect_full, 2);
    assert_int_equal(c.detect_local, 0); /* no track to look around */
    assert_int_equal(c.faces, live);
    /* After a flush the next frame is detected whole again. */
    assert_int_equal(face_stream_flush(s), FACE_OK);
    assert_int_equal(face_stream_push(s, &f.img, 240000), FACE_OK);
    assert_int_equal(face_stream_get_counters(s, &c), FACE_OK);
    assert_int_equal(c.detect_full, 3);
    assert_int_equal(face_stream_live_tracks(s, &live), FACE_OK);
    assert_true(live >= 2);
    face_stream_destroy(s);
    free(f.px);
    face_image_free(g_ctx, &pair);
    face_watchlist_close(wl);
}

/* Queue full: the oldest alert is dropped and counted. A track alerts on
 * an entry once, so the alerts come from many tracks: the pair appears for
 * one frame, vanishes (max_missed 0 ends the tracks), and comes back. */
static void test_queue_full_drops_oldest(void **state)
{
    (void)state;
    face_watchlist *wl = make_watchlist();
    face_image pair;
    load("probes/obama_and_biden.jpg", &pair);
    frame f;
    frame_new(&f, 1280, 800);
    face_stream_options o;
    face_stream_options_init(&o);
    o.max_missed = 0;
    o.queue_capacity = 2;
    o.detect_interval = 1; /* the pair shows for single frames */
    face_stream *s = NULL;
    assert_int_equal(face_stream_create(g_engine, wl, &o, &s), FACE_OK);
    int64_t ts = 0;
    for (int k = 0; k < 4; k++) {
        frame_compose(&f, &pair, 2, 100, 40);
        assert_int_equal(face_stream_push(s, &f.img, ts += 40000), FACE_OK);
        frame_compose(&f, NULL, 1, 0, 0);
        assert_int_equal(face_stream_push(s, &f.img, ts += 40000), FACE_OK);
    }
    face_stream_counters c;
    assert_int_equal(face_stream_get_counters(s, &c), FACE_OK);
    assert_int_equal(c.alerts, 4);
    assert_int_equal(c.alerts_dropped, 2);
    face_stream_alert *a = NULL, *b = NULL, *z = NULL;
    assert_int_equal(face_stream_poll(s, &a), FACE_OK);
    assert_int_equal(face_stream_poll(s, &b), FACE_OK);
    assert_int_equal(face_stream_poll(s, &z), FACE_OK);
    assert_non_null(a);
    assert_non_null(b);
    assert_null(z);
    assert_true(a->track_id < b->track_id);
    assert_true(a->track_id > 6); /* three tracks a round; rounds 1 and 2 dropped */
    /* Destroying the stream leaves polled alerts valid. */
    face_stream_destroy(s);
    assert_memory_equal(b->id, "obama", 5);
    face_stream_alert_free(a);
    face_stream_alert_free(b);
    free(f.px);
    face_image_free(g_ctx, &pair);
    face_watchlist_close(wl);
}

/* ---------------------------------------------------------------- bad arguments */

static void test_bad_arguments(void **state)
{
    (void)state;
    face_watchlist *wl = make_watchlist();
    face_stream_options o;
    face_stream *s = (face_stream *)1;

    assert_int_equal(face_stream_create(g_engine, NULL, NULL, &s), FACE_ERR_INVALID_ARGUMENT);
    assert_null(s);
    assert_int_equal(face_stream_create(NULL, wl, NULL, &s), FACE_ERR_INVALID_ARGUMENT);
    face_stream_options_init(&o);
    o.struct_size = (uint32_t)offsetof(face_stream_options, detect_interval) - 1;
    assert_int_equal(face_stream_create(g_engine, wl, &o, &s), FACE_ERR_INVALID_ARGUMENT);
    o.struct_size = 0;
    assert_int_equal(face_stream_create(g_engine, wl, &o, &s), FACE_ERR_INVALID_ARGUMENT);

    /* Every field out of range, one at a time. */
    for (int k = 0; k < 30; k++) {
        face_stream_options_init(&o);
        switch (k) {
        case 0: o.threads = 0; break;
        case 1: o.threads = 65; break;
        case 2: o.detector = 3; break;
        case 3: o.detect_score = 0; break;
        case 4: o.detect_score = NAN; break;
        case 5: o.min_face_size = -1; break;
        case 6: o.max_faces = 0; break;
        case 7: o.max_faces = 1001; break;
        case 8: o.max_frame_pixels = 0; break;
        case 9: o.max_tracks = -1; break;
        case 10: o.max_missed = -1; break;
        case 11: o.track_iou = 1.0f; break;
        case 12: o.max_yaw = NAN; break;
        case 13: o.max_pitch = 91; break;
        case 14: o.min_sharpness = -1; break;
        case 15: o.min_quality = 1.5f; break;
        case 16: o.max_embeds_per_track = 0; break;
        case 17: o.max_embeds_per_track = 17; break;
        case 18: o.reembed_gain = -0.1f; break;
        case 19: o.threshold = NAN; break;
        case 20: o.search_k = 9; break;
        case 21: o.queue_capacity = 0; break;
        case 22: o.flags = 0x80; break;
        case 23: o.min_eye_distance = INFINITY; break;
        case 24: o.detect_interval = 0; break;
        case 25: o.detect_interval = 1001; break;
        case 26: o.full_min_face_size = -1; break;
        case 27: o.local_scale = 1.4f; break;
        case 28: o.local_scale = NAN; break;
        case 29: o.local_scale = 6.5f; break;
        }
        assert_int_equal(face_stream_create(g_engine, wl, &o, &s), FACE_ERR_INVALID_ARGUMENT);
        assert_null(s);
    }
    /* A struct from before detect_interval: the fields it lacks are not
     * read (garbage there is fine) and take their defaults. */
    face_stream_options_init(&o);
    o.struct_size = (uint32_t)offsetof(face_stream_options, detect_interval);
    o.detect_interval = -7;
    o.local_scale = NAN;
    assert_int_equal(face_stream_create(g_engine, wl, &o, &s), FACE_OK);
    face_stream_destroy(s);
    s = NULL;
    face_allocator half = {sizeof half, 0, NULL, NULL, NULL};
    half.free = (void (*)(void *, void *, size_t))1;
    face_stream_options_init(&o);
    o.allocator = &half;
    assert_int_equal(face_stream_create(g_engine, wl, &o, &s), FACE_ERR_INVALID_ARGUMENT);

    /* A watchlist of another model. */
    face_watchlist_options wo;
    face_watchlist_options_init(&wo);
    memset(wo.fingerprint, 0xee, sizeof wo.fingerprint);
    uint8_t raw[32] = {1};
    face_watchlist_key key;
    face_watchlist_key_raw(&key, raw);
    face_watchlist *other = NULL;
    assert_int_equal(face_watchlist_create(&wo, &key, &other), FACE_OK);
    assert_int_equal(face_stream_create(g_engine, other, NULL, &s), FACE_ERR_MODEL_MISMATCH);
    face_watchlist_close(other);

    /* Push: images, formats, limits, time. */
    face_stream_options_init(&o);
    o.max_frame_pixels = 640 * 480;
    assert_int_equal(face_stream_create(g_engine, wl, &o, &s), FACE_OK);
    static uint8_t px[1280 * 960 * 4];
    face_image img;
    assert_int_equal(face_image_init(&img, FACE_PIXEL_RGB24, 640, 480, 640 * 3, px), FACE_OK);
    assert_int_equal(face_stream_push(s, NULL, 0), FACE_ERR_INVALID_ARGUMENT);
    face_image bad = img;
    bad.struct_size = 4;
    assert_int_equal(face_stream_push(s, &bad, 0), FACE_ERR_INVALID_ARGUMENT);
    const int formats[] = {0, 6, 99, -1};
    for (int i = 0; i < 4; i++) {
        bad = img;
        bad.format = formats[i];
        assert_int_equal(face_stream_push(s, &bad, 0), FACE_ERR_INVALID_ARGUMENT);
    }
    bad = img;
    bad.data = NULL;
    assert_int_equal(face_stream_push(s, &bad, 0), FACE_ERR_INVALID_ARGUMENT);
    bad = img;
    bad.stride = 640 * 3 - 1;
    assert_int_equal(face_stream_push(s, &bad, 0), FACE_ERR_INVALID_ARGUMENT);
    bad = img;
    bad.width = 0;
    assert_int_equal(face_stream_push(s, &bad, 0), FACE_ERR_INVALID_ARGUMENT);
    face_image big;
    assert_int_equal(face_image_init(&big, FACE_PIXEL_RGB24, 641, 480, 641 * 3, px), FACE_OK);
    assert_int_equal(face_stream_push(s, &big, 0), FACE_ERR_LIMIT);
    assert_non_null(strstr(face_stream_last_error(s), "limit"));
    /* Every pixel format is accepted. */
    const int ok_formats[] = {FACE_PIXEL_GRAY8, FACE_PIXEL_RGB24, FACE_PIXEL_BGR24,
                              FACE_PIXEL_RGBA32, FACE_PIXEL_BGRA32};
    const int bpp[] = {1, 3, 3, 4, 4};
    for (int i = 0; i < 5; i++) {
        face_image any;
        assert_int_equal(face_image_init(&any, ok_formats[i], 640, 480, 640 * bpp[i], px), FACE_OK);
        assert_int_equal(face_stream_push(s, &any, 100 + i), FACE_OK);
    }
    /* Time may stand still but not go back; a refused frame changes nothing. */
    face_stream_counters before, after;
    assert_int_equal(face_stream_get_counters(s, &before), FACE_OK);
    assert_int_equal(face_stream_push(s, &img, 104), FACE_OK);
    assert_int_equal(face_stream_push(s, &img, 103), FACE_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(face_stream_last_error(s), "timestamp"));
    assert_int_equal(face_stream_push(s, &img, INT64_MIN), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_stream_get_counters(s, &after), FACE_OK);
    assert_int_equal(after.frames, before.frames + 1);
    assert_int_equal(face_stream_push(s, &img, 104), FACE_OK);
    assert_string_equal(face_stream_last_error(s), "");

    face_stream_alert *a = (face_stream_alert *)1;
    assert_int_equal(face_stream_poll(s, NULL), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_stream_poll(s, &a), FACE_OK);
    assert_null(a);
    assert_int_equal(face_stream_get_counters(s, NULL), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_stream_get_stats(s, NULL), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_stream_live_tracks(s, NULL), FACE_ERR_INVALID_ARGUMENT);
    face_stream_destroy(s);
    face_watchlist_close(wl);
}

/* ---------------------------------------------------------------- threads */

/* Four streams on four threads share the engine and the watchlist; each
 * sees Obama and alerts once, like a stream run alone. */
typedef struct worker {
    face_watchlist *wl;
    const face_image *frames;
    int nframes;
    int alerts;
    face_status st;
} worker;

static void *run_worker(void *arg)
{
    worker *w = arg;
    face_stream *s = NULL;
    w->st = face_stream_create(g_engine, w->wl, NULL, &s);
    for (int i = 0; i < w->nframes && w->st == FACE_OK; i++)
        w->st = face_stream_push(s, &w->frames[i], 40000 * i);
    face_stream_alert *a = NULL;
    while (w->st == FACE_OK && face_stream_poll(s, &a) == FACE_OK && a) {
        if (a->id_len == 5 && memcmp(a->id, "obama", 5) == 0) w->alerts++;
        else w->alerts += 100;
        face_stream_alert_free(a);
    }
    face_stream_destroy(s);
    return NULL;
}

static void test_four_streams_four_threads(void **state)
{
    (void)state;
    face_watchlist *wl = make_watchlist();
    face_image pair;
    load("probes/obama_and_biden.jpg", &pair);
    enum { NF = 4 };
    frame fr[NF];
    face_image imgs[NF];
    for (int i = 0; i < NF; i++) {
        frame_new(&fr[i], 1280, 800);
        frame_compose(&fr[i], &pair, 2, 100 + 5 * i, 40);
        imgs[i] = fr[i].img;
    }
    pthread_t th[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){wl, imgs, NF, 0, FACE_OK};
        assert_int_equal(pthread_create(&th[i], NULL, run_worker, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].st, FACE_OK);
        assert_int_equal(w[i].alerts, 1);
    }
    for (int i = 0; i < NF; i++) free(fr[i].px);
    face_image_free(g_ctx, &pair);
    face_watchlist_close(wl);
}

int main(void)
{
    TU_REQUIRE_SHARED();
    TU_REQUIRE_MODELS();
    snprintf(g_people, sizeof g_people, "%s/data/people", tu_shared_dir());
    char probe_path[8300];
    snprintf(probe_path, sizeof probe_path, "%s/probes/obama_and_biden.jpg", g_people);
    FILE *pf = fopen(probe_path, "rb");
    if (!pf) {
        fprintf(stderr, "SKIP: %s not found\n", probe_path);
        return TU_SKIP_CODE;
    }
    fclose(pf);
    if (face_engine_create_from_dir(tu_model_dir(), NULL, &g_engine) != FACE_OK) return 1;
    if (face_ctx_create(g_engine, NULL, &g_ctx) != FACE_OK) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alerts_once_per_track_and_no_trace),
        cmocka_unit_test(test_alerts_with_detect_interval),
        cmocka_unit_test(test_moving_faces_through_local_frames),
        cmocka_unit_test(test_faces_appearing_between_full_detections),
        cmocka_unit_test(test_queue_full_drops_oldest),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_four_streams_four_threads),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    face_ctx_destroy(g_ctx);
    face_engine_destroy(g_engine);
    return rc;
}
