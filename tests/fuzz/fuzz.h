/* Shared bits of the libFuzzer targets (tests/fuzz/fuzz_*.c).
 *
 * Each target defines LLVMFuzzerTestOneInput. Built with -DFACE_FUZZ=ON and
 * clang it links libFuzzer; in every other build it links replay.c instead,
 * which feeds it the checked-in corpus, so the seeds and every crash ever
 * found stay regression tests of the ordinary suite (and of the ASan leg). */
#ifndef FACE_FUZZ_H
#define FACE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Write generated seeds to dir (replay driver: --make-seeds DIR); returns how
 * many. Targets whose seeds come from make_seeds.py return 0. */
int fz_make_seeds(const char *dir);

/* A broken invariant is a finding: abort so libFuzzer saves the input and
 * the replay driver fails. assert() would vanish under NDEBUG. */
#define FZ_CHECK(cond)                                                              \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                \
        }                                                                           \
    } while (0)

#endif /* FACE_FUZZ_H */
