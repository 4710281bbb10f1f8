"""Models, the engine and per-thread contexts: the detect -> landmarks ->
align -> embed pipeline."""
import ctypes
import dataclasses
import enum
import os
import threading
import typing
import weakref

from . import _lib
from . import _structs as S
from ._buffers import borrow, np
from .errors import Status, FaceError, check, state_error
from .image import Image, PixelFormat, as_image
from .template import Template
from ._closeable import Closeable

LANDMARK_COUNT = S.LANDMARK_COUNT
CHIP_SIZE = S.CHIP_SIZE
DETECT_SINGLE_PASS = 0x1
EMBED_FLIP_AVG = 0x1


class ModelKind(enum.IntEnum):
    TINY_DETECTOR = 1
    SSD_DETECTOR = 2
    LANDMARKS68 = 3
    RECOGNITION = 4


class Detector(enum.IntEnum):
    TINY = 1  #: tiny_face_detector: fast
    SSD = 2   #: ssd_mobilenetv1: more accurate, ~16x the cost


class AlignMode(enum.IntEnum):
    DLIB = 1     #: 150x150 similarity chip from the 68 landmarks (default)
    FACEAPI = 2  #: face-api.js's axis-aligned square crop (compatibility)


class Option(enum.IntEnum):
    THREADS = 1
    MAX_PIXELS = 2
    MAX_FACES = 3
    MAX_FILE_BYTES = 4


# ---------------------------------------------------------------- results

class Point(typing.NamedTuple):
    x: float
    y: float


class Rect(typing.NamedTuple):
    x: float
    y: float
    width: float
    height: float

    def _to_c(self):
        return S.Rect(self.x, self.y, self.width, self.height)


@dataclasses.dataclass(frozen=True)
class Detection:
    score: float
    box: Rect


def _rect(obj, what="box"):
    """Rect, Detection, or any 4-sequence (x, y, width, height) -> S.Rect."""
    if isinstance(obj, Detection):
        obj = obj.box
    if obj is None:
        raise TypeError("%s must be a Rect, a Detection or (x, y, width, height), not None"
                        % what)
    try:
        vals = [float(v) for v in obj]
    except TypeError:
        raise TypeError("%s must be a Rect, a Detection or (x, y, width, height), not %s"
                        % (what, type(obj).__name__)) from None
    if len(vals) != 4:
        raise ValueError("%s needs 4 numbers (x, y, width, height), got %d" % (what, len(vals)))
    return S.Rect(*vals)


class Landmarks:
    """68 points in iBUG-300W order, in image pixels."""

    __slots__ = ("points",)

    def __init__(self, points):
        if points is None:
            raise TypeError("landmarks need 68 (x, y) points, not None")
        if np is not None and isinstance(points, np.ndarray):
            if points.size != 2 * LANDMARK_COUNT:
                raise ValueError("landmarks need a %d x 2 array, got shape %s"
                                 % (LANDMARK_COUNT, points.shape))
            points = points.reshape(LANDMARK_COUNT, 2).tolist()
        pts = []
        for p in points:
            x, y = p
            pts.append(Point(float(x), float(y)))
        if len(pts) != LANDMARK_COUNT:
            raise ValueError("landmarks need %d points, got %d" % (LANDMARK_COUNT, len(pts)))
        self.points = tuple(pts)

    @classmethod
    def _from_c(cls, c):
        lm = cls.__new__(cls)
        lm.points = tuple(Point(p.x, p.y) for p in c.points)
        return lm

    def _to_c(self):
        c = S.Landmarks()
        c.struct_size = ctypes.sizeof(S.Landmarks)
        c.count = LANDMARK_COUNT
        for i, (x, y) in enumerate(self.points):
            c.points[i].x, c.points[i].y = x, y
        return c

    def numpy(self):
        if np is None:
            raise ImportError("numpy is not installed")
        return np.array(self.points, dtype=np.float32)

    def __len__(self):
        return LANDMARK_COUNT

    def __iter__(self):
        return iter(self.points)

    def __getitem__(self, i):
        return self.points[i]

    def __eq__(self, other):
        return isinstance(other, Landmarks) and self.points == other.points

    def __repr__(self):
        return "Landmarks(%d points, first %r)" % (LANDMARK_COUNT, self.points[0])


def _landmarks(obj):
    if isinstance(obj, Landmarks):
        return obj._to_c()
    return Landmarks(obj)._to_c()


