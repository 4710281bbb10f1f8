"""Live streams (face_stream): detection, tracking, the quality gate,
watchlist search and alerts for one camera, with privacy by construction
(docs/privacy.md).

    with libface.Stream(engine, watchlist, stream_id=3) as s:
        for ts, frame in camera:
            s.push(frame, ts)              # an Image or a numpy array
            for alert in s.alerts():       # or pass on_alert=callable
                review(alert.label, alert.distance, alert.chip)
                alert.wipe()

A Stream is used by one thread at a time (calls on it are serialised by a
lock); run one Stream per camera, on as many threads as you like, sharing
one Engine and one Watchlist. Close streams before the watchlist and the
engine: the C stream points at both (closing the engine closes its streams
first; pushing to a stream whose watchlist was closed raises FaceError
STATE).
"""
import ctypes
import dataclasses
import threading

from . import _lib
from . import _structs as S
from .engine import Chip, Engine, Rect, _landmarks, _rect
from .errors import FaceError, check, state_error
from .image import as_image
from .watchlist import Watchlist
from ._closeable import Closeable

#: face_stream_options flag: record each alert in the watchlist's audit log.
STREAM_AUDIT_ALERTS = 0x1


@dataclasses.dataclass(frozen=True)
class Quality:
    """face_quality: estimates for gating and ranking shots."""
    face_size: float
    eye_distance: float
    yaw: float
    pitch: float
    roll: float
    sharpness: float  # -1 when no chip was given
    score: float

    @classmethod
    def _from_c(cls, c):
        return cls(c.face_size, c.eye_distance, c.yaw, c.pitch, c.roll, c.sharpness, c.score)


@dataclasses.dataclass(frozen=True)
class Counters:
    """Deployment figures (no biometric data)."""
    frames: int
    faces: int
    tracks: int
    faces_gated: int
    faces_searched: int
    alerts: int
    alerts_dropped: int
    faces_untracked: int
    detect_full: int = 0   # frames detected whole (every detect_interval-th)
    detect_local: int = 0  # local detections around tracks in between

    @classmethod
    def _from_c(cls, c):
        return cls(c.frames, c.faces, c.tracks, c.faces_gated, c.faces_searched, c.alerts,
                   c.alerts_dropped, c.faces_untracked, c.detect_full, c.detect_local)

    def _to_c(self):
        c = S.StreamCounters()
        c.struct_size = ctypes.sizeof(c)
        for f in dataclasses.fields(self):
            setattr(c, f.name, getattr(self, f.name))
        return c

    def summary(self):
        """face_stream_counters_format: the one-line summary to record or
        publish per deployment."""
        buf = ctypes.create_string_buffer(256)
        c = self._to_c()
        check(_lib.fn("face_stream_counters_format")(ctypes.byref(c), buf, len(buf)),
              "face_stream_counters_format")
        return buf.value.decode()


@dataclasses.dataclass(frozen=True)
class Stats:
    """Cumulative per-stage wall time in microseconds (face_stream_stats)."""
    frames: int
    detect_us: int
    landmarks_us: int
    align_us: int
    embed_us: int
    search_us: int
    total_us: int
    max_total_us: int
    detect_full_us: int = 0   # detect_us split: whole-frame detections
    detect_local_us: int = 0  # ... and local detections around tracks
    max_full_us: int = 0      # slowest frame with a whole-frame detection
    max_local_us: int = 0     # slowest frame without one


class Alert:
    """A tracked face that matched a watchlist entry. It owns a copy of the
    aligned chip (biometric): call wipe() (or use ``with``) once reviewed;
    it is also wiped when collected. The C alert it was copied from has
    already been wiped and freed."""

    __slots__ = ("stream_id", "track_id", "timestamp_us", "box", "distance", "similarity",
                 "id", "label", "quality", "chip")

    def __init__(self, c):
        self.stream_id = c.stream_id
        self.track_id = c.track_id
        self.timestamp_us = c.timestamp_us
        self.box = Rect(c.box.x, c.box.y, c.box.width, c.box.height)
        self.distance = c.distance
        self.similarity = c.similarity
        self.id = bytes(c.id[:c.id_len])
        self.label = c.label.decode("utf-8", "replace")
        self.quality = Quality._from_c(c.quality)
        self.chip = Chip()
        ctypes.memmove(ctypes.addressof(self.chip._c), ctypes.addressof(c.chip),
                       ctypes.sizeof(S.Chip))

    def wipe(self):
        chip = getattr(self, "chip", None)
        if chip is not None:
            chip.wipe()

    close = wipe

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.wipe()

    def __repr__(self):
        return "Alert(stream %d, track %d, id %r, label %r, distance %.3f)" % (
            self.stream_id, self.track_id, self.id, self.label, self.distance)


