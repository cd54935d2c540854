"""The status bar's progress bar: shown while long background work runs, hidden when idle."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from player.store.db import Store
from player.ui.shell.main_window import MainWindow
from player.ui.shell.task_progress import TaskProgress
from player.ui.tasks import Job
from tests.conftest import FIXTURES


def test_indicator_shows_reports_and_hides(qtbot: QtBot) -> None:
    indicator = TaskProgress()
    qtbot.addWidget(indicator)
    indicator.show_after_ms = 0
    assert indicator.isHidden()
    first = indicator.track("Importing “a.json”…")
    assert not indicator.isHidden() and indicator.label.text() == "Importing “a.json”…"
    assert indicator.bar.maximum() == 0  # busy until the work says how far it is
    first.report(3, 10, "Storing lessons")
    assert (indicator.bar.value(), indicator.bar.maximum()) == (3, 10)
    assert indicator.label.text() == "Storing lessons"
    second = indicator.track("Opening “Git Basics”…")
    first.finish()
    assert not indicator.isHidden() and indicator.label.text() == "Opening “Git Basics”…"
    second.finish()
    assert indicator.isHidden() and indicator.label.text() == ""
    second.report(1, 2, "late")  # a report after the end changes nothing
    assert indicator.isHidden()


def test_quick_work_never_shows_the_bar(qtbot: QtBot) -> None:
    indicator = TaskProgress()
    qtbot.addWidget(indicator)
    indicator.show_after_ms = 60_000
    tracker = indicator.track("Opening…")
    tracker.finish()
    assert indicator.isHidden()
    tracker = indicator.track("Opening…")
    qtbot.wait(10)
    assert indicator.isHidden()  # the delay has not passed
    tracker.finish()


@pytest.fixture
def pool() -> Iterator[QThreadPool]:
    pool = QThreadPool()
    pool.setMaxThreadCount(2)
    yield pool
    pool.waitForDone(10_000)


@pytest.fixture
def threaded_window(qtbot: QtBot, imported: Store, pool: QThreadPool) -> MainWindow:
    """A window whose work runs on real threads: the test looks while it runs."""
    window = MainWindow(imported, pool=pool, follow_system_theme=False)
    qtbot.addWidget(window)
    window.task_progress.show_after_ms = 0
    window.resize(1000, 700)
    window.show()
    with qtbot.waitSignal(window.catalog_loaded, timeout=10_000):
        window.start()
    return window


def _blocking(gate: threading.Event) -> Callable[[Job], str]:
    def work(job: Job) -> str:
        job.progress(1, 4, "Step 1 of 4")
        gate.wait(10)
        return "done"

    return work


def test_long_work_shows_the_bar_in_the_status_bar(
    qtbot: QtBot, threaded_window: MainWindow
) -> None:
    window = threaded_window
    bar = window.task_progress
    assert not bar.isVisible()
    gate = threading.Event()
    results: list[str] = []
    window.tasks.write(_blocking(gate), results.append, message="Importing “big.json”…")
    qtbot.waitUntil(lambda: bar.isVisible() and bar.bar.maximum() == 4)
    assert bar.bar.value() == 1 and bar.label.text() == "Step 1 of 4"
    assert window.statusBar().isAncestorOf(bar)
    gate.set()
    qtbot.waitUntil(lambda: results == ["done"])
    assert not bar.isVisible()


def test_import_reports_progress(
    qtbot: QtBot, threaded_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = threaded_window
    seen: list[tuple[int, int, str]] = []
    original = window.task_progress.update_task

    def spy(key: int, done: int, total: int, message: str) -> None:
        seen.append((done, total, message))
        original(key, done, total, message)

    monkeypatch.setattr(window.task_progress, "update_task", spy)
    with qtbot.waitSignal(window.course_shown, timeout=10_000):  # imported, then opened
        window.import_path(FIXTURES / "git-basics.json")
    qtbot.waitUntil(lambda: not window.task_progress.busy)
    assert seen == [(0, 0, "Importing “git-basics.json”…"), (0, 0, "Opening “Git Basics”…")]
    assert not window.task_progress.isVisible()


def test_signing_out_hides_the_bar(qtbot: QtBot, threaded_window: MainWindow) -> None:
    window = threaded_window
    gate = threading.Event()
    window.tasks.read(_blocking(gate), lambda _result: None, message="Opening “Git Basics”…")
    qtbot.waitUntil(window.task_progress.isVisible)
    window.switch_action.trigger()
    window.learner_chooser.choose("guest")  # the same learner: nothing to reset
    assert window.task_progress.isVisible()
    window.sign_out()
    assert not window.task_progress.isVisible()
    assert window.task_progress.label.text() == ""
    gate.set()
