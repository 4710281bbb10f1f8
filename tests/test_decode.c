/* Image decoding of untrusted input (lib/base/decode.c).
 *
 * Images are made here: BMPs by hand, PNG containers by hand (for forged
 * headers and a compression bomb), PNG pixels with stb_image_write, JPEGs
 * embedded below.
 * A counting allocator shows that limits are enforced before memory is
 * spent, and that every path gives back everything it took. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "base/base.h"
#include "base/decode.h"

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#endif
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include <stb/stb_image_write.h>
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* ---------------------------------------------------------------- counting allocator */

typedef struct counter {
    size_t live, peak, largest, n_alloc;
    long fail_at;
    uint8_t fill;
} counter;

static void *c_alloc(void *opaque, size_t size, size_t align)
{
    counter *c = opaque;
    long idx = (long)c->n_alloc++;
    if (c->fail_at >= 0 && idx == c->fail_at) return NULL;
    void *p = NULL;
    if (align < sizeof(void *)) align = sizeof(void *);
    if (posix_memalign(&p, align, size) != 0) return NULL;
    memset(p, c->fill, size); /* garbage the decoder must never show */
    c->live += size;
    if (c->live > c->peak) c->peak = c->live;
    if (size > c->largest) c->largest = size;
    return p;
}

static void c_free(void *opaque, void *ptr, size_t size)
{
    counter *c = opaque;
    assert_true(c->live >= size);
    c->live -= size;
    free(ptr);
}

static lf_allocator counting(counter *c)
{
    memset(c, 0, sizeof *c);
    c->fail_at = -1;
    c->fill = 0xA5;
    lf_allocator a = {c_alloc, c_free, c};
    return a;
}

#define MAXPX ((int64_t)1 << 16)
#define MAXFILE ((size_t)1 << 24)

/* Decode, and check the invariants every result must satisfy. */
static face_status dec(counter *c, const void *buf, size_t len, int64_t max_pixels,
                       face_image *img)
{
    lf_allocator a = counting(c);
    lf_error err;
    face_status st = lf_image_decode(&a, max_pixels, MAXFILE, buf, len, img, &err);
    assert_int_equal(img->struct_size, sizeof *img);
    if (st == FACE_OK) {
        assert_int_equal(img->format, FACE_PIXEL_RGB24);
        assert_true(img->width > 0 && img->height > 0);
        assert_int_equal(img->stride, 3 * img->width);
        assert_true((int64_t)img->width * img->height <= max_pixels);
        assert_non_null(img->data);
        assert_int_equal(c->live, (size_t)img->stride * (size_t)img->height);
    } else {
        if (getenv("TEST_DECODE_VERBOSE")) print_message("decode: %s\n", err.msg);
        assert_null(img->data);
        assert_int_equal(c->live, 0);
        assert_true(err.msg[0] != '\0');
    }
    return st;
}

static void release(counter *c, face_image *img)
{
    lf_allocator a = {c_alloc, c_free, c};
    lf_image_release(&a, img);
    assert_null(img->data);
    assert_int_equal(c->live, 0);
}

/* ---------------------------------------------------------------- image makers */

static uint8_t pat(int x, int y, int ch)
{
    switch (ch) {
    case 0: return (uint8_t)(x * 37 + y * 11);
    case 1: return (uint8_t)((x * 5) ^ (y * 3));
    default: return (uint8_t)((x + y) * 7 + 1);
    }
}

static uint8_t *pattern_rgb(int w, int h)
{
    uint8_t *p = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) p[(y * w + x) * 3 + c] = pat(x, y, c);
    return p;
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put32be(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (24 - 8 * i));
}

/* 24-bit BMP; rows padded to 4 bytes, bottom-up unless top_down. */
static uint8_t *make_bmp(int w, int h, const uint8_t *rgb, int top_down, size_t *len)
{
    size_t row = ((size_t)w * 3 + 3) & ~(size_t)3;
    size_t n = 54 + row * (size_t)h;
    uint8_t *b = calloc(1, n);
    b[0] = 'B';
    b[1] = 'M';
    put32(b + 2, (uint32_t)n);
    put32(b + 10, 54);
    put32(b + 14, 40);
    put32(b + 18, (uint32_t)w);
    put32(b + 22, top_down ? (uint32_t)-h : (uint32_t)h);
    put16(b + 26, 1);
    put16(b + 28, 24);
    put32(b + 34, (uint32_t)(row * (size_t)h));
    for (int y = 0; y < h; y++) {
        int fy = top_down ? y : h - 1 - y;
        for (int x = 0; x < w; x++) {
            const uint8_t *s = rgb + ((size_t)y * w + x) * 3;
            uint8_t *d = b + 54 + row * (size_t)fy + (size_t)x * 3;
            d[0] = s[2]; /* BGR */
            d[1] = s[1];
            d[2] = s[0];
        }
    }
    *len = n;
    return b;
}

