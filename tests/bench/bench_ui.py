"""UI benchmark: start-up, lesson render, catalog fill and filter. Prints figures, asserts nothing.

Run from the repository root (not part of the default test run)::

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_ui.py

Each figure is printed beside a baseline measured in the same run on the same machine:

- start-up to the first painted main window (process start → first paint event, in a
  subprocess, median of several runs) vs. a bare PySide6 QMainWindow in a subprocess;
- the largest lesson of a generated 200-lesson, ~4.7 MB course: ``render_lesson_html`` plus the
  reader's ``show_lesson`` (setHtml + layout fitting) vs. ``setPlainText`` of the same text;
- the catalog with 10,000 generated courses: model reset (+ first layout) and
  ``setFilterFixedString`` vs. the same on a ``QStringListModel``.

Targets on the project's 2-core machine: first window < 1.0 s, lesson render < 100 ms,
filter < 50 ms.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from PySide6.QtCore import (  # noqa: E402
    QSettings,
    QSortFilterProxyModel,
    QStringListModel,
    Qt,
)
from PySide6.QtWidgets import QApplication, QListView, QTextBrowser  # noqa: E402

from player.package import parse_package  # noqa: E402
from player.render import RenderOptions, render_lesson_html  # noqa: E402
from player.services.access import CourseAccess  # noqa: E402
from player.services.learn import LOCKED, READY, CourseSummary  # noqa: E402
from player.ui.catalog.panel import CatalogPanel  # noqa: E402
from player.ui.reader.browser import LessonBrowser  # noqa: E402
from tests.bench.generate import generate_course as generate  # noqa: E402
from tests.bench.generate import sentence  # noqa: E402

# The course of the lesson render: one lesson (the middle one) three times the size of the others.
LESSONS = 200
TARGET_BYTES = 4_660_000


def generate_course() -> bytes:
    """A published course of 200 lessons, about 4.7 MB of JSON, every block type."""
    return generate(
        LESSONS,
        TARGET_BYTES,
        course_id="bench-course",
        title="A very large course",
        images=12,
        image_size=(40, 28),
        large_lesson=LESSONS // 2,
        large_factor=3,
    )


def timed(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, float]:
    """(median, best) wall time in milliseconds over ``repeat`` runs."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), min(samples)


def row(
    label: str, figure: tuple[float, float], baseline: tuple[float, float], target: str
) -> None:
    print(
        f"  {label:<44} median {figure[0]:8.1f} ms  best {figure[1]:8.1f} ms   "
        f"| baseline median {baseline[0]:8.1f} ms  best {baseline[1]:8.1f} ms   {target}"
    )


# --- start-up -------------------------------------------------------------------------------

_PLAYER_CHILD = """
import sys
from pathlib import Path
from player.store.db import Store
from player.ui.shell.app import run
sys.exit(run(Store(Path(sys.argv[1])), argv=["course-player"]))
"""

_BARE_CHILD = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget
app = QApplication(["bare"])
window = QMainWindow()
class First(QObject):
    done = False
    def eventFilter(self, obj, event):
        if not self.done and event.type() == QEvent.Type.Paint and isinstance(obj, QWidget) \\
                and obj.window() is window:
            self.done = True
            Path(sys.argv[2]).write_text(f"{time.time():.6f}")
            QTimer.singleShot(0, app.quit)
        return False
