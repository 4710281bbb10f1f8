/* Stream building blocks without any network (quick):
 *  - the tracker on synthetic detections: one track per moving box, a fast
 *    box kept by the motion model, a split on a jump, the end after exactly
 *    max_missed + 1 unseen frames, reacquisition within max_missed, slots
 *    running out, and ended slots wiped;
 *  - the quality measures on synthetic landmarks projected from a 3-D face
 *    model: frontal vs turned (yaw, pitch with their signs), roll invariance,
 *    eye distance, sharpness of flat, blurred and textured chips;
 *  - public calls that need no engine: bad arguments, getters, formatting. */
#define _GNU_SOURCE /* memmem, mkdtemp */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream/stream_internal.h"
#include "testutil.h"

/* ---------------------------------------------------------------- tracker */

static lf_allocator g_alloc;

static lf_tracker make_tracker(int cap, int max_dets, int max_missed)
{
    lf_tracker t;
    assert_int_equal(lf_tracker_init(&t, &g_alloc, cap, max_dets, 0.3f, max_missed), FACE_OK);
    return t;
}

static face_rect box(float x, float y, float s) { return (face_rect){x, y, s, s}; }

static void test_track_moving_box(void **state)
{
    (void)state;
    lf_tracker t = make_tracker(8, 4, 3);
    int32_t assign[4];
    lf_track_events ev;
    uint64_t id = 0;
    for (int f = 0; f < 40; f++) {
        face_rect b = box(100.0f + 7.0f * f, 200.0f - 2.0f * f, 80.0f);
        lf_tracker_update(&t, &b, 1, assign, &ev);
        assert_true(assign[0] >= 0);
        if (f == 0) {
            assert_int_equal(ev.started, 1);
            id = t.tracks[assign[0]].id;
        } else {
            assert_int_equal(ev.started, 0);
            assert_int_equal(t.tracks[assign[0]].id, id);
        }
        assert_int_equal(ev.ended, 0);
        assert_int_equal(t.live, 1);
    }
    /* The velocity converged to the box's motion. */
    assert_true(fabsf(t.tracks[assign[0]].vx - 7.0f) < 0.1f);
    assert_true(fabsf(t.tracks[assign[0]].vy + 2.0f) < 0.1f);
    lf_tracker_free(&t, &g_alloc);
}

static void test_track_fast_box_needs_motion_model(void **state)
{
    (void)state;
    /* A 50 px face accelerating from 20 to 80 px/frame: from the sixth
     * frame on consecutive boxes are far apart (no overlap, centres more
     * than a face apart), so only the prediction keeps the track. */
    lf_tracker t = make_tracker(8, 4, 3);
    int32_t assign[1];
    lf_track_events ev;
    float x = 0, speed = 20;
    face_rect b = box(x, 100, 50);
    lf_tracker_update(&t, &b, 1, assign, &ev);
    uint64_t id = t.tracks[assign[0]].id;
    for (int f = 1; f < 25; f++) {
        x += speed;
        speed = fminf(80.0f, speed + 8.0f);
        b = box(x, 100, 50);
        lf_tracker_update(&t, &b, 1, assign, &ev);
        assert_int_equal(ev.started, 0);
        assert_int_equal(t.tracks[assign[0]].id, id);
    }
    assert_true(speed == 80.0f);
    /* Without motion (a fresh track at the last position) the next box is
     * a stranger. */
    lf_tracker_clear(&t);
    b = box(x, 100, 50);
    lf_tracker_update(&t, &b, 1, assign, &ev);
    b = box(x + 80.0f, 100, 50);
    lf_tracker_update(&t, &b, 1, assign, &ev);
    assert_int_equal(ev.started, 1);
    lf_tracker_free(&t, &g_alloc);
}