typedef struct membuf {
    uint8_t *p;
    size_t n;
} membuf;

static void mem_write(void *ctx, void *data, int size)
{
    membuf *m = ctx;
    m->p = realloc(m->p, m->n + (size_t)size);
    memcpy(m->p + m->n, data, (size_t)size);
    m->n += (size_t)size;
}

static uint8_t *make_png(int w, int h, int comp, const uint8_t *px, size_t *len)
{
    membuf m = {NULL, 0};
    assert_true(stbi_write_png_to_func(mem_write, &m, w, h, comp, px, w * comp));
    *len = m.n;
    return m.p;
}

/* JPEGs of the 33x24 gradient drawn in test_jpeg_close (R = 40 + 5x,
 * G = 60 + 6y, B = 200 - 2x - 2y), written by PIL at quality 90, baseline
 * and progressive. Embedded because stb_image_write's JPEG encoder has
 * signed-shift undefined behaviour that the sanitizer builds reject. */
#define JPEG_W 33
#define JPEG_H 24
static const uint8_t k_jpeg_baseline[793] = {
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x03, 0x02, 0x02, 0x03, 0x02, 0x02, 0x03,
    0x03, 0x03, 0x03, 0x04, 0x03, 0x03, 0x04, 0x05, 0x08, 0x05, 0x05, 0x04, 0x04, 0x05, 0x0a, 0x07,
    0x07, 0x06, 0x08, 0x0c, 0x0a, 0x0c, 0x0c, 0x0b, 0x0a, 0x0b, 0x0b, 0x0d, 0x0e, 0x12, 0x10, 0x0d,
    0x0e, 0x11, 0x0e, 0x0b, 0x0b, 0x10, 0x16, 0x10, 0x11, 0x13, 0x14, 0x15, 0x15, 0x15, 0x0c, 0x0f,
    0x17, 0x18, 0x16, 0x14, 0x18, 0x12, 0x14, 0x15, 0x14, 0xff, 0xdb, 0x00, 0x43, 0x01, 0x03, 0x04,
    0x04, 0x05, 0x04, 0x05, 0x09, 0x05, 0x05, 0x09, 0x14, 0x0d, 0x0b, 0x0d, 0x14, 0x14, 0x14, 0x14,
    0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14,
    0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14,
    0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0xff, 0xc0,
    0x00, 0x11, 0x08, 0x00, 0x18, 0x00, 0x21, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11,
    0x01, 0xff, 0xc4, 0x00, 0x1f, 0x00, 0x00, 0x01, 0x05, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
    0x0a, 0x0b, 0xff, 0xc4, 0x00, 0xb5, 0x10, 0x00, 0x02, 0x01, 0x03, 0x03, 0x02, 0x04, 0x03, 0x05,
    0x05, 0x04, 0x04, 0x00, 0x00, 0x01, 0x7d, 0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21,
    0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23,
    0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17,
    0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a,
    0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a,
    0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a,
    0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
    0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
    0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5,
    0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1,
    0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xff, 0xc4, 0x00, 0x1f, 0x01, 0x00, 0x03,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0xff, 0xc4, 0x00, 0xb5, 0x11, 0x00,
    0x02, 0x01, 0x02, 0x04, 0x04, 0x03, 0x04, 0x07, 0x05, 0x04, 0x04, 0x00, 0x01, 0x02, 0x77, 0x00,
    0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13,
    0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15,
    0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27,
    0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
    0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
    0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
    0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
    0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4,
    0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2,
    0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9,
    0xfa, 0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3f, 0x00, 0xf0,
    0xfb, 0x3d, 0x07, 0xa7, 0xcb, 0x5b, 0x76, 0x7a, 0x0f, 0x4f, 0x96, 0xba, 0xbb, 0x3d, 0x07, 0xa7,
    0xcb, 0x5b, 0x76, 0x7a, 0x0f, 0x4f, 0x96, 0xbf, 0x63, 0xcc, 0x73, 0xbd, 0xf5, 0x3e, 0x33, 0x27,
    0xcd, 0xb6, 0xd4, 0xe5, 0x2d, 0x34, 0x1e, 0x9f, 0x2d, 0x6d, 0xd9, 0xe8, 0x3d, 0x3e, 0x5a, 0xea,
    0xec, 0xf4, 0x1e, 0x9f, 0x2d, 0x6d, 0xd9, 0xe8, 0x3d, 0x3e, 0x5a, 0xfc, 0xc3, 0x31, 0xce, 0xf7,
    0xd4, 0xfd, 0xcb, 0x27, 0xcd, 0x76, 0xd4, 0xe2, 0x3f, 0xb0, 0x7f, 0xd9, 0xfd, 0x28, 0xaf, 0x46,
    0xfe, 0xc1, 0xff, 0x00, 0x66, 0x8a, 0xf9, 0x5f, 0xed, 0xbf, 0x33, 0xef, 0x3f, 0xb5, 0x7c, 0xcc,
    0x5b, 0x3d, 0x07, 0xa7, 0xcb, 0x5b, 0x76, 0x9a, 0x0f, 0x4f, 0x96, 0x8a, 0x2b, 0xbb, 0x31, 0xc5,
    0xd5, 0xd7, 0x53, 0xfc, 0xfd, 0xc9, 0xf1, 0x15, 0x34, 0xd4, 0xdb, 0xb3, 0xd0, 0x7a, 0x7c, 0xb5,
    0xb7, 0x67, 0xa0, 0xf4, 0xf9, 0x68, 0xa2, 0xbf, 0x30, 0xcc, 0x71, 0x75, 0x75, 0xd4, 0xfd, 0xc7,
    0x27, 0xc4, 0xd4, 0xd3, 0x53, 0x43, 0xfb, 0x07, 0xfd, 0x91, 0x45, 0x14, 0x57, 0xcb, 0x7d, 0x6e,
    0xaf, 0x73, 0xef, 0x7e, 0xb3, 0x53, 0xb9, 0xff, 0xd9,
};
static const uint8_t k_jpeg_progressive[655] = {
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x03, 0x02, 0x02, 0x03, 0x02, 0x02, 0x03,
    0x03, 0x03, 0x03, 0x04, 0x03, 0x03, 0x04, 0x05, 0x08, 0x05, 0x05, 0x04, 0x04, 0x05, 0x0a, 0x07,
    0x07, 0x06, 0x08, 0x0c, 0x0a, 0x0c, 0x0c, 0x0b, 0x0a, 0x0b, 0x0b, 0x0d, 0x0e, 0x12, 0x10, 0x0d,
    0x0e, 0x11, 0x0e, 0x0b, 0x0b, 0x10, 0x16, 0x10, 0x11, 0x13, 0x14, 0x15, 0x15, 0x15, 0x0c, 0x0f,
    0x17, 0x18, 0x16, 0x14, 0x18, 0x12, 0x14, 0x15, 0x14, 0xff, 0xdb, 0x00, 0x43, 0x01, 0x03, 0x04,
    0x04, 0x05, 0x04, 0x05, 0x09, 0x05, 0x05, 0x09, 0x14, 0x0d, 0x0b, 0x0d, 0x14, 0x14, 0x14, 0x14,
    0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14,
    0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14,
    0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0x14, 0xff, 0xc2,
    0x00, 0x11, 0x08, 0x00, 0x18, 0x00, 0x21, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11,
    0x01, 0xff, 0xc4, 0x00, 0x17, 0x00, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x05, 0x06, 0xff, 0xc4, 0x00, 0x17, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
    0x06, 0x03, 0x08, 0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x10, 0x03, 0x10, 0x00, 0x00,
    0x01, 0xe1, 0xed, 0xd6, 0xb6, 0xc4, 0x5c, 0xab, 0x75, 0xad, 0x98, 0xb9, 0xc4, 0x74, 0x62, 0x9e,
    0x8a, 0xd3, 0x7e, 0x7e, 0xba, 0xd2, 0x5e, 0xe6, 0x80, 0x5b, 0xdf, 0xff, 0xc4, 0x00, 0x17, 0x10,
    0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x02, 0x03, 0x13, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x05, 0x02, 0x48, 0x09,
    0x01, 0x60, 0x24, 0x0c, 0x04, 0x80, 0x90, 0x12, 0x02, 0x40, 0xc0, 0x48, 0x0b, 0x01, 0x20, 0x24,
    0x0c, 0x0f, 0xff, 0xc4, 0x00, 0x19, 0x11, 0x00, 0x03, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x03, 0x13, 0x14, 0xff, 0xda, 0x00,
    0x08, 0x01, 0x03, 0x01, 0x01, 0x3f, 0x01, 0x8e, 0xb2, 0x3a, 0x8f, 0x51, 0x1e, 0x8c, 0x47, 0xa3,
    0x1d, 0x18, 0xff, 0xc4, 0x00, 0x19, 0x11, 0x00, 0x03, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x03, 0x13, 0x14, 0xff, 0xda, 0x00,
    0x08, 0x01, 0x02, 0x01, 0x01, 0x3f, 0x01, 0xa2, 0xd2, 0x8b, 0x4f, 0x69, 0x46, 0xac, 0x51, 0xab,
    0x1d, 0x58, 0xff, 0xc4, 0x00, 0x14, 0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x06,
    0x3f, 0x02, 0x7f, 0xff, 0xc4, 0x00, 0x16, 0x10, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x61, 0x71, 0xff, 0xda, 0x00, 0x08, 0x01,
    0x01, 0x00, 0x01, 0x3f, 0x21, 0x8a, 0x29, 0xa2, 0xca, 0x28, 0xa2, 0x8b, 0x28, 0xa6, 0x8a, 0x2c,
    0xbf, 0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x00, 0x00, 0x10, 0x5d,
    0x50, 0x5d, 0x7b, 0xdf, 0xff, 0xc4, 0x00, 0x18, 0x11, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21, 0x31, 0x61, 0x71, 0xff, 0xda,
    0x00, 0x08, 0x01, 0x03, 0x01, 0x01, 0x3f, 0x10, 0xc2, 0xb1, 0xaf, 0x68, 0x2a, 0x2a, 0xec, 0xff,
    0xc4, 0x00, 0x18, 0x11, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x21, 0x31, 0x61, 0x71, 0xff, 0xda, 0x00, 0x08, 0x01, 0x02, 0x01,
    0x01, 0x3f, 0x10, 0xde, 0xb7, 0xaf, 0x6b, 0xea, 0xfa, 0xee, 0xff, 0xc4, 0x00, 0x19, 0x10, 0x01,
    0x01, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x31, 0x10, 0x11, 0x71, 0xf0, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x3f, 0x10, 0x81,
    0x02, 0x44, 0x0f, 0x1a, 0x40, 0x81, 0x02, 0x18, 0x10, 0x24, 0x40, 0x81, 0xc1, 0xff, 0xd9,
};

