/* libface: live streams - detection, tracking, quality gate, watchlist
 * search and alerts for one camera, with privacy by construction.
 *
 * Included by face/face.h; include that instead.
 *
 * Model
 *   A face_stream belongs to one camera. Several streams share one
 *   face_engine and one face_watchlist (both are safe for concurrent
 *   readers). Each pushed frame is detected; faces are tracked across frames
 *   so that one person makes one track; a track's shots pass a quality gate;
 *   the best shots of a track (the first that passes, then only notably
 *   better ones, at most max_embeds_per_track) are embedded and searched;
 *   a match below the threshold raises one alert per track per watchlist
 *   entry.
 *
 * Privacy (docs/privacy.md)
 *   Frame pixels are never copied. Landmarks, chips and templates of a face
 *   exist only while that face is processed inside face_stream_push and are
 *   wiped before it returns; a track keeps only its geometry, counters and
 *   the ids of the entries it alerted on, and is wiped when it ends. An
 *   alert (with its chip) is the only biometric data that outlives a frame;
 *   free it with face_stream_alert_free, which wipes it. Nothing is logged
 *   or written to disk except audit records, which carry no biometric data.
 *   Every buffer the stream frees is zero when it reaches the allocator.
 *
 * Threads
 *   A face_stream is single-threaded: one thread pushes, polls and reads its
 *   counters (calls on one stream must not overlap). Several streams may run
 *   on several threads at once. A stream starts no thread unless
 *   face_stream_options.threads > 1 asks its face_ctx for a pool.
 *   The alert callback runs on the pushing thread, inside face_stream_push.
 *
 * Errors (besides those listed per call)
 *   FACE_ERR_INVALID_ARGUMENT a NULL pointer, a bad struct_size, a value out
 *                             of range
 *   FACE_ERR_OUT_OF_MEMORY    the allocator failed
 */
#ifndef FACE_STREAM_H
#define FACE_STREAM_H

/* face.h includes this header at its end, after the types used here; a
 * direct include of stream.h gets them through face.h the same way. */
#include "face/face.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ quality */

/**
 * Quality measures of one face shot. All are estimates from the 68 landmarks
 * and the aligned chip, good to a few degrees on frontal-ish faces; they are
 * meant for gating and ranking shots, not for metrology.
 */
typedef struct face_quality {
    uint32_t struct_size; /**< written by the library: sizeof(face_quality) */
    float face_size;      /**< detection box side, px (geometric mean of w, h) */
    float eye_distance;   /**< between the two eye centres, px */
    float yaw;            /**< degrees, 0 frontal, > 0 nose towards image right */
    float pitch;          /**< degrees, 0 frontal, > 0 chin down (nose lowered) */
    float roll;           /**< degrees, in-plane tilt of the eye line */
    float sharpness;      /**< variance of the Laplacian of the grey chip; -1
                               when no chip was given */
    float score;          /**< 0..1, higher is better: size x pose x sharpness */
} face_quality;

/**
 * Estimate a shot's quality.
 * @param lm    68 landmarks (face_landmarks_detect).
 * @param box   the detection box the landmarks came from.
 * @param chip  the aligned chip (face_align_chip), or NULL to skip sharpness
 *              (then sharpness = -1 and the score ignores it).
 * @return FACE_OK, FACE_ERR_INVALID_ARGUMENT (NULL, non-finite points or box).
 * Thread-safe, allocation-free.
 */
FACE_API face_status face_quality_estimate(const face_landmarks *lm, const face_rect *box,
                                           const face_chip *chip, face_quality *out);

/* ------------------------------------------------------------------ counters */

/** Deployment figures: no biometric data. */
typedef struct face_stream_counters {
    uint32_t struct_size;    /**< written by the library */
    uint32_t reserved;
    uint64_t frames;         /**< frames processed */
    uint64_t faces;          /**< detections seen (a person over 100 frames = 100) */
    uint64_t tracks;         /**< tracks started (about: distinct passers-by) */
    uint64_t faces_gated;    /**< shots that passed the quality gate */
    uint64_t faces_searched; /**< templates searched against the watchlist */
    uint64_t alerts;         /**< alerts raised */
    uint64_t alerts_dropped; /**< alerts wiped unpolled because the queue was full */
    uint64_t faces_untracked;/**< detections ignored because max_tracks were live */
    /* appended in 1.0 with detect_interval */
    uint64_t detect_full;    /**< frames detected whole (every detect_interval-th) */
    uint64_t detect_local;   /**< local detections: one per live track on the
                                  frames in between */
} face_stream_counters;

