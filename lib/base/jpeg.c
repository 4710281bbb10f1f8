/* JPEG -> RGB24 with the system libjpeg-turbo (libjpeg API).
 *
 * Why not stb_image: Debian 12's stb_image 2.27 has memory-safety bugs in
 * its JPEG decoder that cannot be guarded against from outside (a DHT with
 * more than 256 codes writes past its tables, symbol ids out of range, reads
 * of missing bits, DC predictor overflow). libjpeg-turbo is fuzzed
 * continuously upstream and gets security updates from Debian.
 *
 * Memory: libjpeg gets all its working memory from a memory manager object
 * (cinfo->mem, a public table of methods). We replace it, right after
 * jpeg_create_decompress, with one that draws from the caller's allocator
 * under a budget sized from the frame header, zeroes what it hands out and
 * wipes it on release. So coefficient buffers and pixel strips of a photo
 * are accounted, bounded and wiped like every other allocation in libface.
 * The one exception: jpeg_create_decompress allocates libjpeg's own manager
 * and its first permanent pool (about 2 KiB: the marker reader and input
 * controller state, never image data) with libjpeg's malloc before we can
 * swap; they are freed by jpeg_destroy_decompress.
 *
 * Errors: libjpeg reports fatal errors through error_exit, which must not
 * return. Ours longjmps to the setjmp in jpeg_run, whose frame holds nothing
 * of ours: all state lives in a jpeg_job owned by the caller, so cleanup
 * after the jump is the same as after success. Warnings (corrupt data that
 * libjpeg recovers from, such as a truncated file it pads with gray) are
 * counted, never printed, and do not fail the decode: stb_image, which this
 * replaces, padded truncated files the same way.
 *
 * CPU: a progressive JPEG may carry thousands of tiny scans, each of which
 * makes libjpeg walk the whole coefficient buffer. A progress monitor stops
 * the decode after LF_JPEG_MAX_SCANS scans, the limit TurboJPEG applies with
 * TJFLAG_LIMITSCANS.
 *
 * Colour: YCbCr and grayscale are converted to RGB by libjpeg (grayscale is
 * replicated). CMYK and YCCK are decoded to CMYK by libjpeg and converted to
 * RGB here with the naive formula (no colour management): R = (255 - C) *
 * (255 - K) / 255. Files with an Adobe APP14 marker (Photoshop) store
 * inverted CMYK, so there R = C * K / 255, as in libjpeg's djpeg, Pillow and
 * browsers. Faces on a print-ready CMYK photo are still faces. */
#include <limits.h>
#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE and size_t */
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

#include "base/decode.h"

/* What libjpeg's own manager aligns to (ALIGN_SIZE in jmemmgr.c): its SIMD
 * code assumes it and may read up to the next multiple past an object. */
#define JALIGN 32u
/* Our block header; a multiple of JALIGN so payloads keep the alignment. */
#define JHDR 64u

/* Pools are chains of blocks, freed as a whole (JPOOL_PERMANENT lives until
 * jpeg_destroy, JPOOL_IMAGE until the image is done). */
typedef struct jblock {
    struct jblock *next;
    size_t size; /* payload bytes */
} jblock;

/* libjpeg declares these only as incomplete types: each memory manager
 * defines its own. Ours keep every array wholly in memory. */
struct jvirt_sarray_control {
    JSAMPARRAY mem_buffer; /* NULL until realized */
    JDIMENSION rows_in_array, samplesperrow, maxaccess;
    struct jvirt_sarray_control *next;
};
struct jvirt_barray_control {
    JBLOCKARRAY mem_buffer;
    JDIMENSION rows_in_array, blocksperrow, maxaccess;
    struct jvirt_barray_control *next;
};

