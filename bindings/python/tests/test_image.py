"""Image views over bytes, bytearray, memoryview and numpy (no library
engine needed: the face_image handed to C is checked field by field)."""
import ctypes
import unittest

import support
from support import np
from libface import Image, PixelFormat, BYTES_PER_PIXEL
from libface import _structs as S
from libface._buffers import borrow, wipe_buffer


def c_bytes(img):
    """What C would read: each row of the face_image the binding builds."""
    with img._c() as c:
        bpp = BYTES_PER_PIXEL[PixelFormat(c.format)]
        rows = [ctypes.string_at(c.data + y * c.stride, c.width * bpp) for y in range(c.height)]
        return (c.struct_size, c.format, c.width, c.height, c.stride), b"".join(rows)


class ImageTest(unittest.TestCase):
    def pixels(self, nbytes):
        return bytes((7 * i + 3) % 256 for i in range(nbytes))

    def test_bytes_kinds_identical(self):
        w, h = 5, 3
        raw = self.pixels(w * h * 3)
        want = None
        for data in (raw, bytearray(raw), memoryview(raw), memoryview(bytearray(raw))):
            img = Image(data, w, h, PixelFormat.RGB24)
            got = c_bytes(img)
            self.assertEqual(got[0], (ctypes.sizeof(S.Image), PixelFormat.RGB24, w, h, w * 3))
            want = want or got
            self.assertEqual(got, want)
            self.assertEqual(img.tobytes(), raw)

    def test_stride(self):
        w, h, stride = 3, 4, 16
        raw = self.pixels(stride * h)
        img = Image(raw, w, h, PixelFormat.BGRA32, stride)
        meta, data = c_bytes(img)
        self.assertEqual(meta[4], stride)
        want = b"".join(raw[y * stride:y * stride + w * 4] for y in range(h))
        self.assertEqual(data, want)
        self.assertEqual(img.tobytes(), want)
        # the last row needs only width * bpp bytes, not a full stride
        Image(raw[:stride * (h - 1) + w * 4], w, h, PixelFormat.BGRA32, stride)

    def test_validation(self):
        raw = bytes(12)
        with self.assertRaises(ValueError):
            Image(raw, 2, 2, PixelFormat.RGB24, stride=5)      # stride < w*3
        with self.assertRaises(ValueError):
            Image(raw, 3, 2, PixelFormat.RGB24)                # 18 > 12 bytes
        with self.assertRaises(ValueError):
            Image(raw, 2, 2, 99)                               # unknown format
        with self.assertRaises(ValueError):
            Image(raw, 0, 2, PixelFormat.GRAY8)
        with self.assertRaises(ValueError):
            Image(raw, 2, -1, PixelFormat.GRAY8)
        with self.assertRaises(TypeError):
            Image(raw, 2.0, 2, PixelFormat.GRAY8)
        with self.assertRaises(TypeError):
            Image(None, 2, 2, PixelFormat.GRAY8)
        with self.assertRaises(TypeError):
            Image("abcd", 2, 2, PixelFormat.GRAY8)
        with self.assertRaises(TypeError):
            Image([1, 2, 3, 4], 2, 2, PixelFormat.GRAY8)

    def test_readonly_copy_is_wiped(self):
        """A read-only buffer that is not bytes is copied for the call, and
        the copy is zeroed afterwards."""
        src = memoryview(b"secret-pixels")[1:]  # read-only, not a bytes object
        with borrow(src) as (addr, n):
            self.assertEqual(ctypes.string_at(addr, n), b"ecret-pixels")
            copy_addr = addr
        self.assertEqual(ctypes.string_at(copy_addr, n), bytes(n))

    def test_bytes_are_not_copied(self):
        b = b"pixels" * 10
        with borrow(b) as (addr, n):
            with borrow(b) as (addr2, _):
                self.assertEqual(addr, addr2)
        ba = bytearray(b)
        with borrow(ba) as (addr, n):
            ctypes.memset(addr, 0x41, 1)  # writes through: no copy
        self.assertEqual(ba[0], 0x41)

    def test_wipe(self):
        ba = bytearray(b"\x01" * 12)
        img = Image(ba, 2, 2, PixelFormat.RGB24)
        img.wipe()
        self.assertEqual(ba, bytearray(12))
        with self.assertRaises(TypeError):
            Image(b"\x01" * 12, 2, 2, PixelFormat.RGB24).wipe()
        with self.assertRaises(TypeError):
            wipe_buffer(b"x")

    def test_adopted_image_wiped_on_del(self):
        ba = bytearray(b"\x05" * 12)
        img = Image._adopt(ba, 2, 2, PixelFormat.RGB24, 6)
        del img
        self.assertEqual(ba, bytearray(12))


