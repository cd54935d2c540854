"""Python's cycle collector runs on the UI thread only, from a timer (Anki's ``GarbageCollector``).

Left automatic, the collector runs in whichever thread happens to allocate when a threshold is
crossed: a pool worker, the HTTP client's thread. If the garbage it finds holds a Qt object (a
controller in a reference cycle with its timer, a finished job's closure), that object is then
destroyed on the wrong thread: "QObject::killTimer: Timers cannot be stopped from another
thread", and at worst a crash. So the window turns automatic collection off while it runs and
collects here, on the UI thread, a generation at a time as the thresholds say (the same work the
interpreter would have done, at a moment that is safe). Reference counting still frees
everything that is not in a cycle at once, on any thread, as before.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

#: How often the UI thread looks at the allocation counts. The collection itself is short (a young
#: generation); a full one runs only when the thresholds ask for it, as without this class.
INTERVAL_MS = 500


class GarbageCollector(QObject):
    """Owns automatic garbage collection while it exists: off, replaced by ``check`` on a timer.

    ``stop()`` (or the parent's destruction) turns automatic collection back on.
    """

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()
        self.destroyed.connect(_restore(self._was_enabled))

    def check(self) -> int:
        """Collect the oldest generation whose count passed its threshold; returns the
        generation collected, or -1 when none needed it."""
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        generation = -1
        for index, (count, threshold) in enumerate(zip(counts, thresholds, strict=False)):
            if threshold and count > threshold:
                generation = index
        if generation >= 0:
            gc.collect(generation)
        return generation

    def stop(self) -> None:
        """Collect once more, here, and give collection back to the interpreter."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()


def _restore(enabled: bool) -> Callable[[], None]:
    # A plain function, not a bound method: the slot must not keep the dying object alive.
    def restore() -> None:
        if enabled:
            gc.enable()

    return restore
