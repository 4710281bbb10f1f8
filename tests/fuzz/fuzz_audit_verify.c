/* Fuzz the audit-log verifiers: face_watchlist_audit_verify (keyed chain,
 * with a handle of the fixed raw key) and face_audit_verify_signed (public
 * key only) on the same file.
 *
 * Invariants: documented statuses only; a log the keyed verifier accepts
 * reports records and no bad line; the public-key verifier never accepts a
 * record the keyed one rejects when every record is signed. Seeds are real
 * logs (signed and unsigned) made by fz_make_seeds. */
#include "fuzz_watchlist.h"

static face_watchlist *g_wl;
static uint8_t g_pk[FACE_AUDIT_PUBLIC_KEY_BYTES];

static int ok_status(face_status st)
{
    return st == FACE_OK || st == FACE_ERR_AUTH || st == FACE_ERR_CORRUPT || st == FACE_ERR_IO ||
           st == FACE_ERR_LIMIT || st == FACE_ERR_OUT_OF_MEMORY;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_wl) {
        uint8_t sk[FACE_AUDIT_SECRET_KEY_BYTES];
        fz_sign_keys(g_pk, sk);
        sodium_memzero(sk, sizeof sk);
        face_watchlist_key key;
        face_watchlist_key_raw(&key, fz_raw_key);
        /* Kept for the whole run: one handle per input would make key
         * setup dominate. It never writes an audit record of its own. */
        face_watchlist_options opt;
        face_watchlist_options_init(&opt);
        FZ_CHECK(face_watchlist_create(&opt, &key, &g_wl) == FACE_OK);
    }
    const char *path = fz_scratch(data, size);
    face_audit_report r1, r2;
    memset(&r1, 0, sizeof r1);
    memset(&r2, 0, sizeof r2);
    face_status a = face_watchlist_audit_verify(g_wl, path, NULL, &r1);
    FZ_CHECK(ok_status(a));
    if (a == FACE_OK) FZ_CHECK(r1.first_bad == 0);
    face_status b = face_audit_verify_signed(path, g_pk, &r2);
    FZ_CHECK(ok_status(b));
    if (b == FACE_OK) {
        FZ_CHECK(r2.first_bad == 0);
        FZ_CHECK(a == FACE_OK);
    }
    return 0;
}

int fz_make_seeds(const char *dir)
{
    char wl[4096], log[4096];
    snprintf(wl, sizeof wl, "%s/.tmp-watchlist", dir);
    snprintf(log, sizeof log, "%s/seed-signed.log", dir);
    fz_make_watchlist(wl, log, FACE_WATCHLIST_FLOAT32, 1);
    snprintf(log, sizeof log, "%s/seed-unsigned.log", dir);
    fz_make_watchlist(wl, log, FACE_WATCHLIST_INT8, 0);
    unlink(wl);
    return 2;
}
