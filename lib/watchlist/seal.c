/* The sealed file (docs/watchlist-format.md): keys, create/open/save,
 * close/destroy.
 *
 * Encryption is libsodium secretstream (XChaCha20-Poly1305) over 64 KiB
 * chunks; the clear header is the additional data of the first chunk, and
 * the stream's chained state then binds every later chunk to it, to its
 * position and to the end (TAG_FINAL). Nothing is parsed before the whole
 * stream has authenticated. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "watchlist/watchlist_internal.h"

void (*lf_wl_fault_hook)(int step) = NULL;

#define HDR_BYTES 136
#define CHUNK 65536
#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define FORMAT_VERSION 1
static const uint8_t MAGIC[8] = {'F', 'A', 'C', 'E', 'W', 'L', 'S', 'T'};
static const uint8_t PMAGIC[4] = {'W', 'L', 'P', '1'};
#define KDF_CONTEXT "lfwatch1" /* crypto_kdf context, 8 bytes */

_Static_assert(crypto_secretstream_xchacha20poly1305_HEADERBYTES == 24, "secretstream header");
_Static_assert(crypto_secretstream_xchacha20poly1305_KEYBYTES == 32, "secretstream key");
_Static_assert(crypto_pwhash_argon2id_SALTBYTES == FACE_WATCHLIST_SALT_BYTES, "salt size");

typedef struct hdr {
    uint16_t version;
    uint8_t key_kind, storage;
    uint64_t opslimit, memlimit;
    uint8_t salt[16], key_id[16], fingerprint[16];
    uint32_t entries, templates;
    uint64_t payload;
    uint64_t counter;
    uint8_t ss[24];
} hdr;

static void hdr_write(const hdr *h, uint8_t *b)
{
    memset(b, 0, HDR_BYTES);
    memcpy(b, MAGIC, 8);
    lf_wr16(b + 8, h->version);
    lf_wr16(b + 10, HDR_BYTES);
    b[12] = h->key_kind;
    b[13] = h->storage;
    lf_wr16(b + 14, LF_WL_DIM);
    lf_wr32(b + 16, 0);
    lf_wr32(b + 20, CHUNK);
    lf_wr64(b + 24, h->opslimit);
    lf_wr64(b + 32, h->memlimit);
    memcpy(b + 40, h->salt, 16);
    memcpy(b + 56, h->key_id, 16);
    memcpy(b + 72, h->fingerprint, 16);
    lf_wr32(b + 88, h->entries);
    lf_wr32(b + 92, h->templates);
    lf_wr64(b + 96, h->payload);
    lf_wr64(b + 104, h->counter);
    memcpy(b + 112, h->ss, 24);
}

static int kdf_ok(uint64_t ops, uint64_t mem)
{
    return ops >= FACE_WATCHLIST_KDF_OPSLIMIT_MIN && ops <= FACE_WATCHLIST_KDF_OPSLIMIT_MAX &&
           mem >= FACE_WATCHLIST_KDF_MEMLIMIT_MIN && mem <= FACE_WATCHLIST_KDF_MEMLIMIT_MAX &&
           ops * mem <= FACE_WATCHLIST_KDF_WORK_MAX;
}

/* Everything checkable before authentication. A value we could never have
 * written is a format error; this runs before any KDF or allocation. */
