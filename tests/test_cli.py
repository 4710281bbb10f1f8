"""Tests of the face command-line tool (tools/face_cli, docs/cli.md).

Every subcommand, its JSON lines and its exit codes, including a wrong key,
a wrong passphrase, a tampered and a truncated watchlist, and a tampered
audit log. Face images are cut out of the face-api demo photos with the
identities of examples/demo_labels.txt: person A appears in sample1.jpg and
sample3.jpg, everyone else differs from A.

    python3 test_cli.py quick     # no models needed
    python3 test_cli.py models    # needs FACE_MODEL_DIR with demo/; exit 77 without

Environment: FACE_CLI (the face binary), FACE_MODEL_DIR, FACE_SOURCE_DIR.
"""
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

CLI = os.environ.get("FACE_CLI", "face")
MODELS = os.environ.get("FACE_MODEL_DIR", "")
SOURCE = os.environ.get("FACE_SOURCE_DIR", os.path.join(os.path.dirname(__file__), ".."))
DEMO = os.path.join(MODELS, "demo")


def have_models():
    return (os.path.isfile(os.path.join(MODELS, "face_recognition.fmdl"))
            and os.path.isfile(os.path.join(DEMO, "sample3.jpg")))


def run(*args, env=None, stdin=None):
    e = dict(os.environ)
    e.pop("FACE_WATCHLIST_PASSPHRASE", None)
    e["FACE_MODEL_DIR"] = MODELS
    if env:
        e.update(env)
    p = subprocess.run([CLI, *args], input=stdin, capture_output=True, env=e, timeout=300)
    out = [json.loads(line) for line in p.stdout.decode().splitlines()]
    err = [json.loads(line) for line in p.stderr.decode().splitlines() if line.startswith("{")]
    return p.returncode, out, err


def labels():
    faces, watch = [], None
    with open(os.path.join(SOURCE, "examples", "demo_labels.txt")) as f:
        for line in f:
            w = line.split()
            if not w or w[0].startswith("#"):
                continue
            if w[0] == "watchlist":
                watch = (w[1], w[2])
            elif w[0] == "face":
                faces.append((w[1], float(w[2]), float(w[3]), w[4]))
    return watch, faces


def make_crops(directory):
    """One PNG per labelled face of the demo photos: {person: [paths]}."""
    from PIL import Image
    _, faces = labels()
    crops = {}
    for image, cx, cy, person in faces:
        im = Image.open(os.path.join(DEMO, image)).convert("RGB")
        # One face on a grey 800-px canvas (the tiny detector wants some
        # context around a face), halved to keep the tests fast. Only a
        # 360-px square around the labelled centre is copied, so no
        # neighbour's face comes along.
        canvas = Image.new("RGB", (800, 800), (128, 128, 128))
        x, y = int(cx), int(cy)
        canvas.paste(im.crop((x - 180, y - 180, x + 180, y + 180)), (220, 220))
        name = f"{image[:-4]}_{person}.png"
        canvas.resize((400, 400), Image.BILINEAR).save(os.path.join(directory, name))
        crops.setdefault(person, []).append(os.path.join(directory, name))
    return crops