static void test_track_two_people_and_split(void **state)
{
    (void)state;
    lf_tracker t = make_tracker(8, 4, 2);
    int32_t assign[2];
    lf_track_events ev;
    uint64_t ida = 0, idb = 0;
    for (int f = 0; f < 10; f++) {
        /* Detector order flips every frame: association must not care. */
        face_rect a = box(100.0f + 3.0f * f, 100, 90), b = box(600.0f - 3.0f * f, 120, 70);
        face_rect bx[2] = {a, b};
        if (f & 1) bx[0] = b, bx[1] = a;
        lf_tracker_update(&t, bx, 2, assign, &ev);
        int ia = (f & 1) ? 1 : 0, ib = 1 - ia;
        if (f == 0) {
            ida = t.tracks[assign[ia]].id;
            idb = t.tracks[assign[ib]].id;
            assert_int_not_equal(ida, idb);
        }
        assert_int_equal(t.tracks[assign[ia]].id, ida);
        assert_int_equal(t.tracks[assign[ib]].id, idb);
    }
    /* A jumps across the frame: a new track, and the old one ends after
     * max_missed + 1 = 3 frames without it. */
    int ended = 0;
    for (int f = 0; f < 5; f++) {
        face_rect bx[2] = {box(400, 500, 90), box(570.0f - 3.0f * f, 120, 70)};
        lf_tracker_update(&t, bx, 2, assign, &ev);
        if (f == 0) {
            assert_int_equal(ev.started, 1);
            assert_true(t.tracks[assign[0]].id != ida && t.tracks[assign[0]].id != idb);
        } else {
            assert_int_equal(ev.started, 0);
        }
        assert_int_equal(t.tracks[assign[1]].id, idb);
        ended += (int)ev.ended;
        assert_int_equal(ended, f >= 2 ? 1 : 0);
    }
    assert_int_equal(t.live, 2);
    lf_tracker_free(&t, &g_alloc);
}

static void test_track_end_and_reacquire(void **state)
{
    (void)state;
    const int max_missed = 4;
    lf_tracker t = make_tracker(4, 2, max_missed);
    int32_t assign[1];
    lf_track_events ev;
    face_rect b = box(300, 300, 100);
    lf_tracker_update(&t, &b, 1, assign, &ev);
    uint64_t id = t.tracks[assign[0]].id;
    /* Gone for exactly max_missed frames: the same track picks it up. */
    for (int f = 0; f < max_missed; f++) {
        lf_tracker_update(&t, NULL, 0, assign, &ev);
        assert_int_equal(ev.ended, 0);
    }
    lf_tracker_update(&t, &b, 1, assign, &ev);
    assert_int_equal(ev.started, 0);
    assert_int_equal(t.tracks[assign[0]].id, id);
    int slot = assign[0];
    /* Gone for max_missed + 1: it ends, its slot is all zero, and the face
     * coming back is a new track. */
    for (int f = 0; f <= max_missed; f++) {
        lf_tracker_update(&t, NULL, 0, assign, &ev);
        assert_int_equal(ev.ended, f == max_missed ? 1 : 0);
    }
    const uint8_t *raw = (const uint8_t *)&t.tracks[slot];
    for (size_t i = 0; i < sizeof(lf_track); i++) assert_int_equal(raw[i], 0);
    assert_int_equal(t.live, 0);
    lf_tracker_update(&t, &b, 1, assign, &ev);
    assert_int_equal(ev.started, 1);
    assert_true(t.tracks[assign[0]].id > id);
    assert_int_equal(lf_tracker_clear(&t), 1);
    assert_int_equal(t.live, 0);
    lf_tracker_free(&t, &g_alloc);
}

static void test_track_slots_run_out(void **state)
{
    (void)state;
    lf_tracker t = make_tracker(2, 4, 1);
    int32_t assign[4];
    lf_track_events ev;
    face_rect bx[4] = {box(0, 0, 50), box(200, 0, 50), box(400, 0, 50), box(600, 0, 50)};
    lf_tracker_update(&t, bx, 4, assign, &ev);
    assert_int_equal(ev.started, 2);
    assert_int_equal(ev.untracked, 2);
    assert_true(assign[0] >= 0 && assign[1] >= 0);
    assert_int_equal(assign[2], -1);
    assert_int_equal(assign[3], -1);
    lf_tracker_free(&t, &g_alloc);
}

/* Local detection frames: boxes continue live tracks, but a box no track
 * claims starts none and is not counted untracked; tracks nobody saw miss. */