static face_status hdr_read(const uint8_t *b, size_t n, hdr *h)
{
    if (n < 12 || memcmp(b, MAGIC, 8) != 0) return FACE_ERR_CORRUPT;
    h->version = lf_rd16(b + 8);
    if (h->version != FORMAT_VERSION) return FACE_ERR_UNSUPPORTED_VERSION;
    if (n < HDR_BYTES || lf_rd16(b + 10) != HDR_BYTES) return FACE_ERR_CORRUPT;
    h->key_kind = b[12];
    h->storage = b[13];
    if (h->key_kind != FACE_WATCHLIST_KEY_RAW && h->key_kind != FACE_WATCHLIST_KEY_PASSPHRASE)
        return FACE_ERR_CORRUPT;
    if (h->storage != FACE_WATCHLIST_FLOAT32 && h->storage != FACE_WATCHLIST_INT8)
        return FACE_ERR_CORRUPT;
    if (lf_rd16(b + 14) != LF_WL_DIM || lf_rd32(b + 16) != 0 || lf_rd32(b + 20) != CHUNK)
        return FACE_ERR_CORRUPT;
    h->opslimit = lf_rd64(b + 24);
    h->memlimit = lf_rd64(b + 32);
    if (h->key_kind == FACE_WATCHLIST_KEY_RAW ? (h->opslimit || h->memlimit)
                                              : !kdf_ok(h->opslimit, h->memlimit))
        return FACE_ERR_CORRUPT;
    memcpy(h->salt, b + 40, 16);
    memcpy(h->key_id, b + 56, 16);
    memcpy(h->fingerprint, b + 72, 16);
    h->entries = lf_rd32(b + 88);
    h->templates = lf_rd32(b + 92);
    h->payload = lf_rd64(b + 96);
    h->counter = lf_rd64(b + 104);
    memcpy(h->ss, b + 112, 24);
    if (h->entries > FACE_WATCHLIST_MAX_ENTRIES || h->templates > FACE_WATCHLIST_MAX_TEMPLATES ||
        h->templates < h->entries)
        return FACE_ERR_CORRUPT;
    return FACE_OK;
}

/* ---------------------------------------------------------------- keys */

static face_status check_key(const face_watchlist_key *key, int creating)
{
    if (!key || key->struct_size < sizeof *key) return FACE_ERR_INVALID_ARGUMENT;
    if (key->kind == FACE_WATCHLIST_KEY_RAW) {
        if (!key->raw) return FACE_ERR_INVALID_ARGUMENT;
    } else if (key->kind == FACE_WATCHLIST_KEY_PASSPHRASE) {
        if (!key->passphrase || key->passphrase_len == 0 || key->passphrase_len > 4096)
            return FACE_ERR_INVALID_ARGUMENT;
        if (creating) {
            uint64_t ops = key->opslimit ? key->opslimit : FACE_WATCHLIST_KDF_OPSLIMIT_DEFAULT;
            uint64_t mem = key->memlimit ? key->memlimit : FACE_WATCHLIST_KDF_MEMLIMIT_DEFAULT;
            if (!kdf_ok(ops, mem)) return FACE_ERR_LIMIT;
        }
    } else {
        return FACE_ERR_INVALID_ARGUMENT;
    }
    return FACE_OK;
}

/* Master key (raw, or Argon2id of the passphrase with wl's salt and cost),
 * then independent subkeys for the file and for the audit chain. */
