"""Cycles holding Qt objects are freed on the UI thread, never on a worker that happened to
allocate (the cause of "QObject::killTimer: Timers cannot be stopped from another thread")."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, QTimer
from pytestqt.qtbot import QtBot

from player.ui.shell.garbage import GarbageCollector


class Holder:
    """A controller-like object in a reference cycle with a Qt timer."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.me = self


@pytest.fixture
def collector(qtbot: QtBot) -> Iterator[GarbageCollector]:
    enabled = gc.isenabled()
    gc.enable()
    owner = QObject()
    made = GarbageCollector(owner, interval_ms=10)
    yield made
    made.stop()
    if not enabled:
        gc.disable()


def test_it_owns_collection_while_it_runs(collector: GarbageCollector) -> None:
    assert not gc.isenabled()
    collector.stop()
    assert gc.isenabled()


def test_a_cycle_dropped_on_a_worker_is_freed_on_the_ui_thread(
    qtbot: QtBot, collector: GarbageCollector
) -> None:
    holder = Holder()
    alive = weakref.ref(holder)
    timer_alive = weakref.ref(holder.timer)
    box = [holder]
    del holder

    def worker() -> None:
        box.clear()  # the last outside reference goes on this thread
        junk = []
        for _ in range(200_000):  # far past every threshold: an enabled collector would run here
            cycle: list[object] = []
            cycle.append(cycle)
            junk.append(cycle)
            if len(junk) > 100:
                junk.clear()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert alive() is not None  # nothing collected on the worker

    qtbot.waitUntil(lambda: alive() is None, timeout=5_000)  # the UI thread's timer freed it
    assert timer_alive() is None


def test_check_collects_only_past_a_threshold(collector: GarbageCollector) -> None:
    gc.collect()
    assert collector.check() == -1
    for _ in range(gc.get_threshold()[0] + 10):
        cycle: list[object] = []
        cycle.append(cycle)
    assert collector.check() >= 0