class Chip:
    """An aligned 150x150 RGB24 face chip (face_chip), owned by this object.
    Biometric: it is wiped on wipe()/close(), on leaving ``with`` and when
    collected."""

    __slots__ = ("_c", "__weakref__")

    SIZE = CHIP_SIZE
    NBYTES = CHIP_SIZE * CHIP_SIZE * 3

    def __init__(self):
        self._c = S.Chip()

    @classmethod
    def from_buffer(cls, data):
        """A chip from 150*150*3 RGB bytes (bytes-like, or a 150x150x3 uint8
        numpy array), e.g. one aligned elsewhere."""
        if np is not None and isinstance(data, np.ndarray):
            if data.dtype != np.uint8:
                raise TypeError("chip arrays must be uint8, not %s" % data.dtype)
            if data.size != cls.NBYTES:
                raise ValueError("a chip is 150x150x3, got shape %s" % (data.shape,))
        chip = cls()
        with borrow(data, "chip pixels") as (addr, n):
            if n != cls.NBYTES:
                raise ValueError("a chip has %d bytes, got %d" % (cls.NBYTES, n))
            ctypes.memmove(chip._c.rgb, addr, n)
        chip._c.struct_size = ctypes.sizeof(S.Chip)
        chip._c.size = CHIP_SIZE
        return chip

    @property
    def size(self):
        return self._c.size

    def tobytes(self):
        return bytes(self._c.rgb)

    def numpy(self):
        """150x150x3 uint8 array (a copy: wipe it yourself when done)."""
        if np is None:
            raise ImportError("numpy is not installed")
        return np.frombuffer(self._c.rgb, dtype=np.uint8).reshape(CHIP_SIZE, CHIP_SIZE, 3).copy()

    def as_image(self):
        """An Image view of the chip's pixels (valid while the chip lives)."""
        return Image(memoryview(self._c.rgb).cast("B"), CHIP_SIZE, CHIP_SIZE, PixelFormat.RGB24)

    def wipe(self):
        c = getattr(self, "_c", None)
        if c is not None:
            S.wipe(c)

    close = wipe

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.wipe()

    def __del__(self):
        self.wipe()


# ---------------------------------------------------------------- options

@dataclasses.dataclass
class DetectOptions:
    """face_detect_options. None/0 fields take the library's defaults."""
    detector: Detector = Detector.TINY
    input_size: int = 0          #: tiny: multiple of 32 in 64..1024 (0 = 416)
    score_threshold: float = 0.5  #: (0, 1)
    nms_iou: float = 0.0         #: (0, 1]; 0 = network default
    min_face_size: int = 0       #: px; 0 = network default
    max_faces: int = 0           #: 0 = the context's MAX_FACES
    single_pass: bool = False    #: one pass like face-api.js: no pyramid/tiles

    def _to_c(self):
        c = S.DetectOptions()
        _lib.fn("face_detect_options_init")(ctypes.byref(c))
        c.detector = int(self.detector)
        c.input_size = int(self.input_size)
        c.score_threshold = float(self.score_threshold)
        c.nms_iou = float(self.nms_iou)
        c.min_face_size = int(self.min_face_size)
        c.max_faces = int(self.max_faces)
        c.flags = DETECT_SINGLE_PASS if self.single_pass else 0
        return c


def _embed_opts(align, flip_avg):
    c = S.EmbedOptions()
    _lib.fn("face_embed_options_init")(ctypes.byref(c))
    c.align_mode = int(align)
    c.flags = EMBED_FLIP_AVG if flip_avg else 0
    return c


@dataclasses.dataclass
class Face:
    """One face through the whole pipeline (Context.faces)."""
    detection: Detection
    landmarks: Landmarks
    template: Template


# ---------------------------------------------------------------- models

def _path(p, what):
    if p is None:
        raise TypeError("%s must be a path, not None" % what)
    try:
        return os.fsencode(p)
    except TypeError:
        raise TypeError("%s must be a path, not %s" % (what, type(p).__name__)) from None