class Quick(unittest.TestCase):
    """What works without models: arguments, keys, headers."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_help_and_version(self):
        rc, out, _ = run("version")
        self.assertEqual(rc, 0)
        self.assertEqual(out[0]["type"], "version")
        self.assertEqual(out[0]["abi"], 1)
        p = subprocess.run([CLI, "help"], capture_output=True)
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"Exit:", p.stdout)

    def test_usage_errors(self):
        for args in [(), ("frobnicate",), ("watchlist",), ("watchlist", "shred", "x"),
                     ("audit",), ("audit", "verify"), ("detect",), ("verify", "a.jpg"),
                     ("detect", "--bogus", "a.jpg"), ("detect", "--min-face", "-3", "a.jpg"),
                     ("detect", "--threshold", "0.5", "a.jpg"),  # option of another command
                     ("verify", "a", "b", "--threshold", "nan"),
                     ("scan", "wl", "--stdin"), ("keygen",), ("watchlist", "remove", "wl"),
                     ("watchlist", "enroll", "wl", "", "a.jpg")]:
            with self.subTest(args=args):
                rc, out, _ = run(*args)
                self.assertEqual(rc, 2)
                self.assertEqual(out, [])

    def test_passphrase_never_on_command_line(self):
        rc, _, err = run("watchlist", "list", "wl", "--passphrase", "secret")
        self.assertEqual(rc, 2)
        self.assertIn("--passphrase-file", err[0]["message"])
        rc, _, err = run("watchlist", "list", "wl", "--passphrase=secret")
        self.assertEqual(rc, 2)

    def test_no_key_given(self):
        rc, _, err = run("watchlist", "list", os.path.join(self.tmp, "wl"))
        self.assertEqual(rc, 2)
        rc, _, _ = run("watchlist", "list", "wl", "--passphrase-env", "FACE_TEST_UNSET_VAR")
        self.assertEqual(rc, 2)
        rc, _, _ = run("watchlist", "list", "wl", "--key-file", "a", "--passphrase-env", "B")
        self.assertEqual(rc, 2)

    def test_no_models(self):
        rc, _, err = run("detect", "x.jpg", env={"FACE_MODEL_DIR": ""})
        self.assertEqual(rc, 2)
        rc, _, err = run("detect", "--models", os.path.join(self.tmp, "none"), "x.jpg")
        self.assertNotEqual(rc, 0)
        self.assertEqual(err[0]["error"], "loading models")

    def test_keygen(self):
        k = os.path.join(self.tmp, "k.key")
        rc, out, _ = run("keygen", k)
        self.assertEqual(rc, 0)
        self.assertEqual(os.path.getsize(k), 32)
        self.assertEqual(stat.S_IMODE(os.stat(k).st_mode), 0o600)
        first = open(k, "rb").read()
        rc, _, _ = run("keygen", k)  # never overwrite a key
        self.assertEqual(rc, 7)
        self.assertEqual(open(k, "rb").read(), first)
        k2 = os.path.join(self.tmp, "k2.key")
        run("keygen", k2)
        self.assertNotEqual(open(k2, "rb").read(), first)
        sk, pk = os.path.join(self.tmp, "sk"), os.path.join(self.tmp, "pk")
        rc, out, _ = run("keygen", sk, pk)
        self.assertEqual(rc, 0)
        self.assertEqual((os.path.getsize(sk), os.path.getsize(pk)), (64, 32))

    def test_info_errors(self):
        rc, _, err = run("watchlist", "info", os.path.join(self.tmp, "missing"))
        self.assertEqual(rc, 3)
        self.assertEqual(err[0]["status"], "FACE_ERR_IO")
        junk = os.path.join(self.tmp, "junk")
        with open(junk, "wb") as f:
            f.write(b"not a watchlist" * 20)
        rc, _, err = run("watchlist", "info", junk)
        self.assertEqual(rc, 4)
        self.assertEqual(err[0]["status"], "FACE_ERR_CORRUPT")


@unittest.skipUnless(have_models(), "needs FACE_MODEL_DIR with demo photos")
class WithModels(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        from PIL import Image
        cls.tmp = tempfile.mkdtemp()
        cls.dir = os.path.join(cls.tmp, "faces")
        os.mkdir(cls.dir)
        cls.crops = make_crops(cls.dir)
        cls.a1, cls.a3 = sorted(cls.crops["A"])
        cls.blank = os.path.join(cls.tmp, "blank.png")
        Image.new("RGB", (320, 240), (128, 128, 128)).save(cls.blank)
        cls.corrupt = os.path.join(cls.tmp, "corrupt.jpg")
        with open(cls.corrupt, "wb") as f:
            f.write(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
        cls.key = os.path.join(cls.tmp, "k.key")
        run("keygen", cls.key)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def path(self, name):
        return os.path.join(self.tmp, f"{self._testMethodName}-{name}")

    def new_watchlist(self, *extra, key=None):
        wl = self.path("wl.fwl")
        keyargs = list(key) if key else ["--key-file", self.key]
        rc, out, err = run("watchlist", "create", wl, *keyargs, *extra)
        self.assertEqual(rc, 0, err)
        return wl, keyargs

    # ---------------------------------------------------------------- detect
    def test_detect_annotate(self):
        from PIL import Image
        png = self.path("a.png")
        photo = os.path.join(DEMO, "sample1.jpg")
        rc, out, err = run("detect", photo, "--landmarks", "--annotate", png)
        self.assertEqual(rc, 0, err)
        faces = [o for o in out if o["type"] == "face"]
        summary = out[-1]
        self.assertEqual(summary["type"], "image")
        self.assertEqual((summary["width"], summary["height"]), (1920, 1280))
        self.assertEqual(summary["faces"], len(faces))
        self.assertGreaterEqual(len(faces), 2)
        for f in faces:
            x, y, w, h = f["box"]
            self.assertTrue(0 < f["score"] < 1)
            self.assertEqual(len(f["landmarks"]), 68)
            inside = sum(x <= px <= x + w and y <= py <= y + h for px, py in f["landmarks"])
            self.assertGreater(inside, 50)
        self.assertFalse(os.path.exists(png + ".tmp"))
        im = Image.open(png)
        self.assertEqual((im.size, im.mode), ((1920, 1280), "RGB"))
        # Known colours where the tool drew: a landmark dot and a box edge.
        px, py = faces[0]["landmarks"][30]
        self.assertEqual(im.getpixel((round(px), round(py))), (32, 255, 64))
        x, y, w, h = faces[0]["box"]
        self.assertEqual(im.getpixel((int(x + w / 2), int(y))), (255, 32, 32))
        # Far from any face the pixels are the photo's.
        src = Image.open(photo).convert("RGB")
        self.assertEqual(im.getpixel((5, 1275)), src.getpixel((5, 1275)))

    def test_detect_errors(self):
        rc, _, err = run("detect", self.path("missing.jpg"))
        self.assertEqual(rc, 3)
        rc, _, err = run("detect", self.corrupt)
        self.assertEqual(rc, 4)
        self.assertEqual(err[0]["status"], "FACE_ERR_CORRUPT")
        rc, out, _ = run("detect", self.blank)
        self.assertEqual(rc, 1)
        self.assertEqual(out[-1]["faces"], 0)
        rc, _, _ = run("detect", self.blank, self.a1, "--annotate", self.path("x.png"))
        self.assertEqual(rc, 2)
        # One bad image among good ones: the good ones are reported, the
        # exit code is the error's.
        rc, out, _ = run("detect", self.a1, self.corrupt)
        self.assertEqual(rc, 4)
        self.assertEqual(out[-1]["faces"], 1)

    # ---------------------------------------------------------------- verify
    def test_verify(self):
        rc, out, _ = run("verify", self.a1, self.a3)
        self.assertEqual(rc, 0)
        self.assertTrue(out[0]["match"])
        self.assertLess(out[0]["distance"], 0.5)
        self.assertAlmostEqual(out[0]["similarity"], 1 - out[0]["distance"] / 1.2, places=4)
        for other in ["P01", "P05", "P10", "P16"]:
            with self.subTest(other=other):
                rc, out, _ = run("verify", self.a1, self.crops[other][0])
                self.assertEqual(rc, 1)
                self.assertFalse(out[0]["match"])
                self.assertGreater(out[0]["distance"], 0.6)
        rc, out, _ = run("verify", self.a1, self.a3, "--threshold", "0.2")
        self.assertEqual(rc, 1)
        rc, _, err = run("verify", self.a1, self.blank)
        self.assertEqual(rc, 1)
        self.assertEqual(err[0]["error"], "no face found")

    # ---------------------------------------------------------------- watchlist
    def test_watchlist_lifecycle(self):
        wl, key = self.new_watchlist()
        rc, out, _ = run("watchlist", "info", wl)
        self.assertEqual((rc, out[0]["entries"], out[0]["key"]), (0, 0, "raw"))
        rc, out, err = run("watchlist", "enroll", wl, "A", self.a1, "--label", "Person \"A\"", *key)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out[0], {**out[0], "type": "entry", "id": "A", "label": "Person \"A\"",
                                  "templates": 1, "expires_at": 0})
        rc, _, _ = run("watchlist", "enroll", wl, "A", self.a3, *key)
        self.assertEqual(rc, 7)
        group = os.path.join(DEMO, "sample1.jpg")
        rc, _, err = run("watchlist", "enroll", wl, "B", group, *key)
        self.assertEqual(rc, 2)  # several faces and no --face
        rc, _, _ = run("watchlist", "enroll", wl, "B", self.blank, *key)
        self.assertEqual(rc, 1)
        rc, out, _ = run("watchlist", "enroll", wl, "B", self.crops["P01"][0], self.crops["P01"][0],
                         *key)
        self.assertEqual((rc, out[0]["templates"]), (0, 2))
        rc, out, _ = run("watchlist", "list", wl, *key)
        self.assertEqual(sorted(o["id"] for o in out), ["A", "B"])
        rc, out, _ = run("watchlist", "info", wl)
        self.assertEqual((out[0]["entries"], out[0]["templates"]), (2, 3))

        # Scan every labelled face: alerts exactly for person A and P01 (B).
        rc, out, err = run("scan", wl, self.dir, *key)
        self.assertEqual(rc, 0, err)
        alerts = sorted((os.path.basename(o["source"]), o["id"]) for o in out if o["type"] == "alert")
        self.assertEqual(alerts, [("sample1_A.png", "A"), ("sample1_P01.png", "B"),
                                  ("sample3_A.png", "A")])
        summary = out[-1]
        self.assertEqual(summary["type"], "summary")
        self.assertEqual(summary["frames"], sum(len(v) for v in self.crops.values()))
        self.assertEqual(summary["alerts"], 3)
        # Faces that matched nothing leave no line of their own.
        self.assertEqual(len([o for o in out if o["type"] == "alert"]), 3)
        rc, out, _ = run("search", wl, self.crops["P06"][0], self.crops["P10"][0], *key)
        self.assertEqual(rc, 1)
        self.assertEqual(out[-1]["alerts"], 0)

        rc, out, _ = run("watchlist", "remove", wl, "A", *key)
        self.assertEqual((rc, out[0]["id"]), (0, "A"))
        rc, _, _ = run("watchlist", "remove", wl, "A", *key)
        self.assertEqual(rc, 1)
        rc, out, _ = run("scan", wl, self.a3, *key)
        self.assertEqual(rc, 1)
        rc, out, _ = run("watchlist", "destroy", wl, *key)
        self.assertEqual(rc, 0)
        self.assertFalse(os.path.exists(wl))
        rc, _, _ = run("watchlist", "list", wl, *key)
        self.assertEqual(rc, 3)

    def test_create_refuses_existing(self):
        wl, key = self.new_watchlist()
        rc, _, _ = run("watchlist", "create", wl, *key)
        self.assertEqual(rc, 7)

    def test_wrong_key_and_corruption(self):
        wl, key = self.new_watchlist()
        self.assertEqual(run("watchlist", "enroll", wl, "A", self.a1, *key)[0], 0)
        other = self.path("other.key")
        run("keygen", other)
        rc, out, err = run("watchlist", "list", wl, "--key-file", other)
        self.assertEqual(rc, 4)
        self.assertEqual(err[0]["status"], "FACE_ERR_AUTH")
        self.assertEqual(out, [])
        rc, _, _ = run("scan", wl, self.a3, "--key-file", other)
        self.assertEqual(rc, 4)
        # The key as 64 hex digits and a newline opens it too.
        hexkey = self.path("hex.key")
        with open(hexkey, "w") as f:
            f.write(open(self.key, "rb").read().hex() + "\n")
        self.assertEqual(run("watchlist", "list", wl, "--key-file", hexkey)[0], 0)
        short = self.path("short.key")
        with open(short, "wb") as f:
            f.write(b"0123")
        self.assertEqual(run("watchlist", "list", wl, "--key-file", short)[0], 2)

        data = open(wl, "rb").read()
        for name, bad in [("flip", data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 1])
                           + data[len(data) // 2 + 1:]),
                          ("truncated", data[:-7]),
                          ("appended", data + b"x")]:
            with self.subTest(name):
                p = self.path(name)
                with open(p, "wb") as f:
                    f.write(bad)
                rc, out, err = run("watchlist", "list", p, *key)
                self.assertEqual(rc, 4)
                self.assertIn(err[0]["status"], ("FACE_ERR_AUTH", "FACE_ERR_CORRUPT"))
                rc, out, _ = run("scan", p, self.a3, *key)
                self.assertEqual(rc, 4)
                self.assertEqual(out, [])

    def test_passphrase(self):
        env = {"WL_PASS": "correct horse battery staple"}
        wl = self.path("wl.fwl")
        cheap = ["--kdf-ops", "1", "--kdf-mem", "8192"]
        rc, _, err = run("watchlist", "create", wl, "--passphrase-env", "WL_PASS", *cheap, env=env)
        self.assertEqual(rc, 0, err)
        rc, out, _ = run("watchlist", "info", wl)
        self.assertEqual(out[0]["key"], "passphrase")
        rc, _, _ = run("watchlist", "enroll", wl, "A", self.a1, "--passphrase-env", "WL_PASS",
                       env=env)
        self.assertEqual(rc, 0)
        pf = self.path("pass.txt")
        with open(pf, "w") as f:
            f.write(env["WL_PASS"] + "\n")
        rc, out, _ = run("watchlist", "list", wl, "--passphrase-file", pf)
        self.assertEqual((rc, len(out)), (0, 1))
        rc, _, _ = run("watchlist", "list", wl,
                       env={"FACE_WATCHLIST_PASSPHRASE": env["WL_PASS"]})
        self.assertEqual(rc, 0)
        rc, _, err = run("watchlist", "list", wl, "--passphrase-env", "WL_PASS",
                         env={"WL_PASS": "correct horse battery stapler"})
        self.assertEqual(rc, 4)
        self.assertEqual(err[0]["status"], "FACE_ERR_AUTH")
        rc, _, _ = run("watchlist", "list", wl, "--passphrase-env", "WL_PASS", env={"WL_PASS": ""})
        self.assertEqual(rc, 2)

    def test_purge(self):
        wl, key = self.new_watchlist()
        run("watchlist", "enroll", wl, "old", self.a1, "--expires", "1000", *key)
        run("watchlist", "enroll", wl, "new", self.crops["P01"][0], *key)
        # Expired entries are not searched even before a purge.
        rc, out, _ = run("scan", wl, self.a3, "--now", "2000", *key)
        self.assertEqual(rc, 1)
        rc, out, _ = run("watchlist", "purge", wl, "--now", "999", *key)
        self.assertEqual(out[0]["removed"], 0)
        rc, out, _ = run("watchlist", "purge", wl, "--now", "2000", *key)
        self.assertEqual((rc, out[0]["removed"]), (0, 1))
        rc, out, _ = run("watchlist", "list", wl, *key)
        self.assertEqual([o["id"] for o in out], ["new"])

    def test_int8(self):
        wl, key = self.new_watchlist("--int8")
        rc, out, _ = run("watchlist", "info", wl)
        self.assertEqual(out[0]["storage"], "int8")
        run("watchlist", "enroll", wl, "A", self.a1, *key)
        rc, out, _ = run("scan", wl, self.a3, self.crops["P06"][0], *key)
        self.assertEqual(rc, 0)
        self.assertEqual([o["id"] for o in out if o["type"] == "alert"], ["A"])

    # ---------------------------------------------------------------- audit
    def test_audit(self):
        log = self.path("audit.log")
        wl, key = self.new_watchlist("--audit", log)
        run("watchlist", "enroll", wl, "A", self.a1, "--audit", log, *key)
        rc, out, _ = run("scan", wl, self.a3, "--audit", log, "--camera", "cam-7", *key)
        self.assertEqual(rc, 0)
        text = open(log).read()
        self.assertIn("cam-7 sample3_A.png face 0".encode().hex(), text)  # detail, hex
        # No biometric data in the log: no template bytes, only ids and text.
        self.assertLess(len(text), 4000)
        rc, out, err = run("audit", "verify", log, "--watchlist", wl, *key)
        self.assertEqual(rc, 0, err)
        self.assertTrue(out[0]["ok"])
        records = out[0]["records"]
        self.assertGreaterEqual(records, 4)  # create, save, open, enroll, save, open, alert
        lines = text.splitlines(keepends=True)
        i = next(n for n, line in enumerate(lines) if " enroll " in line)
        tampered = "".join(lines[:i] + [lines[i].replace("enroll", "remove")]
                           + lines[i + 1:])
        self.assertNotEqual(tampered, text)
        with open(log, "w") as f:
            f.write(tampered)
        rc, out, err = run("audit", "verify", log, "--watchlist", wl, *key)
        self.assertEqual(rc, 4)
        self.assertFalse(out[0]["ok"])
        self.assertEqual(out[0]["first_bad"], i + 1)
        rc, _, _ = run("audit", "verify", log, "--watchlist", wl, "--key-file",
                       self.path("nokey"))
        self.assertEqual(rc, 3)

    def test_audit_signed(self):
        sk, pk = self.path("sk"), self.path("pk")
        run("keygen", sk, pk)
        log = self.path("audit.log")
        wl, key = self.new_watchlist("--audit", log, "--sign-key", sk)
        run("watchlist", "enroll", wl, "A", self.a1, "--audit", log, "--sign-key", sk, *key)
        rc, out, err = run("audit", "verify", log, "--public-key", pk)
        self.assertEqual(rc, 0, err)
        self.assertTrue(out[0]["signed"])
        sk2, pk2 = self.path("sk2"), self.path("pk2")
        run("keygen", sk2, pk2)
        rc, out, _ = run("audit", "verify", log, "--public-key", pk2)
        self.assertEqual(rc, 4)

    # ---------------------------------------------------------------- stdin
    def test_scan_stdin(self):
        from PIL import Image
        wl, key = self.new_watchlist()
        run("watchlist", "enroll", wl, "A", self.a1, *key)
        im = Image.open(self.a3).convert("RGB")
        w, h = im.size
        frames = im.tobytes() + Image.open(self.crops["P06"][0]).convert("RGB").tobytes()
        frames += im.tobytes()
        rc, out, err = run("scan", wl, "--stdin", "--width", str(w), "--height", str(h),
                           "--format", "rgb24", *key, stdin=frames)
        self.assertEqual(rc, 0, err)
        self.assertEqual([o["source"] for o in out if o["type"] == "alert"],
                         ["stdin:0", "stdin:2"])
        self.assertEqual(out[-1]["frames"], 3)
        bgr = Image.merge("RGB", im.split()[::-1]).tobytes()
        rc, out, _ = run("scan", wl, "--stdin", "--width", str(w), "--height", str(h),
                         "--format", "bgr24", *key, stdin=bgr)
        self.assertEqual((rc, out[-1]["alerts"]), (0, 1))
        rc, out, err = run("scan", wl, "--stdin", "--width", str(w), "--height", str(h),
                           "--format", "rgb24", *key, stdin=im.tobytes() + b"\0" * 100)
        self.assertEqual(rc, 3)
        self.assertEqual(out[-1]["frames"], 1)
        self.assertEqual(err[-1]["error"], "truncated frame")


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    if which == "models" and not have_models():
        print("SKIP: needs FACE_MODEL_DIR with demo/ photos", file=sys.stderr)
        return 77
    classes = {"quick": [Quick], "models": [WithModels], "all": [Quick, WithModels]}[which]
    suite = unittest.TestSuite(unittest.defaultTestLoader.loadTestsFromTestCase(c) for c in classes)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
