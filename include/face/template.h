/* libface: face templates (descriptors) and their comparison.
 *
 * A template is what the recognition network makes of one face: 128 floats
 * plus the fingerprint of the model and alignment that produced it. Templates
 * from different fingerprints are not comparable, and every call that meets
 * two of them says so with FACE_ERR_MODEL_MISMATCH. */
#ifndef FACE_TEMPLATE_H
#define FACE_TEMPLATE_H

#include "face/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FACE_TEMPLATE_DIM 128
#define FACE_TEMPLATE_VERSION 1
#define FACE_FINGERPRINT_BYTES 16
/** Size of the serialized form (face_template_serialize). */
#define FACE_TEMPLATE_SERIALIZED_BYTES (4 + 2 + 2 + 4 + 4 + FACE_FINGERPRINT_BYTES + 4 * FACE_TEMPLATE_DIM)

/** Template flags. The alignment mode is also folded into the fingerprint. */
#define FACE_TEMPLATE_FLAG_ALIGN_DLIB 0x1u    /**< dlib 150x150 similarity chip */
#define FACE_TEMPLATE_FLAG_ALIGN_FACEAPI 0x2u /**< face-api axis-aligned crop */
#define FACE_TEMPLATE_FLAG_FLIP_AVG 0x4u      /**< mean with the mirrored chip */

/**
 * In-memory template. A plain value: copy it freely. It contains biometric
 * data; wipe it (face_template_wipe) when done.
 *
 * fingerprint = BLAKE2b-128 over the recognition weights, the alignment mode
 * and the input normalisation. Calibration data is not part of it, so a
 * recalibration never invalidates a stored watchlist.
 */
typedef struct face_template {
    uint32_t struct_size; /**< sizeof(face_template) */
    uint16_t version;     /**< FACE_TEMPLATE_VERSION */
    uint16_t dim;         /**< FACE_TEMPLATE_DIM */
    uint32_t flags;       /**< FACE_TEMPLATE_FLAG_* */
    uint32_t reserved;    /**< zero */
    uint8_t fingerprint[FACE_FINGERPRINT_BYTES];
    float values[FACE_TEMPLATE_DIM]; /**< raw FC output, not normalised */
} face_template;

/** Getters for FFI users; each equals its macro. Cannot fail; thread-safe;
 *  plain values, nothing to free. */
FACE_API size_t face_template_dim(void);
FACE_API size_t face_template_sizeof(void);
FACE_API size_t face_template_serialized_bytes(void);

/**
 * Serialize to the portable little-endian byte form
 * ("FTPL", u16 version, u16 dim, u32 flags, u32 reserved, fingerprint, floats).
 * Pure function: thread-safe, no allocation.
 * @param out  caller buffer of at least FACE_TEMPLATE_SERIALIZED_BYTES
 * @return FACE_OK, FACE_ERR_INVALID_ARGUMENT (NULL, bad struct_size/dim),
 *         FACE_ERR_BUFFER_TOO_SMALL (cap too small; nothing written).
 */
FACE_API face_status face_template_serialize(const face_template *t, uint8_t *out, size_t cap);

/**
 * Parse the byte form. Rejects a wrong length or magic (FACE_ERR_CORRUPT), an
 * unknown version (FACE_ERR_UNSUPPORTED_VERSION), a wrong dimension or any
 * non-finite value (FACE_ERR_CORRUPT). *out is untouched on error. NULL
 * arguments give FACE_ERR_INVALID_ARGUMENT. Pure function: thread-safe.
 */
FACE_API face_status face_template_parse(const uint8_t *buf, size_t len, face_template *out);

/** Zero a template with a write the compiler may not elide. NULL is a no-op.
 *  The caller keeps ownership of t. Thread-safe for distinct templates. */
FACE_API void face_template_wipe(face_template *t);

/**
 * Compare two templates.
 * @param distance   Euclidean distance between the raw descriptors, the
 *                   metric the network was trained on (may be NULL).
 * @param similarity a score in [0, 1], higher is more similar (may be NULL).
 *                   It is 1 - distance / 1.2 clamped to [0, 1], so 0.5 is
 *                   the network's trained decision distance 0.6 (false
 *                   match rate 5.8e-3 on LFW). Choose an operating point by
 *                   false match rate with face_threshold_for_fmr();
 *                   docs/calibration.md relates distance, similarity and FMR.
 * @return FACE_OK, FACE_ERR_INVALID_ARGUMENT, FACE_ERR_MODEL_MISMATCH
 *         (different fingerprints). Thread-safe, allocation-free.
 */
FACE_API face_status face_compare(const face_template *a, const face_template *b,
                                  float *distance, float *similarity);

#ifdef __cplusplus
}
#endif

#endif /* FACE_TEMPLATE_H */