typedef struct jpeg_job {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr jerr;
    struct jpeg_progress_mgr progress;
    struct jpeg_memory_mgr mgr;    /* ours */
    struct jpeg_memory_mgr *orig;  /* libjpeg's, restored for jpeg_destroy */
    jmp_buf jb;
    const lf_allocator *a;
    jblock *pool[JPOOL_NUMPOOLS];
    jvirt_sarray_ptr vs;
    jvirt_barray_ptr vb;
    size_t budget, live, peak;
    int created;
    int64_t max_pixels;
    size_t budget_override; /* 0: from the header */
    /* results */
    face_status status; /* set before every longjmp */
    char msg[JMSG_LENGTH_MAX];
    int warnings, width, height;
    int ran_out; /* libjpeg padded the data (truncated file) */
    uint8_t *dst; /* the caller's pixels, lf_alloc'd; owned by the job until returned */
    size_t dst_bytes;
} jpeg_job;

static jpeg_job *job_of(j_common_ptr c) { return (jpeg_job *)c->client_data; }

/* Leave libjpeg for the setjmp in jpeg_run. */
static _Noreturn void job_fail(jpeg_job *j, face_status st)
{
    j->status = st;
    longjmp(j->jb, 1);
}

/* ---------------------------------------------------------------- errors */

static _Noreturn void on_error_exit(j_common_ptr c)
{
    jpeg_job *j = job_of(c);
    (*c->err->format_message)(c, j->msg);
    /* libjpeg's own size check (JPEG_MAX_DIMENSION); ours is tighter and
     * comes first, so this is defence in depth. */
    job_fail(j, c->err->msg_code == JERR_IMAGE_TOO_BIG ? FACE_ERR_LIMIT : FACE_ERR_CORRUPT);
}

/* Level -1 is a warning about corrupt data; the rest are traces. A library
 * never writes to stderr. */
static void on_emit_message(j_common_ptr c, int level)
{
    jpeg_job *j = job_of(c);
    if (level < 0 && j->warnings < INT_MAX) j->warnings++;
    if (c->err->msg_code == JWRN_JPEG_EOF) j->ran_out = 1;
}

static void on_output_message(j_common_ptr c) { (void)c; }

/* ERREXIT with a return type the compiler knows. */
static _Noreturn void jfail(j_common_ptr c, int code)
{
    c->err->msg_code = code;
    on_error_exit(c);
}

static _Noreturn void jfail1(j_common_ptr c, int code, int arg)
{
    c->err->msg_parm.i[0] = arg;
    jfail(c, code);
}

static void on_progress(j_common_ptr c)
{
    jpeg_job *j = job_of(c);
    if (j->cinfo.input_scan_number > LF_JPEG_MAX_SCANS) {
        snprintf(j->msg, sizeof j->msg, "more than %d progressive scans", LF_JPEG_MAX_SCANS);
        job_fail(j, FACE_ERR_LIMIT);
    }
}

/* ---------------------------------------------------------------- memory manager */

static void *pool_alloc(j_common_ptr c, int pool_id, size_t n)
{
    jpeg_job *j = job_of(c);
    if (pool_id < 0 || pool_id >= JPOOL_NUMPOOLS) jfail1(c, JERR_BAD_POOL_ID, pool_id);
    size_t total;
    /* Round up like jmemmgr.c: SIMD loops may run to the next multiple. */
    if (n == 0) n = 1;
    if (!lf_add_size(n, JALIGN - 1, &n)) goto over;
    n &= ~(size_t)(JALIGN - 1);
    if (!lf_add_size(n, JHDR, &total)) goto over;
    if (n > j->budget || j->live > j->budget - n) goto over;
    uint8_t *p = lf_alloc(j->a, total, LF_ALIGN);
    if (!p) {
        snprintf(j->msg, sizeof j->msg, "%zu bytes of decoder memory", n);
        job_fail(j, FACE_ERR_OUT_OF_MEMORY);
    }
    /* Zeroed: libjpeg relies on pre-zeroed coefficient buffers, and nothing
     * it reads may show what the allocator's memory held before. */
    memset(p + JHDR, 0, n);
    jblock *b = (jblock *)(void *)p;
    b->size = n;
    b->next = j->pool[pool_id];
    j->pool[pool_id] = b;
    j->live += n;
    if (j->live > j->peak) j->peak = j->live;
    return p + JHDR;
over:
    snprintf(j->msg, sizeof j->msg, "decoder needs more than %zu bytes", j->budget);
    job_fail(j, FACE_ERR_LIMIT);
}

