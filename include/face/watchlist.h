/* libface: the sealed watchlist.
 *
 * A watchlist holds enrolled identities (an opaque id, 1..N templates, a
 * label, creation and expiry times) and searches them exactly, 1:N, by
 * Euclidean distance. On disk it is one sealed file (docs/watchlist-format.md):
 * encrypted and authenticated with XChaCha20-Poly1305 (libsodium
 * secretstream), written atomically and durably. An optional audit log
 * records every change in an append-only, hash-chained file.
 *
 * Threads
 *   A face_watchlist may be shared by many threads: any number of readers
 *   (search, get, list, count, audit_verify, save) run concurrently, and
 *   writers (enroll, remove, purge_expired, audit_alert) are serialised
 *   against them by a writer-preferring read/write lock held inside the
 *   handle. face_watchlist_close and face_watchlist_destroy must not race
 *   with any other call on the same handle (the caller ends its users first,
 *   as with free()).
 *   libface starts no thread of its own accord. A search may use
 *   face_watchlist_search_options.threads workers: they are started by that
 *   call, split the rows between them and are joined before it returns.
 *   Alternatively call search from several of your own threads at once.
 *
 * Memory
 *   Every buffer that held a template, a probe or key material is zeroed
 *   before it is released; key material lives in sodium_malloc memory
 *   (guarded, locked, no-access while unused). Templates reach disk only
 *   inside the sealed file.
 *
 * Errors (besides those listed per call)
 *   FACE_ERR_INVALID_ARGUMENT a NULL pointer, a bad struct_size, a value out
 *                             of range
 *   FACE_ERR_OUT_OF_MEMORY    the allocator failed
 *   FACE_ERR_ISA_UNAVAILABLE  FACE_FORCE_ISA names an ISA this CPU lacks
 */
#ifndef FACE_WATCHLIST_H
#define FACE_WATCHLIST_H

#include "face/status.h"
#include "face/template.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ limits */

#define FACE_WATCHLIST_ID_MAX 64            /**< bytes of an identity, 1..64 */
#define FACE_WATCHLIST_LABEL_MAX 255        /**< bytes of a label, without its NUL */
#define FACE_WATCHLIST_MAX_TEMPLATES_PER_ENTRY 64
#define FACE_WATCHLIST_MAX_ENTRIES 16777216u   /**< 2^24 identities */
#define FACE_WATCHLIST_MAX_TEMPLATES 33554432u /**< 2^25 templates in all */
#define FACE_WATCHLIST_MAX_K 1024           /**< largest top-k of a search */
#define FACE_WATCHLIST_MAX_BATCH 1024       /**< largest probe batch */
#define FACE_WATCHLIST_MAX_THREADS 16       /**< largest threads of a search */
#define FACE_WATCHLIST_KEY_BYTES 32         /**< raw key size */
#define FACE_WATCHLIST_KEY_ID_BYTES 16      /**< opaque key id stored in clear */
#define FACE_WATCHLIST_SALT_BYTES 16

/** Argon2id bounds. A file's header is read before anything can be
 *  authenticated, so these bound what a forged header can demand: at most
 *  1 GiB of memory, 10 passes, and 4 GiB-passes in product (a few seconds).
 *  Values outside them are refused (FACE_ERR_LIMIT) before the KDF runs. */
#define FACE_WATCHLIST_KDF_OPSLIMIT_MIN 1u
#define FACE_WATCHLIST_KDF_OPSLIMIT_MAX 10u
#define FACE_WATCHLIST_KDF_MEMLIMIT_MIN 8192u               /**< 8 KiB */
#define FACE_WATCHLIST_KDF_MEMLIMIT_MAX 1073741824u         /**< 1 GiB */
#define FACE_WATCHLIST_KDF_WORK_MAX 4294967296ull           /**< ops x mem */
#define FACE_WATCHLIST_KDF_OPSLIMIT_DEFAULT 3u
#define FACE_WATCHLIST_KDF_MEMLIMIT_DEFAULT 67108864u       /**< 64 MiB */

