/* Watchlist handle, entries, id table and the public entry calls.
 *
 * Rows are kept dense: removing a template moves the last row into its slot,
 * so a search always scans exactly nrows rows with no holes to skip. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np: writer preference */
#endif
#include <math.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "watchlist/watchlist_internal.h"

int64_t lf_wl_now(int64_t now) { return now ? now : (int64_t)time(NULL); }

/* ---------------------------------------------------------------- keys */

const uint8_t *lf_wl_keys_acquire(face_watchlist *wl)
{
    pthread_mutex_lock(&wl->key_mu);
    sodium_mprotect_readonly(wl->keys);
    return wl->keys;
}

void lf_wl_keys_release(face_watchlist *wl)
{
    sodium_mprotect_noaccess(wl->keys);
    pthread_mutex_unlock(&wl->key_mu);
}

/* ---------------------------------------------------------------- handle */

face_status lf_wl_new(const face_watchlist_options *opt, face_watchlist **out)
{
    lf_allocator a;
    face_status st = lf_allocator_resolve(&a, opt ? opt->allocator : NULL);
    if (st != FACE_OK) return st;
    face_watchlist *wl = lf_calloc(&a, sizeof *wl, LF_ALIGN);
    if (!wl) return FACE_ERR_OUT_OF_MEMORY;
    wl->alloc = a;
    wl->storage = FACE_WATCHLIST_FLOAT32;
    wl->keys = sodium_malloc(LF_WL_KEY_AREA);
    if (!wl->keys) {
        lf_free(&a, wl, sizeof *wl);
        return FACE_ERR_OUT_OF_MEMORY;
    }
    sodium_memzero(wl->keys, LF_WL_KEY_AREA);
    sodium_mprotect_noaccess(wl->keys);
    randombytes_buf(wl->hash_key, sizeof wl->hash_key);

    pthread_rwlockattr_t ra;
    pthread_rwlockattr_init(&ra);
#if defined(__GLIBC__)
    /* glibc prefers readers by default: a steady stream of searches would
     * starve enroll/remove forever. */
    pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
    pthread_rwlock_init(&wl->lock, &ra);
    pthread_rwlockattr_destroy(&ra);
    pthread_mutex_init(&wl->save_mu, NULL);
    pthread_mutex_init(&wl->key_mu, NULL);
    *out = wl;
    return FACE_OK;
}

static void free_entry(face_watchlist *wl, lf_wl_entry *e)
{
    if (e->label) lf_free_wipe(&wl->alloc, e->label, (size_t)e->label_len + 1);
    if (e->ntpl > 1) lf_free_wipe(&wl->alloc, e->rows, (size_t)e->ntpl * sizeof(uint32_t));
    sodium_memzero(e, sizeof *e);
}

static void free_rows(face_watchlist *wl)
{
    const lf_allocator *a = &wl->alloc;
    size_t cap = wl->cap_rows;
    if (wl->f32) lf_free_wipe(a, wl->f32, cap * LF_WL_DIM * sizeof(float));
    if (wl->i8) lf_free_wipe(a, wl->i8, cap * LF_WL_DIM);
    if (wl->rscale) lf_free_wipe(a, wl->rscale, cap * sizeof(float));
    if (wl->rnorm) lf_free_wipe(a, wl->rnorm, cap * sizeof(float));
    if (wl->row_owner) lf_free_wipe(a, wl->row_owner, cap * sizeof(uint32_t));
    if (wl->row_tpl) lf_free_wipe(a, wl->row_tpl, cap);
    wl->f32 = NULL;
    wl->i8 = NULL;
    wl->rscale = wl->rnorm = NULL;
    wl->row_owner = NULL;
    wl->row_tpl = NULL;
    wl->cap_rows = wl->nrows = 0;
}

