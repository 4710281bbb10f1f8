/* libface detect: the two face-api detectors (tiny_face_detector and
 * ssd_mobilenetv1, docs/models.md §2-§4), their NMS, and the tiling/pyramid
 * driver that finds faces smaller than a single pass can see.
 * Private header; never installed. Depends on lib/nn (and below) only. */
#ifndef LF_DETECT_H
#define LF_DETECT_H

#include "nn/nn.h"

typedef struct lf_detector lf_detector; /* one loaded network: tiny or SSD */

/* Build a detector from a loaded model: checks every tensor's shape, folds
 * SSD's depthwise batch norm into weights/bias (§4.1). Tensors that need no
 * change are used in place, so m must outlive the detector.
 * FACE_ERR_MODEL_MISMATCH if m is not a detector; FACE_ERR_NOT_FOUND /
 * FACE_ERR_CORRUPT for a missing or misshapen tensor; FACE_ERR_OUT_OF_MEMORY. */
face_status lf_detector_load(const lf_allocator *a, const face_model *m, lf_detector **out,
                             lf_error *err);
void lf_detector_free(lf_detector *d);
/* FACE_DETECTOR_TINY or FACE_DETECTOR_SSD (0 for NULL). */
int lf_detector_kind(const lf_detector *d);

/* Worst-case scratch (bytes of lf_arena) lf_detect_faces needs for a w x h
 * image with these options; 0 if the arguments are invalid or the size
 * overflows. */
size_t lf_detector_scratch_bytes(const lf_detector *d, const face_detect_options *o, int w, int h);

/* o has been validated and defaulted by the engine (input_size, thresholds,
 * max_faces > 0; nms_iou 0 means the network default). Writes up to cap
 * detections best-first; *count = faces found (at most o->max_faces, may
 * exceed cap). With FACE_DETECT_SINGLE_PASS or min_face_size 0 the result is
 * face-api.js's; otherwise see pyramid.c.
 * FACE_ERR_INVALID_ARGUMENT for a bad image or options; FACE_ERR_OUT_OF_MEMORY
 * if the arena holds less than lf_detector_scratch_bytes. */
face_status lf_detect_faces(const lf_exec *ex, const lf_detector *d, const face_image *img,
                            const face_detect_options *o, face_detection *out, size_t cap,
                            size_t *count);

/* ------------------------------------------------------------ internals */

/* A candidate box in image pixels, corners; idx breaks score ties so sorting
 * is stable (face-api's order for equal scores is the decode order). */
typedef struct lf_det_box {
    double x0, y0, x1, y1;
    double score;
    int64_t idx;
} lf_det_box;

/* IoU with continuous coordinates; 0 if either box has non-positive area. */
double lf_det_iou(const lf_det_box *a, const lf_det_box *b);
/* Sort by score descending (ties by idx ascending). */
void lf_det_sort(lf_det_box *b, size_t n);
/* Greedy NMS over b[0..n) already sorted: keep a box unless its IoU with a
 * kept one is > iou; stop after max_keep. Kept boxes are compacted to the
 * front in order; returns how many. */
size_t lf_det_nms(lf_det_box *b, size_t n, double iou, size_t max_keep);

/* One network input: the image region [x0, x0+w) x [y0, y0+h) made square
 * (zero padding bottom/right) and resampled to S x S exactly as face-api
 * does for a whole image (§2). The whole image is the view (0, 0, W, H). */
typedef struct lf_det_view {
    int x0, y0, w, h;
    int S;
} lf_det_view;

/* Fill out[S*S*3] with the view's RGB values (0..255, float, not normalised),
 * TF1 legacy bilinear, zeros outside the image. ws holds
 * lf_det_sample_ws_bytes(S) bytes. */
void lf_det_sample_view(const face_image *img, const lf_det_view *v, float *out, void *ws);
size_t lf_det_sample_ws_bytes(int S);
/* Read n pixels of row y from column x0 as RGB floats, any pixel format. */
void lf_det_rgb_row(const face_image *img, int y, int x0, int n, float *rgb);

/* face-api's computeReshapedDimensions for a w x h region at input S, kept
 * >= 1 so a 4000x8 strip does not divide by zero. */
void lf_det_reshaped(int w, int h, int S, int *wp, int *hp);

/* ------------------------------------------------------------ pyramid */

#define LF_DET_MAX_LEVELS 24

/* Which views one detect call runs (pyramid.c explains the strategy). Level
 * l is a grid of nx x ny square tiles of side T (image px, clamped to the
 * image), overlapping by at least ov px; T = 0 marks the whole-image pass. */
typedef struct lf_det_level {
    int T, ov, nx, ny;
    double margin; /* boxes this close to an inner tile edge are dropped */
} lf_det_level;

typedef struct lf_det_plan {
    int S, W, H;
    int nlev;
    lf_det_level lev[LF_DET_MAX_LEVELS];
    int64_t nviews;
} lf_det_plan;

/* Smallest box side (net px at input S) the network finds reliably. */
double lf_det_f_min(int kind, int S);
/* Plan the views for a W x H image; o as for lf_detect_faces. */
void lf_det_plan_make(int kind, const face_detect_options *o, int W, int H, lf_det_plan *p);
/* View (i, j) of level l. */
void lf_det_plan_view(const lf_det_plan *p, int l, int i, int j, lf_det_view *v);
/* Whether box b, found in view v of level l, is cut by an inner tile edge
 * (and is therefore seen whole by a neighbouring tile or a coarser level). */
int lf_det_plan_cut(const lf_det_plan *p, int l, const lf_det_view *v, const lf_det_box *b);

/* Per-network hooks used by the driver. */
size_t lf_tiny_scratch(const lf_detector *d, int S);
size_t lf_tiny_max_cands(const lf_detector *d, int S);
face_status lf_tiny_run(const lf_exec *ex, const lf_detector *d, const face_image *img,
                        const lf_det_view *v, double score_thr, double iou, size_t max_keep,
                        lf_det_box *cands, size_t *n);
size_t lf_ssd_scratch(const lf_detector *d);
size_t lf_ssd_max_cands(const lf_detector *d);
face_status lf_ssd_run(const lf_exec *ex, const lf_detector *d, const face_image *img,
                       const lf_det_view *v, double score_thr, double iou, size_t max_keep,
                       lf_det_box *cands, size_t *n);

#define LF_SSD_INPUT 512
#define LF_SSD_ANCHORS 5118

/* The detector; the network-specific parts live in tiny.c / ssd.c. */
struct lf_tiny_net {
    lf_conv conv0;
    const float *dw[5]; /* conv1..5 depthwise [3][3][C] */
    lf_conv pw[5];      /* conv1..5 pointwise + bias, leaky */
    lf_conv conv8;
};

struct lf_ssd_net {
    lf_conv conv0;
    float *dw_w[13], *dw_b[13]; /* BN folded, owned (one block) */
    int dw_c[13], dw_stride[13];
    lf_conv pw[13];
    lf_conv extra[8];
    lf_conv box[6], cls[6];
    const float *anchors; /* [5118][4] ymin xmin ymax xmax */
    float *folded;        /* block holding dw_w/dw_b */
    size_t folded_bytes;
};

struct lf_detector {
    lf_allocator alloc;
    int kind; /* FACE_DETECTOR_TINY / FACE_DETECTOR_SSD */
    struct lf_tiny_net tiny;
    struct lf_ssd_net ssd;
};

face_status lf_tiny_load(lf_detector *d, const face_model *m, lf_error *err);
face_status lf_ssd_load(lf_detector *d, const face_model *m, lf_error *err);

#endif /* LF_DETECT_H */
