/* The engine (loaded networks, shared and immutable) and the per-thread
 * context (scratch, pool, options, last error), plus the public calls that
 * wire the networks together.
 *
 * Every public call here validates its arguments, reserves the scratch the
 * network says it needs (a warm context already has it, so no allocation
 * happens), runs, and leaves the arena empty and wiped. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "align/align.h"
#include "base/base.h"
#include "base/decode.h"
#include "detect/detect.h"
#include "embed/embed.h"
#include "engine/engine.h"
#include "nn/nn.h"

static const char *const k_model_files[] = {
    [FACE_MODEL_TINY_DETECTOR] = "tiny_face_detector.fmdl",
    [FACE_MODEL_SSD_DETECTOR] = "ssd_mobilenetv1.fmdl",
    [FACE_MODEL_LANDMARKS68] = "face_landmark_68.fmdl",
    [FACE_MODEL_RECOGNITION] = "face_recognition.fmdl",
};

#define LF_DEFAULT_MAX_PIXELS 40000000LL
#define LF_DEFAULT_MAX_FACES 1000
#define LF_MAX_FACES_LIMIT 100000
#define LF_DEFAULT_MAX_FILE_BYTES (64LL << 20)
#define LF_MAX_THREADS 64

/* ---------------------------------------------------------------- engine */

void face_engine_config_init(face_engine_config *cfg)
{
    if (!cfg) return;
    memset(cfg, 0, sizeof *cfg);
    cfg->struct_size = sizeof *cfg;
}

static face_status load_slot(const face_engine_config *cfg, int kind, face_model *given,
                             const lf_allocator *a, face_model **out)
{
    *out = NULL;
    if (given) {
        if (face_model_kind_of(given) != kind) return FACE_ERR_MODEL_MISMATCH;
        *out = given;
        return FACE_OK;
    }
    if (!cfg->model_dir) return FACE_ERR_NOT_FOUND;
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", cfg->model_dir, k_model_files[kind]);
    if (n < 0 || (size_t)n >= sizeof path) return FACE_ERR_INVALID_ARGUMENT;
    struct stat st;
    if (stat(path, &st) != 0) return errno == ENOENT ? FACE_ERR_NOT_FOUND : FACE_ERR_IO;
    face_allocator pub = {sizeof pub, 0, a->alloc, a->free, a->opaque};
    face_status s = face_model_load_file(path, &pub, out);
    if (s == FACE_OK && face_model_kind_of(*out) != kind) {
        face_model_destroy(*out);
        *out = NULL;
        return FACE_ERR_MODEL_MISMATCH;
    }
    return s;
}

void face_engine_destroy(face_engine *e)
{
    if (!e) return;
    lf_detector_free(e->tiny);
    lf_detector_free(e->ssd);
    lf_landmarker_free(e->landmarker);
    lf_recognizer_free(e->recognizer);
    for (int i = 0; i < LF_MODEL_SLOTS; i++)
        if (e->owned[i]) face_model_destroy(e->models[i]);
    lf_allocator a = e->alloc;
    lf_free(&a, e, sizeof *e);
}