static void test_track_known_only(void **state)
{
    (void)state;
    lf_tracker t = make_tracker(4, 4, 2);
    int32_t assign[4];
    lf_track_events ev;
    face_rect a = box(100, 100, 60);
    lf_tracker_update(&t, &a, 1, assign, &ev);
    assert_int_equal(ev.started, 1);
    uint64_t id = t.tracks[assign[0]].id;
    face_rect pr;
    lf_track_predict(&t.tracks[assign[0]], &pr);
    assert_true(fabsf(pr.x - 100) < 1e-4f && fabsf(pr.width - 60) < 1e-4f);
    /* The tracked face moved; a stranger appears far away. */
    face_rect bx[2] = {box(900, 100, 60), box(110, 104, 60)};
    lf_tracker_update_known(&t, bx, 2, assign, &ev);
    assert_int_equal(assign[0], -1);
    assert_true(assign[1] >= 0);
    assert_int_equal(t.tracks[assign[1]].id, id);
    assert_int_equal(ev.started + ev.untracked + ev.ended, 0);
    assert_int_equal(t.live, 1);
    /* The prediction follows the motion (10, 4 px per frame). */
    lf_track_predict(&t.tracks[assign[1]], &pr);
    assert_true(fabsf(pr.x - 120) < 1e-3f && fabsf(pr.y - 108) < 1e-3f);
    /* Unseen on local frames: the track misses and ends as usual. */
    for (int f = 0; f < 3; f++) {
        lf_tracker_update_known(&t, NULL, 0, assign, &ev);
        assert_int_equal(ev.ended, f == 2 ? 1 : 0);
    }
    assert_int_equal(t.live, 0);
    lf_tracker_free(&t, &g_alloc);
}

/* ---------------------------------------------------------------- quality */

/* A crude 3-D face (unit: half the jaw width), rotated by yaw (about the
 * vertical axis), pitch (horizontal axis) and roll (view axis), projected
 * orthographically at scale px and centred at (cx, cy). Points the quality
 * code does not read sit at the face centre. */
static void synth_landmarks(float yaw, float pitch, float roll, float px, face_landmarks *lm)
{
    float p3[68][3];
    for (int i = 0; i < 68; i++) p3[i][0] = p3[i][1] = p3[i][2] = 0;
    /* jaw ends at ear level, eyes, nose tip (protruding), mouth corners */
    p3[0][0] = -1.0f, p3[0][1] = 0.1f, p3[0][2] = 0.0f;
    p3[16][0] = 1.0f, p3[16][1] = 0.1f, p3[16][2] = 0.0f;
    for (int i = 36; i <= 41; i++) p3[i][0] = -0.45f + 0.1f * (float)((i - 36) % 3 - 1), p3[i][1] = 0.0f, p3[i][2] = 0.6f;
    for (int i = 42; i <= 47; i++) p3[i][0] = 0.45f + 0.1f * (float)((i - 42) % 3 - 1), p3[i][1] = 0.0f, p3[i][2] = 0.6f;
    /* nose tip at 0.534 of the eye-mouth height, like dlib's mean face */
    p3[30][0] = 0, p3[30][1] = 0.534f * 0.9f, p3[30][2] = 1.0f;
    p3[48][0] = -0.4f, p3[48][1] = 0.9f, p3[48][2] = 0.6f;
    p3[54][0] = 0.4f, p3[54][1] = 0.9f, p3[54][2] = 0.6f;
    float y = yaw * 3.14159265f / 180, p = pitch * 3.14159265f / 180, r = roll * 3.14159265f / 180;
    lm->struct_size = sizeof *lm;
    lm->count = 68;
    for (int i = 0; i < 68; i++) {
        float x0 = p3[i][0], y0 = p3[i][1], z0 = p3[i][2];
        /* yaw: nose (z > 0) moves to +x for yaw > 0 */
        float x1 = x0 * cosf(y) + z0 * sinf(y), z1 = -x0 * sinf(y) + z0 * cosf(y);
        /* pitch: nose moves down (+y) for pitch > 0 */
        float y2 = y0 * cosf(p) + z1 * sinf(p);
        float x3 = x1 * cosf(r) - y2 * sinf(r), y3 = x1 * sinf(r) + y2 * cosf(r);
        lm->points[i].x = 500.0f + px * x3;
        lm->points[i].y = 400.0f + px * y3;
    }
}

static face_quality quality_of(float yaw, float pitch, float roll)
{
    face_landmarks lm;
    synth_landmarks(yaw, pitch, roll, 60.0f, &lm);
    face_rect b = box(440, 340, 120);
    face_quality q;
    assert_int_equal(face_quality_estimate(&lm, &b, NULL, &q), FACE_OK);
    assert_int_equal(q.struct_size, sizeof q);
    return q;
}

