/* libface: find faces, align them, turn them into templates, match them.
 *
 * Umbrella header. Pipeline:
 *   face_detect -> face_landmarks -> face_align_chip -> face_embed_chip
 *   -> face_compare / face_watchlist_search
 *
 * Handles
 *   face_model   one converted network file (immutable once loaded)
 *   face_engine  the loaded networks; immutable, shared by every thread
 *   face_ctx     per-thread working state: scratch memory, options, last error.
 *                Use one face_ctx per thread; a face_ctx is not thread-safe.
 *
 * Conventions
 *   - Every fallible call returns face_status; outputs go to caller buffers.
 *   - destroy(NULL) is a no-op.
 *   - Structs that cross the boundary start with struct_size; set it to
 *     sizeof(the struct) (the *_init helpers do) so the library can tell
 *     which version of the header the caller compiled against.
 *   - No call starts a thread unless FACE_OPT_THREADS asks for it; once a
 *     face_ctx is warm, detect/landmarks/embed do not allocate.
 */
#ifndef FACE_FACE_H
#define FACE_FACE_H

#include "face/export.h"
#include "face/version.h"
#include "face/status.h"
#include "face/template.h"
#include "face/watchlist.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ images */

/** Pixel formats of caller-owned frames. Values are stable. */
typedef enum face_pixel_format {
    FACE_PIXEL_GRAY8 = 1,
    FACE_PIXEL_RGB24 = 2,
    FACE_PIXEL_BGR24 = 3,
    FACE_PIXEL_RGBA32 = 4,
    FACE_PIXEL_BGRA32 = 5
} face_pixel_format;

/**
 * A view of caller-owned pixels. libface never keeps the pointer past the
 * call it was passed to. stride is in bytes, >= width * bytes-per-pixel.
 */
typedef struct face_image {
    uint32_t struct_size; /**< sizeof(face_image) */
    int32_t format;       /**< face_pixel_format */
    int32_t width;
    int32_t height;
    int32_t stride;
    int32_t reserved;
    const uint8_t *data;
} face_image;

/** Fill a face_image view; returns FACE_ERR_INVALID_ARGUMENT on bad sizes. */
FACE_API face_status face_image_init(face_image *img, int format, int width, int height,
                                     int stride, const uint8_t *data);

/* ------------------------------------------------------------------ models */

typedef struct face_model face_model;

/** Network kinds held by a model file. Values are stable. */
typedef enum face_model_kind {
    FACE_MODEL_TINY_DETECTOR = 1,
    FACE_MODEL_SSD_DETECTOR = 2,
    FACE_MODEL_LANDMARKS68 = 3,
    FACE_MODEL_RECOGNITION = 4
} face_model_kind;

/**
 * Load a converted model file (docs/model-format.md). The whole file is read,
 * its checksum verified and its tensors checked against the network's
 * expected shapes before the call succeeds.
 * @param allocator NULL for the default.
 * @return FACE_OK; FACE_ERR_IO (cannot open/read), FACE_ERR_CORRUPT
 *         (truncated, bad magic, checksum, shapes), FACE_ERR_UNSUPPORTED_VERSION,
 *         FACE_ERR_LIMIT (file larger than 256 MiB), FACE_ERR_OUT_OF_MEMORY.
 */
FACE_API face_status face_model_load_file(const char *path, const face_allocator *allocator,
                                          face_model **out);
/** Same from a memory buffer, which is copied; the caller keeps ownership.
 *  An empty buffer is a truncated file: FACE_ERR_CORRUPT. */
FACE_API face_status face_model_load_memory(const void *data, size_t size,
                                            const face_allocator *allocator, face_model **out);
/** The model's kind (face_model_kind), or 0 for NULL. */
FACE_API int face_model_kind_of(const face_model *model);
FACE_API void face_model_destroy(face_model *model);

/* ------------------------------------------------------------------ engine */

typedef struct face_engine face_engine;