static void *m_alloc_small(j_common_ptr c, int pool_id, size_t n) { return pool_alloc(c, pool_id, n); }
static void *m_alloc_large(j_common_ptr c, int pool_id, size_t n) { return pool_alloc(c, pool_id, n); }

/* Row pointers plus one contiguous block for the rows. */
static void **alloc_rows(j_common_ptr c, int pool_id, size_t rowbytes, JDIMENSION numrows)
{
    size_t ptrs, all;
    if (!lf_mul_size(numrows ? numrows : 1, sizeof(void *), &ptrs) ||
        !lf_mul_size(rowbytes, numrows ? numrows : 1, &all))
        jfail(c, JERR_WIDTH_OVERFLOW);
    void **rows = pool_alloc(c, pool_id, ptrs);
    uint8_t *p = pool_alloc(c, pool_id, all);
    for (JDIMENSION r = 0; r < numrows; r++) rows[r] = p + (size_t)r * rowbytes;
    return rows;
}

static JSAMPARRAY m_alloc_sarray(j_common_ptr c, int pool_id, JDIMENSION samplesperrow,
                                 JDIMENSION numrows)
{
    /* jmemmgr.c pads rows to 2 * ALIGN_SIZE samples for 2x upsampling. */
    size_t row = ((size_t)samplesperrow + 2 * JALIGN - 1) & ~(size_t)(2 * JALIGN - 1);
    return (JSAMPARRAY)alloc_rows(c, pool_id, row * sizeof(JSAMPLE), numrows);
}

static JBLOCKARRAY m_alloc_barray(j_common_ptr c, int pool_id, JDIMENSION blocksperrow,
                                  JDIMENSION numrows)
{
    size_t row;
    if (!lf_mul_size(blocksperrow, sizeof(JBLOCK), &row)) jfail(c, JERR_WIDTH_OVERFLOW);
    return (JBLOCKARRAY)alloc_rows(c, pool_id, row, numrows);
}

static jvirt_sarray_ptr m_request_virt_sarray(j_common_ptr c, int pool_id, boolean pre_zero,
                                              JDIMENSION samplesperrow, JDIMENSION numrows,
                                              JDIMENSION maxaccess)
{
    (void)pre_zero; /* every block is zeroed */
    jpeg_job *j = job_of(c);
    if (pool_id != JPOOL_IMAGE) jfail1(c, JERR_BAD_POOL_ID, pool_id);
    jvirt_sarray_ptr v = pool_alloc(c, pool_id, sizeof *v);
    v->rows_in_array = numrows;
    v->samplesperrow = samplesperrow;
    v->maxaccess = maxaccess;
    v->next = j->vs;
    j->vs = v;
    return v;
}

static jvirt_barray_ptr m_request_virt_barray(j_common_ptr c, int pool_id, boolean pre_zero,
                                              JDIMENSION blocksperrow, JDIMENSION numrows,
                                              JDIMENSION maxaccess)
{
    (void)pre_zero;
    jpeg_job *j = job_of(c);
    if (pool_id != JPOOL_IMAGE) jfail1(c, JERR_BAD_POOL_ID, pool_id);
    jvirt_barray_ptr v = pool_alloc(c, pool_id, sizeof *v);
    v->rows_in_array = numrows;
    v->blocksperrow = blocksperrow;
    v->maxaccess = maxaccess;
    v->next = j->vb;
    j->vb = v;
    return v;
}

static void m_realize_virt_arrays(j_common_ptr c)
{
    jpeg_job *j = job_of(c);
    for (jvirt_sarray_ptr v = j->vs; v; v = v->next)
        if (!v->mem_buffer)
            v->mem_buffer = m_alloc_sarray(c, JPOOL_IMAGE, v->samplesperrow, v->rows_in_array);
    for (jvirt_barray_ptr v = j->vb; v; v = v->next)
        if (!v->mem_buffer)
            v->mem_buffer = m_alloc_barray(c, JPOOL_IMAGE, v->blocksperrow, v->rows_in_array);
}

