"""Live streams through the binding: options, quality estimates, counters
formatting, deployments, and a real run on the people photos (one alert
per Obama track, none for Biden), with the callback and poll paths and the
error codes of each call."""
import math
import os
import tempfile
import unittest

import support
import libface
from libface import FaceError, Image, Key, PixelFormat, Status, Watchlist
from libface import stream as lfs

HAVE_STREAM = libface.has_module("stream")
PEOPLE = os.path.join(support.SHARED_DIR, "data", "people")
PAIR = os.path.join(PEOPLE, "probes", "obama_and_biden.jpg")
HAVE_PEOPLE = bool(support.SHARED_DIR) and os.path.isfile(PAIR)


def synth_landmarks(yaw_deg=0.0, px=60.0):
    """68 points of a crude 3-D face turned by yaw (the same model as
    tests/test_stream.c); unused points sit at the centre."""
    p3 = [(0.0, 0.0, 0.0)] * 68
    p3[0], p3[16] = (-1.0, 0.1, 0.0), (1.0, 0.1, 0.0)
    for i in range(36, 42):
        p3[i] = (-0.45 + 0.1 * ((i - 36) % 3 - 1), 0.0, 0.6)
    for i in range(42, 48):
        p3[i] = (0.45 + 0.1 * ((i - 42) % 3 - 1), 0.0, 0.6)
    p3[30] = (0.0, 0.534 * 0.9, 1.0)
    p3[48], p3[54] = (-0.4, 0.9, 0.6), (0.4, 0.9, 0.6)
    y = math.radians(yaw_deg)
    pts = []
    for x0, y0, z0 in p3:
        x1 = x0 * math.cos(y) + z0 * math.sin(y)
        pts.append((500 + px * x1, 400 + px * y0))
    return libface.Landmarks(pts)


@unittest.skipUnless(HAVE_STREAM, "the loaded libface has no stream module")
class NoEngineTest(unittest.TestCase):
    def test_defaults(self):
        d = lfs.default_options()
        self.assertEqual(d["min_face_size"], 80)
        self.assertEqual(d["flags"], libface.STREAM_AUDIT_ALERTS)
        self.assertEqual(d["queue_capacity"], 64)
        self.assertEqual(d["detect_interval"], 5)
        self.assertEqual(d["full_min_face_size"], 0)
        self.assertAlmostEqual(d["local_scale"], 2.0)

    def test_quality(self):
        box = (440, 340, 120, 120)
        front = libface.quality_estimate(synth_landmarks(0), box)
        turned = libface.quality_estimate(synth_landmarks(30), box)
        self.assertLess(abs(front.yaw), 1.0)
        self.assertGreater(turned.yaw, 20.0)
        self.assertLess(turned.score, front.score)
        self.assertEqual(front.sharpness, -1.0)
        self.assertAlmostEqual(front.eye_distance, 54.0, places=3)
        flat = libface.Chip.from_buffer(bytes([128]) * libface.Chip.NBYTES)
        q = libface.quality_estimate(synth_landmarks(0), box, flat)
        self.assertAlmostEqual(q.sharpness, 0.0, places=3)
        self.assertEqual(q.score, 0.0)

    def test_quality_errors(self):
        with self.assertRaises(FaceError) as cm:
            libface.quality_estimate(synth_landmarks(0), (0, 0, 0, 10))
        self.assertEqual(cm.exception.code, Status.INVALID_ARGUMENT)
        pts = list(synth_landmarks(0))
        pts[30] = (float("nan"), 0.0)
        with self.assertRaises(FaceError):
            libface.quality_estimate(libface.Landmarks(pts), (0, 0, 10, 10))
        with self.assertRaises(TypeError):
            libface.quality_estimate(synth_landmarks(0), (0, 0, 10, 10), chip=b"x")
        with self.assertRaises(TypeError):
            libface.quality_estimate(synth_landmarks(0), None)

    def test_counters_summary(self):
        c = libface.Counters(1, 2, 3, 4, 5, 6, 7, 8)
        s = c.summary()
        self.assertEqual(s, "frames=1 faces=2 tracks=3 gated=4 searched=5 alerts=6 dropped=7 "
                            "untracked=8")
        big = libface.Counters(*([2 ** 64 - 1] * 8)).summary()
        self.assertLessEqual(len(big), 255)

    def test_deployment(self):
        with libface.Deployment() as d:
            self.assertEqual(d.counters(), libface.Counters(0, 0, 0, 0, 0, 0, 0, 0))
        self.assertTrue(d.closed)
        with self.assertRaises(FaceError) as cm:
            d.counters()
        self.assertEqual(cm.exception.code, Status.STATE)
        d.close()  # twice is fine

    @unittest.skipUnless(support.HAVE_WATCHLIST, "the loaded libface has no watchlist module")
    def test_deployment_report(self):
        with tempfile.TemporaryDirectory() as tmp:
            log = os.path.join(tmp, "audit.log")
            with Watchlist.create(Key.raw(bytes(32)), bytes(16), audit_path=log) as wl, \
                    libface.Deployment() as d:
                d.report(wl)
                self.assertEqual(wl.audit_verify().records, 2)  # create, summary
                with open(log, "rb") as f:
                    rec = f.read().splitlines()[1].split(b" ")
                self.assertEqual(rec[2:4], [b"summary", b"-"])
                self.assertEqual(bytes.fromhex(rec[4].decode()).decode(),
                                 "deployment frames=0 faces=0 tracks=0 gated=0 searched=0 "
                                 "alerts=0 dropped=0 untracked=0 full=0 local=0")
                with Watchlist.create(Key.raw(bytes(32)), bytes(16)) as nolog:
                    with self.assertRaises(FaceError) as cm:
                        d.report(nolog)
                    self.assertEqual(cm.exception.code, Status.STATE)
                with self.assertRaises(TypeError):
                    d.report(None)
            with self.assertRaises(FaceError) as cm:
                d.report(wl)
            self.assertEqual(cm.exception.code, Status.STATE)


