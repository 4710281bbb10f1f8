/* face_demo: a watchlist deployment in miniature.
 *
 *   face_demo MODEL_DIR IMAGE... [--labels FILE]
 *
 * 1. Reads the labels file (default: examples/demo_labels.txt, or
 *    $FACE_DEMO_LABELS): who is on the watchlist, from which photo, and who
 *    is where in every photo.
 * 2. Creates a watchlist sealed with a fresh random raw key, enrolls the
 *    watchlisted person from the enrollment photo, seals it to a temporary
 *    file and opens it again (as a camera site would at start-up).
 * 3. Treats every other photo as a camera frame: every face is detected,
 *    embedded and searched. A match within the alert distance is an ALERT;
 *    a face that matches nothing is wiped and leaves no trace.
 * 4. Checks the alerts against the labels: an alert for every face of the
 *    watchlisted person, none for anyone else. Exit 0 if so, 1 if not.
 *
 * With the face-api demo photos it enrolls person A from sample1.jpg (the
 * woman on the right in the dark uniform) and expects exactly one alert:
 * sample3.jpg, the woman in the middle. Images the labels file does not
 * cover still work: the best face of the first image is enrolled and the
 * alerts are shown without a check.
 *
 * The watchlist is destroyed at the end (file unlinked, keys wiped). */
#define _DEFAULT_SOURCE /* getentropy, mkstemp */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <face/face.h>

#ifndef FACE_DEMO_LABELS
#define FACE_DEMO_LABELS "examples/demo_labels.txt"
#endif

#define MAX_FACES 64
#define MAX_IMAGES 64
#define MAX_LABELS 256
/* Alert when the distance is at most this. The network's 1:1 decision
 * distance is 0.6; a watchlist compares each face with every entry, so it
 * needs a stricter point (docs/concepts.md, Thresholds). On these photos
 * person A's other photo is at 0.41 and the closest other person at 0.59. */
#define ALERT_DISTANCE 0.5f

typedef struct label {
    char image[128];
    float cx, cy;
    char person[32];
} label;

typedef struct labels {
    char watch_person[32];
    char watch_image[128];
    label face[MAX_LABELS];
    int count;
} labels;

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static int load_labels(const char *path, labels *L)
{
    memset(L, 0, sizeof *L);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        label *l = &L->face[L->count];
        if (line[0] == '#' || line[0] == '\n') continue;
        if (sscanf(line, "watchlist %31s %127s", L->watch_person, L->watch_image) == 2) continue;
        if (L->count < MAX_LABELS &&
            sscanf(line, "face %127s %f %f %31s", l->image, &l->cx, &l->cy, l->person) == 4)
            L->count++;
    }
    fclose(f);
    return L->watch_person[0] != 0;
}

/* The label whose centre is inside box, nearest the box centre; NULL if none. */
static const char *label_of(const labels *L, const char *image, const face_rect *box)
{
    const char *best = NULL;
    float best_d = INFINITY;
    float bx = box->x + box->width / 2, by = box->y + box->height / 2;
    for (int i = 0; i < L->count; i++) {
        const label *l = &L->face[i];
        if (strcmp(l->image, image) != 0) continue;
        if (l->cx < box->x || l->cx > box->x + box->width || l->cy < box->y ||
            l->cy > box->y + box->height)
            continue;
        float d = hypotf(l->cx - bx, l->cy - by);
        if (d < best_d) {
            best_d = d;
            best = l->person;
        }
    }
    return best;
}

static int check(face_status s, face_ctx *ctx, const char *what)
{
    if (s == FACE_OK) return 1;
    fprintf(stderr, "%s: %s (%s)\n", what, face_strerror(s), ctx ? face_ctx_last_error(ctx) : "");
    return 0;
}

/* Detect with 40-px faces (tiles the frame) and embed each face. */
static face_status detect_all(face_ctx *ctx, const face_image *img, face_detection *det,
                              size_t *n)
{
    face_detect_options opt;
    face_detect_options_init(&opt);
    opt.min_face_size = 40;
    face_status s = face_detect(ctx, img, &opt, det, MAX_FACES, n);
    if (s == FACE_ERR_BUFFER_TOO_SMALL) {
        *n = MAX_FACES;
        s = FACE_OK;
    }
    return s;
}

