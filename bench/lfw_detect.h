/* Finding the labelled face of an LFW frame, shared by bench/lfw.c and
 * bench/accuracy/accuracy.c so both report the same detection protocol.
 *
 * LFW frames (250x250, deep-funnelled) are centred on the subject: of several
 * faces, the nearest the centre is the one labelled. tiny's anchors suit
 * faces of roughly 1/6 to 1/2 of its input, and an LFW face fills about half
 * the frame, so after the primary detector other tiny input sizes are tried,
 * then a lower score, then the other network. */
#ifndef FACE_BENCH_LFW_DETECT_H
#define FACE_BENCH_LFW_DETECT_H

#include <face/face.h>

/* Which step of the cascade found the face (stored in result caches). */
enum { LFW_FOUND_NONE = 0, LFW_FOUND_PRIMARY = 1, LFW_FOUND_TINY_SIZES = 2,
       LFW_FOUND_LOW_SCORE = 3, LFW_FOUND_OTHER_NET = 4 };

static inline int lfw_pick_central(const face_detection *d, size_t n, int w, int h)
{
    int best = -1;
    double bd = 1e30;
    for (size_t i = 0; i < n; i++) {
        double cx = d[i].box.x + d[i].box.width / 2 - w / 2.0;
        double cy = d[i].box.y + d[i].box.height / 2 - h / 2.0;
        if (cx * cx + cy * cy < bd) bd = cx * cx + cy * cy, best = (int)i;
    }
    return best;
}

/* One single-pass detection (min_face 0) or a multi-scale one. Returns the
 * number of boxes written to det (at most cap); errors count as none. */
static inline size_t lfw_run_detect(face_ctx *ctx, const face_image *img, int detector, int input,
                                    float thr, int min_face, face_detection *det, size_t cap)
{
    face_detect_options o;
    face_detect_options_init(&o);
    o.detector = detector;
    if (input) o.input_size = input;
    o.score_threshold = thr;
    o.min_face_size = min_face;
    if (!min_face) o.flags = FACE_DETECT_SINGLE_PASS;
    size_t n = 0;
    face_status s = face_detect(ctx, img, &o, det, cap, &n);
    if (s == FACE_ERR_BUFFER_TOO_SMALL) return cap;
    return s == FACE_OK ? n : 0;
}

/* The fallbacks after a primary pass (FACE_DETECTOR_TINY at tiny_input, or
 * SSD) found nothing. On return *best indexes det (-1 if no face) and *n is
 * its box count; the result is the LFW_FOUND_* step that found it. */
static inline int lfw_fallback(face_ctx *ctx, const face_image *img, int primary, int tiny_input,
                               face_detection *det, size_t cap, size_t *n, int *best)
{
    static const int cascade[][2] = {{320, 50}, {128, 50}, {416, 50}, {224, 50},
                                     {160, 30}, {128, 30}, {320, 30}, {416, 30}};
    for (size_t c = 0; primary == FACE_DETECTOR_TINY && c < sizeof cascade / sizeof cascade[0]; c++) {
        *n = lfw_run_detect(ctx, img, FACE_DETECTOR_TINY, cascade[c][0],
                            (float)cascade[c][1] / 100.0f, 0, det, cap);
        *best = lfw_pick_central(det, *n, img->width, img->height);
        if (*best >= 0) return cascade[c][1] == 50 ? LFW_FOUND_TINY_SIZES : LFW_FOUND_LOW_SCORE;
    }
    int other = primary == FACE_DETECTOR_SSD ? FACE_DETECTOR_TINY : FACE_DETECTOR_SSD;
    *n = lfw_run_detect(ctx, img, other, other == FACE_DETECTOR_TINY ? tiny_input : 0, 0.3f, 0, det,
                        cap);
    *best = lfw_pick_central(det, *n, img->width, img->height);
    return *best >= 0 ? LFW_FOUND_OTHER_NET : LFW_FOUND_NONE;
}

/* Primary pass, then the fallbacks. */
static inline int lfw_find_face(face_ctx *ctx, const face_image *img, int primary, int tiny_input,
                                face_detection *det, size_t cap, size_t *n, int *best)
{
    *n = lfw_run_detect(ctx, img, primary, primary == FACE_DETECTOR_TINY ? tiny_input : 0, 0.5f, 0,
                        det, cap);
    *best = lfw_pick_central(det, *n, img->width, img->height);
    if (*best >= 0) return LFW_FOUND_PRIMARY;
    return lfw_fallback(ctx, img, primary, tiny_input, det, cap, n, best);
}

#endif /* FACE_BENCH_LFW_DETECT_H */