static uint8_t *jpeg_copy(int progressive, size_t *len)
{
    const uint8_t *src = progressive ? k_jpeg_progressive : k_jpeg_baseline;
    *len = progressive ? sizeof k_jpeg_progressive : sizeof k_jpeg_baseline;
    uint8_t *p = malloc(*len);
    memcpy(p, src, *len);
    return p;
}

/* PNG container by hand, for headers no encoder would write. */
static uint32_t crc32_png(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static void png_chunk(membuf *m, const char *type, const uint8_t *data, size_t n)
{
    uint8_t hdr[8];
    put32be(hdr, (uint32_t)n);
    memcpy(hdr + 4, type, 4);
    mem_write(m, hdr, 8);
    uint8_t *crcbuf = malloc(4 + n);
    memcpy(crcbuf, type, 4);
    if (n) memcpy(crcbuf + 4, data, n);
    uint8_t crc[4];
    put32be(crc, crc32_png(crcbuf, 4 + n));
    free(crcbuf);
    if (n) mem_write(m, (void *)(uintptr_t)data, (int)n);
    mem_write(m, crc, 4);
}

static uint8_t *forged_png(uint32_t w, uint32_t h, uint8_t color_type, const uint8_t *idat,
                           size_t idat_n, size_t *len)
{
    membuf m = {NULL, 0};
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    mem_write(&m, (void *)(uintptr_t)sig, 8);
    uint8_t ihdr[13] = {0};
    put32be(ihdr, w);
    put32be(ihdr + 4, h);
    ihdr[8] = 8; /* bit depth */
    ihdr[9] = color_type;
    png_chunk(&m, "IHDR", ihdr, 13);
    if (idat) png_chunk(&m, "IDAT", idat, idat_n);
    png_chunk(&m, "IEND", NULL, 0);
    *len = m.n;
    return m.p;
}

/* Baseline JPEG up to the frame header: all stb's header pass reads. */
static size_t forged_jpeg(uint8_t *b, uint16_t w, uint16_t h)
{
    static const uint8_t head[] = {0xFF, 0xD8, 0xFF, 0xC0, 0x00, 17, 8};
    size_t n = 0;
    memcpy(b, head, sizeof head);
    n = sizeof head;
    b[n++] = (uint8_t)(h >> 8);
    b[n++] = (uint8_t)h;
    b[n++] = (uint8_t)(w >> 8);
    b[n++] = (uint8_t)w;
    b[n++] = 3;
    for (int c = 1; c <= 3; c++) {
        b[n++] = (uint8_t)c;
        b[n++] = 0x11;
        b[n++] = 0;
    }
    b[n++] = 0xFF;
    b[n++] = 0xD9;
    return n;
}

/* ---------------------------------------------------------------- tests */

static void expect_pixels(const face_image *img, const uint8_t *rgb, int w, int h)
{
    assert_int_equal(img->width, w);
    assert_int_equal(img->height, h);
    assert_memory_equal(img->data, rgb, (size_t)w * h * 3);
}

static void test_bmp_exact(void **state)
{
    (void)state;
    for (int td = 0; td < 2; td++) {
        int w = 7, h = 5; /* odd width: rows carry padding */
        uint8_t *rgb = pattern_rgb(w, h);
        size_t n;
        uint8_t *bmp = make_bmp(w, h, rgb, td, &n);
        counter c;
        face_image img;
        assert_int_equal(dec(&c, bmp, n, MAXPX, &img), FACE_OK);
        expect_pixels(&img, rgb, w, h);
        release(&c, &img);
        release(&c, &img); /* second release is a no-op */
        free(bmp);
        free(rgb);
    }
}

static void test_png_exact(void **state)
{
    (void)state;
    int w = 13, h = 9;
    uint8_t *rgb = pattern_rgb(w, h);
    uint8_t *src = malloc((size_t)w * h * 4);
    for (int comp = 1; comp <= 4; comp++) {
        /* Channel k of the source is channel min(k,2) of the pattern. */
        for (int i = 0; i < w * h; i++)
            for (int k = 0; k < comp; k++) src[i * comp + k] = rgb[i * 3 + (k < 3 ? k : 2)];
        size_t n;
        uint8_t *png = make_png(w, h, comp, src, &n);
        counter c;
        face_image img;
        assert_int_equal(dec(&c, png, n, MAXPX, &img), FACE_OK);
        assert_int_equal(img.width, w);
        assert_int_equal(img.height, h);
        for (int i = 0; i < w * h; i++) {
            const uint8_t *d = img.data + i * 3;
            if (comp <= 2) { /* gray (+alpha): gray replicated, alpha dropped */
                assert_int_equal(d[0], src[i * comp]);
                assert_int_equal(d[1], src[i * comp]);
                assert_int_equal(d[2], src[i * comp]);
            } else { /* RGB (+alpha dropped) */
                assert_memory_equal(d, src + i * comp, 3);
            }
        }
        release(&c, &img);
        free(png);
    }
    free(src);
    free(rgb);
}

static void test_jpeg_close(void **state)
{
    (void)state;
    int w = JPEG_W, h = JPEG_H;
    uint8_t *rgb = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = rgb + (y * w + x) * 3;
            p[0] = (uint8_t)(40 + 5 * x);
            p[1] = (uint8_t)(60 + 6 * y);
            p[2] = (uint8_t)(200 - 2 * x - 2 * y);
        }
    for (int prog = 0; prog < 2; prog++) {
        size_t n;
        uint8_t *jpg = jpeg_copy(prog, &n);
        counter c;
        face_image img;
        assert_int_equal(dec(&c, jpg, n, MAXPX, &img), FACE_OK);
        assert_int_equal(img.width, w);
        assert_int_equal(img.height, h);
        long sum = 0;
        int worst = 0;
        for (int i = 0; i < w * h * 3; i++) {
            int d = abs((int)img.data[i] - (int)rgb[i]);
            sum += d;
            if (d > worst) worst = d;
        }
        double mean = (double)sum / (w * h * 3);
        if (mean > 3.0 || worst > 40) fail_msg("JPEG error mean %.2f max %d", mean, worst);
        release(&c, &img);
        free(jpg);
    }
    free(rgb);
}