/** Ed25519 key sizes for signing the audit log (libsodium crypto_sign). */
#define FACE_AUDIT_PUBLIC_KEY_BYTES 32
#define FACE_AUDIT_SECRET_KEY_BYTES 64

/* ------------------------------------------------------------------ types */

/** The watchlist handle. Opaque. */
typedef struct face_watchlist face_watchlist;

/** How templates are stored and searched. Values are stable. */
typedef enum face_watchlist_storage {
    /** 128 float32 per template; exact distances (bit-identical on every ISA). */
    FACE_WATCHLIST_FLOAT32 = 1,
    /** 128 int8 plus a per-template scale: 4x smaller and faster, approximate
     *  distances (recall of the float32 top-1 is measured in the tests and
     *  docs/watchlist.md). Templates read back are the dequantized values. */
    FACE_WATCHLIST_INT8 = 2
} face_watchlist_storage;

/** Kinds of key. Values are stable. */
typedef enum face_watchlist_key_kind {
    /** 32 random bytes from the host (HSM, KMS, TPM). */
    FACE_WATCHLIST_KEY_RAW = 1,
    /** A passphrase stretched by Argon2id; parameters stored in the header. */
    FACE_WATCHLIST_KEY_PASSPHRASE = 2
} face_watchlist_key_kind;

/**
 * Key material for create/open. The library copies what it needs into
 * locked memory during the call; the caller keeps and wipes its own copy.
 */
typedef struct face_watchlist_key {
    uint32_t struct_size; /**< sizeof(face_watchlist_key) */
    int32_t kind;         /**< face_watchlist_key_kind */
    /** FACE_WATCHLIST_KEY_RAW: FACE_WATCHLIST_KEY_BYTES bytes. */
    const uint8_t *raw;
    /** FACE_WATCHLIST_KEY_PASSPHRASE: passphrase bytes (any content), 1..4096. */
    const char *passphrase;
    size_t passphrase_len;
    /** Passphrase only, create only (open uses the file's): Argon2id cost.
     *  0 = FACE_WATCHLIST_KDF_*_DEFAULT; otherwise within the bounds above. */
    uint64_t opslimit;
    uint64_t memlimit;
    /** Opaque id stored in clear in the header so the host can tell which
     *  key a file needs (face_watchlist_peek). Create only; NULL = zeros. */
    const uint8_t *key_id; /**< FACE_WATCHLIST_KEY_ID_BYTES or NULL */
} face_watchlist_key;

/** Fill a raw-key descriptor (struct_size set, everything else zero). */
FACE_API void face_watchlist_key_raw(face_watchlist_key *key, const uint8_t *raw32);
/** Fill a passphrase descriptor with the default Argon2id cost. */
FACE_API void face_watchlist_key_passphrase(face_watchlist_key *key, const char *pass, size_t len);

/**
 * Options of create and open.
 */
typedef struct face_watchlist_options {
    uint32_t struct_size; /**< sizeof(face_watchlist_options) */
    /** Create: face_watchlist_storage (default FLOAT32). Open: ignored. */
    int32_t storage;
    /** Create: the model fingerprint every template must carry.
     *  Open: if check_fingerprint is nonzero, the file's fingerprint must
     *  equal this one, else FACE_ERR_MODEL_MISMATCH. */
    uint8_t fingerprint[FACE_FINGERPRINT_BYTES];
    int32_t check_fingerprint;
    int32_t reserved;
    /** NULL for the default; copied. Used for everything but key memory. */
    const face_allocator *allocator;
    /** Audit log path, or NULL for none. Created if absent; an existing log
     *  is verified first and continued (see face_watchlist_audit_verify). */
    const char *audit_path;
    /** Optional operator Ed25519 secret key (FACE_AUDIT_SECRET_KEY_BYTES):
     *  every audit record is then signed. Copied into locked memory. */
    const uint8_t *audit_sign_key;
} face_watchlist_options;

