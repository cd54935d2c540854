"""A workaround for a reference-count bug in PySide6 6.12: ``SignalInstance.emit`` returns ``True``
without taking a reference to it.

Every signal emitted from Python code (``signal.emit(...)``, e.g. each background task's result
and each progress step in ``player.ui.tasks``) then drops one reference to ``True``; after enough
emits (a long sync reports thousands of steps) the interpreter aborts with "Fatal Python error:
bool_dealloc: deallocating True or False", often only at exit. Signals emitted by Qt itself (a
button's ``clicked``) are not affected.

``install()`` checks whether the running PySide6 has the bug (a few emits of a private signal) and
only then wraps ``SignalInstance.emit`` to give the returned bool the reference it lacks. It is
idempotent and does nothing on a PySide6 without the bug. ``player.ui.sync`` installs it on
import; the application should call it once at start-up (see the sync report).
"""

from __future__ import annotations

import ctypes
import logging
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

log = logging.getLogger(__name__)

_MARK = "_course_player_refcount_fix"
_PROBES = 16


class _Probe(QObject):
    ping = Signal()


def emit_leaks_true() -> bool:
    """True when ``emit()`` loses a reference to ``True`` in this PySide6."""
    probe = _Probe()
    original = getattr(SignalInstance.emit, "__wrapped__", SignalInstance.emit)
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        original(probe.ping)
    lost = before - sys.getrefcount(True)
    if lost > 0:
        for _ in range(lost):  # give back what the probe took
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return lost >= _PROBES


def install() -> bool:
    """Patch ``SignalInstance.emit`` when needed; True when the fix is (now) active."""
    if getattr(SignalInstance.emit, _MARK, False):
        return True
    if not emit_leaks_true():
        return False
    original = SignalInstance.emit

    def emit(self: SignalInstance, *args: Any) -> Any:
        result = original(self, *args)
        if result is True or result is False:
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
        return result

    setattr(emit, _MARK, True)
    emit.__wrapped__ = original  # type: ignore[attr-defined]
    SignalInstance.emit = emit  # type: ignore[method-assign]
    log.info("PySide6 emit() reference-count workaround installed")
    return True