/* The same checks as jmemmgr.c: a window inside the array, no larger than
 * announced, on a realized array. */
static int bad_window(JDIMENSION rows, JDIMENSION maxaccess, const void *buf, JDIMENSION start,
                      JDIMENSION n)
{
    return !buf || n > maxaccess || n > rows || start > rows - n;
}

static JSAMPARRAY m_access_virt_sarray(j_common_ptr c, jvirt_sarray_ptr v, JDIMENSION start,
                                       JDIMENSION n, boolean writable)
{
    (void)writable;
    if (bad_window(v->rows_in_array, v->maxaccess, v->mem_buffer, start, n))
        jfail(c, JERR_BAD_VIRTUAL_ACCESS);
    return v->mem_buffer + start;
}

static JBLOCKARRAY m_access_virt_barray(j_common_ptr c, jvirt_barray_ptr v, JDIMENSION start,
                                        JDIMENSION n, boolean writable)
{
    (void)writable;
    if (bad_window(v->rows_in_array, v->maxaccess, v->mem_buffer, start, n))
        jfail(c, JERR_BAD_VIRTUAL_ACCESS);
    return v->mem_buffer + start;
}

static void free_chain(jpeg_job *j, int pool_id)
{
    jblock *b = j->pool[pool_id];
    j->pool[pool_id] = NULL;
    while (b) {
        jblock *next = b->next;
        j->live -= b->size;
        lf_free_wipe(j->a, b, JHDR + b->size);
        b = next;
    }
}

static void m_free_pool(j_common_ptr c, int pool_id)
{
    jpeg_job *j = job_of(c);
    if (pool_id < 0 || pool_id >= JPOOL_NUMPOOLS) jfail1(c, JERR_BAD_POOL_ID, pool_id);
    if (pool_id == JPOOL_IMAGE) { /* the control blocks live in this pool */
        j->vs = NULL;
        j->vb = NULL;
    }
    free_chain(j, pool_id);
}

/* Called by jpeg_destroy: ours first, then libjpeg's own manager, which
 * finds itself through cinfo->mem. */
static void m_self_destruct(j_common_ptr c)
{
    jpeg_job *j = job_of(c);
    j->vs = NULL;
    j->vb = NULL;
    for (int p = JPOOL_NUMPOOLS - 1; p >= 0; p--) free_chain(j, p);
    c->mem = j->orig;
    (*c->mem->self_destruct)(c);
}

static void install_manager(jpeg_job *j)
{
    j->orig = j->cinfo.mem;
    j->mgr = (struct jpeg_memory_mgr){
        .alloc_small = m_alloc_small,
        .alloc_large = m_alloc_large,
        .alloc_sarray = m_alloc_sarray,
        .alloc_barray = m_alloc_barray,
        .request_virt_sarray = m_request_virt_sarray,
        .request_virt_barray = m_request_virt_barray,
        .realize_virt_arrays = m_realize_virt_arrays,
        .access_virt_sarray = m_access_virt_sarray,
        .access_virt_barray = m_access_virt_barray,
        .free_pool = m_free_pool,
        .self_destruct = m_self_destruct,
        .max_memory_to_use = 0,
        .max_alloc_chunk = j->orig->max_alloc_chunk,
    };
    j->cinfo.mem = &j->mgr;
}

/* ---------------------------------------------------------------- decode */

/* libjpeg's working memory for the frame just read: full-image coefficient
 * buffers (progressive and multi-scan files; 128 bytes per 8x8 block of
 * each component, padded to whole MCUs) plus strip buffers of a few MCU
 * rows per component (sample rows, context rows for upsampling, colour
 * conversion), plus fixed tables. Sized from the header so a file cannot
 * make libjpeg use more than an honest file of its dimensions would. */
