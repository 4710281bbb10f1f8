/* libface engine: the structs behind face_engine and face_ctx. Private
 * header; the stream module (above the engine) may include it. */
#ifndef LF_ENGINE_H
#define LF_ENGINE_H

#include "align/align.h"
#include "base/base.h"
#include "detect/detect.h"
#include "embed/embed.h"
#include "face/face.h"
#include "kernels/kernels.h"

#define LF_MODEL_SLOTS 5 /* indexed by face_model_kind; slot 0 unused */
#define LF_MAX_SIDE_PIXELS ((int64_t)1 << 32)

/* Immutable once created: every thread may read it without locks. */
struct face_engine {
    lf_allocator alloc;
    face_model *models[LF_MODEL_SLOTS];
    int owned[LF_MODEL_SLOTS];
    lf_detector *tiny;
    lf_detector *ssd;
    lf_landmarker *landmarker;
    lf_recognizer *recognizer;
};

/* One per thread. */
struct face_ctx {
    lf_allocator alloc;
    const face_engine *engine;
    const lf_kernels *kernels;
    lf_arena arena;
    lf_pool *pool;
    int threads;
    float *gemm_ws; /* threads x LF_GEMM_WS_FLOATS, wiped after every call */
    size_t gemm_ws_bytes;
    int64_t max_pixels;
    int64_t max_faces;
    int64_t max_file_bytes;
    lf_error err;
};

#endif /* LF_ENGINE_H */