def quality_estimate(landmarks, box, chip=None):
    """face_quality_estimate: Quality of one shot from its 68 landmarks, the
    detection box they came from and (optionally) its aligned Chip."""
    lm = _landmarks(landmarks)
    r = _rect(box)
    q = S.Quality()
    if chip is not None and not isinstance(chip, Chip):
        raise TypeError("chip must be a Chip or None, not %s" % type(chip).__name__)
    cp = ctypes.byref(chip._c) if chip is not None else None
    try:
        check(_lib.fn("face_quality_estimate")(ctypes.byref(lm), ctypes.byref(r), cp,
                                               ctypes.byref(q)), "face_quality_estimate")
    finally:
        S.wipe(lm)
    return Quality._from_c(q)


class Deployment(Closeable):
    """A set of streams whose counters are summed (face_deployment), e.g. the
    cameras of one operation. Close it after its streams."""

    def __init__(self):
        h = ctypes.c_void_p()
        check(_lib.fn("face_deployment_create")(None, ctypes.byref(h)), "face_deployment_create")
        self._h = h.value
        self._lock = threading.Lock()

    @property
    def closed(self):
        return not self._h

    def counters(self):
        if not self._h:
            raise state_error("deployment", "face_deployment_get_counters")
        c = S.StreamCounters()
        check(_lib.fn("face_deployment_get_counters")(self._h, ctypes.byref(c)),
              "face_deployment_get_counters")
        return Counters._from_c(c)

    def report(self, watchlist):
        """face_deployment_report: record the summed counters as one
        ``summary`` record in watchlist's audit log (numbers only). FaceError
        STATE when the watchlist has no audit log."""
        if not isinstance(watchlist, Watchlist):
            raise TypeError("watchlist must be a Watchlist, not %s" % type(watchlist).__name__)
        with self._lock:
            if not self._h:
                raise state_error("deployment", "face_deployment_report")
            with watchlist._g.use("face_deployment_report") as wh:
                check(_lib.fn("face_deployment_report")(self._h, wh), "face_deployment_report")

    def close(self):
        with self._lock:
            h, self._h = self._h, None
        if h:
            _lib.fn("face_deployment_destroy")(h)


# Option name -> face_stream_options field (all but the callback, the
# deployment and the allocator, which Stream sets itself).
_OPTION_FIELDS = ("stream_id", "flags", "threads", "detector", "input_size", "detect_score",
                  "min_face_size", "max_faces", "max_frame_pixels", "max_tracks", "max_missed",
                  "track_iou", "min_eye_distance", "max_yaw", "max_pitch", "min_sharpness",
                  "min_quality", "max_embeds_per_track", "reembed_gain", "threshold",
                  "search_k", "queue_capacity", "detect_interval", "full_min_face_size",
                  "local_scale")


def default_options():
    """face_stream_options_init's defaults, as a dict."""
    o = S.StreamOptions()
    _lib.fn("face_stream_options_init")(ctypes.byref(o))
    return {name: getattr(o, name) for name in _OPTION_FIELDS}


