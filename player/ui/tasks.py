"""Background work for the UI: one API, three lanes (Anki's ``QueryOp``/``CollectionOp``).

Every screen, dialog and controller runs store, network, import and export work through a
``TaskRunner``; nothing else in ``player/ui`` starts a thread::

    self.tasks = TaskRunner(self, pool=pool)  # failures without on_failure: show_error(self, …)

    self.tasks.read(lambda job: search(store, text), self.show_hits)        # QueryOp
    self.tasks.write(lambda job: enroll(store, profile, course), done)      # CollectionOp
    self.tasks.network(lambda job: sign_in(store, url, user, pw), done, failed)

    handle = self.tasks.read(
        lambda job: export(..., on_progress=job.progress, cancel=job.cancel_event),
        done,
        failed,
        on_progress=self.show_progress,       # (done, total, message), in the UI thread
        message=_("Exporting…"),              # or: the status bar's progress bar shows it
    )
    handle.cancel()                           # the op sees job.cancelled and raises Cancelled

The lanes:

- ``read``: store reads and long jobs that mostly read (opening a lesson, PDF export). They run
  side by side on ``QThreadPool.globalInstance()``. A read is urgent unless it says otherwise
  (``urgent=False``: an export): until its result is shown, a sync's CPU-heavy steps wait
  (``player.foreground``), so a lesson opens during a sync about as fast as without one.
- ``write``: store writes the learner asked for (enroll, mark complete, import, installing the
  samples). One thread for the whole application: one writer, in the order they were asked for.
- ``network``: work that waits on a server (sync, sign-in, buy, the offline probe). Its store
  writes are short transactions that the store serializes with everything else (one write lock
  per process, ``player/store/db.py``), so a slow server never holds up the write lane.

The op (the work) is a plain function of one argument, the ``Job``: ``job.progress(done, total,
message)`` reports progress; ``job.cancelled``/``job.cancel_event``/``job.raise_if_cancelled()``
tell it to stop (it raises ``player.errors.Cancelled``). The op never touches a widget: it gets
plain values and returns one. ``on_success(result)``, ``on_failure(error)`` and ``on_progress``
run in the UI thread. A failure without ``on_failure`` goes to the runner's ``on_error``, by
default ``show_error`` over the context when it is a widget (``Cancelled`` is quiet there), else
the log; ``Cancelled`` reaches ``on_failure`` like any error. (Callbacks are held only until the
outcome is delivered; ``on_error`` as long as the runner: never give it a bound method or a
lambda of the context, which would make a cycle between them.)

Stale results are dropped in one place (``_deliver``): nothing reaches a callback when the
runner's ``context`` object is gone (a closed dialog) or when the work was started before the
runner's ``reset()`` (the window calls it when the learner changes, ``SyncController`` when its
learner does). ``reset()`` and ``cancel_all()`` (the window's close) ask reads and network work to
stop; writes always finish (what the learner did is stored), only their outcome may be dropped.

Lifetimes: the worker lets go of the op as soon as it returned and the callbacks are held by the
UI thread only, so a controller or dialog is never freed on a pool thread (Qt objects with timers
must die in their own thread); the frames of a failure's traceback are cleared once it was
delivered, so an error kept for later does not keep its op's objects alive either.

Tests (and the screenshot script) pass ``pool=ImmediatePool()``: every lane then runs in place
and every callback has run when ``read``/``write``/``network`` return (Picard's FakeThreadPool).
A test that passes a real ``QThreadPool`` gets all three lanes on it.
"""

from __future__ import annotations

import itertools
import logging
import threading
import traceback
import weakref
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QDeadlineTimer,
    QObject,
    QRunnable,
    QThreadPool,
    Signal,
    Slot,
)
from PySide6.QtWidgets import QWidget

from player import foreground
from player.errors import Cancelled
from player.ui.shell.error_dialogs import show_error

log = logging.getLogger(__name__)

T = TypeVar("T")

ProgressCallback = Callable[[int, int, str], None]
FailureCallback = Callable[[BaseException], None]

NETWORK_THREADS = 4

