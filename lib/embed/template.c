/* Public template calls: size getters, the portable byte form, wipe and
 * comparison (include/face/template.h).
 *
 * Everything here is allocation-free and touches only caller memory, so it is
 * thread-safe. The byte form is little-endian and read field by field, never
 * by casting the buffer, so it is the same on every host. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "base/base.h"
#include "face/face.h"

/* Byte offsets of the serialized form. */
enum {
    TPL_OFF_MAGIC = 0,
    TPL_OFF_VERSION = 4,
    TPL_OFF_DIM = 6,
    TPL_OFF_FLAGS = 8,
    TPL_OFF_RESERVED = 12,
    TPL_OFF_FINGERPRINT = 16,
    TPL_OFF_VALUES = TPL_OFF_FINGERPRINT + FACE_FINGERPRINT_BYTES
};
_Static_assert(TPL_OFF_VALUES + 4 * FACE_TEMPLATE_DIM == FACE_TEMPLATE_SERIALIZED_BYTES,
               "serialized layout and FACE_TEMPLATE_SERIALIZED_BYTES disagree");

static const uint8_t tpl_magic[4] = {'F', 'T', 'P', 'L'};

/* Flag bits this version defines; anything else in a parsed template means it
 * was not written by us (or by a newer writer that should have bumped the
 * version), so it is rejected rather than carried along silently. */
#define TPL_KNOWN_FLAGS \
    (FACE_TEMPLATE_FLAG_ALIGN_DLIB | FACE_TEMPLATE_FLAG_ALIGN_FACEAPI | FACE_TEMPLATE_FLAG_FLIP_AVG)

/* Distance at which similarity reaches 0: twice the trained decision
 * distance 0.6, so similarity 0.5 sits exactly at the decision threshold. */
#define TPL_SIMILARITY_SPAN 1.2

size_t face_template_dim(void) { return FACE_TEMPLATE_DIM; }
size_t face_template_sizeof(void) { return sizeof(face_template); }
size_t face_template_serialized_bytes(void) { return FACE_TEMPLATE_SERIALIZED_BYTES; }

/* The header checks every call shares: a template we can interpret. */
static int tpl_header_ok(const face_template *t)
{
    return t && t->struct_size == sizeof(face_template) && t->version == FACE_TEMPLATE_VERSION &&
           t->dim == FACE_TEMPLATE_DIM;
}

static int tpl_values_finite(const float *v)
{
    for (int i = 0; i < FACE_TEMPLATE_DIM; i++)
        if (!isfinite(v[i])) return 0;
    return 1;
}

face_status face_template_serialize(const face_template *t, uint8_t *out, size_t cap)
{
    /* A non-finite value would produce bytes that face_template_parse
     * rejects, so refuse to write them in the first place. */
    if (!tpl_header_ok(t) || !out || !tpl_values_finite(t->values))
        return FACE_ERR_INVALID_ARGUMENT;
    if (cap < FACE_TEMPLATE_SERIALIZED_BYTES) return FACE_ERR_BUFFER_TOO_SMALL;

    memcpy(out + TPL_OFF_MAGIC, tpl_magic, sizeof tpl_magic);
    lf_wr16(out + TPL_OFF_VERSION, t->version);
    lf_wr16(out + TPL_OFF_DIM, t->dim);
    lf_wr32(out + TPL_OFF_FLAGS, t->flags);
    lf_wr32(out + TPL_OFF_RESERVED, t->reserved);
    memcpy(out + TPL_OFF_FINGERPRINT, t->fingerprint, FACE_FINGERPRINT_BYTES);
    for (int i = 0; i < FACE_TEMPLATE_DIM; i++) lf_wrf32(out + TPL_OFF_VALUES + 4 * i, t->values[i]);
    return FACE_OK;
}

face_status face_template_parse(const uint8_t *buf, size_t len, face_template *out)
{
    if (!buf || !out) return FACE_ERR_INVALID_ARGUMENT;
    /* Magic and version come before the length check so that a template of
     * a future version (possibly another length) is reported as such. */
    if (len < TPL_OFF_DIM || memcmp(buf + TPL_OFF_MAGIC, tpl_magic, sizeof tpl_magic) != 0)
        return FACE_ERR_CORRUPT;
    if (lf_rd16(buf + TPL_OFF_VERSION) != FACE_TEMPLATE_VERSION) return FACE_ERR_UNSUPPORTED_VERSION;
    if (len != FACE_TEMPLATE_SERIALIZED_BYTES) return FACE_ERR_CORRUPT;
    if (lf_rd16(buf + TPL_OFF_DIM) != FACE_TEMPLATE_DIM) return FACE_ERR_CORRUPT;
    uint32_t flags = lf_rd32(buf + TPL_OFF_FLAGS);
    if ((flags & ~TPL_KNOWN_FLAGS) != 0 || lf_rd32(buf + TPL_OFF_RESERVED) != 0)
        return FACE_ERR_CORRUPT;

    /* Build in a local so *out stays untouched on any error. */
    face_template t;
    memset(&t, 0, sizeof t);
    t.struct_size = sizeof(face_template);
    t.version = FACE_TEMPLATE_VERSION;
    t.dim = FACE_TEMPLATE_DIM;
    t.flags = flags;
    memcpy(t.fingerprint, buf + TPL_OFF_FINGERPRINT, FACE_FINGERPRINT_BYTES);
    for (int i = 0; i < FACE_TEMPLATE_DIM; i++) t.values[i] = lf_rdf32(buf + TPL_OFF_VALUES + 4 * i);
    face_status st = FACE_OK;
    if (tpl_values_finite(t.values))
        *out = t;
    else
        st = FACE_ERR_CORRUPT;
    lf_wipe(&t, sizeof t);
    return st;
}

void face_template_wipe(face_template *t)
{
    if (t) lf_wipe(t, sizeof *t);
}

face_status face_compare(const face_template *a, const face_template *b, float *distance,
                         float *similarity)
{
    if (!tpl_header_ok(a) || !tpl_header_ok(b)) return FACE_ERR_INVALID_ARGUMENT;
    if (memcmp(a->fingerprint, b->fingerprint, FACE_FINGERPRINT_BYTES) != 0)
        return FACE_ERR_MODEL_MISMATCH;
    /* A NaN would compare as "no match" at every threshold and an infinity
     * as a certain non-match; both mean a broken template, not a face. */
    if (!tpl_values_finite(a->values) || !tpl_values_finite(b->values))
        return FACE_ERR_INVALID_ARGUMENT;

    /* Double accumulation: the result does not depend on summation order or
     * vector width, so every build and ISA reports the same distance. */
    double s = 0.0;
    for (int i = 0; i < FACE_TEMPLATE_DIM; i++) {
        double d = (double)a->values[i] - (double)b->values[i];
        s += d * d;
    }
    double dist = sqrt(s);
    double sim = 1.0 - dist / TPL_SIMILARITY_SPAN;
    if (sim < 0.0) sim = 0.0;
    if (sim > 1.0) sim = 1.0;
    /* Finite floats can still be far apart enough to overflow a float
     * distance; saturate explicitly instead of relying on the conversion. */
    if (distance) *distance = dist > (double)FLT_MAX ? INFINITY : (float)dist;
    if (similarity) *similarity = (float)sim;
    return FACE_OK;
}
