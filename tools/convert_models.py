#!/usr/bin/python3
"""Convert the face-api tfjs weights (manifest + .bin) into libface model files.

Standard library only: it has to run with /usr/bin/python3 on a plain
Debian 12 without numpy. The output format is specified in
docs/model-format.md; the dequantization rules are docs/models.md section 1.

Usage:
  convert_models.py [--model-dir DIR] [--out-dir DIR] [--source NAME@VERSION]
                    [--integrity SHA512-SRI] [--check]

Every tensor of the four networks is kept under its manifest name and stored
as little-endian float32:
  * uint8-quantized float32: q*scale + min computed in double, rounded once
    to float32 (struct.pack('<f') rounds to nearest even).
  * uint8-quantized int32 (SSD graph constants): round-half-up of
    q*scale + min (JS Math.round), then stored as float32. Every such value
    is a small integer (|v| <= 5118), so float32 holds it exactly.
  * raw float32: copied byte for byte (they may start at odd offsets in the
    .bin; we slice bytes, so alignment never matters here).
The output is a pure function of the inputs: no timestamps, no dict-order
dependence, so two runs produce identical bytes.
"""

import argparse
import hashlib
import json
import math
import os
import struct
import sys
import tempfile

MAGIC = b"LFMODEL\0"
FORMAT_VERSION = 1
HEADER_BYTES = 64
ENTRY_BYTES = 192
NAME_BYTES = 128  # name up to 127 bytes + at least one NUL
ALIGN = 64
MAX_TENSORS = 4096
MAX_META = 4096
MAX_DIMS = 4
MAX_FILE = 256 << 20  # LF_MODEL_MAX_BYTES
DTYPE_F32 = 1
CONVERTER_VERSION = 1

DEFAULT_SOURCE = "@vladmandic/face-api@1.7.15"

# (output stem, manifest stem, face_model_kind from include/face/face.h)
MODELS = [
    ("tiny_face_detector", "tiny_face_detector_model", 1),
    ("ssd_mobilenetv1", "ssd_mobilenetv1_model", 2),
    ("face_landmark_68", "face_landmark_68_model", 3),
    ("face_recognition", "face_recognition_model", 4),
]

STORED_BYTES = {"uint8": 1, "uint16": 2, "float16": 2, "float32": 4, "int32": 4}


class ConvertError(Exception):
    pass


def align(n, a=ALIGN):
    return (n + a - 1) // a * a


def prod(shape):
    p = 1
    for d in shape:
        p *= d
    return p


def js_round(v):
    # JS Math.round: halves go towards +infinity.
    return math.floor(v + 0.5)


def f16_to_f32_bytes(raw):
    # IEEE binary16 -> float32; struct's 'e' does the exact widening.
    n = len(raw) // 2
    vals = struct.unpack("<%de" % n, raw)
    return struct.pack("<%df" % n, *vals)


def dequantize(entry, raw):
    """Return the tensor as little-endian float32 bytes."""
    dtype = entry["dtype"]
    q = entry.get("quantization")
    n = prod(entry["shape"])
    if q is None:
        if dtype == "float32":
            return bytes(raw)
        if dtype == "int32":
            vals = struct.unpack("<%di" % n, raw)
            return pack_exact_ints(vals, entry["name"])
        raise ConvertError("%s: unsupported dtype %s" % (entry["name"], dtype))
    qd = q["dtype"]
    if qd == "float16":
        if dtype != "float32":
            raise ConvertError("%s: float16 quantization of %s" % (entry["name"], dtype))
        return f16_to_f32_bytes(raw)
    if qd not in ("uint8", "uint16"):
        raise ConvertError("%s: unsupported quantization %s" % (entry["name"], qd))
    scale = float(q["scale"])
    mn = float(q["min"])
    codes = raw if qd == "uint8" else struct.unpack("<%dH" % n, raw)
    if dtype == "float32":
        if qd == "uint8":
            # One packed float per code: a 256-entry table makes the whole
            # conversion a join of precomputed 4-byte strings.
            lut = [struct.pack("<f", c * scale + mn) for c in range(256)]
            return b"".join(map(lut.__getitem__, codes))
        return b"".join(struct.pack("<f", c * scale + mn) for c in codes)
    if dtype == "int32":
        return pack_exact_ints([js_round(c * scale + mn) for c in codes], entry["name"])
    raise ConvertError("%s: unsupported dtype %s" % (entry["name"], dtype))


def pack_exact_ints(vals, name):
    for v in vals:
        if abs(v) > (1 << 24):
            raise ConvertError("%s: int32 value %d not exact in float32" % (name, v))
    return struct.pack("<%df" % len(vals), *[float(v) for v in vals])