face_status face_engine_create(const face_engine_config *cfg, face_engine **out)
{
    if (!out) return FACE_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (!cfg || cfg->struct_size < sizeof(face_engine_config)) return FACE_ERR_INVALID_ARGUMENT;
    face_status s = lf_cpu_init();
    if (s != FACE_OK) return s;
    lf_allocator a;
    if ((s = lf_allocator_resolve(&a, cfg->allocator)) != FACE_OK) return s;

    face_engine *e = lf_calloc(&a, sizeof *e, LF_ALIGN);
    if (!e) return FACE_ERR_OUT_OF_MEMORY;
    e->alloc = a;
    face_model *given[LF_MODEL_SLOTS] = {NULL, cfg->tiny_detector, cfg->ssd_detector,
                                         cfg->landmarks, cfg->recognition};
    for (int kind = 1; kind < LF_MODEL_SLOTS; kind++) {
        s = load_slot(cfg, kind, given[kind], &a, &e->models[kind]);
        int required = kind == FACE_MODEL_LANDMARKS68 || kind == FACE_MODEL_RECOGNITION;
        if (s == FACE_ERR_NOT_FOUND && !required) continue;
        if (s != FACE_OK) goto fail;
        /* Caller's models become ours only once the whole engine succeeds;
         * until then they are borrowed (see the header contract). */
        e->owned[kind] = given[kind] == NULL;
    }
    if (!e->models[FACE_MODEL_TINY_DETECTOR] && !e->models[FACE_MODEL_SSD_DETECTOR]) {
        s = FACE_ERR_NOT_FOUND;
        goto fail;
    }
    lf_error err;
    lf_error_clear(&err);
    if (e->models[FACE_MODEL_TINY_DETECTOR] &&
        (s = lf_detector_load(&a, e->models[FACE_MODEL_TINY_DETECTOR], &e->tiny, &err)) != FACE_OK)
        goto fail;
    if (e->models[FACE_MODEL_SSD_DETECTOR] &&
        (s = lf_detector_load(&a, e->models[FACE_MODEL_SSD_DETECTOR], &e->ssd, &err)) != FACE_OK)
        goto fail;
    if ((s = lf_landmarker_load(&a, e->models[FACE_MODEL_LANDMARKS68], &e->landmarker, &err)) !=
        FACE_OK)
        goto fail;
    if ((s = lf_recognizer_load(&a, e->models[FACE_MODEL_RECOGNITION], &e->recognizer, &err)) !=
        FACE_OK)
        goto fail;
    for (int kind = 1; kind < LF_MODEL_SLOTS; kind++)
        if (given[kind]) e->owned[kind] = 1;
    *out = e;
    return FACE_OK;

fail:
    /* Never destroy what the caller still owns. */
    for (int kind = 1; kind < LF_MODEL_SLOTS; kind++)
        if (given[kind]) e->models[kind] = NULL, e->owned[kind] = 0;
    face_engine_destroy(e);
    return s;
}

face_status face_engine_create_from_dir(const char *model_dir, const face_allocator *allocator,
                                        face_engine **out)
{
    if (!model_dir) return FACE_ERR_INVALID_ARGUMENT;
    face_engine_config cfg;
    face_engine_config_init(&cfg);
    cfg.model_dir = model_dir;
    cfg.allocator = allocator;
    return face_engine_create(&cfg, out);
}

face_status face_engine_fingerprint(const face_engine *e, int align_mode,
                                    uint8_t out[FACE_FINGERPRINT_BYTES])
{
    if (!e || !out || (align_mode != FACE_ALIGN_DLIB && align_mode != FACE_ALIGN_FACEAPI))
        return FACE_ERR_INVALID_ARGUMENT;
    lf_recognizer_fingerprint(e->recognizer, align_mode, out);
    return FACE_OK;
}

/* ---------------------------------------------------------------- context */

/* One GEMM packing workspace per thread that may run a GEMM at once. */
static face_status ctx_set_gemm_ws(face_ctx *c, int threads)
{
    size_t bytes = (size_t)threads * LF_GEMM_WS_FLOATS * sizeof(float);
    float *ws = lf_calloc(&c->alloc, bytes, LF_ALIGN);
    if (!ws) return FACE_ERR_OUT_OF_MEMORY;
    lf_free_wipe(&c->alloc, c->gemm_ws, c->gemm_ws_bytes);
    c->gemm_ws = ws;
    c->gemm_ws_bytes = bytes;
    return FACE_OK;
}

face_status face_ctx_create(const face_engine *e, const face_allocator *allocator, face_ctx **out)
{
    if (!out) return FACE_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (!e) return FACE_ERR_INVALID_ARGUMENT;
    face_status s = lf_cpu_init();
    if (s != FACE_OK) return s;
    lf_allocator a = e->alloc;
    if (allocator && (s = lf_allocator_resolve(&a, allocator)) != FACE_OK) return s;
    face_ctx *c = lf_calloc(&a, sizeof *c, LF_ALIGN);
    if (!c) return FACE_ERR_OUT_OF_MEMORY;
    c->alloc = a;
    c->engine = e;
    c->kernels = lf_kernels_active();
    lf_arena_init(&c->arena, &c->alloc);
    c->threads = 1;
    c->max_pixels = LF_DEFAULT_MAX_PIXELS;
    c->max_faces = LF_DEFAULT_MAX_FACES;
    c->max_file_bytes = LF_DEFAULT_MAX_FILE_BYTES;
    if (!c->kernels) {
        lf_free(&a, c, sizeof *c);
        return FACE_ERR_ISA_UNAVAILABLE;
    }
    if ((s = ctx_set_gemm_ws(c, 1)) != FACE_OK) {
        lf_free(&a, c, sizeof *c);
        return s;
    }
    *out = c;
    return FACE_OK;
}