class Model(Closeable):
    """One converted network file (face_model). Pass it to Engine(), which
    takes it over; otherwise close() it."""

    def __init__(self, handle):
        self._h = handle

    @classmethod
    def load(cls, path):
        h = ctypes.c_void_p()
        st = _lib.fn("face_model_load_file")(_path(path, "path"), None, ctypes.byref(h))
        check(st, "face_model_load_file")
        return cls(h.value)

    @classmethod
    def from_bytes(cls, data):
        h = ctypes.c_void_p()
        with borrow(data, "model bytes") as (addr, n):
            st = _lib.fn("face_model_load_memory")(addr, n, None, ctypes.byref(h))
        check(st, "face_model_load_memory")
        return cls(h.value)

    @property
    def kind(self):
        if not self._h:
            raise state_error("model", "Model.kind")
        return ModelKind(_lib.fn("face_model_kind_of")(self._h))

    @property
    def closed(self):
        return not self._h

    def close(self):
        h, self._h = self._h, None
        if h:
            _lib.fn("face_model_destroy")(h)


# ---------------------------------------------------------------- engine

class Engine(Closeable):
    """The loaded networks (face_engine): immutable and shared by threads.

    Engine(model_dir) loads tiny_face_detector.fmdl, ssd_mobilenetv1.fmdl,
    face_landmark_68.fmdl and face_recognition.fmdl from model_dir; a Model
    given by keyword overrides the file of its kind and is taken over by the
    engine (the Model object is closed-out on success).

    Close it with close() or ``with``. Contexts keep their engine alive; an
    explicit close() first closes the contexts still open on it.
    """

    def __init__(self, model_dir=None, *, tiny_detector=None, ssd_detector=None,
                 landmarks=None, recognition=None):
        self._h = None
        self._contexts = weakref.WeakSet()
        self._lock = threading.Lock()
        models = {"tiny_detector": tiny_detector, "ssd_detector": ssd_detector,
                  "landmarks": landmarks, "recognition": recognition}
        cfg = S.EngineConfig()
        _lib.fn("face_engine_config_init")(ctypes.byref(cfg))
        if model_dir is not None:
            cfg.model_dir = _path(model_dir, "model_dir")
        for slot, m in models.items():
            if m is None:
                continue
            if not isinstance(m, Model):
                raise TypeError("%s must be a Model, not %s" % (slot, type(m).__name__))
            if m.closed:
                raise state_error("model for %s" % slot, "Engine")
            setattr(cfg, slot, m._h)
        h = ctypes.c_void_p()
        st = _lib.fn("face_engine_create")(ctypes.byref(cfg), ctypes.byref(h))
        check(st, "face_engine_create")
        for m in models.values():
            if m is not None:
                m._h = None  # the engine owns it now
        self._h = h.value

    @property
    def closed(self):
        return not self._h

    def _handle(self, what):
        if not self._h:
            raise state_error("engine", what)
        return self._h

    def fingerprint(self, align=AlignMode.DLIB):
        """The 16-byte fingerprint templates of this align mode carry."""
        out = (ctypes.c_uint8 * S.FINGERPRINT_BYTES)()
        st = _lib.fn("face_engine_fingerprint")(self._handle("Engine.fingerprint"), int(align),
                                                out)
        check(st, "face_engine_fingerprint")
        return bytes(out)

    def threshold_for_fmr(self, fmr):
        """Distance threshold at which this engine's templates (dlib alignment)
        falsely match a different person at rate ``fmr``, from the calibration
        table shipped with the library (docs/calibration.md). Raises FaceError
        LIMIT outside the table's measured range, INVALID_ARGUMENT outside
        (0, 1)."""
        out = ctypes.c_float()
        st = _lib.fn("face_threshold_for_fmr")(self._handle("Engine.threshold_for_fmr"),
                                               float(fmr), ctypes.byref(out))
        check(st, "face_threshold_for_fmr")
        return out.value

    def context(self, **options):
        """A new Context on this engine (see Context for the options)."""
        return Context(self, **options)

    def close(self):
        with self._lock:
            h, self._h = self._h, None
        if not h:
            return
        # face_engine_destroy requires every context gone first.
        for ctx in list(self._contexts):
            ctx.close()
        _lib.fn("face_engine_destroy")(h)


# ---------------------------------------------------------------- context

