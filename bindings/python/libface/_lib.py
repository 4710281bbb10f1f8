"""Loading libface and declaring its C functions.

Every function the binding calls is listed in ``_DECLS`` with its argtypes and
restype, grouped by the library module that exports it. A group is either
entirely present in the loaded library or entirely absent (a build without
that module yet); a partial group means the library and the binding disagree,
and loading is refused. Calling into an absent group raises
``UnavailableError``.

Adding a module (the stream API, say) means: its Structures in
``_structs.py``, one more group here (with its ``face_sizeof_*`` getters in
``_SIZE_CHECKS``), and a Python module on top.
"""
import ctypes
import ctypes.util
import glob
import os
import sys
import threading

from . import _structs as S

#: The ABI major this binding was written for (FACE_ABI_MAJOR in version.h).
ABI_VERSION = 1

c_status = ctypes.c_int
c_size_p = ctypes.POINTER(ctypes.c_size_t)
c_u8_p = ctypes.POINTER(ctypes.c_uint8)
c_float_p = ctypes.POINTER(ctypes.c_float)
c_void_p = ctypes.c_void_p
c_char_p = ctypes.c_char_p
P = ctypes.POINTER

# name: (restype, argtypes)
_DECLS = {
    "core": {
        "face_abi_version": (ctypes.c_int, []),
        "face_version_number": (ctypes.c_int, []),
        "face_version_string": (c_char_p, []),
        "face_strerror": (c_char_p, [ctypes.c_int]),
        "face_init": (c_status, []),
        "face_active_isa": (ctypes.c_int, []),
        "face_isa_name": (c_char_p, [ctypes.c_int]),
        "face_isa_supported": (ctypes.c_int, [ctypes.c_int]),
    },
    "template": {
        "face_template_dim": (ctypes.c_size_t, []),
        "face_template_sizeof": (ctypes.c_size_t, []),
        "face_template_serialized_bytes": (ctypes.c_size_t, []),
        "face_template_serialize": (c_status, [P(S.Template), c_u8_p, ctypes.c_size_t]),
        "face_template_parse": (c_status, [c_u8_p, ctypes.c_size_t, P(S.Template)]),
        "face_template_wipe": (None, [P(S.Template)]),
        "face_compare": (c_status, [P(S.Template), P(S.Template), c_float_p, c_float_p]),
    },
    "model": {
        "face_model_load_file": (c_status, [c_char_p, c_void_p, P(c_void_p)]),
        "face_model_load_memory": (c_status, [c_void_p, ctypes.c_size_t, c_void_p, P(c_void_p)]),
        "face_model_kind_of": (ctypes.c_int, [c_void_p]),
        "face_model_destroy": (None, [c_void_p]),
    },
    "engine": {
        "face_image_init": (c_status, [P(S.Image), ctypes.c_int, ctypes.c_int, ctypes.c_int,
                                       ctypes.c_int, c_void_p]),
        "face_engine_config_init": (None, [P(S.EngineConfig)]),
        "face_engine_create": (c_status, [P(S.EngineConfig), P(c_void_p)]),
        "face_engine_create_from_dir": (c_status, [c_char_p, c_void_p, P(c_void_p)]),
        "face_engine_destroy": (None, [c_void_p]),
        "face_engine_fingerprint": (c_status, [c_void_p, ctypes.c_int, c_u8_p]),
        "face_threshold_for_fmr": (c_status, [c_void_p, ctypes.c_double,
                                              ctypes.POINTER(ctypes.c_float)]),
        "face_ctx_create": (c_status, [c_void_p, c_void_p, P(c_void_p)]),
        "face_ctx_destroy": (None, [c_void_p]),
        "face_ctx_set_option": (c_status, [c_void_p, ctypes.c_int, ctypes.c_int64]),
        "face_ctx_get_option": (c_status, [c_void_p, ctypes.c_int, P(ctypes.c_int64)]),
        "face_ctx_last_error": (c_char_p, [c_void_p]),
        "face_image_decode": (c_status, [c_void_p, c_void_p, ctypes.c_size_t, P(S.Image)]),
        "face_image_load_file": (c_status, [c_void_p, c_char_p, P(S.Image)]),
        "face_image_free": (None, [c_void_p, P(S.Image)]),
        "face_detect_options_init": (None, [P(S.DetectOptions)]),
        "face_detect": (c_status, [c_void_p, P(S.Image), P(S.DetectOptions), P(S.Detection),
                                   ctypes.c_size_t, c_size_p]),
        "face_landmarks_detect": (c_status, [c_void_p, P(S.Image), P(S.Rect), P(S.Landmarks)]),
        "face_align_chip": (c_status, [c_void_p, P(S.Image), P(S.Landmarks), P(S.Chip)]),
        "face_align_faceapi_box": (c_status, [P(S.Landmarks), P(S.Rect), ctypes.c_int,
                                              ctypes.c_int, P(S.Rect)]),
        "face_embed_options_init": (None, [P(S.EmbedOptions)]),
        "face_embed_chip": (c_status, [c_void_p, P(S.Chip), P(S.EmbedOptions), P(S.Template)]),
        "face_embed_crop": (c_status, [c_void_p, P(S.Image), P(S.Rect), P(S.EmbedOptions),
                                       P(S.Template)]),
        "face_embed": (c_status, [c_void_p, P(S.Image), P(S.Landmarks), P(S.Rect),
                                  P(S.EmbedOptions), P(S.Template)]),
        "face_sizeof_image": (ctypes.c_size_t, []),
        "face_sizeof_detection": (ctypes.c_size_t, []),
        "face_sizeof_landmarks": (ctypes.c_size_t, []),
        "face_sizeof_chip": (ctypes.c_size_t, []),
        "face_sizeof_detect_options": (ctypes.c_size_t, []),
        "face_sizeof_embed_options": (ctypes.c_size_t, []),
        "face_sizeof_engine_config": (ctypes.c_size_t, []),
    },
    "watchlist": {
        "face_watchlist_key_raw": (None, [P(S.WatchlistKey), c_void_p]),
        "face_watchlist_key_passphrase": (None, [P(S.WatchlistKey), c_void_p, ctypes.c_size_t]),
        "face_watchlist_options_init": (None, [P(S.WatchlistOptions)]),
        "face_watchlist_search_options_init": (None, [P(S.WatchlistSearchOptions)]),
        "face_watchlist_create": (c_status, [P(S.WatchlistOptions), P(S.WatchlistKey),
                                             P(c_void_p)]),
        "face_watchlist_open": (c_status, [c_char_p, P(S.WatchlistKey), P(S.WatchlistOptions),
                                           P(c_void_p)]),
        "face_watchlist_peek": (c_status, [c_char_p, c_void_p]),
        "face_watchlist_save": (c_status, [c_void_p, c_char_p]),
        "face_watchlist_close": (None, [c_void_p]),
        "face_watchlist_destroy": (c_status, [c_void_p]),
        "face_watchlist_enroll": (c_status, [c_void_p, c_void_p, ctypes.c_size_t, c_char_p,
                                             P(S.Template), ctypes.c_size_t, ctypes.c_int64]),
        "face_watchlist_remove": (c_status, [c_void_p, c_void_p, ctypes.c_size_t]),
        "face_watchlist_get": (c_status, [c_void_p, c_void_p, ctypes.c_size_t,
                                          P(S.WatchlistEntry), P(S.Template), ctypes.c_size_t]),
        "face_watchlist_list": (c_status, [c_void_p, ctypes.c_size_t, P(S.WatchlistEntry),
                                           ctypes.c_size_t, c_size_p]),
        "face_watchlist_count": (c_status, [c_void_p, c_size_p, c_size_p]),
        "face_watchlist_purge_expired": (c_status, [c_void_p, ctypes.c_int64, c_size_p]),
        "face_watchlist_info": (c_status, [c_void_p, c_u8_p, P(ctypes.c_int)]),
        "face_watchlist_search": (c_status, [c_void_p, P(S.Template),
                                             P(S.WatchlistSearchOptions), P(S.WatchlistMatch),
                                             ctypes.c_size_t, c_size_p]),
        "face_watchlist_search_batch": (c_status, [c_void_p, P(S.Template), ctypes.c_size_t,
                                                   P(S.WatchlistSearchOptions),
                                                   P(S.WatchlistMatch), ctypes.c_size_t,
                                                   c_size_p]),
        "face_watchlist_audit_alert": (c_status, [c_void_p, c_void_p, ctypes.c_size_t,
                                                  c_char_p]),
        "face_watchlist_audit_summary": (c_status, [c_void_p, c_char_p]),
        "face_watchlist_audit_verify": (c_status, [c_void_p, c_char_p, c_void_p, c_void_p]),
        "face_audit_verify_signed": (c_status, [c_char_p, c_void_p, c_void_p]),
        "face_sizeof_watchlist_key": (ctypes.c_size_t, []),
        "face_sizeof_watchlist_options": (ctypes.c_size_t, []),
        "face_sizeof_watchlist_entry": (ctypes.c_size_t, []),
        "face_sizeof_watchlist_match": (ctypes.c_size_t, []),
        "face_sizeof_watchlist_search_options": (ctypes.c_size_t, []),
    },
    "stream": {
        "face_quality_estimate": (c_status, [P(S.Landmarks), P(S.Rect), P(S.Chip),
                                             P(S.Quality)]),
        "face_deployment_create": (c_status, [c_void_p, P(c_void_p)]),
        "face_deployment_destroy": (None, [c_void_p]),
        "face_deployment_get_counters": (c_status, [c_void_p, P(S.StreamCounters)]),
        "face_deployment_report": (c_status, [c_void_p, c_void_p]),
        "face_stream_counters_format": (c_status, [P(S.StreamCounters), c_char_p,
                                                   ctypes.c_size_t]),
        "face_stream_options_init": (None, [P(S.StreamOptions)]),
        "face_stream_create": (c_status, [c_void_p, c_void_p, P(S.StreamOptions),
                                          P(c_void_p)]),
        "face_stream_destroy": (None, [c_void_p]),
        "face_stream_push": (c_status, [c_void_p, P(S.Image), ctypes.c_int64]),
        "face_stream_flush": (c_status, [c_void_p]),
        "face_stream_poll": (c_status, [c_void_p, P(P(S.StreamAlert))]),
        "face_stream_alert_free": (None, [P(S.StreamAlert)]),
        "face_stream_get_counters": (c_status, [c_void_p, P(S.StreamCounters)]),
        "face_stream_get_stats": (c_status, [c_void_p, P(S.StreamStats)]),
        "face_stream_live_tracks": (c_status, [c_void_p, c_size_p]),
        "face_stream_last_error": (c_char_p, [c_void_p]),
        "face_sizeof_quality": (ctypes.c_size_t, []),
        "face_sizeof_stream_options": (ctypes.c_size_t, []),
        "face_sizeof_stream_alert": (ctypes.c_size_t, []),
        "face_sizeof_stream_counters": (ctypes.c_size_t, []),
        "face_sizeof_stream_stats": (ctypes.c_size_t, []),
    },
}

