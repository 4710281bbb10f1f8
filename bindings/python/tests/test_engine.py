"""Engine, Context and the whole pipeline. Needs the engine module and the
converted models (FACE_MODEL_DIR); the real-photo and golden tests also need
../shared (FACE_SHARED_DIR). Each skips cleanly without them."""
import gc
import math
import os
import struct
import tempfile
import unittest
import weakref
import zlib

import support
from support import np
import libface
from libface import (AlignMode, Chip, Context, Detector, Engine, FaceError, Image,
                     Landmarks, Model, ModelKind, Option, PixelFormat, Rect, Status, Template)

ENGINE = None


def setUpModule():
    global ENGINE
    if support.HAVE_MODELS:
        ENGINE = Engine(support.MODEL_DIR)


def tearDownModule():
    if ENGINE is not None:
        ENGINE.close()


def png(width, height, rgb):
    """A minimal RGB PNG encoder, so decode tests need no image library."""
    def chunk(tag, data):
        c = struct.pack(">I", len(data)) + tag + data
        return c + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    rows = b"".join(b"\0" + rgb[y * width * 3:(y + 1) * width * 3] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                               0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def l2(a, b):
    return math.sqrt(sum((float(x) - float(y)) ** 2 for x, y in zip(a, b)))


def iou(a, b):
    ax2, ay2, bx2, by2 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = max(0.0, min(ax2, bx2) - max(a[0], b[0]))
    ih = max(0.0, min(ay2, by2) - max(a[1], b[1]))
    inter = iw * ih
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def synthetic_landmarks(cx=75.0, cy=75.0, s=40.0):
    """A plausible 68-point layout (a scaled ring): enough for align calls."""
    return Landmarks([(cx + s * math.cos(2 * math.pi * i / 68),
                       cy + s * math.sin(2 * math.pi * i / 68)) for i in range(68)])


@unittest.skipUnless(support.HAVE_ENGINE, "the loaded libface has no engine module")
class EngineCreateTest(unittest.TestCase):
    def test_missing_models(self):
        with tempfile.TemporaryDirectory() as empty:
            with self.assertRaises(FaceError) as cm:
                Engine(empty)
            self.assertIs(cm.exception.code, Status.NOT_FOUND)
        with self.assertRaises(FaceError) as cm:
            Engine()
        self.assertIs(cm.exception.code, Status.NOT_FOUND)
        with self.assertRaises(FaceError) as cm:
            Engine("/nonexistent/models")
        self.assertIs(cm.exception.code, Status.NOT_FOUND)

    def test_bad_types(self):
        with self.assertRaises(TypeError):
            Engine(12)
        with self.assertRaises(TypeError):
            Engine(landmarks="face_landmark_68.fmdl")
        with self.assertRaises(TypeError):
            Context("engine")
        with self.assertRaises(TypeError):
            Model.load(None)
        with self.assertRaises(TypeError):
            Model.from_bytes(None)

    def test_model_errors(self):
        with self.assertRaises(FaceError) as cm:
            Model.load("/nonexistent/x.fmdl")
        self.assertIs(cm.exception.code, Status.IO)
        for junk in (b"garbage" * 10, bytearray(64), memoryview(b"FMDL" + bytes(60))):
            with self.assertRaises(FaceError) as cm:
                Model.from_bytes(junk)
            self.assertIn(cm.exception.code, (Status.CORRUPT, Status.UNSUPPORTED_VERSION))
        with self.assertRaises(FaceError) as cm:
            Model.from_bytes(b"")
        self.assertIn(cm.exception.code, (Status.INVALID_ARGUMENT, Status.CORRUPT))


@unittest.skipUnless(support.HAVE_MODELS, support.WHY_NO_MODELS)
class ModelsTest(unittest.TestCase):
    def path(self, name):
        return os.path.join(support.MODEL_DIR, name)

    def test_kinds(self):
        for name, kind in zip(support.MODEL_FILES, ModelKind):
            with Model.load(self.path(name)) as m:
                self.assertIs(m.kind, kind)
            self.assertTrue(m.closed)
            with self.assertRaises(FaceError) as cm:
                m.kind
            self.assertIs(cm.exception.code, Status.STATE)

    def test_from_bytes_equals_file(self):
        with open(self.path("face_landmark_68.fmdl"), "rb") as f:
            data = f.read()
        with Model.from_bytes(data) as a, Model.from_bytes(bytearray(data)) as b:
            self.assertEqual(a.kind, b.kind)
        with self.assertRaises(FaceError) as cm:
            Model.from_bytes(data[:-1])
        self.assertIs(cm.exception.code, Status.CORRUPT)

    def test_wrong_model_in_slot(self):
        m = Model.load(self.path("face_recognition.fmdl"))
        with self.assertRaises(FaceError) as cm:
            Engine(support.MODEL_DIR, landmarks=m)
        self.assertIs(cm.exception.code, Status.MODEL_MISMATCH)
        self.assertFalse(m.closed)  # still the caller's after a failure
        m.close()

    def test_engine_takes_models(self):
        rec = Model.load(self.path("face_recognition.fmdl"))
        with Engine(support.MODEL_DIR, recognition=rec) as e:
            self.assertTrue(rec.closed)  # owned by the engine now
            self.assertEqual(e.fingerprint(), ENGINE.fingerprint())

    def test_fingerprints(self):
        a = ENGINE.fingerprint(AlignMode.DLIB)
        b = ENGINE.fingerprint(AlignMode.FACEAPI)
        self.assertEqual(len(a), 16)
        self.assertNotEqual(a, b)
        with self.assertRaises(FaceError) as cm:
            ENGINE.fingerprint(3)
        self.assertIs(cm.exception.code, Status.INVALID_ARGUMENT)

    def test_threshold_for_fmr(self):
        # Stricter false match rates need smaller distances.
        t3, t4 = ENGINE.threshold_for_fmr(1e-3), ENGINE.threshold_for_fmr(1e-4)
        self.assertTrue(0.0 < t4 < t3 < 1.2)
        for bad in (0.0, 1.0, -1e-4, float("nan")):
            with self.assertRaises(FaceError) as cm:
                ENGINE.threshold_for_fmr(bad)
            self.assertIs(cm.exception.code, Status.INVALID_ARGUMENT)
        with self.assertRaises(FaceError) as cm:
            ENGINE.threshold_for_fmr(1e-12)  # below what the table measured
        self.assertIs(cm.exception.code, Status.LIMIT)


@unittest.skipUnless(support.HAVE_MODELS, support.WHY_NO_MODELS)
class ContextTest(unittest.TestCase):
    def setUp(self):
        self.ctx = ENGINE.context()

    def tearDown(self):
        self.ctx.close()

    def test_options(self):
        c = self.ctx
        self.assertEqual(c.threads, 1)
        self.assertEqual(c.max_faces, 1000)
        self.assertEqual(c.max_pixels, 40000000)
        self.assertEqual(c.max_file_bytes, 64 << 20)
        c.max_faces = 7
        self.assertEqual(c.get_option(Option.MAX_FACES), 7)
        with Context(ENGINE, threads=2, max_pixels=1000) as c2:
            self.assertEqual((c2.threads, c2.max_pixels), (2, 1000))

    def test_option_errors_carry_context_message(self):
        with self.assertRaises(FaceError) as cm:
            self.ctx.threads = 0
        e = cm.exception
        self.assertIs(e.code, Status.INVALID_ARGUMENT)
        self.assertIn("threads", e.message)
        self.assertEqual(e.message, self.ctx.last_error)
        with self.assertRaises(FaceError) as cm:
            self.ctx.set_option(99, 1)
        self.assertIn("unknown option", cm.exception.message)
        with self.assertRaises(FaceError) as cm:
            self.ctx.get_option(99)
        self.assertIs(cm.exception.code, Status.INVALID_ARGUMENT)
        for bad in (1.5, True, None, "2"):
            with self.assertRaises(TypeError):
                self.ctx.set_option(Option.THREADS, bad)
        with self.assertRaises(ValueError):
            self.ctx.set_option(Option.THREADS, 2 ** 64)
        with self.assertRaises(FaceError):
            Context(ENGINE, threads=1000)
        self.ctx.threads = 1
        self.assertEqual(self.ctx.last_error, "")

    def test_closed_context(self):
        ctx = ENGINE.context()
        ctx.close()
        ctx.close()  # idempotent
        self.assertTrue(ctx.closed)
        with self.assertRaises(FaceError) as cm:
            ctx.detect(np.zeros((64, 64, 3), np.uint8) if np is not None else
                       Image(bytes(64 * 64 * 3), 64, 64))
        self.assertIs(cm.exception.code, Status.STATE)
        with self.assertRaises(FaceError) as cm:
            ctx.threads
        self.assertIs(cm.exception.code, Status.STATE)

    def test_context_keeps_engine_alive(self):
        e = Engine(support.MODEL_DIR)
        ref = weakref.ref(e)
        ctx = e.context()
        del e
        gc.collect()
        self.assertIsNotNone(ref())
        self.assertEqual(ctx.detect(Image(bytes(64 * 64), 64, 64, PixelFormat.GRAY8)), [])
        del ctx
        gc.collect()
        self.assertIsNone(ref())

    def test_engine_close_closes_contexts(self):
        e = Engine(support.MODEL_DIR)
        a, b = e.context(), e.context()
        b.close()
        e.close()
        self.assertTrue(a.closed and e.closed)
        with self.assertRaises(FaceError) as cm:
            e.context()
        self.assertIs(cm.exception.code, Status.STATE)
        with self.assertRaises(FaceError) as cm:
            e.fingerprint()
        self.assertIs(cm.exception.code, Status.STATE)

    # ------------------------------------------------------------ decode
    def test_decode_all_buffer_kinds(self):
        w, h = 7, 5
        rgb = bytes((i * 29) % 256 for i in range(w * h * 3))
        data = png(w, h, rgb)
        kinds = [data, bytearray(data), memoryview(data), memoryview(bytearray(data))]
        if np is not None:
            kinds.append(np.frombuffer(data, np.uint8))
        for k in kinds:
            img = self.ctx.decode(k)
            self.assertEqual((img.width, img.height, img.format), (w, h, PixelFormat.RGB24))
            self.assertEqual(img.tobytes(), rgb, type(k).__name__)
            img.wipe()
            self.assertEqual(bytes(img.data), bytes(len(img.data)))

    def test_decode_errors(self):
        data = png(8, 8, bytes(8 * 8 * 3))
        with self.assertRaises(FaceError) as cm:
            self.ctx.decode(data[:40])
        self.assertIs(cm.exception.code, Status.CORRUPT)
        self.assertEqual(cm.exception.message, self.ctx.last_error)
        with self.assertRaises(FaceError) as cm:
            self.ctx.decode(b"not an image at all")
        self.assertIs(cm.exception.code, Status.CORRUPT)
        with self.assertRaises(FaceError) as cm:
            self.ctx.decode(b"")
        self.assertIs(cm.exception.code, Status.INVALID_ARGUMENT)
        for bad in (None, "png", 5):
            with self.assertRaises(TypeError):
                self.ctx.decode(bad)
        self.ctx.max_pixels = 63
        with self.assertRaises(FaceError) as cm:
            self.ctx.decode(data)
        self.assertIs(cm.exception.code, Status.LIMIT)
        self.ctx.max_pixels = 64
        self.ctx.decode(data)
        self.ctx.max_file_bytes = len(data) - 1
        with self.assertRaises(FaceError) as cm:
            self.ctx.decode(data)
        self.assertIs(cm.exception.code, Status.LIMIT)

    def test_load_image(self):
        w, h = 4, 3
        rgb = bytes(range(w * h * 3))
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "x.png")
            with open(p, "wb") as f:
                f.write(png(w, h, rgb))
            self.assertEqual(self.ctx.load_image(p).tobytes(), rgb)
            with self.assertRaises(FaceError) as cm:
                self.ctx.load_image(os.path.join(d, "missing.png"))
            self.assertIs(cm.exception.code, Status.IO)
            self.assertIn("missing.png", cm.exception.message)
            with self.assertRaises(FaceError) as cm:
                self.ctx.load_image(d)
            self.assertIs(cm.exception.code, Status.IO)
            open(os.path.join(d, "empty.png"), "wb").close()
            with self.assertRaises(FaceError) as cm:
                self.ctx.load_image(os.path.join(d, "empty.png"))
            self.assertIs(cm.exception.code, Status.CORRUPT)
        with self.assertRaises(TypeError):
            self.ctx.load_image(None)

    # ------------------------------------------------------------ detect
    def test_detect_blank(self):
        img = Image(bytes(128 * 96), 128, 96, PixelFormat.GRAY8)
        self.assertEqual(self.ctx.detect(img), [])
        self.assertEqual(self.ctx.detect(img, detector=Detector.SSD), [])

    def test_detect_bad_arguments(self):
        img = Image(bytes(64 * 64 * 3), 64, 64)
        for kw in ({"input_size": 100}, {"input_size": 2048}, {"score_threshold": 0.0},
                   {"score_threshold": 1.0}, {"nms_iou": 1.5}, {"detector": 7},
                   {"min_face_size": -1}, {"max_faces": -1}):
            with self.assertRaises(FaceError, msg=str(kw)) as cm:
                self.ctx.detect(img, **kw)
            self.assertIs(cm.exception.code, Status.INVALID_ARGUMENT, kw)
            self.assertTrue(cm.exception.message, kw)
        for bad in (None, b"\0" * 12, [[0]]):
            with self.assertRaises(TypeError):
                self.ctx.detect(bad)
        with self.assertRaises(TypeError):
            self.ctx.detect(img, options="fast")
        with self.assertRaises(TypeError):
            self.ctx.detect(img, bogus=1)
        self.ctx.max_pixels = 64 * 64 - 1
        with self.assertRaises(FaceError) as cm:
            self.ctx.detect(img)
        self.assertIs(cm.exception.code, Status.LIMIT)

    # ------------------------------------------------------------ landmarks/align/embed
    def test_landmarks_bad_box(self):
        img = Image(bytes(64 * 64 * 3), 64, 64)
        for box in ((0, 0, 0, 10), (0, 0, math.nan, 10), (0, 0, 10, -1)):
            with self.assertRaises(FaceError) as cm:
                self.ctx.landmarks(img, box)
            self.assertIs(cm.exception.code, Status.INVALID_ARGUMENT)
            self.assertIn("box", cm.exception.message)
        with self.assertRaises(ValueError):
            self.ctx.landmarks(img, (1, 2, 3))
        with self.assertRaises(TypeError):
            self.ctx.landmarks(img, None)
        lm = self.ctx.landmarks(img, Rect(8, 8, 40, 40))
        self.assertEqual(len(lm), 68)

    def test_align_and_embed_synthetic_chip(self):
        rgb = bytes((i * 31 + (i // 450) * 7) % 256 for i in range(150 * 150 * 3))
        img = Image(rgb, 150, 150)
        lm = synthetic_landmarks()
        chip = self.ctx.align_chip(img, lm)
        self.assertEqual(chip.size, 150)
        self.assertEqual(len(chip.tobytes()), Chip.NBYTES)
        t = self.ctx.embed_chip(chip)
        self.assertEqual(t.fingerprint, ENGINE.fingerprint(AlignMode.DLIB))
        self.assertEqual(t.flags & libface.FLAG_ALIGN_DLIB, libface.FLAG_ALIGN_DLIB)
        # bytes, a Chip rebuilt from them and embed() all agree
        self.assertEqual(self.ctx.embed_chip(chip.tobytes()), t)
        self.assertEqual(self.ctx.embed_chip(Chip.from_buffer(bytearray(chip.tobytes()))), t)
        self.assertEqual(self.ctx.embed(img, lm), t)
        flip = self.ctx.embed_chip(chip, flip_avg=True)
        self.assertTrue(flip.flags & libface.FLAG_FLIP_AVG)
        self.assertNotEqual(flip.values, t.values)
        with self.assertRaises(ValueError):
            self.ctx.embed_chip(bytes(100))
        with self.assertRaises(TypeError):
            self.ctx.embed_chip(None)
        chip.wipe()
        self.assertEqual(chip.tobytes(), bytes(Chip.NBYTES))
        with self.assertRaises(FaceError) as cm:  # a wiped chip has size 0
            self.ctx.embed_chip(chip)
        self.assertIs(cm.exception.code, Status.INVALID_ARGUMENT)

    def test_landmark_validation(self):
        img = Image(bytes(150 * 150 * 3), 150, 150)
        pts = list(synthetic_landmarks())
        with self.assertRaises(ValueError):
            self.ctx.align_chip(img, pts[:67])
        with self.assertRaises(TypeError):
            self.ctx.align_chip(img, None)
        bad = pts[:]
        bad[5] = (math.inf, 0.0)
        with self.assertRaises(FaceError) as cm:
            self.ctx.align_chip(img, bad)
        self.assertIs(cm.exception.code, Status.INVALID_ARGUMENT)
        with self.assertRaises(FaceError) as cm:
            self.ctx.embed(img, bad)
        self.assertIs(cm.exception.code, Status.INVALID_ARGUMENT)
        with self.assertRaises(FaceError) as cm:  # face-api mode needs the box
            self.ctx.embed(img, pts, align=AlignMode.FACEAPI)
        self.assertIs(cm.exception.code, Status.INVALID_ARGUMENT)
        with self.assertRaises(FaceError) as cm:
            self.ctx.embed(img, pts, align=9)
        self.assertIs(cm.exception.code, Status.INVALID_ARGUMENT)
        with self.assertRaises(FaceError) as cm:
            libface.align_faceapi_box(bad, (10, 10, 50, 50), 150, 150)
        self.assertIs(cm.exception.code, Status.INVALID_ARGUMENT)
        with self.assertRaises(ValueError):
            libface.align_faceapi_box(pts, (10, 10, 50, 50), 0, 150)
        with self.assertRaises(FaceError) as cm:
            self.ctx.embed_crop(img, (0, 0, 0, 0))
        self.assertIs(cm.exception.code, Status.INVALID_ARGUMENT)

    @unittest.skipUnless(support.HAVE_NUMPY, "numpy not installed")
    def test_numpy_chip_and_landmarks(self):
        rgb = (np.arange(150 * 150 * 3, dtype=np.uint32) * 13 % 256).astype(np.uint8) \
            .reshape(150, 150, 3)
        lm = synthetic_landmarks()
        a = self.ctx.align_chip(rgb, lm)
        b = self.ctx.align_chip(Image(rgb.tobytes(), 150, 150), lm.numpy())
        self.assertEqual(a.tobytes(), b.tobytes())
        self.assertEqual(a.numpy().tobytes(), a.tobytes())
        self.assertEqual(self.ctx.embed_chip(a.numpy()), self.ctx.embed_chip(a))
        with self.assertRaises(TypeError):
            Chip.from_buffer(a.numpy().astype(np.float32))
        with self.assertRaises(ValueError):
            Landmarks(np.zeros((67, 2)))


@unittest.skipUnless(support.HAVE_MODELS and support.HAVE_GOLDEN,
                     support.WHY_NO_MODELS if not support.HAVE_MODELS else support.WHY_NO_GOLDEN)
class PhotoTest(unittest.TestCase):
    """The pipeline on a real photo (golden/images/sample1.png)."""

    @classmethod
    def setUpClass(cls):
        cls.ctx = ENGINE.context()
        cls.img = cls.ctx.load_image(support.sample_png())
        cls.dets = cls.ctx.detect(cls.img)

    @classmethod
    def tearDownClass(cls):
        cls.ctx.close()

    def test_detections(self):
        self.assertGreaterEqual(len(self.dets), 1)
        scores = [d.score for d in self.dets]
        self.assertEqual(scores, sorted(scores, reverse=True))
        for d in self.dets:
            self.assertTrue(0.5 <= d.score < 1.0)
            self.assertGreater(d.box.width, 20)

    def test_file_and_bytes_decode_agree(self):
        with open(support.sample_png(), "rb") as f:
            img = self.ctx.decode(f.read())
        self.assertEqual(img.tobytes(), self.img.tobytes())

    def test_detect_capacity_retry(self):
        self.assertGreaterEqual(len(self.dets), 2)
        ctx = ENGINE.context()
        ctx._detect_capacity = 1
        self.assertEqual(ctx.detect(self.img), self.dets)
        ctx.max_faces = 1
        self.assertEqual(ctx.detect(self.img), self.dets[:1])
        self.assertEqual(self.ctx.detect(self.img, max_faces=1), self.dets[:1])
        ctx.close()

    def test_bgr_and_bgra_inputs_agree(self):
        rgb = self.img.tobytes()
        bgr = bytearray(rgb)
        bgr[0::3], bgr[2::3] = rgb[2::3], rgb[0::3]
        img = Image(bgr, self.img.width, self.img.height, PixelFormat.BGR24)
        self.assertEqual(self.ctx.detect(img), self.dets)
        bgra = bytearray(len(rgb) // 3 * 4)
        bgra[0::4], bgra[1::4], bgra[2::4] = rgb[2::3], rgb[1::3], rgb[0::3]
        img = Image(bgra, self.img.width, self.img.height, PixelFormat.BGRA32)
        self.assertEqual(self.ctx.detect(img), self.dets)

    @unittest.skipUnless(support.HAVE_NUMPY, "numpy not installed")
    def test_numpy_and_bytes_identical(self):
        arr = self.img.numpy()
        self.assertEqual(arr.shape, (self.img.height, self.img.width, 3))
        frozen = Image(self.img.tobytes(), self.img.width, self.img.height)  # bytes
        crop = np.ascontiguousarray(arr[100:1100, 300:1500])  # a view of part of the photo
        view = arr[100:1100, 300:1500]
        self.assertEqual(self.ctx.detect(arr), self.ctx.detect(frozen))
        self.assertEqual(self.ctx.detect(view), self.ctx.detect(crop))
        det = self.dets[0]
        lm_np = self.ctx.landmarks(arr, det)
        lm_b = self.ctx.landmarks(frozen, det)
        self.assertEqual(lm_np, lm_b)
        self.assertEqual(self.ctx.align_chip(arr, lm_np).tobytes(),
                         self.ctx.align_chip(frozen, lm_b).tobytes())
        self.assertEqual(self.ctx.embed(arr, lm_np), self.ctx.embed(frozen, lm_b))
        box = self.ctx.faceapi_box(arr, lm_np, det)
        self.assertEqual(self.ctx.embed_crop(arr, box), self.ctx.embed_crop(frozen, box))

    def test_pipeline_consistency(self):
        det = self.dets[0]
        lm = self.ctx.landmarks(self.img, det)
        chip = self.ctx.align_chip(self.img, lm)
        t = self.ctx.embed(self.img, lm)
        self.assertEqual(self.ctx.embed_chip(chip), t)
        box = self.ctx.faceapi_box(self.img, lm, det)
        self.assertEqual(box, libface.align_faceapi_box(lm, det.box, self.img.width,
                                                        self.img.height))
        self.assertTrue(all(v == int(v) for v in box))  # face-api's integer crop
        fa = self.ctx.embed(self.img, lm, det, align=AlignMode.FACEAPI)
        self.assertEqual(self.ctx.embed_crop(self.img, box), fa)
        self.assertEqual(fa.fingerprint, ENGINE.fingerprint(AlignMode.FACEAPI))
        # Templates of two alignments are not comparable.
        with self.assertRaises(FaceError) as cm:
            t.compare(fa)
        self.assertIs(cm.exception.code, Status.MODEL_MISMATCH)
        # Byte form of a real template.
        self.assertEqual(Template.parse(t.serialize()), t)
        # Different people are farther apart than the same face re-embedded.
        other = self.ctx.embed(self.img, self.ctx.landmarks(self.img, self.dets[1]))
        self.assertGreater(t.distance(other), 0.3)
        self.assertLess(t.distance(self.ctx.embed(self.img, lm, flip_avg=True)), 0.3)

    def test_faces(self):
        faces = self.ctx.faces(self.img)
        self.assertEqual([f.detection for f in faces], self.dets)
        f = faces[0]
        self.assertEqual(f.landmarks, self.ctx.landmarks(self.img, f.detection))
        self.assertEqual(f.template, self.ctx.embed(self.img, f.landmarks))

    def test_threads_give_same_answer(self):
        with ENGINE.context(threads=2) as c2:
            self.assertEqual(c2.detect(self.img), self.dets)

    def test_golden_descriptor(self):
        """face-api's descriptor of its own descriptorCrop, to 1e-4 (L2)."""
        g = support.golden()["images"][0]
        self.assertTrue(g["file"].endswith("sample1.png"))
        face = g["detectors"]["tinyFaceDetector"]["faces"][0]
        c = face["descriptorCrop"]
        t = self.ctx.embed_crop(self.img, (c["x"], c["y"], c["width"], c["height"]))
        self.assertLess(l2(t.values, face["descriptor"]), 1e-4)

    def test_golden_detection_and_landmarks(self):
        g = support.golden()["images"][0]["detectors"]["tinyFaceDetector"]
        dets = self.ctx.detect(self.img, input_size=g["params"]["inputSize"],
                               score_threshold=g["params"]["scoreThreshold"], single_pass=True)
        self.assertEqual(len(dets), len(g["faces"]))
        for d, want in zip(dets, g["faces"]):
            b = want["box"]
            self.assertGreaterEqual(iou(d.box, (b["x"], b["y"], b["width"], b["height"])), 0.99)
            lm = self.ctx.landmarks(self.img, d)
            worst = max(math.hypot(p.x - q[0], p.y - q[1])
                        for p, q in zip(lm, want["landmarks"]))
            self.assertLess(worst, 0.5)


if __name__ == "__main__":
    unittest.main()
