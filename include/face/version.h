/* libface: compile-time version macros and their runtime getters. */
#ifndef FACE_VERSION_H
#define FACE_VERSION_H

#include "face/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Product version. Independent of the ABI version below. */
#define FACE_VERSION_MAJOR 1
#define FACE_VERSION_MINOR 0
#define FACE_VERSION_PATCH 0
#define FACE_VERSION_NUMBER \
    (FACE_VERSION_MAJOR * 10000 + FACE_VERSION_MINOR * 100 + FACE_VERSION_PATCH)
#define FACE_VERSION_STRING "1.0.0"

/* ABI major: the shared library's SOVERSION. It changes only when a binary
 * built against an older header could break (see docs/ABI.md). */
#define FACE_ABI_MAJOR 1

/** @return FACE_VERSION_NUMBER of the library actually loaded. Cannot fail;
 *  thread-safe; nothing to free. */
FACE_API int face_version_number(void);
/** @return FACE_VERSION_STRING of the loaded library (static storage, never
 *  freed by the caller). Cannot fail; thread-safe. */
FACE_API const char *face_version_string(void);
/** @return FACE_ABI_MAJOR of the loaded library. A binding should refuse to
 *  run when this differs from the value it was written for. Cannot fail;
 *  thread-safe; nothing to free. */
FACE_API int face_abi_version(void);

#ifdef __cplusplus
}
#endif

#endif /* FACE_VERSION_H */
