"""UI responsiveness during a 1,000-course sync. Prints figures, asserts nothing.

Run explicitly (it is not collected by the default test run)::

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.bench_sync_ui
    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.bench_sync_ui --quick   # 200, 1 round
    .venv/bin/python -m tests.bench.bench_sync_ui --no-gc-freeze # without freezing the start-up heap
    .venv/bin/pytest tests/bench/bench_sync_ui.py -s             # the quick variant

A full-mode contract server, seeded by ``tests.bench.bench_sync`` (1,000 generated ~50 KB courses,
the learner ``ana`` enrolled in every one), runs in a child process, so that its own Python work
does not share the player's interpreter lock (a real server is on another machine). The player
is the real thing: a ``MainWindow`` (offscreen) on a fresh store, with the bundled samples, and
``SyncWiring`` attached on the application's real lanes (``player.ui.tasks``); ``ana`` signs in
(an in-memory keyring) and the controller's Sync now runs the sync. Each round (3 by default) starts from a
fresh store and window.

While the sync runs (until the catalog has been refreshed after it), a 10 ms ``QTimer`` records
the gaps between its ticks, and every 250 ms the benchmark issues, in turn, a catalog filter
keystroke (a key event posted to the filter field; timed until the filter has been applied) and a
lesson open (``open_lesson`` on a sample course; timed until ``lesson_shown``). The baseline is the
same timer and the same actions in the same window, just before, with no sync running. Each stall
over 100 ms is printed with what the status bar said at the time, and the generation-2 garbage
collections during the sync with their pauses (a collection stops every thread).

A window that stays responsive has tick gaps well under ~100–200 ms.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import keyring  # noqa: E402
from PySide6.QtCore import (  # noqa: E402
    QCoreApplication,
    QEventLoop,
    QObject,
    QSettings,
    Qt,
    QTimer,
    SignalInstance,
)
from PySide6.QtGui import QKeyEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from player.config import CONFIG_DIR_ENV  # noqa: E402
from player.settings import Settings  # noqa: E402
from player.store.db import Store  # noqa: E402
from player.sync.server_signin import sign_in  # noqa: E402
from player.sync.tokens import TokenStore  # noqa: E402
from player.ui.shell.main_window import MainWindow  # noqa: E402
from player.ui.sync.attach import SyncWiring  # noqa: E402
from tests.bench.bench_sync import build_server  # noqa: E402
from tests.server.seeding import STANDARD_USERS  # noqa: E402
from tests.sync.conftest import MemoryKeyring  # noqa: E402

TICK_MS = 10
ACTION_MS = 250
STALL_MS = 100.0
SAMPLE_COURSE = "intro-to-python"


# --- the server, in a child process -----------------------------------------------------------


def serve(folder: Path, courses: int) -> None:
    """Child process: seed and start the server, print its URL, serve until stdin closes."""
    folder.mkdir(parents=True, exist_ok=True)
    server, _ids = build_server(folder, courses, seed_mode=False)
    sys.stdout.write(f"{server.url}\n")
    sys.stdout.flush()
    try:
        sys.stdin.read()
    finally:
        server.stop()


def start_server(folder: Path, courses: int) -> tuple[subprocess.Popen[str], str]:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.bench_sync_ui", "--serve", str(folder), str(courses)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    url = child.stdout.readline().strip()
    if not url.startswith("http"):
        child.kill()
        raise RuntimeError("the benchmark server did not start")
    return child, url


# --- measuring the event loop -----------------------------------------------------------------


@dataclass
class Figures:
    seconds: float = 0.0
    gaps: list[float] = field(default_factory=list)  # ms between timer ticks
    keystrokes: list[float] = field(default_factory=list)  # ms, posted → filter applied
    lessons: list[float] = field(default_factory=list)  # ms, open_lesson → lesson_shown
    stalls: list[tuple[float, float, str]] = field(default_factory=list)  # (at s, gap ms, stage)

    def p99(self) -> float:
        ordered = sorted(self.gaps)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0


class GcWatch:
    """Collector pauses (``gc.callbacks``): they stop every thread, the UI thread included."""

    def __init__(self) -> None:
        self.pauses: list[float] = []  # ms, generation-2 collections only
        self._began = 0.0

    def __enter__(self) -> GcWatch:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        elif info.get("generation") == 2:
            self.pauses.append((time.perf_counter() - self._began) * 1000)


class Probe(QObject):
    """Ticks every 10 ms and, every 250 ms, issues a keystroke or a lesson open, in turn."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.figures = Figures()
        self.stage = ""
        self._start = 0.0
        self._last = 0.0
        self._typed = False
        self._lesson = 0
        self._key_at: float | None = None
        self._lesson_at: float | None = None
        self._turn = 0
        self.tick_timer = QTimer(self)
        self.tick_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.tick_timer.setInterval(TICK_MS)
        self.tick_timer.timeout.connect(self._tick)
        self.action_timer = QTimer(self)
        self.action_timer.setInterval(ACTION_MS)
        self.action_timer.timeout.connect(self._act)
        # connected after the panel's own slot: runs once the proxy has been filtered
        window.catalog.filter_edit.textChanged.connect(self._filtered)
        window.lesson_shown.connect(self._lesson_shown)

    def start(self) -> None:
        self.figures = Figures()
        self._start = self._last = time.perf_counter()
        self.tick_timer.start()
        self.action_timer.start()

    def stop(self) -> Figures:
        self.tick_timer.stop()
        self.action_timer.stop()
        self.figures.seconds = time.perf_counter() - self._start
        return self.figures

    def _tick(self) -> None:
        now = time.perf_counter()
        gap = (now - self._last) * 1000
        self._last = now
        self.figures.gaps.append(gap)
        if gap > STALL_MS:
            self.figures.stalls.append((now - self._start, gap, self.stage))

    def _act(self) -> None:
        self._turn += 1
        if self._turn % 2:
            self._keystroke()
        else:
            self._open_lesson()

    def _keystroke(self) -> None:
        if self._key_at is not None:
            return
        edit = self.window.catalog.filter_edit
        key, text = (Qt.Key.Key_Backspace, "") if self._typed else (Qt.Key.Key_P, "p")
        self._typed = not self._typed
        self._key_at = time.perf_counter()
        for kind in (QKeyEvent.Type.KeyPress, QKeyEvent.Type.KeyRelease):
            QCoreApplication.postEvent(
                edit, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text)
            )

    def _filtered(self, _text: str) -> None:
        if self._key_at is not None:
            self.figures.keystrokes.append((time.perf_counter() - self._key_at) * 1000)
            self._key_at = None

    def _open_lesson(self) -> None:
        if self._lesson_at is not None:
            return
        self._lesson = (self._lesson + 1) % 3
        self._lesson_at = time.perf_counter()
        self.window.open_lesson(SAMPLE_COURSE, self._lesson)

    def _lesson_shown(self, _course_id: str, _index: int) -> None:
        if self._lesson_at is not None:
            self.figures.lessons.append((time.perf_counter() - self._lesson_at) * 1000)
            self._lesson_at = None


