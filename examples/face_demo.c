/* face_demo: the pipeline end to end on a few photos.
 *
 *   face_demo MODEL_DIR IMAGE...
 *
 * Detects every face in each image (tiny detector, tiled down to 40-px
 * faces), finds 68 landmarks, cuts the dlib-aligned chip, embeds it, and then
 * says which faces across different images are the same person (Euclidean
 * distance below the network's trained threshold, 0.6). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <face/face.h>

#define MAX_FACES 64
#define MAX_ALL 512

typedef struct {
    int image;
    int index;
    face_rect box;
    face_template tpl;
} found_face;

static int check(face_status s, face_ctx *ctx, const char *what)
{
    if (s == FACE_OK) return 1;
    fprintf(stderr, "%s: %s (%s)\n", what, face_strerror(s), ctx ? face_ctx_last_error(ctx) : "");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s MODEL_DIR IMAGE...\n", argv[0]);
        return 2;
    }
    face_engine *engine = NULL;
    face_ctx *ctx = NULL;
    if (!check(face_engine_create_from_dir(argv[1], NULL, &engine), NULL, "loading models"))
        return 1;
    if (!check(face_ctx_create(engine, NULL, &ctx), NULL, "creating context")) return 1;
    printf("libface %s, kernels: %s\n", face_version_string(), face_isa_name(face_active_isa()));

    static found_face all[MAX_ALL];
    int nall = 0;
    face_detect_options dopt;
    face_detect_options_init(&dopt);
    dopt.min_face_size = 40;

    for (int i = 2; i < argc; i++) {
        face_image img;
        if (!check(face_image_load_file(ctx, argv[i], &img), ctx, argv[i])) continue;
        face_detection det[MAX_FACES];
        size_t n = 0;
        face_status s = face_detect(ctx, &img, &dopt, det, MAX_FACES, &n);
        if (s == FACE_ERR_BUFFER_TOO_SMALL) n = MAX_FACES;
        else if (!check(s, ctx, "detect")) n = 0;
        const char *name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
        printf("%s: %dx%d, %zu faces\n", name, img.width, img.height, n);
        for (size_t f = 0; f < n && nall < MAX_ALL; f++) {
            face_landmarks lm;
            face_chip chip;
            found_face *ff = &all[nall];
            if (!check(face_landmarks_detect(ctx, &img, &det[f].box, &lm), ctx, "landmarks") ||
                !check(face_align_chip(ctx, &img, &lm, &chip), ctx, "align") ||
                !check(face_embed_chip(ctx, &chip, NULL, &ff->tpl), ctx, "embed"))
                continue;
            ff->image = i;
            ff->index = (int)f;
            ff->box = det[f].box;
            printf("  face %zu: score %.3f box (%.0f, %.0f, %.0f x %.0f)\n", f, det[f].score,
                   det[f].box.x, det[f].box.y, det[f].box.width, det[f].box.height);
            nall++;
        }
        face_image_free(ctx, &img);
    }

    printf("verification (distance < 0.60 = same person):\n");
    int matches = 0;
    for (int a = 0; a < nall; a++)
        for (int b = a + 1; b < nall; b++) {
            if (all[a].image == all[b].image) continue;
            float d = 0, sim = 0;
            if (face_compare(&all[a].tpl, &all[b].tpl, &d, &sim) != FACE_OK) continue;
            if (d < 0.6f) {
                const char *na = strrchr(argv[all[a].image], '/');
                const char *nb = strrchr(argv[all[b].image], '/');
                printf("  MATCH %s#%d ~ %s#%d  distance %.3f similarity %.3f\n",
                       na ? na + 1 : argv[all[a].image], all[a].index,
                       nb ? nb + 1 : argv[all[b].image], all[b].index, d, sim);
                matches++;
            }
        }
    printf("%d faces embedded, %d cross-image matches\n", nall, matches);
    for (int a = 0; a < nall; a++) face_template_wipe(&all[a].tpl);
    face_ctx_destroy(ctx);
    face_engine_destroy(engine);
    return 0;
}
