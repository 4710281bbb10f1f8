"""The sealed watchlist: enrolled identities, 1:N search, audit log."""
import contextlib
import ctypes
import dataclasses
import enum
import math
import os
import threading

from . import _lib
from . import _structs as S
from ._buffers import borrow
from .errors import FaceError, Status, check, state_error
from .template import Template
from ._closeable import Closeable

ID_MAX = S.WATCHLIST_ID_MAX
LABEL_MAX = S.WATCHLIST_LABEL_MAX
KEY_BYTES = S.WATCHLIST_KEY_BYTES
KEY_ID_BYTES = S.WATCHLIST_KEY_ID_BYTES
AUDIT_PUBLIC_KEY_BYTES = S.AUDIT_PUBLIC_KEY_BYTES
AUDIT_SECRET_KEY_BYTES = S.AUDIT_SECRET_KEY_BYTES
MAX_K = 1024
MAX_BATCH = 1024

# Structures the library fills without a size getter get this much spare
# room, and the struct_size it writes back must equal ours.
_SPARE = 256


class Storage(enum.IntEnum):
    FLOAT32 = 1  #: exact distances
    INT8 = 2     #: 4x smaller, approximate distances


class KeyKind(enum.IntEnum):
    RAW = 1
    PASSPHRASE = 2


class AuditEvent(enum.IntEnum):
    CREATE = 1
    OPEN = 2
    SAVE = 3
    ENROLL = 4
    REMOVE = 5
    ALERT = 6
    PURGE = 7
    DESTROY = 8


@dataclasses.dataclass(frozen=True)
class Entry:
    """An identity's metadata (no biometric data)."""
    id: bytes
    label: str
    created_at: int
    expires_at: int
    template_count: int


@dataclasses.dataclass(frozen=True)
class Match:
    """One search result: an identity and its closest template's distance."""
    id: bytes
    distance: float
    template_index: int


@dataclasses.dataclass(frozen=True)
class FileInfo:
    """A sealed file's clear header (face_watchlist_peek); unauthenticated."""
    format_version: int
    key_kind: int
    storage: int
    opslimit: int
    memlimit: int
    key_id: bytes
    fingerprint: bytes
    entry_count: int
    template_count: int


@dataclasses.dataclass(frozen=True)
class AuditReport:
    records: int
    first_bad: int
    signed: bool