@unittest.skipUnless(support.HAVE_NUMPY, "numpy not installed")
class NumpyImageTest(unittest.TestCase):
    def setUp(self):
        self.rgb = (np.arange(6 * 5 * 3, dtype=np.uint32) * 7 % 251).astype(np.uint8) \
            .reshape(6, 5, 3)

    def test_formats_from_shape(self):
        self.assertIs(Image.from_array(self.rgb).format, PixelFormat.RGB24)
        self.assertIs(Image.from_array(self.rgb, PixelFormat.BGR24).format, PixelFormat.BGR24)
        self.assertIs(Image.from_array(self.rgb[:, :, 0]).format, PixelFormat.GRAY8)
        self.assertIs(Image.from_array(self.rgb[:, :, :1]).format, PixelFormat.GRAY8)
        rgba = np.zeros((4, 4, 4), np.uint8)
        self.assertIs(Image.from_array(rgba).format, PixelFormat.RGBA32)
        self.assertIs(Image.from_array(rgba, PixelFormat.BGRA32).format, PixelFormat.BGRA32)

    def test_numpy_equals_bytes(self):
        a = Image.from_array(self.rgb)
        b = Image(self.rgb.tobytes(), 5, 6, PixelFormat.RGB24)
        self.assertEqual(c_bytes(a), c_bytes(b))
        self.assertTrue(np.array_equal(b.numpy(), self.rgb))

    def test_strided_views_without_copy(self):
        big = np.zeros((10, 9, 3), np.uint8)
        big[2:8, 1:6] = self.rgb
        view = big[2:8, 1:6]
        img = Image.from_array(view)
        self.assertIs(img.data, view)  # row-strided: passed as is
        meta, data = c_bytes(img)
        self.assertEqual(meta[4], 9 * 3)
        self.assertEqual(data, self.rgb.tobytes())
        with img._c() as c:
            self.assertEqual(c.data, view.ctypes.data)

    def test_unpacked_layouts_are_copied(self):
        for arr in (self.rgb[:, ::2], self.rgb[::-1], self.rgb[:, :, ::-1],
                    np.asfortranarray(self.rgb)):
            img = Image.from_array(arr)
            self.assertEqual(c_bytes(img)[1], np.ascontiguousarray(arr).tobytes())

    def test_bad_arrays(self):
        with self.assertRaises(TypeError):
            Image.from_array(self.rgb.astype(np.float32))
        with self.assertRaises(ValueError):
            Image.from_array(np.zeros((4, 4, 2), np.uint8))
        with self.assertRaises(ValueError):
            Image.from_array(np.zeros((4,), np.uint8))
        with self.assertRaises(ValueError):
            Image.from_array(np.zeros((0, 4, 3), np.uint8))
        with self.assertRaises(ValueError):
            Image.from_array(self.rgb, PixelFormat.RGBA32)
        with self.assertRaises(TypeError):
            Image.from_array(self.rgb.tobytes())
        with self.assertRaises(ValueError):
            Image(self.rgb[:, ::2], 3, 6, PixelFormat.RGB24)  # strided needs from_array

    def test_flat_array_as_data(self):
        flat = self.rgb.reshape(-1)
        img = Image(flat, 5, 6, PixelFormat.RGB24)
        self.assertEqual(c_bytes(img)[1], self.rgb.tobytes())

    def test_numpy_view_of_bytes(self):
        img = Image(bytearray(self.rgb.tobytes()), 5, 6, PixelFormat.RGB24)
        v = img.numpy()
        self.assertEqual(v.shape, (6, 5, 3))
        self.assertTrue(np.array_equal(v, self.rgb))
        img.wipe()
        self.assertEqual(int(v.sum()), 0)  # a view, not a copy


if __name__ == "__main__":
    unittest.main()
