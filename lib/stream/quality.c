/* Quality of one face shot, from the 68 landmarks and the aligned chip.
 *
 * Pose is estimated with ratios rather than a 3-D fit: after removing the
 * roll (the eye line), the nose tip sits halfway between the two ends of the
 * jaw line (points 0 and 16) on a frontal face and moves towards one end as
 * the head turns: with the jaw ends at +-R and the nose tip R in front of
 * them, 2r - 1 = tan(yaw) where r is the nose's fraction of the jaw span; vertically it
 * sits at a fixed fraction of the way from the eyes to the mouth (0.534 on
 * dlib's mean face) and moves with sin(pitch). Both are cheap, monotonic and
 * good to a few degrees near frontal, which is what a gate needs.
 *
 * Sharpness is the variance of a 4-neighbour Laplacian over the chip's
 * central 100x100 pixels (the face, without the black fill a chip gets near
 * an image edge): out-of-focus and motion-blurred faces have little
 * high-frequency energy. */
#include <math.h>
#include <string.h>

#include "stream/stream_internal.h"

#define PI_F 3.14159265358979f
#define RAD2DEG (180.0f / PI_F)
/* (nose tip y - eye y) / (mouth y - eye y) on dlib's mean face shape. */
#define PITCH_RATIO_FRONTAL 0.534f
/* Nose protrusion over the eye-mouth height: turns the ratio's change into
 * sin(pitch). */
#define PITCH_DEPTH 0.6f
/* Eye distance at which size stops limiting the score (a 150 px chip puts
 * the eyes ~80 px apart; 40 px of source still resolves the face well). */
#define SIZE_FULL_EYE_PX 40.0f
#define SHARP_FULL 100.0f

static float clampf(float v, float lo, float hi) { return v < lo ? lo : v > hi ? hi : v; }

static face_point centre(const face_landmarks *lm, int from, int to)
{
    face_point c = {0, 0};
    for (int i = from; i <= to; i++) {
        c.x += lm->points[i].x;
        c.y += lm->points[i].y;
    }
    c.x /= (float)(to - from + 1);
    c.y /= (float)(to - from + 1);
    return c;
}

static float grey(const uint8_t *p) { return (77.0f * p[0] + 150.0f * p[1] + 29.0f * p[2]) / 256.0f; }

static float chip_sharpness(const face_chip *chip)
{
    const int n = FACE_CHIP_SIZE, lo = 25, hi = FACE_CHIP_SIZE - 25;
    const uint8_t *px = chip->rgb;
    double sum = 0, sum2 = 0;
    int cnt = 0;
    for (int y = lo; y < hi; y++)
        for (int x = lo; x < hi; x++) {
            const uint8_t *c = px + ((size_t)y * n + x) * 3;
            float l = 4.0f * grey(c) - grey(c - 3) - grey(c + 3) - grey(c - 3 * n) - grey(c + 3 * n);
            sum += l;
            sum2 += (double)l * l;
            cnt++;
        }
    double mean = sum / cnt;
    return (float)(sum2 / cnt - mean * mean);
}

face_status face_quality_estimate(const face_landmarks *lm, const face_rect *box,
                                  const face_chip *chip, face_quality *out)
{
    if (!lm || !box || !out || lm->count != FACE_LANDMARK_COUNT) return FACE_ERR_INVALID_ARGUMENT;
    if (chip && chip->size != FACE_CHIP_SIZE) return FACE_ERR_INVALID_ARGUMENT;
    for (int i = 0; i < FACE_LANDMARK_COUNT; i++)
        if (!isfinite(lm->points[i].x) || !isfinite(lm->points[i].y) ||
            fabsf(lm->points[i].x) > 1e6f || fabsf(lm->points[i].y) > 1e6f)
            return FACE_ERR_INVALID_ARGUMENT;
    if (!isfinite(box->width) || !isfinite(box->height) || !(box->width > 0) || !(box->height > 0) ||
        box->width > 1e6f || box->height > 1e6f)
        return FACE_ERR_INVALID_ARGUMENT;

    face_quality q;
    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    q.face_size = sqrtf(box->width * box->height);
    face_point e1 = centre(lm, 36, 41), e2 = centre(lm, 42, 47);
    float ex = e2.x - e1.x, ey = e2.y - e1.y;
    q.eye_distance = sqrtf(ex * ex + ey * ey);
    q.roll = atan2f(ey, ex) * RAD2DEG;

    /* Rotate about the eye midpoint so the eye line is horizontal. */
    float c = 1.0f, s = 0.0f;
    if (q.eye_distance > 0) {
        c = ex / q.eye_distance;
        s = ey / q.eye_distance;
    }
    face_point m = {(e1.x + e2.x) * 0.5f, (e1.y + e2.y) * 0.5f};
#define ROT_X(p) (c * ((p).x - m.x) + s * ((p).y - m.y))
#define ROT_Y(p) (-s * ((p).x - m.x) + c * ((p).y - m.y))
    float j0 = ROT_X(lm->points[0]), j16 = ROT_X(lm->points[16]);
    float nx = ROT_X(lm->points[30]), ny = ROT_Y(lm->points[30]);
    face_point mouth = {(lm->points[48].x + lm->points[54].x) * 0.5f,
                        (lm->points[48].y + lm->points[54].y) * 0.5f};
    float my = ROT_Y(mouth);
#undef ROT_X
#undef ROT_Y
    float span = j16 - j0;
    float r = span > 1e-3f ? (nx - j0) / span : 0.5f;
    q.yaw = atanf(2.0f * r - 1.0f) * RAD2DEG;
    float pr = my > 1e-3f ? ny / my : PITCH_RATIO_FRONTAL;
    q.pitch = asinf(clampf((pr - PITCH_RATIO_FRONTAL) / PITCH_DEPTH, -1.0f, 1.0f)) * RAD2DEG;

    float size_term = clampf(q.eye_distance / SIZE_FULL_EYE_PX, 0.0f, 1.0f);
    float cy = cosf(q.yaw / RAD2DEG), cp = cosf(q.pitch / RAD2DEG);
    /* Squared: recognition degrades faster than the projected area. */
    float pose_term = clampf(cy * cy * cp * cp, 0.0f, 1.0f);
    float sharp_term = 1.0f;
    q.sharpness = -1.0f;
    if (chip) {
        q.sharpness = chip_sharpness(chip);
        sharp_term = clampf(q.sharpness / SHARP_FULL, 0.0f, 1.0f);
    }
    q.score = size_term * pose_term * sharp_term;
    *out = q;
    return FACE_OK;
}
