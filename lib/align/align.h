/* libface align: the face_landmark_68 network, dlib's 150x150 face chip and
 * face-api's descriptor crop box. Private header; never installed.
 * Depends on lib/nn (and through it lib/kernels, lib/base) only. */
#ifndef LF_ALIGN_H
#define LF_ALIGN_H

#include "nn/nn.h"

/* ---------------------------------------------------------------- landmarks */

/* A loaded face_landmark_68 network (or its tiny variant, recognised by its
 * tensor set), with its own copy of the weights. Immutable after load, so
 * one landmarker serves every thread. */
typedef struct lf_landmarker lf_landmarker;

/* Shape-checks every tensor through lf_model_get. FACE_ERR_MODEL_MISMATCH for
 * a model of another kind, FACE_ERR_CORRUPT / FACE_ERR_NOT_FOUND for a
 * landmark model with missing or misshapen tensors, FACE_ERR_OUT_OF_MEMORY. */
face_status lf_landmarker_load(const lf_allocator *a, const face_model *m, lf_landmarker **out,
                               lf_error *err);
void lf_landmarker_free(lf_landmarker *l);
/* Worst-case lf_arena bytes one lf_landmarks_run needs (independent of the
 * image: the input is sampled straight from it). 0 for NULL. */
size_t lf_landmarker_scratch_bytes(const lf_landmarker *l);

/* 68 landmarks for the face in box (a detection box in image pixels, face-api
 * semantics: the crop is the floored, image-clipped box, and points are
 * shifted by the unfloored box origin, docs/models.md §5.1/§5.3).
 * FACE_ERR_INVALID_ARGUMENT for NULLs, a bad image, a non-finite box or a box
 * that leaves less than one pixel inside the image; FACE_ERR_INTERNAL if the
 * arena was not reserved with lf_landmarker_scratch_bytes. */
face_status lf_landmarks_run(const lf_exec *ex, const lf_landmarker *l, const face_image *img,
                             const face_rect *box, face_landmarks *out);

/* ---------------------------------------------------------------- dlib chip */

/* Arena bytes lf_dlib_chip needs for this image and these landmarks (the
 * pyramid of dlib's strong-downscale path). 0 when no scratch is needed or
 * the arguments are invalid (lf_dlib_chip then fails without using any). */
size_t lf_chip_scratch_bytes(const face_image *img, const face_landmarks *lm);

/* dlib get_face_chip_details(shape68, 150, 0.25) + extract_image_chip,
 * pixel-exact to dlib 19.24 (docs/models.md §7.2, §10). Out-of-image samples
 * are 0. FACE_ERR_INVALID_ARGUMENT for NULLs, a bad image or non-finite
 * landmarks; FACE_ERR_INTERNAL if the arena is smaller than
 * lf_chip_scratch_bytes. Scratch is popped (wiped) before returning. */
face_status lf_dlib_chip(lf_arena *arena, const face_image *img, const face_landmarks *lm,
                         face_chip *out, lf_error *err);

/* The least-squares similarity dst ~ s*R*src + t (2-D Umeyama closed form),
 * returned as m = {s*cos, s*sin} and t. Exposed for tests; summation order
 * follows NumPy so that the chip reproduces the reference bit for bit. */
void lf_similarity_fit(const double *src_xy, const double *dst_xy, int n, double m[2],
                       double t[2]);

/* ---------------------------------------------------------------- face-api */

/* face-api's descriptor crop (§7.1 incl. the validated width/height
 * correction against det_box), clipped to the image and floored.
 * FACE_ERR_INVALID_ARGUMENT for NULLs, non-finite input, image sizes <= 0, or
 * a box that ends up with no pixel inside the image. */
face_status lf_faceapi_box(const face_landmarks *lm, const face_rect *det_box, int img_w,
                           int img_h, face_rect *out);

#endif /* LF_ALIGN_H */
