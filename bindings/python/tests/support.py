"""Shared set-up of the binding's tests.

The library comes from LIBFACE_LIBRARY (ctest sets it to the build's
libface.so); the package from PYTHONPATH, or from the source tree next to
this folder when run by hand. Models (FACE_MODEL_DIR) and the shared golden
data (FACE_SHARED_DIR) are optional: the tests that need them skip.
"""
import json
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
_PKG_ROOT = os.path.dirname(_HERE)
if _PKG_ROOT not in sys.path:
    sys.path.insert(0, _PKG_ROOT)

import libface  # noqa: E402

try:
    import numpy as np
except ImportError:  # pragma: no cover
    np = None

HAVE_NUMPY = np is not None
HAVE_ENGINE = libface.has_module("engine")
HAVE_WATCHLIST = libface.has_module("watchlist")

MODEL_FILES = ("tiny_face_detector.fmdl", "ssd_mobilenetv1.fmdl", "face_landmark_68.fmdl",
               "face_recognition.fmdl")
MODEL_DIR = os.environ.get("FACE_MODEL_DIR", "")
HAVE_MODEL_FILES = bool(MODEL_DIR) and all(
    os.path.isfile(os.path.join(MODEL_DIR, f)) for f in MODEL_FILES)
HAVE_MODELS = HAVE_ENGINE and HAVE_MODEL_FILES
WHY_NO_MODELS = ("the loaded libface has no engine module" if not HAVE_ENGINE else
                 "no converted models in FACE_MODEL_DIR=%r" % MODEL_DIR)

SHARED_DIR = os.environ.get("FACE_SHARED_DIR", "")
GOLDEN_JSON = os.path.join(SHARED_DIR, "golden", "faceapi-1.7.15-samples.json")
HAVE_GOLDEN = bool(SHARED_DIR) and os.path.isfile(GOLDEN_JSON)
WHY_NO_GOLDEN = "no golden data under FACE_SHARED_DIR=%r" % SHARED_DIR


def golden():
    with open(GOLDEN_JSON) as f:
        return json.load(f)


def golden_image_path(entry):
    return os.path.join(SHARED_DIR, "golden", entry["file"])


def sample_png():
    """Path of a real photo with faces: the first golden image."""
    return os.path.join(SHARED_DIR, "golden", "images", "sample1.png")


def fingerprint(n):
    return bytes([n] * libface.FINGERPRINT_BYTES)


def template(values=None, fp=1, flags=libface.FLAG_ALIGN_DLIB):
    if values is None:
        values = [((i * 37) % 101) / 101.0 - 0.5 for i in range(libface.TEMPLATE_DIM)]
    return libface.Template.from_values(values, fingerprint(fp), flags)