static size_t working_budget(j_decompress_ptr d)
{
    size_t coef = 0, strips = 0, b;
    for (int ci = 0; ci < d->num_components; ci++) {
        const jpeg_component_info *cp = &d->comp_info[ci];
        size_t wb = ((size_t)cp->width_in_blocks + 3) & ~(size_t)3; /* h_samp <= 4 */
        size_t hb = ((size_t)cp->height_in_blocks + 3) & ~(size_t)3;
        if (!lf_mul_size(wb, hb, &b) || !lf_mul_size(b, sizeof(JBLOCK), &b) ||
            !lf_add_size(coef, b, &coef))
            return SIZE_MAX;
        /* Up to 4 block rows of 8 samples per MCU row, a handful of copies. */
        if (!lf_mul_size(wb * 8 + 2 * JALIGN, 4 * 8 * 8, &b) || !lf_add_size(strips, b, &strips))
            return SIZE_MAX;
    }
    /* Output-side rows: 4 bytes per pixel (CMYK), two rows for merged
     * upsampling, plus the row pointers. */
    if (!lf_mul_size((size_t)d->image_width + 2 * JALIGN, 4 * 4, &b) || !lf_add_size(strips, b, &b))
        return SIZE_MAX;
    if (!lf_add_size(coef, b, &b) || !lf_add_size(b, (size_t)1 << 20, &b)) return SIZE_MAX;
    return b;
}

/* 0..255 * 0..255 / 255, rounded. */
static uint8_t mul255(unsigned x, unsigned y)
{
    unsigned t = x * y + 128;
    return (uint8_t)((t + (t >> 8)) >> 8);
}

static void cmyk_to_rgb(const uint8_t *src, uint8_t *dst, int w, int inverted)
{
    for (int x = 0; x < w; x++, src += 4, dst += 3) {
        unsigned cc = src[0], m = src[1], y = src[2], k = src[3];
        if (!inverted) {
            cc = 255 - cc;
            m = 255 - m;
            y = 255 - y;
            k = 255 - k;
        }
        dst[0] = mul255(cc, k);
        dst[1] = mul255(m, k);
        dst[2] = mul255(y, k);
    }
}

/* Runs libjpeg; returns through longjmp on every failure. Its frame holds
 * no allocation (everything is reachable from *j), so the jump leaks
 * nothing. */
static face_status jpeg_run(jpeg_job *j, const uint8_t *buf, size_t len)
{
    j_decompress_ptr d = &j->cinfo;
    if (setjmp(j->jb)) return j->status;

    d->err = jpeg_std_error(&j->jerr);
    j->jerr.error_exit = on_error_exit;
    j->jerr.emit_message = on_emit_message;
    j->jerr.output_message = on_output_message;
    d->client_data = j;
    j->budget = (size_t)64 << 10; /* header state: tables, marker reader */
    j->created = 1;
    jpeg_create_decompress(d);
    install_manager(j);
    j->progress.progress_monitor = on_progress;
    d->progress = &j->progress;

    jpeg_mem_src(d, buf, (unsigned long)len);
    jpeg_read_header(d, TRUE);
    j->width = (int)d->image_width;
    j->height = (int)d->image_height;
    if (j->width > LF_DECODE_MAX_SIDE || j->height > LF_DECODE_MAX_SIDE ||
        (int64_t)j->width * j->height > j->max_pixels) {
        snprintf(j->msg, sizeof j->msg, "%dx%d image, limit %lld pixels", j->width, j->height,
                 (long long)j->max_pixels);
        job_fail(j, FACE_ERR_LIMIT);
    }
    if (j->width == 0 || j->height == 0) jfail((j_common_ptr)d, JERR_EMPTY_IMAGE);

    int cmyk = d->jpeg_color_space == JCS_CMYK || d->jpeg_color_space == JCS_YCCK;
    d->out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    /* Capped per pixel too: with the RGB output (3 B/px) live at the same
     * time, a decode never holds more than 12 B/px + 1 MiB, which is what
     * docs/hardening.md promises. Honest files need at most 8 B/px of
     * coefficients (4 full-resolution components); only frames whose MCU
     * padding dwarfs the image (say 65535x16, progressive, 4x4 sampling)
     * hit the cap, and they fail with FACE_ERR_LIMIT. */
    size_t cap = (size_t)j->width * (size_t)j->height * 9 + ((size_t)1 << 20);
    j->budget = working_budget(d);
    if (j->budget > cap) j->budget = cap;
    if (j->budget_override) j->budget = j->budget_override;
    if (j->budget < j->live) j->budget = j->live;

    jpeg_start_decompress(d); /* progressive files are read whole here */
    if ((int)d->output_width != j->width || (int)d->output_height != j->height ||
        d->output_components != (cmyk ? 4 : 3)) {
        snprintf(j->msg, sizeof j->msg, "unexpected output %ux%u x%d", d->output_width,
                 d->output_height, d->output_components);
        job_fail(j, FACE_ERR_CORRUPT);
    }

    size_t stride = (size_t)j->width * 3;
    j->dst_bytes = stride * (size_t)j->height; /* <= 2^16 * 2^16 * 3: fits */
    j->dst = lf_alloc(j->a, j->dst_bytes, LF_ALIGN);
    if (!j->dst) {
        snprintf(j->msg, sizeof j->msg, "%zu bytes of pixels", j->dst_bytes);
        job_fail(j, FACE_ERR_OUT_OF_MEMORY);
    }
    JSAMPARRAY tmp = cmyk ? (*d->mem->alloc_sarray)((j_common_ptr)d, JPOOL_IMAGE,
                                                    (JDIMENSION)j->width * 4, 1)
                          : NULL;
    while (d->output_scanline < d->output_height) {
        size_t y = d->output_scanline;
        JSAMPROW row = cmyk ? tmp[0] : j->dst + y * stride;
        if (jpeg_read_scanlines(d, &row, 1) != 1) jfail((j_common_ptr)d, JERR_INPUT_EOF);
        if (cmyk) cmyk_to_rgb(row, j->dst + y * stride, j->width, d->saw_Adobe_marker);
    }
    /* No jpeg_finish_decompress: it only reads on to EOI, and what follows
     * the last scan cannot change the pixels. */
    j->status = FACE_OK;
    return FACE_OK;
}

