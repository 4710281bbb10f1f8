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

/* face-api's computeReshapedDimensions for a w x h region at input S, kept
 * >= 1 so a 4000x8 strip does not divide by zero. */
void lf_det_reshaped(int w, int h, int S, int *wp, int *hp);

/* ------------------------------------------------------------ pyramid */

#define LF_DET_MAX_LEVELS 24

/* Resampling filters for tiny's rectangular levels (the face-api pass always
 * uses TF1 legacy bilinear, §2). */
enum { LF_DET_AREA = 0, LF_DET_BILINEAR = 1, LF_DET_LEGACY = 2 };

/* tiny's grid cell in input px, and the context one head cell needs beyond
 * its own 32 rows/cols (pyramid.c derives it from the layer stack). */
#define LF_TINY_CELL 32
#define LF_TINY_HALO_BEFORE 2
#define LF_TINY_HALO_AFTER 3
/* Spacing of tiny's rect levels: one level is responsible for faces from
 * f_min to LF_TINY_LEVEL_STEP x f_min net px (pyramid.c has the recall
 * measurements behind it). */
#define LF_TINY_LEVEL_STEP 2.0
/* Largest rect tile, in head cells (32 x 32 input px each): 1152 cells are
 * 1.18 M input px at ~12 floats of activations each, 56 MB. */
#define LF_TINY_TILE_CELLS 1152

/* A rectangular whole-image pass of tiny: the image resized to Wr x Hr
 * (scale Wr/W, Hr/H), zero-padded bottom/right to 32 Gx x 32 Gy, computed
 * in nx x ny tiles of whole cells whose seams are exact (each tile carries
 * halo_before/halo_after cells of context; tests lower them to prove the
 * halo is needed). */
typedef struct lf_det_rect {
    int W, H;   /* source image */
    int Wr, Hr; /* resized image */
    int Gx, Gy; /* head grid */
    int nx, ny;
    int filter; /* LF_DET_AREA / LF_DET_BILINEAR / LF_DET_LEGACY */
    int halo_before, halo_after;
} lf_det_rect;

/* Tile (i, j) of a rect pass: it owns head cells [cx0, cx1) x [cy0, cy1)
 * and computes the network on cells [gx0, gx1) x [gy0, gy1). */
typedef struct lf_det_rtile {
    int cx0, cx1, cy0, cy1;
    int gx0, gx1, gy0, gy1;
} lf_det_rtile;

void lf_det_rect_tile(const lf_det_rect *r, int i, int j, lf_det_rtile *t);
/* The tile split of a Gx x Gy grid with the least computed area whose
 * largest tile has at most max_cells cells; fills r->nx, r->ny. */
void lf_det_rect_split(lf_det_rect *r, int64_t max_cells);
/* Largest tile of r, in cells. */
void lf_det_rect_max_tile(const lf_det_rect *r, int *gw, int *gh);

/* Which views one detect call runs (pyramid.c explains the strategy). Level
 * l is either a rect pass (rect.Gx > 0, tiny only) or a grid of nx x ny
 * square tiles of side T (image px, clamped to the image), overlapping by
 * at least ov px; T = 0 marks the whole-image face-api pass. */
typedef struct lf_det_level {
    int T, ov, nx, ny;
    double margin; /* boxes this close to an inner tile edge are dropped */
    lf_det_rect rect;
} lf_det_level;

typedef struct lf_det_plan {
    int S, W, H;
    int nlev;
    lf_det_level lev[LF_DET_MAX_LEVELS];
    int64_t nviews; /* network runs (tiles of a rect level count one each) */
    double net_px;  /* input pixels the network runs on, halos included */
} lf_det_plan;

/* Smallest box side (net px at input S) the network finds reliably. */
double lf_det_f_min(int kind, int S);
/* Plan the views for a W x H image; o as for lf_detect_faces. */
void lf_det_plan_make(int kind, const face_detect_options *o, int W, int H, lf_det_plan *p);
/* View (i, j) of a tile level l. */
void lf_det_plan_view(const lf_det_plan *p, int l, int i, int j, lf_det_view *v);
/* Whether box b, found in view v of level l, is cut by an inner tile edge
 * (and is therefore seen whole by a neighbouring tile or a coarser level). */
int lf_det_plan_cut(const lf_det_plan *p, int l, const lf_det_view *v, const lf_det_box *b);

/* Resampling of the whole image to a rect level's input: per-axis tap
 * tables (lf_det_rect_taps_bytes for both axes), then rows of any tile. */
typedef struct lf_det_taps {
    int maxn;    /* taps per output (stride of w) */
    int *i0, *n; /* first source index and count per output */
    float *w;    /* [out][maxn] */
} lf_det_taps;
size_t lf_det_rect_taps_bytes(const lf_det_rect *r);
void lf_det_rect_taps(const lf_det_rect *r, void *mem, lf_det_taps *tx, lf_det_taps *ty);
/* Floats of row scratch lf_det_rect_rows needs. */
size_t lf_det_rect_row_floats(const lf_det_rect *r, int tile_w);
/* Net input rows [y0, y0+n) x cols [x0, x0+w) (level px) as RGB 0..255,
 * zero in the padding. */
void lf_det_rect_rows(const face_image *img, const lf_det_rect *r, const lf_det_taps *tx,
                      const lf_det_taps *ty, int x0, int w, int y0, int n, float *out,
                      float *rowbuf);
/* The same with an explicit kernel table (lf_det_rect_rows uses the
 * active one); every table gives the same values. */
void lf_det_rect_rows_k(const lf_kernels *k, const face_image *img, const lf_det_rect *r,
                        const lf_det_taps *tx, const lf_det_taps *ty, int x0, int w, int y0, int n,
                        float *out, float *rowbuf);
/* The face-api view's rows [y0, y0+n) (ws as for lf_det_sample_view, taps
 * made by lf_det_view_taps). */
void lf_det_view_taps(const lf_det_view *v, void *ws);
void lf_det_sample_rows(const face_image *img, const lf_det_view *v, const void *ws, int y0, int n,
                        float *out);

/* Where a tiny head output lies: the level grid Gx x Gy, the resized image
 * Wr x Hr inside its 32Gx x 32Gy input, and the image region [ox, ox+W) x
 * [oy, oy+H) that the input shows. */
typedef struct lf_tiny_grid {
    int Gx, Gy, Wr, Hr;
    double ox, oy, W, H;
} lf_tiny_grid;
/* §3.2 decode of the head output out[(gy1-gy0)][(gx1-gx0)][25] of tile t,
 * keeping the cells t owns with score > thr; idx = level cell * 5 + anchor.
 * Returns the number of boxes written. */
size_t lf_tiny_decode(const lf_tiny_grid *g, const lf_det_rtile *t, const float *out, double thr,
                      lf_det_box *cands);
/* Multiply-accumulates of one tiny pass on an H x W input (cost model). */
double lf_tiny_macs(int H, int W);
/* A rect pass: every tile, candidates merged, sorted and NMS'd. It and
 * lf_tiny_run release their scratch without wiping it (the next pass
 * overwrites it): the caller's lf_arena_pop_to wipes it once, as
 * lf_detect_faces does before it returns. */
size_t lf_tiny_rect_scratch(const lf_detector *d, const lf_det_rect *r);
size_t lf_tiny_rect_max_cands(const lf_det_rect *r);
face_status lf_tiny_rect_run(const lf_exec *ex, const lf_detector *d, const face_image *img,
                             const lf_det_rect *r, double score_thr, double iou, size_t max_keep,
                             lf_det_box *cands, size_t *n);

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