static void test_quality_pose(void **state)
{
    (void)state;
    face_quality f = quality_of(0, 0, 0);
    assert_true(fabsf(f.yaw) < 1.0f && fabsf(f.pitch) < 1.0f && fabsf(f.roll) < 0.01f);
    assert_true(fabsf(f.eye_distance - 60.0f * 0.9f) < 0.01f);
    assert_true(fabsf(f.face_size - 120.0f) < 0.01f);
    assert_true(f.sharpness == -1.0f);
    for (int sgn = -1; sgn <= 1; sgn += 2) {
        face_quality y = quality_of(30.0f * sgn, 0, 0);
        assert_true(y.yaw * sgn > 20.0f && y.yaw * sgn < 45.0f);
        assert_true(fabsf(y.pitch) < 5.0f);
        assert_true(y.score < f.score * 0.8f);
        face_quality p = quality_of(0, 25.0f * sgn, 0);
        assert_true(p.pitch * sgn > 12.0f && p.pitch * sgn < 40.0f);
        assert_true(fabsf(p.yaw) < 2.0f);
        assert_true(p.score < f.score);
    }
    /* Monotonic in the turn, so the gate and the "better shot" rule agree. */
    float prev = -1;
    for (int a = 0; a <= 60; a += 10) {
        face_quality q = quality_of((float)a, 0, 0);
        assert_true(q.yaw > prev);
        prev = q.yaw;
    }
    /* Roll is measured and does not leak into yaw or pitch. */
    face_quality r = quality_of(0, 0, 25.0f);
    assert_true(fabsf(r.roll - 25.0f) < 0.1f);
    assert_true(fabsf(r.yaw) < 1.0f && fabsf(r.pitch) < 1.0f);
    face_quality ry = quality_of(30.0f, 0, -20.0f), y0 = quality_of(30.0f, 0, 0);
    assert_true(fabsf(ry.yaw - y0.yaw) < 0.5f);
}

static void test_quality_size_and_sharpness(void **state)
{
    (void)state;
    face_landmarks lm;
    synth_landmarks(0, 0, 0, 10.0f, &lm); /* eyes 9 px apart: a tiny face */
    face_rect b = box(490, 390, 20);
    face_quality small, big;
    assert_int_equal(face_quality_estimate(&lm, &b, NULL, &small), FACE_OK);
    big = quality_of(0, 0, 0);
    assert_true(small.score < big.score * 0.5f);

    static face_chip chip;
    chip.struct_size = sizeof chip;
    chip.size = FACE_CHIP_SIZE;
    memset(chip.rgb, 128, sizeof chip.rgb);
    face_quality flat, tex, blur;
    assert_int_equal(face_quality_estimate(&lm, &b, &chip, &flat), FACE_OK);
    assert_true(fabsf(flat.sharpness) < 1e-3f);
    assert_true(flat.score == 0.0f);
    uint64_t seed = 7;
    for (size_t i = 0; i < sizeof chip.rgb; i++) chip.rgb[i] = (uint8_t)tu_rand(&seed);
    assert_int_equal(face_quality_estimate(&lm, &b, &chip, &tex), FACE_OK);
    /* 3x3 box blur of the same noise: far less Laplacian energy. */
    static face_chip soft;
    soft = chip;
    for (int y = 1; y < FACE_CHIP_SIZE - 1; y++)
        for (int x = 1; x < FACE_CHIP_SIZE - 1; x++)
            for (int c = 0; c < 3; c++) {
                int s = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                        s += chip.rgb[((y + dy) * FACE_CHIP_SIZE + x + dx) * 3 + c];
                soft.rgb[(y * FACE_CHIP_SIZE + x) * 3 + c] = (uint8_t)(s / 9);
            }
    assert_int_equal(face_quality_estimate(&lm, &b, &soft, &blur), FACE_OK);
    assert_true(tex.sharpness > 1000.0f);
    assert_true(blur.sharpness < tex.sharpness * 0.1f);
    assert_true(blur.sharpness > 0.0f);
}