__all__ = [
    "FailureCallback",
    "ImmediatePool",
    "Job",
    "Lanes",
    "Pool",
    "ProgressCallback",
    "ProgressTracker",
    "TaskHandle",
    "TaskRunner",
    "wait_for_background_work",
]


class Pool(Protocol):
    """What a lane needs of a pool: ``QThreadPool`` and ``ImmediatePool`` fit."""

    def start(self, runnable: QRunnable, priority: int = ...) -> None: ...


class ImmediatePool:
    """A pool that runs each task at once in the calling thread (for tests and scripts)."""

    def start(self, runnable: QRunnable, priority: int = 0) -> None:
        runnable.run()


class ProgressTracker(Protocol):
    """One long task's entry in a progress display (``player.ui.shell.task_progress.Tracker``)."""

    def report(self, done: int, total: int, message: str) -> None: ...

    def finish(self) -> None: ...


@dataclass(frozen=True)
class Lanes:
    """The three pools work runs on (see the module docstring)."""

    read: Pool
    write: Pool
    network: Pool

    @classmethod
    def on(cls, pool: Pool) -> Lanes:
        """Every lane on one pool (tests: ``ImmediatePool`` or their own ``QThreadPool``)."""
        return cls(pool, pool, pool)


_shared: tuple[QThreadPool, QThreadPool] | None = None


def shared_lanes() -> Lanes:
    """The application's lanes: the global pool for reads, one writer, a network pool."""
    global _shared
    if _shared is None or not all(shiboken6.isValid(pool) for pool in _shared):
        app = QCoreApplication.instance()  # the pools live (and are waited for) with the app
        writer = QThreadPool(app)
        writer.setObjectName("writeLane")
        writer.setMaxThreadCount(1)
        network = QThreadPool(app)
        network.setObjectName("networkLane")
        network.setMaxThreadCount(NETWORK_THREADS)
        _shared = (writer, network)
    return Lanes(QThreadPool.globalInstance(), _shared[0], _shared[1])


def wait_for_background_work(msecs: int) -> bool:
    """At exit: let started work end, delivering outcomes (and finishing the work their callbacks
    start, e.g. the first start's samples), until nothing is pending or ``msecs`` have passed.
    True when nothing is pending."""
    deadline = QDeadlineTimer(msecs)
    while True:
        pools = [QThreadPool.globalInstance(), *(_shared or ())]
        for pool in pools:
            if shiboken6.isValid(pool):
                pool.waitForDone(max(0, deadline.remainingTime()))
        QCoreApplication.processEvents()  # the outcomes' deliveries
        if not _pending or deadline.hasExpired():
            return not _pending


class TaskHandle:
    """A started task: ``cancel()`` asks it to stop; ``done`` once its outcome was delivered."""

    def __init__(self) -> None:
        self.cancel_event = threading.Event()
        self.done = False

    def cancel(self) -> None:
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()


class Job:
    """What an op gets: a way to report progress and to learn that it should stop."""

    def __init__(self, task_id: int, handle: TaskHandle, relay: _Relay) -> None:
        self._task_id = task_id
        self._relay = relay
        #: Set when the task is cancelled (for core functions that take an event).
        self.cancel_event = handle.cancel_event

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def raise_if_cancelled(self) -> None:
        if self.cancel_event.is_set():
            raise Cancelled()

    def progress(self, done: int, total: int, message: str = "") -> None:
        """Report progress; delivered to ``on_progress`` (and the tracker) in the UI thread."""
        self._relay.progressed.emit(self._task_id, done, total, message)


@dataclass
class _Outcome:
    task_id: int
    result: Any = None
    error: BaseException | None = None


@dataclass
class _Pending:
    """A started task as the UI thread knows it (only the UI thread reads or changes these)."""

    runner: TaskRunner
    generation: int
    handle: TaskHandle
    on_success: Callable[[Any], None]
    on_failure: FailureCallback | None
    on_progress: ProgressCallback | None
    tracker: ProgressTracker | None
    write: bool  # a store write: never cancelled by ``reset``/``cancel_all``, it finishes
    release: Callable[[], None] | None = None  # the foreground it holds (``player.foreground``)


