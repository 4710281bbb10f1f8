/* verify: are the people in two photos the same person?
 *
 *   example_verify MODEL_DIR PHOTO_A PHOTO_B
 *
 * Embeds the best-scoring face of each photo and compares the templates.
 * Exit 0 same person, 1 different, 2 usage, 3 a failure. Copy freely. */
#include <stdio.h>

#include <face/face.h>

/* The network's trained decision distance. Pick your own operating point
 * from the false match rates in docs/benchmarks.md. */
#define SAME_PERSON_DISTANCE 0.6f

static face_status best_face_template(face_ctx *ctx, const char *path, face_template *out)
{
    face_image img;
    face_status s = face_image_load_file(ctx, path, &img);
    if (s != FACE_OK) return s;

    face_detection det[8];
    size_t n = 0;
    s = face_detect(ctx, &img, NULL, det, 8, &n);
    if (s == FACE_ERR_BUFFER_TOO_SMALL) s = FACE_OK; /* the best 8 are enough */
    if (s == FACE_OK && n == 0) s = FACE_ERR_NOT_FOUND;

    face_landmarks lm;
    if (s == FACE_OK) s = face_landmarks_detect(ctx, &img, &det[0].box, &lm);
    /* face_embed aligns (dlib chip by default) and embeds in one call. */
    if (s == FACE_OK) s = face_embed(ctx, &img, &lm, NULL, NULL, out);
    face_image_free(ctx, &img); /* wipes the pixels */
    return s;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s MODEL_DIR PHOTO_A PHOTO_B\n", argv[0]);
        return 2;
    }
    face_engine *engine = NULL;
    face_ctx *ctx = NULL;
    face_template a, b;
    int rc = 3;

    face_status s = face_engine_create_from_dir(argv[1], NULL, &engine);
    if (s == FACE_OK) s = face_ctx_create(engine, NULL, &ctx);
    if (s != FACE_OK) {
        fprintf(stderr, "setup: %s\n", face_strerror(s));
        goto done;
    }
    if ((s = best_face_template(ctx, argv[2], &a)) != FACE_OK ||
        (s = best_face_template(ctx, argv[3], &b)) != FACE_OK) {
        /* last_error says which call failed and why, e.g. the decoder's reason. */
        fprintf(stderr, "%s: %s\n", face_strerror(s), face_ctx_last_error(ctx));
        goto done;
    }
    float distance, similarity;
    s = face_compare(&a, &b, &distance, &similarity);
    if (s != FACE_OK) {
        fprintf(stderr, "compare: %s\n", face_strerror(s));
        goto done;
    }
    int same = distance < SAME_PERSON_DISTANCE;
    printf("distance %.3f similarity %.3f: %s\n", distance, similarity,
           same ? "same person" : "different people");
    rc = same ? 0 : 1;
done:
    face_template_wipe(&a); /* templates are biometric data */
    face_template_wipe(&b);
    face_ctx_destroy(ctx);
    face_engine_destroy(engine);
    return rc;
}