# getter -> Structure it must agree with; checked for every present group.
_SIZE_CHECKS = {
    "face_template_sizeof": S.Template,
    "face_sizeof_image": S.Image,
    "face_sizeof_detection": S.Detection,
    "face_sizeof_landmarks": S.Landmarks,
    "face_sizeof_chip": S.Chip,
    "face_sizeof_detect_options": S.DetectOptions,
    "face_sizeof_embed_options": S.EmbedOptions,
    "face_sizeof_engine_config": S.EngineConfig,
    "face_sizeof_watchlist_key": S.WatchlistKey,
    "face_sizeof_watchlist_options": S.WatchlistOptions,
    "face_sizeof_watchlist_entry": S.WatchlistEntry,
    "face_sizeof_watchlist_match": S.WatchlistMatch,
    "face_sizeof_watchlist_search_options": S.WatchlistSearchOptions,
    "face_sizeof_quality": S.Quality,
    "face_sizeof_stream_options": S.StreamOptions,
    "face_sizeof_stream_alert": S.StreamAlert,
    "face_sizeof_stream_counters": S.StreamCounters,
    "face_sizeof_stream_stats": S.StreamStats,
}

# Value getters that must equal the header constants the binding mirrors.
_VALUE_CHECKS = {
    "face_template_dim": S.TEMPLATE_DIM,
    "face_template_serialized_bytes": S.TEMPLATE_SERIALIZED_BYTES,
}

