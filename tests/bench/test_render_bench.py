"""Render the largest lesson of a 200-lesson, ~4.9 MB course; print timings (no assertions).

Run: ``.venv/bin/pytest tests/bench/test_render_bench.py -s``. The baseline (``json.dumps`` +
``html.escape`` of the same lesson, a plain linear pass over its text) is measured in the same
run, so the figures can be compared across machines. Target: HTML well under 100 ms.
"""

from __future__ import annotations

import html
import json
import statistics
import time
from collections.abc import Callable

from player.package import CoursePackage, parse_package
from player.render import RenderOptions, render_lesson_html, render_lesson_text
from tests.bench.generate import generate_course, lesson_sizes


def _course() -> tuple[CoursePackage, int, int]:
    """200 lessons, ~4.9 MB; lesson 137 is ~12 times the others (~290 kB)."""
    raw = generate_course(
        200,
        4_880_000,
        seed=20260914,
        course_id="bench",
        large_lesson=137,
        large_factor=12.4,
        paragraphs=1,  # many small blocks of every type
    )
    return parse_package(raw).package, len(raw), max(lesson_sizes(raw))


def _median_ms(fn: Callable[[], object], runs: int = 7) -> float:
    fn()  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def test_render_largest_lesson() -> None:
    package, course_bytes, lesson_bytes = _course()
    lesson = max(package.lessons, key=lambda item: len(item.blocks))
    baseline = _median_ms(lambda: html.escape(json.dumps(lesson.blocks)))
    qt = _median_ms(lambda: render_lesson_html(package, lesson))
    html5 = _median_ms(lambda: render_lesson_html(package, lesson, RenderOptions(for_qt=False)))
    text = _median_ms(lambda: render_lesson_text(package, lesson))
    print(
        f"\ncourse {course_bytes / 1e6:.2f} MB, {len(package.lessons)} lessons; largest lesson "
        f"{lesson_bytes / 1e3:.0f} kB, {len(lesson.blocks)} blocks\n"
        f"baseline (json.dumps + html.escape): {baseline:7.1f} ms\n"
        f"render_lesson_html (Qt):             {qt:7.1f} ms\n"
        f"render_lesson_html (HTML5):          {html5:7.1f} ms\n"
        f"render_lesson_text:                  {text:7.1f} ms"
    )
