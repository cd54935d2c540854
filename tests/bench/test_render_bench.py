"""Render the largest lesson of a 200-lesson, ~4.5 MB course; print timings (no assertions).

Run: ``.venv/bin/pytest tests/bench/test_render_bench.py -s``. The baseline (``json.dumps`` +
``html.escape`` of the same lesson, a plain linear pass over its text) is measured in the same
run, so the figures can be compared across machines. Target: HTML well under 100 ms.
"""

from __future__ import annotations

import html
import json
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from player.package import CoursePackage
from player.render import RenderOptions, render_lesson_html, render_lesson_text

WORDS = [
    "git",
    "commit",
    "branch",
    "merge",
    "rebase",
    "snapshot",
    "history",
    "remote",
    "fetch",
    "push",
    "pull",
    "tree",
    "blob",
    "index",
    "stage",
    "conflict",
    "resolve",
    "tag",
    "checkout",
    "clone",
    "diff",
    "log",
    "status",
]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _block(rng: random.Random, i: int) -> dict[str, Any]:
    s = _sentence
    kinds: list[Callable[[], dict[str, Any]]] = [
        lambda: {"type": "heading", "level": 2 + i % 3, "text": s(rng, 4)},
        lambda: {"type": "paragraph", "text": "\n".join(s(rng, 20) for _ in range(4))},
        lambda: {
            "type": "markdown",
            "markdown": f"Some **bold**, _em_, `code` and a [link](https://example.org/{i}).\n\n"
            + "\n".join(f"- {s(rng, 8)}" for _ in range(6))
            + "\n\n```python\n"
            + "\n".join(f"x = {j}  # {s(rng, 5)}" for j in range(10))
            + f"\n```\n\n> {s(rng, 15)}\n\n![chart](http://198.51.100.7/{i}.png)",
        },
        lambda: {"type": "list", "ordered": True, "items": [s(rng, 8) for _ in range(6)]},
        lambda: {
            "type": "code",
            "language": "shell",
            "code": "\n".join(s(rng, 5) for _ in range(15)),
        },
        lambda: {
            "type": "html",
            "html": f"<p>{s(rng, 30)} <img src='diagram.png' alt='d'></p><table>"
            + "".join(f"<tr><td>{s(rng, 3)}</td><td>{s(rng, 4)}</td></tr>" for _ in range(10))
            + "</table>",
        },
        lambda: {"type": "callout", "variant": "tip", "title": "Tip", "text": s(rng, 25)},
        lambda: {"type": "image", "asset": "diagram.png", "alt": "d", "caption": s(rng, 5)},
        lambda: {"type": "quote", "text": s(rng, 20), "cite": "Someone"},
        lambda: {"type": "quiz", "question": "?"},
    ]
    return kinds[i % len(kinds)]()


def _course() -> tuple[CoursePackage, int, int]:
    rng = random.Random(20260914)
    lessons = []
    for index in range(200):
        count = 700 if index == 137 else 55
        blocks = [_block(rng, i) for i in range(count)]
        lessons.append({"index": index, "title": f"Lesson {index}", "blocks": blocks,
                        "objectives": [_sentence(rng, 6), _sentence(rng, 6)]})  # fmt: skip
    data = {
        "id": "pkg_bench_v1",
        "courseId": "bench",
        "version": 1,
        "status": "PUBLISHED",
        "title": "Bench",
        "lessons": lessons,
        "assets": {"diagram.png": {"mediaType": "image/png", "data": "iVBORw0KGgo="}},
    }
    raw = json.dumps(data)
    largest = max(len(json.dumps(lesson)) for lesson in lessons)
    return CoursePackage.model_validate(data), len(raw), largest


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