/**
 * Engine configuration. Either set model_dir (containing the converted files
 * tiny_face_detector.fmdl, ssd_mobilenetv1.fmdl, face_landmark_68.fmdl,
 * face_recognition.fmdl) or pass already-loaded models; a model given here
 * overrides the file of the same kind. The engine takes ownership of the
 * models passed in on success (do not destroy them yourself), and leaves them
 * with the caller on failure. A detector may be missing; landmarks and
 * recognition are required.
 */
typedef struct face_engine_config {
    uint32_t struct_size; /**< sizeof(face_engine_config) */
    uint32_t reserved;
    const char *model_dir;
    face_model *tiny_detector;
    face_model *ssd_detector;
    face_model *landmarks;
    face_model *recognition;
    const face_allocator *allocator; /**< NULL = default; copied */
} face_engine_config;

/** Set struct_size and zero the rest (no models, default allocator). Writes
 *  only *cfg; NULL is a no-op. Thread-safe. */
FACE_API void face_engine_config_init(face_engine_config *cfg);
/**
 * @return FACE_OK; errors of face_model_load_file; FACE_ERR_NOT_FOUND (a
 *         required model missing); FACE_ERR_MODEL_MISMATCH (a model of the
 *         wrong kind in a slot); FACE_ERR_ISA_UNAVAILABLE (see face_init).
 */
FACE_API face_status face_engine_create(const face_engine_config *cfg, face_engine **out);
/** Convenience: face_engine_create with only model_dir set. */
FACE_API face_status face_engine_create_from_dir(const char *model_dir,
                                                 const face_allocator *allocator,
                                                 face_engine **out);
/** Destroy; every face_ctx made from it must be destroyed first. */
FACE_API void face_engine_destroy(face_engine *engine);

/** Alignment modes. Values are stable. */
typedef enum face_align_mode {
    FACE_ALIGN_DLIB = 1,   /**< 150x150 similarity chip from 68 landmarks (default) */
    FACE_ALIGN_FACEAPI = 2 /**< face-api's axis-aligned square crop (compatibility) */
} face_align_mode;

/** The fingerprint templates get for an alignment mode. */
FACE_API face_status face_engine_fingerprint(const face_engine *engine, int align_mode,
                                             uint8_t out[FACE_FINGERPRINT_BYTES]);

/* ------------------------------------------------------------------ context */

typedef struct face_ctx face_ctx;

/** Per-context options (face_ctx_set_option). Values are stable. */
typedef enum face_option {
    /** Worker threads this context may use, 1..64 (default 1). Threads are
     *  started by this call, and only by it. */
    FACE_OPT_THREADS = 1,
    /** Largest image accepted, in pixels (default 40,000,000). */
    FACE_OPT_MAX_PIXELS = 2,
    /** Largest number of faces a detect call reports (default 1000). */
    FACE_OPT_MAX_FACES = 3,
    /** Largest encoded image file accepted by the decoder, bytes (default 64 MiB). */
    FACE_OPT_MAX_FILE_BYTES = 4
} face_option;

/**
 * Create a context on an engine. The engine must outlive it. Many contexts
 * may share one engine concurrently; each context is used by one thread at a
 * time. The context owns its scratch memory (grown on first use, then
 * reused: a warm context does not allocate) and its worker threads.
 * @param allocator NULL uses the engine's allocator; copied.
 * @return FACE_OK; FACE_ERR_INVALID_ARGUMENT (NULL engine/out or a bad
 *         allocator); FACE_ERR_OUT_OF_MEMORY; FACE_ERR_ISA_UNAVAILABLE.
 */
FACE_API face_status face_ctx_create(const face_engine *engine, const face_allocator *allocator,
                                     face_ctx **out);
/** Stop the context's threads, wipe and free its scratch. NULL is a no-op.
 *  Images decoded on it must be freed first. */
FACE_API void face_ctx_destroy(face_ctx *ctx);
/** Set an option (face_option). Not thread-safe with other calls on ctx.
 *  @return FACE_OK; FACE_ERR_INVALID_ARGUMENT (unknown option, value out of
 *  range); FACE_ERR_OUT_OF_MEMORY (threads could not be started). */
