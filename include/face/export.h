/* libface: symbol export macro.
 *
 * The shared library is built with -fvisibility=hidden and a linker version
 * script (lib/face.map); only declarations marked FACE_API are exported.
 * Define FACE_STATIC when linking the static archive on platforms where that
 * matters (Windows); on ELF it is harmless either way. */
#ifndef FACE_EXPORT_H
#define FACE_EXPORT_H

#if defined(_WIN32) && !defined(FACE_STATIC)
#  ifdef FACE_BUILDING_LIBRARY
#    define FACE_API __declspec(dllexport)
#  else
#    define FACE_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define FACE_API __attribute__((visibility("default")))
#else
#  define FACE_API
#endif

#if defined(__GNUC__) || defined(__clang__)
#  define FACE_NODISCARD __attribute__((warn_unused_result))
#else
#  define FACE_NODISCARD
#endif

#endif /* FACE_EXPORT_H */
