#!/usr/bin/python3
"""Development-time generator for the JPEG vectors in tests/test_decode.c.

Run with Debian's /usr/bin/python3 (Pillow on Debian decodes with the same
libjpeg-turbo that libface links, with the same defaults: islow IDCT, fancy
upsampling). Prints C arrays and the expected FNV-1a hashes of the decoded
RGB24 pixels; paste them into test_decode.c when the vectors change.

    /usr/bin/python3 tests/make_jpeg_vectors.py > /tmp/vectors.h
"""
import io
import struct

from PIL import Image

W, H = 33, 24  # the gradient of test_jpeg_close


def fnv1a64(b):
    h = 0xCBF29CE484222325
    for x in b:
        h = ((h ^ x) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def c_array(name, data):
    rows = [", ".join("0x%02x" % x for x in data[i:i + 16]) for i in range(0, len(data), 16)]
    return "static const uint8_t %s[%d] = {\n    %s,\n};" % (name, len(data), ",\n    ".join(rows))


def rgb_of(data):
    im = Image.open(io.BytesIO(data))
    im.load()
    return im.convert("RGB").tobytes()


# --- hand-made baseline grayscale JPEGs (for the stb_image 2.27 bugs)

class Bits:
    def __init__(self):
        self.out, self.acc, self.n = bytearray(), 0, 0

    def put(self, value, nbits):
        for i in range(nbits - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> i) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0)  # byte stuffing
                self.acc, self.n = 0, 0

    def flush(self):
        if self.n:
            self.put(0x7F, 8 - self.n)  # pad with ones
        return bytes(self.out)


def seg(marker, payload):
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def gray_jpeg(w, h, dq, dht_dc, dht_ac, scan):
    out = b"\xff\xd8"
    out += seg(0xDB, bytes([0]) + bytes([dq] + [1] * 63))
    out += seg(0xC0, struct.pack(">BHHB", 8, h, w, 1) + bytes([1, 0x11, 0]))
    out += seg(0xC4, dht_dc) + seg(0xC4, dht_ac)
    out += seg(0xDA, bytes([1, 1, 0x00, 0, 63, 0]))
    return out + scan + b"\xff\xd9"


def dc_table():
    """Categories 0..14 get the 4-bit codes 0000..1110, category 15 the
    5-bit 11110 (a table may not use the all-ones code)."""
    counts = [0] * 16
    counts[3] = 15
    counts[4] = 1
    codes = {s: (s, 4) for s in range(15)}
    codes[15] = (0b11110, 5)
    return bytes([0x00]) + bytes(counts) + bytes(range(16)), codes


def ac_eob_table():
    counts = [1] + [0] * 15  # one 1-bit code "0" = EOB
    return bytes([0x10]) + bytes(counts) + bytes([0x00])


def dc_overflow():
    """Every block adds the largest DC difference: the predictor and
    predictor * quantiser overflow 16 and 32 bits (stb 2.27: signed overflow)."""
    w, h = 256, 128
    dht_dc, codes = dc_table()
    bits = Bits()
    for _ in range((w // 8) * (h // 8)):
        code, n = codes[15]
        bits.put(code, n)
        bits.put(0x7FFF, 15)  # diff = +32767
        bits.put(0, 1)        # EOB
    return gray_jpeg(w, h, 255, dht_dc, ac_eob_table(), bits.flush())


def dht_overflow():
    """A DHT with 272 codes (more than 256): stb 2.27 wrote past its tables."""
    dht_dc, codes = dc_table()
    bad = bytes([0x10]) + bytes([17] * 16) + bytes(range(256)) + bytes(16)
    bits = Bits()
    bits.put(0, 4)  # DC category 0
    bits.put(0, 1)
    return gray_jpeg(8, 8, 1, dht_dc, bad, bits.flush())


def bad_codes():
    """Entropy data of all-ones codes, which no table defines (stb 2.27 used
    the symbol index out of range)."""
    dht_dc, _ = dc_table()
    return gray_jpeg(16, 16, 1, dht_dc, ac_eob_table(), b"\xff\x00" * 12)


def out_of_bits():
    """A block that needs more bits than the scan has: the first block's
    category-15 DC wants 15 more bits and the data ends (stb 2.27 shifted
    by a negative count)."""
    dht_dc, codes = dc_table()
    bits = Bits()
    code, n = codes[15]
    bits.put(code, n)
    bits.put(0x55, 7)
    return gray_jpeg(64, 64, 1, dht_dc, ac_eob_table(), bits.flush())


def main():
    grad = Image.new("RGB", (W, H))
    grad.putdata([(40 + 5 * x, 60 + 6 * y, 200 - 2 * x - 2 * y) for y in range(H) for x in range(W)])
    vecs = {}
    buf = io.BytesIO()
    grad.convert("L").save(buf, "JPEG", quality=90)
    vecs["k_jpeg_gray"] = buf.getvalue()
    buf = io.BytesIO()
    grad.convert("CMYK").save(buf, "JPEG", quality=90)
    vecs["k_jpeg_cmyk"] = buf.getvalue()
    for name, data in vecs.items():
        print(c_array(name, data))
    # The gradient JPEGs already embedded in test_decode.c.
    src = open(__file__.replace("make_jpeg_vectors.py", "test_decode.c")).read()
    for name in ("k_jpeg_baseline", "k_jpeg_progressive"):
        body = src[src.index(name):]
        body = body[body.index("{") + 1:body.index("}")]
        vecs[name] = bytes(int(t, 16) for t in body.replace(",", " ").split())
    for name, data in vecs.items():
        print("/* %s: Pillow hash 0x%016xull */" % (name, fnv1a64(rgb_of(data))))
    for name, fn in [("dc_overflow", dc_overflow), ("dht_overflow", dht_overflow),
                     ("bad_codes", bad_codes), ("out_of_bits", out_of_bits)]:
        data = fn()
        try:
            px = rgb_of(data)
            print("/* %s: %d bytes, Pillow decodes, hash 0x%016xull */" % (name, len(data), fnv1a64(px)))
        except Exception as e:  # noqa: BLE001 - report whatever Pillow says
            print("/* %s: %d bytes, Pillow refuses: %s */" % (name, len(data), e))
    print(c_array("k_jpeg_dht_overflow", dht_overflow()))
    print(c_array("k_jpeg_bad_codes", bad_codes()))
    print(c_array("k_jpeg_out_of_bits", out_of_bits()))
    print(c_array("k_jpeg_dc_overflow", dc_overflow()))


if __name__ == "__main__":
    main()