FACE_API face_status face_ctx_set_option(face_ctx *ctx, int option, int64_t value);
/** Read an option. @return FACE_OK; FACE_ERR_INVALID_ARGUMENT. */
FACE_API face_status face_ctx_get_option(const face_ctx *ctx, int option, int64_t *value);
/** "function(): detail" text of the last failed call on this context, or ""
 *  after a success. Valid until the next call on ctx. Never NULL. */
FACE_API const char *face_ctx_last_error(const face_ctx *ctx);

/* ------------------------------------------------------------------ decode */

/**
 * Decode an encoded JPEG (libjpeg-turbo), PNG or BMP (stb_image) image into
 * RGB24, with the context's limits (FACE_OPT_MAX_PIXELS,
 * FACE_OPT_MAX_FILE_BYTES) checked on the header before any pixel buffer is
 * allocated. The pixels are drawn from the context's allocator and owned by
 * the caller until face_image_free on the same context. The input buffer is
 * not retained. One thread at a time per ctx.
 * @return FACE_OK; FACE_ERR_INVALID_ARGUMENT (NULL, size 0);
 *         FACE_ERR_CORRUPT (not decodable, truncated); FACE_ERR_LIMIT;
 *         FACE_ERR_OUT_OF_MEMORY. *out is untouched on error.
 */
FACE_API face_status face_image_decode(face_ctx *ctx, const void *data, size_t size,
                                       face_image *out);
/** face_image_decode on a file's content; the file buffer is wiped after.
 *  @return as face_image_decode, plus FACE_ERR_IO (cannot open or read). */
FACE_API face_status face_image_load_file(face_ctx *ctx, const char *path, face_image *out);
/** Wipe and free pixels from face_image_decode/load_file; resets *img. NULL
 *  arguments are a no-op. */
FACE_API void face_image_free(face_ctx *ctx, face_image *img);

/* ------------------------------------------------------------------ detect */

typedef enum face_detector_kind {
    FACE_DETECTOR_TINY = 1, /**< tiny_face_detector: fast */
    FACE_DETECTOR_SSD = 2   /**< ssd_mobilenetv1: more accurate, ~16x the cost */
} face_detector_kind;

/** Detection flags. */
#define FACE_DETECT_SINGLE_PASS 0x1u /**< one pass over the whole image, like
                                          face-api.js: no pyramid or tiles */

typedef struct face_detect_options {
    uint32_t struct_size;  /**< sizeof(face_detect_options) */
    int32_t detector;      /**< face_detector_kind (default TINY) */
    int32_t input_size;    /**< tiny: multiple of 32 in 64..1024 (default 416); SSD: 512 */
    float score_threshold; /**< (0,1); default 0.5 */
    float nms_iou;         /**< (0,1]; 0 = network default (tiny 0.4, SSD 0.5) */
    int32_t min_face_size; /**< smallest face to find, px; 0 = network default. Smaller
                                values tile the image and cost more time. */
    int32_t max_faces;     /**< 0 = FACE_OPT_MAX_FACES */
    uint32_t flags;        /**< FACE_DETECT_* */
} face_detect_options;

/** A point and a box in image pixels (floating point, not clipped). */
typedef struct face_point {
    float x, y;
} face_point;
typedef struct face_rect {
    float x, y, width, height;
} face_rect;

typedef struct face_detection {
    uint32_t struct_size; /**< written by the library: sizeof(face_detection) */
    float score;
    face_rect box;
} face_detection;

/** Set struct_size and the defaults listed in face_detect_options. Writes
 *  only *opts; NULL is a no-op. Thread-safe. */
FACE_API void face_detect_options_init(face_detect_options *opts);

