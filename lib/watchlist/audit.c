/* Audit log: one text line per event, append-only, chained with keyed
 * BLAKE2b and optionally signed with Ed25519 (docs/watchlist-format.md).
 *
 *   <seq> <unix_ms> <event> <id_hex|-> <detail_hex|-> <mac_hex>[ <sig_hex>]\n
 *
 * body = the line up to (not including) " <mac_hex>"
 * mac  = BLAKE2b-256(key = audit subkey, "LFAUDIT1" || prev_mac || body)
 * sig  = Ed25519("LFAUDIT1" || prev_mac || body || mac)
 * prev_mac of the first record is 32 zero bytes.
 *
 * The key makes the chain unforgeable without the watchlist key, so an
 * edited, deleted or reordered record breaks it; the head sealed into each
 * saved watchlist (and the head a live handle holds) detects truncation.
 * Ids and the host's detail are hex-encoded: no biometric data, and no
 * caller byte can forge a line break. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "watchlist/watchlist_internal.h"

#define DOMAIN "LFAUDIT1"
#define DETAIL_MAX 255
#define SUMMARY_MAX FACE_AUDIT_SUMMARY_MAX
/* The longest line: a summary, 2 x 512 hex digits, plus sequence, time,
 * event, id, MAC and signature (about 260 bytes). */
#define LINE_MAX_BYTES 1536
#define SIG_BYTES crypto_sign_BYTES

static const char *const EVENTS[] = {NULL,     "create", "open",    "save",   "enroll",
                                     "remove", "alert",  "purge",   "destroy", "summary"};
#define NEVENTS 10

/* ---------------------------------------------------------------- records */

static void record_mac(const uint8_t *key, const uint8_t prev[32], const char *body, size_t n,
                       uint8_t mac[32])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, key, 32, 32);
    crypto_generichash_update(&st, (const uint8_t *)DOMAIN, 8);
    crypto_generichash_update(&st, prev, 32);
    crypto_generichash_update(&st, (const uint8_t *)body, n);
    crypto_generichash_final(&st, mac, 32);
    sodium_memzero(&st, sizeof st);
}

/* The signed message: DOMAIN || prev || body || mac, built into buf. */
static size_t sig_msg(uint8_t *buf, const uint8_t prev[32], const char *body, size_t n,
                      const uint8_t mac[32])
{
    memcpy(buf, DOMAIN, 8);
    memcpy(buf + 8, prev, 32);
    memcpy(buf + 40, body, n);
    memcpy(buf + 40 + n, mac, 32);
    return 72 + n;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Lowercase hex of exactly out_len bytes. */
static int unhex(const char *s, size_t n, uint8_t *out, size_t out_len)
{
    if (n != 2 * out_len) return 0;
    for (size_t i = 0; i < out_len; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return 0;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 1;
}

static int is_hex_field(const char *s, size_t n, size_t max_bytes)
{
    if (n == 1 && s[0] == '-') return 1;
    if (n == 0 || n % 2 || n > 2 * max_bytes) return 0;
    for (size_t i = 0; i < n; i++)
        if (hexval(s[i]) < 0) return 0;
    return 1;
}

static int parse_u64(const char *s, size_t n, uint64_t *v)
{
    if (n == 0 || n > 19 || (n > 1 && s[0] == '0')) return 0;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    *v = x;
    return 1;
}

typedef struct rec {
    uint64_t seq;
    size_t body_len;
    uint8_t mac[32];
    int has_sig;
    uint8_t sig[SIG_BYTES];
} rec;

/* Strict parse of one line (without its newline). */
static int parse_line(const char *l, size_t n, rec *r)
{
    const char *f[8];
    size_t fl[8];
    int nf = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || l[i] == ' ') {
            if (nf == 8) return 0;
            f[nf] = l + start;
            fl[nf] = i - start;
            nf++;
            start = i + 1;
        }
    }
    if (nf != 6 && nf != 7) return 0;
    uint64_t ts;
    if (!parse_u64(f[0], fl[0], &r->seq) || !parse_u64(f[1], fl[1], &ts)) return 0;
    int ev = 0;
    for (int e = 1; e < NEVENTS; e++)
        if (strlen(EVENTS[e]) == fl[2] && memcmp(EVENTS[e], f[2], fl[2]) == 0) ev = e;
    if (!ev) return 0;
    const size_t dmax = ev == FACE_AUDIT_SUMMARY ? SUMMARY_MAX : DETAIL_MAX;
    if (!is_hex_field(f[3], fl[3], FACE_WATCHLIST_ID_MAX) || !is_hex_field(f[4], fl[4], dmax))
        return 0;
    if (!unhex(f[5], fl[5], r->mac, 32)) return 0;
    r->has_sig = nf == 7;
    if (r->has_sig && !unhex(f[6], fl[6], r->sig, SIG_BYTES)) return 0;
    r->body_len = (size_t)(f[5] - l) - 1;
    return 1;
}

