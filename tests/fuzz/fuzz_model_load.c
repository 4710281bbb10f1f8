/* Fuzz the model-file parser through face_model_load_memory.
 *
 * Every model file ends in a BLAKE2b-256 of the rest, so random bytes almost
 * never get past the checksum. The first input byte therefore picks a mode:
 * odd = load the rest as is (checksum rejection path); even = re-sign the
 * rest first, so the fuzzer explores the header and tensor-table walk.
 * Invariants: documented statuses only; on success every tensor lies inside
 * the copied data (ASan checks the reads of each tensor's first and last
 * element); failure leaves nothing allocated. */
#include <sodium.h>
#include <string.h>

#include "face/face.h"
#include "fuzz.h"
#include "nn/nn.h"

typedef struct counter {
    size_t live;
} counter;

static void *c_alloc(void *opaque, size_t size, size_t align)
{
    counter *c = opaque;
    void *p = NULL;
    if (align < sizeof(void *)) align = sizeof(void *);
    if (posix_memalign(&p, align, size) != 0) return NULL;
    c->live += size;
    return p;
}

static void c_free(void *opaque, void *p, size_t size)
{
    counter *c = opaque;
    if (!p) return;
    FZ_CHECK(c->live >= size);
    c->live -= size;
    free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int resign = (data[0] & 1) == 0;
    size -= 1;
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    memcpy(buf, data + 1, size);
    if (resign && size >= 32) crypto_generichash(buf + size - 32, 32, buf, size - 32, NULL, 0);

    counter c = {0};
    face_allocator fa;
    memset(&fa, 0, sizeof fa);
    fa.struct_size = sizeof fa;
    fa.alloc = c_alloc;
    fa.free = c_free;
    fa.opaque = &c;
    face_model *m = (face_model *)(uintptr_t)1;
    face_status st = face_model_load_memory(buf, size, &fa, &m);
    if (st == FACE_OK) {
        int kind = face_model_kind_of(m);
        FZ_CHECK(kind >= FACE_MODEL_TINY_DETECTOR && kind <= FACE_MODEL_RECOGNITION);
        FZ_CHECK(m->n_tensors >= 1 && m->n_tensors <= LF_MODEL_MAX_TENSORS);
        const char *lo = (const char *)m->data, *hi = lo + m->data_bytes;
        volatile float sink = 0.0f;
        for (int i = 0; i < m->n_tensors; i++) {
            const lf_tensor *t = &m->tensors[i];
            size_t cnt = 1;
            for (int d = 0; d < t->ndim; d++) {
                FZ_CHECK(t->shape[d] > 0);
                cnt *= (size_t)t->shape[d];
            }
            FZ_CHECK(t->ndim >= 0 && t->ndim <= LF_MODEL_MAX_DIMS && cnt == t->count);
            FZ_CHECK((const char *)t->data >= lo &&
                     (size_t)(hi - (const char *)t->data) / sizeof(float) >= t->count);
            sink += t->data[0] + t->data[t->count - 1];
            /* names are unique: lookup finds this very entry */
            FZ_CHECK(lf_model_find(m, t->name) == t);
        }
        (void)sink;
        face_model_destroy(m);
    } else {
        FZ_CHECK(st == FACE_ERR_CORRUPT || st == FACE_ERR_UNSUPPORTED_VERSION ||
                 st == FACE_ERR_LIMIT || st == FACE_ERR_OUT_OF_MEMORY ||
                 st == FACE_ERR_INVALID_ARGUMENT);
        FZ_CHECK(m == NULL);
    }
    FZ_CHECK(c.live == 0);
    free(buf);
    return 0;
}

int fz_make_seeds(const char *dir)
{
    (void)dir; /* tests/fuzz/make_seeds.py writes these seeds */
    return 0;
}