def _id(value, what="id"):
    """An identity: bytes-like, or str (UTF-8)."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    if value is None:
        raise TypeError("%s must be bytes or str, not None" % what)
    try:
        b = bytes(memoryview(value).cast("B"))
    except TypeError:
        raise TypeError("%s must be bytes or str, not %s" % (what, type(value).__name__)) from None
    if not b:
        raise ValueError("%s must not be empty" % what)
    return b


def _fixed(value, n, what):
    if value is None:
        return None
    with borrow(value, what) as (addr, size):
        if size != n:
            raise ValueError("%s has %d bytes, needs %d" % (what, size, n))
        buf = (ctypes.c_uint8 * n)()
        ctypes.memmove(buf, addr, n)
    return buf


def _opt_path(p, what):
    if p is None:
        return None
    try:
        return os.fsencode(p)
    except TypeError:
        raise TypeError("%s must be a path, not %s" % (what, type(p).__name__)) from None


def _int64(v, what, lo=0):
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError("%s must be an int" % what)
    if not lo <= v < 2 ** 63:
        raise ValueError("%s = %d is out of range" % (what, v))
    return v


class Key:
    """Key material for Watchlist.create/open. The bytes are held in a buffer
    this object wipes on wipe(), on leaving ``with`` and when collected. The
    caller's own copy (the bytes or str it passed in) is the caller's to
    protect.

    Key.raw(32 bytes, key_id=None)
    Key.passphrase(str or bytes, opslimit=0, memlimit=0, key_id=None)
    """

    def __init__(self):
        self._c = S.WatchlistKey()
        self._secret = None
        self._key_id = None

    @classmethod
    def raw(cls, key, key_id=None):
        k = cls()
        k._secret = _fixed(key, KEY_BYTES, "raw key")
        if k._secret is None:
            raise TypeError("raw key must be %d bytes, not None" % KEY_BYTES)
        _lib.fn("face_watchlist_key_raw")(ctypes.byref(k._c), ctypes.addressof(k._secret))
        k._set_id(key_id)
        return k

    @classmethod
    def passphrase(cls, passphrase, *, opslimit=0, memlimit=0, key_id=None):
        if isinstance(passphrase, str):
            passphrase = passphrase.encode("utf-8")
        if passphrase is None:
            raise TypeError("passphrase must be str or bytes, not None")
        k = cls()
        with borrow(passphrase, "passphrase") as (addr, n):
            # Length is checked by the library (1..4096): an empty one is
            # FaceError INVALID_ARGUMENT at create/open, like in C.
            k._secret = (ctypes.c_uint8 * max(n, 1))()
            if n:
                ctypes.memmove(k._secret, addr, n)
        _lib.fn("face_watchlist_key_passphrase")(ctypes.byref(k._c),
                                                 ctypes.addressof(k._secret), n)
        k._c.opslimit = _int64(opslimit, "opslimit")
        k._c.memlimit = _int64(memlimit, "memlimit")
        k._set_id(key_id)
        return k

    def _set_id(self, key_id):
        self._key_id = _fixed(key_id, KEY_ID_BYTES, "key_id")
        if self._key_id is not None:
            self._c.key_id = ctypes.addressof(self._key_id)

    def _ref(self):
        if self._secret is None:
            raise state_error("key", "Key")
        return ctypes.byref(self._c)

    def wipe(self):
        if self._secret is not None:
            ctypes.memset(self._secret, 0, ctypes.sizeof(self._secret))
            self._secret = None
        S.wipe(self._c)

    close = wipe

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.wipe()

    def __del__(self):
        try:
            self.wipe()
        except Exception:
            pass


def _key(key):
    if not isinstance(key, Key):
        raise TypeError("key must be a libface.Key (Key.raw or Key.passphrase), not %s"
                        % type(key).__name__)
    return key._ref()


class _Guard:
    """Owns a C handle that many threads may use at once (the watchlist
    locks itself inside) but that must not be freed during a call: close
    waits for the calls in flight."""

    def __init__(self, handle, what):
        self.h = handle
        self.what = what
        self._cv = threading.Condition()
        self._busy = 0

    @contextlib.contextmanager
    def use(self, function):
        with self._cv:
            if not self.h:
                raise state_error(self.what, function)
            self._busy += 1
            h = self.h
        try:
            yield h
        finally:
            with self._cv:
                self._busy -= 1
                if not self._busy:
                    self._cv.notify_all()

    def take(self):
        """Detach the handle once no call is using it (None if closed)."""
        with self._cv:
            h, self.h = self.h, None
            while self._busy:
                self._cv.wait()
        return h


def _options(fingerprint=None, storage=None, audit_path=None, audit_sign_key=None):
    """face_watchlist_options plus the buffers it points to."""
    o = S.WatchlistOptions()
    _lib.fn("face_watchlist_options_init")(ctypes.byref(o))
    keep = []
    if storage is not None:
        o.storage = int(Storage(storage))
    if fingerprint is not None:
        fp = _fixed(fingerprint, S.FINGERPRINT_BYTES, "fingerprint")
        ctypes.memmove(o.fingerprint, fp, S.FINGERPRINT_BYTES)
        o.check_fingerprint = 1
    if audit_path is not None:
        p = _opt_path(audit_path, "audit_path")
        keep.append(p)
        o.audit_path = p
    if audit_sign_key is not None:
        sk = _fixed(audit_sign_key, AUDIT_SECRET_KEY_BYTES, "audit_sign_key")
        keep.append(sk)
        o.audit_sign_key = ctypes.addressof(sk)
    return o, keep


def _wipe_keep(keep):
    for k in keep:
        if isinstance(k, ctypes.Array):
            ctypes.memset(k, 0, ctypes.sizeof(k))


def _entry(c):
    return Entry(bytes(c.id[:c.id_len]), c.label.decode("utf-8", "replace"), c.created_at,
                 c.expires_at, c.template_count)


def _padded(struct_type):
    return ctypes.create_string_buffer(ctypes.sizeof(struct_type) + _SPARE)


def _unpad(buf, struct_type, function):
    c = struct_type.from_buffer_copy(buf.raw[:ctypes.sizeof(struct_type)])
    if c.struct_size != ctypes.sizeof(struct_type):
        raise FaceError(Status.INTERNAL, "the library wrote a %d-byte %s, the binding knows %d "
                        "bytes: binding and library disagree" % (
                            c.struct_size, struct_type.__name__, ctypes.sizeof(struct_type)),
                        function)
    return c


def peek(path):
    """face_watchlist_peek: a sealed file's clear header, without a key."""
    p = _opt_path(path, "path")
    if p is None:
        raise TypeError("path must be a path, not None")
    buf = _padded(S.WatchlistFileInfo)
    ctypes.memset(buf, 0, 4)
    ctypes.c_uint32.from_buffer(buf).value = ctypes.sizeof(S.WatchlistFileInfo)
    check(_lib.fn("face_watchlist_peek")(p, buf), "face_watchlist_peek")
    c = _unpad(buf, S.WatchlistFileInfo, "face_watchlist_peek")
    return FileInfo(c.format_version, c.key_kind, c.storage, c.opslimit, c.memlimit,
                    bytes(c.key_id), bytes(c.fingerprint), c.entry_count, c.template_count)


