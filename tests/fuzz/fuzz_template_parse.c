/* Fuzz face_template_parse and face_compare on what it accepts.
 *
 * Invariants: a parsed template serializes back to exactly the input bytes
 * (the byte form is canonical: no field is silently dropped or normalised);
 * *out is untouched on error; the distance of two parsed templates is finite
 * and >= 0, and the similarity lies in [0, 1]. Inputs of two templates'
 * length are also split and compared. */
#include <math.h>
#include <string.h>

#include "face/face.h"
#include "fuzz.h"

static int parse_roundtrip(const uint8_t *buf, size_t len, face_template *t)
{
    face_template before;
    memset(&before, 0xA5, sizeof before);
    memcpy(t, &before, sizeof before);
    face_status st = face_template_parse(buf, len, t);
    if (st != FACE_OK) {
        FZ_CHECK(st == FACE_ERR_CORRUPT || st == FACE_ERR_UNSUPPORTED_VERSION);
        FZ_CHECK(memcmp(t, &before, sizeof before) == 0);
        return 0;
    }
    FZ_CHECK(len == FACE_TEMPLATE_SERIALIZED_BYTES);
    uint8_t out[FACE_TEMPLATE_SERIALIZED_BYTES];
    FZ_CHECK(face_template_serialize(t, out, sizeof out) == FACE_OK);
    FZ_CHECK(memcmp(out, buf, sizeof out) == 0);
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const size_t n = FACE_TEMPLATE_SERIALIZED_BYTES;
    face_template a, b;
    if (size == 2 * n) {
        if (!parse_roundtrip(data, n, &a) || !parse_roundtrip(data + n, n, &b)) return 0;
        float d = -1.0f, s = -1.0f;
        face_status st = face_compare(&a, &b, &d, &s);
        if (memcmp(a.fingerprint, b.fingerprint, FACE_FINGERPRINT_BYTES) != 0) {
            FZ_CHECK(st == FACE_ERR_MODEL_MISMATCH);
            return 0;
        }
        FZ_CHECK(st == FACE_OK);
        /* Finite inputs can still overflow to +inf in the sum of squares;
         * what must never come out is NaN or a negative distance. */
        FZ_CHECK(!isnan(d) && d >= 0.0f);
        FZ_CHECK(s >= 0.0f && s <= 1.0f);
        float d2 = -1.0f;
        FZ_CHECK(face_compare(&b, &a, &d2, NULL) == FACE_OK);
        FZ_CHECK(d2 == d);
        return 0;
    }
    parse_roundtrip(data, size, &a);
    return 0;
}

int fz_make_seeds(const char *dir)
{
    (void)dir; /* tests/fuzz/make_seeds.py writes these seeds */
    return 0;
}