_pending: dict[int, _Pending] = {}
# Outcomes handed from a worker to the UI thread: the worker drops its own reference before it
# signals, so the last reference to a result or an error (and to what its traceback's frames
# hold) always goes in the UI thread.
_outcomes: dict[int, _Outcome] = {}
_task_ids = itertools.count(1)


class _Relay(QObject):
    """Lives in the UI thread; workers emit its signals, its slots run there."""

    finished = Signal(int)  # task id; the outcome waits in ``_outcomes``
    progressed = Signal(int, int, int, str)  # task id, done, total, message

    def __init__(self) -> None:
        super().__init__()
        self.finished.connect(self._deliver)
        self.progressed.connect(self._deliver_progress)

    @Slot(int)
    def _deliver(self, task_id: int) -> None:
        outcome = _outcomes.pop(task_id)
        entry = _pending.pop(task_id, None)
        if entry is None:
            return
        entry.handle.done = True
        if entry.tracker is not None:
            entry.tracker.finish()
        error = outcome.error
        try:
            if not entry.runner.accepts(entry.generation):
                log.debug("dropped the outcome of earlier work (task %d)", task_id)
            elif error is None:
                entry.on_success(outcome.result)
            else:
                (entry.on_failure or entry.runner.on_error)(error)
        finally:
            if entry.release is not None:
                entry.release()  # the result is shown: the background may go on
            if error is not None:
                traceback.clear_frames(error.__traceback__)

    @Slot(int, int, int, str)
    def _deliver_progress(self, task_id: int, done: int, total: int, message: str) -> None:
        entry = _pending.get(task_id)
        if entry is None or not entry.runner.accepts(entry.generation):
            return
        if entry.tracker is not None:
            entry.tracker.report(done, total, message)
        if entry.on_progress is not None:
            entry.on_progress(done, total, message)


_relay_instance: _Relay | None = None


def _relay() -> _Relay:
    global _relay_instance
    if _relay_instance is None or not shiboken6.isValid(_relay_instance):
        _relay_instance = _Relay()
    return _relay_instance


class _Worker(QRunnable):
    """Runs one op in a pool thread; holds the op only until it has returned."""

    def __init__(
        self,
        task_id: int,
        op: Callable[[Job], Any],
        job: Job,
        relay: _Relay,
        *,
        urgent: bool = False,
    ) -> None:
        super().__init__()
        self._task_id = task_id
        self._op: Callable[[Job], Any] | None = op
        self._job = job
        self._relay = relay
        self._urgent = urgent

    def run(self) -> None:  # a pool thread (or in place with ImmediatePool)
        op, self._op = self._op, None
        outcome = _Outcome(self._task_id)
        try:
            self._job.raise_if_cancelled()
            if op is not None:
                # an urgent read's own steps (a first search indexing) never wait for it
                with foreground.running() if self._urgent else nullcontext():
                    outcome.result = op(self._job)
        except Cancelled as error:
            log.debug("task %d cancelled", self._task_id)
            outcome.error = error
        except Exception as error:
            log.debug("task %d failed: %s", self._task_id, error, exc_info=True)
            outcome.error = error
        del op  # the op's closure dies here, not when the pool frees this runnable
        _outcomes[self._task_id] = outcome
        del outcome  # the UI thread holds the only reference from now on
        self._relay.finished.emit(self._task_id)