_REQUIRED_GROUPS = ("core", "template")


class UnavailableError(RuntimeError):
    """The loaded libface was built without the module this call needs."""


class _Unavailable:
    def __init__(self, name, group):
        self._name, self._group = name, group

    def __call__(self, *args):
        raise UnavailableError("%s: the loaded libface has no '%s' module (%s)"
                               % (self._name, self._group, _state.path))


class _State:
    def __init__(self):
        self.lib = None
        self.path = None
        self.groups = set()
        self.lock = threading.Lock()


_state = _State()


def _candidates():
    """Where to look, in order. An explicit LIBFACE_LIBRARY is the only
    candidate when set: a typo there should fail loudly, not fall back to some
    other installed copy."""
    env = os.environ.get("LIBFACE_LIBRARY")
    if env:
        return [env], True
    here = os.path.dirname(os.path.abspath(__file__))
    found = []
    patterns = ("libface.so.%d" % ABI_VERSION, "libface.so", "libface.so.*",
                "libface.%d.dylib" % ABI_VERSION, "libface.dylib", "face.dll")
    for d in (here, os.path.dirname(here)):
        for pat in patterns:
            for p in sorted(glob.glob(os.path.join(d, pat))):
                if p not in found and os.path.isfile(p):
                    found.append(p)
    # System loader: the SONAME of our ABI first, then whatever the linker
    # cache knows (the ABI check below catches a wrong major).
    found.append("libface.so.%d" % ABI_VERSION if sys.platform.startswith("linux")
                 else "libface")
    name = ctypes.util.find_library("face")
    if name and name not in found:
        found.append(name)
    return found, False


