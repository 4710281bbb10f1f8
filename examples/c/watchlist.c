/* watchlist: enroll a person, seal the watchlist, reopen it, search photos.
 *
 *   example_watchlist MODEL_DIR ENROLL_PHOTO FACE_INDEX PROBE_PHOTO...
 *
 * Enrolls face FACE_INDEX of ENROLL_PHOTO (as numbered by the detector,
 * best score first, with a 40-px minimum face) under the id "subject-1",
 * seals the watchlist to a temporary file with a random raw key, opens it
 * again, and prints one ALERT line per probe face that matches. Faces that
 * do not match leave nothing behind. At the end the file is destroyed
 * (crypto-shredded). Exit 0 if something alerted, 1 if not, 2 usage,
 * 3 a failure. Copy freely.
 *
 * In production the raw key comes from your KMS/HSM/TPM, not from
 * getentropy, and you keep the file: see docs/concepts.md. */
#define _DEFAULT_SOURCE /* getentropy, mkstemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <face/face.h>

#define MAX_FACES 64
/* Alert distance. Stricter than 1:1 verification's 0.6 because every probe
 * meets every enrolled template (see docs/concepts.md, Thresholds). */
#define ALERT_DISTANCE 0.5f

static face_status faces_of(face_ctx *ctx, const face_image *img, face_detection *det,
                            size_t *n)
{
    face_detect_options opt;
    face_detect_options_init(&opt);
    opt.min_face_size = 40;
    face_status s = face_detect(ctx, img, &opt, det, MAX_FACES, n);
    if (s == FACE_ERR_BUFFER_TOO_SMALL) { /* keep the best MAX_FACES */
        *n = MAX_FACES;
        s = FACE_OK;
    }
    return s;
}

static face_status template_of(face_ctx *ctx, const face_image *img, const face_rect *box,
                               face_template *out)
{
    face_landmarks lm;
    face_status s = face_landmarks_detect(ctx, img, box, &lm);
    return s == FACE_OK ? face_embed(ctx, img, &lm, NULL, NULL, out) : s;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s MODEL_DIR ENROLL_PHOTO FACE_INDEX PROBE_PHOTO...\n", argv[0]);
        return 2;
    }
    const size_t want = (size_t)strtoul(argv[3], NULL, 10);
    face_engine *engine = NULL;
    face_ctx *ctx = NULL;
    face_watchlist *wl = NULL;
    face_image img = {0};
    face_template t;
    face_detection det[MAX_FACES];
    size_t n = 0, alerts = 0;
    uint8_t key_bytes[FACE_WATCHLIST_KEY_BYTES];
    char path[] = "/tmp/example-watchlist-XXXXXX";
    int have_file = 0, rc = 3;
    memset(&t, 0, sizeof t);

    face_status s = face_engine_create_from_dir(argv[1], NULL, &engine);
    if (s == FACE_OK) s = face_ctx_create(engine, NULL, &ctx);
    if (s != FACE_OK) {
        fprintf(stderr, "setup: %s\n", face_strerror(s));
        goto done;
    }

    /* 1. A fresh key and an empty watchlist bound to this engine's model. */
    if (getentropy(key_bytes, sizeof key_bytes) != 0) {
        perror("getentropy");
        goto done;
    }
    face_watchlist_key key;
    face_watchlist_key_raw(&key, key_bytes);
    face_watchlist_options wopt;
    face_watchlist_options_init(&wopt);
    s = face_engine_fingerprint(engine, FACE_ALIGN_DLIB, wopt.fingerprint);
    if (s == FACE_OK) s = face_watchlist_create(&wopt, &key, &wl);
    if (s != FACE_OK) {
        fprintf(stderr, "create: %s\n", face_strerror(s));
        goto done;
    }

    /* 2. Enroll the chosen face. */
    s = face_image_load_file(ctx, argv[2], &img);
    if (s == FACE_OK) s = faces_of(ctx, &img, det, &n);
    if (s == FACE_OK && want >= n) s = FACE_ERR_NOT_FOUND;
    if (s == FACE_OK) s = template_of(ctx, &img, &det[want].box, &t);
    face_image_free(ctx, &img);
    if (s == FACE_OK) s = face_watchlist_enroll(wl, (const uint8_t *)"subject-1", 9, "Subject 1", &t, 1, 0);
    face_template_wipe(&t);
    if (s != FACE_OK) {
        fprintf(stderr, "enroll %s face %zu: %s %s\n", argv[2], want, face_strerror(s),
                face_ctx_last_error(ctx));
        goto done;
    }

    /* 3. Seal it to disk, drop it, and open the file again: only the key
     *    can, and any change to the file fails with FACE_ERR_AUTH. */
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        goto done;
    }
    close(fd);
    have_file = 1;
    s = face_watchlist_save(wl, path);
    face_watchlist_close(wl);
    wl = NULL;
    if (s == FACE_OK) s = face_watchlist_open(path, &key, &wopt, &wl);
    if (s != FACE_OK) {
        fprintf(stderr, "save/open: %s\n", face_strerror(s));
        goto done;
    }

    /* 4. Search every face of every probe photo. */
    face_watchlist_search_options so;
    face_watchlist_search_options_init(&so);
    so.threshold = ALERT_DISTANCE;
    for (int i = 4; i < argc; i++) {
        s = face_image_load_file(ctx, argv[i], &img);
        if (s == FACE_OK) s = faces_of(ctx, &img, det, &n);
        if (s != FACE_OK) {
            fprintf(stderr, "%s: %s %s\n", argv[i], face_strerror(s), face_ctx_last_error(ctx));
            face_image_free(ctx, &img);
            goto done;
        }
        for (size_t f = 0; f < n; f++) {
            face_watchlist_match m;
            size_t found = 0;
            s = template_of(ctx, &img, &det[f].box, &t);
            if (s == FACE_OK) s = face_watchlist_search(wl, &t, &so, &m, 1, &found);
            face_template_wipe(&t); /* matched or not, the probe is not kept */
            if (s != FACE_OK) {
                fprintf(stderr, "%s face %zu: %s\n", argv[i], f, face_strerror(s));
                face_image_free(ctx, &img);
                goto done;
            }
            if (found) {
                printf("ALERT %s face %zu box %.0f,%.0f %.0fx%.0f: %.*s distance %.3f\n", argv[i],
                       f, det[f].box.x, det[f].box.y, det[f].box.width, det[f].box.height,
                       (int)m.id_len, (const char *)m.id, m.distance);
                alerts++;
            }
        }
        printf("%s: %zu faces searched\n", argv[i], n);
        face_image_free(ctx, &img);
    }
    printf("%zu alerts\n", alerts);
    rc = alerts ? 0 : 1;
done:
    if (wl) {
        if (have_file) {
            /* End of the deployment: unlink the file and wipe the keys. */
            face_watchlist_destroy(wl);
            have_file = 0;
        } else {
            face_watchlist_close(wl);
        }
    }
    if (have_file) unlink(path);
    memset(key_bytes, 0, sizeof key_bytes); /* use explicit_bzero/sodium_memzero in real code */
    face_ctx_destroy(ctx);
    face_engine_destroy(engine);
    return rc;
}