/**
 * Find faces, best score first.
 * @param opts     NULL for defaults.
 * @param out      caller array of capacity entries (may be NULL if capacity 0).
 * @param count    number of faces found; when it exceeds capacity the call
 *                 returns FACE_ERR_BUFFER_TOO_SMALL and fills the first
 *                 capacity entries.
 * @return FACE_OK; FACE_ERR_INVALID_ARGUMENT; FACE_ERR_LIMIT (image too big);
 *         FACE_ERR_NOT_FOUND (the engine has no such detector);
 *         FACE_ERR_OUT_OF_MEMORY; FACE_ERR_BUFFER_TOO_SMALL.
 */
FACE_API face_status face_detect(face_ctx *ctx, const face_image *img,
                                 const face_detect_options *opts, face_detection *out,
                                 size_t capacity, size_t *count);

/* --------------------------------------------------------------- landmarks */

#define FACE_LANDMARK_COUNT 68

/** 68 points in iBUG-300W order, image pixels. */
typedef struct face_landmarks {
    uint32_t struct_size; /**< written by the library */
    uint32_t count;       /**< FACE_LANDMARK_COUNT; set it when filling points yourself */
    face_point points[FACE_LANDMARK_COUNT];
} face_landmarks;

/** 68 landmarks for the face in box (a detection box, face-api semantics).
 *  Caller-owned out; one thread at a time per ctx; no allocation once warm.
 *  @return FACE_OK; FACE_ERR_INVALID_ARGUMENT (NULL, bad image, box not
 *  finite or under 1 px); FACE_ERR_LIMIT (image over FACE_OPT_MAX_PIXELS);
 *  FACE_ERR_OUT_OF_MEMORY (first use only). */
FACE_API face_status face_landmarks_detect(face_ctx *ctx, const face_image *img,
                                           const face_rect *box, face_landmarks *out);

/* ------------------------------------------------------------------- align */

#define FACE_CHIP_SIZE 150

/** An aligned 150x150 RGB24 face chip. Biometric: wipe it when done. */
typedef struct face_chip {
    uint32_t struct_size; /**< written by the library */
    int32_t size;         /**< FACE_CHIP_SIZE */
    uint8_t rgb[FACE_CHIP_SIZE * FACE_CHIP_SIZE * 3];
} face_chip;

/** dlib's chip (get_face_chip_details(shape, 150, 0.25) + extract_image_chip),
 *  pixel-exact to dlib 19.24. Samples outside the image are black.
 *  Caller-owned out; one thread at a time per ctx.
 *  @return FACE_OK; FACE_ERR_INVALID_ARGUMENT (NULL, bad image, count !=
 *  68, non-finite or absurd points); FACE_ERR_LIMIT; FACE_ERR_OUT_OF_MEMORY. */
FACE_API face_status face_align_chip(face_ctx *ctx, const face_image *img,
                                     const face_landmarks *lm, face_chip *out);

/** face-api's descriptor crop: an integer square box, clipped to the image.
 *  det_box is the detection box the landmarks came from. Pure function,
 *  thread-safe. @return FACE_OK; FACE_ERR_INVALID_ARGUMENT (NULL, non-finite
 *  input, empty result). */
FACE_API face_status face_align_faceapi_box(const face_landmarks *lm, const face_rect *det_box,
                                            int image_width, int image_height, face_rect *out);

/* ------------------------------------------------------------------- embed */

#define FACE_EMBED_FLIP_AVG 0x1u /**< average with the mirrored chip's descriptor */

typedef struct face_embed_options {
    uint32_t struct_size; /**< sizeof(face_embed_options) */
    int32_t align_mode;   /**< face_align_mode (default FACE_ALIGN_DLIB) */
    uint32_t flags;       /**< FACE_EMBED_* */
    int32_t reserved;
} face_embed_options;

/** Set struct_size and the defaults (FACE_ALIGN_DLIB, no flags). Writes only
 *  *opts; NULL is a no-op. Thread-safe. */
FACE_API void face_embed_options_init(face_embed_options *opts);