face_status lf_wl_derive_keys(face_watchlist *wl, const face_watchlist_key *key, int creating)
{
    uint8_t *master = sodium_malloc(32);
    if (!master) return FACE_ERR_OUT_OF_MEMORY;
    face_status st = FACE_OK;
    if (key->kind == FACE_WATCHLIST_KEY_RAW) {
        memcpy(master, key->raw, 32);
    } else {
        if (creating) {
            wl->opslimit = key->opslimit ? key->opslimit : FACE_WATCHLIST_KDF_OPSLIMIT_DEFAULT;
            wl->memlimit = key->memlimit ? key->memlimit : FACE_WATCHLIST_KDF_MEMLIMIT_DEFAULT;
            randombytes_buf(wl->salt, sizeof wl->salt);
        }
        if (crypto_pwhash(master, 32, key->passphrase, key->passphrase_len, wl->salt,
                          wl->opslimit, (size_t)wl->memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
            st = FACE_ERR_OUT_OF_MEMORY; /* Argon2 fails only when it cannot get memory */
    }
    if (st == FACE_OK) {
        pthread_mutex_lock(&wl->key_mu);
        sodium_mprotect_readwrite(wl->keys);
        crypto_kdf_derive_from_key(wl->keys + LF_WL_KEY_ENC, 32, 1, KDF_CONTEXT, master);
        crypto_kdf_derive_from_key(wl->keys + LF_WL_KEY_AUDIT, 32, 2, KDF_CONTEXT, master);
        sodium_mprotect_noaccess(wl->keys);
        pthread_mutex_unlock(&wl->key_mu);
    }
    sodium_free(master);
    return st;
}

static face_status set_sign_key(face_watchlist *wl, const uint8_t *sk)
{
    if (!sk) return FACE_OK;
    pthread_mutex_lock(&wl->key_mu);
    sodium_mprotect_readwrite(wl->keys);
    memcpy(wl->keys + LF_WL_KEY_SIGN, sk, FACE_AUDIT_SECRET_KEY_BYTES);
    sodium_mprotect_noaccess(wl->keys);
    pthread_mutex_unlock(&wl->key_mu);
    wl->has_sign = 1;
    return FACE_OK;
}

static face_status set_path(face_watchlist *wl, const char *path)
{
    size_t n = strlen(path);
    char *p = lf_alloc(&wl->alloc, n + 1, 1);
    if (!p) return FACE_ERR_OUT_OF_MEMORY;
    memcpy(p, path, n + 1);
    if (wl->path) lf_free_wipe(&wl->alloc, wl->path, wl->path_len + 1);
    wl->path = p;
    wl->path_len = n;
    return FACE_OK;
}

static face_status check_options(const face_watchlist_options *opt)
{
    if (opt && opt->struct_size < sizeof *opt) return FACE_ERR_INVALID_ARGUMENT;
    return FACE_OK;
}

/* ---------------------------------------------------------------- create */

face_status face_watchlist_create(const face_watchlist_options *opt, const face_watchlist_key *key,
                                  face_watchlist **out)
{
    if (!out) return FACE_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (!opt || check_options(opt) != FACE_OK) return FACE_ERR_INVALID_ARGUMENT;
    if (opt->storage != FACE_WATCHLIST_FLOAT32 && opt->storage != FACE_WATCHLIST_INT8)
        return FACE_ERR_INVALID_ARGUMENT;
    face_status st = check_key(key, 1);
    if (st != FACE_OK) return st;
    if (sodium_init() < 0) return FACE_ERR_INTERNAL;
    if ((st = lf_cpu_init()) != FACE_OK) return st;
    face_watchlist *wl;
    if ((st = lf_wl_new(opt, &wl)) != FACE_OK) return st;
    wl->storage = opt->storage;
    memcpy(wl->fingerprint, opt->fingerprint, FACE_FINGERPRINT_BYTES);
    wl->key_kind = key->kind;
    if (key->key_id) memcpy(wl->key_id, key->key_id, FACE_WATCHLIST_KEY_ID_BYTES);
    st = lf_wl_derive_keys(wl, key, 1);
    if (st == FACE_OK) st = set_sign_key(wl, opt->audit_sign_key);
    if (st == FACE_OK && opt->audit_path) st = lf_audit_attach(wl, opt->audit_path, 1);
    if (st == FACE_OK) st = lf_audit_append(wl, FACE_AUDIT_CREATE, NULL, 0, NULL);
    if (st != FACE_OK) {
        lf_wl_free(wl);
        return st;
    }
    *out = wl;
    return FACE_OK;
}

/* ---------------------------------------------------------------- I/O */

static face_status read_full(int fd, uint8_t *buf, size_t n, size_t *got)
{
    size_t off = 0;
    while (off < n) {
        ssize_t r = read(fd, buf + off, n - off);
        if (r < 0) {
            if (errno == EINTR) continue;
            return FACE_ERR_IO;
        }
        if (r == 0) break;
        off += (size_t)r;
    }
    *got = off;
    return FACE_OK;
}

static face_status write_full(int fd, const uint8_t *buf, size_t n)
{
    while (n) {
        ssize_t w = write(fd, buf, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return FACE_ERR_IO;
        }
        buf += w;
        n -= (size_t)w;
    }
    return FACE_OK;
}

face_status face_watchlist_peek(const char *path, face_watchlist_file_info *info)
{
    if (!path || !info || info->struct_size < sizeof *info) return FACE_ERR_INVALID_ARGUMENT;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return FACE_ERR_IO;
    uint8_t b[HDR_BYTES];
    size_t got;
    face_status st = read_full(fd, b, sizeof b, &got);
    close(fd);
    hdr h;
    if (st == FACE_OK) st = hdr_read(b, got, &h);
    if (st != FACE_OK) return st;
    memset(info, 0, sizeof *info);
    info->struct_size = sizeof *info;
    info->format_version = h.version;
    info->key_kind = h.key_kind;
    info->storage = h.storage;
    info->opslimit = h.opslimit;
    info->memlimit = h.memlimit;
    memcpy(info->key_id, h.key_id, 16);
    memcpy(info->fingerprint, h.fingerprint, 16);
    info->entry_count = h.entries;
    info->template_count = h.templates;
    return FACE_OK;
}

/* ---------------------------------------------------------------- payload */

typedef struct wbuf {
    uint8_t *p;
    size_t n;
} wbuf;

static void put(wbuf *w, const void *src, size_t n)
{
    memcpy(w->p + w->n, src, n);
    w->n += n;
}

static size_t entry_bytes(const face_watchlist *wl, const lf_wl_entry *e)
{
    size_t per = wl->storage == FACE_WATCHLIST_INT8 ? 4 + 4 + LF_WL_DIM : 4 + 4 * LF_WL_DIM;
    return 1 + e->id_len + 2 + e->label_len + 8 + 8 + 2 + 2 + e->ntpl * per;
}

/* Payload v1 (all little endian):
 *   "WLP1", u32 entries, u32 templates, u64 audit seq, 32 audit head,
 *   per entry: u8 id_len, id, u16 label_len, label, i64 created, i64 expires,
 *   u16 ntpl, u16 0, per template: u32 0 (reserved), then float32 mode
 *   128 x f32, int8 mode f32 scale + 128 x i8. */
static void payload_write(face_watchlist *wl, wbuf *w)
{
    uint8_t t[8];
    put(w, PMAGIC, 4);
    lf_wr32(t, (uint32_t)wl->nentries);
    put(w, t, 4);
    lf_wr32(t, (uint32_t)wl->nrows);
    put(w, t, 4);
    uint64_t seq;
    uint8_t head[LF_WL_MAC_BYTES];
    lf_audit_head(wl, &seq, head);
    lf_wr64(t, seq);
    put(w, t, 8);
    put(w, head, sizeof head);
    for (size_t i = 0; i < wl->nentries; i++) {
        lf_wl_entry *e = &wl->entries[i];
        put(w, &e->id_len, 1);
        put(w, e->id, e->id_len);
        lf_wr16(t, e->label_len);
        put(w, t, 2);
        if (e->label_len) put(w, e->label, e->label_len);
        lf_wr64(t, (uint64_t)e->created_at);
        put(w, t, 8);
        lf_wr64(t, (uint64_t)e->expires_at);
        put(w, t, 8);
        lf_wr16(t, e->ntpl);
        lf_wr16(t + 2, 0);
        put(w, t, 4);
        uint32_t *rows = lf_wl_rows(e);
        for (size_t k = 0; k < e->ntpl; k++) {
            lf_wr32(t, 0);
            put(w, t, 4);
            size_t row = rows[k];
            if (wl->storage == FACE_WATCHLIST_INT8) {
                lf_wrf32(w->p + w->n, wl->rscale[row]);
                w->n += 4;
                size_t b = row / LF_SEARCH_BLOCK, r = row % LF_SEARCH_BLOCK;
                const int8_t *blk = wl->i8 + b * LF_WL_DIM * LF_SEARCH_BLOCK;
                for (int d = 0; d < LF_WL_DIM; d++)
                    w->p[w->n++] = (uint8_t)blk[(d / 2) * 32 + r * 2 + (d % 2)];
            } else {
                float v[LF_WL_DIM];
                lf_wl_row_values(wl, row, v);
                for (int d = 0; d < LF_WL_DIM; d++, w->n += 4) lf_wrf32(w->p + w->n, v[d]);
                sodium_memzero(v, sizeof v);
            }
        }
    }
}

/* Parse an authenticated payload into an empty handle. Authenticated data
 * can still be malformed (a bug, or a key holder's forgery): every length is
 * checked, and any inconsistency is FACE_ERR_CORRUPT. */
static face_status payload_read(face_watchlist *wl, const uint8_t *p, size_t n, const hdr *h)
{
    size_t off = 0;
    if (n < 52 || memcmp(p, PMAGIC, 4) != 0) return FACE_ERR_CORRUPT;
    uint32_t ne = lf_rd32(p + 4), nt = lf_rd32(p + 8);
    if (ne != h->entries || nt != h->templates) return FACE_ERR_CORRUPT;
    wl->anchor_seq = lf_rd64(p + 12);
    memcpy(wl->anchor_mac, p + 20, 32);
    off = 52;
    const int i8 = wl->storage == FACE_WATCHLIST_INT8;
    float f32[FACE_WATCHLIST_MAX_TEMPLATES_PER_ENTRY * LF_WL_DIM];
    int8_t q[FACE_WATCHLIST_MAX_TEMPLATES_PER_ENTRY * LF_WL_DIM];
    float scales[FACE_WATCHLIST_MAX_TEMPLATES_PER_ENTRY];
    face_status st = FACE_OK;
    size_t rows = 0;
    /* The staging arrays hold templates: every exit goes through done. */
#define BAD()                  \
    do {                       \
        st = FACE_ERR_CORRUPT; \
        goto done;             \
    } while (0)
#define NEED(k)                                 \
    do {                                        \
        if (n - off < (size_t)(k)) BAD();       \
    } while (0)
    for (uint32_t i = 0; i < ne && st == FACE_OK; i++) {
        NEED(1);
        size_t id_len = p[off++];
        if (id_len == 0 || id_len > FACE_WATCHLIST_ID_MAX) BAD();
        NEED(id_len + 2);
        const uint8_t *id = p + off;
        off += id_len;
        size_t label_len = lf_rd16(p + off);
        off += 2;
        if (label_len > FACE_WATCHLIST_LABEL_MAX) BAD();
        NEED(label_len + 8 + 8 + 4);
        const char *label = (const char *)(p + off);
        if (memchr(label, 0, label_len)) BAD();
        off += label_len;
        int64_t created = (int64_t)lf_rd64(p + off);
        int64_t expires = (int64_t)lf_rd64(p + off + 8);
        size_t ntpl = lf_rd16(p + off + 16);
        if (lf_rd16(p + off + 18) != 0 || expires < 0) BAD();
        off += 20;
        if (ntpl == 0 || ntpl > FACE_WATCHLIST_MAX_TEMPLATES_PER_ENTRY) BAD();
        size_t per = i8 ? 4 + 4 + LF_WL_DIM : 4 + 4 * LF_WL_DIM;
        NEED(ntpl * per);
        for (size_t k = 0; k < ntpl; k++) {
            if (lf_rd32(p + off) != 0) BAD();
            off += 4;
            if (i8) {
                scales[k] = lf_rdf32(p + off);
                off += 4;
                if (!(scales[k] >= 0.0f) || isinf(scales[k])) BAD();
                for (int d = 0; d < LF_WL_DIM; d++) {
                    int8_t c = (int8_t)p[off++];
                    if (c == -128) BAD(); /* we clamp to +-127 */
                    q[k * LF_WL_DIM + d] = c;
                }
            } else {
                for (int d = 0; d < LF_WL_DIM; d++, off += 4) {
                    float v = lf_rdf32(p + off);
                    if (!isfinite(v)) BAD();
                    f32[k * LF_WL_DIM + d] = v;
                }
            }
        }
        rows += ntpl;
        if (rows > nt) {
            st = FACE_ERR_CORRUPT;
            break;
        }
        st = lf_wl_add(wl, id, id_len, label, label_len, created, expires, ntpl, i8 ? NULL : f32,
                       i8 ? q : NULL, i8 ? scales : NULL);
        if (st == FACE_ERR_EXISTS) st = FACE_ERR_CORRUPT; /* duplicate id in a file */
    }
done:
    sodium_memzero(f32, sizeof f32);
    sodium_memzero(q, sizeof q);
    sodium_memzero(scales, sizeof scales);
    if (st == FACE_OK && (rows != nt || off != n)) st = FACE_ERR_CORRUPT;
    return st;
#undef NEED
#undef BAD
}

/* ---------------------------------------------------------------- open */

face_status face_watchlist_open(const char *path, const face_watchlist_key *key,
                                const face_watchlist_options *opt, face_watchlist **out)
{
    if (!out) return FACE_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (!path || check_options(opt) != FACE_OK) return FACE_ERR_INVALID_ARGUMENT;
    face_status st = check_key(key, 0);
    if (st != FACE_OK) return st;
    if (sodium_init() < 0) return FACE_ERR_INTERNAL;
    if ((st = lf_cpu_init()) != FACE_OK) return st;

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return FACE_ERR_IO;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return FACE_ERR_IO;
    }
    uint8_t hb[HDR_BYTES];
    size_t got;
    hdr h;
    st = read_full(fd, hb, sizeof hb, &got);
    if (st == FACE_OK) st = hdr_read(hb, got, &h);
    if (st == FACE_OK && h.key_kind != key->kind) st = FACE_ERR_AUTH; /* the wrong key */
    if (st == FACE_OK && opt && opt->check_fingerprint &&
        memcmp(opt->fingerprint, h.fingerprint, FACE_FINGERPRINT_BYTES) != 0)
        st = FACE_ERR_MODEL_MISMATCH;
    face_watchlist *wl = NULL;
    if (st == FACE_OK) st = lf_wl_new(opt, &wl);
    if (st != FACE_OK) {
        close(fd);
        return st;
    }
    wl->storage = h.storage;
    wl->key_kind = h.key_kind;
    wl->opslimit = h.opslimit;
    wl->memlimit = h.memlimit;
    wl->save_counter = h.counter;
    memcpy(wl->salt, h.salt, 16);
    memcpy(wl->key_id, h.key_id, 16);
    memcpy(wl->fingerprint, h.fingerprint, 16);
    st = lf_wl_derive_keys(wl, key, 0);

    crypto_secretstream_xchacha20poly1305_state *ss = NULL;
    uint8_t *cbuf = NULL, *plain = NULL;
    size_t plain_len = 0;
    if (st == FACE_OK) {
        ss = sodium_malloc(sizeof *ss);
        cbuf = lf_alloc(&wl->alloc, 2 * (CHUNK + ABYTES), LF_ALIGN);
        if (!ss || !cbuf) st = FACE_ERR_OUT_OF_MEMORY;
    }
    if (st == FACE_OK) {
        const uint8_t *k = lf_wl_keys_acquire(wl);
        if (crypto_secretstream_xchacha20poly1305_init_pull(ss, h.ss, k + LF_WL_KEY_ENC) != 0)
            st = FACE_ERR_AUTH;
        lf_wl_keys_release(wl);
    }
    /* Chunk 0 authenticates the header; only then is its payload size
     * trusted, checked against the file size and allocated. */
    size_t off = 0;
    int final = 0;
    for (uint64_t c = 0; st == FACE_OK && !final; c++) {
        size_t want = CHUNK + ABYTES;
        if (c > 0) {
            size_t left = plain_len - off;
            want = (left < CHUNK ? left : CHUNK) + ABYTES;
        }
        st = read_full(fd, cbuf, want, &got);
        if (st != FACE_OK) break;
        if (got < ABYTES) {
            st = FACE_ERR_AUTH; /* truncated */
            break;
        }
        uint8_t tag;
        unsigned long long mlen;
        uint8_t *first = cbuf + CHUNK + ABYTES;
        uint8_t *dst = c == 0 ? first : plain + off;
        if (crypto_secretstream_xchacha20poly1305_pull(ss, dst, &mlen, &tag, cbuf, got,
                                                       c == 0 ? hb : NULL,
                                                       c == 0 ? HDR_BYTES : 0) != 0) {
            st = FACE_ERR_AUTH;
            break;
        }
        if (c == 0) {
            uint64_t nchunks = h.payload == 0 ? 1 : (h.payload + CHUNK - 1) / CHUNK;
            uint64_t expect = HDR_BYTES + h.payload + nchunks * ABYTES;
            if (h.payload > SIZE_MAX - 64 || (uint64_t)sb.st_size != expect ||
                mlen != (h.payload < CHUNK ? h.payload : CHUNK)) {
                st = FACE_ERR_AUTH; /* truncated or extended after sealing */
                break;
            }
            plain_len = (size_t)h.payload;
            plain = lf_alloc(&wl->alloc, plain_len ? plain_len : 1, LF_ALIGN);
            if (!plain) {
                st = FACE_ERR_OUT_OF_MEMORY;
                break;
            }
            memcpy(plain, first, (size_t)mlen);
        }
        off += (size_t)mlen;
        final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
        if (final != (off == plain_len) || (!final && mlen != CHUNK)) st = FACE_ERR_AUTH;
    }
    if (st == FACE_OK) {
        /* Nothing may follow the final chunk. */
        uint8_t extra;
        if (read_full(fd, &extra, 1, &got) != FACE_OK) st = FACE_ERR_IO;
        else if (got) st = FACE_ERR_AUTH;
    }
    close(fd);
    if (ss) sodium_free(ss);
    if (cbuf) lf_free_wipe(&wl->alloc, cbuf, 2 * (CHUNK + ABYTES));
    if (st == FACE_OK) st = payload_read(wl, plain, plain_len, &h);
    if (plain) lf_free_wipe(&wl->alloc, plain, plain_len ? plain_len : 1);
    if (st == FACE_OK) st = set_path(wl, path);
    if (st == FACE_OK) st = set_sign_key(wl, opt ? opt->audit_sign_key : NULL);
    if (st == FACE_OK && opt && opt->audit_path) st = lf_audit_attach(wl, opt->audit_path, 0);
    if (st == FACE_OK) st = lf_audit_append(wl, FACE_AUDIT_OPEN, NULL, 0, NULL);
    if (st != FACE_OK) {
        lf_wl_free(wl);
        return st;
    }
    *out = wl;
    return FACE_OK;
}

/* ---------------------------------------------------------------- save */

static void fault(int *step)
{
    if (lf_wl_fault_hook) lf_wl_fault_hook((*step)++);
}

static face_status fsync_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash) {
        dir[0] = '.';
        dir[1] = '\0';
    } else {
        size_t n = (size_t)(slash - path);
        if (n == 0) n = 1; /* "/file" */
        if (n >= sizeof dir) return FACE_ERR_IO;
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return FACE_ERR_IO;
    int r = fsync(fd);
    close(fd);
    return r == 0 ? FACE_OK : FACE_ERR_IO;
}