/* Every prefix of a valid file: never a crash, never a leak, never another
 * status than OK or CORRUPT. Returns how many prefixes decoded. */
static int truncations(const uint8_t *file, size_t n, int w, int h)
{
    int ok = 0;
    for (size_t k = 1; k < n; k++) {
        uint8_t *t = malloc(k); /* exactly k bytes so ASan sees overreads */
        memcpy(t, file, k);
        counter c;
        face_image img;
        face_status st = dec(&c, t, k, MAXPX, &img);
        if (st != FACE_OK && st != FACE_ERR_CORRUPT) fail_msg("prefix %zu: status %d", k, st);
        if (st == FACE_OK) {
            ok++;
            /* stb pads short BMP/JPEG data; dimensions still come from the
             * header that was present. */
            assert_int_equal(img.width, w);
            assert_int_equal(img.height, h);
            release(&c, &img);
        }
        free(t);
    }
    return ok;
}

static void test_truncations(void **state)
{
    (void)state;
    int w = 11, h = 7;
    uint8_t *rgb = pattern_rgb(w, h);
    size_t n;
    uint8_t *f = make_png(w, h, 3, rgb, &n);
    /* PNG needs its whole zlib stream: no prefix without all IDAT data decodes. */
    int ok = truncations(f, n, w, h);
    assert_true(ok <= 12); /* at most the prefixes that only lack IEND (12 bytes) */
    free(f);
    f = make_bmp(w, h, rgb, 0, &n);
    truncations(f, n, w, h);
    assert_int_equal(truncations(f, 54, w, h), 0); /* no complete header, no image */
    free(f);
    for (int prog = 0; prog < 2; prog++) {
        f = jpeg_copy(prog, &n);
        truncations(f, n, JPEG_W, JPEG_H);
        free(f);
    }
    free(rgb);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static void test_random_corruption(void **state)
{
    (void)state;
    int w = 16, h = 12;
    uint8_t *rgb = pattern_rgb(w, h);
    size_t lens[3];
    uint8_t *files[3];
    files[0] = make_png(w, h, 3, rgb, &lens[0]);
    files[1] = make_bmp(w, h, rgb, 0, &lens[1]);
    files[2] = jpeg_copy(1, &lens[2]);
    int counts[3] = {0, 0, 0};
    for (int f = 0; f < 3; f++) {
        uint8_t *t = malloc(lens[f]);
        for (int it = 0; it < 600; it++) {
            memcpy(t, files[f], lens[f]);
            int nflip = 1 + (int)(rnd() % 6);
            for (int k = 0; k < nflip; k++) {
                /* Half the damage lands in the first 64 bytes: the headers. */
                size_t span = (rnd() & 1) && lens[f] > 64 ? 64 : lens[f];
                t[rnd() % span] = (uint8_t)rnd();
            }
            counter c;
            face_image img;
            face_status st = dec(&c, t, lens[f], MAXPX, &img);
            if (st != FACE_OK && st != FACE_ERR_CORRUPT && st != FACE_ERR_LIMIT)
                fail_msg("format %d iteration %d: status %d", f, it, st);
            /* The allocation budget holds whatever the header says. */
            assert_true(c.peak <= ((size_t)8 << 20));
            if (st == FACE_OK) {
                counts[f]++;
                release(&c, &img);
            }
        }
        free(t);
        free(files[f]);
    }
    print_message("random corruption still decoding: png %d bmp %d jpeg %d of 600\n", counts[0],
                  counts[1], counts[2]);
    free(rgb);
}

static void test_forged_dimensions(void **state)
{
    (void)state;
    counter c;
    face_image img;
    size_t n;
    uint8_t *f;
    /* 100000 x 100000: past the side limit (PNG) and the pixel limit. */
    f = forged_png(100000, 100000, 2, NULL, 0, &n);
    assert_int_equal(dec(&c, f, n, MAXPX, &img), FACE_ERR_LIMIT);
    assert_true(c.largest < ((size_t)1 << 20));
    assert_int_equal(dec(&c, f, n, INT64_MAX, &img), FACE_ERR_LIMIT);
    assert_true(c.largest < ((size_t)1 << 20));
    free(f);
    /* Within the side limit but over max_pixels. */
    f = forged_png(60000, 60000, 6, NULL, 0, &n);
    assert_int_equal(dec(&c, f, n, (int64_t)1 << 24, &img), FACE_ERR_LIMIT);
    assert_true(c.largest < ((size_t)1 << 20));
    free(f);

    uint8_t *rgb = pattern_rgb(2, 2);
    f = make_bmp(2, 2, rgb, 0, &n);
    put32(f + 18, 100000);
    put32(f + 22, 100000);
    assert_int_equal(dec(&c, f, n, MAXPX, &img), FACE_ERR_LIMIT);
    assert_true(c.largest < ((size_t)1 << 20));
    assert_int_equal(dec(&c, f, n, INT64_MAX, &img), FACE_ERR_LIMIT); /* side limit */
    assert_true(c.largest < ((size_t)1 << 20));
    put32(f + 18, LF_DECODE_MAX_SIDE + 1);
    put32(f + 22, 1);
    assert_int_equal(dec(&c, f, n, INT64_MAX, &img), FACE_ERR_LIMIT);
    put32(f + 18, 2);
    put32(f + 22, (uint32_t)-100000); /* top-down, huge */
    assert_int_equal(dec(&c, f, n, MAXPX, &img), FACE_ERR_LIMIT);
    assert_true(c.largest < ((size_t)1 << 20));
    free(f);
    free(rgb);

    uint8_t jb[64];
    n = forged_jpeg(jb, 65000, 65000);
    assert_int_equal(dec(&c, jb, n, MAXPX, &img), FACE_ERR_LIMIT);
    assert_true(c.largest < ((size_t)1 << 20));
    n = forged_jpeg(jb, 4000, 4000); /* 16 MP, allowed only with a larger limit */
    assert_int_equal(dec(&c, jb, n, MAXPX, &img), FACE_ERR_LIMIT);
    assert_true(c.largest < ((size_t)1 << 20));
    /* Allowed size, no scan at all: stb returns the untouched planes. Whatever
     * it returns must not depend on what the allocator's memory held. */
    n = forged_jpeg(jb, 8, 8);
    face_status st = dec(&c, jb, n, MAXPX, &img);
    assert_true(st == FACE_OK || st == FACE_ERR_CORRUPT);
    if (st == FACE_OK) {
        uint8_t first[8 * 8 * 3];
        memcpy(first, img.data, sizeof first);
        release(&c, &img);
        lf_allocator a = counting(&c);
        c.fill = 0x3C;
        assert_int_equal(lf_image_decode(&a, MAXPX, MAXFILE, jb, n, &img, NULL), FACE_OK);
        assert_memory_equal(img.data, first, sizeof first);
        lf_image_release(&a, &img);
    }
}

static void test_pixel_limit_boundary(void **state)
{
    (void)state;
    uint8_t *rgb = pattern_rgb(7, 5);
    size_t n;
    uint8_t *bmp = make_bmp(7, 5, rgb, 0, &n);
    counter c;
    face_image img;
    assert_int_equal(dec(&c, bmp, n, 35, &img), FACE_OK);
    release(&c, &img);
    assert_int_equal(dec(&c, bmp, n, 34, &img), FACE_ERR_LIMIT);
    assert_true(c.largest < ((size_t)1 << 20)); /* header pass only */

    lf_allocator a = counting(&c);
    assert_int_equal(lf_image_decode(&a, MAXPX, n, bmp, n, &img, NULL), FACE_OK);
    lf_image_release(&a, &img);
    assert_int_equal(lf_image_decode(&a, MAXPX, n - 1, bmp, n, &img, NULL), FACE_ERR_LIMIT);
    assert_int_equal(c.live, 0);
    counting(&c);
    assert_int_equal(lf_image_decode(&a, MAXPX, 0, bmp, n, &img, NULL), FACE_ERR_LIMIT);
    assert_int_equal(c.n_alloc, 0); /* refused before anything was read */
    free(bmp);
    free(rgb);
}

/* A 16x16 gray PNG whose zlib stream inflates to 4 MiB: the header is
 * honest, the data is not. The allocation budget must stop it. */
static void test_compression_bomb(void **state)
{
    (void)state;
    size_t raw_n = (size_t)4 << 20;
    uint8_t *raw = calloc(1, raw_n);
    int zn = 0;
    uint8_t *z = stbi_zlib_compress(raw, (int)raw_n, &zn, 1);
    assert_non_null(z);
    free(raw);
    size_t n;
    uint8_t *f = forged_png(16, 16, 0, z, (size_t)zn, &n);
    STBIW_FREE(z);
    counter c;
    face_image img;
    assert_int_equal(dec(&c, f, n, MAXPX, &img), FACE_ERR_LIMIT);
    assert_true(c.peak < ((size_t)6 << 20));
    free(f);
}

static void test_out_of_memory(void **state)
{
    (void)state;
    int w = 9, h = 6;
    uint8_t *rgb = pattern_rgb(w, h);
    uint8_t *files[2];
    size_t lens[2];
    files[0] = make_png(w, h, 3, rgb, &lens[0]);
    files[1] = jpeg_copy(0, &lens[1]);
    for (int f = 0; f < 2; f++) {
        counter c;
        face_image img;
        assert_int_equal(dec(&c, files[f], lens[f], MAXPX, &img), FACE_OK);
        size_t needed = c.n_alloc;
        size_t ref_n = (size_t)img.stride * (size_t)img.height;
        uint8_t *ref = malloc(ref_n);
        memcpy(ref, img.data, ref_n);
        release(&c, &img);
        for (size_t k = 0; k < needed; k++) {
            lf_allocator a = counting(&c);
            c.fail_at = (long)k;
            face_status st = lf_image_decode(&a, MAXPX, MAXFILE, files[f], lens[f], &img, NULL);
            /* Some allocations belong to probes of other formats; losing
             * one of those does not stop the decode, which must then be
             * right. */
            if (st == FACE_OK) {
                assert_memory_equal(img.data, ref, ref_n);
                lf_image_release(&a, &img);
            } else if (st != FACE_ERR_OUT_OF_MEMORY) {
                fail_msg("format %d, allocation %zu failed: status %d", f, k, st);
            }
            assert_null(img.data);
            assert_int_equal(c.live, 0);
        }
        free(ref);
        free(files[f]);
    }
    free(rgb);
}

static void test_not_images(void **state)
{
    (void)state;
    static const char *inputs[] = {
        "hello world",
        "GIF89a\x01\x00\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
        "P6\n1 1\n255\n\xff\x00\x00",            /* PNM: built out */
        "8BPS\x00\x01\x00\x00\x00\x00\x00\x00", /* PSD: built out */
        "BM",
        "\x89PNG\r\n\x1a\n",
        "\xff\xd8\xff",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        counter c;
        face_image img;
        assert_int_equal(dec(&c, inputs[i], strlen(inputs[i]) + 1, MAXPX, &img),
                         FACE_ERR_CORRUPT);
    }
    uint8_t junk[4096];
    for (int it = 0; it < 200; it++) {
        for (size_t k = 0; k < sizeof junk; k++) junk[k] = (uint8_t)rnd();
        counter c;
        face_image img;
        face_status st = dec(&c, junk, 1 + rnd() % sizeof junk, MAXPX, &img);
        assert_int_equal(st, FACE_ERR_CORRUPT);
    }
}

static void test_null_args(void **state)
{
    (void)state;
    uint8_t *rgb = pattern_rgb(2, 2);
    size_t n;
    uint8_t *bmp = make_bmp(2, 2, rgb, 0, &n);
    counter c;
    lf_allocator a = counting(&c);
    face_image img;
    memset(&img, 0x5A, sizeof img);
    assert_int_equal(lf_image_decode(&a, MAXPX, MAXFILE, NULL, n, &img, NULL),
                     FACE_ERR_INVALID_ARGUMENT);
    assert_null(img.data);
    assert_int_equal(img.width, 0);
    assert_int_equal(lf_image_decode(NULL, MAXPX, MAXFILE, bmp, n, &img, NULL),
                     FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_image_decode(&a, MAXPX, MAXFILE, bmp, n, NULL, NULL),
                     FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_image_decode(&a, MAXPX, MAXFILE, bmp, 0, &img, NULL),
                     FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_image_decode(&a, 0, MAXFILE, bmp, n, &img, NULL),
                     FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(lf_image_decode(&a, -1, MAXFILE, bmp, n, &img, NULL),
                     FACE_ERR_INVALID_ARGUMENT);
    assert_int_equal(c.n_alloc, 0);
    lf_image_release(&a, NULL);
    lf_image_release(&a, &img); /* zeroed image: no-op */
    free(bmp);
    free(rgb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bmp_exact),           cmocka_unit_test(test_png_exact),
        cmocka_unit_test(test_jpeg_close),          cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_random_corruption),   cmocka_unit_test(test_forged_dimensions),
        cmocka_unit_test(test_pixel_limit_boundary), cmocka_unit_test(test_compression_bomb),
        cmocka_unit_test(test_out_of_memory),       cmocka_unit_test(test_not_images),
        cmocka_unit_test(test_null_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
