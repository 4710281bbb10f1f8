/* Shared by the watchlist fuzz targets: a fixed raw key, a fixed operator
 * signing key, and a scratch file the inputs are written to (the watchlist
 * API reads paths, not buffers). */
#ifndef FACE_FUZZ_WATCHLIST_H
#define FACE_FUZZ_WATCHLIST_H

#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "face/face.h"
#include "fuzz.h"

static const uint8_t fz_raw_key[FACE_WATCHLIST_KEY_BYTES] = {
    0x6c, 0x69, 0x62, 0x66, 0x61, 0x63, 0x65, 0x2d, 0x66, 0x75, 0x7a, 0x7a, 0x2d, 0x6b, 0x65, 0x79,
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};

/* Ed25519 key pair from a fixed seed, so signed seed logs verify. */
static void fz_sign_keys(uint8_t pk[FACE_AUDIT_PUBLIC_KEY_BYTES],
                         uint8_t sk[FACE_AUDIT_SECRET_KEY_BYTES])
{
    uint8_t seed[crypto_sign_SEEDBYTES];
    memset(seed, 0x5a, sizeof seed);
    FZ_CHECK(sodium_init() >= 0);
    crypto_sign_seed_keypair(pk, sk, seed);
}

/* Write data to this process's scratch file and return its path. */
static const char *fz_scratch(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0]) snprintf(path, sizeof path, "/tmp/face-fuzz-%ld.bin", (long)getpid());
    FILE *f = fopen(path, "wb");
    FZ_CHECK(f != NULL);
    FZ_CHECK(fwrite(data, 1, size, f) == size);
    FZ_CHECK(fclose(f) == 0);
    return path;
}

/* A deterministic template for seeds. */
static void fz_template(face_template *t, int salt)
{
    memset(t, 0, sizeof *t);
    t->struct_size = sizeof *t;
    t->version = FACE_TEMPLATE_VERSION;
    t->dim = FACE_TEMPLATE_DIM;
    t->flags = FACE_TEMPLATE_FLAG_ALIGN_DLIB;
    for (int i = 0; i < FACE_TEMPLATE_DIM; i++) t->values[i] = (float)((i * 7 + salt) % 13) / 26.0f;
}

/* A small watchlist: two identities (one with two templates), sealed to
 * path; its audit log (signed if sign) goes to audit (or none if NULL). */
static void fz_make_watchlist(const char *path, const char *audit, int storage, int sign)
{
    uint8_t pk[FACE_AUDIT_PUBLIC_KEY_BYTES], sk[FACE_AUDIT_SECRET_KEY_BYTES];
    fz_sign_keys(pk, sk);
    face_watchlist_key key;
    face_watchlist_key_raw(&key, fz_raw_key);
    face_watchlist_options opt;
    face_watchlist_options_init(&opt);
    opt.storage = storage;
    opt.audit_path = audit;
    opt.audit_sign_key = sign ? sk : NULL;
    face_watchlist *wl = NULL;
    FZ_CHECK(face_watchlist_create(&opt, &key, &wl) == FACE_OK);
    face_template t[2];
    fz_template(&t[0], 1);
    fz_template(&t[1], 2);
    FZ_CHECK(face_watchlist_enroll(wl, (const uint8_t *)"alice", 5, "Alice", t, 2, 0) == FACE_OK);
    FZ_CHECK(face_watchlist_enroll(wl, (const uint8_t *)"\x00\xff", 2, NULL, t + 1, 1, 4102444800) ==
             FACE_OK);
    if (audit) FZ_CHECK(face_watchlist_audit_alert(wl, (const uint8_t *)"alice", 5, "cam-1") == FACE_OK);
    FZ_CHECK(face_watchlist_save(wl, path) == FACE_OK);
    face_watchlist_close(wl);
}

#endif /* FACE_FUZZ_WATCHLIST_H */