void face_ctx_destroy(face_ctx *c)
{
    if (!c) return;
    lf_pool_destroy(c->pool);
    lf_arena_destroy(&c->arena);
    lf_free_wipe(&c->alloc, c->gemm_ws, c->gemm_ws_bytes);
    lf_allocator a = c->alloc;
    lf_free_wipe(&a, c, sizeof *c);
}

face_status face_ctx_set_option(face_ctx *c, int option, int64_t value)
{
    if (!c) return FACE_ERR_INVALID_ARGUMENT;
    lf_error_clear(&c->err);
    switch (option) {
    case FACE_OPT_THREADS: {
        if (value < 1 || value > LF_MAX_THREADS)
            return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "threads %lld not in 1..%d",
                           (long long)value, LF_MAX_THREADS);
        if (value == c->threads) return FACE_OK;
        lf_pool *p = NULL;
        face_status s = lf_pool_create(&c->alloc, (int)value, &p);
        if (s != FACE_OK) return LF_FAIL(&c->err, s, "cannot start %lld threads", (long long)value);
        if ((s = ctx_set_gemm_ws(c, (int)value)) != FACE_OK) {
            lf_pool_destroy(p);
            return LF_FAIL(&c->err, s, "no memory for %lld GEMM workspaces", (long long)value);
        }
        lf_pool_destroy(c->pool);
        c->pool = p;
        c->threads = (int)value;
        return FACE_OK;
    }
    case FACE_OPT_MAX_PIXELS:
        if (value < 1 || value > (int64_t)LF_MAX_SIDE_PIXELS)
            return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "max pixels %lld out of range",
                           (long long)value);
        c->max_pixels = value;
        return FACE_OK;
    case FACE_OPT_MAX_FACES:
        if (value < 1 || value > LF_MAX_FACES_LIMIT)
            return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "max faces %lld not in 1..%d",
                           (long long)value, LF_MAX_FACES_LIMIT);
        c->max_faces = value;
        return FACE_OK;
    case FACE_OPT_MAX_FILE_BYTES:
        if (value < 1 || value > ((int64_t)1 << 32))
            return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "max file bytes %lld out of range",
                           (long long)value);
        c->max_file_bytes = value;
        return FACE_OK;
    default:
        return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "unknown option %d", option);
    }
}

face_status face_ctx_get_option(const face_ctx *c, int option, int64_t *value)
{
    if (!c || !value) return FACE_ERR_INVALID_ARGUMENT;
    switch (option) {
    case FACE_OPT_THREADS: *value = c->threads; return FACE_OK;
    case FACE_OPT_MAX_PIXELS: *value = c->max_pixels; return FACE_OK;
    case FACE_OPT_MAX_FACES: *value = c->max_faces; return FACE_OK;
    case FACE_OPT_MAX_FILE_BYTES: *value = c->max_file_bytes; return FACE_OK;
    default: return FACE_ERR_INVALID_ARGUMENT;
    }
}

const char *face_ctx_last_error(const face_ctx *c) { return c ? c->err.msg : ""; }

/* Start of every public call on a context: clear the error, make sure the
 * arena can hold what the network needs, and build the execution view. */
static face_status begin(face_ctx *c, size_t scratch, lf_exec *ex)
{
    lf_error_clear(&c->err);
    if (c->arena.top != 0) return LF_FAIL(&c->err, FACE_ERR_INTERNAL, "scratch still in use");
    face_status s = lf_arena_reserve(&c->arena, scratch);
    if (s != FACE_OK)
        return LF_FAIL(&c->err, s, "cannot reserve %zu bytes of scratch", scratch);
    ex->k = c->kernels;
    ex->arena = &c->arena;
    ex->pool = c->pool;
    ex->err = &c->err;
    ex->gemm_ws = c->gemm_ws;
    return FACE_OK;
}

/* Any error path may leave scratch behind; wipe it before returning. */
static face_status finish(face_ctx *c, face_status s)
{
    lf_arena_pop_to(&c->arena, 0);
    /* GEMMs leave packed copies of activations in their workspaces. */
    lf_wipe(c->gemm_ws, c->gemm_ws_bytes);
    return s;
}

/* ---------------------------------------------------------------- images */

