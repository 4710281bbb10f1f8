/* Watchlist internals shared by watchlist.c, search.c, seal.c and audit.c,
 * and by the white-box tests. Private header; never installed.
 *
 * Locking (see also include/face/watchlist.h):
 *   lock     pthread rwlock, writer-preferring. Readers: search, get, list,
 *            count, audit_verify, and save while it copies the plaintext
 *            snapshot. Writers: enroll, remove, purge, audit_alert. It guards
 *            the entries, the rows and the table.
 *   save_mu  serialises saves and guards path and save_counter. A save
 *            encrypts, writes and fsyncs its snapshot holding only this, so
 *            disk latency never blocks enroll, remove or search.
 *   key_mu   guards the key area's page protection (sodium_mprotect_*),
 *            which is process-wide state for that page.
 *   audit mu guards the audit file descriptor and chain head; appends come
 *            from writers and from saves (which hold the lock only shared).
 * Order: save_mu -> lock -> audit mu -> key_mu. */
#ifndef LF_WATCHLIST_INTERNAL_H
#define LF_WATCHLIST_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "base/base.h"
#include "face/watchlist.h"
#include "kernels/search.h"

#define LF_WL_DIM FACE_TEMPLATE_DIM
#define LF_WL_MAC_BYTES 32

/* Key area (sodium_malloc): encryption subkey, audit MAC subkey, optional
 * Ed25519 secret key. */
#define LF_WL_KEY_ENC 0
#define LF_WL_KEY_AUDIT 32
#define LF_WL_KEY_SIGN 64
#define LF_WL_KEY_AREA (64 + FACE_AUDIT_SECRET_KEY_BYTES)

typedef struct lf_wl_entry {
    uint8_t id[FACE_WATCHLIST_ID_MAX];
    uint8_t id_len;
    uint16_t ntpl;
    uint16_t label_len;
    char *label;   /* label_len + 1 bytes, or NULL when empty */
    int64_t created_at, expires_at;
    uint32_t row1;  /* the row when ntpl == 1 */
    uint32_t *rows; /* ntpl rows when ntpl > 1 */
} lf_wl_entry;

static inline uint32_t *lf_wl_rows(lf_wl_entry *e) { return e->ntpl == 1 ? &e->row1 : e->rows; }

typedef struct lf_audit {
    int fd;
    char *path;
    size_t path_len;
    uint64_t seq;                 /* last record written */
    uint8_t head[LF_WL_MAC_BYTES]; /* its chain value */
    pthread_mutex_t mu;
} lf_audit;

struct face_watchlist {
    lf_allocator alloc;
    pthread_rwlock_t lock;
    pthread_mutex_t save_mu;
    pthread_mutex_t key_mu;
    int storage;
    uint8_t fingerprint[FACE_FINGERPRINT_BYTES];

    /* key */
    int key_kind;
    uint64_t opslimit, memlimit;
    uint8_t salt[FACE_WATCHLIST_SALT_BYTES];
    uint8_t key_id[FACE_WATCHLIST_KEY_ID_BYTES];
    uint8_t *keys; /* LF_WL_KEY_AREA bytes of sodium_malloc, no-access at rest */
    int has_sign;

    char *path; /* last opened/saved file, or NULL */
    size_t path_len;
    uint64_t save_counter;

    /* entries and the id table (open addressing, linear probing; slots hold
     * entry index + 1). Ids hash with a per-handle SipHash key so crafted ids
     * cannot degrade lookups. */
    lf_wl_entry *entries;
    size_t nentries, cap_entries;
    uint32_t *table;
    size_t table_cap;
    uint8_t hash_key[16];

    /* rows: templates in 16-row blocks (kernels/search.h) */
    size_t nrows, cap_rows; /* cap_rows is a multiple of LF_SEARCH_BLOCK */
    float *f32;
    int8_t *i8;
    float *rscale, *rnorm; /* int8 only */
    uint32_t *row_owner;   /* entry index */
    uint8_t *row_tpl;      /* template index within its entry */

    lf_audit *audit;
    uint64_t anchor_seq; /* audit head sealed in the file we opened */
    uint8_t anchor_mac[LF_WL_MAC_BYTES];
};

/* ---- watchlist.c */
face_status lf_wl_new(const face_watchlist_options *opt, face_watchlist **out);
void lf_wl_free(face_watchlist *wl);
size_t lf_wl_find(const face_watchlist *wl, const uint8_t *id, size_t id_len); /* SIZE_MAX if absent */
/* Add an entry from already-validated data (no audit). Exactly one of f32
 * (ntpl * dim floats) or i8 + scales (ntpl * dim, ntpl) is given. */
face_status lf_wl_add(face_watchlist *wl, const uint8_t *id, size_t id_len, const char *label,
                      size_t label_len, int64_t created_at, int64_t expires_at, size_t ntpl,
                      const float *f32, const int8_t *i8, const float *scales);
/* Read template t of entry e back as floats (dequantized in int8 mode). */
void lf_wl_row_values(const face_watchlist *wl, size_t row, float *out);
void lf_wl_quantize_row(const float *v, int8_t *c, float *scale);
float lf_wl_row_norm_i8(const int8_t *c, float scale);
int64_t lf_wl_now(int64_t now);
face_status lf_wl_check_template(const face_watchlist *wl, const face_template *t);
const uint8_t *lf_wl_keys_acquire(face_watchlist *wl);
void lf_wl_keys_release(face_watchlist *wl);

/* ---- search.c */
face_status lf_wl_search(face_watchlist *wl, const face_template *probes, size_t nprobes,
                         const face_watchlist_search_options *opt, face_watchlist_match *matches,
                         size_t *counts);
/* Test hook: force the kernels of one ISA (NULL = dispatch). */
extern const lf_search_kernels *lf_wl_kernels_override;

/* ---- seal.c */
/* Test-only fault injection: called after each step of a save (each write,
 * the fsync of the file, its close, the rename, the fsync of the directory)
 * with a running step number from 0. NULL in production. */
extern void (*lf_wl_fault_hook)(int step);
face_status lf_wl_derive_keys(face_watchlist *wl, const face_watchlist_key *key, int creating);

/* ---- audit.c */
face_status lf_audit_attach(face_watchlist *wl, const char *path, int is_create);
void lf_audit_detach(face_watchlist *wl);
/* Append one record; FACE_OK without a log. id/detail may be NULL. */
face_status lf_audit_append(face_watchlist *wl, face_audit_event ev, const uint8_t *id,
                            size_t id_len, const char *detail);
void lf_audit_head(face_watchlist *wl, uint64_t *seq, uint8_t head[LF_WL_MAC_BYTES]);

#endif /* LF_WATCHLIST_INTERNAL_H */
