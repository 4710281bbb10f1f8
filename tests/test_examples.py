"""The examples are built and run, so they never rot; and the demo's alerts
are checked against examples/demo_labels.txt.

    python3 test_examples.py demo|c|python

Environment: FACE_EXAMPLES_DIR (built examples), FACE_MODEL_DIR (with demo/),
FACE_SOURCE_DIR, LIBFACE_LIBRARY (for the Python examples). Exit 77 without
models.
"""
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_cli import DEMO, MODELS, SOURCE, have_models, labels, make_crops  # noqa: E402

BIN = os.environ.get("FACE_EXAMPLES_DIR", ".")
PY = sys.executable


def run(args, env=None):
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run(args, capture_output=True, text=True, env=e, timeout=600)
    return p.returncode, p.stdout, p.stderr


def label_at(faces, image, x, y, w, h):
    """The label whose centre lies in the box, nearest the box centre."""
    best = None
    for img, cx, cy, person in faces:
        if img != image or not (x <= cx <= x + w and y <= cy <= y + h):
            continue
        d = (cx - x - w / 2) ** 2 + (cy - y - h / 2) ** 2
        if best is None or d < best[0]:
            best = (d, person)
    return best[1] if best else None


class Demo(unittest.TestCase):
    def test_demo_alerts_match_labels(self):
        photos = [os.path.join(DEMO, f"sample{i}.jpg") for i in range(1, 7)]
        rc, out, err = run([os.path.join(BIN, "face_demo"), MODELS, *photos])
        print(out)
        self.assertEqual(rc, 0, err)
        (person, enroll_image), faces = labels()
        self.assertIn(f"enrolled {person} from {enroll_image}", out)
        alerts = re.findall(r"ALERT (\S+) box (-?\d+),(-?\d+) (\d+)x(\d+): watchlist entry \"(\w+)\"",
                            out)
        # Checked here independently of the demo's own verdict: each alert
        # is a face labelled with the watchlisted person...
        for image, x, y, w, h, entry in alerts:
            who = label_at(faces, image, *map(float, (x, y, w, h)))
            self.assertEqual(who, person, f"alert on {image} box {x},{y} {w}x{h}")
            self.assertEqual(entry, person)
        # ... and every face of that person outside the enrollment photo
        # alerted exactly once.
        expected = sorted(img for img, _, _, p in faces if p == person and img != enroll_image)
        self.assertEqual(sorted(a[0] for a in alerts), expected)
        self.assertGreaterEqual(len(expected), 1)
        searched = sum(int(n) for n in re.findall(r"^sample\d\.jpg: (\d+) faces searched", out,
                                                  re.M))
        self.assertGreater(searched, 10)  # the others were searched, and stayed silent
        self.assertIn("as expected", out)


class Crops(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmpdir = tempfile.TemporaryDirectory()
        cls.tmp = cls.tmpdir.name
        cls.crops = make_crops(cls.tmp)
        cls.a1, cls.a3 = sorted(cls.crops["A"])
        cls.other = cls.crops["P06"][0]  # the person closest to A

    @classmethod
    def tearDownClass(cls):
        cls.tmpdir.cleanup()


class CExamples(Crops):
    def ex(self, name, *args):
        return run([os.path.join(BIN, f"example_{name}"), *args])

    def test_usage(self):
        for name in ["annotate", "verify", "watchlist", "stream"]:
            if os.path.exists(os.path.join(BIN, f"example_{name}")):
                self.assertEqual(self.ex(name)[0], 2, name)

    def test_verify(self):
        rc, out, err = self.ex("verify", MODELS, self.a1, self.a3)
        self.assertEqual(rc, 0, err)
        self.assertIn("same person", out)
        rc, out, _ = self.ex("verify", MODELS, self.a1, self.crops["P01"][0])
        self.assertEqual(rc, 1)
        rc, out, err = self.ex("verify", MODELS, self.a1, os.path.join(self.tmp, "none.png"))
        self.assertEqual(rc, 3)

    def test_annotate(self):
        ppm = os.path.join(self.tmp, "a.ppm")
        rc, out, err = self.ex("annotate", MODELS, self.a1, ppm)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(re.findall(r"^face \d+:", out, re.M)), 1)
        with open(ppm, "rb") as f:
            self.assertEqual(f.read(15), b"P6\n400 400\n255\n")
        self.assertEqual(os.path.getsize(ppm), 15 + 400 * 400 * 3)

    def test_watchlist(self):
        rc, out, err = self.ex("watchlist", MODELS, self.a1, "0", self.a3, self.other,
                               self.crops["P01"][0])
        self.assertEqual(rc, 0, err)
        alerts = re.findall(r"^ALERT (\S+) face", out, re.M)
        self.assertEqual(alerts, [self.a3])
        rc, out, _ = self.ex("watchlist", MODELS, self.a1, "0", self.other)
        self.assertEqual(rc, 1)
        rc, out, _ = self.ex("watchlist", MODELS, self.a1, "5", self.a3)
        self.assertEqual(rc, 3)  # there is no face 5

    def test_stream(self):
        if not os.path.exists(os.path.join(BIN, "example_stream")):
            self.skipTest("stream example not built")
        rc, out, err = self.ex("stream", MODELS, self.a1, "0", self.other, self.a3,
                               self.crops["P01"][0])
        self.assertEqual(rc, 0, err)
        # 25 frames of A, one track: one alert, through the callback and the poll.
        self.assertEqual(re.findall(r"^ALERT (\S+) track", out, re.M), [self.a3])
        self.assertEqual(len(re.findall(r"callback: camera 7", out)), 1)
        m = re.search(r"counters: frames=(\d+) .* alerts=(\d+)", out)
        self.assertEqual((int(m.group(1)), int(m.group(2))), (75, 1))


class PythonExamples(Crops):
    def py(self, name, *args):
        env = {"PYTHONPATH": os.path.join(SOURCE, "bindings", "python"),
               "PYTHONDONTWRITEBYTECODE": "1"}
        return run([PY, os.path.join(SOURCE, "examples", "python", name), *args], env=env)

    def test_verify(self):
        rc, out, err = self.py("verify.py", MODELS, self.a1, self.a3)
        self.assertEqual(rc, 0, err)
        self.assertIn("same person", out)
        rc, out, err = self.py("verify.py", MODELS, self.a1, self.crops["P01"][0])
        self.assertEqual(rc, 1, err)
        self.assertEqual(self.py("verify.py")[0], 2)

    def test_watchlist(self):
        rc, out, err = self.py("watchlist.py", MODELS, self.a1, "0", self.a3, self.other)
        self.assertEqual(rc, 0, err)
        self.assertEqual(re.findall(r"^ALERT (\S+) face", out, re.M), [self.a3])
        self.assertEqual(self.py("watchlist.py", MODELS, self.a1, "0", self.other)[0], 1)


def main():
    if not have_models():
        print("SKIP: needs FACE_MODEL_DIR with demo/ photos", file=sys.stderr)
        return 77
    which = {"demo": [Demo], "c": [CExamples], "python": [PythonExamples]}[sys.argv[1]]
    suite = unittest.TestSuite(unittest.defaultTestLoader.loadTestsFromTestCase(c) for c in which)
    return 0 if unittest.TextTestRunner(verbosity=2).run(suite).wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
