/* Model files (docs/model-format.md): parse, verify, look up tensors.
 *
 * A model file comes from disk and may have been swapped or damaged, so the
 * parser trusts nothing: it bounds the size before anything is allocated,
 * checks the version (so a newer file says so) and then the checksum before
 * it reads a single other field, and still validates every field afterwards
 * because a checksum only proves integrity, not that the writer was sane.
 * Whether the tensors fit the network is not decided here: the network
 * modules fetch every tensor they use with lf_model_get, which checks its
 * shape, when an engine is built from the model. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "nn/nn.h"

#define HDR_BYTES 64u
#define ENTRY_BYTES 192u
#define NAME_BYTES 128u
#define HASH_BYTES 32u
#define META_MAX 4096u
#define DTYPE_F32 1u

_Static_assert(sizeof(LF_MODEL_MAGIC) == 8, "magic is 8 bytes with its NUL");
_Static_assert(LF_MODEL_MAX_NAME + 1 == NAME_BYTES, "name field size");

static uint64_t align64(uint64_t n) { return (n + 63u) & ~(uint64_t)63u; }

static int kind_known(uint32_t k)
{
    return k >= FACE_MODEL_TINY_DETECTOR && k <= FACE_MODEL_RECOGNITION;
}

static void model_free(face_model *m)
{
    if (!m) return;
    lf_allocator a = m->alloc;
    if (m->data) lf_free(&a, m->data, m->data_bytes);
    if (m->tensors) lf_free(&a, m->tensors, (size_t)m->n_tensors * sizeof(lf_tensor));
    lf_free(&a, m, sizeof *m);
}

/* Validate table entry i (already checksummed) into t. prev_end is the end
 * of the previous tensor in the data section. */
static face_status parse_entry(const uint8_t *e, int i, uint64_t data_bytes, uint64_t *prev_end,
                               lf_tensor *t, lf_error *err)
{
    /* Name: 1..127 bytes, NUL-terminated, zero after the terminator, so the
     * stored bytes are canonical and strcmp on the copy is well defined. */
    size_t len = 0;
    while (len < NAME_BYTES && e[len]) len++;
    if (len == 0 || len >= NAME_BYTES)
        return LF_FAIL(err, FACE_ERR_CORRUPT, "tensor %d: bad name length", i);
    for (size_t j = len; j < NAME_BYTES; j++)
        if (e[j]) return LF_FAIL(err, FACE_ERR_CORRUPT, "tensor %d: bytes after the name", i);
    memcpy(t->name, e, len);
    memset(t->name + len, 0, sizeof t->name - len);

    if (lf_rd32(e + 128) != DTYPE_F32)
        return LF_FAIL(err, FACE_ERR_CORRUPT, "tensor '%s': unknown dtype %u", t->name,
                       (unsigned)lf_rd32(e + 128));
    uint32_t ndim = lf_rd32(e + 132);
    if (ndim > LF_MODEL_MAX_DIMS)
        return LF_FAIL(err, FACE_ERR_CORRUPT, "tensor '%s': %u dimensions", t->name,
                       (unsigned)ndim);
    uint64_t count = 1;
    for (uint32_t d = 0; d < LF_MODEL_MAX_DIMS; d++) {
        uint32_t v = lf_rd32(e + 136 + 4 * d);
        if (d < ndim) {
            if (v == 0 || v > INT32_MAX)
                return LF_FAIL(err, FACE_ERR_CORRUPT, "tensor '%s': bad dimension", t->name);
            /* count*4 must fit data_bytes (<= 256 MiB), so anything past
             * 2^32 is already wrong; stopping there keeps the product from
             * overflowing. */
            count *= v;
            if (count > ((uint64_t)1 << 32))
                return LF_FAIL(err, FACE_ERR_CORRUPT, "tensor '%s': too many elements", t->name);
            t->shape[d] = (int)v;
        } else {
            if (v != 0)
                return LF_FAIL(err, FACE_ERR_CORRUPT, "tensor '%s': unused dimension set",
                               t->name);
            t->shape[d] = 0;
        }
    }
    t->ndim = (int)ndim;
    uint64_t off = lf_rd64(e + 152);
    uint64_t stored_count = lf_rd64(e + 160);
    if (stored_count != count)
        return LF_FAIL(err, FACE_ERR_CORRUPT, "tensor '%s': count does not match shape", t->name);
    for (unsigned j = 168; j < ENTRY_BYTES; j++)
        if (e[j]) return LF_FAIL(err, FACE_ERR_CORRUPT, "tensor '%s': reserved bytes set", t->name);
    /* off and count are bounded by the checks below before they are added:
     * data_bytes is at most LF_MODEL_MAX_BYTES and count at most 2^32. */
    if (off % LF_ALIGN != 0 || off < *prev_end || off > data_bytes ||
        count * sizeof(float) > data_bytes - off)
        return LF_FAIL(err, FACE_ERR_CORRUPT, "tensor '%s': bad offset/size", t->name);
    *prev_end = off + count * sizeof(float);
    t->count = (size_t)count;
    t->data = (const float *)(uintptr_t)off; /* rebased once the block exists */
    return FACE_OK;
}

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    uint8_t b;
    memcpy(&b, &one, 1);
    return b == 1;
}