face_status face_image_init(face_image *img, int format, int width, int height, int stride,
                            const uint8_t *data)
{
    if (!img) return FACE_ERR_INVALID_ARGUMENT;
    memset(img, 0, sizeof *img);
    img->struct_size = sizeof *img;
    img->format = format;
    img->width = width;
    img->height = height;
    img->stride = stride;
    img->data = data;
    return lf_image_check(img, INT64_MAX, NULL) == FACE_OK ? FACE_OK : FACE_ERR_INVALID_ARGUMENT;
}

face_status face_image_decode(face_ctx *c, const void *data, size_t size, face_image *out)
{
    if (!c) return FACE_ERR_INVALID_ARGUMENT;
    lf_error_clear(&c->err);
    if (!data || !size || !out)
        return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "NULL data/out or zero size");
    return lf_image_decode(&c->alloc, c->max_pixels, (size_t)c->max_file_bytes, data, size, out,
                           &c->err);
}

face_status face_image_load_file(face_ctx *c, const char *path, face_image *out)
{
    if (!c) return FACE_ERR_INVALID_ARGUMENT;
    lf_error_clear(&c->err);
    if (!path || !out) return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "NULL path/out");
    FILE *f = fopen(path, "rb");
    if (!f) return LF_FAIL(&c->err, FACE_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return LF_FAIL(&c->err, FACE_ERR_IO, "%s is not a regular file", path);
    }
    if (st.st_size <= 0) {
        fclose(f);
        return LF_FAIL(&c->err, FACE_ERR_CORRUPT, "%s is empty", path);
    }
    if ((int64_t)st.st_size > c->max_file_bytes) {
        fclose(f);
        return LF_FAIL(&c->err, FACE_ERR_LIMIT, "%s has %lld bytes, limit %lld", path,
                       (long long)st.st_size, (long long)c->max_file_bytes);
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = lf_alloc(&c->alloc, n, LF_ALIGN);
    if (!buf) {
        fclose(f);
        return LF_FAIL(&c->err, FACE_ERR_OUT_OF_MEMORY, "cannot buffer %zu bytes", n);
    }
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    face_status s;
    if (got != n) s = LF_FAIL(&c->err, FACE_ERR_IO, "short read on %s", path);
    else s = face_image_decode(c, buf, n, out);
    /* The encoded photo is as sensitive as its pixels. */
    lf_free_wipe(&c->alloc, buf, n);
    return s;
}

void face_image_free(face_ctx *c, face_image *img)
{
    if (!c || !img) return;
    lf_image_release(&c->alloc, img);
}

/* ---------------------------------------------------------------- detect */

void face_detect_options_init(face_detect_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->detector = FACE_DETECTOR_TINY;
    o->input_size = 416;
    o->score_threshold = 0.5f;
}

face_status face_detect(face_ctx *c, const face_image *img, const face_detect_options *opts,
                        face_detection *out, size_t capacity, size_t *count)
{
    if (!c) return FACE_ERR_INVALID_ARGUMENT;
    lf_error_clear(&c->err);
    if (!count || (capacity && !out))
        return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "NULL count, or NULL out with capacity");
    *count = 0;
    face_status s = lf_image_check(img, c->max_pixels, &c->err);
    if (s != FACE_OK) return s;

    face_detect_options o;
    face_detect_options_init(&o);
    if (opts) {
        if (opts->struct_size < sizeof o)
            return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "options struct_size %u",
                           (unsigned)opts->struct_size);
        o = *opts;
        o.struct_size = sizeof o;
    }
    const lf_detector *d = o.detector == FACE_DETECTOR_TINY  ? c->engine->tiny
                           : o.detector == FACE_DETECTOR_SSD ? c->engine->ssd
                                                             : NULL;
    if (o.detector != FACE_DETECTOR_TINY && o.detector != FACE_DETECTOR_SSD)
        return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "unknown detector %d", o.detector);
    if (!d) return LF_FAIL(&c->err, FACE_ERR_NOT_FOUND, "the engine has no such detector loaded");
    if (o.detector == FACE_DETECTOR_SSD) o.input_size = 512;
    else if (o.input_size == 0) o.input_size = 416;
    if (o.input_size < 64 || o.input_size > 1024 || o.input_size % 32)
        return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT,
                       "input_size %d: must be a multiple of 32 in 64..1024", o.input_size);
    if (!(o.score_threshold > 0.0f && o.score_threshold < 1.0f))
        return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "score_threshold must be in (0,1)");
    if (o.nms_iou == 0.0f) o.nms_iou = o.detector == FACE_DETECTOR_SSD ? 0.5f : 0.4f;
    if (!(o.nms_iou > 0.0f && o.nms_iou <= 1.0f))
        return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "nms_iou must be in (0,1]");
    if (o.min_face_size < 0 || o.min_face_size > 100000)
        return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "min_face_size %d", o.min_face_size);
    if (o.max_faces < 0) return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "max_faces < 0");
    if (o.max_faces == 0 || o.max_faces > c->max_faces) o.max_faces = (int32_t)c->max_faces;

    lf_exec ex;
    if ((s = begin(c, lf_detector_scratch_bytes(d, &o, img->width, img->height), &ex)) != FACE_OK)
        return s;
    size_t found = 0;
    s = lf_detect_faces(&ex, d, img, &o, out, capacity, &found);
    if (s == FACE_OK && found > (size_t)o.max_faces) found = (size_t)o.max_faces;
    *count = found;
    if (s == FACE_OK && found > capacity)
        s = LF_FAIL(&c->err, FACE_ERR_BUFFER_TOO_SMALL, "%zu faces found, capacity %zu", found,
                    capacity);
    return finish(c, s);
}

