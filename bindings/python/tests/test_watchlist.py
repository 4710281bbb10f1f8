"""The sealed watchlist through the binding: keys, entries, search, files,
audit log, and the error codes of each."""
import ctypes
import ctypes.util
import os
import shutil
import tempfile
import threading
import time
import unittest

import support
from support import fingerprint, template
import libface
from libface import FaceError, Key, Status, Storage, Watchlist

FP = fingerprint(9)
# Cheapest Argon2id the library accepts: the tests check plumbing, not cost.
FAST = dict(opslimit=1, memlimit=8192)


def vec(seed):
    return [((i * (seed * 2 + 3)) % 97) / 97.0 - 0.5 for i in range(128)]


def tpl(seed, fp=FP):
    return template(vec(seed), fp=fp[0])


def sodium():
    name = ctypes.util.find_library("sodium")
    if not name:
        return None
    lib = ctypes.CDLL(name)
    lib.sodium_init.restype = ctypes.c_int
    lib.crypto_sign_keypair.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    lib.crypto_sign_keypair.restype = ctypes.c_int
    return lib if lib.sodium_init() >= 0 else None


@unittest.skipUnless(support.HAVE_WATCHLIST, "the loaded libface has no watchlist module")
class WatchlistTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="libface-py-")
        self.raw = os.urandom(32)
        self.key = Key.raw(self.raw, key_id=b"K" * 16)
        self.wl = Watchlist.create(self.key, FP)

    def tearDown(self):
        self.wl.close()
        self.key.wipe()
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name="wl.fwl"):
        return os.path.join(self.dir, name)

    # ------------------------------------------------------------ keys/create
    def test_key_errors(self):
        for bad, exc in ((None, TypeError), (b"short", ValueError), (bytes(33), ValueError),
                         ("x" * 32, TypeError)):
            with self.assertRaises(exc):
                Key.raw(bad)
        with self.assertRaises(ValueError):
            Key.raw(bytes(32), key_id=b"x")
        with self.assertRaises(TypeError):
            Key.passphrase(None)
        with self.assertRaises(ValueError):
            Key.passphrase("pw", opslimit=-1)
        with Key.passphrase("", **FAST) as empty:
            with self.assertRaises(FaceError) as cm:
                Watchlist.create(empty, FP)
            self.assertIs(cm.exception.code, Status.INVALID_ARGUMENT)
        with Key.passphrase("pw", opslimit=11) as costly:
            with self.assertRaises(FaceError) as cm:
                Watchlist.create(costly, FP)
            self.assertIs(cm.exception.code, Status.LIMIT)
        k = Key.raw(bytes(32))
        k.wipe()
        with self.assertRaises(FaceError) as cm:
            Watchlist.create(k, FP)
        self.assertIs(cm.exception.code, Status.STATE)

    def test_create_errors(self):
        with self.assertRaises(TypeError):
            Watchlist.create(self.raw, FP)  # a raw bytes key needs Key.raw
        with self.assertRaises(TypeError):
            Watchlist.create(self.key, None)
        with self.assertRaises(ValueError):
            Watchlist.create(self.key, bytes(15))
        with self.assertRaises(ValueError):
            Watchlist.create(self.key, FP, storage=3)

    def test_info(self):
        self.assertEqual(self.wl.info(), (FP, Storage.FLOAT32))
        with Watchlist.create(self.key, FP, storage=Storage.INT8) as w8:
            self.assertIs(w8.storage, Storage.INT8)
            self.assertEqual(w8.fingerprint, FP)

    # ------------------------------------------------------------ entries
    def test_enroll_get_list_remove(self):
        wl = self.wl
        wl.enroll("alice", [tpl(1), tpl(2)], label="Alice Ä")
        wl.enroll(b"\x00bob", tpl(3), expires_at=4000000000)
        self.assertEqual(wl.count(), (2, 3))
        self.assertEqual(len(wl), 2)
        e = wl.get("alice")
        self.assertEqual((e.id, e.label, e.template_count, e.expires_at),
                         (b"alice", "Alice Ä", 2, 0))
        self.assertLessEqual(abs(e.created_at - time.time()), 60)
        entry, ts = wl.get(b"alice", templates=True)
        self.assertEqual(entry, e)
        self.assertEqual([t.values for t in ts], [tpl(1).values, tpl(2).values])
        self.assertEqual(ts[0].fingerprint, FP)
        self.assertEqual({x.id for x in wl.list()}, {b"alice", b"\x00bob"})
        self.assertEqual(len(wl.list(offset=1)), 1)
        self.assertEqual(wl.list(offset=5), [])
        self.assertEqual(len(wl.list(limit=1)), 1)
        self.assertEqual([x.id for x in wl], [x.id for x in wl.list()])
        self.assertIn("alice", wl)
        self.assertNotIn("carol", wl)
        wl.remove(bytearray(b"alice"))
        self.assertEqual(wl.count(), (1, 1))
        with self.assertRaises(FaceError) as cm:
            wl.get("alice")
        self.assertIs(cm.exception.code, Status.NOT_FOUND)
        with self.assertRaises(FaceError) as cm:
            wl.remove("alice")
        self.assertIs(cm.exception.code, Status.NOT_FOUND)

    def test_list_pages(self):
        for i in range(300):
            self.wl.enroll("id%03d" % i, tpl(i % 7))
        ids = [e.id for e in self.wl.list()]
        self.assertEqual(len(ids), 300)
        self.assertEqual(len(set(ids)), 300)
        self.assertEqual([e.id for e in self.wl.list(250, 100)], ids[250:])

    def test_enroll_errors(self):
        wl = self.wl
        wl.enroll("a", tpl(1))
        cases = [
            (("a", tpl(2)), Status.EXISTS),
            (("b", tpl(1, fingerprint(1))), Status.MODEL_MISMATCH),
            (("x" * 65, tpl(1)), Status.LIMIT),
            (("c", []), Status.INVALID_ARGUMENT),
            (("d", [tpl(1)] * 65), Status.LIMIT),
        ]
        for args, code in cases:
            with self.assertRaises(FaceError, msg=str(code)) as cm:
                wl.enroll(*args)
            self.assertIs(cm.exception.code, code)
        with self.assertRaises(FaceError) as cm:
            wl.enroll("e", tpl(1), label="L" * 256)
        self.assertIs(cm.exception.code, Status.LIMIT)
        wl.enroll("e", tpl(1), label="L" * 255)
        for args, exc in ((("", tpl(1)), ValueError), ((None, tpl(1)), TypeError),
                          (("f", None), TypeError), (("f", [tpl(1), "x"]), TypeError),
                          (("f", tpl(1).values), TypeError)):
            with self.assertRaises(exc):
                wl.enroll(*args)
        with self.assertRaises(ValueError):
            wl.enroll("f", tpl(1), expires_at=-1)
        with self.assertRaises(ValueError):
            wl.enroll("f", tpl(1), label="a\0b")
        with self.assertRaises(TypeError):
            wl.enroll("f", tpl(1), label=b"bytes")
        self.assertEqual(wl.count(), (2, 2))  # nothing half-enrolled

    def test_purge_expired(self):
        self.wl.enroll("old", tpl(1), expires_at=1000)
        self.wl.enroll("new", tpl(2), expires_at=3000)
        self.wl.enroll("forever", tpl(3))
        self.assertEqual(self.wl.purge_expired(now=999), 0)
        self.assertEqual(self.wl.purge_expired(now=2000), 1)
        self.assertEqual(self.wl.purge_expired(), 1)  # wall clock is past 3000
        self.assertEqual([e.id for e in self.wl.list()], [b"forever"])
        with self.assertRaises(ValueError):
            self.wl.purge_expired(now=-5)

    # ------------------------------------------------------------ search
    def test_search_known_answers(self):
        wl = self.wl
        people = {"p%d" % i: [tpl(i), tpl(i + 10)] for i in range(5)}
        for pid, ts in people.items():
            wl.enroll(pid, ts)
        probe = tpl(3)
        res = wl.search(probe, k=3)
        self.assertEqual(len(res), 3)
        self.assertEqual((res[0].id, res[0].template_index), (b"p3", 0))
        self.assertEqual(res[0].distance, 0.0)
        # Each result is its identity's closest template, closest first.
        for m in res:
            want = min(probe.distance(t) for t in people[m.id.decode()])
            self.assertAlmostEqual(m.distance, want, places=5)
        self.assertEqual([m.distance for m in res], sorted(m.distance for m in res))
        # A threshold between the first and second result keeps one.
        thr = (res[0].distance + res[1].distance) / 2
        self.assertEqual(wl.search(probe, k=3, threshold=thr), res[:1])
        self.assertEqual(wl.search(probe, k=1000), wl.search(probe, k=5))
        batch = wl.search_batch([tpl(1), tpl(4), tpl(12)], k=2)
        self.assertEqual(batch, [wl.search(p, k=2) for p in (tpl(1), tpl(4), tpl(12))])
        self.assertEqual(wl.search(probe, k=2, threads=2), res[:2])

    def test_search_errors(self):
        self.wl.enroll("a", tpl(1))
        with self.assertRaises(FaceError) as cm:
            self.wl.search(tpl(1, fingerprint(1)))
        self.assertIs(cm.exception.code, Status.MODEL_MISMATCH)
        with self.assertRaises(FaceError) as cm:
            self.wl.search(tpl(1), threads=0)
        self.assertIs(cm.exception.code, Status.INVALID_ARGUMENT)
        for kw, exc in (({"k": 0}, ValueError), ({"k": 1025}, ValueError),
                        ({"k": 1.0}, TypeError), ({"threshold": -1}, ValueError),
                        ({"threshold": float("nan")}, ValueError), ({"now": -1}, ValueError)):
            with self.assertRaises(exc, msg=str(kw)):
                self.wl.search(tpl(1), **kw)
        with self.assertRaises(TypeError):
            self.wl.search(None)
        with self.assertRaises(TypeError):
            self.wl.search(tpl(1).serialize())
        with self.assertRaises(ValueError):
            self.wl.search_batch([])
        with self.assertRaises(FaceError) as cm:
            self.wl.search_batch([tpl(1), tpl(1, fingerprint(2))])
        self.assertIs(cm.exception.code, Status.MODEL_MISMATCH)
        empty = Watchlist.create(self.key, FP)
        self.assertEqual(empty.search(tpl(1)), [])
        empty.close()

    def test_expired_entries_are_not_found(self):
        self.wl.enroll("a", tpl(1), expires_at=1000)
        self.assertEqual(self.wl.search(tpl(1), now=999)[0].id, b"a")
        self.assertEqual(self.wl.search(tpl(1), now=1000), [])

    # ------------------------------------------------------------ files
    def test_save_open_peek(self):
        self.wl.enroll("alice", [tpl(1), tpl(2)], label="Alice")
        with self.assertRaises(FaceError) as cm:
            self.wl.save()  # never saved: no path yet
        self.assertIs(cm.exception.code, Status.STATE)
        self.wl.save(self.path())
        self.wl.save()  # now it has one
        info = Watchlist.peek(self.path())
        self.assertEqual((info.key_kind, info.storage, info.key_id, info.fingerprint,
                          info.entry_count, info.template_count),
                         (libface.KeyKind.RAW, Storage.FLOAT32, b"K" * 16, FP, 1, 2))
        with Watchlist.open(self.path(), Key.raw(self.raw)) as w2:
            self.assertEqual(w2.list(), self.wl.list())
            self.assertEqual(w2.search(tpl(2)), self.wl.search(tpl(2)))
        with Watchlist.open(self.path(), Key.raw(self.raw), fingerprint=FP) as w3:
            self.assertEqual(len(w3), 1)
        with self.assertRaises(FaceError) as cm:
            Watchlist.open(self.path(), Key.raw(self.raw), fingerprint=fingerprint(1))
        self.assertIs(cm.exception.code, Status.MODEL_MISMATCH)

    def test_passphrase_key(self):
        with Key.passphrase("correct horse", **FAST) as k:
            wl = Watchlist.create(k, FP)
        wl.enroll("a", tpl(1))
        wl.save(self.path())
        wl.close()
        info = Watchlist.peek(self.path())
        self.assertEqual((info.key_kind, info.opslimit, info.memlimit),
                         (libface.KeyKind.PASSPHRASE, 1, 8192))
        with Watchlist.open(self.path(), Key.passphrase(b"correct horse")) as w:
            self.assertEqual(w.count(), (1, 1))
        with self.assertRaises(FaceError) as cm:
            Watchlist.open(self.path(), Key.passphrase("wrong horse"))
        self.assertIs(cm.exception.code, Status.AUTH)

    def test_open_errors(self):
        self.wl.enroll("a", tpl(1))
        self.wl.save(self.path())
        with open(self.path(), "rb") as f:
            good = f.read()
        with self.assertRaises(FaceError) as cm:
            Watchlist.open(self.path(), Key.raw(bytes(32)))
        self.assertIs(cm.exception.code, Status.AUTH)
        for i in (len(good) - 1, len(good) // 2):
            bad = bytearray(good)
            bad[i] ^= 1
            with open(self.path("bad.fwl"), "wb") as f:
                f.write(bad)
            with self.assertRaises(FaceError) as cm:
                Watchlist.open(self.path("bad.fwl"), Key.raw(self.raw))
            self.assertIs(cm.exception.code, Status.AUTH, i)
        with open(self.path("short.fwl"), "wb") as f:
            f.write(good[:-10])
        with self.assertRaises(FaceError) as cm:
            Watchlist.open(self.path("short.fwl"), Key.raw(self.raw))
        self.assertIs(cm.exception.code, Status.AUTH)
        with open(self.path("junk.fwl"), "wb") as f:
            f.write(b"this is not a watchlist" * 10)
        for call in (lambda: Watchlist.open(self.path("junk.fwl"), Key.raw(self.raw)),
                     lambda: Watchlist.peek(self.path("junk.fwl"))):
            with self.assertRaises(FaceError) as cm:
                call()
            self.assertIs(cm.exception.code, Status.CORRUPT)
        for call in (lambda: Watchlist.open(self.path("none.fwl"), Key.raw(self.raw)),
                     lambda: Watchlist.peek(self.path("none.fwl"))):
            with self.assertRaises(FaceError) as cm:
                call()
            self.assertIs(cm.exception.code, Status.IO)
        with self.assertRaises(TypeError):
            Watchlist.open(None, self.key)
        with self.assertRaises(TypeError):
            Watchlist.peek(None)

    def test_close_and_destroy(self):
        self.wl.enroll("a", tpl(1))
        self.wl.save(self.path())
        wl = Watchlist.open(self.path(), self.key)
        wl.destroy()
        self.assertFalse(os.path.exists(self.path()))
        self.assertTrue(wl.closed)
        with self.assertRaises(FaceError) as cm:
            wl.destroy()
        self.assertIs(cm.exception.code, Status.STATE)
        for call in (lambda: wl.search(tpl(1)), lambda: wl.enroll("b", tpl(1)), wl.count,
                     lambda: wl.save(self.path())):
            with self.assertRaises(FaceError) as cm:
                call()
            self.assertIs(cm.exception.code, Status.STATE)
        wl.close()  # no-op

    def test_close_waits_for_searches(self):
        for i in range(50):
            self.wl.enroll("p%d" % i, tpl(i))
        errors, done = [], []

        def worker():
            try:
                while True:
                    self.wl.search(tpl(3), k=5)
                    done.append(1)
            except FaceError as e:
                if e.code != Status.STATE:
                    errors.append(e)
            except Exception as e:  # pragma: no cover
                errors.append(e)
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        while len(done) < 50:
            time.sleep(0.001)
        self.wl.close()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])

    # ------------------------------------------------------------ audit
    def test_audit(self):
        with self.assertRaises(FaceError) as cm:
            self.wl.audit_alert("a", "cam 1")
        self.assertIs(cm.exception.code, Status.STATE)
        log = self.path("audit.log")
        wl = Watchlist.create(self.key, FP, audit_path=log)
        wl.enroll("a", tpl(1))
        wl.audit_alert("a", "camera 7, operator 12")
        wl.save(self.path())
        rep = wl.audit_verify()
        self.assertEqual((rep.first_bad, rep.signed), (0, False))
        self.assertGreaterEqual(rep.records, 4)  # create, enroll, alert, save
        self.assertEqual(wl.audit_verify(log), rep)
        with open(log, "rb") as f:
            text = f.read()
        self.assertIn(b"camera 7".hex().encode(), text)  # detail is hex-encoded
        with self.assertRaises(ValueError):
            wl.audit_alert("a", "x\0y")
        with self.assertRaises(FaceError) as cm:
            wl.audit_alert("a", "d" * 256)
        self.assertIs(cm.exception.code, Status.LIMIT)
        wl.close()
        lines = text.splitlines(keepends=True)
        with open(self.path("cut.log"), "wb") as f:
            # Drop the alert and the save: the log now ends before the head
            # sealed in the file.
            f.write(b"".join(lines[:-2]))
        with Watchlist.open(self.path(), self.key) as w2:
            with self.assertRaises(FaceError) as cm:
                w2.audit_verify(self.path("cut.log"))
            self.assertIs(cm.exception.code, Status.AUTH)

    def test_audit_summary(self):
        with self.assertRaises(FaceError) as cm:
            self.wl.audit_summary("frames=1")
        self.assertIs(cm.exception.code, Status.STATE)
        log = self.path("summary.log")
        with Watchlist.create(self.key, FP, audit_path=log) as wl:
            wl.audit_summary("frames=10 faces=3")
            wl.audit_summary("s" * 512)
            for bad, code in (("", Status.INVALID_ARGUMENT), ("a\nb", Status.INVALID_ARGUMENT),
                              ("caf\u00e9", Status.INVALID_ARGUMENT),
                              ("s" * 513, Status.LIMIT)):
                with self.assertRaises(FaceError) as cm:
                    wl.audit_summary(bad)
                self.assertIs(cm.exception.code, code, bad)
            with self.assertRaises(ValueError):
                wl.audit_summary("x\0y")
            with self.assertRaises(TypeError):
                wl.audit_summary(b"bytes")
            self.assertEqual(wl.audit_verify().records, 3)  # create + 2 summaries
            with open(log, "rb") as f:
                text = f.read()
            self.assertIn(b" summary - " + b"frames=10".hex().encode(), text)
            # Tampering with the summary's text breaks the chain.
            lines = text.splitlines(keepends=True)
            fields = lines[1].split(b" ")
            fields[4] = b"frames=99 faces=3".hex().encode()
            with open(self.path("edited.log"), "wb") as f:
                f.write(lines[0] + b" ".join(fields) + b"".join(lines[2:]))
            with self.assertRaises(FaceError) as cm:
                wl.audit_verify(self.path("edited.log"))
            self.assertIs(cm.exception.code, Status.AUTH)

    def test_signed_audit(self):
        na = sodium()
        if na is None:
            self.skipTest("libsodium not loadable")
        pk, sk = (ctypes.c_uint8 * 32)(), (ctypes.c_uint8 * 64)()
        self.assertEqual(na.crypto_sign_keypair(pk, sk), 0)
        log = self.path("signed.log")
        with Watchlist.create(self.key, FP, audit_path=log, audit_sign_key=bytes(sk)) as wl:
            wl.enroll("a", tpl(1))
            rep = wl.audit_verify(public_key=bytes(pk))
            self.assertTrue(rep.signed)
        rep2 = libface.audit_verify_signed(log, bytes(pk))
        self.assertEqual(rep2.records, rep.records)
        other = (ctypes.c_uint8 * 32)()
        na.crypto_sign_keypair(other, (ctypes.c_uint8 * 64)())
        with self.assertRaises(FaceError) as cm:
            libface.audit_verify_signed(log, bytes(other))
        self.assertIs(cm.exception.code, Status.AUTH)
        with self.assertRaises(ValueError):
            libface.audit_verify_signed(log, bytes(31))
        with self.assertRaises(ValueError):
            Watchlist.create(self.key, FP, audit_path=log, audit_sign_key=bytes(32))


