"""ctypes mirrors of the public C structures (include/face/*.h).

The layouts are checked against the library's face_sizeof_* getters when the
library is loaded (see _lib._verify): a header change that moves a field
without changing the binding refuses to load instead of corrupting memory.
"""
import ctypes

u8, u16, u32, i32, i64, f32 = (ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32,
                               ctypes.c_int32, ctypes.c_int64, ctypes.c_float)

# Constants from the headers. Values that also have a runtime getter are
# checked at load.
TEMPLATE_DIM = 128
TEMPLATE_VERSION = 1
FINGERPRINT_BYTES = 16
TEMPLATE_SERIALIZED_BYTES = 4 + 2 + 2 + 4 + 4 + FINGERPRINT_BYTES + 4 * TEMPLATE_DIM
LANDMARK_COUNT = 68
CHIP_SIZE = 150


class Template(ctypes.Structure):
    _fields_ = [("struct_size", u32), ("version", u16), ("dim", u16), ("flags", u32),
                ("reserved", u32), ("fingerprint", u8 * FINGERPRINT_BYTES),
                ("values", f32 * TEMPLATE_DIM)]


class Image(ctypes.Structure):
    _fields_ = [("struct_size", u32), ("format", i32), ("width", i32), ("height", i32),
                ("stride", i32), ("reserved", i32), ("data", ctypes.c_void_p)]


class Point(ctypes.Structure):
    _fields_ = [("x", f32), ("y", f32)]


class Rect(ctypes.Structure):
    _fields_ = [("x", f32), ("y", f32), ("width", f32), ("height", f32)]


class Detection(ctypes.Structure):
    _fields_ = [("struct_size", u32), ("score", f32), ("box", Rect)]


class Landmarks(ctypes.Structure):
    _fields_ = [("struct_size", u32), ("count", u32), ("points", Point * LANDMARK_COUNT)]


class Chip(ctypes.Structure):
    _fields_ = [("struct_size", u32), ("size", i32), ("rgb", u8 * (CHIP_SIZE * CHIP_SIZE * 3))]


class DetectOptions(ctypes.Structure):
    _fields_ = [("struct_size", u32), ("detector", i32), ("input_size", i32),
                ("score_threshold", f32), ("nms_iou", f32), ("min_face_size", i32),
                ("max_faces", i32), ("flags", u32)]


class EmbedOptions(ctypes.Structure):
    _fields_ = [("struct_size", u32), ("align_mode", i32), ("flags", u32), ("reserved", i32)]


class EngineConfig(ctypes.Structure):
    _fields_ = [("struct_size", u32), ("reserved", u32), ("model_dir", ctypes.c_char_p),
                ("tiny_detector", ctypes.c_void_p), ("ssd_detector", ctypes.c_void_p),
                ("landmarks", ctypes.c_void_p), ("recognition", ctypes.c_void_p),
                ("allocator", ctypes.c_void_p)]


def wipe(obj):
    """Zero a ctypes object in place (templates, chips, landmarks)."""
    ctypes.memset(ctypes.addressof(obj), 0, ctypes.sizeof(obj))


# ---------------------------------------------------------------- watchlist

WATCHLIST_ID_MAX = 64
WATCHLIST_LABEL_MAX = 255
WATCHLIST_KEY_BYTES = 32
WATCHLIST_KEY_ID_BYTES = 16
AUDIT_PUBLIC_KEY_BYTES = 32
AUDIT_SECRET_KEY_BYTES = 64
u64 = ctypes.c_uint64


class WatchlistKey(ctypes.Structure):
    # Pointers as c_void_p: they point at buffers the binding owns and wipes.
    _fields_ = [("struct_size", u32), ("kind", i32), ("raw", ctypes.c_void_p),
                ("passphrase", ctypes.c_void_p), ("passphrase_len", ctypes.c_size_t),
                ("opslimit", u64), ("memlimit", u64), ("key_id", ctypes.c_void_p)]


class WatchlistOptions(ctypes.Structure):
    _fields_ = [("struct_size", u32), ("storage", i32), ("fingerprint", u8 * FINGERPRINT_BYTES),
                ("check_fingerprint", i32), ("reserved", i32), ("allocator", ctypes.c_void_p),
                ("audit_path", ctypes.c_char_p), ("audit_sign_key", ctypes.c_void_p)]


