"""Templates (face descriptors) and their comparison."""
import ctypes
import math
import typing

from . import _lib
from . import _structs as S
from ._buffers import borrow, as_u8_pointer, np
from .errors import check

TEMPLATE_DIM = S.TEMPLATE_DIM
FINGERPRINT_BYTES = S.FINGERPRINT_BYTES
SERIALIZED_BYTES = S.TEMPLATE_SERIALIZED_BYTES

FLAG_ALIGN_DLIB = 0x1
FLAG_ALIGN_FACEAPI = 0x2
FLAG_FLIP_AVG = 0x4


class Comparison(typing.NamedTuple):
    """face_compare's two outputs."""
    distance: float    #: Euclidean distance of the raw descriptors
    similarity: float  #: 1 - distance / 1.2, clamped to [0, 1]


class Template:
    """One face_template, owned by this object and wiped when it is closed or
    collected. Templates are biometric data: call wipe() (or use ``with``)
    as soon as one is no longer needed.

    Make them with Context.embed*, Template.parse(bytes) or
    Template.from_values(values, fingerprint).
    """

    __slots__ = ("_c", "__weakref__")

    def __init__(self):
        self._c = S.Template()

    @classmethod
    def _from_struct(cls, c):
        t = cls.__new__(cls)
        t._c = c
        return t

    @classmethod
    def parse(cls, data):
        """face_template_parse of the serialized byte form (bytes, bytearray,
        memoryview or a uint8 numpy array)."""
        t = cls()
        with borrow(data, "template bytes") as (addr, n):
            st = _lib.fn("face_template_parse")(as_u8_pointer(addr), n, ctypes.byref(t._c))
        check(st, "face_template_parse")
        return t

    @classmethod
    def from_values(cls, values, fingerprint, flags=0):
        """A template from 128 floats and a 16-byte fingerprint, for templates
        kept outside libface. The fingerprint must be the one the engine
        gives (Engine.fingerprint) for comparisons to be meaningful."""
        if values is None or fingerprint is None:
            raise TypeError("values and fingerprint are required")
        if np is not None and isinstance(values, np.ndarray):
            values = values.reshape(-1).tolist()
        values = list(values)
        if len(values) != TEMPLATE_DIM:
            raise ValueError("a template has %d values, got %d" % (TEMPLATE_DIM, len(values)))
        if not all(isinstance(v, (int, float)) or (np is not None and isinstance(v, np.number))
                   for v in values):
            raise TypeError("template values must be numbers")
        if not all(math.isfinite(v) for v in values):
            raise ValueError("template values must be finite")
        fp = bytes(memoryview(fingerprint).cast("B"))
        if len(fp) != FINGERPRINT_BYTES:
            raise ValueError("a fingerprint has %d bytes, got %d" % (FINGERPRINT_BYTES, len(fp)))
        if isinstance(flags, bool) or not isinstance(flags, int) or flags < 0 or flags > 0xFFFFFFFF:
            raise ValueError("flags must be a 32-bit unsigned int")
        t = cls()
        c = t._c
        c.struct_size = ctypes.sizeof(S.Template)
        c.version = S.TEMPLATE_VERSION
        c.dim = TEMPLATE_DIM
        c.flags = flags
        ctypes.memmove(c.fingerprint, fp, FINGERPRINT_BYTES)
        c.values[:] = values
        return t

    # ------------------------------------------------------------ accessors
    @property
    def values(self):
        """The 128 raw (not normalised) descriptor values, as a list."""
        return list(self._c.values)

    def numpy(self):
        """The values as a float32 numpy array (a copy)."""
        if np is None:
            raise ImportError("numpy is not installed")
        return np.array(self._c.values, dtype=np.float32)

    @property
    def fingerprint(self):
        return bytes(self._c.fingerprint)

    @property
    def flags(self):
        return self._c.flags

    @property
    def version(self):
        return self._c.version

    @property
    def dim(self):
        return self._c.dim

    # ------------------------------------------------------------ operations
    def serialize(self):
        """face_template_serialize: the portable FACE_TEMPLATE_SERIALIZED_BYTES
        byte form."""
        buf = (ctypes.c_uint8 * SERIALIZED_BYTES)()
        try:
            st = _lib.fn("face_template_serialize")(ctypes.byref(self._c), buf, SERIALIZED_BYTES)
            check(st, "face_template_serialize")
            return bytes(buf)
        finally:
            ctypes.memset(buf, 0, SERIALIZED_BYTES)

    def compare(self, other):
        """face_compare -> Comparison(distance, similarity). FaceError with
        MODEL_MISMATCH when the fingerprints differ."""
        return compare(self, other)

    def distance(self, other):
        return compare(self, other).distance

    def similarity(self, other):
        return compare(self, other).similarity

    def copy(self):
        c = S.Template()
        ctypes.pointer(c)[0] = self._c
        return Template._from_struct(c)

    __copy__ = copy

    def wipe(self):
        """face_template_wipe: zero the template (it is unusable afterwards)."""
        c = getattr(self, "_c", None)
        if c is not None:
            _lib.fn("face_template_wipe")(ctypes.byref(c))

    close = wipe

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.wipe()

    def __del__(self):
        try:
            self.wipe()
        except Exception:
            pass

    def __eq__(self, other):
        if not isinstance(other, Template):
            return NotImplemented
        return ctypes.string_at(ctypes.addressof(self._c), ctypes.sizeof(S.Template)) == \
            ctypes.string_at(ctypes.addressof(other._c), ctypes.sizeof(S.Template))

    __hash__ = None

    def __repr__(self):
        return "Template(fingerprint=%s, flags=0x%x)" % (self.fingerprint.hex()[:16] + "...",
                                                         self.flags)


def _template_arg(t, what):
    if not isinstance(t, Template):
        raise TypeError("%s must be a Template, not %s" % (what, type(t).__name__))
    return ctypes.byref(t._c)


def compare(a, b):
    """face_compare(a, b) -> Comparison(distance, similarity)."""
    pa, pb = _template_arg(a, "a"), _template_arg(b, "b")
    d, s = ctypes.c_float(), ctypes.c_float()
    st = _lib.fn("face_compare")(pa, pb, ctypes.byref(d), ctypes.byref(s))
    check(st, "face_compare")
    return Comparison(d.value, s.value)