/** Set struct_size and the defaults (FLOAT32, no fingerprint check, no audit
 *  log, default allocator). Writes only *opt; NULL is a no-op. Thread-safe. */
FACE_API void face_watchlist_options_init(face_watchlist_options *opt);

/** What a sealed file's clear header says (face_watchlist_peek). Nothing in
 *  it is authenticated until the file is opened with the key. */
typedef struct face_watchlist_file_info {
    uint32_t struct_size; /**< sizeof(face_watchlist_file_info) */
    uint32_t format_version;
    int32_t key_kind; /**< face_watchlist_key_kind */
    int32_t storage;  /**< face_watchlist_storage */
    uint64_t opslimit, memlimit; /**< 0 for raw keys */
    uint8_t key_id[FACE_WATCHLIST_KEY_ID_BYTES];
    uint8_t fingerprint[FACE_FINGERPRINT_BYTES];
    uint32_t entry_count;
    uint32_t template_count;
} face_watchlist_file_info;

/** An entry's metadata (no biometric data). */
typedef struct face_watchlist_entry {
    uint32_t struct_size; /**< sizeof(face_watchlist_entry); set by the library */
    uint32_t id_len;
    uint8_t id[FACE_WATCHLIST_ID_MAX];
    char label[FACE_WATCHLIST_LABEL_MAX + 1]; /**< NUL-terminated */
    int64_t created_at;   /**< Unix seconds */
    int64_t expires_at;   /**< Unix seconds; 0 = never */
    uint32_t template_count;
    uint32_t reserved;
} face_watchlist_entry;

/** Search options; face_watchlist_search_options_init sets the defaults. */
typedef struct face_watchlist_search_options {
    uint32_t struct_size; /**< sizeof(face_watchlist_search_options) */
    uint32_t k;           /**< 1..FACE_WATCHLIST_MAX_K identities per probe (default 1) */
    /** Report only identities with distance <= threshold (default: +inf,
     *  that is no threshold). Must be >= 0 and not NaN. */
    float threshold;
    /** Threads for this call, 1..FACE_WATCHLIST_MAX_THREADS (default 1).
     *  More than 1 starts threads - 1 workers for the call and joins them
     *  before returning; small watchlists (< 16384 templates) ignore it. */
    int32_t threads;
    /** "Now" for expiry, Unix seconds; 0 = the wall clock. */
    int64_t now;
} face_watchlist_search_options;

/** Set struct_size and the defaults (k 1, no threshold, 1 thread, wall
 *  clock). Writes only *opt; NULL is a no-op. Thread-safe. */
FACE_API void face_watchlist_search_options_init(face_watchlist_search_options *opt);

/** One search result: an identity and its best template's distance. */
typedef struct face_watchlist_match {
    uint32_t struct_size; /**< sizeof(face_watchlist_match); set by the library */
    uint32_t id_len;
    uint8_t id[FACE_WATCHLIST_ID_MAX];
    float distance;          /**< Euclidean distance of the closest template */
    uint32_t template_index; /**< which of the entry's templates that was */
} face_watchlist_match;

/* ------------------------------------------------------------------ handles */

/**
 * A new, empty watchlist in memory, to be sealed with key on save.
 * @param opt required: storage and fingerprint are set here.
 * Passphrase keys run Argon2id here (once; saves reuse the derived key).
 * @return FACE_OK; FACE_ERR_LIMIT (KDF cost out of bounds);
 *         FACE_ERR_IO, FACE_ERR_AUTH, FACE_ERR_CORRUPT (audit log: see
 *         face_watchlist_audit_verify).
 */
FACE_API face_status face_watchlist_create(const face_watchlist_options *opt,
                                           const face_watchlist_key *key,
                                           face_watchlist **out);

