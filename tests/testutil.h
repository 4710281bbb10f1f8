/* Helpers shared by the cmocka tests. */
#ifndef FACE_TESTUTIL_H
#define FACE_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* ctest treats exit code 77 as "skipped" (SKIP_RETURN_CODE). */
#define TU_SKIP_CODE 77

/* Directory of ../shared (FACE_SHARED_DIR), or NULL when absent. Tests that
 * need it call TU_REQUIRE_SHARED() first: a user's clone has no ../shared. */
static inline const char *tu_shared_dir(void)
{
    const char *d = getenv("FACE_SHARED_DIR");
    if (!d || !*d) return NULL;
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/README.md", d);
    FILE *f = fopen(probe, "rb");
    if (!f) return NULL;
    fclose(f);
    return d;
}

/* Directory of the converted models (FACE_MODEL_DIR), or NULL when absent. */
static inline const char *tu_model_dir(void)
{
    const char *d = getenv("FACE_MODEL_DIR");
    if (!d || !*d) return NULL;
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/face_recognition.fmdl", d);
    FILE *f = fopen(probe, "rb");
    if (!f) return NULL;
    fclose(f);
    return d;
}

#define TU_REQUIRE_SHARED()                                                          \
    do {                                                                             \
        if (!tu_shared_dir()) {                                                      \
            fprintf(stderr, "SKIP: ../shared not found (FACE_SHARED_DIR unset)\n"); \
            return TU_SKIP_CODE;                                                     \
        }                                                                            \
    } while (0)

#define TU_REQUIRE_MODELS()                                                            \
    do {                                                                               \
        if (!tu_model_dir()) {                                                         \
            fprintf(stderr, "SKIP: converted models not found (FACE_MODEL_DIR)\n");  \
            return TU_SKIP_CODE;                                                       \
        }                                                                              \
    } while (0)

/* Read a whole file into a malloc'd buffer (tests may use malloc). */
static inline uint8_t *tu_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n < 0) {
        fclose(f);
        return NULL;
    }
    uint8_t *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) *size = (size_t)n;
    return buf;
}

/* Deterministic xorshift so failures reproduce. */
static inline uint32_t tu_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint32_t)(*s >> 11);
}
static inline float tu_randf(uint64_t *s, float lo, float hi)
{
    return lo + (hi - lo) * (float)(tu_rand(s) & 0xffffff) / (float)0x1000000;
}

#endif
