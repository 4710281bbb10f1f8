"""Pixel buffers: the Image view and the conversions from bytes and numpy."""
import contextlib
import ctypes
import enum

from . import _structs as S
from ._buffers import borrow, is_ndarray, nbytes, np, wipe_buffer


class PixelFormat(enum.IntEnum):
    """face_pixel_format. Values are stable."""
    GRAY8 = 1
    RGB24 = 2
    BGR24 = 3
    RGBA32 = 4
    BGRA32 = 5


BYTES_PER_PIXEL = {PixelFormat.GRAY8: 1, PixelFormat.RGB24: 3, PixelFormat.BGR24: 3,
                   PixelFormat.RGBA32: 4, PixelFormat.BGRA32: 4}

_MAX_SIDE = 2 ** 31 - 1


def _int(value, what, lo=1):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("%s must be an int, not %s" % (what, type(value).__name__))
    if value < lo or value > _MAX_SIDE:
        raise ValueError("%s = %d is out of range" % (what, value))
    return value


class Image:
    """Pixels the caller owns (or a decoded copy the binding owns), with their
    geometry. libface only reads them during a call and never keeps the
    pointer.

    Image(data, width, height, format=PixelFormat.RGB24, stride=None)
        data: bytes, bytearray, memoryview or a numpy uint8 array holding at
        least stride * (height - 1) + width * bytes-per-pixel bytes.
    Image.from_array(arr, format=None)
        H x W (gray), H x W x 3 (RGB, or BGR with format=) or H x W x 4 (RGBA
        or BGRA) uint8 numpy array, C-contiguous or row-strided.
    """

    __slots__ = ("_data", "width", "height", "format", "stride", "_owned")

    def __init__(self, data, width, height, format=PixelFormat.RGB24, stride=None):
        try:
            fmt = PixelFormat(format)
        except ValueError:
            raise ValueError("unknown pixel format %r" % (format,)) from None
        width = _int(width, "width")
        height = _int(height, "height")
        bpp = BYTES_PER_PIXEL[fmt]
        row = width * bpp
        stride = row if stride is None else _int(stride, "stride")
        if stride < row:
            raise ValueError("stride %d is less than width * %d = %d" % (stride, bpp, row))
        if is_ndarray(data) and not data.flags.c_contiguous:
            raise ValueError("a strided numpy array needs Image.from_array, which reads its "
                             "strides")
        need = stride * (height - 1) + row
        have = nbytes(data, "pixel data")
        if have < need:
            raise ValueError("pixel data has %d bytes; a %dx%d %s image with stride %d needs %d"
                             % (have, width, height, fmt.name, stride, need))
        self._data = data
        self.width, self.height, self.format, self.stride = width, height, fmt, stride
        self._owned = False

    @classmethod
    def from_array(cls, arr, format=None):
        if np is None or not isinstance(arr, np.ndarray):
            raise TypeError("from_array needs a numpy array, not %s" % type(arr).__name__)
        if arr.dtype != np.uint8:
            raise TypeError("pixel arrays must be uint8, not %s" % arr.dtype)
        if arr.ndim == 3 and arr.shape[2] == 1:
            arr = arr[:, :, 0]
        if arr.ndim == 2:
            channels = 1
        elif arr.ndim == 3 and arr.shape[2] in (3, 4):
            channels = arr.shape[2]
        else:
            raise ValueError("pixel arrays are H x W, H x W x 3 or H x W x 4, not %s"
                             % (arr.shape,))
        if format is None:
            format = {1: PixelFormat.GRAY8, 3: PixelFormat.RGB24, 4: PixelFormat.RGBA32}[channels]
        fmt = PixelFormat(format)
        if BYTES_PER_PIXEL[fmt] != channels:
            raise ValueError("%s needs %d channels, the array has %d"
                             % (fmt.name, BYTES_PER_PIXEL[fmt], channels))
        h, w = arr.shape[0], arr.shape[1]
        if h == 0 or w == 0:
            raise ValueError("empty pixel array %s" % (arr.shape,))
        # libface takes one row stride; pixels inside a row must be packed.
        packed = (arr.strides[1] == channels and (arr.ndim == 2 or arr.strides[2] == 1)
                  and arr.strides[0] >= w * channels)
        if not packed:
            arr = np.ascontiguousarray(arr)
        img = cls.__new__(cls)
        img._data = arr
        img.width, img.height, img.format = int(w), int(h), fmt
        img.stride = int(arr.strides[0])
        img._owned = False
        return img

    @classmethod
    def _adopt(cls, data, width, height, format, stride):
        """An image whose bytearray belongs to the binding (decoded files)."""
        img = cls(data, width, height, format, stride)
        img._owned = True
        return img

    @property
    def data(self):
        """The underlying buffer (not a copy)."""
        return self._data

    @property
    def channels(self):
        return BYTES_PER_PIXEL[self.format]

    @property
    def shape(self):
        return (self.height, self.width) if self.channels == 1 else (
            self.height, self.width, self.channels)

    def tobytes(self):
        """The pixels, tightly packed (stride = width * channels)."""
        row = self.width * self.channels
        with borrow(self._data, "pixel data") as (addr, _):
            if self.stride == row:
                return ctypes.string_at(addr, row * self.height)
            return b"".join(ctypes.string_at(addr + y * self.stride, row)
                            for y in range(self.height))

    def numpy(self):
        """A numpy view (no copy) of the pixels when the buffer allows one."""
        if np is None:
            raise ImportError("numpy is not installed")
        if is_ndarray(self._data) and self._data.ndim >= 2:
            return self._data
        flat = np.frombuffer(self._data, dtype=np.uint8)
        c = self.channels
        shape = self.shape
        strides = (self.stride, c, 1)[:len(shape)]
        return np.lib.stride_tricks.as_strided(flat, shape=shape, strides=strides,
                                               writeable=flat.flags.writeable)

    def wipe(self):
        """Zero the pixels if the buffer is writable (decoded images always
        are). A bytes object cannot be wiped; TypeError then."""
        wipe_buffer(self._data)

    def __repr__(self):
        return "Image(%dx%d %s, stride %d)" % (self.width, self.height, self.format.name,
                                               self.stride)

    def __del__(self):
        # Decoded photos belong to the binding: wipe them like the C side does.
        if getattr(self, "_owned", False):
            try:
                wipe_buffer(self._data)
            except Exception:
                pass

    @contextlib.contextmanager
    def _c(self):
        """A face_image for one call."""
        c = S.Image()
        c.struct_size = ctypes.sizeof(S.Image)
        c.format = int(self.format)
        c.width, c.height, c.stride = self.width, self.height, self.stride
        d = self._data
        if is_ndarray(d) and d.ndim >= 2:
            # from_array checked the layout: packed rows, one row stride.
            c.data = d.ctypes.data
            yield c
            return
        with borrow(d, "pixel data") as (addr, _):
            c.data = addr
            yield c


def as_image(obj):
    """Image, or a numpy array -> Image."""
    if isinstance(obj, Image):
        return obj
    if is_ndarray(obj):
        return Image.from_array(obj)
    if obj is None:
        raise TypeError("image must be an Image or a numpy array, not None")
    raise TypeError("image must be an Image or a numpy array, not %s (wrap raw pixels in "
                    "Image(data, width, height, format), or decode files with "
                    "Context.decode)" % type(obj).__name__)
