"""The learner's reads first: background steps wait while the learner waits for one.

CPython runs one thread's Python at a time. During a sync, four download threads parse, verify
and extract search text while a fifth stores batches: a lesson opened meanwhile got a fifth of the
interpreter and took four times as long as on an idle window (issue 13). So a read the learner
waits for (a lesson, a course overview, a search: the window's urgent reads, ``player.ui.tasks``)
*holds* the foreground from the moment it is asked for until its result has been shown, and the
background's CPU-heavy steps call ``pause()`` between two items (a download, a parse, a lesson's
text, a batch of stored packages): while something holds the foreground, they wait, never longer than
``MAX_PAUSE`` at a time, so a hold that is never released only slows them down.

A thread that runs foreground work (``running()``) never pauses, so a search that indexes older
packages on its way does not wait for itself. The core pauses, the UI holds: nothing here knows
about Qt, and without a window (the command line) nothing ever holds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

MAX_PAUSE = 0.2  # seconds one pause() waits at most

_changed = threading.Condition()
_holds = 0  # foreground work asked for and not yet shown
_pausing = 0  # background threads waiting in pause() now
_here = threading.local()


def hold() -> Callable[[], None]:
    """Hold the foreground until the returned function is called (calling it again is
    harmless)."""
    global _holds
    with _changed:
        _holds += 1
    released = False

    def release() -> None:
        global _holds
        nonlocal released
        with _changed:
            if released:
                return
            released = True
            _holds -= 1
            if not _holds:
                _changed.notify_all()

    return release


@contextmanager
def running() -> Iterator[None]:
    """Mark the current thread as doing foreground work: ``pause()`` returns at once in it."""
    before = getattr(_here, "foreground", False)
    _here.foreground = True
    try:
        yield
    finally:
        _here.foreground = before


def held() -> bool:
    """Does anything hold the foreground now?"""
    return _holds > 0


def pausing() -> int:
    """How many background threads wait in ``pause()`` now."""
    return _pausing


def pause(max_seconds: float | None = None) -> bool:
    """Wait while the foreground is held, at most ``max_seconds`` (default ``MAX_PAUSE``);
    True when it waited. Call it from background work between two items, holding no lock
    (never inside a write transaction: a foreground read may need to write)."""
    global _pausing
    if not _holds or getattr(_here, "foreground", False):
        return False  # the common case: no lock taken
    with _changed:
        if not _holds:
            return False
        _pausing += 1
        try:
            _changed.wait_for(lambda: not _holds, MAX_PAUSE if max_seconds is None else max_seconds)
        finally:
            _pausing -= 1
    return True