/* ---------------------------------------------------------------- landmarks */

static int rect_ok(const face_rect *r)
{
    return r && isfinite(r->x) && isfinite(r->y) && isfinite(r->width) && isfinite(r->height) &&
           r->width >= 1.0f && r->height >= 1.0f && fabsf(r->x) < 1e6f && fabsf(r->y) < 1e6f &&
           r->width < 1e6f && r->height < 1e6f;
}

static int landmarks_ok(const face_landmarks *lm)
{
    if (!lm || lm->count != FACE_LANDMARK_COUNT) return 0;
    for (int i = 0; i < FACE_LANDMARK_COUNT; i++)
        if (!isfinite(lm->points[i].x) || !isfinite(lm->points[i].y) ||
            fabsf(lm->points[i].x) > 1e6f || fabsf(lm->points[i].y) > 1e6f)
            return 0;
    return 1;
}

face_status face_landmarks_detect(face_ctx *c, const face_image *img, const face_rect *box,
                                  face_landmarks *out)
{
    if (!c) return FACE_ERR_INVALID_ARGUMENT;
    lf_error_clear(&c->err);
    face_status s = lf_image_check(img, c->max_pixels, &c->err);
    if (s != FACE_OK) return s;
    if (!out || !rect_ok(box))
        return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "NULL out, or box not finite/positive");
    lf_exec ex;
    if ((s = begin(c, lf_landmarker_scratch_bytes(c->engine->landmarker), &ex)) != FACE_OK)
        return s;
    return finish(c, lf_landmarks_run(&ex, c->engine->landmarker, img, box, out));
}

/* ---------------------------------------------------------------- align */

face_status face_align_chip(face_ctx *c, const face_image *img, const face_landmarks *lm,
                            face_chip *out)
{
    if (!c) return FACE_ERR_INVALID_ARGUMENT;
    lf_error_clear(&c->err);
    face_status s = lf_image_check(img, c->max_pixels, &c->err);
    if (s != FACE_OK) return s;
    if (!out || !landmarks_ok(lm))
        return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "NULL out, or landmarks not finite");
    lf_exec ex;
    if ((s = begin(c, lf_chip_scratch_bytes(img, lm), &ex)) != FACE_OK) return s;
    return finish(c, lf_dlib_chip(&c->arena, img, lm, out, &c->err));
}

face_status face_align_faceapi_box(const face_landmarks *lm, const face_rect *det_box,
                                   int image_width, int image_height, face_rect *out)
{
    if (!out || !landmarks_ok(lm) || !rect_ok(det_box) || image_width <= 0 || image_height <= 0)
        return FACE_ERR_INVALID_ARGUMENT;
    return lf_faceapi_box(lm, det_box, image_width, image_height, out);
}

/* ---------------------------------------------------------------- embed */

void face_embed_options_init(face_embed_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->align_mode = FACE_ALIGN_DLIB;
}