def _report(buf, function):
    c = _unpad(buf, S.AuditReport, function)
    return AuditReport(c.records, c.first_bad, bool(c.signed_records))


def audit_verify_signed(path, public_key):
    """face_audit_verify_signed: check a signed audit log with only the
    operator's Ed25519 public key -> AuditReport; FaceError AUTH/CORRUPT/IO."""
    p = _opt_path(path, "path")
    if p is None:
        raise TypeError("path must be a path, not None")
    pk = _fixed(public_key, AUDIT_PUBLIC_KEY_BYTES, "public_key")
    if pk is None:
        raise TypeError("public_key must be %d bytes, not None" % AUDIT_PUBLIC_KEY_BYTES)
    buf = _padded(S.AuditReport)
    check(_lib.fn("face_audit_verify_signed")(p, pk, buf), "face_audit_verify_signed")
    return _report(buf, "face_audit_verify_signed")


def _templates_array(templates, what="templates"):
    if isinstance(templates, Template):
        templates = [templates]
    if templates is None:
        raise TypeError("%s must be a Template or a list of them, not None" % what)
    templates = list(templates)
    arr = (S.Template * max(len(templates), 1))()
    for i, t in enumerate(templates):
        if not isinstance(t, Template):
            raise TypeError("%s[%d] must be a Template, not %s" % (what, i, type(t).__name__))
        arr[i] = t._c
    return arr, len(templates)