/**
 * Open a sealed file. Nothing is returned unless the whole file
 * authenticates.
 * @param opt may be NULL (defaults).
 * @return FACE_OK; FACE_ERR_IO (cannot read); FACE_ERR_CORRUPT (not a
 *         watchlist, malformed header - including KDF parameters or counts
 *         outside the documented bounds, refused before the KDF runs -,
 *         shorter than a header, or authenticated content that does not
 *         parse); FACE_ERR_UNSUPPORTED_VERSION; FACE_ERR_AUTH (wrong key or
 *         any modification, truncation or appended bytes: AEAD cannot tell
 *         them apart); FACE_ERR_MODEL_MISMATCH (opt->check_fingerprint);
 *         audit-log errors as in create.
 */
FACE_API face_status face_watchlist_open(const char *path, const face_watchlist_key *key,
                                         const face_watchlist_options *opt,
                                         face_watchlist **out);

/** Read a sealed file's clear header without a key (which key, which model).
 *  @return FACE_OK, FACE_ERR_IO, FACE_ERR_CORRUPT, FACE_ERR_UNSUPPORTED_VERSION. */
FACE_API face_status face_watchlist_peek(const char *path, face_watchlist_file_info *info);

/**
 * Seal to path atomically and durably: a temporary file in the same
 * directory is written, fsynced, renamed over path, and the directory is
 * fsynced. If anything interrupts the save, the previous file at path is
 * intact. The content is copied under the shared lock (as a search would
 * take it); encryption, writes and fsyncs run without it, so a save blocks
 * writers only for that in-memory copy. Concurrent saves are serialised.
 * @param path NULL = the path the handle was opened from or last saved to.
 * @return FACE_OK; FACE_ERR_IO (the old file is untouched);
 *         FACE_ERR_STATE (path NULL and the handle has none).
 */
FACE_API face_status face_watchlist_save(face_watchlist *wl, const char *path);

/** Wipe everything (templates, keys) and free the handle. NULL is a no-op.
 *  The file on disk is left as last saved. */
FACE_API void face_watchlist_close(face_watchlist *wl);

/**
 * End of a deployment: record "destroy" in the audit log, unlink the sealed
 * file (the handle's path), wipe and free the handle. The file was only ever
 * ciphertext, so wiping the key is what makes any remaining copy unreadable
 * (crypto-shredding); keep no copy of the key. The handle is freed even on
 * error. NULL is a no-op returning FACE_ERR_INVALID_ARGUMENT.
 * @return FACE_OK; FACE_ERR_IO (unlink failed for a reason other than
 *         the file not existing).
 */
FACE_API face_status face_watchlist_destroy(face_watchlist *wl);

/* ------------------------------------------------------------------ entries */

/**
 * Enroll an identity. Writer.
 * @param id        1..FACE_WATCHLIST_ID_MAX opaque bytes, copied.
 * @param label     NUL-terminated, at most FACE_WATCHLIST_LABEL_MAX bytes;
 *                  NULL = "".
 * @param templates 1..FACE_WATCHLIST_MAX_TEMPLATES_PER_ENTRY templates, each
 *                  with the watchlist's fingerprint, dim 128, finite values.
 *                  Copied; the caller keeps (and wipes) its own.
 * @param expires_at Unix seconds, 0 = never.
 * @return FACE_OK; FACE_ERR_EXISTS (id enrolled already);
 *         FACE_ERR_MODEL_MISMATCH; FACE_ERR_LIMIT (entry or template limit);
 *         FACE_ERR_INVALID_ARGUMENT (NULL, sizes, non-finite values).
 */
FACE_API face_status face_watchlist_enroll(face_watchlist *wl, const uint8_t *id, size_t id_len,
                                           const char *label, const face_template *templates,
                                           size_t template_count, int64_t expires_at);

/** Remove an identity and wipe its templates. Writer.
 *  @return FACE_OK, FACE_ERR_NOT_FOUND. */
FACE_API face_status face_watchlist_remove(face_watchlist *wl, const uint8_t *id, size_t id_len);

