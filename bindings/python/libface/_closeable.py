"""Deterministic release for objects that own a C handle or biometric bytes."""


class Closeable:
    """Context manager and finaliser around the subclass's close()."""

    __slots__ = ()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