class Watchlist(Closeable):
    """A sealed watchlist (face_watchlist). Safe to share between threads:
    searches run concurrently, changes are serialised inside the library.

    Watchlist.create(key, fingerprint=..., storage=Storage.FLOAT32, ...)
    Watchlist.open(path, key, fingerprint=None, ...)
    """

    def __init__(self, handle):
        self._g = _Guard(handle, "watchlist")

    @classmethod
    def create(cls, key, fingerprint, *, storage=Storage.FLOAT32, audit_path=None,
               audit_sign_key=None):
        """A new, empty watchlist for templates of this fingerprint (see
        Engine.fingerprint). It reaches disk on save()."""
        if fingerprint is None:
            raise TypeError("fingerprint must be %d bytes, not None" % S.FINGERPRINT_BYTES)
        o, keep = _options(fingerprint, storage, audit_path, audit_sign_key)
        h = ctypes.c_void_p()
        try:
            st = _lib.fn("face_watchlist_create")(ctypes.byref(o), _key(key), ctypes.byref(h))
        finally:
            _wipe_keep(keep)
        check(st, "face_watchlist_create")
        return cls(h.value)

    @classmethod
    def open(cls, path, key, *, fingerprint=None, audit_path=None, audit_sign_key=None):
        """Open a sealed file; nothing is returned unless it all
        authenticates (FaceError AUTH for a wrong key or any tampering). With
        fingerprint, a file of another model is FaceError MODEL_MISMATCH."""
        p = _opt_path(path, "path")
        if p is None:
            raise TypeError("path must be a path, not None")
        o, keep = _options(fingerprint, None, audit_path, audit_sign_key)
        h = ctypes.c_void_p()
        try:
            st = _lib.fn("face_watchlist_open")(p, _key(key), ctypes.byref(o), ctypes.byref(h))
        finally:
            _wipe_keep(keep)
        check(st, "face_watchlist_open")
        return cls(h.value)

    peek = staticmethod(peek)

    # ------------------------------------------------------------ lifetime
    @property
    def closed(self):
        return not self._g.h

    def save(self, path=None):
        """Seal to path (None: where it was opened from / last saved to),
        atomically and durably."""
        p = _opt_path(path, "path")
        with self._g.use("face_watchlist_save") as h:
            check(_lib.fn("face_watchlist_save")(h, p), "face_watchlist_save")

    def close(self):
        """Wipe the in-memory watchlist and keys and free it; the file on
        disk stays as last saved."""
        h = self._g.take()
        if h:
            _lib.fn("face_watchlist_close")(h)

    def destroy(self):
        """End of a deployment: audit "destroy", unlink the sealed file, wipe
        and free. The handle is gone even if this raises."""
        h = self._g.take()
        if not h:
            raise state_error("watchlist", "face_watchlist_destroy")
        check(_lib.fn("face_watchlist_destroy")(h), "face_watchlist_destroy")

    # ------------------------------------------------------------ entries
    def enroll(self, id, templates, label=None, expires_at=0):
        """Enroll an identity with 1..64 templates (a Template or a list).
        FaceError EXISTS if the id is enrolled, MODEL_MISMATCH for templates
        of another fingerprint."""
        ident = _id(id)
        if label is not None and not isinstance(label, str):
            raise TypeError("label must be str or None")
        lab = None if label is None else label.encode("utf-8")
        if lab is not None and b"\0" in lab:
            raise ValueError("label must not contain NUL")
        expires_at = _int64(expires_at, "expires_at")
        arr, n = _templates_array(templates)
        try:
            with self._g.use("face_watchlist_enroll") as h:
                st = _lib.fn("face_watchlist_enroll")(h, ident, len(ident), lab, arr, n,
                                                      expires_at)
        finally:
            S.wipe(arr)
        check(st, "face_watchlist_enroll")

    def remove(self, id):
        """Remove an identity and wipe its templates (FaceError NOT_FOUND)."""
        ident = _id(id)
        with self._g.use("face_watchlist_remove") as h:
            check(_lib.fn("face_watchlist_remove")(h, ident, len(ident)), "face_watchlist_remove")

    def get(self, id, *, templates=False):
        """Entry of an identity (FaceError NOT_FOUND); with templates=True,
        (Entry, [Template]) with copies of its templates."""
        ident = _id(id)
        e = S.WatchlistEntry()
        with self._g.use("face_watchlist_get") as h:
            f = _lib.fn("face_watchlist_get")
            check(f(h, ident, len(ident), ctypes.byref(e), None, 0), "face_watchlist_get")
            entry = _entry(e)
            if not templates:
                return entry
            # The count can change between the two calls (another writer):
            # retry while the library says the buffer is too small.
            while True:
                cap = max(e.template_count, 1)
                arr = (S.Template * cap)()
                st = f(h, ident, len(ident), ctypes.byref(e), arr, cap)
                if st == Status.BUFFER_TOO_SMALL:
                    continue
                try:
                    check(st, "face_watchlist_get")
                    out = []
                    for i in range(e.template_count):
                        t = Template()
                        t._c = S.Template.from_buffer_copy(arr[i])
                        out.append(t)
                    return _entry(e), out
                finally:
                    S.wipe(arr)

    def list(self, offset=0, limit=None):
        """Entries [offset, offset + limit) in the library's stable order."""
        offset = _int64(offset, "offset")
        out = []
        page = 256
        with self._g.use("face_watchlist_list") as h:
            while limit is None or len(out) < limit:
                want = page if limit is None else min(page, limit - len(out))
                arr = (S.WatchlistEntry * want)()
                n = ctypes.c_size_t()
                check(_lib.fn("face_watchlist_list")(h, offset, arr, want, ctypes.byref(n)),
                      "face_watchlist_list")
                out.extend(_entry(arr[i]) for i in range(n.value))
                offset += n.value
                if n.value < want:
                    break
        return out

    def __iter__(self):
        return iter(self.list())

    def count(self):
        """(entries, templates)."""
        e, t = ctypes.c_size_t(), ctypes.c_size_t()
        with self._g.use("face_watchlist_count") as h:
            check(_lib.fn("face_watchlist_count")(h, ctypes.byref(e), ctypes.byref(t)),
                  "face_watchlist_count")
        return e.value, t.value

    def __len__(self):
        return self.count()[0]

    def __contains__(self, id):
        try:
            self.get(id)
            return True
        except FaceError as e:
            if e.code == Status.NOT_FOUND:
                return False
            raise

    def purge_expired(self, now=0):
        """Remove every entry with 0 < expires_at <= now (0 = wall clock);
        returns how many."""
        now = _int64(now, "now")
        n = ctypes.c_size_t()
        with self._g.use("face_watchlist_purge_expired") as h:
            check(_lib.fn("face_watchlist_purge_expired")(h, now, ctypes.byref(n)),
                  "face_watchlist_purge_expired")
        return n.value

    def info(self):
        """(fingerprint bytes, Storage)."""
        fp = (ctypes.c_uint8 * S.FINGERPRINT_BYTES)()
        storage = ctypes.c_int()
        with self._g.use("face_watchlist_info") as h:
            check(_lib.fn("face_watchlist_info")(h, fp, ctypes.byref(storage)),
                  "face_watchlist_info")
        return bytes(fp), Storage(storage.value)

    @property
    def fingerprint(self):
        return self.info()[0]

    @property
    def storage(self):
        return self.info()[1]

    # ------------------------------------------------------------ search
    @staticmethod
    def _search_options(k, threshold, threads, now):
        o = S.WatchlistSearchOptions()
        _lib.fn("face_watchlist_search_options_init")(ctypes.byref(o))
        if isinstance(k, bool) or not isinstance(k, int):
            raise TypeError("k must be an int")
        if not 1 <= k <= MAX_K:
            raise ValueError("k = %d not in 1..%d" % (k, MAX_K))
        o.k = k
        if threshold is not None:
            threshold = float(threshold)
            if math.isnan(threshold) or threshold < 0:
                raise ValueError("threshold must be >= 0")
            o.threshold = threshold
        if isinstance(threads, bool) or not isinstance(threads, int):
            raise TypeError("threads must be an int")
        o.threads = threads  # range checked by the library
        o.now = _int64(now, "now")
        return o

    def search(self, probe, k=1, threshold=None, *, threads=1, now=0):
        """The k closest identities with distance <= threshold, closest
        first -> [Match]. FaceError MODEL_MISMATCH for a probe of another
        fingerprint."""
        if not isinstance(probe, Template):
            raise TypeError("probe must be a Template, not %s" % type(probe).__name__)
        o = self._search_options(k, threshold, threads, now)
        arr = (S.WatchlistMatch * k)()
        n = ctypes.c_size_t()
        with self._g.use("face_watchlist_search") as h:
            check(_lib.fn("face_watchlist_search")(h, ctypes.byref(probe._c), ctypes.byref(o),
                                                   arr, k, ctypes.byref(n)),
                  "face_watchlist_search")
        return [Match(bytes(m.id[:m.id_len]), m.distance, m.template_index)
                for m in arr[:n.value]]

    def search_batch(self, probes, k=1, threshold=None, *, threads=1, now=0):
        """search() for many probes in one pass -> one [Match] per probe."""
        arr, n = _templates_array(probes, "probes")
        if not 1 <= n <= MAX_BATCH:
            raise ValueError("1..%d probes, got %d" % (MAX_BATCH, n))
        try:
            o = self._search_options(k, threshold, threads, now)
            cap = n * k
            matches = (S.WatchlistMatch * cap)()
            counts = (ctypes.c_size_t * n)()
            with self._g.use("face_watchlist_search_batch") as h:
                check(_lib.fn("face_watchlist_search_batch")(h, arr, n, ctypes.byref(o), matches,
                                                             cap, counts),
                      "face_watchlist_search_batch")
        finally:
            S.wipe(arr)
        return [[Match(bytes(m.id[:m.id_len]), m.distance, m.template_index)
                 for m in matches[i * k:i * k + counts[i]]] for i in range(n)]

    # ------------------------------------------------------------ audit
    def audit_alert(self, id, detail=None):
        """Record an alert the host acted on (id and detail only, no
        biometrics). FaceError STATE without an audit log."""
        ident = _id(id)
        d = None
        if detail is not None:
            if not isinstance(detail, str):
                raise TypeError("detail must be str or None")
            d = detail.encode("utf-8")
            if b"\0" in d:
                raise ValueError("detail must not contain NUL")
        with self._g.use("face_watchlist_audit_alert") as h:
            check(_lib.fn("face_watchlist_audit_alert")(h, ident, len(ident), d),
                  "face_watchlist_audit_alert")

    def audit_summary(self, text):
        """Record a summary (figures of a deployment, a shift...) in the
        audit log as a ``summary`` record. text: printable ASCII, no line
        breaks, 1..512 bytes; it must never carry biometric data. FaceError
        INVALID_ARGUMENT (empty, other characters), LIMIT (too long), STATE
        (no audit log)."""
        if not isinstance(text, str):
            raise TypeError("text must be str, not %s" % type(text).__name__)
        t = text.encode("utf-8")
        if b"\0" in t:
            raise ValueError("text must not contain NUL")
        with self._g.use("face_watchlist_audit_summary") as h:
            check(_lib.fn("face_watchlist_audit_summary")(h, t), "face_watchlist_audit_summary")

    def audit_verify(self, path=None, public_key=None):
        """Verify an audit log (None: this handle's) with the watchlist key,
        and signatures if public_key is given -> AuditReport; FaceError
        AUTH / CORRUPT / IO when it does not verify."""
        p = _opt_path(path, "path")
        pk = _fixed(public_key, AUDIT_PUBLIC_KEY_BYTES, "public_key")
        buf = _padded(S.AuditReport)
        with self._g.use("face_watchlist_audit_verify") as h:
            check(_lib.fn("face_watchlist_audit_verify")(h, p, pk, buf),
                  "face_watchlist_audit_verify")
        return _report(buf, "face_watchlist_audit_verify")