/**
 * Look up an identity. Reader.
 * @param entry     filled on FACE_OK and on FACE_ERR_BUFFER_TOO_SMALL.
 * @param templates NULL, or room for cap templates that receive copies of
 *                  the entry's templates (biometric: wipe them when done).
 * @return FACE_OK; FACE_ERR_NOT_FOUND; FACE_ERR_BUFFER_TOO_SMALL (templates
 *         given and cap < entry->template_count; none copied).
 */
FACE_API face_status face_watchlist_get(face_watchlist *wl, const uint8_t *id, size_t id_len,
                                        face_watchlist_entry *entry, face_template *templates,
                                        size_t cap);

/**
 * List entries [offset, offset + cap) in the internal order, which is stable
 * while no writer runs. Reader.
 * @param count receives how many were written (0 past the end).
 */
FACE_API face_status face_watchlist_list(face_watchlist *wl, size_t offset,
                                         face_watchlist_entry *entries, size_t cap,
                                         size_t *count);

/** Numbers of entries and of templates (either may be NULL). Reader. */
FACE_API face_status face_watchlist_count(face_watchlist *wl, size_t *entries, size_t *templates);

/** Remove (and wipe) every entry with 0 < expires_at <= now. Writer.
 *  @param now Unix seconds, 0 = the wall clock. @param removed may be NULL. */
FACE_API face_status face_watchlist_purge_expired(face_watchlist *wl, int64_t now,
                                                  size_t *removed);

/** The watchlist's model fingerprint and storage mode (either may be NULL). */
FACE_API face_status face_watchlist_info(face_watchlist *wl,
                                         uint8_t fingerprint[FACE_FINGERPRINT_BYTES],
                                         int *storage);

/* ------------------------------------------------------------------ search */

/**
 * The k closest non-expired identities to probe, closest first, with
 * distance <= threshold. Each identity appears at most once, with its
 * closest template. Ties are broken by internal order, deterministically.
 * Reader; allocates a small per-call scratch.
 * @param matches room for cap results; cap >= opt->k.
 * @param count   receives the number of results (0..k).
 * @param opt     NULL = defaults (k = 1, no threshold, 1 thread).
 * @return FACE_OK; FACE_ERR_MODEL_MISMATCH (probe fingerprint differs);
 *         FACE_ERR_BUFFER_TOO_SMALL (cap < k); FACE_ERR_INVALID_ARGUMENT
 *         (non-finite probe, bad options).
 */
FACE_API face_status face_watchlist_search(face_watchlist *wl, const face_template *probe,
                                           const face_watchlist_search_options *opt,
                                           face_watchlist_match *matches, size_t cap,
                                           size_t *count);

/**
 * Search a batch of probes (for example every face of one frame) in one pass
 * over the watchlist. Results of probe i are matches[i*k .. i*k + counts[i]),
 * identical to face_watchlist_search of that probe alone.
 * @param nprobes 1..FACE_WATCHLIST_MAX_BATCH.
 * @param cap     >= nprobes * k, else FACE_ERR_BUFFER_TOO_SMALL.
 * @param counts  nprobes counts.
 */
FACE_API face_status face_watchlist_search_batch(face_watchlist *wl, const face_template *probes,
                                                 size_t nprobes,
                                                 const face_watchlist_search_options *opt,
                                                 face_watchlist_match *matches, size_t cap,
                                                 size_t *counts);

/* ------------------------------------------------------------------ audit */

/** Audit events. Values are stable. */
typedef enum face_audit_event {
    FACE_AUDIT_CREATE = 1,
    FACE_AUDIT_OPEN = 2,
    FACE_AUDIT_SAVE = 3,
    FACE_AUDIT_ENROLL = 4,
    FACE_AUDIT_REMOVE = 5,
    FACE_AUDIT_ALERT = 6,
    FACE_AUDIT_PURGE = 7,
    FACE_AUDIT_DESTROY = 8,
    FACE_AUDIT_SUMMARY = 9 /**< a host's non-biometric summary (face_watchlist_audit_summary) */
} face_audit_event;

