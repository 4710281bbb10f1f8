/* libface nn: model files and the layers the four networks are built from.
 * Private header; never installed. Depends on lib/base and lib/kernels only.
 *
 * Model files are produced by tools/convert_models.py from the face-api npm
 * weights; the format is in docs/model-format.md. All tensors are stored as
 * dequantized little-endian float32, so loading is a checksum, a table walk
 * and one copy. Batch norm folding happens in the network modules at load
 * time (they know which tensors belong together). */
#ifndef LF_NN_H
#define LF_NN_H

#include "base/base.h"
#include "face/face.h"
#include "kernels/kernels.h"

#define LF_MODEL_MAGIC "LFMODEL" /* 8 bytes including the NUL */
#define LF_MODEL_FORMAT_VERSION 1
#define LF_MODEL_MAX_BYTES ((size_t)256 << 20)
#define LF_MODEL_MAX_TENSORS 4096
#define LF_MODEL_MAX_NAME 127
#define LF_MODEL_MAX_DIMS 4

typedef struct lf_tensor {
    char name[LF_MODEL_MAX_NAME + 1];
    int ndim;
    int shape[LF_MODEL_MAX_DIMS];
    size_t count;      /* product of shape (1 for a scalar) */
    const float *data; /* 64-byte aligned, inside the model's block */
} lf_tensor;

/* The public opaque face_model. Immutable after load. */
struct face_model {
    lf_allocator alloc;
    face_model_kind kind;
    uint8_t content_hash[32]; /* BLAKE2b-256 of the file, as stored in it */
    int n_tensors;
    lf_tensor *tensors; /* n_tensors entries */
    float *data;        /* one block with every tensor, 64-byte aligned */
    size_t data_bytes;
};

/* Parse a model file image (not retained). On error nothing is allocated
 * and err says why. */
face_status lf_model_parse(const lf_allocator *a, const void *buf, size_t size, face_model **out,
                           lf_error *err);
/* Tensor by exact name, or NULL. */
const lf_tensor *lf_model_find(const face_model *m, const char *name);
/* Tensor by name whose shape must equal shape[0..ndim); FACE_ERR_NOT_FOUND or
 * FACE_ERR_CORRUPT otherwise. */
face_status lf_model_get(const face_model *m, const char *name, int ndim, const int *shape,
                         const float **out, lf_error *err);

/* ---------------------------------------------------------------- execution */

/* What a network forward pass runs with: the kernels, the calling context's
 * scratch arena, its thread pool (NULL = single thread) and its error slot. */
typedef struct lf_exec {
    const lf_kernels *k;
    lf_arena *arena;
    lf_pool *pool;
    lf_error *err;
    /* GEMM packing workspaces: lf_pool_threads(pool) slices of
     * LF_GEMM_WS_FLOATS floats, slice t for task t of a pool run (tasks never
     * outnumber threads in the layers). NULL selects the unpacked GEMM. */
    float *gemm_ws;
} lf_exec;

/* Workspace slice for task t, or NULL. */
static inline float *lf_exec_gemm_ws(const lf_exec *ex, int t)
{
    return ex->gemm_ws ? ex->gemm_ws + (size_t)t * LF_GEMM_WS_FLOATS : NULL;
}

/* TF 'same' padding for one axis: output size and padding before. */
static inline void lf_same_pad(int in, int k, int s, int *out, int *pad_before)
{
    int o = (in + s - 1) / s;
    int p = (o - 1) * s + k - in;
    if (p < 0) p = 0;
    *out = o;
    *pad_before = p / 2;
}

/* A dense convolution with its weights laid out for GEMM:
 * w is [kh*kw*cin][cout] (HWIO flattened), bias [cout] or NULL,
 * optional per-channel affine (scale/shift [cout]) applied after bias. */
typedef struct lf_conv {
    int kh, kw, cin, cout, stride;
    int pad_top, pad_left; /* zero padding before; after is implied by out size */
    const float *w;
    const float *bias;
    const float *scale, *shift;
    lf_act act;
} lf_conv;

/* Output size of a conv on HxW: 'same' (TF) or 'valid'. */
void lf_conv_geometry(lf_conv *c, int H, int W, int same, int *outH, int *outW);

/* out[outH*outW*cout] = conv(in[H*W*cin]). 1x1 stride-1 convs are a single
 * GEMM on the activation; others go through im2col in bounded row blocks.
 * Work is split over exec->pool by output rows. Scratch from exec->arena is
 * returned (and wiped) before the call returns. */
face_status lf_conv_forward(const lf_exec *ex, const lf_conv *c, const float *in, int H, int W,
                            float *out, int outH, int outW);
/* Scratch bytes lf_conv_forward needs at most for this geometry. */
size_t lf_conv_scratch(const lf_conv *c, int outH, int outW);

/* Depthwise 3x3 (+bias, act) split over the pool by rows. */
void lf_dwconv_forward(const lf_exec *ex, const float *in, int H, int W, int C, const float *w,
                       const float *bias, int stride, int pad_top, int pad_left, float *out,
                       int outH, int outW, lf_act act);

/* Convert a caller image region to float RGB HWC (no normalisation):
 * helpers shared by the networks' input pipelines. */
face_status lf_image_check(const face_image *img, int64_t max_pixels, lf_error *err);
/* Read pixel (x, y) of any supported format as RGB. */
void lf_image_rgb_row(const face_image *img, int y, int x0, int n, float *rgb_out);

#endif /* LF_NN_H */