@unittest.skipUnless(support.HAVE_WATCHLIST and support.HAVE_MODELS and support.HAVE_GOLDEN,
                     "needs the watchlist, the engine, models and ../shared")
class WatchlistPhotoTest(unittest.TestCase):
    def test_enroll_and_find_faces_of_a_photo(self):
        with libface.Engine(support.MODEL_DIR) as engine, engine.context() as ctx:
            img = ctx.load_image(support.sample_png())
            faces = ctx.faces(img)
            self.assertGreaterEqual(len(faces), 2)
            with Key.raw(os.urandom(32)) as key, \
                    Watchlist.create(key, engine.fingerprint()) as wl:
                for i, f in enumerate(faces):
                    wl.enroll("face%d" % i, f.template, label="face %d" % i)
                for i, f in enumerate(faces):
                    probe = ctx.embed(img, f.landmarks, flip_avg=True)
                    best = wl.search(probe, k=2)
                    self.assertEqual(best[0].id, b"face%d" % i)
                    self.assertLess(best[0].distance, 0.3)
                    self.assertGreater(best[1].distance, best[0].distance)
                # A template of the other alignment belongs to another model.
                fa = ctx.embed(img, faces[0].landmarks, faces[0].detection,
                               align=libface.AlignMode.FACEAPI)
                with self.assertRaises(FaceError) as cm:
                    wl.search(fa)
                self.assertIs(cm.exception.code, Status.MODEL_MISMATCH)


if __name__ == "__main__":
    unittest.main()
