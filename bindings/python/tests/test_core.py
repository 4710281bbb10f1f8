"""Loading, version and size checks, status codes, library lookup, and that
the declarations follow the public headers."""
import ctypes
import ctypes.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

import support
import libface
from libface import _lib
from libface.errors import FaceError, Status, check

REPO_INCLUDE = os.path.join(os.path.dirname(support._PKG_ROOT), "..", "include", "face")
REPO_INCLUDE = os.path.normpath(REPO_INCLUDE)

# Public calls the binding deliberately leaves out, with the reason.
NOT_BOUND = {
    # Python code cannot usefully supply a C allocator; every allocator
    # parameter is passed as NULL (the default).
}


class VersionTest(unittest.TestCase):
    def test_versions(self):
        self.assertEqual(libface.abi_version(), libface.ABI_VERSION)
        self.assertRegex(libface.version(), r"^\d+\.\d+\.\d+$")
        major, minor, patch = (int(x) for x in libface.version().split("."))
        self.assertEqual(libface.version_number(), major * 10000 + minor * 100 + patch)
        self.assertTrue(libface.library_path())

    def test_isa(self):
        libface.init()
        self.assertIn(libface.active_isa(), ("ref", "avx2", "avx512", "neon"))
        self.assertTrue(libface.isa_supported("ref"))
        self.assertTrue(libface.isa_supported(libface.active_isa()))
        with self.assertRaises(ValueError):
            libface.isa_supported("sse9")

    def test_core_groups_present(self):
        self.assertTrue(libface.has_module("core"))
        self.assertTrue(libface.has_module("template"))


class StatusTest(unittest.TestCase):
    def test_status_values_match_header(self):
        path = os.path.join(REPO_INCLUDE, "status.h")
        if not os.path.isfile(path):
            self.skipTest("headers not available")
        with open(path) as f:
            text = f.read()
        body = re.search(r"typedef enum face_status \{(.*?)\} face_status;", text, re.S).group(1)
        codes = dict((m.group(1), int(m.group(2)))
                     for m in re.finditer(r"FACE_(?:ERR_)?([A-Z_]+) = (\d+)", body))
        for name, value in codes.items():
            self.assertEqual(Status[name], value, name)
        self.assertEqual(len(Status), len(codes))

    def test_strerror(self):
        texts = set()
        for s in Status:
            t = libface.strerror(s)
            self.assertTrue(t)
            texts.add(t)
        self.assertEqual(len(texts), len(Status))  # distinct per code
        self.assertEqual(libface.strerror(9999), "unknown error")
        self.assertEqual(libface.strerror(-1), "unknown error")

    def test_face_error(self):
        e = FaceError(5, "face_x(): detail", "face_x")
        self.assertIs(e.code, Status.CORRUPT)
        self.assertEqual(e.message, "face_x(): detail")
        self.assertIn("CORRUPT", str(e))
        self.assertEqual(str(e).count("face_x"), 1)
        unknown = FaceError(77, "future")
        self.assertEqual(unknown.code, 77)
        self.assertNotIsInstance(unknown.code, Status)

    def test_check(self):
        check(0, "f")
        for s in Status:
            if s == Status.OK:
                continue
            with self.assertRaises(FaceError) as cm:
                check(int(s), "face_f")
            self.assertIs(cm.exception.code, s)
            self.assertEqual(cm.exception.message, libface.strerror(s))
            self.assertEqual(cm.exception.function, "face_f")


class DeclarationTest(unittest.TestCase):
    def test_every_present_function_is_declared(self):
        lib = _lib.load()
        for group, decls in _lib._DECLS.items():
            if not libface.has_module(group):
                continue
            for name, (restype, argtypes) in decls.items():
                fn = getattr(lib, name)
                self.assertEqual(fn.restype, restype, name)
                self.assertEqual(list(fn.argtypes), list(argtypes), name)

    def test_binding_calls_only_declared_functions(self):
        pkg = os.path.dirname(libface.__file__)
        used = set()
        for fname in os.listdir(pkg):
            if fname.endswith(".py"):
                with open(os.path.join(pkg, fname)) as f:
                    used |= set(re.findall(r"\"(face_[a-z0-9_]+)\"", f.read()))
        declared = set(_lib._GROUP_OF)
        # quoted C struct field names ("face_size") are not calls
        from libface import _structs
        used -= {f[0] for c in vars(_structs).values()
                 if isinstance(c, type) and issubclass(c, ctypes.Structure)
                 for f in c._fields_}
        # strings naming C functions in messages are declared ones too
        self.assertFalse(used - declared, "called but not declared: %s" % (used - declared))

    def test_declarations_follow_headers(self):
        """Every FACE_API function of the public headers is declared with
        the header's number of parameters (or listed in NOT_BOUND)."""
        if not os.path.isdir(REPO_INCLUDE):
            self.skipTest("headers not available (installed package)")
        protos = {}
        for fname in sorted(os.listdir(REPO_INCLUDE)):
            if not fname.endswith(".h"):
                continue
            with open(os.path.join(REPO_INCLUDE, fname)) as f:
                text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
            for m in re.finditer(r"FACE_API\s+[^;(]*?\b(face_\w+)\s*\(([^;]*?)\)\s*;", text):
                params = m.group(2).strip()
                n = 0 if params in ("", "void") else params.count(",") + 1
                protos[m.group(1)] = n
        self.assertIn("face_compare", protos)
        for name, nparams in protos.items():
            if name in NOT_BOUND:
                continue
            self.assertTrue(name in _lib._GROUP_OF, "%s is in the headers but not bound" % name)
            group = _lib._GROUP_OF[name]
            self.assertEqual(len(_lib._DECLS[group][name][1]), nparams, name)
        for name in _lib._GROUP_OF:
            self.assertTrue(name in protos, "%s is declared but not in the headers" % name)