class TaskRunner:
    """The background work of one window, dialog or controller (see the module docstring).

    ``context``: when this object is destroyed, no callback runs any more. ``on_error``: the
    failure callback of work started without one (default: ``show_error`` over the context when
    it is a widget, else the log). ``pool``: run every lane
    on this pool (tests); None: the application's lanes. ``track``: given a ``message``, the
    progress display's tracker for the work (the window's status bar).
    """

    def __init__(
        self,
        context: QObject | None = None,
        *,
        on_error: FailureCallback | None = None,
        pool: Pool | None = None,
        track: Callable[[str], ProgressTracker] | None = None,
    ) -> None:
        # not the context itself: a runner kept by its context would make a cycle that only the
        # collector frees (perhaps on a pool thread); its ``destroyed`` signal is enough
        self._context_alive = True
        self._widget = weakref.ref(context) if isinstance(context, QWidget) else None
        if context is not None:
            context.destroyed.connect(self._context_destroyed)
        self._on_error = on_error
        #: The pool the runner was given (None: the application's lanes); a dialog the window
        #: opens gets the same (``TaskRunner(dialog, pool=window.tasks.pool)``).
        self.pool = pool
        self._lanes = Lanes.on(pool) if pool is not None else None
        self._track = track
        self._generation = 0

    @property
    def lanes(self) -> Lanes:
        return self._lanes or shared_lanes()

    def read(
        self,
        op: Callable[[Job], T],
        on_success: Callable[[T], None],
        on_failure: FailureCallback | None = None,
        *,
        on_progress: ProgressCallback | None = None,
        message: str | None = None,
        urgent: bool = True,
    ) -> TaskHandle:
        """Read the store (or do a long mostly-reading job) beside other reads.

        ``urgent``: the learner waits for it (a lesson, an overview, a search): until its result
        has been delivered, background work such as a sync pauses its CPU-heavy steps
        (``player.foreground``). A long job (an export) passes False."""
        return self._start(
            self.lanes.read, op, on_success, on_failure, on_progress, message, False, urgent
        )

    def write(
        self,
        op: Callable[[Job], T],
        on_success: Callable[[T], None],
        on_failure: FailureCallback | None = None,
        *,
        on_progress: ProgressCallback | None = None,
        message: str | None = None,
    ) -> TaskHandle:
        """Write the store on the application's one writer, after the writes asked for before."""
        return self._start(self.lanes.write, op, on_success, on_failure, on_progress, message, True)

    def network(
        self,
        op: Callable[[Job], T],
        on_success: Callable[[T], None],
        on_failure: FailureCallback | None = None,
        *,
        on_progress: ProgressCallback | None = None,
        message: str | None = None,
    ) -> TaskHandle:
        """Talk to a server (its store writes are short and serialized by the store)."""
        return self._start(
            self.lanes.network, op, on_success, on_failure, on_progress, message, False
        )

    def reset(self) -> None:
        """Cancel running work and drop the outcome of everything started before now.

        Writes are not cancelled (what the learner did is stored); only their outcome is dropped.
        """
        self._generation += 1
        for entry in self._entries():
            if not entry.write:
                entry.handle.cancel()
            if entry.tracker is not None:
                entry.tracker.finish()
                entry.tracker = None

    def cancel_all(self) -> None:
        """Ask running reads and network work to stop (their ``Cancelled`` is still
        delivered); writes finish."""
        for entry in self._entries():
            if not entry.write:
                entry.handle.cancel()

    @property
    def running(self) -> list[TaskHandle]:
        return [entry.handle for entry in self._entries()]

    def accepts(self, generation: int) -> bool:
        """May the outcome of work started in ``generation`` reach its callbacks?"""
        return generation == self._generation and self._context_alive

    def _context_destroyed(self) -> None:
        self._context_alive = False

    def on_error(self, error: BaseException) -> None:
        """What becomes of a failure of work started without ``on_failure``."""
        if self._on_error is not None:
            self._on_error(error)
            return
        widget = self._widget() if self._widget is not None else None
        if widget is None:
            _log_failure(error)
            return
        show_error(widget, error)

    def _entries(self) -> list[_Pending]:
        return [entry for entry in _pending.values() if entry.runner is self]

    def _start(
        self,
        pool: Pool,
        op: Callable[[Job], T],
        on_success: Callable[[T], None],
        on_failure: FailureCallback | None,
        on_progress: ProgressCallback | None,
        message: str | None,
        write: bool,
        urgent: bool = False,
    ) -> TaskHandle:
        relay = _relay()
        task_id = next(_task_ids)
        handle = TaskHandle()
        tracker = self._track(message) if message is not None and self._track else None
        _pending[task_id] = _Pending(
            self,
            self._generation,
            handle,
            on_success,
            on_failure,
            on_progress,
            tracker,
            write,
            foreground.hold() if urgent else None,
        )
        pool.start(_Worker(task_id, op, Job(task_id, handle, relay), relay, urgent=urgent))
        return handle


def _log_failure(error: BaseException) -> None:
    if not isinstance(error, Cancelled):
        log.warning("background work failed: %s", error, exc_info=error)