static void test_quality_bad_args(void **state)
{
    (void)state;
    face_landmarks lm;
    synth_landmarks(0, 0, 0, 60.0f, &lm);
    face_rect b = box(440, 340, 120);
    face_quality q;
    static face_chip chip;
    assert_int_equal(face_quality_estimate(NULL, &b, NULL, &q), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_quality_estimate(&lm, NULL, NULL, &q), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_quality_estimate(&lm, &b, NULL, NULL), FACE_ERR_INVALID_ARGUMENT);
    chip.size = 149;
    assert_int_equal(face_quality_estimate(&lm, &b, &chip, &q), FACE_ERR_INVALID_ARGUMENT);
    face_landmarks bad = lm;
    bad.count = 5;
    assert_int_equal(face_quality_estimate(&bad, &b, NULL, &q), FACE_ERR_INVALID_ARGUMENT);
    const float poison[] = {NAN, INFINITY, -INFINITY, 1e7f};
    for (int k = 0; k < 4; k++)
        for (int i = 0; i < 68; i++) {
            bad = lm;
            bad.points[i].y = poison[k];
            assert_int_equal(face_quality_estimate(&bad, &b, NULL, &q), FACE_ERR_INVALID_ARGUMENT);
        }
    face_rect rb[] = {{0, 0, 0, 10}, {0, 0, 10, -1}, {0, 0, NAN, 10}, {0, 0, 10, INFINITY}};
    for (int k = 0; k < 4; k++)
        assert_int_equal(face_quality_estimate(&lm, &rb[k], NULL, &q), FACE_ERR_INVALID_ARGUMENT);
}

/* ---------------------------------------------------------------- public, no engine */

