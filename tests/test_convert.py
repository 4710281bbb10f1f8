#!/usr/bin/python3
"""tools/convert_models.py on a synthetic tfjs manifest (standard library only).

Covers every stored type the converter accepts (uint8 affine for float32 and
int32, uint16, float16, raw float32 at an odd offset, raw int32), checks the
values against numbers worked out here by hand, re-parses the output with a
reader written from docs/model-format.md, and checks determinism and the
rejection of bad manifests.
"""
import hashlib
import importlib.util
import json
import os
import struct
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "convert_models", os.path.join(HERE, "..", "tools", "convert_models.py"))
cm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cm)


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def parse(blob):
    """Independent reader: returns (kind, meta, {name: (shape, [floats])})."""
    assert blob[:8] == b"LFMODEL\0"
    ver, kind, n, ml = struct.unpack_from("<IIII", blob, 8)
    size, toff, doff, dbytes, res = struct.unpack_from("<QQQQQ", blob, 24)
    assert ver == 1 and res == 0 and size == len(blob)
    assert hashlib.blake2b(blob[:-32], digest_size=32).digest() == blob[-32:]
    assert toff == 64 + (ml + 63) // 64 * 64
    assert doff == (toff + 192 * n + 63) // 64 * 64 and doff % 64 == 0
    assert doff + dbytes + 32 == size and dbytes % 64 == 0
    meta = blob[64:64 + ml].decode("utf-8")
    out = {}
    prev_end = 0
    for i in range(n):
        e = blob[toff + 192 * i: toff + 192 * (i + 1)]
        name = e[:128].split(b"\0")[0]
        assert e[len(name):128] == b"\0" * (128 - len(name))
        dtype, ndim, d0, d1, d2, d3, off, cnt = struct.unpack_from("<II4IQQ", e, 128)
        assert dtype == 1 and ndim <= 4 and e[168:] == b"\0" * 24
        shape = [d0, d1, d2, d3][:ndim]
        assert all(d == 0 for d in [d0, d1, d2, d3][ndim:])
        p = 1
        for d in shape:
            p *= d
        assert p == cnt and off % 64 == 0 and off >= prev_end and off + 4 * cnt <= dbytes
        prev_end = off + 4 * cnt
        vals = list(struct.unpack_from("<%df" % cnt, blob, doff + off))
        out[name.decode()] = (shape, vals)
    return kind, meta, out


class ConvertTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, stem, weights, payload):
        with open(os.path.join(self.dir, stem + ".bin"), "wb") as f:
            f.write(payload)
        with open(os.path.join(self.dir, stem + "-weights_manifest.json"), "w") as f:
            json.dump([{"paths": [stem + ".bin"], "weights": weights}], f)

    def synthetic(self):
        weights = [
            {"name": "q/u8", "shape": [2, 3], "dtype": "float32",
             "quantization": {"dtype": "uint8", "scale": 0.1, "min": -1.0}},
            {"name": "raw/f32", "shape": [3], "dtype": "float32"},  # starts at byte 6
            {"name": "q/int", "shape": [4], "dtype": "int32",
             "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1.0}},
            {"name": "q/u16", "shape": [2], "dtype": "float32",
             "quantization": {"dtype": "uint16", "scale": 0.25, "min": 2.0}},
            {"name": "q/f16", "shape": [2], "dtype": "float32",
             "quantization": {"dtype": "float16"}},
            {"name": "raw/i32", "shape": [], "dtype": "int32"},
        ]
        payload = bytes([0, 1, 10, 20, 254, 255])
        payload += struct.pack("<3f", 1.5, -2.25, 3.0e-38)
        payload += bytes([0, 1, 3, 5])  # -1, -0.5 -> 0 (half up), 0.5 -> 1, 1.5 -> 2
        payload += struct.pack("<2H", 0, 65535)
        payload += struct.pack("<2e", 0.5, -65504.0)
        payload += struct.pack("<i", -7)
        self.write("syn", weights, payload)

    def test_values(self):
        self.synthetic()
        tensors = cm.read_manifest(self.dir, "syn")
        blob = cm.build(3, tensors, "source=test\n")
        kind, meta, t = parse(blob)
        self.assertEqual(kind, 3)
        self.assertEqual(meta, "source=test\n")
        self.assertEqual(list(t), ["q/u8", "raw/f32", "q/int", "q/u16", "q/f16", "raw/i32"])
        self.assertEqual(t["q/u8"][0], [2, 3])
        # q*scale+min in double, rounded once to float32
        self.assertEqual(t["q/u8"][1], [f32(q * 0.1 - 1.0) for q in (0, 1, 10, 20, 254, 255)])
        self.assertEqual(t["q/u8"][1][2], f32(1.0 * 0.1 * 10 - 1.0))
        self.assertEqual(t["raw/f32"][1], [1.5, -2.25, f32(3.0e-38)])
        self.assertEqual(t["q/int"][1], [-1.0, 0.0, 1.0, 2.0])  # JS Math.round
        self.assertEqual(t["q/u16"][1], [2.0, 65535 * 0.25 + 2.0])
        self.assertEqual(t["q/f16"][1], [0.5, -65504.0])
        self.assertEqual(t["raw/i32"], ([], [-7.0]))

    def test_deterministic(self):
        self.synthetic()
        a = cm.build(1, cm.read_manifest(self.dir, "syn"), "m")
        b = cm.build(1, cm.read_manifest(self.dir, "syn"), "m")
        self.assertEqual(a, b)

    def test_rejects(self):
        good = {"name": "a", "shape": [2], "dtype": "float32",
                "quantization": {"dtype": "uint8", "scale": 1, "min": 0}}
        cases = [
            ([good], b"\0"),                      # short weights
            ([good], b"\0\0\0"),                  # trailing bytes
            ([good, dict(good)], b"\0" * 4),      # duplicate name
            ([dict(good, shape=[1, 1, 1, 1, 2])], b"\0\0"),  # 5 dimensions
            ([dict(good, shape=[0])], b""),       # empty dimension
            ([dict(good, name="x" * 128)], b"\0\0"),  # name too long
            ([dict(good, dtype="bool", quantization=None)], b"\0" * 2),
        ]
        for i, (weights, payload) in enumerate(cases):
            for w in weights:
                if w.get("quantization") is None:
                    w.pop("quantization", None)
            self.write("bad%d" % i, weights, payload)
            with self.assertRaises(cm.ConvertError, msg="case %d" % i):
                cm.build(1, cm.read_manifest(self.dir, "bad%d" % i), "")


if __name__ == "__main__":
    unittest.main()
