"""Issue 13's table: every figure beside its baseline, measured in the same run. Asserts nothing.

Run from the repository root (``bash scripts/bench`` runs it first; not part of the test run)::

    .venv/bin/python -m tests.bench.bench_table            # about 3 minutes on 2 cores
    .venv/bin/python -m tests.bench.bench_table --quick    # fewer runs, a 200-course sync

The first three rows are whole processes, started as a learner starts them (``python -m player``),
several runs each, timed from just before the process is started:

1. first painted window (``COURSE_PLAYER_FIRST_PAINT_FILE``) vs. a bare PySide6 ``QMainWindow``
   holding a ``QTextBrowser``, painting once;
2. the window showing the stored courses, clickable (``COURSE_PLAYER_READY_FILE``) vs. the same
   bare window after ``import sqlmodel``;
3. ``course-player list`` (until the process ends) vs. python that imports sqlmodel and reads the
   same rows with ``sqlite3``.

Then, in this process or its children:

4. the largest lesson of the 200-lesson course: the reading service's ``load_lesson`` (render)
   plus the reader's ``show_lesson`` vs. ``QTextBrowser.setHtml`` of the same HTML;
5. lesson open during a 1,000-course sync vs. the same window idle (``bench_sync_ui``, one round);
6. LMS export (``build_lms``, each run in its own process) vs. ``zipfile`` writing the same
   entries at the same level (``bench_export``).

Each row prints the median and the spread (min–max) of its runs; at the end a markdown table.
Python is allowed to write its bytecode caches (a warm-up run first), as an installed player has
them; ``PYTHONDONTWRITEBYTECODE`` is removed from the children's environment.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

_BARE_WINDOW = """
import sys, time
from pathlib import Path
if len(sys.argv) > 2 and sys.argv[2] == "sqlmodel":
    import sqlmodel  # noqa: F401
titles = ""
if len(sys.argv) > 2 and sys.argv[2] == "store":  # the floor: our store layer, then paint
    from sqlmodel import select
    from player.store.db import Store
    from player.store.models import StoredPackage
    with Store(Path(sys.argv[3])).read() as session:
        titles = "\\n".join(p.title for p in session.exec(select(StoredPackage)).all())
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTextBrowser, QWidget
app = QApplication(["bare"])
window = QMainWindow()
window.setCentralWidget(QTextBrowser())
window.centralWidget().setPlainText(titles)
class First(QObject):
    done = False
    def eventFilter(self, obj, event):
        if not self.done and event.type() == QEvent.Type.Paint and isinstance(obj, QWidget) \\
                and obj.window() is window:
            self.done = True
            Path(sys.argv[1]).write_text(f"{time.time():.6f}")
            QTimer.singleShot(0, app.quit)
        return False
watcher = First()
app.installEventFilter(watcher)
window.resize(1100, 720)
window.show()
sys.exit(app.exec())
"""

_SQLITE_LIST = """
import sys, sqlite3
import sqlmodel  # noqa: F401
connection = sqlite3.connect(sys.argv[1])
rows = connection.execute(
    "SELECT courseId, version, title, server, sourceName FROM storedpackage ORDER BY title"
).fetchall()
for row in rows:
    print("\\t".join(str(value) for value in row))
"""

_STORE_LIST = """
import sys
from pathlib import Path
from sqlmodel import col, select
from player.store.db import Store
from player.store.models import StoredPackage
with Store(Path(sys.argv[1])).read() as session:
    for p in session.exec(select(StoredPackage).order_by(col(StoredPackage.title))).all():
        print("\\t".join(str(v) for v in (p.courseId, p.version, p.title, p.server, p.sourceName)))