/* ---------------------------------------------------------------- verify */

typedef struct vstate {
    const uint8_t *mackey; /* NULL: signature-only verification */
    const uint8_t *pk;     /* NULL: signatures not checked */
    uint64_t anchor_seq;   /* 0: none */
    const uint8_t *anchor_mac;
    /* results */
    uint64_t records;
    uint64_t first_bad;
    int all_signed;
    uint8_t head[32];
} vstate;

static face_status verify_fd(int fd, vstate *v)
{
    char buf[LINE_MAX_BYTES * 4];
    uint8_t msg[72 + LINE_MAX_BYTES];
    size_t have = 0;
    int eof = 0;
    memset(v->head, 0, 32);
    v->records = 0;
    v->first_bad = 0;
    v->all_signed = 1;
    face_status st = FACE_OK;
    while (st == FACE_OK) {
        char *nl = memchr(buf, '\n', have);
        if (!nl) {
            if (!eof && have < sizeof buf) {
                ssize_t r = read(fd, buf + have, sizeof buf - have);
                if (r < 0 && errno != EINTR) return FACE_ERR_IO;
                if (r == 0) eof = 1;
                if (r > 0) have += (size_t)r;
                continue;
            }
            if (have == 0) break;
            st = FACE_ERR_CORRUPT; /* torn last line, or a line far too long */
            v->first_bad = v->records + 1;
            break;
        }
        size_t n = (size_t)(nl - buf);
        rec r;
        if (n > LINE_MAX_BYTES || !parse_line(buf, n, &r)) {
            st = FACE_ERR_CORRUPT;
        } else {
            uint8_t mac[32];
            if (v->mackey) {
                record_mac(v->mackey, v->head, buf, r.body_len, mac);
                if (sodium_memcmp(mac, r.mac, 32) != 0) st = FACE_ERR_AUTH;
            }
            if (st == FACE_OK && v->pk) {
                size_t ml = sig_msg(msg, v->head, buf, r.body_len, r.mac);
                if (!r.has_sig || crypto_sign_verify_detached(r.sig, msg, ml, v->pk) != 0)
                    st = FACE_ERR_AUTH;
            }
            if (!r.has_sig) v->all_signed = 0;
            if (st == FACE_OK && r.seq != v->records + 1) st = FACE_ERR_CORRUPT;
            if (st == FACE_OK && v->anchor_seq && r.seq == v->anchor_seq &&
                sodium_memcmp(r.mac, v->anchor_mac, 32) != 0)
                st = FACE_ERR_AUTH;
        }
        if (st != FACE_OK) {
            v->first_bad = v->records + 1;
            break;
        }
        memcpy(v->head, r.mac, 32);
        v->records++;
        memmove(buf, nl + 1, have - n - 1);
        have -= n + 1;
    }
    if (st == FACE_OK && v->anchor_seq > v->records) {
        st = FACE_ERR_AUTH; /* ends before the head sealed in the watchlist */
        v->first_bad = v->records + 1;
    }
    if (!v->pk) v->all_signed = 0;
    return st;
}

static void fill_report(face_audit_report *rep, const vstate *v)
{
    if (!rep) return;
    memset(rep, 0, sizeof *rep);
    rep->struct_size = sizeof *rep;
    rep->records = v->records;
    rep->first_bad = v->first_bad;
    rep->signed_records = v->all_signed && v->records > 0;
}

/* ---------------------------------------------------------------- attach */

face_status lf_audit_attach(face_watchlist *wl, const char *path, int is_create)
{
    size_t plen = strlen(path);
    lf_audit *a = lf_calloc(&wl->alloc, sizeof *a, LF_ALIGN);
    char *p = lf_alloc(&wl->alloc, plen + 1, 1);
    uint8_t *key = sodium_malloc(32 + FACE_AUDIT_PUBLIC_KEY_BYTES);
    if (!a || !p || !key) {
        if (a) lf_free(&wl->alloc, a, sizeof *a);
        if (p) lf_free(&wl->alloc, p, plen + 1);
        if (key) sodium_free(key);
        return FACE_ERR_OUT_OF_MEMORY;
    }
    memcpy(p, path, plen + 1);
    a->path = p;
    a->path_len = plen;
    a->fd = -1;
    pthread_mutex_init(&a->mu, NULL);

    const uint8_t *k = lf_wl_keys_acquire(wl);
    memcpy(key, k + LF_WL_KEY_AUDIT, 32);
    if (wl->has_sign) crypto_sign_ed25519_sk_to_pk(key + 32, k + LF_WL_KEY_SIGN);
    lf_wl_keys_release(wl);

    face_status st = FACE_OK;
    int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) st = FACE_ERR_IO;
    if (st == FACE_OK) {
        /* Continue only a log that verifies, reaches the sealed head, and
         * (with a signing key) is signed by us throughout. */
        vstate v;
        memset(&v, 0, sizeof v);
        v.mackey = key;
        v.pk = wl->has_sign ? key + 32 : NULL;
        if (!is_create) {
            v.anchor_seq = wl->anchor_seq;
            v.anchor_mac = wl->anchor_mac;
        }
        st = verify_fd(fd, &v);
        a->seq = v.records;
        memcpy(a->head, v.head, 32);
    }
    sodium_free(key);
    if (st != FACE_OK) {
        if (fd >= 0) close(fd);
        pthread_mutex_destroy(&a->mu);
        lf_free_wipe(&wl->alloc, p, plen + 1);
        lf_free_wipe(&wl->alloc, a, sizeof *a);
        return st;
    }
    a->fd = fd;
    wl->audit = a;
    return FACE_OK;
}