face_status lf_model_parse(const lf_allocator *a, const void *buf, size_t size, face_model **out,
                           lf_error *err)
{
    if (out) *out = NULL;
    if (!a || !out || (!buf && size))
        return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "NULL argument");
    if (size > LF_MODEL_MAX_BYTES)
        return LF_FAIL(err, FACE_ERR_LIMIT, "%zu bytes, more than the %zu allowed", size,
                       LF_MODEL_MAX_BYTES);
    const uint8_t *p = buf;
    if (size < HDR_BYTES + HASH_BYTES)
        return LF_FAIL(err, FACE_ERR_CORRUPT, "truncated (%zu bytes)", size);
    if (memcmp(p, LF_MODEL_MAGIC, 8) != 0)
        return LF_FAIL(err, FACE_ERR_CORRUPT, "not a libface model file (bad magic)");
    uint32_t version = lf_rd32(p + 8);
    if (version != LF_MODEL_FORMAT_VERSION)
        return LF_FAIL(err, FACE_ERR_UNSUPPORTED_VERSION,
                       "model format version %u, this library reads %d", (unsigned)version,
                       LF_MODEL_FORMAT_VERSION);
    if (lf_rd64(p + 24) != (uint64_t)size)
        return LF_FAIL(err, FACE_ERR_CORRUPT, "size %zu, header says %llu (truncated?)", size,
                       (unsigned long long)lf_rd64(p + 24));

    uint8_t digest[HASH_BYTES];
    lf_hash h;
    lf_hash_init(&h, HASH_BYTES);
    lf_hash_update(&h, p, size - HASH_BYTES);
    lf_hash_final(&h, digest, HASH_BYTES);
    /* Not secret, so a plain compare is fine. */
    if (memcmp(digest, p + size - HASH_BYTES, HASH_BYTES) != 0)
        return LF_FAIL(err, FACE_ERR_CORRUPT, "checksum mismatch");

    uint32_t kind = lf_rd32(p + 12);
    uint32_t n = lf_rd32(p + 16);
    uint32_t meta = lf_rd32(p + 20);
    uint64_t table_off = lf_rd64(p + 32);
    uint64_t data_off = lf_rd64(p + 40);
    uint64_t data_bytes = lf_rd64(p + 48);
    if (!kind_known(kind)) return LF_FAIL(err, FACE_ERR_CORRUPT, "unknown model kind %u", kind);
    if (n == 0 || n > LF_MODEL_MAX_TENSORS)
        return LF_FAIL(err, FACE_ERR_CORRUPT, "tensor count %u out of range", (unsigned)n);
    if (meta > META_MAX) return LF_FAIL(err, FACE_ERR_CORRUPT, "metadata too long");
    if (lf_rd64(p + 56) != 0) return LF_FAIL(err, FACE_ERR_CORRUPT, "reserved header bytes set");
    /* All of these are small (bounded above), so no sum can overflow. */
    uint64_t want_table = HDR_BYTES + align64(meta);
    uint64_t want_data = align64(want_table + (uint64_t)n * ENTRY_BYTES);
    if (table_off != want_table || data_off != want_data || data_bytes % LF_ALIGN != 0 ||
        data_bytes > size || data_off + data_bytes + HASH_BYTES != (uint64_t)size)
        return LF_FAIL(err, FACE_ERR_CORRUPT, "inconsistent section layout");

    face_model *m = lf_calloc(a, sizeof *m, LF_ALIGN);
    if (!m) return LF_FAIL(err, FACE_ERR_OUT_OF_MEMORY, "model header");
    m->alloc = *a;
    m->kind = (face_model_kind)kind;
    memcpy(m->content_hash, p + size - HASH_BYTES, HASH_BYTES);
    m->tensors = lf_calloc(a, (size_t)n * sizeof(lf_tensor), LF_ALIGN);
    if (!m->tensors) {
        model_free(m);
        return LF_FAIL(err, FACE_ERR_OUT_OF_MEMORY, "tensor table (%u entries)", (unsigned)n);
    }
    m->n_tensors = (int)n;

    face_status st = FACE_OK;
    uint64_t prev_end = 0;
    for (uint32_t i = 0; i < n && st == FACE_OK; i++)
        st = parse_entry(p + table_off + (uint64_t)i * ENTRY_BYTES, (int)i, data_bytes, &prev_end,
                         &m->tensors[i], err);
    /* Duplicate names would make lookups depend on table order. Quadratic,
     * but n is bounded and real files have at most a few hundred. */
    for (uint32_t i = 0; i < n && st == FACE_OK; i++)
        for (uint32_t j = i + 1; j < n; j++)
            if (strcmp(m->tensors[i].name, m->tensors[j].name) == 0) {
                st = LF_FAIL(err, FACE_ERR_CORRUPT, "duplicate tensor '%s'", m->tensors[i].name);
                break;
            }
    if (st != FACE_OK) {
        model_free(m);
        return st;
    }

    if (data_bytes) {
        m->data = lf_alloc(a, (size_t)data_bytes, LF_ALIGN);
        if (!m->data) {
            model_free(m);
            return LF_FAIL(err, FACE_ERR_OUT_OF_MEMORY, "%llu bytes of weights",
                           (unsigned long long)data_bytes);
        }
        m->data_bytes = (size_t)data_bytes;
        const uint8_t *src = p + data_off;
        size_t nf = (size_t)data_bytes / sizeof(float);
        if (host_is_little_endian()) {
            memcpy(m->data, src, (size_t)data_bytes);
        } else {
            for (size_t i = 0; i < nf; i++) m->data[i] = lf_rdf32(src + 4 * i);
        }
        /* A NaN or infinity would silently poison every output; no genuine
         * weight is one, so treat it like any other damage. */
        for (size_t i = 0; i < nf; i++)
            if (!isfinite(m->data[i])) {
                model_free(m);
                return LF_FAIL(err, FACE_ERR_CORRUPT, "non-finite weight at float %zu", i);
            }
    }
    for (uint32_t i = 0; i < n; i++) {
        lf_tensor *t = &m->tensors[i];
        t->data = m->data + (size_t)(uintptr_t)t->data / sizeof(float);
    }

    *out = m;
    return FACE_OK;
}

