/* The only translation unit that compiles stb_image, for PNG and BMP.
 *
 * The header is Debian's, unmodified (libstb-dev, stb_image 2.27). Its JPEG
 * decoder has memory-safety bugs that cannot be guarded against from
 * outside, so JPEG goes to libjpeg-turbo (jpeg.c) and stb is built with PNG
 * and BMP only: every extra parser is attack surface for input we do not
 * need. stb's allocation macros go to the allocator of the call in progress
 * through a thread-local pointer: stb has no context argument, and one
 * decode runs entirely on the calling thread. Each block carries its size
 * in a header because stb's free and realloc do not pass it and lf_free
 * needs it. */
#include <string.h>

#include "base/base.h"
#include "base/decode.h"

static _Thread_local lf_stbi_ctx *tl_ctx;

/* 16 bytes keep the payload as aligned as malloc's would be, which stb's
 * SSE2 paths assume for nothing but we keep anyway. */
#define BLOCK_HDR 16u

static void *blk_alloc(size_t n)
{
    lf_stbi_ctx *c = tl_ctx;
    size_t total;
    if (!c || n == 0 || !lf_add_size(n, BLOCK_HDR, &total)) return NULL;
    if (n > c->budget || c->live > c->budget - n) {
        c->over_budget = 1;
        return NULL;
    }
    uint8_t *p = lf_alloc(c->a, total, BLOCK_HDR);
    if (!p) {
        c->out_of_memory = 1;
        return NULL;
    }
    /* Zeroed: should stb ever read a buffer it did not fill (it did with
     * JPEG frames without a scan), it must not show what the allocator's
     * memory held before, such as an earlier photo. */
    memset(p + BLOCK_HDR, 0, n);
    memcpy(p, &n, sizeof n);
    c->live += n;
    if (c->live > c->peak) c->peak = c->live;
    return p + BLOCK_HDR;
}

static size_t blk_size(const void *q)
{
    size_t n;
    memcpy(&n, (const uint8_t *)q - BLOCK_HDR, sizeof n);
    return n;
}

/* Decoder buffers hold pixels or entropy-coded photos: always wiped. */
static void blk_free(void *q)
{
    lf_stbi_ctx *c = tl_ctx;
    if (!q || !c) return;
    size_t n = blk_size(q);
    c->live -= n;
    lf_free_wipe(c->a, (uint8_t *)q - BLOCK_HDR, n + BLOCK_HDR);
}

static void *blk_realloc(void *q, size_t n)
{
    if (!q) return blk_alloc(n);
    if (n == 0) {
        blk_free(q);
        return NULL;
    }
    size_t old = blk_size(q);
    void *r = blk_alloc(n);
    if (!r) return NULL; /* stb keeps and later frees q, as with realloc */
    memcpy(r, q, old < n ? old : n);
    blk_free(q);
    return r;
}

#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_NO_STDIO
#define STBI_NO_HDR
#define STBI_NO_LINEAR
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#define STBI_MAX_DIMENSIONS LF_DECODE_MAX_SIDE
#define STBI_MALLOC(sz) blk_alloc(sz)
#define STBI_REALLOC(p, sz) blk_realloc(p, sz)
#define STBI_FREE(p) blk_free(p)
/* stb asserts internal invariants; a Debug build must not abort on input
 * that a release build (NDEBUG) handles, so both behave the same. */
#define STBI_ASSERT(x) ((void)0)
#include <stb_image.h>

int lf_stbi_info(lf_stbi_ctx *ctx, const uint8_t *buf, int len, int *w, int *h)
{
    /* Dispatch on the signature ourselves instead of stbi_info_from_memory:
     * that one tries every format in turn, so a PNG refused as "too large"
     * ends up reported as "unknown image type" by the BMP probe, and the
     * caller could not tell a limit from damage. The signatures are disjoint
     * and are the same tests stbi_load_from_memory applies. */
    static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    stbi__context s;
    int comp = 0, ok = 0;
    stbi__start_mem(&s, buf, len);
    tl_ctx = ctx;
    stbi__g_failure_reason = NULL;
    if (len >= 8 && memcmp(buf, png_sig, 8) == 0)
        ok = stbi__png_info(&s, w, h, &comp);
    else if (len >= 2 && buf[0] == 'B' && buf[1] == 'M')
        ok = stbi__bmp_info(&s, w, h, &comp);
    else
        stbi__err("unknown image type", "Image not of any known type, or corrupt");
    tl_ctx = NULL;
    return ok;
}

/* stb_image 2.27 computes idata + ioff with idata still NULL when the first
 * IDAT chunk is empty (undefined pointer arithmetic, found by the fuzzer;
 * tests/fuzz/image_decode/crash-stb-png-empty-idat). Such files are legal
 * but never written by real encoders, so they are refused before stb sees
 * them rather than patching stb. The walk only reads chunk headers inside
 * the buffer; a truncated chunk table is left to stb to report. */
static int png_has_empty_first_idat(const uint8_t *buf, int len)
{
    static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (len < 8 || memcmp(buf, png_sig, 8) != 0) return 0;
    size_t pos = 8, n = (size_t)len;
    while (pos + 8 <= n) {
        uint32_t clen = (uint32_t)buf[pos] << 24 | (uint32_t)buf[pos + 1] << 16 |
                        (uint32_t)buf[pos + 2] << 8 | buf[pos + 3];
        const uint8_t *type = buf + pos + 4;
        if (memcmp(type, "IDAT", 4) == 0) return clen == 0;
        if (memcmp(type, "IEND", 4) == 0) return 0;
        if (clen > n - pos - 8) return 0;
        pos += 12 + (size_t)clen;
    }
    return 0;
}

uint8_t *lf_stbi_load_rgb(lf_stbi_ctx *ctx, const uint8_t *buf, int len, int *w, int *h)
{
    int comp = 0;
    if (png_has_empty_first_idat(buf, len)) {
        stbi__g_failure_reason = "empty first IDAT chunk";
        return NULL;
    }
    tl_ctx = ctx;
    stbi__g_failure_reason = NULL;
    uint8_t *px = stbi_load_from_memory(buf, len, w, h, &comp, 3);
    tl_ctx = NULL;
    return px;
}

void lf_stbi_release(lf_stbi_ctx *ctx, uint8_t *pixels)
{
    tl_ctx = ctx;
    stbi_image_free(pixels);
    tl_ctx = NULL;
}

const char *lf_stbi_reason(void)
{
    const char *r = stbi_failure_reason();
    return r ? r : "";
}