static void test_public_no_engine(void **state)
{
    (void)state;
    face_stream *s = (face_stream *)1;
    assert_int_equal(face_stream_create(NULL, NULL, NULL, &s), FACE_ERR_INVALID_ARGUMENT);
    assert_null(s);
    assert_int_equal(face_stream_create(NULL, NULL, NULL, NULL), FACE_ERR_INVALID_ARGUMENT);
    face_image img;
    memset(&img, 0, sizeof img);
    assert_int_equal(face_stream_push(NULL, &img, 0), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_stream_flush(NULL), FACE_ERR_INVALID_ARGUMENT);
    face_stream_alert *a = NULL;
    assert_int_equal(face_stream_poll(NULL, &a), FACE_ERR_INVALID_ARGUMENT);
    face_stream_counters c;
    face_stream_stats st;
    size_t n;
    assert_int_equal(face_stream_get_counters(NULL, &c), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_stream_get_stats(NULL, &st), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_stream_live_tracks(NULL, &n), FACE_ERR_INVALID_ARGUMENT);
    assert_string_equal(face_stream_last_error(NULL), "");
    face_stream_destroy(NULL);
    face_stream_alert_free(NULL);
    face_stream_options_init(NULL);

    face_stream_options o;
    face_stream_options_init(&o);
    assert_int_equal(o.struct_size, sizeof o);
    assert_int_equal(o.min_face_size, 80);
    assert_int_equal(o.flags, FACE_STREAM_AUDIT_ALERTS);
    assert_int_equal(o.detect_interval, 5);
    assert_int_equal(o.full_min_face_size, 0);
    assert_true(o.local_scale == 2.0f);

    assert_int_equal(face_sizeof_quality(), sizeof(face_quality));
    assert_int_equal(face_sizeof_stream_options(), sizeof(face_stream_options));
    assert_int_equal(face_sizeof_stream_alert(), sizeof(face_stream_alert));
    assert_int_equal(face_sizeof_stream_counters(), sizeof(face_stream_counters));
    assert_int_equal(face_sizeof_stream_stats(), sizeof(face_stream_stats));

    face_deployment *d = NULL;
    assert_int_equal(face_deployment_create(NULL, NULL), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_deployment_create(NULL, &d), FACE_OK);
    assert_int_equal(face_deployment_get_counters(d, NULL), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_deployment_get_counters(NULL, &c), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_deployment_get_counters(d, &c), FACE_OK);
    assert_int_equal(c.struct_size, sizeof c);
    assert_int_equal(c.frames + c.faces + c.alerts, 0);
    face_deployment_destroy(d);
    face_deployment_destroy(NULL);
    face_allocator half = {sizeof half, 0, NULL, NULL, NULL};
    half.alloc = (void *(*)(void *, size_t, size_t))1; /* only one callback set */
    assert_int_equal(face_deployment_create(&half, &d), FACE_ERR_INVALID_ARGUMENT);

    memset(&c, 0, sizeof c);
    c.struct_size = sizeof c;
    c.frames = UINT64_MAX;
    c.faces = UINT64_MAX;
    c.tracks = UINT64_MAX;
    c.faces_gated = UINT64_MAX;
    c.faces_searched = UINT64_MAX;
    c.alerts = 3;
    c.alerts_dropped = UINT64_MAX;
    c.faces_untracked = UINT64_MAX;
    char buf[256];
    assert_int_equal(face_stream_counters_format(&c, buf, 255), FACE_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(face_stream_counters_format(NULL, buf, 256), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_stream_counters_format(&c, NULL, 256), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_stream_counters_format(&c, buf, sizeof buf), FACE_OK);
    assert_non_null(strstr(buf, "alerts=3 "));
    assert_non_null(strstr(buf, "untracked=18446744073709551615"));
    assert_true(strlen(buf) <= 255);
}

/* face_deployment_report writes the counters as one summary record of the
 * watchlist's audit log: decoded from the log, the text is exactly the
 * documented line. */
static void test_deployment_report(void **state)
{
    (void)state;
    char dir[] = "/tmp/lf_stream_report_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char log[64];
    snprintf(log, sizeof log, "%s/audit.log", dir);
    face_watchlist_options wo;
    face_watchlist_options_init(&wo);
    wo.audit_path = log;
    uint8_t raw[32];
    memset(raw, 7, sizeof raw);
    face_watchlist_key key;
    face_watchlist_key_raw(&key, raw);
    face_watchlist *wl = NULL, *nolog = NULL;
    assert_int_equal(face_watchlist_create(&wo, &key, &wl), FACE_OK);
    wo.audit_path = NULL;
    assert_int_equal(face_watchlist_create(&wo, &key, &nolog), FACE_OK);
    face_deployment *d = NULL;
    assert_int_equal(face_deployment_create(NULL, &d), FACE_OK);

    assert_int_equal(face_deployment_report(NULL, wl), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_deployment_report(d, NULL), FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(face_deployment_report(d, nolog), FACE_ERR_STATE);
    assert_int_equal(face_deployment_report(d, wl), FACE_OK);
    face_audit_report rep;
    assert_int_equal(face_watchlist_audit_verify(wl, NULL, NULL, &rep), FACE_OK);
    assert_int_equal(rep.records, 2); /* create, summary */

    size_t n = 0;
    uint8_t *b = tu_read_file(log, &n);
    assert_non_null(b);
    const char *ev = memmem(b, n, " summary - ", 11);
    assert_non_null(ev);
    const char *hex = ev + 11, *end = memchr(hex, ' ', n - (size_t)(hex - (const char *)b));
    assert_non_null(end);
    char text[FACE_AUDIT_SUMMARY_MAX + 1];
    size_t tl = 0;
    assert_true((size_t)(end - hex) % 2 == 0 && (size_t)(end - hex) / 2 < sizeof text);
    for (const char *h = hex; h < end; h += 2) {
        unsigned v;
        assert_int_equal(sscanf(h, "%2x", &v), 1);
        text[tl++] = (char)v;
    }
    text[tl] = '\0';
    assert_string_equal(text, "deployment frames=0 faces=0 tracks=0 gated=0 searched=0 alerts=0 "
                              "dropped=0 untracked=0 full=0 local=0");
    free(b);
    face_deployment_destroy(d);
    face_watchlist_close(wl);
    face_watchlist_close(nolog);
    unlink(log);
    rmdir(dir);
}

int main(void)
{
    assert_int_equal(lf_allocator_resolve(&g_alloc, NULL), FACE_OK);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_track_moving_box),
        cmocka_unit_test(test_track_fast_box_needs_motion_model),
        cmocka_unit_test(test_track_two_people_and_split),
        cmocka_unit_test(test_track_end_and_reacquire),
        cmocka_unit_test(test_track_slots_run_out),
        cmocka_unit_test(test_track_known_only),
        cmocka_unit_test(test_quality_pose),
        cmocka_unit_test(test_quality_size_and_sharpness),
        cmocka_unit_test(test_quality_bad_args),
        cmocka_unit_test(test_public_no_engine),
        cmocka_unit_test(test_deployment_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