void lf_wl_free(face_watchlist *wl)
{
    if (!wl) return;
    lf_allocator a = wl->alloc;
    lf_audit_detach(wl);
    for (size_t i = 0; i < wl->nentries; i++) free_entry(wl, &wl->entries[i]);
    if (wl->entries) lf_free_wipe(&a, wl->entries, wl->cap_entries * sizeof(lf_wl_entry));
    if (wl->table) lf_free_wipe(&a, wl->table, wl->table_cap * sizeof(uint32_t));
    free_rows(wl);
    if (wl->path) lf_free_wipe(&a, wl->path, wl->path_len + 1);
    sodium_free(wl->keys); /* sodium_free wipes before unmapping */
    pthread_rwlock_destroy(&wl->lock);
    pthread_mutex_destroy(&wl->save_mu);
    pthread_mutex_destroy(&wl->key_mu);
    lf_free_wipe(&a, wl, sizeof *wl);
}

/* ---------------------------------------------------------------- id table */

static size_t id_hash(const face_watchlist *wl, const uint8_t *id, size_t len)
{
    uint8_t h[crypto_shorthash_BYTES];
    crypto_shorthash(h, id, len, wl->hash_key);
    uint64_t v;
    memcpy(&v, h, sizeof v);
    return (size_t)v;
}

size_t lf_wl_find(const face_watchlist *wl, const uint8_t *id, size_t id_len)
{
    if (!wl->table_cap) return SIZE_MAX;
    size_t mask = wl->table_cap - 1;
    for (size_t i = id_hash(wl, id, id_len) & mask;; i = (i + 1) & mask) {
        uint32_t s = wl->table[i];
        if (!s) return SIZE_MAX;
        const lf_wl_entry *e = &wl->entries[s - 1];
        if (e->id_len == id_len && memcmp(e->id, id, id_len) == 0) return s - 1;
    }
}

static void table_put(face_watchlist *wl, size_t idx)
{
    const lf_wl_entry *e = &wl->entries[idx];
    size_t mask = wl->table_cap - 1;
    size_t i = id_hash(wl, e->id, e->id_len) & mask;
    while (wl->table[i]) i = (i + 1) & mask;
    wl->table[i] = (uint32_t)(idx + 1);
}

static size_t table_slot(const face_watchlist *wl, size_t idx)
{
    const lf_wl_entry *e = &wl->entries[idx];
    size_t mask = wl->table_cap - 1;
    size_t i = id_hash(wl, e->id, e->id_len) & mask;
    while (wl->table[i] != idx + 1) i = (i + 1) & mask;
    return i;
}

/* Backward-shift deletion keeps probe chains intact without tombstones. */
static void table_del_slot(face_watchlist *wl, size_t i)
{
    size_t mask = wl->table_cap - 1;
    size_t j = i;
    wl->table[i] = 0;
    for (;;) {
        j = (j + 1) & mask;
        uint32_t s = wl->table[j];
        if (!s) return;
        const lf_wl_entry *e = &wl->entries[s - 1];
        size_t home = id_hash(wl, e->id, e->id_len) & mask;
        /* Move s back to i unless its home lies cyclically in (i, j]. */
        int in_range = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
        if (!in_range) {
            wl->table[i] = s;
            wl->table[j] = 0;
            i = j;
        }
    }
}

static face_status table_reserve(face_watchlist *wl, size_t entries)
{
    size_t need = 16;
    while (need < entries * 2) need *= 2;
    if (need <= wl->table_cap) return FACE_OK;
    uint32_t *t = lf_calloc(&wl->alloc, need * sizeof(uint32_t), LF_ALIGN);
    if (!t) return FACE_ERR_OUT_OF_MEMORY;
    if (wl->table) lf_free_wipe(&wl->alloc, wl->table, wl->table_cap * sizeof(uint32_t));
    wl->table = t;
    wl->table_cap = need;
    for (size_t i = 0; i < wl->nentries; i++) table_put(wl, i);
    return FACE_OK;
}

/* ---------------------------------------------------------------- capacity */