/** Template from a dlib chip (FACE_ALIGN_DLIB fingerprint). opts may be NULL.
 *  Caller-owned out (biometric: face_template_wipe it); one thread at a time
 *  per ctx; no allocation once warm.
 *  @return FACE_OK; FACE_ERR_INVALID_ARGUMENT (NULL, chip size != 150, bad
 *  options); FACE_ERR_OUT_OF_MEMORY (first use only). */
FACE_API face_status face_embed_chip(face_ctx *ctx, const face_chip *chip,
                                     const face_embed_options *opts, face_template *out);
/** Template from an image region, face-api style: crop, centred pad to a
 *  square, bilinear resize to 150 in float (FACE_ALIGN_FACEAPI fingerprint).
 *  Same ownership and threading as face_embed_chip.
 *  @return FACE_OK; FACE_ERR_INVALID_ARGUMENT (NULL, bad image, crop not
 *  finite, empty or outside the image); FACE_ERR_LIMIT; FACE_ERR_OUT_OF_MEMORY. */
FACE_API face_status face_embed_crop(face_ctx *ctx, const face_image *img, const face_rect *crop,
                                     const face_embed_options *opts, face_template *out);
/** Template from landmarks, aligning as opts->align_mode says. det_box is
 *  needed for FACE_ALIGN_FACEAPI only. The intermediate chip is wiped before
 *  return. Errors as face_align_chip / face_embed_chip / face_embed_crop. */
FACE_API face_status face_embed(face_ctx *ctx, const face_image *img, const face_landmarks *lm,
                                const face_rect *det_box, const face_embed_options *opts,
                                face_template *out);

/* ------------------------------------------------------------- calibration */

/**
 * The distance threshold at which templates of this engine's recognition
 * model (dlib alignment, the default, without FACE_EMBED_FLIP_AVG) falsely
 * match a different person at rate fmr: a comparison "matches" when
 * distance <= threshold (face_compare's distance, face_watchlist_search's
 * match distance and search threshold), and over the calibration impostors a
 * fraction fmr of cross-identity comparisons did.
 *
 * The values come from a table shipped with the library, measured by
 * bench/run_accuracy.sh on all cross-identity pairs of an LFW development
 * set (docs/calibration.md: provenance, range, limits). The table is exact
 * at its points (decades and quarter-decades of FMR) and interpolated
 * linearly in log10(fmr) between them. It describes LFW-like photos; on other
 * populations the realised rate differs, so treat it as a starting point to
 * verify on your own data. On a watchlist of N identities the rate of false
 * alerts per non-enrolled passer-by (FPIR) is about 1 - (1 - fmr)^N, that is
 * roughly N x fmr: pick fmr = acceptable FPIR / N.
 *
 * @param engine             the engine whose recognition model is meant.
 * @param fmr                target false match rate per comparison, in (0, 1).
 * @param distance_threshold receives the threshold; written on FACE_OK only.
 * @return FACE_OK;
 *         FACE_ERR_INVALID_ARGUMENT (NULL engine or output, fmr not finite or
 *         outside (0, 1));
 *         FACE_ERR_LIMIT (fmr outside the measured range of the table: below
 *         about 1e-6 the calibration set holds too few impostor pairs to say,
 *         and the answer is refused rather than extrapolated);
 *         FACE_ERR_MODEL_MISMATCH (the engine's recognition model is not the
 *         one the table was measured for).
 * Thread-safe, allocation-free.
 */
FACE_API face_status face_threshold_for_fmr(const face_engine *engine, double fmr,
                                            float *distance_threshold);

/** Size getters for FFI users. */
FACE_API size_t face_sizeof_image(void);
FACE_API size_t face_sizeof_detection(void);
FACE_API size_t face_sizeof_landmarks(void);
FACE_API size_t face_sizeof_chip(void);
FACE_API size_t face_sizeof_detect_options(void);
FACE_API size_t face_sizeof_embed_options(void);
FACE_API size_t face_sizeof_engine_config(void);

#ifdef __cplusplus
}
#endif

/* Live streams build on the types above. */
#include "face/stream.h"

#endif /* FACE_FACE_H */