/** Cumulative per-stage wall time, microseconds, over every frame. Divide by
 *  frames for means. total includes tracking and alert delivery. */
typedef struct face_stream_stats {
    uint32_t struct_size; /**< written by the library */
    uint32_t reserved;
    uint64_t frames;
    uint64_t detect_us, landmarks_us, align_us, embed_us, search_us, total_us;
    uint64_t max_total_us; /**< slowest single frame */
    /* appended in 1.0 with detect_interval: detect_us split by kind */
    uint64_t detect_full_us;  /**< whole-frame detections */
    uint64_t detect_local_us; /**< local detections around tracks */
    uint64_t max_full_us;     /**< slowest frame with a whole-frame detection */
    uint64_t max_local_us;    /**< slowest frame without one */
} face_stream_stats;

/* ------------------------------------------------------------------ deployment */

/**
 * A deployment: a set of streams whose counters are summed (for example the
 * cameras of one operation). Counters are updated atomically, so streams on
 * several threads may share one. It must outlive every stream attached to it.
 */
typedef struct face_deployment face_deployment;

/** @param allocator NULL = default; copied. */
FACE_API face_status face_deployment_create(const face_allocator *allocator,
                                            face_deployment **out);
FACE_API void face_deployment_destroy(face_deployment *dep);
/** Sum of the counters of every stream that ever ran in it. Thread-safe. */
FACE_API face_status face_deployment_get_counters(const face_deployment *dep,
                                                  face_stream_counters *out);

/**
 * A one-line, non-biometric summary of counters
 * ("frames=... faces=... tracks=... gated=... searched=... alerts=...
 * dropped=..."), at most 255 bytes plus NUL: the text a host records in its
 * audit trail or publishes per deployment.
 * @return FACE_OK; FACE_ERR_BUFFER_TOO_SMALL (cap < 256; nothing written).
 */
FACE_API face_status face_stream_counters_format(const face_stream_counters *c, char *buf,
                                                 size_t cap);

/**
 * Record the deployment's counters in a watchlist's audit log, as one
 * `summary` record (face_watchlist_audit_summary): "deployment frames=...
 * faces=... tracks=... gated=... searched=... alerts=... dropped=...
 * untracked=... full=... local=...". Numbers only, no biometric data. Call
 * it when the host's policy says (end of a shift, of an operation, before
 * face_deployment_destroy); the library never calls it by itself, so a
 * deployment without a log needs none. Safe while streams run (the
 * counters are read atomically, one by one).
 * @return FACE_OK; FACE_ERR_INVALID_ARGUMENT (NULL); FACE_ERR_STATE (the
 *         watchlist has no audit log); FACE_ERR_IO.
 */
FACE_API face_status face_deployment_report(const face_deployment *dep, face_watchlist *wl);

/* ------------------------------------------------------------------ alerts */

/** An alert: a tracked face whose template matched a watchlist entry. */
typedef struct face_stream_alert {
    uint32_t struct_size;   /**< written by the library */
    uint32_t stream_id;     /**< face_stream_options.stream_id */
    uint64_t track_id;      /**< 1, 2, 3... per stream */
    int64_t timestamp_us;   /**< of the frame that produced the match */
    face_rect box;          /**< detection box in that frame */
    float distance;         /**< Euclidean distance to the entry's closest template */
    float similarity;       /**< face_compare's similarity for that distance */
    uint32_t id_len;
    uint8_t id[FACE_WATCHLIST_ID_MAX]; /**< watchlist entry id */
    char label[FACE_WATCHLIST_LABEL_MAX + 1]; /**< entry label, NUL-terminated */
    face_quality quality;   /**< of the matching shot */
    face_chip chip;         /**< aligned 150x150 chip, for human review. Biometric. */
} face_stream_alert;

