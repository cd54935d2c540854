"""run_in_background: results in the UI thread, errors, progress, cancelling."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QObject, QThreadPool
from pytestqt.qtbot import QtBot

from player.errors import Cancelled, PackageError
from player.ui.tasks import ImmediatePool, TaskGroup, run_in_background


class Outcome:
    def __init__(self) -> None:
        self.results: list[Any] = []
        self.errors: list[BaseException] = []
        self.progress: list[tuple[int, int, str]] = []
        self.threads: list[threading.Thread] = []

    def success(self, result: Any) -> None:
        self.threads.append(threading.current_thread())
        self.results.append(result)

    def failure(self, error: BaseException) -> None:
        self.threads.append(threading.current_thread())
        self.errors.append(error)

    def progressed(self, done: int, total: int, message: str) -> None:
        self.threads.append(threading.current_thread())
        self.progress.append((done, total, message))

    @property
    def finished(self) -> bool:
        return bool(self.results or self.errors)


@pytest.fixture
def pool() -> QThreadPool:
    pool = QThreadPool()
    pool.setMaxThreadCount(2)
    return pool


def test_result_is_delivered_in_the_ui_thread(qtbot: QtBot, pool: QThreadPool) -> None:
    outcome = Outcome()
    worker_threads: list[threading.Thread] = []

    def work() -> int:
        worker_threads.append(threading.current_thread())
        return 42

    handle = run_in_background(work, outcome.success, outcome.failure, pool=pool)
    qtbot.waitUntil(lambda: outcome.finished)
    assert outcome.results == [42]
    assert worker_threads[0] is not threading.main_thread()
    assert outcome.threads == [threading.main_thread()]
    assert handle.done


def test_errors_reach_on_failure(qtbot: QtBot, pool: QThreadPool) -> None:
    outcome = Outcome()

    def work() -> None:
        raise PackageError("this file is not a course")

    run_in_background(work, outcome.success, outcome.failure, pool=pool)
    qtbot.waitUntil(lambda: outcome.finished)
    assert [str(e) for e in outcome.errors] == ["this file is not a course"]
    assert outcome.threads == [threading.main_thread()]


def test_progress_is_marshalled_to_the_ui_thread(qtbot: QtBot, pool: QThreadPool) -> None:
    outcome = Outcome()

    def work(progress: Any) -> str:
        for i in range(3):
            progress(i + 1, 3, f"step {i + 1}")
        return "done"

    run_in_background(
        work, outcome.success, outcome.failure, on_progress=outcome.progressed, pool=pool
    )
    qtbot.waitUntil(lambda: outcome.finished)
    assert outcome.results == ["done"]
    assert set(outcome.threads) == {threading.main_thread()}
    # progress is delivered in order; any that arrive after the result are dropped
    assert (
        outcome.progress
        == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3")][: len(outcome.progress)]
    )


def test_cancel_flag_and_cancelled_is_reported(qtbot: QtBot, pool: QThreadPool) -> None:
    outcome = Outcome()
    started = threading.Event()

    def work(cancel: threading.Event) -> None:
        started.set()
        if not cancel.wait(5):
            raise AssertionError("never cancelled")
        raise Cancelled()

    handle = run_in_background(work, outcome.success, outcome.failure, pool=pool)
    assert started.wait(5)
    handle.cancel()
    qtbot.waitUntil(lambda: outcome.finished)
    assert len(outcome.errors) == 1 and isinstance(outcome.errors[0], Cancelled)


def test_a_task_cancelled_before_it_starts_does_not_run() -> None:
    outcome = Outcome()
    ran: list[bool] = []

    class LatePool:
        def __init__(self) -> None:
            self.runnables: list[Any] = []

        def start(self, runnable: Any, priority: int = 0) -> None:
            self.runnables.append(runnable)

    late = LatePool()
    handle = run_in_background(
        lambda: ran.append(True), outcome.success, outcome.failure, pool=late
    )
    handle.cancel()
    late.runnables[0].run()
    assert ran == []
    assert isinstance(outcome.errors[0], Cancelled)


def test_immediate_pool_runs_in_place() -> None:
    outcome = Outcome()
    handle = run_in_background(
        lambda: "now", outcome.success, outcome.failure, pool=ImmediatePool()
    )
    assert handle.done and outcome.results == ["now"]


def test_no_callback_after_the_context_is_gone(qtbot: QtBot, pool: QThreadPool) -> None:
    outcome = Outcome()
    context = QObject()
    release = threading.Event()
    run_in_background(
        lambda: release.wait(5), outcome.success, outcome.failure, pool=pool, context=context
    )
    context.deleteLater()
    qtbot.waitUntil(lambda: not _alive(context))
    release.set()
    pool.waitForDone(5000)
    qtbot.wait(20)
    assert not outcome.finished


def _alive(obj: QObject) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)


def test_task_group_drops_results_of_work_started_before_reset(qtbot: QtBot) -> None:
    class LatePool:
        def __init__(self) -> None:
            self.runnables: list[Any] = []

        def start(self, runnable: Any, priority: int = 0) -> None:
            self.runnables.append(runnable)

    context = QObject()
    failures: list[BaseException] = []
    late = LatePool()
    group = TaskGroup(context, failures.append, pool=late)
    outcome = Outcome()
    old = group.read(lambda: "old learner", outcome.success)
    group.reset()
    assert old.cancelled
    group.write(lambda: "new learner", outcome.success)
    for runnable in late.runnables:
        runnable.run()
    assert outcome.results == ["new learner"]
    assert failures == []  # the cancelled earlier task reports nothing either
    group.read(lambda: 1 / 0, outcome.success)
    late.runnables[-1].run()
    assert len(failures) == 1 and isinstance(failures[0], ZeroDivisionError)
