"""Guards against a known-bad Qt binding: the UI emits thousands of signals from Python."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot


class _Emitter(QObject):
    ping = Signal(int)


def test_python_side_emits_keep_reference_counts(qtbot: QtBot) -> None:
    # PySide6 6.12.0 lost a reference to True per emit and aborted the interpreter (bool_dealloc).
    emitter = _Emitter()
    received: list[int] = []
    emitter.ping.connect(received.append)
    before = sys.getrefcount(True)
    for n in range(200):
        emitter.ping.emit(n)
    assert len(received) == 200
    assert sys.getrefcount(True) >= before