/**
 * Alert callback, run on the pushing thread inside face_stream_push. The
 * alert is borrowed: valid only during the call. Return nonzero to also
 * queue it for face_stream_poll, zero if the callback consumed it (it is
 * then wiped as soon as the callback returns). The callback must not call
 * face_stream_push or face_stream_destroy on the same stream.
 */
typedef int (*face_stream_alert_fn)(void *user, const face_stream_alert *alert);

/* ------------------------------------------------------------------ options */

/** Stream flags. */
#define FACE_STREAM_AUDIT_ALERTS 0x1u /**< record each alert in the watchlist's
                                           audit log (id + stream/track/time,
                                           no biometric data); on by default,
                                           silently skipped without a log */
#define FACE_STREAM_FIXED_INTERVAL 0x2u /**< keep to detect_interval exactly. By
                                           default a frame due for local
                                           detection is detected whole instead
                                           when the local windows would cost as
                                           much (many tracks: the stream keeps
                                           running means of both costs); this
                                           flag turns that off, for
                                           reproducible tests */

typedef struct face_stream_options {
    uint32_t struct_size;     /**< sizeof(face_stream_options) */
    uint32_t stream_id;       /**< caller's camera number, copied into alerts */
    uint32_t flags;           /**< FACE_STREAM_* (default FACE_STREAM_AUDIT_ALERTS) */
    int32_t threads;          /**< FACE_OPT_THREADS of the stream's context, 1..64 (default 1) */
    /* detection */
    int32_t detector;         /**< face_detector_kind (default TINY) */
    int32_t input_size;       /**< tiny: as face_detect_options (default 416) */
    float detect_score;       /**< (0,1), default 0.5 */
    int32_t min_face_size;    /**< px, default 80; smaller costs more (pyramid) */
    int32_t max_faces;        /**< per frame, 1..1000 (default 64) */
    int64_t max_frame_pixels; /**< larger frames are refused, FACE_ERR_LIMIT
                                   (default 3840*2160) */
    /* tracking */
    int32_t max_tracks;       /**< live tracks, 1..4096 (default 2 * max_faces) */
    int32_t max_missed;       /**< a track ends after this many frames unseen, 0..1000 (default 10) */
    float track_iou;          /**< least IoU with the predicted box to continue a track, (0,1) (default 0.3) */
    /* quality gate */
    float min_eye_distance;   /**< px, default 16 */
    float max_yaw;            /**< degrees, default 35 */
    float max_pitch;          /**< degrees, default 30 */
    float min_sharpness;      /**< Laplacian variance, default 10; 0 = not gated */
    float min_quality;        /**< least score, 0..1 (default 0) */
    /* embedding and search */
    int32_t max_embeds_per_track; /**< 1..16, default 3 */
    float reembed_gain;       /**< re-embed only when score > best * (1 + gain), default 0.2 */
    float threshold;          /**< alert at distance <= threshold, default 0.5 */
    int32_t search_k;         /**< entries examined per search, 1..8 (default 1) */
    /* alerts */
    face_stream_alert_fn on_alert; /**< NULL = alerts only queued */
    void *on_alert_user;
    int32_t queue_capacity;   /**< poll queue, 1..65536 (default 64). When full,
                                   the oldest queued alert is wiped and dropped
                                   (counters.alerts_dropped); its audit record,
                                   if any, stays. */
    int32_t reserved;
    face_deployment *deployment; /**< NULL, or counters are also summed there */
    const face_allocator *allocator; /**< NULL = the engine's; copied */
    /* Appended in 1.0. A caller whose struct_size ends before these fields
     * gets their defaults. */
    int32_t detect_interval;  /**< detect the whole frame every Nth frame,
                                   1..1000 (default 5); 1 = every frame. On the
                                   frames in between, each live track is looked
                                   for only in a window around its predicted
                                   box (local detection, single pass, score
                                   threshold 0.7 x detect_score since a box
                                   there only continues a track), so a
                                   face entering the frame is found at the next
                                   whole-frame detection, at most N-1 frames
                                   late. Frames with many tracks may be
                                   detected whole anyway: see
                                   FACE_STREAM_FIXED_INTERVAL. */
    int32_t full_min_face_size; /**< min face of whole-frame detections, px;
                                   0 = min_face_size (default). A coarser value
                                   (say 120) makes those frames cheaper: faces
                                   between the two sizes are then only found
                                   once they grow, but once tracked they are
                                   followed down to any size the local
                                   detection sees. 0..100000 */
    float local_scale;        /**< local window side / track box side,
                                   1.5..6 (default 2): room for the face to
                                   move beyond its predicted box. The window
                                   is resampled so the face spans ~128 net
                                   px (tiny: input 256 at the default) */
    int32_t reserved2;
} face_stream_options;

