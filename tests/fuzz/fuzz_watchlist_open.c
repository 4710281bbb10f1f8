/* Fuzz face_watchlist_peek and face_watchlist_open (raw key) on a file.
 *
 * The clear header (magic, version, KDF parameters, counts) is parsed before
 * anything is authenticated, so it is what an attacker controls; past it,
 * XChaCha20-Poly1305 rejects any change (FACE_ERR_AUTH) before the payload
 * parser runs. Seeds are real sealed files (float32 and int8) made by
 * fz_make_seeds. Invariants: documented statuses only; a file that opens
 * reports counts within the limits and the header's counts. */
#include "fuzz_watchlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_scratch(data, size);
    face_watchlist_file_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    face_status ps = face_watchlist_peek(path, &info);
    FZ_CHECK(ps == FACE_OK || ps == FACE_ERR_CORRUPT || ps == FACE_ERR_UNSUPPORTED_VERSION ||
             ps == FACE_ERR_IO);

    face_watchlist_key key;
    face_watchlist_key_raw(&key, fz_raw_key);
    face_watchlist *wl = NULL;
    face_status st = face_watchlist_open(path, &key, NULL, &wl);
    if (st == FACE_OK) {
        FZ_CHECK(ps == FACE_OK);
        size_t entries = 0, templates = 0;
        FZ_CHECK(face_watchlist_count(wl, &entries, &templates) == FACE_OK);
        FZ_CHECK(entries <= FACE_WATCHLIST_MAX_ENTRIES && templates <= FACE_WATCHLIST_MAX_TEMPLATES);
        FZ_CHECK(entries == info.entry_count && templates == info.template_count);
        face_template probe;
        fz_template(&probe, 1);
        memcpy(probe.fingerprint, info.fingerprint, FACE_FINGERPRINT_BYTES);
        face_watchlist_match m[2];
        size_t n = 0;
        face_status ss = face_watchlist_search(wl, &probe, NULL, m, 2, &n);
        FZ_CHECK(ss == FACE_OK && n <= entries);
        face_watchlist_close(wl);
    } else {
        FZ_CHECK(wl == NULL);
        FZ_CHECK(st == FACE_ERR_IO || st == FACE_ERR_CORRUPT || st == FACE_ERR_UNSUPPORTED_VERSION ||
                 st == FACE_ERR_LIMIT || st == FACE_ERR_AUTH || st == FACE_ERR_OUT_OF_MEMORY);
    }
    return 0;
}

int fz_make_seeds(const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/seed-float32.fwl", dir);
    fz_make_watchlist(p, NULL, FACE_WATCHLIST_FLOAT32, 0);
    snprintf(p, sizeof p, "%s/seed-int8.fwl", dir);
    fz_make_watchlist(p, NULL, FACE_WATCHLIST_INT8, 0);
    return 2;
}