static face_status entries_reserve(face_watchlist *wl, size_t n)
{
    if (n <= wl->cap_entries) return FACE_OK;
    size_t cap = wl->cap_entries ? wl->cap_entries : 64;
    while (cap < n) cap *= 2;
    lf_wl_entry *e = lf_calloc(&wl->alloc, cap * sizeof *e, LF_ALIGN);
    if (!e) return FACE_ERR_OUT_OF_MEMORY;
    if (wl->entries) {
        memcpy(e, wl->entries, wl->nentries * sizeof *e);
        lf_free_wipe(&wl->alloc, wl->entries, wl->cap_entries * sizeof *e);
    }
    wl->entries = e;
    wl->cap_entries = cap;
    return table_reserve(wl, cap);
}

static face_status rows_reserve(face_watchlist *wl, size_t n)
{
    if (n <= wl->cap_rows) return FACE_OK;
    size_t cap = wl->cap_rows ? wl->cap_rows : 256;
    while (cap < n) cap *= 2;
    const size_t oc = wl->cap_rows;
    const int i8 = wl->storage == FACE_WATCHLIST_INT8;
    /* Every array is allocated before any is replaced, so a failure leaves
     * the handle exactly as it was (and every size passed to free exact). */
    struct {
        void **cur;
        size_t esz;
        void *next;
    } arr[5] = {
        {i8 ? (void **)&wl->i8 : (void **)&wl->f32, i8 ? LF_WL_DIM : LF_WL_DIM * sizeof(float), NULL},
        {(void **)&wl->row_owner, sizeof(uint32_t), NULL},
        {(void **)&wl->row_tpl, 1, NULL},
        {(void **)&wl->rscale, sizeof(float), NULL},
        {(void **)&wl->rnorm, sizeof(float), NULL},
    };
    const int narr = i8 ? 5 : 3;
    for (int i = 0; i < narr; i++) {
        arr[i].next = lf_calloc(&wl->alloc, cap * arr[i].esz, LF_ALIGN);
        if (!arr[i].next) {
            for (int j = 0; j < i; j++) lf_free(&wl->alloc, arr[j].next, cap * arr[j].esz);
            return FACE_ERR_OUT_OF_MEMORY;
        }
    }
    for (int i = 0; i < narr; i++) {
        if (*arr[i].cur) {
            /* Blocks are whole: oc rows' worth of bytes is every block. */
            memcpy(arr[i].next, *arr[i].cur, oc * arr[i].esz);
            lf_free_wipe(&wl->alloc, *arr[i].cur, oc * arr[i].esz);
        }
        *arr[i].cur = arr[i].next;
    }
    wl->cap_rows = cap;
    return FACE_OK;
}

/* ---------------------------------------------------------------- rows */

void lf_wl_quantize_row(const float *v, int8_t *c, float *scale)
{
    float m = 0.0f;
    for (int d = 0; d < LF_WL_DIM; d++) {
        float a = fabsf(v[d]);
        if (a > m) m = a;
    }
    float s = m / 127.0f;
    for (int d = 0; d < LF_WL_DIM; d++) {
        long q = s > 0.0f ? lrintf(v[d] / s) : 0;
        if (q > 127) q = 127;
        if (q < -127) q = -127;
        c[d] = (int8_t)q;
    }
    *scale = s;
}

float lf_wl_row_norm_i8(const int8_t *c, float scale)
{
    float n = 0.0f;
    for (int d = 0; d < LF_WL_DIM; d++) {
        float y = (float)c[d] * scale;
        float yy = y * y;
        n = n + yy;
    }
    return n;
}

static void put_row(face_watchlist *wl, size_t row, const float *f32, const int8_t *i8, float scale)
{
    size_t b = row / LF_SEARCH_BLOCK, r = row % LF_SEARCH_BLOCK;
    if (wl->storage == FACE_WATCHLIST_INT8) {
        int8_t *blk = wl->i8 + b * LF_WL_DIM * LF_SEARCH_BLOCK;
        for (int d = 0; d < LF_WL_DIM; d++) blk[(d / 2) * 32 + r * 2 + (d % 2)] = i8[d];
        wl->rscale[row] = scale;
        wl->rnorm[row] = lf_wl_row_norm_i8(i8, scale);
    } else {
        float *blk = wl->f32 + b * LF_WL_DIM * LF_SEARCH_BLOCK;
        for (int d = 0; d < LF_WL_DIM; d++) blk[d * LF_SEARCH_BLOCK + r] = f32[d];
    }
}