face_status lf_jpeg_decode(const lf_allocator *a, int64_t max_pixels, size_t budget,
                           const void *buf, size_t len, face_image *out, size_t *peak,
                           lf_error *err)
{
    /* Big (libjpeg's state is ~1 KiB, the jmp_buf ~200 B) but bounded; a
     * decode runs on the caller's stack like every other call. */
    jpeg_job j;
    memset(&j, 0, sizeof j);
    j.a = a;
    j.max_pixels = max_pixels;
    j.budget_override = budget;
    face_status st = jpeg_run(&j, buf, len);
    /* A frame header that asks for too much wins over damage later on (a
     * forged header with nothing after it is refused as too large, as the
     * PNG and BMP paths do). Not when the data ran out: libjpeg then reads
     * its filler (an EOI marker, FF D9) as the missing header bytes. */
    if (st == FACE_ERR_CORRUPT && !j.ran_out &&
        (int64_t)j.cinfo.image_width * j.cinfo.image_height > max_pixels) {
        snprintf(j.msg, sizeof j.msg, "%ux%u image, limit %lld pixels", j.cinfo.image_width,
                 j.cinfo.image_height, (long long)max_pixels);
        st = FACE_ERR_LIMIT;
    }
    if (j.created) jpeg_destroy_decompress(&j.cinfo); /* frees and wipes every pool */
    if (peak) *peak = j.peak;
    if (st != FACE_OK) {
        if (j.dst) lf_free_wipe(a, j.dst, j.dst_bytes);
        if (st == FACE_ERR_LIMIT) return LF_FAIL(err, st, "JPEG: %s", j.msg);
        if (st == FACE_ERR_OUT_OF_MEMORY) return LF_FAIL(err, st, "JPEG: %s", j.msg);
        return LF_FAIL(err, st, "cannot decode JPEG (%s)", j.msg[0] ? j.msg : "damaged data");
    }
    out->format = FACE_PIXEL_RGB24;
    out->width = j.width;
    out->height = j.height;
    out->stride = 3 * j.width;
    out->data = j.dst;
    return FACE_OK;
}