"""


@dataclass
class Row:
    label: str
    figure: list[float]  # ms
    baseline: list[float]  # ms
    baseline_label: str
    target: str
    limit: float | None = None  # the target as a ratio of the baselines' medians
    absolute: str = ""  # a target not in ratio (row 5's max)
    floor: list[float] = field(default_factory=list)  # ms: the least our stack can do
    floor_label: str = ""

    def median(self) -> float:
        return statistics.median(self.figure)

    def base(self) -> float:
        return statistics.median(self.baseline)

    def ratio(self) -> float:
        return self.median() / self.base()

    def verdict(self) -> str:
        if self.limit is None:
            return self.absolute
        return "met" if self.ratio() <= self.limit else "missed"


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ms ({min(values):.0f}–{max(values):.0f})"


def child_env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(workdir / var.lower())  # never the real home configuration or logs
    env["PYTHONPATH"] = str(REPO)
    env["COURSE_PLAYER_CONFIG_DIR"] = str(workdir / "config")
    return env


def marker_run(argv: list[str], env: dict[str, str], marker: Path, variable: str = "") -> float:
    """Milliseconds from just before the process starts to the time it writes in ``marker``."""
    marker.unlink(missing_ok=True)
    run_env = dict(env, **{variable: str(marker)}) if variable else env
    start = time.time()
    subprocess.run(argv, env=run_env, cwd=REPO, check=True, timeout=120, capture_output=True)
    return (float(marker.read_text()) - start) * 1000


def wall_run(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=REPO, check=True, timeout=120, capture_output=True)
    return (time.perf_counter() - start) * 1000


def alternate(runs: int, *runners: Callable[[], float]) -> tuple[list[float], ...]:
    """``runs`` runs of each, interleaved so that a slow moment of the machine hits them all."""
    results: tuple[list[float], ...] = tuple([] for _ in runners)
    for _ in range(runs):
        for runner, times in zip(runners, results, strict=True):
            times.append(runner())
    return results


def process_rows(workdir: Path, runs: int) -> list[Row]:
    env = child_env(workdir)
    data = workdir / "data"
    py = sys.executable
    player = [py, "-m", "player", "--data-dir", str(data)]
    paint, ready = workdir / "paint.txt", workdir / "ready.txt"
    # first start: installs the bundled samples, writes the bytecode caches
    marker_run(player, env, ready, "COURSE_PLAYER_READY_FILE")
    marker_run([py, "-c", _BARE_WINDOW, str(paint), "sqlmodel"], env, paint)
    wall_run([*player, "list"], env)
    db = str(data / "player.sqlite3")
    wall_run([py, "-c", _SQLITE_LIST, db], env)

    rows = []
    figure, base = alternate(
        runs,
        lambda: marker_run(player, env, paint, "COURSE_PLAYER_FIRST_PAINT_FILE"),
        lambda: marker_run([py, "-c", _BARE_WINDOW, str(paint)], env, paint),
    )
    rows.append(
        Row("first painted window", figure, base, "bare QMainWindow + QTextBrowser", "≤ 2×", 2.0)
    )
    figure, base, floor = alternate(
        runs,
        lambda: marker_run(player, env, ready, "COURSE_PLAYER_READY_FILE"),
        lambda: marker_run([py, "-c", _BARE_WINDOW, str(paint), "sqlmodel"], env, paint),
        lambda: marker_run([py, "-c", _BARE_WINDOW, str(paint), "store", str(data)], env, paint),
    )
    rows.append(
        Row(
            "window showing the stored courses",
            figure,
            base,
            "the bare window after import sqlmodel",
            "≤ 1.3×",
            1.3,
            floor=floor,
            floor_label="the bare window after opening our store and reading its rows by the ORM",
        )
    )
    figure, base, floor = alternate(
        runs,
        lambda: wall_run([*player, "list"], env),
        lambda: wall_run([py, "-c", _SQLITE_LIST, db], env),
        lambda: wall_run([py, "-c", _STORE_LIST, str(data)], env),
    )
    rows.append(
        Row(
            "`course-player list`",
            figure,
            base,
            "python: import sqlmodel, the same rows by sqlite3",
            "≤ 1.3×",
            1.3,
            floor=floor,
            floor_label="python: open our store, the same rows by the ORM",
        )
    )
    return rows


def lesson_row(runs: int) -> Row:
    from PySide6.QtWidgets import QApplication, QTextBrowser

    from player.package import parse_package
    from player.render import RenderOptions, render_lesson_html
    from player.ui.reader.browser import LessonBrowser
    from tests.bench.bench_ui import generate_course

    app = QApplication.instance() or QApplication(["bench-table"])
    parsed = parse_package(generate_course())
    package = parsed.package
    sizes = [len(json.dumps(lesson.blocks)) for lesson in package.lessons]
    largest = package.lessons[max(range(len(sizes)), key=sizes.__getitem__)]
    html = render_lesson_html(package, largest, RenderOptions(for_qt=True))
    reader = LessonBrowser()
    plain = QTextBrowser()
    for widget in (reader, plain):
        widget.resize(900, 700)
        widget.show()
    app.processEvents()

    def ours() -> float:
        start = time.perf_counter()
        document = render_lesson_html(package, largest, RenderOptions(for_qt=True))
        reader.show_lesson(package, document)
        reader.document().size()  # the layout
        app.processEvents()
        return (time.perf_counter() - start) * 1000

    def baseline() -> float:
        start = time.perf_counter()
        plain.setHtml(html)
        plain.document().size()
        app.processEvents()
        return (time.perf_counter() - start) * 1000

    ours(), baseline()  # warm up
    figure, base = alternate(runs, ours, baseline)
    reader.close()
    plain.close()
    return Row(
        f"largest lesson ({len(largest.blocks)} blocks, {len(html) // 1000} kB): render + show",
        figure,
        base,
        "setHtml of the same HTML",
        "≤ 1.5×",
        1.5,
    )


def sync_row(workdir: Path, courses: int) -> Row:
    import keyring
    from PySide6.QtCore import QSettings

    from player.config import CONFIG_DIR_ENV
    from tests.bench import bench_sync_ui
    from tests.sync.conftest import MemoryKeyring

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(workdir / "qs"))
    os.environ[CONFIG_DIR_ENV] = str(workdir / "config-sync")
    keyring.set_keyring(MemoryKeyring())
    child, url = bench_sync_ui.start_server(workdir / "server", courses)
    try:
        result = bench_sync_ui.one_round(workdir / "round", url, 3.0, True)
    finally:
        if child.stdin is not None:
            child.stdin.close()
        child.wait(30)
    during, idle = result.during.lessons, result.idle.lessons
    worst = max(during) if during else float("nan")
    verdict_ratio = statistics.median(during) <= 2 * statistics.median(idle)
    return Row(
        f"lesson open during a {courses:,}-course sync (max {worst:.0f} ms)",
        during,
        idle,
        "the same window idle",
        "median ≤ 2×, max < 100 ms",
        None,
        "met" if verdict_ratio and worst < 100 else "missed",
    )


def lms_row(workdir: Path, runs: int) -> Row:
    from tests.bench import bench_export

    package = workdir / "course.json"
    package.write_bytes(bench_export.make_course())
    work = workdir / "lms"
    work.mkdir()

    def one(kind: str) -> float:
        return float(bench_export._run(kind, package, work)["seconds"]) * 1000

    one("lms")  # writes the entries the baseline copies
    figure, base = alternate(runs, lambda: one("lms"), lambda: one("lms-baseline"))
    ratios = [f / b for f, b in zip(figure, base, strict=True)]
    return Row(
        f"LMS export (per-run ratios {min(ratios):.2f}–{max(ratios):.2f}×)",
        figure,
        base,
        "zipfile, the same entries and level",
        "≤ 2× on every run",
        absolute="met"
        if max(ratios) <= 2.0
        else f"missed on {sum(r > 2.0 for r in ratios)} run(s)",
    )


def print_rows(rows: list[Row]) -> None:
    print()
    print("| figure | ours: median (min–max) | baseline (same run) | ratio | target | verdict |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row.label} | {spread(row.figure)} | {row.baseline_label}: {spread(row.baseline)} "
            f"| {row.ratio():.2f}× | {row.target} | {row.verdict()} |"
        )
    floors = [row for row in rows if row.floor]
    if floors:
        print()
        print("Floors (same run): the least our stack does for the row, as a ratio of its baseline")
        print()
        for row in floors:
            ratio = statistics.median(row.floor) / row.base()
            print(f"- {row.label}: {row.floor_label}: {spread(row.floor)} = {ratio:.2f}×")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="3 runs a row, a 200-course sync")
    parser.add_argument("--runs", type=int, default=7, help="runs of each process row")
    parser.add_argument("--courses", type=int, default=1000, help="courses of the sync row")
    args = parser.parse_args(argv)
    runs = 3 if args.quick else args.runs
    courses = 200 if args.quick else args.courses
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load:.2f}, "
        f"platform {os.environ['QT_QPA_PLATFORM']}; {runs} runs a row"
    )
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-table-") as scratch:
        workdir = Path(scratch)
        for step in (
            lambda: rows.extend(process_rows(workdir, runs)),
            lambda: rows.append(lesson_row(max(runs, 7))),
            lambda: rows.append(sync_row(workdir / "sync", courses)),
            lambda: rows.append(lms_row(workdir, runs)),
        ):
            done = len(rows)
            step()
            for row in rows[done:]:
                print(
                    f"  {row.label}: {spread(row.figure)} vs {spread(row.baseline)} "
                    f"= {row.ratio():.2f}× ({row.target}: {row.verdict()})",
                    flush=True,
                )
    print_rows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