static void get_row_i8(const face_watchlist *wl, size_t row, int8_t *c)
{
    size_t b = row / LF_SEARCH_BLOCK, r = row % LF_SEARCH_BLOCK;
    const int8_t *blk = wl->i8 + b * LF_WL_DIM * LF_SEARCH_BLOCK;
    for (int d = 0; d < LF_WL_DIM; d++) c[d] = blk[(d / 2) * 32 + r * 2 + (d % 2)];
}

void lf_wl_row_values(const face_watchlist *wl, size_t row, float *out)
{
    size_t b = row / LF_SEARCH_BLOCK, r = row % LF_SEARCH_BLOCK;
    if (wl->storage == FACE_WATCHLIST_INT8) {
        int8_t c[LF_WL_DIM];
        get_row_i8(wl, row, c);
        for (int d = 0; d < LF_WL_DIM; d++) out[d] = (float)c[d] * wl->rscale[row];
        sodium_memzero(c, sizeof c);
    } else {
        const float *blk = wl->f32 + b * LF_WL_DIM * LF_SEARCH_BLOCK;
        for (int d = 0; d < LF_WL_DIM; d++) out[d] = blk[d * LF_SEARCH_BLOCK + r];
    }
}

/* Move row src into dst (dst < src) and zero src. */
static void move_row(face_watchlist *wl, size_t dst, size_t src)
{
    size_t bd = dst / LF_SEARCH_BLOCK, rd = dst % LF_SEARCH_BLOCK;
    size_t bs = src / LF_SEARCH_BLOCK, rs = src % LF_SEARCH_BLOCK;
    if (wl->storage == FACE_WATCHLIST_INT8) {
        int8_t *xd = wl->i8 + bd * LF_WL_DIM * LF_SEARCH_BLOCK;
        int8_t *xs = wl->i8 + bs * LF_WL_DIM * LF_SEARCH_BLOCK;
        for (int j = 0; j < LF_WL_DIM / 2; j++)
            for (int k = 0; k < 2; k++) {
                xd[j * 32 + rd * 2 + k] = xs[j * 32 + rs * 2 + k];
                xs[j * 32 + rs * 2 + k] = 0;
            }
        wl->rscale[dst] = wl->rscale[src];
        wl->rnorm[dst] = wl->rnorm[src];
        wl->rscale[src] = wl->rnorm[src] = 0.0f;
    } else {
        float *xd = wl->f32 + bd * LF_WL_DIM * LF_SEARCH_BLOCK;
        float *xs = wl->f32 + bs * LF_WL_DIM * LF_SEARCH_BLOCK;
        for (int d = 0; d < LF_WL_DIM; d++) {
            xd[d * LF_SEARCH_BLOCK + rd] = xs[d * LF_SEARCH_BLOCK + rs];
            xs[d * LF_SEARCH_BLOCK + rs] = 0.0f;
        }
    }
    wl->row_owner[dst] = wl->row_owner[src];
    wl->row_tpl[dst] = wl->row_tpl[src];
    wl->row_owner[src] = 0;
    wl->row_tpl[src] = 0;
}

static void zero_row(face_watchlist *wl, size_t row)
{
    size_t b = row / LF_SEARCH_BLOCK, r = row % LF_SEARCH_BLOCK;
    if (wl->storage == FACE_WATCHLIST_INT8) {
        int8_t *x = wl->i8 + b * LF_WL_DIM * LF_SEARCH_BLOCK;
        for (int j = 0; j < LF_WL_DIM / 2; j++) {
            x[j * 32 + r * 2] = 0;
            x[j * 32 + r * 2 + 1] = 0;
        }
        wl->rscale[row] = wl->rnorm[row] = 0.0f;
    } else {
        float *x = wl->f32 + b * LF_WL_DIM * LF_SEARCH_BLOCK;
        for (int d = 0; d < LF_WL_DIM; d++) x[d * LF_SEARCH_BLOCK + r] = 0.0f;
    }
    wl->row_owner[row] = 0;
    wl->row_tpl[row] = 0;
}