static face_status embed_opts(face_ctx *c, const face_embed_options *opts, face_embed_options *o)
{
    face_embed_options_init(o);
    if (!opts) return FACE_OK;
    if (opts->struct_size < sizeof *o)
        return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "embed options struct_size %u",
                       (unsigned)opts->struct_size);
    *o = *opts;
    if (o->align_mode == 0) o->align_mode = FACE_ALIGN_DLIB;
    if (o->align_mode != FACE_ALIGN_DLIB && o->align_mode != FACE_ALIGN_FACEAPI)
        return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "unknown align mode %d", o->align_mode);
    if (o->flags & ~FACE_EMBED_FLIP_AVG)
        return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "unknown embed flags 0x%x",
                       (unsigned)o->flags);
    return FACE_OK;
}

face_status face_embed_chip(face_ctx *c, const face_chip *chip, const face_embed_options *opts,
                            face_template *out)
{
    if (!c) return FACE_ERR_INVALID_ARGUMENT;
    lf_error_clear(&c->err);
    face_embed_options o;
    face_status s = embed_opts(c, opts, &o);
    if (s != FACE_OK) return s;
    if (!chip || !out || chip->size != FACE_CHIP_SIZE)
        return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "NULL chip/out or chip size != %d",
                       FACE_CHIP_SIZE);
    lf_exec ex;
    if ((s = begin(c, lf_recognizer_scratch_bytes(c->engine->recognizer, FACE_CHIP_SIZE,
                                                  FACE_CHIP_SIZE),
                   &ex)) != FACE_OK)
        return s;
    return finish(c, lf_embed_from_chip(&ex, c->engine->recognizer, chip, o.flags, out));
}

face_status face_embed_crop(face_ctx *c, const face_image *img, const face_rect *crop,
                            const face_embed_options *opts, face_template *out)
{
    if (!c) return FACE_ERR_INVALID_ARGUMENT;
    lf_error_clear(&c->err);
    face_embed_options o;
    face_status s = embed_opts(c, opts, &o);
    if (s != FACE_OK) return s;
    if ((s = lf_image_check(img, c->max_pixels, &c->err)) != FACE_OK) return s;
    if (!out || !rect_ok(crop))
        return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "NULL out, or crop not finite/positive");
    lf_exec ex;
    if ((s = begin(c, lf_recognizer_scratch_bytes(c->engine->recognizer, img->width, img->height),
                   &ex)) != FACE_OK)
        return s;
    return finish(c, lf_embed_from_crop(&ex, c->engine->recognizer, img, crop, o.flags, out));
}

face_status face_embed(face_ctx *c, const face_image *img, const face_landmarks *lm,
                       const face_rect *det_box, const face_embed_options *opts, face_template *out)
{
    if (!c) return FACE_ERR_INVALID_ARGUMENT;
    lf_error_clear(&c->err);
    face_embed_options o;
    face_status s = embed_opts(c, opts, &o);
    if (s != FACE_OK) return s;
    if ((s = lf_image_check(img, c->max_pixels, &c->err)) != FACE_OK) return s;
    if (!out || !landmarks_ok(lm))
        return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT, "NULL out, or landmarks not finite");
    if (o.align_mode == FACE_ALIGN_FACEAPI) {
        if (!rect_ok(det_box))
            return LF_FAIL(&c->err, FACE_ERR_INVALID_ARGUMENT,
                           "face-api alignment needs the detection box");
        face_rect crop;
        if ((s = lf_faceapi_box(lm, det_box, img->width, img->height, &crop)) != FACE_OK)
            return LF_FAIL(&c->err, s, "face-api crop box is empty");
        return face_embed_crop(c, img, &crop, &o, out);
    }
    /* The chip is biometric: it lives on the stack only for this call and
     * is wiped before returning. */
    face_chip chip;
    s = face_align_chip(c, img, lm, &chip);
    if (s == FACE_OK) s = face_embed_chip(c, &chip, &o, out);
    lf_wipe(&chip, sizeof chip);
    return s;
}

/* ---------------------------------------------------------------- sizes */

size_t face_sizeof_image(void) { return sizeof(face_image); }
size_t face_sizeof_detection(void) { return sizeof(face_detection); }
size_t face_sizeof_landmarks(void) { return sizeof(face_landmarks); }
size_t face_sizeof_chip(void) { return sizeof(face_chip); }
size_t face_sizeof_detect_options(void) { return sizeof(face_detect_options); }
size_t face_sizeof_embed_options(void) { return sizeof(face_embed_options); }
size_t face_sizeof_engine_config(void) { return sizeof(face_engine_config); }
