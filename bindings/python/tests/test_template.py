"""Templates: construction, the byte form, corrupt input, compare, wipe."""
import copy
import ctypes
import math
import struct
import unittest

import support
from support import np, template, fingerprint
import libface
from libface import FaceError, Status, Template


def l2(a, b):
    return math.sqrt(sum((float(x) - float(y)) ** 2 for x, y in zip(a, b)))


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


class TemplateTest(unittest.TestCase):
    def test_constants(self):
        self.assertEqual(libface.TEMPLATE_DIM, 128)
        self.assertEqual(libface.SERIALIZED_BYTES, 4 + 2 + 2 + 4 + 4 + 16 + 512)

    def test_from_values(self):
        vals = [i / 128.0 for i in range(128)]
        t = Template.from_values(vals, fingerprint(7), libface.FLAG_ALIGN_FACEAPI)
        self.assertEqual(t.values, vals)  # exactly representable
        self.assertEqual(t.fingerprint, fingerprint(7))
        self.assertEqual(t.flags, libface.FLAG_ALIGN_FACEAPI)
        self.assertEqual((t.version, t.dim), (1, 128))

    def test_from_values_errors(self):
        fp = fingerprint(1)
        for bad, exc in (([0.0] * 127, ValueError), ([0.0] * 129, ValueError),
                         ([0.0] * 127 + [math.nan], ValueError),
                         ([0.0] * 127 + [math.inf], ValueError),
                         (["a"] * 128, TypeError), (None, TypeError)):
            with self.assertRaises(exc):
                Template.from_values(bad, fp)
        for badfp, exc in ((b"\0" * 15, ValueError), (b"\0" * 17, ValueError), (None, TypeError),
                           ("x" * 16, TypeError)):
            with self.assertRaises(exc):
                Template.from_values([0.0] * 128, badfp)
        for flags in (-1, 2 ** 32, 1.5, True):
            with self.assertRaises(ValueError):
                Template.from_values([0.0] * 128, fp, flags)

    def test_serialize_layout(self):
        vals = [f32(0.01 * i - 0.6) for i in range(128)]
        t = Template.from_values(vals, bytes(range(16)), libface.FLAG_ALIGN_DLIB)
        b = t.serialize()
        self.assertIsInstance(b, bytes)
        self.assertEqual(len(b), libface.SERIALIZED_BYTES)
        # The documented little-endian layout, independently of the library.
        want = (b"FTPL" + struct.pack("<HHII", 1, 128, libface.FLAG_ALIGN_DLIB, 0)
                + bytes(range(16)) + struct.pack("<128f", *vals))
        self.assertEqual(b, want)

    def test_round_trip_all_buffer_kinds(self):
        t = template()
        b = t.serialize()
        kinds = [b, bytearray(b), memoryview(b), memoryview(bytearray(b))]
        if np is not None:
            kinds += [np.frombuffer(b, dtype=np.uint8), np.frombuffer(b, dtype=np.uint8).copy()]
        for k in kinds:
            u = Template.parse(k)
            self.assertEqual(u, t, type(k).__name__)
            self.assertEqual(u.values, t.values)
        # a read-only memoryview slice of a bigger buffer
        big = b"junk" + b + b"junk"
        self.assertEqual(Template.parse(memoryview(big)[4:-4]), t)

    def test_parse_bad_types(self):
        for bad in (None, "FTPL", 42, [1, 2, 3]):
            with self.assertRaises(TypeError):
                Template.parse(bad)

    def test_parse_wrong_lengths(self):
        b = template().serialize()
        for n in (0, 1, 5, 6, len(b) - 1):
            with self.assertRaises(FaceError) as cm:
                Template.parse(b[:n])
            self.assertIn(cm.exception.code, (Status.CORRUPT, Status.INVALID_ARGUMENT), n)
        with self.assertRaises(FaceError) as cm:
            Template.parse(b + b"\0")
        self.assertIs(cm.exception.code, Status.CORRUPT)

    def test_parse_corrupt_header_bytes(self):
        """Every single-byte change in magic/version/dim/flags/reserved is
        refused with the documented code."""
        b = bytearray(template().serialize())
        for off in range(16):
            for delta in (1, 0x80):
                bad = bytearray(b)
                bad[off] ^= delta
                if off == 8 and delta == 1:
                    continue  # flags 0x1 -> 0x0 is still a valid template
                with self.assertRaises(FaceError, msg="offset %d" % off) as cm:
                    Template.parse(bad)
                want = Status.UNSUPPORTED_VERSION if off in (4, 5) else Status.CORRUPT
                self.assertIs(cm.exception.code, want, "offset %d" % off)

    def test_parse_non_finite_values(self):
        b = bytearray(template().serialize())
        for bits in (0x7FC00000, 0x7F800000, 0xFF800000):  # NaN, +inf, -inf
            for i in (0, 64, 127):
                bad = bytearray(b)
                struct.pack_into("<I", bad, 32 + 4 * i, bits)
                with self.assertRaises(FaceError) as cm:
                    Template.parse(bad)
                self.assertIs(cm.exception.code, Status.CORRUPT)

    def test_compare_known_answer(self):
        a = template([0.0] * 128)
        vals = [0.0] * 128
        vals[0], vals[1] = 0.3, 0.4
        b = template(vals)
        c = a.compare(b)
        self.assertAlmostEqual(c.distance, 0.5, places=6)
        self.assertAlmostEqual(c.similarity, 1 - 0.5 / 1.2, places=6)
        self.assertEqual(libface.compare(a, b), c)
        self.assertEqual(a.distance(b), c.distance)
        self.assertEqual(a.similarity(b), c.similarity)
        self.assertEqual(a.compare(a), (0.0, 1.0))
        far = template([10.0] * 128)
        self.assertEqual(a.compare(far).similarity, 0.0)

    def test_compare_matches_python_l2(self):
        x = template()
        y = template([((i * 13) % 29) / 29.0 - 0.4 for i in range(128)])
        self.assertAlmostEqual(x.distance(y), l2(x.values, y.values), places=5)

    def test_compare_model_mismatch(self):
        a = template(fp=1)
        b = template(fp=2)
        with self.assertRaises(FaceError) as cm:
            a.compare(b)
        self.assertIs(cm.exception.code, Status.MODEL_MISMATCH)
        self.assertEqual(cm.exception.function, "face_compare")

    def test_compare_bad_arguments(self):
        a = template()
        for bad in (None, 1, a.serialize(), a.values):
            with self.assertRaises(TypeError):
                libface.compare(a, bad)
            with self.assertRaises(TypeError):
                libface.compare(bad, a)

    def test_wipe(self):
        t = template()
        t.wipe()
        raw = ctypes.string_at(ctypes.addressof(t._c), ctypes.sizeof(t._c))
        self.assertEqual(raw, bytes(len(raw)))
        # A wiped template has no header: the library refuses it.
        with self.assertRaises(FaceError) as cm:
            t.compare(template())
        self.assertIs(cm.exception.code, Status.INVALID_ARGUMENT)
        with self.assertRaises(FaceError) as cm:
            t.serialize()
        self.assertIs(cm.exception.code, Status.INVALID_ARGUMENT)

    def test_context_manager_wipes(self):
        with template() as t:
            self.assertNotEqual(t.values, [0.0] * 128)
        self.assertEqual(t.values, [0.0] * 128)

    def test_copy_is_independent(self):
        t = template()
        u = copy.copy(t)
        self.assertEqual(u, t)
        t.wipe()
        self.assertNotEqual(u, t)
        self.assertEqual(u.distance(template()), 0.0)

    @unittest.skipUnless(support.HAVE_NUMPY, "numpy not installed")
    def test_numpy(self):
        t = template()
        a = t.numpy()
        self.assertEqual(a.dtype, np.float32)
        self.assertEqual(a.shape, (128,))
        self.assertEqual(a.tolist(), t.values)
        u = Template.from_values(a, t.fingerprint, t.flags)
        self.assertEqual(u, t)


if __name__ == "__main__":
    unittest.main()
