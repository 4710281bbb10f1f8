/* stream: a camera feed against a watchlist, with tracking and alerts.
 *
 *   example_stream MODEL_DIR ENROLL_PHOTO FACE_INDEX FRAME_PHOTO...
 *
 * Enrolls face FACE_INDEX of ENROLL_PHOTO (detector order, best first, with
 * a 40-px minimum face) into an in-memory watchlist, then plays each
 * FRAME_PHOTO as one second of 25-fps video (the same picture 25 times) into
 * a face_stream. The person stays in view, so the stream keeps one track
 * and raises one alert for them, not 25. Between photos the stream is
 * flushed, as at a camera cut. Alerts arrive through the callback (printed
 * as they happen) and are also queued and polled after each frame.
 * Exit 0 if anything alerted, 1 if not, 2 usage, 3 a failure. Copy freely. */
#define _DEFAULT_SOURCE /* getentropy */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <face/face.h>

#define MAX_FACES 64
#define FPS 25

static int on_alert(void *user, const face_stream_alert *a)
{
    (void)user;
    /* Runs inside face_stream_push: keep it short, hand work to your queue. */
    printf("  callback: camera %u track %llu matched \"%.*s\" (%s) distance %.3f at %.2f s\n",
           a->stream_id, (unsigned long long)a->track_id, (int)a->id_len,
           (const char *)a->id, a->label, a->distance, (double)a->timestamp_us / 1e6);
    return 1; /* also queue it for face_stream_poll */
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s MODEL_DIR ENROLL_PHOTO FACE_INDEX FRAME_PHOTO...\n", argv[0]);
        return 2;
    }
    const size_t want = (size_t)strtoul(argv[3], NULL, 10);
    face_engine *engine = NULL;
    face_ctx *ctx = NULL;
    face_watchlist *wl = NULL;
    face_stream *stream = NULL;
    face_image img = {0};
    face_template t;
    uint8_t raw[FACE_WATCHLIST_KEY_BYTES];
    size_t alerts = 0;
    int rc = 3;
    memset(&t, 0, sizeof t);

    face_status s = face_engine_create_from_dir(argv[1], NULL, &engine);
    if (s == FACE_OK) s = face_ctx_create(engine, NULL, &ctx);
    if (s != FACE_OK) {
        fprintf(stderr, "setup: %s\n", face_strerror(s));
        goto done;
    }

    /* An in-memory watchlist (never saved here) still needs a key: it is
     * what a later face_watchlist_save would seal with. */
    if (getentropy(raw, sizeof raw) != 0) goto done;
    face_watchlist_key key;
    face_watchlist_key_raw(&key, raw);
    face_watchlist_options wopt;
    face_watchlist_options_init(&wopt);
    s = face_engine_fingerprint(engine, FACE_ALIGN_DLIB, wopt.fingerprint);
    if (s == FACE_OK) s = face_watchlist_create(&wopt, &key, &wl);
    memset(raw, 0, sizeof raw); /* the watchlist copied what it needs */

    /* Enroll. */
    face_detect_options dopt;
    face_detect_options_init(&dopt);
    dopt.min_face_size = 40;
    face_detection det[MAX_FACES];
    size_t n = 0;
    face_landmarks lm;
    if (s == FACE_OK) s = face_image_load_file(ctx, argv[2], &img);
    if (s == FACE_OK) s = face_detect(ctx, &img, &dopt, det, MAX_FACES, &n);
    if (s == FACE_ERR_BUFFER_TOO_SMALL) s = FACE_OK, n = MAX_FACES;
    if (s == FACE_OK && want >= n) s = FACE_ERR_NOT_FOUND;
    if (s == FACE_OK) s = face_landmarks_detect(ctx, &img, &det[want].box, &lm);
    if (s == FACE_OK) s = face_embed(ctx, &img, &lm, NULL, NULL, &t);
    face_image_free(ctx, &img);
    if (s == FACE_OK)
        s = face_watchlist_enroll(wl, (const uint8_t *)"subject-1", 9, "Subject 1", &t, 1, 0);
    face_template_wipe(&t);
    if (s != FACE_OK) {
        fprintf(stderr, "enroll: %s %s\n", face_strerror(s), face_ctx_last_error(ctx));
        goto done;
    }

    /* One stream: camera 7. Defaults: 80-px faces, quality gate, at most 3
     * embeddings per track, alert at distance <= 0.5. */
    face_stream_options sopt;
    face_stream_options_init(&sopt);
    sopt.stream_id = 7;
    sopt.on_alert = on_alert;
    s = face_stream_create(engine, wl, &sopt, &stream);
    if (s != FACE_OK) {
        fprintf(stderr, "stream: %s\n", face_strerror(s));
        goto done;
    }

    int64_t ts = 0;
    for (int i = 4; i < argc; i++) {
        s = face_image_load_file(ctx, argv[i], &img);
        if (s != FACE_OK) {
            fprintf(stderr, "%s: %s\n", argv[i], face_strerror(s));
            goto done;
        }
        printf("%s: %d frames\n", argv[i], FPS);
        for (int f = 0; f < FPS && s == FACE_OK; f++, ts += 1000000 / FPS) {
            s = face_stream_push(stream, &img, ts);
            face_stream_alert *a = NULL;
            while (s == FACE_OK && (s = face_stream_poll(stream, &a)) == FACE_OK && a) {
                printf("ALERT %s track %llu box %.0f,%.0f %.0fx%.0f: \"%.*s\" distance %.3f\n",
                       argv[i], (unsigned long long)a->track_id, a->box.x, a->box.y,
                       a->box.width, a->box.height, (int)a->id_len, (const char *)a->id,
                       a->distance);
                /* An officer reviews a->chip here. Then it must go: */
                face_stream_alert_free(a);
                alerts++;
            }
        }
        face_image_free(ctx, &img);
        if (s == FACE_OK) s = face_stream_flush(stream); /* camera cut: end the tracks */
        if (s != FACE_OK) {
            fprintf(stderr, "push: %s %s\n", face_strerror(s), face_stream_last_error(stream));
            goto done;
        }
    }

    face_stream_counters c;
    char line[256];
    s = face_stream_get_counters(stream, &c);
    if (s == FACE_OK) s = face_stream_counters_format(&c, line, sizeof line);
    if (s == FACE_OK) printf("counters: %s\n", line); /* no biometric data: publishable */
    rc = alerts ? 0 : 1;
done:
    face_stream_destroy(stream);
    face_watchlist_close(wl);
    face_ctx_destroy(ctx);
    face_engine_destroy(engine);
    return rc;
}