/** Set struct_size and every default listed above. Writes only *opts; NULL
 *  is a no-op. Thread-safe. */
FACE_API void face_stream_options_init(face_stream_options *opts);

/* ------------------------------------------------------------------ streams */

typedef struct face_stream face_stream;

/**
 * Create a stream. engine and watchlist must outlive it.
 * @param opts NULL = defaults.
 * @return FACE_OK; FACE_ERR_INVALID_ARGUMENT; FACE_ERR_NOT_FOUND (the engine
 *         has no such detector); FACE_ERR_MODEL_MISMATCH (the watchlist's
 *         fingerprint is not the engine's dlib-chip fingerprint);
 *         FACE_ERR_OUT_OF_MEMORY; errors of face_ctx_set_option (threads).
 */
FACE_API face_status face_stream_create(const face_engine *engine, face_watchlist *watchlist,
                                        const face_stream_options *opts, face_stream **out);

/** Wipe every track and every queued alert, and free the stream. Alerts
 *  already polled stay valid (they carry their own allocator). NULL is a
 *  no-op. The stream's counters are already in its deployment. */
FACE_API void face_stream_destroy(face_stream *stream);

/**
 * Process one frame, any face_pixel_format. The pixels are read during the
 * call only. Alerts raised by this frame are delivered (callback, queue)
 * before it returns.
 * @param timestamp_us  microseconds on any clock; must not go backwards
 *                      (equal is allowed): a smaller value than the last
 *                      accepted frame's is FACE_ERR_INVALID_ARGUMENT and the
 *                      frame is ignored, with the stream state unchanged.
 * @return FACE_OK; FACE_ERR_INVALID_ARGUMENT (bad image, unknown format,
 *         timestamp backwards); FACE_ERR_LIMIT (frame over max_frame_pixels);
 *         FACE_ERR_OUT_OF_MEMORY. A failure in the middle of a frame wipes
 *         what that frame produced; tracks stay consistent.
 */
FACE_API face_status face_stream_push(face_stream *stream, const face_image *frame,
                                      int64_t timestamp_us);

/**
 * End every live track now (for example when the camera stops), wiping it.
 * Queued alerts stay.
 */
FACE_API face_status face_stream_flush(face_stream *stream);

/**
 * Take the oldest queued alert. The caller owns it and frees it with
 * face_stream_alert_free (also after the stream is destroyed).
 * @param out receives the alert, or NULL when the queue is empty.
 * @return FACE_OK (also when empty).
 */
FACE_API face_status face_stream_poll(face_stream *stream, face_stream_alert **out);

/** Wipe (chip, id, label, everything) and free an alert. NULL is a no-op. */
FACE_API void face_stream_alert_free(face_stream_alert *alert);

/** Counters of this stream. */
FACE_API face_status face_stream_get_counters(const face_stream *stream,
                                              face_stream_counters *out);
/** Per-stage timing of this stream. */
FACE_API face_status face_stream_get_stats(const face_stream *stream, face_stream_stats *out);
/** Live tracks right now (0..max_tracks). */
FACE_API face_status face_stream_live_tracks(const face_stream *stream, size_t *count);
/** "function(): detail" of the last failed call on this stream, or "". Never NULL. */
FACE_API const char *face_stream_last_error(const face_stream *stream);

/** Size getters for FFI users. */
FACE_API size_t face_sizeof_quality(void);
FACE_API size_t face_sizeof_stream_options(void);
FACE_API size_t face_sizeof_stream_alert(void);
FACE_API size_t face_sizeof_stream_counters(void);
FACE_API size_t face_sizeof_stream_stats(void);

#ifdef __cplusplus
}
#endif

#endif /* FACE_STREAM_H */