def read_manifest(model_dir, stem):
    path = os.path.join(model_dir, stem + "-weights_manifest.json")
    with open(path, "rb") as f:
        groups = json.loads(f.read().decode("utf-8"))
    if not isinstance(groups, list) or not groups:
        raise ConvertError("%s: not a weights manifest" % path)
    tensors = []
    seen = set()
    for g in groups:
        buf = b""
        for p in g["paths"]:
            if os.path.basename(p) != p:
                raise ConvertError("%s: shard path %r leaves the directory" % (path, p))
            with open(os.path.join(model_dir, p), "rb") as f:
                buf += f.read()
        off = 0
        for w in g["weights"]:
            name = w["name"]
            shape = [int(d) for d in w["shape"]]
            if name in seen:
                raise ConvertError("%s: duplicate tensor %s" % (path, name))
            seen.add(name)
            nb = len(name.encode("utf-8"))
            if nb == 0 or nb > NAME_BYTES - 1 or "\0" in name:
                raise ConvertError("%s: bad tensor name %r" % (path, name))
            if len(shape) > MAX_DIMS or any(d < 1 or d >= (1 << 31) for d in shape):
                raise ConvertError("%s: %s: unsupported shape %s" % (path, name, shape))
            q = w.get("quantization")
            stored = q["dtype"] if q else w["dtype"]
            if stored not in STORED_BYTES:
                raise ConvertError("%s: %s: unknown stored dtype %s" % (path, name, stored))
            size = prod(shape) * STORED_BYTES[stored]
            if off + size > len(buf):
                raise ConvertError("%s: %s runs past the end of the weights" % (path, name))
            tensors.append((name, shape, dequantize(w, buf[off:off + size])))
            off += size
        if off != len(buf):
            raise ConvertError("%s: %d trailing bytes in the weights" % (path, len(buf) - off))
    return tensors


def build(kind, tensors, meta):
    meta_b = meta.encode("utf-8")
    if len(meta_b) > MAX_META:
        raise ConvertError("metadata too long")
    n = len(tensors)
    if not 1 <= n <= MAX_TENSORS:
        raise ConvertError("tensor count %d out of range" % n)
    table_off = HEADER_BYTES + align(len(meta_b))
    data_off = align(table_off + n * ENTRY_BYTES)
    entries = []
    data = bytearray()
    for name, shape, payload in tensors:
        count = prod(shape)
        if len(payload) != 4 * count:
            raise ConvertError("%s: payload size mismatch" % name)
        off = len(data)
        data += payload
        data += b"\0" * (align(len(data)) - len(data))
        nm = name.encode("utf-8")
        dims = list(shape) + [0] * (MAX_DIMS - len(shape))
        entries.append(nm + b"\0" * (NAME_BYTES - len(nm))
                       + struct.pack("<II4IQQ", DTYPE_F32, len(shape), *dims, off, count)
                       + b"\0" * 24)
    total = data_off + len(data) + 32
    if total > MAX_FILE:
        raise ConvertError("model file would be %d bytes, above the loader limit" % total)
    out = bytearray()
    out += MAGIC
    out += struct.pack("<IIII", FORMAT_VERSION, kind, n, len(meta_b))
    out += struct.pack("<QQQQQ", total, table_off, data_off, len(data), 0)
    assert len(out) == HEADER_BYTES
    out += meta_b + b"\0" * (table_off - HEADER_BYTES - len(meta_b))
    for e in entries:
        assert len(e) == ENTRY_BYTES
        out += e
    out += b"\0" * (data_off - len(out))
    out += data
    out += hashlib.blake2b(bytes(out), digest_size=32).digest()
    assert len(out) == total
    return bytes(out)


def write_atomic(path, blob):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def default_integrity():
    here = os.path.dirname(os.path.abspath(__file__))
    p = os.path.join(here, "..", "scripts", "face-api.integrity")
    try:
        with open(p, "r", encoding="ascii") as f:
            return f.read().strip()
    except OSError:
        return "unknown"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model-dir", default="/tmp/npm/package/model",
                    help="directory with the *-weights_manifest.json and .bin files")
    ap.add_argument("--out-dir", required=True, help="where the .fmdl files go")
    ap.add_argument("--source", default=DEFAULT_SOURCE, help="npm package name@version")
    ap.add_argument("--integrity", default=None,
                    help="SRI string of the tarball (default: scripts/face-api.integrity)")
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 unless every output exists with identical bytes")
    args = ap.parse_args(argv)
    integrity = args.integrity or default_integrity()
    if not args.check:
        os.makedirs(args.out_dir, exist_ok=True)
    status = 0
    for out_stem, stem, kind in MODELS:
        tensors = read_manifest(args.model_dir, stem)
        meta = ("format=libface-model\n"
                "source=npm:%s\n"
                "integrity=%s\n"
                "manifest=%s-weights_manifest.json\n"
                "converter=tools/convert_models.py %d\n"
                "int32=round-half-up,stored-as-float32\n"
                % (args.source, integrity, stem, CONVERTER_VERSION))
        blob = build(kind, tensors, meta)
        path = os.path.join(args.out_dir, out_stem + ".fmdl")
        try:
            with open(path, "rb") as f:
                same = f.read() == blob
        except OSError:
            same = False
        if args.check:
            if not same:
                print("%s: missing or different" % path, file=sys.stderr)
                status = 1
            continue
        if same:
            print("%s: up to date (%d tensors, %d bytes)" % (path, len(tensors), len(blob)))
        else:
            write_atomic(path, blob)
            print("%s: wrote %d tensors, %d bytes" % (path, len(tensors), len(blob)))
    return status


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (ConvertError, OSError, ValueError, KeyError) as e:
        print("convert_models.py: error: %s" % e, file=sys.stderr)
        sys.exit(2)
