/* annotate: draw every face's box and 68 landmarks on a photo.
 *
 *   example_annotate MODEL_DIR PHOTO OUT.ppm
 *
 * Writes a binary PPM (any image viewer opens it; no encoder library needed)
 * and prints one line per face. Exit 0 with faces, 1 without, 2 usage,
 * 3 a failure. Copy freely. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <face/face.h>

#define MAX_FACES 64

static void put(uint8_t *rgb, int w, int h, int x, int y, const uint8_t color[3])
{
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    memcpy(rgb + ((size_t)y * (size_t)w + (size_t)x) * 3, color, 3);
}

static void draw_box(uint8_t *rgb, int w, int h, face_rect r)
{
    static const uint8_t red[3] = {255, 40, 40};
    int x0 = (int)r.x, y0 = (int)r.y, x1 = (int)(r.x + r.width), y1 = (int)(r.y + r.height);
    for (int t = 0; t < 3; t++) {
        for (int x = x0; x <= x1; x++) {
            put(rgb, w, h, x, y0 + t, red);
            put(rgb, w, h, x, y1 - t, red);
        }
        for (int y = y0; y <= y1; y++) {
            put(rgb, w, h, x0 + t, y, red);
            put(rgb, w, h, x1 - t, y, red);
        }
    }
}

static void draw_point(uint8_t *rgb, int w, int h, face_point p)
{
    static const uint8_t green[3] = {40, 255, 80};
    int cx = (int)lroundf(p.x), cy = (int)lroundf(p.y);
    for (int dy = -2; dy <= 2; dy++)
        for (int dx = -2; dx <= 2; dx++) put(rgb, w, h, cx + dx, cy + dy, green);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s MODEL_DIR PHOTO OUT.ppm\n", argv[0]);
        return 2;
    }
    face_engine *engine = NULL;
    face_ctx *ctx = NULL;
    face_image img = {0};
    uint8_t *rgb = NULL;
    int rc = 3;

    face_status s = face_engine_create_from_dir(argv[1], NULL, &engine);
    if (s == FACE_OK) s = face_ctx_create(engine, NULL, &ctx);
    if (s == FACE_OK) s = face_image_load_file(ctx, argv[2], &img); /* RGB24 */
    if (s != FACE_OK) {
        fprintf(stderr, "%s: %s\n", face_strerror(s), ctx ? face_ctx_last_error(ctx) : "");
        goto done;
    }

    face_detect_options opt;
    face_detect_options_init(&opt);
    opt.min_face_size = 40; /* also find small faces (tiles the image; slower) */
    face_detection det[MAX_FACES];
    size_t n = 0;
    s = face_detect(ctx, &img, &opt, det, MAX_FACES, &n);
    if (s == FACE_ERR_BUFFER_TOO_SMALL) { /* more faces than room: keep the best */
        n = MAX_FACES;
        s = FACE_OK;
    }
    if (s != FACE_OK) {
        fprintf(stderr, "detect: %s: %s\n", face_strerror(s), face_ctx_last_error(ctx));
        goto done;
    }

    /* Draw on a copy: libface's decoded pixels are read-only to callers. */
    size_t w = (size_t)img.width, h = (size_t)img.height;
    rgb = malloc(w * h * 3);
    if (!rgb) goto done;
    for (size_t y = 0; y < h; y++) memcpy(rgb + y * w * 3, img.data + y * (size_t)img.stride, w * 3);

    for (size_t i = 0; i < n; i++) {
        face_landmarks lm;
        s = face_landmarks_detect(ctx, &img, &det[i].box, &lm);
        if (s != FACE_OK) {
            fprintf(stderr, "landmarks: %s\n", face_ctx_last_error(ctx));
            goto done;
        }
        printf("face %zu: score %.3f box %.0f,%.0f %.0fx%.0f\n", i, det[i].score, det[i].box.x,
               det[i].box.y, det[i].box.width, det[i].box.height);
        draw_box(rgb, img.width, img.height, det[i].box);
        for (int p = 0; p < FACE_LANDMARK_COUNT; p++)
            draw_point(rgb, img.width, img.height, lm.points[p]);
    }

    FILE *f = fopen(argv[3], "wb");
    if (!f) {
        perror(argv[3]);
        goto done;
    }
    fprintf(f, "P6\n%zu %zu\n255\n", w, h);
    size_t wrote = fwrite(rgb, 1, w * h * 3, f);
    if (fclose(f) != 0 || wrote != w * h * 3) {
        perror(argv[3]);
        goto done;
    }
    rc = n ? 0 : 1;
done:
    free(rgb);
    face_image_free(ctx, &img);
    face_ctx_destroy(ctx);
    face_engine_destroy(engine);
    return rc;
}