/* Remove one row: the last row moves into its slot. */
static void remove_row(face_watchlist *wl, size_t row)
{
    size_t last = wl->nrows - 1;
    if (row != last) {
        lf_wl_entry *o = &wl->entries[wl->row_owner[last]];
        uint32_t *rows = lf_wl_rows(o);
        for (size_t i = 0; i < o->ntpl; i++)
            if (rows[i] == last) rows[i] = (uint32_t)row;
        move_row(wl, row, last);
    } else {
        zero_row(wl, row);
    }
    wl->nrows--;
}

static void remove_entry_at(face_watchlist *wl, size_t idx)
{
    lf_wl_entry *e = &wl->entries[idx];
    uint32_t *rows = lf_wl_rows(e);
    /* Highest row first: then the last row, which moves into the hole, never
     * belongs to this entry (all its remaining rows are lower). */
    for (size_t n = e->ntpl; n > 0; n--) {
        size_t best = 0;
        for (size_t i = 1; i < n; i++)
            if (rows[i] > rows[best]) best = i;
        uint32_t r = rows[best];
        rows[best] = rows[n - 1];
        rows[n - 1] = r;
        remove_row(wl, r);
    }
    table_del_slot(wl, table_slot(wl, idx));
    free_entry(wl, e);
    size_t last = wl->nentries - 1;
    if (idx != last) {
        size_t slot = table_slot(wl, last);
        wl->entries[idx] = wl->entries[last];
        sodium_memzero(&wl->entries[last], sizeof wl->entries[last]);
        wl->table[slot] = (uint32_t)(idx + 1);
        lf_wl_entry *m = &wl->entries[idx];
        uint32_t *mr = lf_wl_rows(m);
        for (size_t i = 0; i < m->ntpl; i++) wl->row_owner[mr[i]] = (uint32_t)idx;
    }
    wl->nentries--;
}

face_status lf_wl_add(face_watchlist *wl, const uint8_t *id, size_t id_len, const char *label,
                      size_t label_len, int64_t created_at, int64_t expires_at, size_t ntpl,
                      const float *f32, const int8_t *i8, const float *scales)
{
    if (lf_wl_find(wl, id, id_len) != SIZE_MAX) return FACE_ERR_EXISTS;
    if (wl->nentries >= FACE_WATCHLIST_MAX_ENTRIES ||
        wl->nrows + ntpl > FACE_WATCHLIST_MAX_TEMPLATES)
        return FACE_ERR_LIMIT;
    face_status st = entries_reserve(wl, wl->nentries + 1);
    if (st == FACE_OK) st = rows_reserve(wl, wl->nrows + ntpl);
    if (st != FACE_OK) return st;
    char *lab = NULL;
    uint32_t *rows = NULL;
    if (label_len) {
        lab = lf_alloc(&wl->alloc, label_len + 1, 1);
        if (!lab) return FACE_ERR_OUT_OF_MEMORY;
        memcpy(lab, label, label_len);
        lab[label_len] = '\0';
    }
    if (ntpl > 1) {
        rows = lf_alloc(&wl->alloc, ntpl * sizeof(uint32_t), 4);
        if (!rows) {
            if (lab) lf_free_wipe(&wl->alloc, lab, label_len + 1);
            return FACE_ERR_OUT_OF_MEMORY;
        }
    }
    /* Nothing below can fail. */
    size_t idx = wl->nentries++;
    lf_wl_entry *e = &wl->entries[idx];
    memset(e, 0, sizeof *e);
    memcpy(e->id, id, id_len);
    e->id_len = (uint8_t)id_len;
    e->label = lab;
    e->label_len = (uint16_t)label_len;
    e->created_at = created_at;
    e->expires_at = expires_at;
    e->ntpl = (uint16_t)ntpl;
    e->rows = rows;
    uint32_t *er = lf_wl_rows(e);
    for (size_t t = 0; t < ntpl; t++) {
        size_t row = wl->nrows++;
        er[t] = (uint32_t)row;
        wl->row_owner[row] = (uint32_t)idx;
        wl->row_tpl[row] = (uint8_t)t;
        if (wl->storage == FACE_WATCHLIST_INT8)
            put_row(wl, row, NULL, i8 + t * LF_WL_DIM, scales[t]);
        else
            put_row(wl, row, f32 + t * LF_WL_DIM, NULL, 0.0f);
    }
    table_put(wl, idx);
    return FACE_OK;
}

