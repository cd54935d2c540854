"""TaskRunner: results in the UI thread, errors, progress, cancelling, lanes, stale results,
and what finished work keeps alive."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QObject, QThreadPool
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from player import foreground
from player.errors import Cancelled, PackageError
from player.ui.tasks import ImmediatePool, Job, TaskRunner, shared_lanes


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


class LatePool:
    """Keeps the runnables; the test runs them when it wants to."""

    def __init__(self) -> None:
        self.runnables: list[Any] = []

    def start(self, runnable: Any, priority: int = 0) -> None:
        self.runnables.append(runnable)


@pytest.fixture
def pool() -> Iterator[QThreadPool]:
    pool = QThreadPool()
    pool.setMaxThreadCount(2)
    yield pool
    pool.waitForDone(10_000)


@pytest.fixture
def runner(pool: QThreadPool) -> TaskRunner:
    return TaskRunner(pool=pool)


def test_result_is_delivered_in_the_ui_thread(qtbot: QtBot, runner: TaskRunner) -> None:
    outcome = Outcome()
    worker_threads: list[threading.Thread] = []

    def work(_job: Job) -> int:
        worker_threads.append(threading.current_thread())
        return 42

    handle = runner.read(work, outcome.success, outcome.failure)
    qtbot.waitUntil(lambda: outcome.finished)
    assert outcome.results == [42]
    assert worker_threads[0] is not threading.main_thread()
    assert outcome.threads == [threading.main_thread()]
    assert handle.done


def test_errors_reach_on_failure(qtbot: QtBot, runner: TaskRunner) -> None:
    outcome = Outcome()

    def work(_job: Job) -> None:
        raise PackageError("this file is not a course")

    runner.write(work, outcome.success, outcome.failure)
    qtbot.waitUntil(lambda: outcome.finished)
    assert [str(e) for e in outcome.errors] == ["this file is not a course"]
    assert outcome.threads == [threading.main_thread()]


def test_failures_without_on_failure_go_to_on_error() -> None:
    errors: list[BaseException] = []
    runner = TaskRunner(on_error=errors.append, pool=ImmediatePool())
    runner.network(lambda _job: 1 / 0, lambda _result: None)
    assert len(errors) == 1 and isinstance(errors[0], ZeroDivisionError)


def test_progress_is_marshalled_to_the_ui_thread(qtbot: QtBot, runner: TaskRunner) -> None:
    outcome = Outcome()

    def work(job: Job) -> str:
        for i in range(3):
            job.progress(i + 1, 3, f"step {i + 1}")
        return "done"

    runner.read(work, outcome.success, outcome.failure, on_progress=outcome.progressed)
    qtbot.waitUntil(lambda: outcome.finished)
    assert outcome.results == ["done"]
    assert set(outcome.threads) == {threading.main_thread()}
    # progress is delivered in order, before the result
    assert outcome.progress == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3")]


def test_cancel_flag_and_cancelled_is_reported(qtbot: QtBot, runner: TaskRunner) -> None:
    outcome = Outcome()
    started = threading.Event()

    def work(job: Job) -> None:
        started.set()
        if not job.cancel_event.wait(5):
            raise AssertionError("never cancelled")
        job.raise_if_cancelled()

    handle = runner.read(work, outcome.success, outcome.failure)
    assert started.wait(5)
    handle.cancel()
    qtbot.waitUntil(lambda: outcome.finished)
    assert len(outcome.errors) == 1 and isinstance(outcome.errors[0], Cancelled)


def test_a_task_cancelled_before_it_starts_does_not_run() -> None:
    outcome = Outcome()
    ran: list[bool] = []
    late = LatePool()
    handle = TaskRunner(pool=late).read(
        lambda _job: ran.append(True), outcome.success, outcome.failure
    )
    handle.cancel()
    late.runnables[0].run()
    assert ran == []
    assert isinstance(outcome.errors[0], Cancelled)


def test_immediate_pool_runs_in_place() -> None:
    outcome = Outcome()
    handle = TaskRunner(pool=ImmediatePool()).read(
        lambda _job: "now", outcome.success, outcome.failure
    )
    assert handle.done and outcome.results == ["now"]


def test_no_callback_after_the_context_is_gone(qtbot: QtBot, pool: QThreadPool) -> None:
    outcome = Outcome()
    context = QObject()
    release = threading.Event()
    TaskRunner(context, pool=pool).read(
        lambda _job: release.wait(5), outcome.success, outcome.failure
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


def test_reset_drops_the_results_of_work_started_before_it(qtbot: QtBot) -> None:
    context = QObject()
    failures: list[BaseException] = []
    late = LatePool()
    runner = TaskRunner(context, on_error=failures.append, pool=late)
    outcome = Outcome()
    old = runner.read(lambda _job: "old learner", outcome.success)
    runner.reset()
    assert old.cancelled
    runner.write(lambda _job: "new learner", outcome.success)
    for runnable in late.runnables:
        runnable.run()
    assert outcome.results == ["new learner"]
    assert failures == []  # the cancelled earlier task reports nothing either
    assert old.done and runner.running == []
    runner.read(lambda _job: 1 / 0, outcome.success)
    late.runnables[-1].run()
    assert len(failures) == 1 and isinstance(failures[0], ZeroDivisionError)


def test_reset_and_cancel_all_let_writes_finish() -> None:
    late = LatePool()
    runner = TaskRunner(pool=late)
    stored: list[str] = []
    outcome = Outcome()
    write = runner.write(lambda _job: stored.append("completed"), outcome.success)
    read = runner.read(lambda _job: "catalog", outcome.success, outcome.failure)
    runner.cancel_all()
    runner.reset()
    assert read.cancelled and not write.cancelled
    for runnable in late.runnables:
        runnable.run()
    assert stored == ["completed"]  # the learner's write is kept
    assert outcome.results == [] and outcome.errors == []  # both outcomes are stale


def test_a_reset_elsewhere_drops_nothing_here() -> None:
    late = LatePool()
    window, controller = TaskRunner(pool=late), TaskRunner(pool=late)
    outcome = Outcome()
    window.read(lambda _job: "window", outcome.success)
    controller.reset()
    late.runnables[0].run()
    assert outcome.results == ["window"]


def test_writes_run_one_at_a_time_on_the_applications_lanes(qtbot: QtBot) -> None:
    runner = TaskRunner()  # the application's lanes: one writer
    lock = threading.Lock()
    inside: list[int] = []
    most: list[int] = [0]
    finished: list[int] = []

    def write(job: Job) -> None:
        with lock:
            inside.append(1)
            most[0] = max(most[0], len(inside))
        threading.Event().wait(0.01)  # let another writer in, if the lane allowed one
        with lock:
            inside.pop()

    def done(i: int) -> Callable[[None], None]:
        return lambda _result: finished.append(i)

    for i in range(4):
        runner.write(write, done(i))
    qtbot.waitUntil(lambda: len(finished) == 4)
    assert finished == [0, 1, 2, 3]  # in the order they were asked for
    assert most == [1]
    assert runner.lanes.write is shared_lanes().write


def test_a_widget_and_its_runner_die_without_the_collector(qtbot: QtBot) -> None:
    """A runner holds no reference to its context: no cycle for the collector to free later,
    perhaps on a pool thread. Its failures are shown over the widget (``show_error``)."""

    class Screen(QWidget):
        def __init__(self) -> None:
            super().__init__()
            self.tasks = TaskRunner(self, pool=ImmediatePool())

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        widget = Screen()
        widget.tasks.read(lambda _job: 1, lambda _result: None)
        gone = weakref.ref(widget)
        del widget
        assert gone() is None
    finally:
        if was_enabled:
            gc.enable()


def test_finished_work_keeps_nothing_of_its_op_alive(qtbot: QtBot, pool: QThreadPool) -> None:
    """The objects an op closes over die with the last UI-thread reference, not later in the
    collector (which may run on a pool thread: Qt objects must die in their own thread)."""

    class Owner:
        pass

    outcome = Outcome()
    owners = [Owner()]
    gone = weakref.ref(owners[0])

    def work(_job: Job) -> None:
        kept = owners[0]  # a local of a frame on the error's traceback
        raise PackageError(f"failed for {kept!r}")

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        TaskRunner(pool=pool).read(work, outcome.success, outcome.failure)
        qtbot.waitUntil(lambda: outcome.finished)
        pool.waitForDone(5000)
        owners.clear()
        assert gone() is None  # although the error is still kept in ``outcome``
        assert isinstance(outcome.errors[0], PackageError)
    finally:
        if was_enabled:
            gc.enable()


def test_an_urgent_read_holds_the_foreground_until_its_result_is_shown() -> None:
    late = LatePool()
    runner = TaskRunner(pool=late)
    seen: list[tuple[object, ...]] = []

    def op(_job: Job) -> str:
        # its own pauses (a search indexing older packages) never wait for itself
        seen.append(("op", foreground.held(), foreground.pause(max_seconds=120.0)))
        return "lesson"

    runner.read(op, lambda result: seen.append(("shown", result, foreground.held())))
    assert foreground.held()  # from the moment it is asked for
    late.runnables[0].run()
    assert seen == [("op", True, False), ("shown", "lesson", True)]
    assert not foreground.held()


def test_a_failed_or_dropped_urgent_read_lets_the_foreground_go() -> None:
    late = LatePool()
    failures: list[BaseException] = []
    runner = TaskRunner(on_error=failures.append, pool=late)
    runner.read(lambda _job: 1 / 0, Outcome().success)
    late.runnables.pop().run()
    assert len(failures) == 1 and not foreground.held()
    shown = Outcome()
    runner.read(lambda _job: "stale", shown.success)
    runner.reset()  # its outcome is dropped
    assert foreground.held()
    late.runnables.pop().run()
    assert shown.results == [] and not foreground.held()


def test_exports_writes_and_network_work_hold_nothing() -> None:
    runner = TaskRunner(pool=ImmediatePool())
    held: list[bool] = []
    runner.read(lambda _job: held.append(foreground.held()), Outcome().success, urgent=False)
    runner.write(lambda _job: held.append(foreground.held()), Outcome().success)
    runner.network(lambda _job: held.append(foreground.held()), Outcome().success)
    assert held == [False, False, False]
