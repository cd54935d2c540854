"""The one helper for background work in the UI.

``run_in_background(fn, on_success, on_failure)`` runs ``fn`` on a ``QThreadPool`` and delivers its
result (or its exception) to the UI thread through Qt signals of a ``QObject`` created in the UI
thread. Worker code never touches a widget: ``fn`` gets plain Python values and returns one.

A function that declares a ``cancel`` parameter receives a ``threading.Event`` it should check
between steps (and raise ``player.errors.Cancelled`` when set); one that declares ``progress``
receives a callback ``progress(done, total, message)`` whose calls are marshalled to the UI thread
and passed to ``on_progress``. ``Cancelled`` reaches ``on_failure`` like any error, and
``player.ui.errors.show_error`` treats it as quiet.

Tests (and the screenshot script) inject ``ImmediatePool``, which runs the work synchronously in
the calling thread, like Picard's FakeThreadPool: every callback has run when
``run_in_background`` returns.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from player.errors import Cancelled, PlayerError

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]


class Pool(Protocol):
    """What ``run_in_background`` needs of a pool: ``QThreadPool`` and ``ImmediatePool`` fit."""

    def start(self, runnable: QRunnable, priority: int = ...) -> None: ...


class ImmediatePool:
    """A pool that runs each task at once in the calling thread (for tests and scripts)."""

    def start(self, runnable: QRunnable, priority: int = 0) -> None:
        runnable.run()


class TaskHandle:
    """A started task: ``cancel()`` asks it to stop; ``done`` is set once a callback has run."""

    def __init__(self) -> None:
        self.cancel_event = threading.Event()
        self.done = False

    def cancel(self) -> None:
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()


class _Relay(QObject):
    """Lives in the UI thread; the worker emits its signals, its slots run the callbacks there."""

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int, str)

    def __init__(
        self,
        handle: TaskHandle,
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None],
        on_progress: ProgressCallback | None,
        context: QObject | None,
    ) -> None:
        super().__init__()
        self._handle = handle
        self._on_success = on_success
        self._on_failure = on_failure
        self._on_progress = on_progress
        self._context = context
        self.succeeded.connect(self._deliver_success)
        self.failed.connect(self._deliver_failure)
        self.progressed.connect(self._deliver_progress)

    def _alive(self) -> bool:
        return self._context is None or shiboken6.isValid(self._context)

    @Slot(object)
    def _deliver_success(self, result: Any) -> None:
        self._finish()
        if self._alive():
            self._on_success(result)

    @Slot(object)
    def _deliver_failure(self, error: BaseException) -> None:
        self._finish()
        if self._alive():
            self._on_failure(error)

    @Slot(int, int, str)
    def _deliver_progress(self, done: int, total: int, message: str) -> None:
        if self._on_progress is not None and not self._handle.done and self._alive():
            self._on_progress(done, total, message)

    def _finish(self) -> None:
        self._handle.done = True
        _running.discard(self)


class _Worker(QRunnable):
    def __init__(self, fn: Callable[..., Any], relay: _Relay, handle: TaskHandle) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay
        self._handle = handle

    def run(self) -> None:  # runs in a pool thread (or in place with ImmediatePool)
        relay = self._relay
        try:
            if self._handle.cancelled:
                raise Cancelled()
            result = self._fn(**_extra_arguments(self._fn, self._handle, relay))
        except Cancelled as error:
            log.debug("task %r cancelled", self._fn)
            relay.failed.emit(error)
        except PlayerError as error:
            log.debug("task %r failed: %s", self._fn, error)
            relay.failed.emit(error)
        except Exception as error:
            log.debug("task %r raised", self._fn, exc_info=True)
            relay.failed.emit(error)
        else:
            relay.succeeded.emit(result)


_running: set[_Relay] = set()  # keeps relays (and so their signals) alive until delivered


def run_in_background(
    fn: Callable[..., Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None],
    *,
    on_progress: ProgressCallback | None = None,
    pool: Pool | None = None,
    context: QObject | None = None,
) -> TaskHandle:
    """Run ``fn`` off the UI thread; call ``on_success(result)`` or ``on_failure(error)`` in it.

    Must be called from the UI thread. ``context``: when given and destroyed before the task
    ends, no callback runs (a closed window is not called back).
    """
    handle = TaskHandle()
    relay = _Relay(handle, on_success, on_failure, on_progress, context)
    _running.add(relay)
    worker = _Worker(fn, relay, handle)
    (pool or QThreadPool.globalInstance()).start(worker)
    return handle


def _extra_arguments(fn: Callable[..., Any], handle: TaskHandle, relay: _Relay) -> dict[str, Any]:
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return {}
    extra: dict[str, Any] = {}
    if "cancel" in parameters:
        extra["cancel"] = handle.cancel_event
    if "progress" in parameters:

        def progress(done: int, total: int, message: str = "") -> None:
            relay.progressed.emit(done, total, message)

        extra["progress"] = progress
    return extra


class ProgressTracker(Protocol):
    """One long task's entry in a progress display (``player.ui.progress.Tracker``)."""

    def report(self, done: int, total: int, message: str) -> None: ...

    def finish(self) -> None: ...