/* ---------------------------------------------------------------- public */

void face_watchlist_key_raw(face_watchlist_key *key, const uint8_t *raw32)
{
    if (!key) return;
    memset(key, 0, sizeof *key);
    key->struct_size = sizeof *key;
    key->kind = FACE_WATCHLIST_KEY_RAW;
    key->raw = raw32;
}

void face_watchlist_key_passphrase(face_watchlist_key *key, const char *pass, size_t len)
{
    if (!key) return;
    memset(key, 0, sizeof *key);
    key->struct_size = sizeof *key;
    key->kind = FACE_WATCHLIST_KEY_PASSPHRASE;
    key->passphrase = pass;
    key->passphrase_len = len;
}

void face_watchlist_options_init(face_watchlist_options *opt)
{
    if (!opt) return;
    memset(opt, 0, sizeof *opt);
    opt->struct_size = sizeof *opt;
    opt->storage = FACE_WATCHLIST_FLOAT32;
}

void face_watchlist_search_options_init(face_watchlist_search_options *opt)
{
    if (!opt) return;
    memset(opt, 0, sizeof *opt);
    opt->struct_size = sizeof *opt;
    opt->k = 1;
    opt->threshold = INFINITY;
    opt->threads = 1;
}

size_t face_sizeof_watchlist_key(void) { return sizeof(face_watchlist_key); }
size_t face_sizeof_watchlist_options(void) { return sizeof(face_watchlist_options); }
size_t face_sizeof_watchlist_entry(void) { return sizeof(face_watchlist_entry); }
size_t face_sizeof_watchlist_match(void) { return sizeof(face_watchlist_match); }
size_t face_sizeof_watchlist_search_options(void) { return sizeof(face_watchlist_search_options); }

face_status lf_wl_check_template(const face_watchlist *wl, const face_template *t)
{
    if (t->struct_size != sizeof(face_template) || t->version != FACE_TEMPLATE_VERSION ||
        t->dim != FACE_TEMPLATE_DIM)
        return FACE_ERR_INVALID_ARGUMENT;
    for (int d = 0; d < LF_WL_DIM; d++)
        if (!isfinite(t->values[d])) return FACE_ERR_INVALID_ARGUMENT;
    if (sodium_memcmp(t->fingerprint, wl->fingerprint, FACE_FINGERPRINT_BYTES) != 0)
        return FACE_ERR_MODEL_MISMATCH;
    return FACE_OK;
}

static int label_ok(const char *label, size_t *len)
{
    *len = 0;
    if (!label) return 1;
    size_t n = strnlen(label, FACE_WATCHLIST_LABEL_MAX + 1);
    if (n > FACE_WATCHLIST_LABEL_MAX) return 0;
    *len = n;
    return 1;
}

