/* Decoding of untrusted encoded images (JPEG, PNG, BMP) into RGB24.
 * Private header; never installed.
 *
 * JPEG goes to the system libjpeg-turbo (lib/base/jpeg.c), PNG and BMP to
 * the system stb_image (lib/base/stbi_impl.c). Both draw every allocation
 * from the caller's allocator under a budget derived from the image header,
 * so a forged header or a compression bomb fails with FACE_ERR_LIMIT
 * instead of allocating gigabytes. */
#ifndef LF_DECODE_H
#define LF_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "face/face.h"

/* Most scans a progressive JPEG may have (TurboJPEG's TJFLAG_LIMITSCANS
 * uses the same number); each one is a pass over the whole image. */
#define LF_JPEG_MAX_SCANS 500

/* Longest side accepted. Larger headers are refused before any
 * pixel memory is allocated. */
#define LF_DECODE_MAX_SIDE (1 << 16)

/* Decode buf[0..len) into *out: FACE_PIXEL_RGB24, stride = 3 * width, pixels
 * allocated with lf_alloc(a) (release with lf_image_release).
 * Checks len <= max_file_bytes, then the header's width * height <=
 * max_pixels, and only then decodes.
 * Returns FACE_OK; FACE_ERR_INVALID_ARGUMENT (NULL a/buf/out, len 0,
 * max_pixels <= 0); FACE_ERR_LIMIT (file or image too large); FACE_ERR_CORRUPT
 * (unknown format, damaged or truncated data); FACE_ERR_OUT_OF_MEMORY.
 * On error *out is zeroed (struct_size set) and nothing stays allocated. */
face_status lf_image_decode(const lf_allocator *a, int64_t max_pixels, size_t max_file_bytes,
                            const void *buf, size_t len, face_image *out, lf_error *err);

/* Wipe and free the pixels of an image from lf_image_decode and zero *img
 * (struct_size kept). NULL or an already released image is a no-op. */
void lf_image_release(const lf_allocator *a, face_image *img);

/* ---------------------------------------------------------------- JPEG
 * lf_image_decode's JPEG path, for buffers starting with FF D8. len and
 * max_pixels are already validated. budget: most bytes libjpeg may hold at
 * once; 0 sizes it from the frame header (tests pass a small one to reach
 * the limit). *peak (may be NULL) gets the most it held. Same statuses and
 * same all-or-nothing contract as lf_image_decode. */
face_status lf_jpeg_decode(const lf_allocator *a, int64_t max_pixels, size_t budget,
                           const void *buf, size_t len, face_image *out, size_t *peak,
                           lf_error *err);

/* ---------------------------------------------------------------- stb glue
 * Between decode.c and stbi_impl.c only. All stb allocations made during one
 * of these calls go to ctx->a; a request that would take the live total past
 * ctx->budget fails (and sets over_budget), which stb reports as an error. */
typedef struct lf_stbi_ctx {
    const lf_allocator *a;
    size_t budget;     /* max live bytes */
    size_t live;       /* bytes live now */
    size_t peak;       /* most bytes live at once */
    int over_budget;   /* a request was refused for the budget */
    int out_of_memory; /* the allocator itself failed */
} lf_stbi_ctx;

/* stbi_info_from_memory: 1 with *w, *h filled, 0 on failure. */
int lf_stbi_info(lf_stbi_ctx *ctx, const uint8_t *buf, int len, int *w, int *h);
/* stbi_load_from_memory with 3 channels; NULL on failure. */
uint8_t *lf_stbi_load_rgb(lf_stbi_ctx *ctx, const uint8_t *buf, int len, int *w, int *h);
/* Wipe and free a result of lf_stbi_load_rgb. */
void lf_stbi_release(lf_stbi_ctx *ctx, uint8_t *pixels);
/* stb's reason for this thread's last failure ("too large", ...), or "". */
const char *lf_stbi_reason(void);

#endif /* LF_DECODE_H */
