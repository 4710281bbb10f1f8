/* Status strings and per-handle error detail. */
#include <stdio.h>
#include <string.h>

#include "base/base.h"

const char *face_strerror(int status)
{
    switch (status) {
    case FACE_OK: return "success";
    case FACE_ERR_INVALID_ARGUMENT: return "invalid argument";
    case FACE_ERR_OUT_OF_MEMORY: return "out of memory";
    case FACE_ERR_IO: return "I/O error";
    case FACE_ERR_UNSUPPORTED_VERSION: return "unsupported or unknown format version";
    case FACE_ERR_CORRUPT: return "corrupt data";
    case FACE_ERR_AUTH: return "authentication failed (wrong key or tampered data)";
    case FACE_ERR_MODEL_MISMATCH: return "model mismatch";
    case FACE_ERR_LIMIT: return "limit exceeded";
    case FACE_ERR_NOT_FOUND: return "not found";
    case FACE_ERR_ISA_UNAVAILABLE: return "instruction set unavailable";
    case FACE_ERR_BUFFER_TOO_SMALL: return "buffer too small";
    case FACE_ERR_EXISTS: return "already exists";
    case FACE_ERR_STATE: return "invalid state for this call";
    case FACE_ERR_INTERNAL: return "internal error";
    default: return "unknown error";
    }
}

face_status lf_fail(lf_error *err, face_status status, const char *func, const char *fmt, ...)
{
    if (!err) return status;
    int n = snprintf(err->msg, sizeof err->msg, "%s(): ", func ? func : "?");
    if (n < 0 || (size_t)n >= sizeof err->msg) return status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg + n, sizeof err->msg - (size_t)n, fmt, ap);
    va_end(ap);
    return status;
}

float lf_rdf32(const uint8_t *p)
{
    uint32_t u = lf_rd32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

void lf_wrf32(uint8_t *p, float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    lf_wr32(p, u);
}