face_status face_watchlist_enroll(face_watchlist *wl, const uint8_t *id, size_t id_len,
                                  const char *label, const face_template *templates,
                                  size_t template_count, int64_t expires_at)
{
    size_t label_len;
    if (!wl || !id || !templates || id_len == 0 || expires_at < 0) return FACE_ERR_INVALID_ARGUMENT;
    if (id_len > FACE_WATCHLIST_ID_MAX || !label_ok(label, &label_len)) return FACE_ERR_LIMIT;
    if (template_count == 0) return FACE_ERR_INVALID_ARGUMENT;
    if (template_count > FACE_WATCHLIST_MAX_TEMPLATES_PER_ENTRY) return FACE_ERR_LIMIT;
    for (size_t t = 0; t < template_count; t++) {
        face_status st = lf_wl_check_template(wl, &templates[t]);
        if (st != FACE_OK) return st;
    }
    /* Staging copies, in the storage form, so the locked section only moves
     * bytes. Freed wiped: they hold templates. */
    size_t n = template_count * LF_WL_DIM;
    int i8mode = wl->storage == FACE_WATCHLIST_INT8;
    size_t bytes = i8mode ? n + template_count * sizeof(float) : n * sizeof(float);
    uint8_t *stage = lf_alloc(&wl->alloc, bytes, LF_ALIGN);
    if (!stage) return FACE_ERR_OUT_OF_MEMORY;
    float *f32 = NULL, *scales = NULL;
    int8_t *i8 = NULL;
    if (i8mode) {
        scales = (float *)(void *)stage;
        i8 = (int8_t *)(stage + template_count * sizeof(float));
        for (size_t t = 0; t < template_count; t++)
            lf_wl_quantize_row(templates[t].values, i8 + t * LF_WL_DIM, &scales[t]);
    } else {
        f32 = (float *)(void *)stage;
        for (size_t t = 0; t < template_count; t++)
            memcpy(f32 + t * LF_WL_DIM, templates[t].values, LF_WL_DIM * sizeof(float));
    }
    pthread_rwlock_wrlock(&wl->lock);
    face_status st = FACE_OK;
    if (lf_wl_find(wl, id, id_len) != SIZE_MAX) st = FACE_ERR_EXISTS;
    else if (wl->nentries >= FACE_WATCHLIST_MAX_ENTRIES ||
             wl->nrows + template_count > FACE_WATCHLIST_MAX_TEMPLATES)
        st = FACE_ERR_LIMIT;
    /* Grow first, then log, then add: a change the audit log cannot record
     * is not made, and (but for the small label and row-list allocations)
     * a logged enroll cannot fail afterwards. */
    if (st == FACE_OK) st = entries_reserve(wl, wl->nentries + 1);
    if (st == FACE_OK) st = rows_reserve(wl, wl->nrows + template_count);
    if (st == FACE_OK) st = lf_audit_append(wl, FACE_AUDIT_ENROLL, id, id_len, NULL);
    if (st == FACE_OK)
        st = lf_wl_add(wl, id, id_len, label, label_len, lf_wl_now(0), expires_at, template_count,
                       f32, i8, scales);
    pthread_rwlock_unlock(&wl->lock);
    lf_free_wipe(&wl->alloc, stage, bytes);
    return st;
}

face_status face_watchlist_remove(face_watchlist *wl, const uint8_t *id, size_t id_len)
{
    if (!wl || !id || id_len == 0) return FACE_ERR_INVALID_ARGUMENT;
    if (id_len > FACE_WATCHLIST_ID_MAX) return FACE_ERR_NOT_FOUND;
    pthread_rwlock_wrlock(&wl->lock);
    size_t idx = lf_wl_find(wl, id, id_len);
    face_status st = idx == SIZE_MAX ? FACE_ERR_NOT_FOUND : FACE_OK;
    if (st == FACE_OK) st = lf_audit_append(wl, FACE_AUDIT_REMOVE, id, id_len, NULL);
    if (st == FACE_OK) remove_entry_at(wl, idx);
    pthread_rwlock_unlock(&wl->lock);
    return st;
}

static void fill_entry(const lf_wl_entry *e, face_watchlist_entry *out)
{
    memset(out, 0, sizeof *out);
    out->struct_size = sizeof *out;
    out->id_len = e->id_len;
    memcpy(out->id, e->id, e->id_len);
    if (e->label) memcpy(out->label, e->label, e->label_len);
    out->created_at = e->created_at;
    out->expires_at = e->expires_at;
    out->template_count = e->ntpl;
}

