/* Encoded image -> RGB24, for photos that come from anywhere.
 *
 * JPEG (FF D8) goes to libjpeg-turbo (jpeg.c), everything else to stb_image
 * (PNG and BMP only, stbi_impl.c). Order matters: size limits first (cheap,
 * no allocation), then the header dimensions against max_pixels (each
 * decoder reads only the header), then the decode under an allocation
 * budget sized from those dimensions. Only after all of that does the
 * caller's allocator see a pixel-sized request. */
#include <limits.h>
#include <string.h>

#include "base/decode.h"

/* Budget for stb's header-only pass (PNG and BMP allocate little there). */
#define INFO_BUDGET ((size_t)1 << 20)

static void image_reset(face_image *img)
{
    memset(img, 0, sizeof *img);
    img->struct_size = sizeof *img;
}

/* Live-byte budget for the full decode. stb's worst case is a 16-bit RGBA
 * PNG: the inflated scanlines (8 B/px), the unfiltered image (8 B/px), then
 * 8-bit and 3-channel conversions (4 + 3 B/px), plus the IDAT copy (< len).
 * 24 B/px + 2 len + slack covers that with room; a zlib stream that inflates
 * past it cannot be a genuine image of this size. */
static size_t decode_budget(int w, int h, size_t len)
{
    size_t px = (size_t)w * (size_t)h, b;
    if (!lf_mul_size(px, 24, &b)) return SIZE_MAX;
    if (!lf_add_size(b, 2 * len, &b)) return SIZE_MAX;
    if (!lf_add_size(b, (size_t)4 << 20, &b)) return SIZE_MAX;
    return b;
}

static int reason_is_limit(const char *r) { return strcmp(r, "too large") == 0; }

face_status lf_image_decode(const lf_allocator *a, int64_t max_pixels, size_t max_file_bytes,
                            const void *buf, size_t len, face_image *out, lf_error *err)
{
    if (!out) return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "NULL out");
    image_reset(out);
    if (!a || !buf) return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "NULL allocator or data");
    if (len == 0) return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "empty input");
    if (max_pixels <= 0) return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "max_pixels <= 0");
    if (len > max_file_bytes)
        return LF_FAIL(err, FACE_ERR_LIMIT, "%zu bytes, limit %zu", len, max_file_bytes);
    const uint8_t *b = buf;
    if (len >= 2 && b[0] == 0xFF && b[1] == 0xD8)
        return lf_jpeg_decode(a, max_pixels, 0, buf, len, out, NULL, err);
    /* stb takes an int length. */
    if (len > (size_t)INT_MAX)
        return LF_FAIL(err, FACE_ERR_LIMIT, "%zu bytes, more than the decoder takes", len);

    lf_stbi_ctx ctx = {.a = a, .budget = INFO_BUDGET};
    int w = 0, h = 0;
    if (!lf_stbi_info(&ctx, buf, (int)len, &w, &h)) {
        const char *r = lf_stbi_reason();
        if (reason_is_limit(r))
            return LF_FAIL(err, FACE_ERR_LIMIT, "image header exceeds %d pixels per side",
                           LF_DECODE_MAX_SIDE);
        if (ctx.out_of_memory) return LF_FAIL(err, FACE_ERR_OUT_OF_MEMORY, "reading header");
        return LF_FAIL(err, FACE_ERR_CORRUPT, "not a JPEG, PNG or BMP image (%s)",
                       *r ? r : "unrecognised header");
    }
    /* stb's BMP header pass reports a top-down BMP's height as negative
     * (its loader takes the absolute value); INT_MIN has none. */
    if (h == INT_MIN) return LF_FAIL(err, FACE_ERR_LIMIT, "image height out of range");
    if (h < 0) h = -h;
    if (w <= 0 || h == 0) return LF_FAIL(err, FACE_ERR_CORRUPT, "image has no pixels (%dx%d)", w, h);
    /* stb's BMP header pass does not apply STBI_MAX_DIMENSIONS. */
    if (w > LF_DECODE_MAX_SIDE || h > LF_DECODE_MAX_SIDE)
        return LF_FAIL(err, FACE_ERR_LIMIT, "%dx%d image, limit %d per side", w, h,
                       LF_DECODE_MAX_SIDE);
    if ((int64_t)w * h > max_pixels)
        return LF_FAIL(err, FACE_ERR_LIMIT, "%dx%d image, limit %lld pixels", w, h,
                       (long long)max_pixels);

    ctx = (lf_stbi_ctx){.a = a, .budget = decode_budget(w, h, len)};
    int dw = 0, dh = 0;
    uint8_t *px = lf_stbi_load_rgb(&ctx, buf, (int)len, &dw, &dh);
    if (!px) {
        const char *r = lf_stbi_reason();
        if (ctx.over_budget)
            return LF_FAIL(err, FACE_ERR_LIMIT, "decoding %dx%d needs more memory than allowed",
                           w, h);
        if (ctx.out_of_memory) return LF_FAIL(err, FACE_ERR_OUT_OF_MEMORY, "decoding %dx%d", w, h);
        if (reason_is_limit(r)) return LF_FAIL(err, FACE_ERR_LIMIT, "image too large");
        return LF_FAIL(err, FACE_ERR_CORRUPT, "cannot decode %dx%d image (%s)", w, h,
                       *r ? r : "damaged data");
    }
    /* The header pass and the decode read the same bytes; a disagreement
     * means a parser bug or a file crafted to exploit one. */
    if (dw != w || dh != h) {
        lf_stbi_release(&ctx, px);
        return LF_FAIL(err, FACE_ERR_CORRUPT, "header says %dx%d, decoded %dx%d", w, h, dw, dh);
    }
    size_t bytes = (size_t)w * (size_t)h * 3; /* <= 2^16 * 2^16 * 3: fits */
    uint8_t *dst = lf_alloc(a, bytes, LF_ALIGN);
    if (!dst) {
        lf_stbi_release(&ctx, px);
        return LF_FAIL(err, FACE_ERR_OUT_OF_MEMORY, "%zu bytes of pixels", bytes);
    }
    memcpy(dst, px, bytes);
    lf_stbi_release(&ctx, px);
    out->format = FACE_PIXEL_RGB24;
    out->width = w;
    out->height = h;
    out->stride = 3 * w;
    out->data = dst;
    return FACE_OK;
}

void lf_image_release(const lf_allocator *a, face_image *img)
{
    if (!img) return;
    if (a && img->data && img->stride > 0 && img->height > 0)
        lf_free_wipe(a, (void *)(uintptr_t)img->data, (size_t)img->stride * (size_t)img->height);
    image_reset(img);
}