class TaskGroup:
    """The background work of one window: reads on a shared pool, writes on a one-thread pool.

    Database writes are serialized (one writer thread); reads run beside them. ``reset()``
    cancels what is running and makes sure no result of earlier work reaches a callback (the
    window calls it when the learner changes). Failures without an ``on_failure`` go to
    ``default_failure`` (the window's ``show_error``).

    Work started with a ``message`` is shown by ``track(message)`` (the status bar's progress
    bar): its reports go there, and it ends when the work ends or the group is reset.
    """

    def __init__(
        self,
        context: QObject,
        default_failure: Callable[[BaseException], None],
        *,
        pool: Pool | None = None,
        track: Callable[[str], ProgressTracker] | None = None,
    ) -> None:
        self._context = context
        self._default_failure = default_failure
        self._track = track
        self._read_pool: Pool = pool or QThreadPool.globalInstance()
        if pool is None:
            writer = QThreadPool(context)
            writer.setMaxThreadCount(1)
            self._write_pool: Pool = writer
        else:
            self._write_pool = pool
        self._generation = 0
        self._handles: list[TaskHandle] = []
        self._trackers: list[ProgressTracker] = []

    def read(
        self,
        fn: Callable[..., Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None] | None = None,
        *,
        message: str | None = None,
    ) -> TaskHandle:
        return self._start(fn, on_success, on_failure, message, self._read_pool)

    def write(
        self,
        fn: Callable[..., Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None] | None = None,
        *,
        message: str | None = None,
    ) -> TaskHandle:
        return self._start(fn, on_success, on_failure, message, self._write_pool)

    def reset(self) -> None:
        """Cancel running work and drop the results of everything started before now."""
        self._generation += 1
        self.cancel_all()
        for tracker in self._trackers:
            tracker.finish()
        self._trackers.clear()

    def cancel_all(self) -> None:
        for handle in self._handles:
            handle.cancel()
        self._handles.clear()

    @property
    def running(self) -> list[TaskHandle]:
        return [h for h in self._handles if not h.done]

    def _current(self, callback: Callable[[Any], None]) -> Callable[[Any], None]:
        generation = self._generation

        def guarded(result: Any) -> None:
            if generation == self._generation:
                callback(result)
            else:
                log.debug("dropped a result of earlier work")

        return guarded

    def _tracked(
        self,
        tracker: ProgressTracker,
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None],
    ) -> tuple[Callable[[Any], None], Callable[[BaseException], None], ProgressCallback]:
        generation = self._generation
        self._trackers.append(tracker)

        def end() -> None:
            tracker.finish()
            if tracker in self._trackers:
                self._trackers.remove(tracker)

        def succeeded(result: Any) -> None:
            end()
            on_success(result)

        def failed(error: BaseException) -> None:
            end()
            on_failure(error)

        def progressed(done: int, total: int, message: str) -> None:
            if generation == self._generation:
                tracker.report(done, total, message)

        return succeeded, failed, progressed

    def _start(
        self,
        fn: Callable[..., Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None] | None,
        message: str | None,
        pool: Pool,
    ) -> TaskHandle:
        success = self._current(on_success)
        failure = self._current(on_failure or self._default_failure)
        progress: ProgressCallback | None = None
        if message is not None and self._track is not None:
            success, failure, progress = self._tracked(self._track(message), success, failure)
        handle = run_in_background(
            fn, success, failure, on_progress=progress, pool=pool, context=self._context
        )
        self._handles = [h for h in self._handles if not h.done]
        if not handle.done:
            self._handles.append(handle)
        return handle
