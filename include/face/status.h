/* libface: status codes, allocator hook, CPU dispatch queries.
 *
 * This header holds what every module of libface shares. It is included by
 * face/face.h; include that instead. */
#ifndef FACE_STATUS_H
#define FACE_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "face/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Result of every fallible libface call.
 *
 * The numbers are part of the ABI: a code is never renumbered or reused. A
 * retired code keeps its slot with an _OBSOLETE suffix. New codes are only
 * appended. Callers must treat an unknown positive value as a generic error.
 */
typedef enum face_status {
    FACE_OK = 0,
    /** A NULL pointer, a zero or negative size, an out-of-range option. */
    FACE_ERR_INVALID_ARGUMENT = 1,
    /** The allocator returned NULL, or a size computation overflowed. */
    FACE_ERR_OUT_OF_MEMORY = 2,
    /** open/read/write/fsync/rename failed; errno detail in last-error. */
    FACE_ERR_IO = 3,
    /** A file or record has a magic we know but a version we do not. */
    FACE_ERR_UNSUPPORTED_VERSION = 4,
    /** Malformed content: bad magic, inconsistent sizes, failed checksum,
     *  undecodable image. */
    FACE_ERR_CORRUPT = 5,
    /** Authenticated decryption failed: a wrong key or tampered data. AEAD
     *  cannot tell these apart, so neither does this code. */
    FACE_ERR_AUTH = 6,
    /** A template, model or watchlist belongs to a different model. */
    FACE_ERR_MODEL_MISMATCH = 7,
    /** Input exceeds a documented limit (pixels, faces, entries, sizes). */
    FACE_ERR_LIMIT = 8,
    /** A requested entry, file or tensor does not exist. */
    FACE_ERR_NOT_FOUND = 9,
    /** FACE_FORCE_ISA names an instruction set this CPU or build lacks. */
    FACE_ERR_ISA_UNAVAILABLE = 10,
    /** A caller-provided output buffer is too small; the needed size is
     *  reported through the call's size/count out-parameter. */
    FACE_ERR_BUFFER_TOO_SMALL = 11,
    /** An entry with this identity already exists. */
    FACE_ERR_EXISTS = 12,
    /** The handle is not in a state that allows this call (for example a
     *  closed or destroyed watchlist). */
    FACE_ERR_STATE = 13,
    /** A broken internal invariant. Please report it. */
    FACE_ERR_INTERNAL = 14
} face_status;

/** Static English text for a status code; never NULL, also for unknown
 *  codes. Thread-safe. */
FACE_API const char *face_strerror(int status);

/**
 * Allocator hook. Every allocation libface makes goes through this, including
 * model weights, scratch memory and decoded images. Pass NULL wherever an
 * allocator is accepted to use the C library's aligned allocation.
 *
 * alloc(opaque, size, align): align is a power of two <= 4096; return NULL on
 *   failure. free(opaque, ptr, size): size is exactly the size passed to
 *   alloc. Buffers that held biometric data or key material are zeroed by
 *   libface before they reach free().
 * The hook must be thread-safe if the handles using it are used from several
 * threads.
 */
typedef struct face_allocator {
    uint32_t struct_size; /**< sizeof(face_allocator) */
    uint32_t reserved;
    void *(*alloc)(void *opaque, size_t size, size_t align);
    void (*free)(void *opaque, void *ptr, size_t size);
    void *opaque;
} face_allocator;

/** Instruction sets with their own kernels. Values are stable. */
typedef enum face_isa {
    FACE_ISA_REF = 0,    /**< portable C reference, also its own GEMM */
    FACE_ISA_AVX2 = 1,   /**< x86-64 AVX2 + FMA */
    FACE_ISA_AVX512 = 2, /**< x86-64 AVX-512 F+BW+DQ+VL */
    FACE_ISA_NEON = 3    /**< AArch64 Advanced SIMD */
} face_isa;

/**
 * Initialise the library: detect the CPU, honour FACE_FORCE_ISA
 * (ref|avx2|avx512|neon) and select the kernels. Idempotent and thread-safe;
 * every create call runs it implicitly.
 * @return FACE_OK, or FACE_ERR_ISA_UNAVAILABLE if FACE_FORCE_ISA names an ISA
 *         the CPU or this build lacks (or an unknown name). In that case
 *         every create call fails with the same code.
 */
FACE_API face_status face_init(void);

/** The ISA whose kernels are active (runs face_init if needed; after a
 *  failed FACE_FORCE_ISA it reports FACE_ISA_REF). Returns a value, no error
 *  code, nothing to free; thread-safe. */
FACE_API face_isa face_active_isa(void);
/** "ref", "avx2", "avx512", "neon"; "unknown" otherwise. Static storage;
 *  no error code (unknown values give "unknown"); thread-safe. */
FACE_API const char *face_isa_name(int isa);
/** Nonzero if the CPU and this build support the ISA; 0 for unknown values
 *  (no error code). Thread-safe. */
FACE_API int face_isa_supported(int isa);

#ifdef __cplusplus
}
#endif

#endif /* FACE_STATUS_H */