/* A plaintext snapshot of the handle, taken under the read lock so the
 * slow part of a save (encryption, writes, fsync) runs without it and never
 * holds up enroll or remove. */
typedef struct snapshot {
    wbuf w;
    size_t cap;
    uint32_t entries, templates;
} snapshot;

static face_status snapshot_take(face_watchlist *wl, snapshot *sn)
{
    size_t payload = 4 + 4 + 4 + 8 + 32;
    for (size_t i = 0; i < wl->nentries; i++) payload += entry_bytes(wl, &wl->entries[i]);
    sn->cap = payload;
    sn->w.n = 0;
    sn->w.p = lf_alloc(&wl->alloc, payload, LF_ALIGN);
    if (!sn->w.p) return FACE_ERR_OUT_OF_MEMORY;
    payload_write(wl, &sn->w);
    sn->entries = (uint32_t)wl->nentries;
    sn->templates = (uint32_t)wl->nrows;
    return sn->w.n == payload ? FACE_OK : FACE_ERR_INTERNAL;
}

/* Seal a snapshot into fd (a fresh temporary file). Caller holds save_mu. */
static face_status seal_to(face_watchlist *wl, const snapshot *sn, int fd, int *step)
{
    const size_t payload = sn->w.n;
    const uint8_t *plain = sn->w.p;
    uint8_t *cbuf = lf_alloc(&wl->alloc, CHUNK + ABYTES, LF_ALIGN);
    crypto_secretstream_xchacha20poly1305_state *ss = sodium_malloc(sizeof *ss);
    face_status st = FACE_OK;
    if (!cbuf || !ss) st = FACE_ERR_OUT_OF_MEMORY;
    uint8_t hb[HDR_BYTES];
    if (st == FACE_OK) {
        hdr h;
        memset(&h, 0, sizeof h);
        h.version = FORMAT_VERSION;
        h.key_kind = (uint8_t)wl->key_kind;
        h.storage = (uint8_t)wl->storage;
        h.opslimit = wl->opslimit;
        h.memlimit = wl->memlimit;
        memcpy(h.salt, wl->salt, 16);
        memcpy(h.key_id, wl->key_id, 16);
        memcpy(h.fingerprint, wl->fingerprint, 16);
        h.entries = sn->entries;
        h.templates = sn->templates;
        h.payload = payload;
        h.counter = wl->save_counter + 1;
        const uint8_t *k = lf_wl_keys_acquire(wl);
        crypto_secretstream_xchacha20poly1305_init_push(ss, h.ss, k + LF_WL_KEY_ENC);
        lf_wl_keys_release(wl);
        hdr_write(&h, hb);
        st = write_full(fd, hb, HDR_BYTES);
        fault(step);
    }
    for (size_t off = 0; st == FACE_OK;) {
        size_t n = payload - off < CHUNK ? payload - off : CHUNK;
        int last = off + n == payload;
        unsigned long long clen;
        crypto_secretstream_xchacha20poly1305_push(
            ss, cbuf, &clen, plain + off, n, off == 0 ? hb : NULL, off == 0 ? HDR_BYTES : 0,
            last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
        st = write_full(fd, cbuf, (size_t)clen);
        fault(step);
        off += n;
        if (last) break;
    }
    if (st == FACE_OK) {
        st = fsync(fd) == 0 ? FACE_OK : FACE_ERR_IO;
        fault(step);
    }
    if (cbuf) lf_free_wipe(&wl->alloc, cbuf, CHUNK + ABYTES);
    if (ss) sodium_free(ss);
    return st;
}

face_status face_watchlist_save(face_watchlist *wl, const char *path)
{
    if (!wl) return FACE_ERR_INVALID_ARGUMENT;
    /* save_mu first: saves are serialised, and the handle's path (read and
     * replaced here) is only touched under it. */
    pthread_mutex_lock(&wl->save_mu);
    face_status st = FACE_OK;
    if (!path) path = wl->path;
    if (!path) st = FACE_ERR_STATE;
    char tmp[4096];
    if (st == FACE_OK) {
        /* Same directory as the target, so rename() is atomic; a random
         * suffix and O_EXCL so a stale file from a crash never collides. */
        uint8_t r[8];
        randombytes_buf(r, sizeof r);
        char hex[17];
        sodium_bin2hex(hex, sizeof hex, r, sizeof r);
        if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-%s", path, hex) >= sizeof tmp)
            st = FACE_ERR_INVALID_ARGUMENT;
    }
    snapshot sn;
    memset(&sn, 0, sizeof sn);
    if (st == FACE_OK) {
        pthread_rwlock_rdlock(&wl->lock);
        st = snapshot_take(wl, &sn);
        pthread_rwlock_unlock(&wl->lock);
    }
    int fd = -1;
    int step0 = 0, *step = &step0;
    if (st == FACE_OK) {
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) st = FACE_ERR_IO;
    }
    if (st == FACE_OK) st = seal_to(wl, &sn, fd, step);
    if (sn.w.p) lf_free_wipe(&wl->alloc, sn.w.p, sn.cap);
    if (fd >= 0) {
        if (close(fd) != 0 && st == FACE_OK) st = FACE_ERR_IO;
        if (st == FACE_OK) fault(step);
    }
    if (st == FACE_OK) {
        st = rename(tmp, path) == 0 ? FACE_OK : FACE_ERR_IO;
        if (st == FACE_OK) fault(step);
    }
    if (fd >= 0 && st != FACE_OK) unlink(tmp);
    if (st == FACE_OK) {
        /* After the rename the new file is in place; the directory fsync
         * makes the rename itself survive a power cut. */
        st = fsync_dir(path);
        fault(step);
    }
    if (st == FACE_OK) {
        wl->save_counter++;
        if (path != wl->path) st = set_path(wl, path);
    }
    if (st == FACE_OK) st = lf_audit_append(wl, FACE_AUDIT_SAVE, NULL, 0, NULL);
    pthread_mutex_unlock(&wl->save_mu);
    return st;
}

/* ---------------------------------------------------------------- close */

void face_watchlist_close(face_watchlist *wl) { lf_wl_free(wl); }

face_status face_watchlist_destroy(face_watchlist *wl)
{
    if (!wl) return FACE_ERR_INVALID_ARGUMENT;
    face_status st = lf_audit_append(wl, FACE_AUDIT_DESTROY, NULL, 0, NULL);
    if (wl->path) {
        if (unlink(wl->path) != 0 && errno != ENOENT) st = FACE_ERR_IO;
        else if (fsync_dir(wl->path) != FACE_OK && st == FACE_OK) st = FACE_ERR_IO;
    }
    lf_wl_free(wl);
    return st;
}