face_status face_watchlist_get(face_watchlist *wl, const uint8_t *id, size_t id_len,
                               face_watchlist_entry *entry, face_template *templates, size_t cap)
{
    if (!wl || !id || !entry || id_len == 0) return FACE_ERR_INVALID_ARGUMENT;
    if (id_len > FACE_WATCHLIST_ID_MAX) return FACE_ERR_NOT_FOUND;
    pthread_rwlock_rdlock(&wl->lock);
    size_t idx = lf_wl_find(wl, id, id_len);
    face_status st = FACE_OK;
    if (idx == SIZE_MAX) {
        st = FACE_ERR_NOT_FOUND;
    } else {
        lf_wl_entry *e = &wl->entries[idx];
        fill_entry(e, entry);
        if (templates && cap < e->ntpl) {
            st = FACE_ERR_BUFFER_TOO_SMALL;
        } else if (templates) {
            uint32_t *rows = lf_wl_rows(e);
            for (size_t t = 0; t < e->ntpl; t++) {
                face_template *o = &templates[t];
                memset(o, 0, sizeof *o);
                o->struct_size = sizeof *o;
                o->version = FACE_TEMPLATE_VERSION;
                o->dim = FACE_TEMPLATE_DIM;
                memcpy(o->fingerprint, wl->fingerprint, FACE_FINGERPRINT_BYTES);
                lf_wl_row_values(wl, rows[t], o->values);
            }
        }
    }
    pthread_rwlock_unlock(&wl->lock);
    return st;
}

face_status face_watchlist_list(face_watchlist *wl, size_t offset, face_watchlist_entry *entries,
                                size_t cap, size_t *count)
{
    if (!wl || !count || (!entries && cap)) return FACE_ERR_INVALID_ARGUMENT;
    pthread_rwlock_rdlock(&wl->lock);
    size_t n = 0;
    for (size_t i = offset; i < wl->nentries && n < cap; i++, n++)
        fill_entry(&wl->entries[i], &entries[n]);
    pthread_rwlock_unlock(&wl->lock);
    *count = n;
    return FACE_OK;
}

face_status face_watchlist_count(face_watchlist *wl, size_t *entries, size_t *templates)
{
    if (!wl) return FACE_ERR_INVALID_ARGUMENT;
    pthread_rwlock_rdlock(&wl->lock);
    if (entries) *entries = wl->nentries;
    if (templates) *templates = wl->nrows;
    pthread_rwlock_unlock(&wl->lock);
    return FACE_OK;
}

face_status face_watchlist_info(face_watchlist *wl, uint8_t fingerprint[FACE_FINGERPRINT_BYTES],
                                int *storage)
{
    if (!wl) return FACE_ERR_INVALID_ARGUMENT;
    /* Both are fixed at create/open: no lock needed. */
    if (fingerprint) memcpy(fingerprint, wl->fingerprint, FACE_FINGERPRINT_BYTES);
    if (storage) *storage = wl->storage;
    return FACE_OK;
}

face_status face_watchlist_purge_expired(face_watchlist *wl, int64_t now, size_t *removed)
{
    if (!wl || now < 0) return FACE_ERR_INVALID_ARGUMENT;
    now = lf_wl_now(now);
    size_t n = 0;
    face_status st = FACE_OK;
    pthread_rwlock_wrlock(&wl->lock);
    for (size_t i = 0; i < wl->nentries;) {
        lf_wl_entry *e = &wl->entries[i];
        if (e->expires_at > 0 && e->expires_at <= now) {
            st = lf_audit_append(wl, FACE_AUDIT_PURGE, e->id, e->id_len, NULL);
            if (st != FACE_OK) break;
            remove_entry_at(wl, i); /* the last entry moved into i: look again */
            n++;
        } else {
            i++;
        }
    }
    pthread_rwlock_unlock(&wl->lock);
    if (removed) *removed = n;
    return st;
}