class Context(Closeable):
    """Per-thread working state (face_ctx): scratch memory, options and the
    last error. Calls on one Context are serialised by a lock, so sharing
    one between threads is safe but not parallel: give each thread its own.

    Context(engine, threads=None, max_pixels=None, max_faces=None,
            max_file_bytes=None)
    """

    # First guess of the detection array; a bigger crowd costs one retry.
    _detect_capacity = 16

    def __init__(self, engine, *, threads=None, max_pixels=None, max_faces=None,
                 max_file_bytes=None):
        if not isinstance(engine, Engine):
            raise TypeError("engine must be an Engine, not %s" % type(engine).__name__)
        self._h = None
        self._lock = threading.RLock()
        h = ctypes.c_void_p()
        st = _lib.fn("face_ctx_create")(engine._handle("Context"), None, ctypes.byref(h))
        check(st, "face_ctx_create")
        self._h = h.value
        # A strong reference: the engine must outlive every context on it.
        self._engine = engine
        engine._contexts.add(self)
        try:
            for opt, val in ((Option.THREADS, threads), (Option.MAX_PIXELS, max_pixels),
                             (Option.MAX_FACES, max_faces),
                             (Option.MAX_FILE_BYTES, max_file_bytes)):
                if val is not None:
                    self.set_option(opt, val)
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------ lifetime
    @property
    def engine(self):
        return self._engine

    @property
    def closed(self):
        return not self._h

    def close(self):
        with self._lock:
            h, self._h = self._h, None
            if h:
                _lib.fn("face_ctx_destroy")(h)

    def _call(self, name, *args):
        """Run one C call on this context under its lock; raise FaceError
        with the context's message on failure."""
        with self._lock:
            if not self._h:
                raise state_error("context", name)
            st = _lib.fn(name)(self._h, *args)
            check(st, name, self._h)
            return st

    @property
    def last_error(self):
        """face_ctx_last_error: text of the last failed call, "" after a success."""
        with self._lock:
            if not self._h:
                return ""
            return _lib.fn("face_ctx_last_error")(self._h).decode("utf-8", "replace")

    # ------------------------------------------------------------ options
    def set_option(self, option, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("option values are ints, not %s" % type(value).__name__)
        if not -2 ** 63 <= value < 2 ** 63:
            raise ValueError("option value %d does not fit in int64" % value)
        self._call("face_ctx_set_option", int(option), value)

    def get_option(self, option):
        v = ctypes.c_int64()
        self._call("face_ctx_get_option", int(option), ctypes.byref(v))
        return v.value

    threads = property(lambda self: self.get_option(Option.THREADS),
                       lambda self, v: self.set_option(Option.THREADS, v))
    max_pixels = property(lambda self: self.get_option(Option.MAX_PIXELS),
                          lambda self, v: self.set_option(Option.MAX_PIXELS, v))
    max_faces = property(lambda self: self.get_option(Option.MAX_FACES),
                         lambda self, v: self.set_option(Option.MAX_FACES, v))
    max_file_bytes = property(lambda self: self.get_option(Option.MAX_FILE_BYTES),
                              lambda self, v: self.set_option(Option.MAX_FILE_BYTES, v))

    # ------------------------------------------------------------ images
    def _adopt(self, c):
        """Copy a library-decoded image into a bytearray the binding owns,
        then wipe and free the library's copy."""
        try:
            n = c.stride * c.height
            buf = bytearray(n)
            if n:
                ctypes.memmove((ctypes.c_uint8 * n).from_buffer(buf), c.data, n)
            return Image._adopt(buf, c.width, c.height, PixelFormat(c.format), c.stride)
        finally:
            with self._lock:
                if self._h:
                    _lib.fn("face_image_free")(self._h, ctypes.byref(c))

    def decode(self, data):
        """face_image_decode: a JPEG/PNG/BMP file's bytes -> RGB24 Image,
        under the context's MAX_PIXELS / MAX_FILE_BYTES limits."""
        c = S.Image()
        with borrow(data, "encoded image") as (addr, n):
            self._call("face_image_decode", addr, n, ctypes.byref(c))
        return self._adopt(c)

    def load_image(self, path):
        """face_image_load_file: decode an image file -> RGB24 Image."""
        c = S.Image()
        self._call("face_image_load_file", _path(path, "path"), ctypes.byref(c))
        return self._adopt(c)

    # ------------------------------------------------------------ pipeline
    def detect(self, image, options=None, **kwargs):
        """face_detect -> [Detection], best score first.

        image: Image or numpy array. options: DetectOptions, or its fields as
        keywords (detector=Detector.SSD, min_face_size=40, ...)."""
        img = as_image(image)
        if options is None:
            options = DetectOptions(**kwargs)
        elif kwargs:
            options = dataclasses.replace(options, **kwargs)
        elif not isinstance(options, DetectOptions):
            raise TypeError("options must be DetectOptions, not %s" % type(options).__name__)
        copts = options._to_c()
        cap = self._detect_capacity
        with img._c() as cimg:
            while True:
                out = (S.Detection * cap)()
                count = ctypes.c_size_t()
                try:
                    self._call("face_detect", ctypes.byref(cimg), ctypes.byref(copts), out, cap,
                               ctypes.byref(count))
                    break
                except FaceError as e:
                    if e.code != Status.BUFFER_TOO_SMALL or count.value <= cap:
                        raise
                    cap = count.value
        return [Detection(d.score, Rect(d.box.x, d.box.y, d.box.width, d.box.height))
                for d in out[:count.value]]

    def landmarks(self, image, box):
        """face_landmarks_detect: 68 points for the face in box (a Detection,
        Rect or (x, y, w, h))."""
        img = as_image(image)
        r = _rect(box)
        out = S.Landmarks()
        with img._c() as cimg:
            self._call("face_landmarks_detect", ctypes.byref(cimg), ctypes.byref(r),
                       ctypes.byref(out))
        return Landmarks._from_c(out)

    def align_chip(self, image, landmarks):
        """face_align_chip: dlib's 150x150 aligned chip -> Chip."""
        img = as_image(image)
        lm = _landmarks(landmarks)
        chip = Chip()
        with img._c() as cimg:
            self._call("face_align_chip", ctypes.byref(cimg), ctypes.byref(lm),
                       ctypes.byref(chip._c))
        return chip

    def faceapi_box(self, image, landmarks, det_box):
        """face-api's descriptor crop for these landmarks in this image."""
        img = as_image(image)
        return align_faceapi_box(landmarks, det_box, img.width, img.height)

    def embed_chip(self, chip, *, flip_avg=False):
        """face_embed_chip: Template of a dlib chip (Chip, or 150x150x3 RGB
        bytes / numpy array)."""
        if not isinstance(chip, Chip):
            chip = Chip.from_buffer(chip)
        opts = _embed_opts(AlignMode.DLIB, flip_avg)
        t = Template()
        self._call("face_embed_chip", ctypes.byref(chip._c), ctypes.byref(opts),
                   ctypes.byref(t._c))
        return t

    def embed_crop(self, image, crop, *, flip_avg=False):
        """face_embed_crop: Template of an image region, face-api style
        (FACEAPI fingerprint). crop: Rect or (x, y, w, h)."""
        img = as_image(image)
        r = _rect(crop, "crop")
        opts = _embed_opts(AlignMode.FACEAPI, flip_avg)
        t = Template()
        with img._c() as cimg:
            self._call("face_embed_crop", ctypes.byref(cimg), ctypes.byref(r), ctypes.byref(opts),
                       ctypes.byref(t._c))
        return t

    def embed(self, image, landmarks, det_box=None, *, align=AlignMode.DLIB, flip_avg=False):
        """face_embed: Template from landmarks, aligned as align says
        (FACEAPI needs det_box, the detection the landmarks came from)."""
        img = as_image(image)
        lm = _landmarks(landmarks)
        box = None if det_box is None else ctypes.byref(_rect(det_box, "det_box"))
        opts = _embed_opts(align, flip_avg)
        t = Template()
        with img._c() as cimg:
            self._call("face_embed", ctypes.byref(cimg), ctypes.byref(lm), box,
                       ctypes.byref(opts), ctypes.byref(t._c))
        return t

    def faces(self, image, options=None, *, align=AlignMode.DLIB, flip_avg=False, **kwargs):
        """Detect, then landmarks and a template for every face -> [Face]."""
        img = as_image(image)
        out = []
        for det in self.detect(img, options, **kwargs):
            lm = self.landmarks(img, det)
            out.append(Face(det, lm, self.embed(img, lm, det, align=align, flip_avg=flip_avg)))
        return out


def align_faceapi_box(landmarks, det_box, image_width, image_height):
    """face_align_faceapi_box: face-api's integer square descriptor crop,
    clipped to the image -> Rect."""
    lm = _landmarks(landmarks)
    r = _rect(det_box, "det_box")
    for v, what in ((image_width, "image_width"), (image_height, "image_height")):
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError("%s must be an int" % what)
        if not 0 < v < 2 ** 31:
            raise ValueError("%s = %d is out of range" % (what, v))
    out = S.Rect()
    st = _lib.fn("face_align_faceapi_box")(ctypes.byref(lm), ctypes.byref(r), image_width,
                                           image_height, ctypes.byref(out))
    check(st, "face_align_faceapi_box")
    return Rect(out.x, out.y, out.width, out.height)
