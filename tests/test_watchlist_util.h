/* Helpers shared by the watchlist tests. */
#ifndef TEST_WATCHLIST_UTIL_H
#define TEST_WATCHLIST_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "face/face.h"
#include "testutil.h"

static const uint8_t WT_FP[FACE_FINGERPRINT_BYTES] = {0xf1, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                                      0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};
static const uint8_t WT_KEY[FACE_WATCHLIST_KEY_BYTES] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

/* A synthetic template: roughly the scale of real descriptors (|v| ~ 0.1). */
static inline void wt_template(face_template *t, uint64_t *rng)
{
    memset(t, 0, sizeof *t);
    t->struct_size = sizeof *t;
    t->version = FACE_TEMPLATE_VERSION;
    t->dim = FACE_TEMPLATE_DIM;
    t->flags = FACE_TEMPLATE_FLAG_ALIGN_DLIB;
    memcpy(t->fingerprint, WT_FP, sizeof WT_FP);
    for (int d = 0; d < FACE_TEMPLATE_DIM; d++) t->values[d] = tu_randf(rng, -0.25f, 0.25f);
}

/* A template near base: base + uniform noise of +-amp per dim. */
static inline void wt_near(face_template *t, const face_template *base, float amp, uint64_t *rng)
{
    *t = *base;
    for (int d = 0; d < FACE_TEMPLATE_DIM; d++) t->values[d] += tu_randf(rng, -amp, amp);
}

static inline void wt_raw_key(face_watchlist_key *k) { face_watchlist_key_raw(k, WT_KEY); }

static inline void wt_options(face_watchlist_options *o, int storage)
{
    face_watchlist_options_init(o);
    o->storage = storage;
    memcpy(o->fingerprint, WT_FP, sizeof WT_FP);
}

/* A fresh directory for a test's files: FACE_TEST_TMPDIR, else /dev/shm
 * when present, else TMPDIR or /tmp. The tests check logic, not the disk:
 * on tmpfs the many fsyncs of saves and audit appends cost nothing (a
 * SIGKILLed process leaves the page cache intact on any file system, so the
 * crash test means the same there). Removed by wt_rmdir. */
static inline void wt_mkdtemp(char *out, size_t cap)
{
    const char *base = getenv("FACE_TEST_TMPDIR");
    if (!base || !*base) base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    snprintf(out, cap, "%s/libface-wl-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(out)) {
        perror("mkdtemp");
        abort();
    }
}

static inline void wt_rmdir(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

static inline void wt_id(uint8_t *id, size_t *len, unsigned i)
{
    *len = (size_t)snprintf((char *)id, FACE_WATCHLIST_ID_MAX, "person-%06u", i);
}

static inline void wt_write_file(const char *path, const uint8_t *b, size_t n)
{
    /* A fresh inode each time: rewriting a file in place via truncation
     * makes ext4 flush it on close (auto_da_alloc), which is slow. */
    unlink(path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    fclose(f);
}

#endif