static face_status embed_face(face_ctx *ctx, const face_image *img, const face_rect *box,
                              face_template *t)
{
    face_landmarks lm;
    face_chip chip;
    face_status s = face_landmarks_detect(ctx, img, box, &lm);
    if (s == FACE_OK) s = face_align_chip(ctx, img, &lm, &chip);
    if (s == FACE_OK) s = face_embed_chip(ctx, &chip, NULL, t);
    /* The chip is a picture of a face: wipe it (volatile so it is not elided). */
    volatile uint8_t *p = chip.rgb;
    for (size_t i = 0; i < sizeof chip.rgb; i++) p[i] = 0;
    return s;
}

int main(int argc, char **argv)
{
    const char *labels_path = getenv("FACE_DEMO_LABELS");
    if (!labels_path || !*labels_path) labels_path = FACE_DEMO_LABELS;
    const char *images[MAX_IMAGES];
    int nimages = 0;
    const char *model_dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--labels") && i + 1 < argc) labels_path = argv[++i];
        else if (!model_dir) model_dir = argv[i];
        else if (nimages < MAX_IMAGES) images[nimages++] = argv[i];
    }
    if (!model_dir || nimages < 1) {
        fprintf(stderr, "usage: %s MODEL_DIR IMAGE... [--labels FILE]\n", argv[0]);
        return 2;
    }

    static labels L;
    int labelled = load_labels(labels_path, &L);
    int enroll_image = 0;
    if (labelled) {
        enroll_image = -1;
        for (int i = 0; i < nimages; i++)
            if (!strcmp(base_name(images[i]), L.watch_image)) enroll_image = i;
        if (enroll_image < 0) labelled = 0; /* not the demo photos: no check */
    }
    if (!labelled) enroll_image = 0;

    face_engine *engine = NULL;
    face_ctx *ctx = NULL;
    face_watchlist *wl = NULL;
    char wl_path[] = "/tmp/face_demo-XXXXXX";
    int have_file = 0, rc = 3;
    uint8_t raw[FACE_WATCHLIST_KEY_BYTES];

    if (!check(face_engine_create_from_dir(model_dir, NULL, &engine), NULL, "loading models") ||
        !check(face_ctx_create(engine, NULL, &ctx), NULL, "creating context"))
        goto done;
    printf("libface %s, kernels: %s\n", face_version_string(), face_isa_name(face_active_isa()));

    /* ---- a sealed watchlist with one person on it */
    if (getentropy(raw, sizeof raw) != 0) {
        perror("getentropy");
        goto done;
    }
    face_watchlist_key key;
    face_watchlist_key_raw(&key, raw);
    face_watchlist_options wopt;
    face_watchlist_options_init(&wopt);
    if (!check(face_engine_fingerprint(engine, FACE_ALIGN_DLIB, wopt.fingerprint), NULL,
               "fingerprint") ||
        !check(face_watchlist_create(&wopt, &key, &wl), NULL, "creating watchlist"))
        goto done;

    face_detection det[MAX_FACES];
    size_t n = 0;
    face_image img;
    const char *who = labelled ? L.watch_person : "the best face of the first image";
    if (!check(face_image_load_file(ctx, images[enroll_image], &img), ctx, images[enroll_image]))
        goto done;
    face_status s = detect_all(ctx, &img, det, &n);
    int pick = -1;
    for (size_t f = 0; s == FACE_OK && f < n; f++) {
        const char *p = labelled ? label_of(&L, L.watch_image, &det[f].box) : NULL;
        if (labelled ? (p && !strcmp(p, L.watch_person)) : f == 0) {
            pick = (int)f;
            break;
        }
    }
    face_template t;
    if (s == FACE_OK && pick < 0) s = FACE_ERR_NOT_FOUND;
    if (s == FACE_OK) s = embed_face(ctx, &img, &det[pick].box, &t);
    face_image_free(ctx, &img);
    if (s == FACE_OK) {
        const char *id = labelled ? L.watch_person : "subject";
        char entry_label[64];
        snprintf(entry_label, sizeof entry_label, "person %s", id);
        s = face_watchlist_enroll(wl, (const uint8_t *)id, strlen(id), entry_label, &t, 1, 0);
    }
    face_template_wipe(&t);
    if (!check(s, ctx, "enrolling")) goto done;
    printf("enrolled %s from %s (face at %.0f,%.0f %.0fx%.0f)\n", who,
           base_name(images[enroll_image]), det[pick].box.x, det[pick].box.y,
           det[pick].box.width, det[pick].box.height);

    /* Seal, close, reopen: what survives is only what the key unlocks. */
    int fd = mkstemp(wl_path);
    if (fd < 0) {
        perror("mkstemp");
        goto done;
    }
    close(fd);
    have_file = 1;
    s = face_watchlist_save(wl, wl_path);
    face_watchlist_close(wl);
    wl = NULL;
    if (!check(s, NULL, "sealing") ||
        !check(face_watchlist_open(wl_path, &key, &wopt, &wl), NULL, "reopening"))
        goto done;
    printf("watchlist sealed to %s and reopened with its key\n", wl_path);

    int expected = 0, expected_hit = 0, unexpected = 0;
    if (labelled) {
        for (int i = 0; i < L.count; i++)
            for (int j = 0; j < nimages; j++)
                if (j != enroll_image && !strcmp(L.face[i].image, base_name(images[j])) &&
                    !strcmp(L.face[i].person, L.watch_person))
                    expected++;
        printf("expecting %d alert%s for person %s and none for anyone else (alert at distance "
               "<= %.2f)\n",
               expected, expected == 1 ? "" : "s", L.watch_person, ALERT_DISTANCE);
    }

    /* ---- the other photos as camera frames */
    face_watchlist_search_options so;
    face_watchlist_search_options_init(&so);
    so.threshold = ALERT_DISTANCE;
    size_t faces = 0, alerts = 0;
    for (int i = 0; i < nimages; i++) {
        if (i == enroll_image) continue;
        const char *name = base_name(images[i]);
        if (!check(face_image_load_file(ctx, images[i], &img), ctx, images[i])) goto done;
        s = detect_all(ctx, &img, det, &n);
        size_t frame_alerts = 0;
        for (size_t f = 0; s == FACE_OK && f < n; f++) {
            face_watchlist_match m;
            size_t found = 0;
            s = embed_face(ctx, &img, &det[f].box, &t);
            if (s == FACE_OK) s = face_watchlist_search(wl, &t, &so, &m, 1, &found);
            face_template_wipe(&t); /* a face that matched nothing leaves no trace */
            if (s != FACE_OK || !found) continue;
            const char *p = labelled ? label_of(&L, name, &det[f].box) : NULL;
            int ok = p && !strcmp(p, L.watch_person);
            printf("  ALERT %s box %.0f,%.0f %.0fx%.0f: watchlist entry \"%.*s\" distance %.3f%s\n",
                   name, det[f].box.x, det[f].box.y, det[f].box.width, det[f].box.height,
                   (int)m.id_len, (const char *)m.id, m.distance,
                   !labelled ? "" : ok ? "  (expected: this is person A)" : "  (UNEXPECTED)");
            if (labelled) {
                if (ok) expected_hit++;
                else unexpected++;
            }
            frame_alerts++;
        }
        face_image_free(ctx, &img);
        if (!check(s, ctx, name)) goto done;
        faces += n;
        alerts += frame_alerts;
        printf("%s: %zu faces searched, %zu alert%s\n", name, n, frame_alerts,
               frame_alerts == 1 ? "" : "s");
    }
    printf("%zu faces searched, %zu alert%s\n", faces, alerts, alerts == 1 ? "" : "s");
    if (labelled) {
        int good = expected_hit == expected && unexpected == 0;
        printf("%s: %d of %d expected alerts for person %s, %d for anyone else\n",
               good ? "as expected" : "NOT AS EXPECTED", expected_hit, expected, L.watch_person,
               unexpected);
        rc = good ? 0 : 1;
    } else {
        rc = 0;
    }
done:
    if (wl && have_file) {
        face_watchlist_destroy(wl); /* unlinks the file and wipes the keys */
        have_file = 0;
    } else {
        face_watchlist_close(wl);
    }
    if (have_file) unlink(wl_path);
    volatile uint8_t *k = raw;
    for (size_t i = 0; i < sizeof raw; i++) k[i] = 0;
    face_ctx_destroy(ctx);
    face_engine_destroy(engine);
    return rc;
}