class LoadChecksTest(unittest.TestCase):
    def test_sizes_match_getters(self):
        lib = _lib.load()
        for getter, struct in _lib._SIZE_CHECKS.items():
            if libface.has_module(_lib._GROUP_OF[getter]):
                self.assertEqual(getattr(lib, getter)(), ctypes.sizeof(struct), getter)

    def test_size_mismatch_refuses_to_load(self):
        class Bogus(ctypes.Structure):
            _fields_ = [("x", ctypes.c_uint8 * 3)]
        lib = _lib.load()
        checks = dict(_lib._SIZE_CHECKS, face_template_sizeof=Bogus)
        with mock.patch.object(_lib, "_SIZE_CHECKS", checks):
            with self.assertRaisesRegex(ImportError, "face_template_sizeof"):
                _lib._verify(lib, "lib", _lib._state.groups)

    def test_value_mismatch_refuses_to_load(self):
        lib = _lib.load()
        with mock.patch.object(_lib, "_VALUE_CHECKS", {"face_template_dim": 64}):
            with self.assertRaisesRegex(ImportError, "face_template_dim"):
                _lib._verify(lib, "lib", _lib._state.groups)

    def test_abi_mismatch_refuses_to_load(self):
        lib = _lib.load()
        with mock.patch.object(_lib, "ABI_VERSION", libface.ABI_VERSION + 1):
            with self.assertRaisesRegex(ImportError, "ABI"):
                _lib._verify(lib, "lib", _lib._state.groups)

    def test_partial_module_refuses_to_load(self):
        real = _lib.load()

        class Partial:
            pass
        fake = Partial()
        for name in list(_lib._DECLS["core"]) + ["face_template_dim"]:
            setattr(fake, name, getattr(real, name))
        with self.assertRaisesRegex(ImportError, "part of the libface template"):
            _lib._declare(fake, "fake")

    def test_missing_required_module_refuses_to_load(self):
        class Empty:
            pass
        with self.assertRaisesRegex(ImportError, "core"):
            _lib._declare(Empty(), "fake")

    def test_absent_module_raises_unavailable(self):
        stand_in = _lib._Unavailable("face_engine_create", "engine")
        with self.assertRaises(libface.UnavailableError):
            stand_in()
        with mock.patch.object(_lib._state, "groups", {"core", "template"}):
            with self.assertRaises(libface.UnavailableError):
                _lib.fn("face_engine_create")(None, None)


def _run(code, env):
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)


class LookupTest(unittest.TestCase):
    """The lookup order: LIBFACE_LIBRARY, next to the package, the loader."""

    def setUp(self):
        self.lib = os.path.realpath(_lib.library_path())
        if not os.path.isfile(self.lib):
            self.skipTest("the library was loaded by name, not by path")

    def test_env_var_is_used_and_does_not_fall_back(self):
        env = dict(os.environ, PYTHONPATH=support._PKG_ROOT,
                   LIBFACE_LIBRARY="/nonexistent/libface.so")
        r = _run("import libface", env)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ImportError", r.stderr)
        self.assertIn("/nonexistent/libface.so", r.stderr)

    def test_env_var_pointing_at_another_library(self):
        # A real shared object that is not libface.
        libc = ctypes.util.find_library("c")
        if not libc:
            self.skipTest("no libc name")
        env = dict(os.environ, PYTHONPATH=support._PKG_ROOT, LIBFACE_LIBRARY=libc)
        r = _run("import libface", env)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not a libface library", r.stderr)

    def test_library_next_to_package(self):
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(os.path.dirname(libface.__file__), os.path.join(tmp, "libface"),
                            ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copy(self.lib, os.path.join(tmp, "libface", "libface.so.1"))
            env = {k: v for k, v in os.environ.items() if k != "LIBFACE_LIBRARY"}
            env["PYTHONPATH"] = tmp
            r = _run("import libface; print(libface.library_path()); print(libface.__file__)",
                     env)
            self.assertEqual(r.returncode, 0, r.stderr)
            lines = r.stdout.split()
            self.assertEqual(lines[0], os.path.join(tmp, "libface", "libface.so.1"))
            self.assertTrue(lines[1].startswith(tmp))

    def test_system_loader_is_last(self):
        env = {k: v for k, v in os.environ.items() if k != "LIBFACE_LIBRARY"}
        with mock.patch.dict(os.environ, env, clear=True):
            cands, explicit = _lib._candidates()
        self.assertFalse(explicit)
        self.assertIn("libface.so.%d" % libface.ABI_VERSION, cands)
        pkg = os.path.dirname(libface.__file__)
        local = [c for c in cands if c.startswith(pkg)]
        self.assertEqual(cands[:len(local)], local)
        with mock.patch.dict(os.environ, {"LIBFACE_LIBRARY": "/x/libface.so"}):
            self.assertEqual(_lib._candidates(), (["/x/libface.so"], True))


if __name__ == "__main__":
    unittest.main()
