/* libface embed: the face_recognition_model (a port of dlib's
 * dlib_face_recognition_resnet_model_v1, docs/models.md §6), its two input
 * paths and the template fingerprint. Private header; never installed.
 *
 * Two input paths, two fingerprints:
 *   - dlib chip (FACE_ALIGN_DLIB): the 150x150 uint8 chip fed as is with
 *     dlib's own normalisation (x - mean) / 256;
 *   - face-api crop (FACE_ALIGN_FACEAPI): an image rectangle, centred square
 *     zero padding, TF1-legacy bilinear resize to 150 in float, then
 *     (x - mean) / 255, reproducing face-api.js.
 * Descriptors of the two paths live in slightly different spaces, so the
 * fingerprint folds in the alignment mode and the divisor. */
#ifndef LF_EMBED_H
#define LF_EMBED_H

#include "nn/nn.h"

typedef struct lf_recognizer lf_recognizer;

/* Shape-check every tensor of m and copy the weights (bias folded into the
 * affine shift) into memory from a. FACE_ERR_MODEL_MISMATCH if m is not a
 * recognition model, FACE_ERR_CORRUPT for a missing/misshaped tensor or a
 * non-finite weight, FACE_ERR_OUT_OF_MEMORY. m may be destroyed afterwards. */
face_status lf_recognizer_load(const lf_allocator *a, const face_model *m, lf_recognizer **out,
                               lf_error *err);
void lf_recognizer_free(lf_recognizer *r);

/* Worst-case lf_arena bytes of one embed call on an image of img_w x img_h
 * (the crop path needs two rows of the crop, at most img_w wide), flip
 * averaging included. Also right for the chip path with 150 x 150. */
size_t lf_recognizer_scratch_bytes(const lf_recognizer *r, int img_w, int img_h);

/* BLAKE2b-128(weight hash || u32 align_mode || u32 normalisation divisor),
 * little-endian; the divisor is 256 for FACE_ALIGN_DLIB, 255 for
 * FACE_ALIGN_FACEAPI. The weight hash is BLAKE2b-256 over every recognition
 * tensor's float32 bytes (as stored in the model, before any folding) in
 * manifest order. */
void lf_recognizer_fingerprint(const lf_recognizer *r, int align_mode,
                               uint8_t out[FACE_FINGERPRINT_BYTES]);

/* Template from a dlib chip. embed_flags: FACE_EMBED_FLIP_AVG. *out is
 * written only on success. FACE_ERR_INVALID_ARGUMENT for NULLs, a chip whose
 * size field is not FACE_CHIP_SIZE or unknown flags; FACE_ERR_INTERNAL if the
 * arena was not reserved with lf_recognizer_scratch_bytes. */
face_status lf_embed_from_chip(const lf_exec *ex, const lf_recognizer *r, const face_chip *chip,
                               uint32_t embed_flags, face_template *out);

/* Template from an image rectangle, face-api style. The rectangle is clipped
 * to the image, then floored to integers (face-api's clip); an empty result
 * (0-size, outside the image) is FACE_ERR_INVALID_ARGUMENT. img must have
 * passed lf_image_check. */
face_status lf_embed_from_crop(const lf_exec *ex, const lf_recognizer *r, const face_image *img,
                               const face_rect *crop, uint32_t embed_flags, face_template *out);

#endif /* LF_EMBED_H */