class Stream(Closeable):
    """One camera (face_stream).

    Stream(engine, watchlist, *, on_alert=None, deployment=None, **options)
        options: any field of face_stream_options by name (stream_id,
        threads, detector, min_face_size, max_faces, max_frame_pixels,
        max_missed, threshold, max_embeds_per_track, queue_capacity, flags,
        ...); see default_options(). on_alert(alert) runs inside push();
        return True to also queue the alert for poll()/alerts(). An
        exception it raises is re-raised by push() after the frame.
    """

    def __init__(self, engine, watchlist, *, on_alert=None, deployment=None, **options):
        if not isinstance(engine, Engine):
            raise TypeError("engine must be an Engine, not %s" % type(engine).__name__)
        if not isinstance(watchlist, Watchlist):
            raise TypeError("watchlist must be a Watchlist, not %s" % type(watchlist).__name__)
        if deployment is not None and not isinstance(deployment, Deployment):
            raise TypeError("deployment must be a Deployment, not %s"
                            % type(deployment).__name__)
        if on_alert is not None and not callable(on_alert):
            raise TypeError("on_alert must be callable")
        self._h = None
        self._lock = threading.RLock()
        o = S.StreamOptions()
        _lib.fn("face_stream_options_init")(ctypes.byref(o))
        for name, value in options.items():
            if name not in _OPTION_FIELDS:
                raise TypeError("unknown stream option %r" % name)
            try:
                setattr(o, name, value)
            except TypeError:
                raise TypeError("stream option %s: bad value %r" % (name, value)) from None
        self._on_alert = on_alert
        self._cb_error = None
        self._cb = S.STREAM_ALERT_FN(self._trampoline) if on_alert is not None else None
        if self._cb is not None:
            o.on_alert = self._cb
        if deployment is not None:
            if deployment.closed:
                raise state_error("deployment", "Stream")
            o.deployment = deployment._h
        h = ctypes.c_void_p()
        with watchlist._g.use("face_stream_create") as wh:
            st = _lib.fn("face_stream_create")(engine._handle("Stream"), wh, ctypes.byref(o),
                                               ctypes.byref(h))
        check(st, "face_stream_create")
        self._h = h.value
        # Strong references: all three must outlive the C stream.
        self._engine, self._watchlist, self._deployment = engine, watchlist, deployment
        engine._contexts.add(self)  # Engine.close closes its streams first

    def _trampoline(self, user, alert_p):
        try:
            return 1 if self._on_alert(Alert(alert_p.contents)) else 0
        except BaseException as e:  # never unwind through C
            if self._cb_error is None:
                self._cb_error = e
            return 0

    # ------------------------------------------------------------ lifetime
    @property
    def closed(self):
        return not self._h

    def close(self):
        """Wipe every track and queued alert and free the stream."""
        with self._lock:
            h, self._h = self._h, None
            if h:
                _lib.fn("face_stream_destroy")(h)

    def _handle(self, function):
        if not self._h:
            raise state_error("stream", function)
        return self._h

    def _check(self, st, function):
        if st:
            msg = _lib.fn("face_stream_last_error")(self._h).decode("utf-8", "replace")
            raise FaceError(st, msg or _lib.fn("face_strerror")(st).decode(), function)

    # ------------------------------------------------------------ frames
    def push(self, image, timestamp_us):
        """Process one frame (Image or numpy array, any pixel format).
        timestamp_us must not go backwards (FaceError INVALID_ARGUMENT)."""
        img = as_image(image)
        ts = int(timestamp_us)
        with self._lock:
            h = self._handle("face_stream_push")
            if self._watchlist.closed:
                raise state_error("watchlist", "face_stream_push")
            self._cb_error = None
            with img._c() as c:
                st = _lib.fn("face_stream_push")(h, ctypes.byref(c), ts)
            err, self._cb_error = self._cb_error, None
            self._check(st, "face_stream_push")
            if err is not None:
                raise err

    def flush(self):
        """End (and wipe) every live track now; queued alerts stay."""
        with self._lock:
            self._check(_lib.fn("face_stream_flush")(self._handle("face_stream_flush")),
                        "face_stream_flush")

    def poll(self):
        """The oldest queued Alert, or None. The C alert is wiped and freed
        once copied."""
        with self._lock:
            p = ctypes.POINTER(S.StreamAlert)()
            self._check(_lib.fn("face_stream_poll")(self._handle("face_stream_poll"),
                                                    ctypes.byref(p)), "face_stream_poll")
            if not p:
                return None
            try:
                return Alert(p.contents)
            finally:
                _lib.fn("face_stream_alert_free")(p)

    def alerts(self):
        """Drain the queue: a list of Alerts, oldest first."""
        out = []
        while True:
            a = self.poll()
            if a is None:
                return out
            out.append(a)

    # ------------------------------------------------------------ figures
    def counters(self):
        with self._lock:
            c = S.StreamCounters()
            self._check(_lib.fn("face_stream_get_counters")(
                self._handle("face_stream_get_counters"), ctypes.byref(c)),
                "face_stream_get_counters")
            return Counters._from_c(c)

    def stats(self):
        with self._lock:
            c = S.StreamStats()
            self._check(_lib.fn("face_stream_get_stats")(self._handle("face_stream_get_stats"),
                                                         ctypes.byref(c)),
                        "face_stream_get_stats")
            return Stats(c.frames, c.detect_us, c.landmarks_us, c.align_us, c.embed_us,
                         c.search_us, c.total_us, c.max_total_us, c.detect_full_us,
                         c.detect_local_us, c.max_full_us, c.max_local_us)

    @property
    def live_tracks(self):
        with self._lock:
            n = ctypes.c_size_t()
            self._check(_lib.fn("face_stream_live_tracks")(
                self._handle("face_stream_live_tracks"), ctypes.byref(n)),
                "face_stream_live_tracks")
            return n.value

    @property
    def last_error(self):
        with self._lock:
            if not self._h:
                return ""
            return _lib.fn("face_stream_last_error")(self._h).decode("utf-8", "replace")


__all__ = ["STREAM_AUDIT_ALERTS", "Alert", "Counters", "Deployment", "Quality", "Stats",
           "Stream", "default_options", "quality_estimate"]
