#!/usr/bin/python3
"""Regenerate the seed corpora of the fuzz targets (tests/fuzz/<target>/seed-*).

Run with Debian's /usr/bin/python3 (python3-pil). The seeds are tiny valid
inputs of every format and variant each parser supports, so the fuzzer starts
from deep inside the parsers instead of discovering magic numbers by chance.
Saved crashes (crash-*, regression-*) live next to the seeds and are never
touched by this script.
"""
import hashlib
import io
import os
import random
import struct

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def image_seeds():
    rnd = random.Random(6)
    w, h = 13, 9  # odd sizes: partial MCUs, row padding
    rgb = Image.new("RGB", (w, h))
    rgb.putdata([(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
                 for _ in range(w * h)])

    def enc(img, fmt, **kw):
        b = io.BytesIO()
        img.save(b, fmt, **kw)
        return b.getvalue()

    put("image_decode", "rgb.png", enc(rgb, "PNG"))
    put("image_decode", "gray.png", enc(rgb.convert("L"), "PNG"))
    put("image_decode", "rgba.png", enc(rgb.convert("RGBA"), "PNG"))
    put("image_decode", "pal.png", enc(rgb.convert("P"), "PNG"))
    put("image_decode", "la.png", enc(rgb.convert("LA"), "PNG"))
    put("image_decode", "gray16.png", enc(rgb.convert("L").convert("I"), "PNG"))
    put("image_decode", "bits1.png", enc(rgb.convert("1"), "PNG"))
    put("image_decode", "base420.jpg", enc(rgb, "JPEG", quality=80, subsampling=2))
    put("image_decode", "base444.jpg", enc(rgb, "JPEG", quality=95, subsampling=0))
    put("image_decode", "prog.jpg", enc(rgb, "JPEG", quality=80, progressive=True))
    put("image_decode", "gray.jpg", enc(rgb.convert("L"), "JPEG", quality=80))
    put("image_decode", "restart.jpg", enc(rgb.resize((40, 24)), "JPEG", quality=70,
                                           restart_marker_blocks=1))
    put("image_decode", "rgb24.bmp", enc(rgb, "BMP"))
    put("image_decode", "pal8.bmp", enc(rgb.convert("P"), "BMP"))
    put("image_decode", "rgba32.bmp", enc(rgb.convert("RGBA"), "BMP"))
    put("image_decode", "bits1.bmp", enc(rgb.convert("1"), "BMP"))


def al64(n):
    return (n + 63) // 64 * 64


def model(kind, tensors, meta=b"source=fuzz-seed\n"):
    """Same layout as docs/model-format.md and tests/test_model.c."""
    n = len(tensors)
    table = 64 + al64(len(meta))
    data = al64(table + 192 * n)
    blobs, entries, off = b"", b"", 0
    for name, shape, vals in tensors:
        cnt = 1
        for s in shape:
            cnt *= s
        assert len(vals) == cnt
        dims = list(shape) + [0] * (4 - len(shape))
        entries += (name.encode().ljust(128, b"\0") + struct.pack("<II4IQQ", 1, len(shape), *dims, off, cnt)
                    + bytes(24))
        blob = struct.pack("<%df" % cnt, *vals)
        blob += bytes(al64(len(blob)) - len(blob))
        blobs += blob
        off += len(blob)
    size = data + len(blobs) + 32
    hdr = b"LFMODEL\0" + struct.pack("<IIIIQQQQQ", 1, kind, n, len(meta), size, table, data,
                                     len(blobs), 0)
    body = hdr + meta.ljust(al64(len(meta)), b"\0") + entries
    body = body.ljust(data, b"\0") + blobs
    return body + hashlib.blake2b(body, digest_size=32).digest()


def model_seeds():
    small = model(3, [("a/w", (2, 3), [0.5, -1.25, 3.0, 1e-30, -0.0, 65504.0]),
                      ("s", (), [5118.0]),
                      ("c/bias", (5,), [0.1, 0.2, 0.3, 0.4, 0.5])])
    # First byte: even = the target re-signs the checksum, odd = as is.
    put("model_load", "small-resign", b"\0" + small)
    put("model_load", "small-asis", b"\1" + small)
    conv = model(1, [("conv0/filters", (3, 3, 3, 4), [i / 100.0 for i in range(108)]),
                     ("conv0/bias", (4,), [0.0, 1.0, -1.0, 0.5]),
                     ("conv1/depthwise_filter", (3, 3, 4, 1), [0.25] * 36)], meta=b"")
    put("model_load", "conv-resign", b"\0" + conv)
    put("model_load", "recog-resign", b"\0" + model(4, [("fc", (2, 2), [1, 2, 3, 4])]))


def template(fp, vals, flags=1, version=1):
    return (b"FTPL" + struct.pack("<HHII", version, 128, flags, 0) + fp
            + struct.pack("<128f", *vals))


def template_seeds():
    rnd = random.Random(7)
    fp = bytes(range(16))
    a = [rnd.gauss(0, 0.1) for _ in range(128)]
    b = [v + rnd.gauss(0, 0.02) for v in a]
    put("template_parse", "one", template(fp, a))
    put("template_parse", "pair", template(fp, a) + template(fp, b, flags=5))
    put("template_parse", "pair-mismatch", template(fp, a) + template(bytes(16), b))
    put("template_parse", "big", template(fp, [3e38] * 64 + [-3e38] * 64, flags=2))
    put("template_parse", "v2", template(fp, a, version=2))


if __name__ == "__main__":
    image_seeds()
    model_seeds()
    template_seeds()
