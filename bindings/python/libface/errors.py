"""Status codes and the FaceError exception."""
import enum

from . import _lib


class Status(enum.IntEnum):
    """Mirror of face_status (include/face/status.h). Values never change."""
    OK = 0
    INVALID_ARGUMENT = 1
    OUT_OF_MEMORY = 2
    IO = 3
    UNSUPPORTED_VERSION = 4
    CORRUPT = 5
    AUTH = 6
    MODEL_MISMATCH = 7
    LIMIT = 8
    NOT_FOUND = 9
    ISA_UNAVAILABLE = 10
    BUFFER_TOO_SMALL = 11
    EXISTS = 12
    STATE = 13
    INTERNAL = 14


class FaceError(Exception):
    """A libface call failed.

    .code      a Status (or the plain int for a code newer than this binding)
    .message   the library's text: the context's last error where a context
               was involved, else face_strerror(code)
    .function  the C function (or binding method) that failed
    """

    def __init__(self, code, message, function=None):
        try:
            code = Status(code)
        except ValueError:
            # The header promises unknown positive codes may appear; keep them.
            code = int(code)
        self.code = code
        self.message = message
        self.function = function
        name = code.name if isinstance(code, Status) else str(code)
        where = "%s: " % function if function and not message.startswith(function) else ""
        super().__init__("[%s] %s%s" % (name, where, message))


def strerror(code):
    """face_strerror: static English text of a status code."""
    return _lib.fn("face_strerror")(int(code)).decode("utf-8", "replace")


def check(status, function, ctx_handle=None):
    """Raise FaceError unless status is FACE_OK.

    ctx_handle: the face_ctx the call ran on; its last error is read right
    away, before any other call on that context can replace it."""
    if status == 0:
        return
    message = ""
    if ctx_handle:
        message = _lib.fn("face_ctx_last_error")(ctx_handle).decode("utf-8", "replace")
    if not message:
        message = strerror(status)
    raise FaceError(status, message, function)


def state_error(what, function=None):
    """The error for using a closed handle: FACE_ERR_STATE, as the C API
    reports for a closed watchlist."""
    return FaceError(Status.STATE, "%s is closed" % what, function)