void lf_audit_detach(face_watchlist *wl)
{
    lf_audit *a = wl->audit;
    if (!a) return;
    if (a->fd >= 0) close(a->fd);
    pthread_mutex_destroy(&a->mu);
    lf_free_wipe(&wl->alloc, a->path, a->path_len + 1);
    lf_free_wipe(&wl->alloc, a, sizeof *a);
    wl->audit = NULL;
}

void lf_audit_head(face_watchlist *wl, uint64_t *seq, uint8_t head[LF_WL_MAC_BYTES])
{
    lf_audit *a = wl->audit;
    if (!a) {
        /* No log attached now: keep the head the file carried, so a later
         * open with the log still detects its truncation. */
        *seq = wl->anchor_seq;
        memcpy(head, wl->anchor_mac, LF_WL_MAC_BYTES);
        return;
    }
    pthread_mutex_lock(&a->mu);
    *seq = a->seq;
    memcpy(head, a->head, LF_WL_MAC_BYTES);
    pthread_mutex_unlock(&a->mu);
}

/* ---------------------------------------------------------------- append */

static size_t put_hex(char *o, const uint8_t *b, size_t n)
{
    if (!b || !n) {
        o[0] = '-';
        return 1;
    }
    sodium_bin2hex(o, 2 * n + 1, b, n);
    return 2 * n;
}

face_status lf_audit_append(face_watchlist *wl, face_audit_event ev, const uint8_t *id,
                            size_t id_len, const char *detail)
{
    lf_audit *a = wl->audit;
    if (!a) return FACE_OK;
    const size_t dmax = ev == FACE_AUDIT_SUMMARY ? SUMMARY_MAX : DETAIL_MAX;
    size_t dlen = detail ? strnlen(detail, dmax + 1) : 0;
    if (dlen > dmax || id_len > FACE_WATCHLIST_ID_MAX) return FACE_ERR_INVALID_ARGUMENT;
    char line[LINE_MAX_BYTES + 1];
    uint8_t msg[72 + LINE_MAX_BYTES];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;

    pthread_mutex_lock(&a->mu);
    face_status st = a->fd >= 0 ? FACE_OK : FACE_ERR_IO;
    if (st == FACE_OK) {
        int n = snprintf(line, sizeof line, "%llu %llu %s ", (unsigned long long)(a->seq + 1),
                         (unsigned long long)ms, EVENTS[ev]);
        size_t len = (size_t)n;
        len += put_hex(line + len, id, id_len);
        line[len++] = ' ';
        len += put_hex(line + len, (const uint8_t *)detail, dlen);
        size_t body = len;
        uint8_t mac[32];
        const uint8_t *k = lf_wl_keys_acquire(wl);
        record_mac(k + LF_WL_KEY_AUDIT, a->head, line, body, mac);
        line[len++] = ' ';
        sodium_bin2hex(line + len, 65, mac, 32);
        len += 64;
        if (wl->has_sign) {
            uint8_t sig[SIG_BYTES];
            size_t ml = sig_msg(msg, a->head, line, body, mac);
            crypto_sign_detached(sig, NULL, msg, ml, k + LF_WL_KEY_SIGN);
            line[len++] = ' ';
            sodium_bin2hex(line + len, 2 * SIG_BYTES + 1, sig, SIG_BYTES);
            len += 2 * SIG_BYTES;
        }
        lf_wl_keys_release(wl);
        line[len++] = '\n';
        /* One write() per record (O_APPEND), then fdatasync: a record the
         * call reported is on disk. */
        ssize_t w;
        do {
            w = write(a->fd, line, len);
        } while (w < 0 && errno == EINTR);
        if (w != (ssize_t)len || fdatasync(a->fd) != 0) {
            /* A short write may have left a torn line: refuse every later
             * append rather than chain onto it. */
            close(a->fd);
            a->fd = -1;
            st = FACE_ERR_IO;
        } else {
            a->seq++;
            memcpy(a->head, mac, 32);
        }
    }
    pthread_mutex_unlock(&a->mu);
    return st;
}