const lf_tensor *lf_model_find(const face_model *m, const char *name)
{
    if (!m || !name) return NULL;
    for (int i = 0; i < m->n_tensors; i++)
        if (strcmp(m->tensors[i].name, name) == 0) return &m->tensors[i];
    return NULL;
}

face_status lf_model_get(const face_model *m, const char *name, int ndim, const int *shape,
                         const float **out, lf_error *err)
{
    if (out) *out = NULL;
    if (!m || !name || ndim < 0 || ndim > LF_MODEL_MAX_DIMS || (ndim > 0 && !shape))
        return LF_FAIL(err, FACE_ERR_INVALID_ARGUMENT, "bad arguments");
    const lf_tensor *t = lf_model_find(m, name);
    if (!t) return LF_FAIL(err, FACE_ERR_NOT_FOUND, "model has no tensor '%s'", name);
    int same = t->ndim == ndim;
    for (int d = 0; same && d < ndim; d++) same = t->shape[d] == shape[d];
    if (!same) {
        char have[64], want[64];
        int hn = 0, wn = 0;
        have[0] = want[0] = '\0';
        for (int d = 0; d < t->ndim && hn >= 0 && (size_t)hn < sizeof have; d++)
            hn += snprintf(have + hn, sizeof have - (size_t)hn, d ? ",%d" : "%d", t->shape[d]);
        for (int d = 0; d < ndim && wn >= 0 && (size_t)wn < sizeof want; d++)
            wn += snprintf(want + wn, sizeof want - (size_t)wn, d ? ",%d" : "%d", shape[d]);
        return LF_FAIL(err, FACE_ERR_CORRUPT, "tensor '%s' has shape [%s], expected [%s]", name,
                       have, want);
    }
    if (out) *out = t->data;
    return FACE_OK;
}

/* ---------------------------------------------------------------- public */

FACE_API face_status face_model_load_memory(const void *data, size_t size,
                                            const face_allocator *allocator, face_model **out)
{
    if (!out) return FACE_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (!data) return FACE_ERR_INVALID_ARGUMENT;
    lf_allocator a;
    face_status st = lf_allocator_resolve(&a, allocator);
    if (st != FACE_OK) return st;
    return lf_model_parse(&a, data, size, out, NULL);
}

FACE_API face_status face_model_load_file(const char *path, const face_allocator *allocator,
                                          face_model **out)
{
    if (!out) return FACE_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (!path || !*path) return FACE_ERR_INVALID_ARGUMENT;
    lf_allocator a;
    face_status st = lf_allocator_resolve(&a, allocator);
    if (st != FACE_OK) return st;

    FILE *f = fopen(path, "rb");
    if (!f) return FACE_ERR_IO;
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size < 0) {
        fclose(f);
        return FACE_ERR_IO;
    }
    /* Refuse before allocating: the size comes from the file system, not
     * from anything we have verified. */
    if ((uint64_t)sb.st_size > LF_MODEL_MAX_BYTES) {
        fclose(f);
        return FACE_ERR_LIMIT;
    }
    size_t size = (size_t)sb.st_size;
    if (size == 0) {
        fclose(f);
        return FACE_ERR_CORRUPT;
    }
    uint8_t *buf = lf_alloc(&a, size, LF_ALIGN);
    if (!buf) {
        fclose(f);
        return FACE_ERR_OUT_OF_MEMORY;
    }
    size_t got = fread(buf, 1, size, f);
    int read_err = ferror(f);
    fclose(f);
    if (read_err) {
        lf_free(&a, buf, size);
        return FACE_ERR_IO;
    }
    /* A file that shrank while we read it parses as truncated. */
    st = lf_model_parse(&a, buf, got, out, NULL);
    lf_free(&a, buf, size);
    return st;
}

FACE_API int face_model_kind_of(const face_model *model) { return model ? (int)model->kind : 0; }

FACE_API void face_model_destroy(face_model *model) { model_free(model); }
