/* Fuzz lf_image_decode (stb_image JPEG/PNG/BMP under an allocation budget).
 *
 * Invariants beyond "no crash": the status is one of the documented ones; on
 * success the image is RGB24 within the pixel limit and every pixel byte is
 * readable (ASan checks the read); on failure nothing stays allocated (the
 * counting allocator must be back to zero live bytes) and *out is zeroed. */
#include <string.h>

#include "base/decode.h"
#include "fuzz.h"

/* Small enough that the fuzzer spends its time in the parsers rather than in
 * filling huge images, large enough for every format's multi-block paths. */
#define FZ_MAX_PIXELS ((int64_t)1 << 20)
#define FZ_MAX_FILE ((size_t)1 << 20)

typedef struct counter {
    size_t live;
    size_t peak;
} counter;

static void *c_alloc(void *opaque, size_t size, size_t align)
{
    counter *c = opaque;
    void *p = NULL;
    if (align < sizeof(void *)) align = sizeof(void *);
    if (posix_memalign(&p, align, size) != 0) return NULL;
    c->live += size;
    if (c->live > c->peak) c->peak = c->live;
    return p;
}

static void c_free(void *opaque, void *p, size_t size)
{
    counter *c = opaque;
    if (!p) return;
    FZ_CHECK(c->live >= size);
    c->live -= size;
    free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    counter c = {0, 0};
    lf_allocator a = {c_alloc, c_free, &c};
    face_image img;
    lf_error err;
    memset(&err, 0, sizeof err);
    face_status st = lf_image_decode(&a, FZ_MAX_PIXELS, FZ_MAX_FILE, data, size, &img, &err);
    if (st == FACE_OK) {
        FZ_CHECK(img.format == FACE_PIXEL_RGB24);
        FZ_CHECK(img.width > 0 && img.height > 0);
        FZ_CHECK((int64_t)img.width * img.height <= FZ_MAX_PIXELS);
        FZ_CHECK(img.stride == 3 * img.width);
        /* Touch every byte: an undersized buffer shows up as an ASan report. */
        unsigned sum = 0;
        for (size_t i = 0; i < (size_t)img.stride * (size_t)img.height; i++) sum += img.data[i];
        FZ_CHECK(sum != 0xFFFFFFFFu || img.width > 0);
        lf_image_release(&a, &img);
        FZ_CHECK(img.data == NULL);
    } else {
        FZ_CHECK(st == FACE_ERR_INVALID_ARGUMENT || st == FACE_ERR_LIMIT ||
                 st == FACE_ERR_CORRUPT || st == FACE_ERR_OUT_OF_MEMORY);
        FZ_CHECK(img.data == NULL && img.width == 0 && img.height == 0);
    }
    /* The budget is derived from the header's size: a decode never holds
     * more than a small multiple of the pixel limit. */
    FZ_CHECK(c.peak <= (size_t)FZ_MAX_PIXELS * 3 * 4 + ((size_t)1 << 20));
    FZ_CHECK(c.live == 0);
    return 0;
}

int fz_make_seeds(const char *dir)
{
    (void)dir; /* tests/fuzz/make_seeds.py writes these seeds */
    return 0;
}
