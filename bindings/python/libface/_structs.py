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
