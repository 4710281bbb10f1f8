"""Turning Python buffers into pointers for one C call.

Writable buffers (bytearray, writable memoryview, numpy arrays) and bytes are
passed without a copy. Other read-only buffers are copied into a ctypes array
that is zeroed as soon as the call returns: the data may be a photo or a
template, and a copy nobody wipes would outlive the caller's own wipe.
"""
import contextlib
import ctypes

try:  # numpy is optional
    import numpy as np
except ImportError:  # pragma: no cover - exercised only without numpy
    np = None


def is_ndarray(obj):
    return np is not None and isinstance(obj, np.ndarray)


def _memoryview(obj, what):
    if obj is None:
        raise TypeError("%s must be a bytes-like object, not None" % what)
    if isinstance(obj, str):
        raise TypeError("%s must be a bytes-like object, not str (encode it first)" % what)
    try:
        mv = memoryview(obj)
    except TypeError:
        raise TypeError("%s must be a bytes-like object, not %s"
                        % (what, type(obj).__name__)) from None
    if not mv.c_contiguous:
        raise ValueError("%s must be a C-contiguous buffer" % what)
    return mv


def nbytes(obj, what="buffer"):
    if is_ndarray(obj):
        return obj.nbytes
    return _memoryview(obj, what).nbytes


@contextlib.contextmanager
def borrow(obj, what="buffer"):
    """Yield (address, nbytes) of obj's bytes for the duration of a call."""
    if is_ndarray(obj):
        arr = obj if obj.flags.c_contiguous else np.ascontiguousarray(obj)
        try:
            yield arr.ctypes.data, arr.nbytes
        finally:
            if arr is not obj:
                arr.fill(0)
        return
    if isinstance(obj, bytes):
        # c_char_p points into the bytes object itself; no copy.
        p = ctypes.c_char_p(obj)
        yield ctypes.cast(p, ctypes.c_void_p).value or 0, len(obj)
        return
    mv = _memoryview(obj, what)
    n = mv.nbytes
    if n == 0:
        yield 0, 0
        return
    flat = mv.cast("B") if mv.format != "B" or mv.ndim != 1 else mv
    if not flat.readonly:
        arr = (ctypes.c_uint8 * n).from_buffer(flat)
        try:
            yield ctypes.addressof(arr), n
        finally:
            del arr
        return
    copy = (ctypes.c_uint8 * n).from_buffer_copy(flat)
    try:
        yield ctypes.addressof(copy), n
    finally:
        ctypes.memset(copy, 0, n)


def as_u8_pointer(address):
    return ctypes.cast(ctypes.c_void_p(address), ctypes.POINTER(ctypes.c_uint8))


def wipe_buffer(obj):
    """Zero a writable buffer in place (bytearray, memoryview, numpy)."""
    if is_ndarray(obj):
        obj.fill(0)
        return
    mv = memoryview(obj)
    if mv.readonly:
        raise TypeError("cannot wipe a read-only buffer")
    flat = mv.cast("B") if mv.c_contiguous else None
    if flat is None:
        raise ValueError("cannot wipe a non-contiguous buffer")
    if flat.nbytes:
        arr = (ctypes.c_uint8 * flat.nbytes).from_buffer(flat)
        ctypes.memset(arr, 0, flat.nbytes)
        del arr