def wait_for(signal: SignalInstance, timeout_ms: int = 600_000) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


def run_for(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


# --- printing ---------------------------------------------------------------------------------


def ms(values: list[float]) -> str:
    if not values:
        return "       —"
    return (
        f"median {statistics.median(values):7.1f} ms  max {max(values):7.1f} ms  (n={len(values)})"
    )


def report(label: str, figures: Figures) -> None:
    gaps = figures.gaps
    over = sum(1 for g in gaps if g > STALL_MS)
    print(
        f"  {label:<30} {figures.seconds:6.2f} s  {len(gaps):5d} ticks  "
        f"gap median {statistics.median(gaps) if gaps else 0:6.1f} ms  p99 {figures.p99():7.1f} ms  "
        f"max {max(gaps, default=0):7.1f} ms  >{STALL_MS:.0f} ms: {over}"
    )
    print(f"  {'':<30} filter keystroke  {ms(figures.keystrokes)}")
    print(f"  {'':<30} lesson open       {ms(figures.lessons)}")


# --- the benchmark ----------------------------------------------------------------------------


@dataclass
class Round:
    idle: Figures
    during: Figures
    sync_seconds: float
    shown_seconds: float  # until the catalog showed the synced courses
    rows: int
    summary: str
    gc_pauses: list[float]


def one_round(folder: Path, url: str, idle_seconds: float, gc_freeze: bool) -> Round:
    """A fresh store and window; the idle baseline, then one sync of everything."""
    store = Store(folder / "player")
    window = MainWindow(
        store,
        samples_dir=REPO / "resources" / "samples",
        settings=Settings(),
        follow_system_theme=False,
    )
    tokens = TokenStore()
    controller = SyncWiring(
        window, parent=window, tokens=tokens
    ).controller  # the application's lanes
    window.resize(1100, 720)
    window.show()
    window.start()
    wait_for(window.catalog_loaded)
    result = sign_in(store, url, "ana", STANDARD_USERS["ana"][0], tokens=tokens)
    window.set_profile(result.profile)  # the controller follows (profile_changed)
    wait_for(window.catalog_loaded)
    assert window.catalog.model.course(SAMPLE_COURSE) is not None, "no sample course"
    probe = Probe(window)
    if gc_freeze:  # what player.ui.shell.app.run does a second after start-up
        gc.collect()
        gc.freeze()

    probe.start()
    run_for(idle_seconds)
    idle = probe.stop()
    run_for(0.5)  # let the last action finish

    controller.progressed.connect(lambda _d, _t, message: setattr(probe, "stage", message))
    outcome: list[object] = []
    loop = QEventLoop()
    for signal in (controller.finished, controller.failed):
        signal.connect(outcome.append)
        signal.connect(loop.quit)
    with GcWatch() as watch:
        probe.start()
        started = time.perf_counter()
        assert controller.sync_now(), "the sync did not start"
        loop.exec()
        sync_seconds = time.perf_counter() - started
        probe.stage = "catalog refresh after the sync"
        wait_for(window.catalog_loaded)
        shown = time.perf_counter() - started
        during = probe.stop()
    run_for(0.5)
    rows = window.catalog.model.rowCount()
    summary = getattr(outcome[0], "summary", None) if outcome else None
    window.close()
    window.deleteLater()
    run_for(0.2)
    store.close()
    return Round(
        idle,
        during,
        sync_seconds,
        shown,
        rows,
        summary() if callable(summary) else repr(outcome),
        watch.pauses,
    )


def bench(
    folder: Path, courses: int, idle_seconds: float, rounds: int, gc_freeze: bool = True
) -> None:
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder / "qs"))
    previous_config = os.environ.get(CONFIG_DIR_ENV)
    os.environ[CONFIG_DIR_ENV] = str(folder / "config")
    previous_keyring = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    app = QApplication.instance() or QApplication(["bench-sync-ui"])
    assert isinstance(app, QApplication)
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"platform {os.environ['QT_QPA_PLATFORM']}"
    )
    started = time.perf_counter()
    child, url = start_server(folder / "server", courses)
    print(
        f"full-mode server with {courses} courses, ana enrolled in all (child process, seeded "
        f"in {time.perf_counter() - started:.1f} s); {TICK_MS} ms timer; a keystroke or a "
        f"lesson open every {ACTION_MS} ms"
    )
    try:
        results = []
        for n in range(rounds):
            result = one_round(folder / f"round-{n}", url, idle_seconds, gc_freeze)
            results.append(result)
            print(
                f"round {n + 1}: sync {result.sync_seconds:.2f} s wall, "
                f"{result.shown_seconds:.2f} s until the catalog showed {result.rows} courses; "
                f"{result.summary}; gen-2 collections during it: "
                f"{', '.join(f'{p:.0f} ms' for p in result.gc_pauses) or 'none'}"
            )
            report("baseline: idle window", result.idle)
            report("during the sync", result.during)
            worst = sorted(result.during.stalls, key=lambda s: -s[1])[:6]
            for at, gap, stage in sorted(worst):
                print(f"  {'':<30} stall at {at:5.2f} s: {gap:6.1f} ms  (status bar: {stage})")
        if rounds > 1:
            print(f"all {rounds} rounds:")
            report("baseline: idle window", merge([r.idle for r in results]))
            report("during the sync", merge([r.during for r in results]))
            walls = [r.sync_seconds for r in results]
            print(
                f"  sync wall time: median {statistics.median(walls):.2f} s, max {max(walls):.2f} s"
            )
    finally:
        if child.stdin is not None:
            child.stdin.close()
        child.wait(30)
        keyring.set_keyring(previous_keyring)
        if previous_config is None:
            os.environ.pop(CONFIG_DIR_ENV, None)
        else:
            os.environ[CONFIG_DIR_ENV] = previous_config


def merge(parts: list[Figures]) -> Figures:
    total = Figures()
    for part in parts:
        total.seconds += part.seconds
        total.gaps += part.gaps
        total.keystrokes += part.keystrokes
        total.lessons += part.lessons
        total.stalls += part.stalls
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--courses", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="200 courses, one round")
    parser.add_argument("--idle-seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3, help="fresh store and window each")
    parser.add_argument(
        "--no-gc-freeze",
        dest="gc_freeze",
        action="store_false",
        help="do not gc.freeze() the start-up heap first (the player does: player.ui.shell.app.run)",
    )
    parser.add_argument("--serve", nargs=2, metavar=("DIR", "COURSES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(Path(args.serve[0]), int(args.serve[1]))
        return 0
    courses = 200 if args.quick else args.courses
    rounds = 1 if args.quick else args.rounds
    with tempfile.TemporaryDirectory(prefix="bench-sync-ui-") as scratch:
        bench(Path(scratch), courses, args.idle_seconds, rounds, args.gc_freeze)
    return 0


def test_bench_sync_ui() -> None:
    """``pytest tests/bench/bench_sync_ui.py -s`` runs the quick variant."""
    main(["--quick"])


if __name__ == "__main__":
    sys.exit(main())