class WatchlistFileInfo(ctypes.Structure):
    # No size getter in the C API: calls that fill it are given spare room
    # and the struct_size the library writes back is checked (watchlist.py).
    _fields_ = [("struct_size", u32), ("format_version", u32), ("key_kind", i32),
                ("storage", i32), ("opslimit", u64), ("memlimit", u64),
                ("key_id", u8 * WATCHLIST_KEY_ID_BYTES), ("fingerprint", u8 * FINGERPRINT_BYTES),
                ("entry_count", u32), ("template_count", u32)]


class WatchlistEntry(ctypes.Structure):
    _fields_ = [("struct_size", u32), ("id_len", u32), ("id", u8 * WATCHLIST_ID_MAX),
                ("label", ctypes.c_char * (WATCHLIST_LABEL_MAX + 1)), ("created_at", i64),
                ("expires_at", i64), ("template_count", u32), ("reserved", u32)]


class WatchlistSearchOptions(ctypes.Structure):
    _fields_ = [("struct_size", u32), ("k", u32), ("threshold", f32), ("threads", i32),
                ("now", i64)]


class WatchlistMatch(ctypes.Structure):
    _fields_ = [("struct_size", u32), ("id_len", u32), ("id", u8 * WATCHLIST_ID_MAX),
                ("distance", f32), ("template_index", u32)]


class AuditReport(ctypes.Structure):
    # No size getter either; see WatchlistFileInfo.
    _fields_ = [("struct_size", u32), ("reserved", u32), ("records", u64), ("first_bad", u64),
                ("signed_records", i32), ("reserved2", i32)]


# ---------------------------------------------------------------- stream

class Quality(ctypes.Structure):
    _fields_ = [("struct_size", u32), ("face_size", f32), ("eye_distance", f32), ("yaw", f32),
                ("pitch", f32), ("roll", f32), ("sharpness", f32), ("score", f32)]


class StreamCounters(ctypes.Structure):
    _fields_ = [("struct_size", u32), ("reserved", u32), ("frames", u64), ("faces", u64),
                ("tracks", u64), ("faces_gated", u64), ("faces_searched", u64), ("alerts", u64),
                ("alerts_dropped", u64), ("faces_untracked", u64), ("detect_full", u64),
                ("detect_local", u64)]


class StreamStats(ctypes.Structure):
    _fields_ = [("struct_size", u32), ("reserved", u32), ("frames", u64), ("detect_us", u64),
                ("landmarks_us", u64), ("align_us", u64), ("embed_us", u64),
                ("search_us", u64), ("total_us", u64), ("max_total_us", u64),
                ("detect_full_us", u64), ("detect_local_us", u64), ("max_full_us", u64),
                ("max_local_us", u64)]


class StreamAlert(ctypes.Structure):
    _fields_ = [("struct_size", u32), ("stream_id", u32), ("track_id", u64),
                ("timestamp_us", i64), ("box", Rect), ("distance", f32), ("similarity", f32),
                ("id_len", u32), ("id", u8 * WATCHLIST_ID_MAX),
                ("label", ctypes.c_char * (WATCHLIST_LABEL_MAX + 1)), ("quality", Quality),
                ("chip", Chip)]


#: int (*face_stream_alert_fn)(void *user, const face_stream_alert *alert)
STREAM_ALERT_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(StreamAlert))


class StreamOptions(ctypes.Structure):
    _fields_ = [("struct_size", u32), ("stream_id", u32), ("flags", u32), ("threads", i32),
                ("detector", i32), ("input_size", i32), ("detect_score", f32),
                ("min_face_size", i32), ("max_faces", i32), ("max_frame_pixels", i64),
                ("max_tracks", i32), ("max_missed", i32), ("track_iou", f32),
                ("min_eye_distance", f32), ("max_yaw", f32), ("max_pitch", f32),
                ("min_sharpness", f32), ("min_quality", f32), ("max_embeds_per_track", i32),
                ("reembed_gain", f32), ("threshold", f32), ("search_k", i32),
                ("on_alert", STREAM_ALERT_FN), ("on_alert_user", ctypes.c_void_p),
                ("queue_capacity", i32), ("reserved", i32), ("deployment", ctypes.c_void_p),
                ("allocator", ctypes.c_void_p), ("detect_interval", i32),
                ("full_min_face_size", i32), ("local_scale", f32), ("reserved2", i32)]