/**
 * Record an alert (a search result the host acted on) in the audit log.
 * Only the identity and the host's detail text are written, never biometric
 * data. Writer.
 * @param detail NUL-terminated, at most 255 bytes (camera, operator...), or NULL.
 * @return FACE_OK; FACE_ERR_STATE (no audit log); FACE_ERR_IO.
 */
FACE_API face_status face_watchlist_audit_alert(face_watchlist *wl, const uint8_t *id,
                                                size_t id_len, const char *detail);

/** Longest summary text, bytes (without the NUL). */
#define FACE_AUDIT_SUMMARY_MAX 512

/**
 * Record a summary in the audit log: figures of a deployment, a shift, a
 * retention run... (face_deployment_report writes stream counters this
 * way). The text must never carry biometric data - no template values,
 * landmarks, boxes or pixels; the library cannot tell, so it only accepts
 * what such a summary needs: printable ASCII (0x20..0x7e), no line breaks,
 * 1..FACE_AUDIT_SUMMARY_MAX bytes. The record has no entry id. Writer.
 * Logs holding a summary record are refused (FACE_ERR_CORRUPT) by a
 * library older than this event.
 * @return FACE_OK; FACE_ERR_INVALID_ARGUMENT (NULL, empty text, a byte
 *         outside printable ASCII); FACE_ERR_LIMIT (text over
 *         FACE_AUDIT_SUMMARY_MAX bytes); FACE_ERR_STATE (no audit log);
 *         FACE_ERR_IO.
 */
FACE_API face_status face_watchlist_audit_summary(face_watchlist *wl, const char *text);

/** Result of an audit verification. */
typedef struct face_audit_report {
    uint32_t struct_size; /**< sizeof(face_audit_report); set by the library */
    uint32_t reserved;
    uint64_t records;     /**< records that verified */
    uint64_t first_bad;   /**< 1-based line of the first bad record, 0 if none */
    int32_t signed_records; /**< nonzero if every record carried a good signature */
    int32_t reserved2;
} face_audit_report;

/**
 * Verify an audit log with the watchlist's key: every record's keyed
 * BLAKE2b chain value, sequence numbers 1, 2, 3... (a deleted or reordered
 * record breaks both), that the log reaches the newest head this handle
 * knows - the last record it wrote if it has a log attached, else the head
 * sealed in the file it was opened from (a truncated log does not) - and,
 * if public_key is given, every record's Ed25519 signature. For the
 * handle's own log, records past its head also fail. Reader.
 * @param path        NULL = the handle's audit log.
 * @param public_key  NULL, or FACE_AUDIT_PUBLIC_KEY_BYTES.
 * @param report      may be NULL.
 * @return FACE_OK; FACE_ERR_AUTH (a record fails its chain value or
 *         signature, or the log ends before the known head); FACE_ERR_CORRUPT
 *         (unparseable line, sequence gap, torn last line); FACE_ERR_IO.
 */
FACE_API face_status face_watchlist_audit_verify(face_watchlist *wl, const char *path,
                                                 const uint8_t *public_key,
                                                 face_audit_report *report);

/**
 * Verify a signed audit log with only the operator's public key (no
 * watchlist key): signatures, sequence and the chain links between records.
 * Cannot detect the loss of the newest records: compare report->records
 * with a count recorded elsewhere.
 * @return as face_watchlist_audit_verify.
 */
FACE_API face_status face_audit_verify_signed(const char *path, const uint8_t *public_key,
                                              face_audit_report *report);

/** Size getters for FFI users. */
FACE_API size_t face_sizeof_watchlist_key(void);
FACE_API size_t face_sizeof_watchlist_options(void);
FACE_API size_t face_sizeof_watchlist_entry(void);
FACE_API size_t face_sizeof_watchlist_match(void);
FACE_API size_t face_sizeof_watchlist_search_options(void);

#ifdef __cplusplus
}
#endif

#endif /* FACE_WATCHLIST_H */