watcher = First()
app.installEventFilter(watcher)
window.resize(1100, 720)
window.show()
sys.exit(app.exec())
"""


def first_paint(code: str, data_dir: Path, env: dict[str, str], runs: int) -> tuple[float, float]:
    samples = []
    for n in range(runs):
        marker = data_dir.parent / f"paint-{n}.txt"
        marker.unlink(missing_ok=True)
        child_env = dict(env, COURSE_PLAYER_FIRST_PAINT_FILE=str(marker))
        start = time.time()
        subprocess.run(
            [sys.executable, "-c", code, str(data_dir), str(marker)],
            env=child_env,
            cwd=REPO,
            check=True,
            timeout=60,
        )
        samples.append((float(marker.read_text()) - start) * 1000)
    return statistics.median(samples), min(samples)


def bench_startup(workdir: Path, runs: int = 5) -> None:
    env = dict(os.environ)
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(workdir / var.lower())  # never the real home configuration or logs
    env["PYTHONPATH"] = str(REPO)
    data = workdir / "data"
    # one run first: installs the bundled samples into the empty store (first start)
    first = first_paint(_PLAYER_CHILD, data, env, 1)
    player = first_paint(_PLAYER_CHILD, data, env, runs)
    bare = first_paint(_BARE_CHILD, data, env, runs)
    print("start-up to first painted window (subprocess, process start → first paint)")
    row("main window, first start (empty store)", first, bare, "")
    row(f"main window, later starts ({runs} runs)", player, bare, "target < 1000 ms")


# --- lesson render --------------------------------------------------------------------------


def bench_lesson(app: QApplication) -> None:
    raw = generate_course()
    start = time.perf_counter()
    parsed = parse_package(raw)
    parse_ms = (time.perf_counter() - start) * 1000
    package = parsed.package
    sizes = [len(json.dumps(lesson.blocks)) for lesson in package.lessons]
    largest = package.lessons[max(range(len(sizes)), key=sizes.__getitem__)]
    html_doc = render_lesson_html(package, largest, RenderOptions(for_qt=True))
    browser = LessonBrowser()
    browser.resize(900, 700)
    browser.show()
    app.processEvents()

    def render_and_show() -> None:
        document = render_lesson_html(package, largest, RenderOptions(for_qt=True))
        browser.show_lesson(package, document)
        browser.document().size()  # force the layout

    def render_only() -> None:
        render_lesson_html(package, largest, RenderOptions(for_qt=True))

    plain = QTextBrowser()
    plain.resize(900, 700)
    plain.show()
    text = browser.toPlainText() or html_doc

    def baseline() -> None:
        plain.setPlainText(text)
        plain.document().size()

    asset_mb = sum(len(a.data) for a in package.assets.values()) / 1e6
    print(
        f"lesson render: {len(package.lessons)} lessons, {len(raw) / 1e6:.2f} MB package "
        f"({asset_mb:.2f} MB of it images) "
        f"(parse + SHA-256 {parse_ms:.0f} ms, done once, off the UI thread); largest lesson "
        f"{len(largest.blocks)} blocks, {len(html_doc) / 1000:.0f} kB of HTML"
    )
    row("render_lesson_html only", timed(render_only), timed(baseline), "")
    row("render_lesson_html + reader show_lesson", timed(render_and_show), timed(baseline),
        "target < 100 ms")  # fmt: skip
    browser.close()
    plain.close()


# --- catalog --------------------------------------------------------------------------------


def catalog_courses(n: int) -> list[CourseSummary]:
    rng = random.Random(7)
    courses = []
    for i in range(n):
        locked = i % 7 == 0
        access = CourseAccess(
            course_id=f"course-{i:05d}",
            title="",
            product=None,
            purchased=False,
            enrolled=i % 3 == 0,
            lease_expired=False,
        )
        courses.append(
            CourseSummary(
                course_id=f"course-{i:05d}",
                title=f"{sentence(rng, 3)[:-1]} {i}",
                version=1,
                summary="",
                lesson_count=8,
                state=LOCKED if locked else READY,
                access=access,
                completed=i % 9 if i % 3 == 0 else 0,
            )
        )
    return courses


def bench_catalog(app: QApplication, n: int = 10_000) -> None:
    courses = catalog_courses(n)
    titles = [c.title for c in courses]
    panel = CatalogPanel()
    panel.resize(320, 700)
    panel.show()
    view = QListView()
    model = QStringListModel()
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    view.setModel(proxy)
    view.setUniformItemSizes(True)
    view.resize(320, 700)
    view.show()
    app.processEvents()

    def fill() -> None:
        panel.set_courses(courses)
        app.processEvents()

    def fill_baseline() -> None:
        model.setStringList(titles)
        app.processEvents()

    needle = "interest 12"

    def filter_catalog() -> None:
        panel.proxy.setFilterFixedString(needle)
        panel.proxy.setFilterFixedString("")

    def filter_baseline() -> None:
        proxy.setFilterFixedString(needle)
        proxy.setFilterFixedString("")

    print(f"catalog with {n:,} courses (model/view, painted rows, no widget per row)")
    row("model reset + first layout", timed(fill), timed(fill_baseline), "")
    panel.proxy.setFilterFixedString(needle)
    matches = panel.visible_count()
    panel.proxy.setFilterFixedString("")
    median, best = timed(filter_catalog)
    base_median, base_best = timed(filter_baseline)
    row(
        f"setFilterFixedString (+ clear), {matches} matches",
        (median / 2, best / 2),
        (base_median / 2, base_best / 2),
        "target < 50 ms (each of the two calls)",
    )
    panel.close()
    view.close()


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="course-player-bench-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(workdir / "cfg"))
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, platform {os.environ['QT_QPA_PLATFORM']}"
    )
    bench_startup(workdir)
    app = QApplication.instance() or QApplication(["bench"])
    assert isinstance(app, QApplication)
    bench_lesson(app)
    bench_catalog(app)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