def _declare(lib, path):
    groups = set()
    for group, decls in _DECLS.items():
        present = [n for n in decls if hasattr(lib, n)]
        if not present:
            if group in _REQUIRED_GROUPS:
                raise ImportError("%s lacks the libface %s functions; not a libface library?"
                                  % (path, group))
            continue
        if len(present) != len(decls):
            missing = sorted(set(decls) - set(present))
            raise ImportError("%s has part of the libface %s module (missing %s): the library "
                              "and this binding disagree" % (path, group, ", ".join(missing)))
        for name, (restype, argtypes) in decls.items():
            fn = getattr(lib, name)
            fn.restype = restype
            fn.argtypes = argtypes
        groups.add(group)
    return groups


def _verify(lib, path, groups):
    abi = lib.face_abi_version()
    if abi != ABI_VERSION:
        raise ImportError("%s has libface ABI %d; this binding was written for ABI %d"
                          % (path, abi, ABI_VERSION))
    for getter, struct in _SIZE_CHECKS.items():
        group = next(g for g, d in _DECLS.items() if getter in d)
        if group not in groups:
            continue
        have = getattr(lib, getter)()
        if have != ctypes.sizeof(struct):
            raise ImportError("%s: %s() = %d but the binding's %s has %d bytes; refusing to "
                              "load a library whose structures differ"
                              % (path, getter, have, struct.__name__, ctypes.sizeof(struct)))
    for getter, want in _VALUE_CHECKS.items():
        have = getattr(lib, getter)()
        if have != want:
            raise ImportError("%s: %s() = %d, binding expects %d" % (path, getter, have, want))


def load():
    """Load (once) and return the library. Raises ImportError on failure."""
    if _state.lib is not None:
        return _state.lib
    with _state.lock:
        if _state.lib is not None:
            return _state.lib
        candidates, explicit = _candidates()
        errors = []
        for cand in candidates:
            try:
                lib = ctypes.CDLL(cand)
            except OSError as e:
                errors.append("%s: %s" % (cand, e))
                if explicit:
                    break
                continue
            groups = _declare(lib, cand)
            _verify(lib, cand, groups)
            _state.path = getattr(lib, "_name", cand)
            _state.groups = groups
            _state.lib = lib
            return lib
        raise ImportError("cannot load libface (set LIBFACE_LIBRARY to its path):\n  "
                          + "\n  ".join(errors))


_GROUP_OF = {name: group for group, decls in _DECLS.items() for name in decls}


def fn(name):
    """The declared function, or a stand-in raising UnavailableError."""
    lib = load()
    group = _GROUP_OF[name]  # KeyError: the binding calls something it never declared
    if group in _state.groups:
        return getattr(lib, name)
    return _Unavailable(name, group)


def has(group):
    load()
    return group in _state.groups


def library_path():
    load()
    return _state.path
