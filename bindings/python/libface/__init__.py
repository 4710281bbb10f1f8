"""libface: find faces, align them, turn them into templates, match them.

A pure ctypes binding of the libface C library (docs/python.md).

    import libface
    with libface.Engine("models") as engine, engine.context(threads=2) as ctx:
        img = ctx.load_image("photo.jpg")
        for face in ctx.faces(img):
            print(face.detection.score, face.detection.box)

The library is found through LIBFACE_LIBRARY, then a libface.so next to this
package, then the system loader. Importing fails with ImportError if it
cannot be found, has another ABI than this binding, or its structures differ
from the binding's.
"""
from . import _lib

_lib.load()

from ._lib import ABI_VERSION, UnavailableError  # noqa: E402
from .errors import FaceError, Status, strerror  # noqa: E402
from .image import BYTES_PER_PIXEL, Image, PixelFormat  # noqa: E402
from .template import (FINGERPRINT_BYTES, SERIALIZED_BYTES, TEMPLATE_DIM,  # noqa: E402
                       FLAG_ALIGN_DLIB, FLAG_ALIGN_FACEAPI, FLAG_FLIP_AVG, Comparison,
                       Template, compare)
from .engine import (CHIP_SIZE, LANDMARK_COUNT, AlignMode, Chip, Context,  # noqa: E402
                     DetectOptions, Detection, Detector, Engine, Face, Landmarks, Model,
                     ModelKind, Option, Point, Rect, align_faceapi_box)
from .watchlist import (AuditEvent, AuditReport, Entry, FileInfo, Key, KeyKind,  # noqa: E402
                        Match, Storage, Watchlist, audit_verify_signed)
from .stream import (STREAM_AUDIT_ALERTS, Alert, Counters, Deployment, Quality,  # noqa: E402
                     Stats, Stream, quality_estimate)

__version__ = "1.0.0"


def version():
    """face_version_string of the loaded library, e.g. "1.0.0"."""
    return _lib.fn("face_version_string")().decode()


def version_number():
    """face_version_number: major * 10000 + minor * 100 + patch."""
    return _lib.fn("face_version_number")()


def abi_version():
    """face_abi_version of the loaded library (equal to ABI_VERSION)."""
    return _lib.fn("face_abi_version")()


def library_path():
    """Path (or loader name) of the libface that was loaded."""
    return _lib.library_path()


def has_module(name):
    """Whether the loaded library has a module ("engine", "watchlist", ...)."""
    return _lib.has(name)


def init():
    """face_init: select the CPU kernels (idempotent; create calls run it)."""
    from .errors import check
    check(_lib.fn("face_init")(), "face_init")


def active_isa():
    """Name of the instruction set whose kernels are active ("avx2", ...)."""
    f = _lib.fn
    return f("face_isa_name")(f("face_active_isa")()).decode()


def isa_supported(name):
    """Whether this CPU and build support an ISA ("ref", "avx2", "avx512", "neon")."""
    isas = {"ref": 0, "avx2": 1, "avx512": 2, "neon": 3}
    if name not in isas:
        raise ValueError("unknown ISA %r (one of %s)" % (name, ", ".join(isas)))
    return bool(_lib.fn("face_isa_supported")(isas[name]))


__all__ = [
    "ABI_VERSION", "UnavailableError", "FaceError", "Status", "strerror",
    "BYTES_PER_PIXEL", "Image", "PixelFormat",
    "FINGERPRINT_BYTES", "SERIALIZED_BYTES", "TEMPLATE_DIM", "FLAG_ALIGN_DLIB",
    "FLAG_ALIGN_FACEAPI", "FLAG_FLIP_AVG", "Comparison", "Template", "compare",
    "CHIP_SIZE", "LANDMARK_COUNT", "AlignMode", "Chip", "Context", "DetectOptions", "Detection",
    "Detector", "Engine", "Face", "Landmarks", "Model", "ModelKind", "Option", "Point", "Rect",
    "align_faceapi_box",
    "AuditEvent", "AuditReport", "Entry", "FileInfo", "Key", "KeyKind", "Match", "Storage",
    "Watchlist", "audit_verify_signed",
    "STREAM_AUDIT_ALERTS", "Alert", "Counters", "Deployment", "Quality", "Stats", "Stream",
    "quality_estimate",
    "version", "version_number", "abi_version", "library_path", "has_module", "init",
    "active_isa", "isa_supported",
]