/* ---------------------------------------------------------------- public */

face_status face_watchlist_audit_alert(face_watchlist *wl, const uint8_t *id, size_t id_len,
                                       const char *detail)
{
    if (!wl || !id || id_len == 0 || id_len > FACE_WATCHLIST_ID_MAX)
        return FACE_ERR_INVALID_ARGUMENT;
    if (detail && strnlen(detail, DETAIL_MAX + 1) > DETAIL_MAX) return FACE_ERR_LIMIT;
    pthread_rwlock_wrlock(&wl->lock);
    face_status st = wl->audit ? lf_audit_append(wl, FACE_AUDIT_ALERT, id, id_len, detail)
                               : FACE_ERR_STATE;
    pthread_rwlock_unlock(&wl->lock);
    return st;
}

face_status face_watchlist_audit_summary(face_watchlist *wl, const char *text)
{
    if (!wl || !text) return FACE_ERR_INVALID_ARGUMENT;
    size_t n = strnlen(text, SUMMARY_MAX + 1);
    if (n > SUMMARY_MAX) return FACE_ERR_LIMIT;
    if (n == 0) return FACE_ERR_INVALID_ARGUMENT;
    /* Printable ASCII only: room for figures and words, none for binary
     * (a template, a chip) smuggled through as bytes. */
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7e)
            return FACE_ERR_INVALID_ARGUMENT;
    pthread_rwlock_wrlock(&wl->lock);
    face_status st =
        wl->audit ? lf_audit_append(wl, FACE_AUDIT_SUMMARY, NULL, 0, text) : FACE_ERR_STATE;
    pthread_rwlock_unlock(&wl->lock);
    return st;
}

face_status face_watchlist_audit_verify(face_watchlist *wl, const char *path,
                                        const uint8_t *public_key, face_audit_report *report)
{
    if (!wl) return FACE_ERR_INVALID_ARGUMENT;
    pthread_rwlock_rdlock(&wl->lock);
    lf_audit *a = wl->audit;
    face_status st = FACE_OK;
    int own = 0;
    if (!path) {
        if (!a) st = FACE_ERR_STATE;
        else path = a->path;
    }
    if (st == FACE_OK && a && strcmp(path, a->path) == 0) own = 1;
    uint8_t *key = NULL;
    int fd = -1;
    vstate v;
    memset(&v, 0, sizeof v);
    uint8_t want_head[32];
    uint64_t want_seq = 0;
    if (st == FACE_OK) {
        key = sodium_malloc(32);
        if (!key) st = FACE_ERR_OUT_OF_MEMORY;
    }
    if (st == FACE_OK) {
        const uint8_t *k = lf_wl_keys_acquire(wl);
        memcpy(key, k + LF_WL_KEY_AUDIT, 32);
        lf_wl_keys_release(wl);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) st = FACE_ERR_IO;
    }
    if (st == FACE_OK) {
        v.mackey = key;
        v.pk = public_key;
        /* The newest head this handle knows: the last record it wrote, or
         * the head sealed in the file it opened. A log that stops short of
         * it has lost records. */
        if (a) {
            /* Hold the log still: saves append under the shared lock. */
            pthread_mutex_lock(&a->mu);
            want_seq = a->seq;
            memcpy(want_head, a->head, 32);
        } else {
            want_seq = wl->anchor_seq;
            memcpy(want_head, wl->anchor_mac, 32);
        }
        v.anchor_seq = want_seq;
        v.anchor_mac = want_head;
        st = verify_fd(fd, &v);
        if (a) pthread_mutex_unlock(&a->mu);
        if (own) {
            if (st == FACE_OK && v.records != want_seq) {
                st = FACE_ERR_AUTH; /* records past the head we wrote */
                v.first_bad = want_seq + 1;
            }
        }
        fill_report(report, &v);
    }
    if (fd >= 0) close(fd);
    if (key) sodium_free(key);
    pthread_rwlock_unlock(&wl->lock);
    return st;
}

face_status face_audit_verify_signed(const char *path, const uint8_t *public_key,
                                     face_audit_report *report)
{
    if (!path || !public_key) return FACE_ERR_INVALID_ARGUMENT;
    if (sodium_init() < 0) return FACE_ERR_INTERNAL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return FACE_ERR_IO;
    vstate v;
    memset(&v, 0, sizeof v);
    v.pk = public_key;
    face_status st = verify_fd(fd, &v);
    close(fd);
    fill_report(report, &v);
    return st;
}