@unittest.skipUnless(HAVE_STREAM and support.HAVE_MODELS and support.HAVE_WATCHLIST,
                     support.WHY_NO_MODELS)
class StreamTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.engine = libface.Engine(support.MODEL_DIR)
        cls.ctx = cls.engine.context()

    @classmethod
    def tearDownClass(cls):
        cls.ctx.close()
        cls.engine.close()

    def watchlist(self, enroll=True):
        wl = Watchlist.create(Key.raw(bytes(range(32))), self.engine.fingerprint())
        if enroll:
            tpls = []
            for f in ("obama.jpg", "obama2.jpg"):
                img = self.ctx.load_image(os.path.join(PEOPLE, "known", "obama", f))
                faces = self.ctx.faces(img, min_face_size=80)
                best = max(faces, key=lambda fc: fc.detection.box.width)
                tpls.append(best.template)
            wl.enroll(b"obama", tpls, label="Barack Obama")
        return wl

    def test_bad_arguments(self):
        with self.watchlist(enroll=False) as wl:
            with self.assertRaises(TypeError):
                libface.Stream(self.engine, wl, no_such_option=1)
            with self.assertRaises(TypeError):
                libface.Stream(None, wl)
            with self.assertRaises(TypeError):
                libface.Stream(self.engine, None)
            with self.assertRaises(TypeError):
                libface.Stream(self.engine, wl, on_alert=3)
            for bad in (dict(threads=0), dict(max_faces=0), dict(threshold=float("nan")),
                        dict(queue_capacity=0), dict(search_k=9), dict(flags=0x80)):
                with self.assertRaises(FaceError) as cm:
                    libface.Stream(self.engine, wl, **bad)
                self.assertEqual(cm.exception.code, Status.INVALID_ARGUMENT, bad)
            other = Watchlist.create(Key.raw(bytes(32)), bytes([7] * 16))
            with self.assertRaises(FaceError) as cm:
                libface.Stream(self.engine, other)
            self.assertEqual(cm.exception.code, Status.MODEL_MISMATCH)
            other.close()
            with libface.Stream(self.engine, wl, max_frame_pixels=64 * 64) as s:
                small = Image(bytes(64 * 64 * 3), 64, 64)
                s.push(small, 10)
                s.push(small, 10)  # time may stand still
                with self.assertRaises(FaceError) as cm:
                    s.push(small, 9)
                self.assertEqual(cm.exception.code, Status.INVALID_ARGUMENT)
                self.assertIn("timestamp", cm.exception.message)
                with self.assertRaises(FaceError) as cm:
                    s.push(Image(bytes(65 * 64 * 3), 65, 64), 11)
                self.assertEqual(cm.exception.code, Status.LIMIT)
                for fmt in PixelFormat:
                    bpp = libface.BYTES_PER_PIXEL[fmt]
                    s.push(Image(bytes(64 * 64 * bpp), 64, 64, fmt), 12)
                with self.assertRaises(TypeError):
                    s.push(None, 13)
                self.assertEqual(s.counters().frames, 2 + len(PixelFormat))
                self.assertIsNone(s.poll())
                self.assertEqual(s.live_tracks, 0)
                s.flush()
            with self.assertRaises(FaceError) as cm:
                s.push(small, 20)
            self.assertEqual(cm.exception.code, Status.STATE)
            s.close()

    @unittest.skipUnless(HAVE_PEOPLE, "no people photos under FACE_SHARED_DIR")
    def test_alert_once_per_track(self):
        pair = self.ctx.load_image(PAIR)
        np = support.np
        if np is None:
            self.skipTest("numpy not installed")
        src = pair.numpy()[::2, ::2]
        seen = []

        def on_alert(alert):
            seen.append((alert.track_id, alert.id))
            return len(seen) == 1  # queue the first only

        with self.watchlist() as wl, libface.Deployment() as dep:
            with libface.Stream(self.engine, wl, stream_id=5, max_missed=2, on_alert=on_alert,
                                deployment=dep) as s:
                canvas = np.full((800, 1280, 3), 90, dtype=np.uint8)
                ts = 0
                for rnd in range(2):
                    for i in range(4):
                        canvas[:] = 90
                        h, w = src.shape[:2]
                        canvas[40:40 + h, 100 + 6 * i:100 + 6 * i + w] = src[:, :1280 - 100 - 6 * i]
                        ts += 40000
                        s.push(canvas, ts)
                    canvas[:] = 90
                    for _ in range(4):
                        ts += 40000
                        s.push(canvas, ts)
                    self.assertEqual(s.live_tracks, 0)
                self.assertEqual(len(seen), 2)
                self.assertNotEqual(seen[0][0], seen[1][0])
                self.assertEqual({a for _, a in seen}, {b"obama"})
                alerts = s.alerts()
                self.assertEqual(len(alerts), 1)
                a = alerts[0]
                self.assertEqual(a.stream_id, 5)
                self.assertEqual(a.label, "Barack Obama")
                self.assertLessEqual(a.distance, lfs.default_options()["threshold"] + 1e-6)
                self.assertGreater(a.box.x, 600)  # Obama stands on the right
                self.assertEqual(len(a.chip.tobytes()), libface.Chip.NBYTES)
                self.assertTrue(any(a.chip.tobytes()))
                a.wipe()
                self.assertFalse(any(a.chip.tobytes()))
                c = s.counters()
                self.assertEqual(c.frames, 16)
                self.assertEqual(c.alerts, 2)
                self.assertEqual(dep.counters(), c)
                st = s.stats()
                self.assertEqual(st.frames, 16)
                self.assertGreater(st.detect_us, 0)
                self.assertGreaterEqual(st.total_us, st.detect_us + st.embed_us)

    @unittest.skipUnless(HAVE_PEOPLE, "no people photos under FACE_SHARED_DIR")
    def test_callback_exception_is_raised_by_push(self):
        pair = self.ctx.load_image(PAIR)

        def boom(alert):
            raise RuntimeError("reviewer crashed")

        with self.watchlist() as wl, libface.Stream(self.engine, wl, on_alert=boom) as s:
            with self.assertRaises(RuntimeError):
                s.push(pair, 1)
            self.assertEqual(s.counters().alerts, 1)
            self.assertEqual(s.alerts(), [])  # the callback returned 0: consumed

    def test_engine_close_closes_streams(self):
        eng = libface.Engine(support.MODEL_DIR)
        wl = Watchlist.create(Key.raw(bytes(32)), eng.fingerprint())
        s = libface.Stream(eng, wl)
        eng.close()
        self.assertTrue(s.closed)
        with self.assertRaises(FaceError) as cm:
            s.counters()
        self.assertEqual(cm.exception.code, Status.STATE)
        wl.close()


if __name__ == "__main__":
    unittest.main()
