"""Export benchmark: a generated 200-lesson, ~4.5 MB course exported to PDF and to LMS.

Run explicitly (it is not collected by the default test run)::

    .venv/bin/python -m tests.bench.bench_export              # 200 lessons, ~4.5 MB, 3 runs each
    .venv/bin/python -m tests.bench.bench_export --quick      # 40 lessons, 1 run each
    .venv/bin/pytest tests/bench/bench_export.py -s           # the quick mode, as a test

Each measurement runs in its own Python process, so that its peak memory (``ru_maxrss``, which
includes the interpreter and the imported libraries) is its own. Baselines, measured in the same
run on the same package:

- PDF: reportlab laying out the same text (every title, objective, paragraph, list item, code line,
  quote, callout, Markdown and HTML text) as plain ``Paragraph``s of one style with
  ``SimpleDocTemplate.build``: no styling logic, no contents, no bookmarks.
- LMS: ``zipfile`` writing the same entries (the names and bytes of our ZIP's files, checked
  after the run) with ZIP_DEFLATED at the export's level (6). Besides the wall time each row
  shows the CPU time of the process (all threads); both ratios are printed.

Targets: PDF within 1.5x of its baseline, LMS within 2x of its baseline, peak memory < 400 MB.
``export_course`` (guards, store read, fsync, audit) is measured as well, for information.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from tests.bench.generate import generate_course

LESSONS = 200
TARGET_BYTES = 4_500_000
PDF_TARGET = 1.5
LMS_TARGET = 2.0
MEMORY_TARGET_MB = 400
# The deflate level of the LMS export (player.export.lms.COMPRESS_LEVEL, checked in the "lms"
# run), given to the baseline too. Not imported there: the baseline process stays player-free.
LMS_COMPRESS_LEVEL = 6


def make_course(lessons: int = LESSONS, target: int = TARGET_BYTES) -> bytes:
    """The benchmark's course: ``lessons`` lessons, about ``target`` bytes (tests/bench/generate.py)."""
    return generate_course(
        lessons,
        target,
        course_id="bench-export",
        title="Benchmark course: version control in depth",
        paragraphs=30,  # mostly prose, every other block type once a lesson
    )


# --- one measurement per process -----------------------------------------------------------------


def _texts(raw: bytes) -> list[str]:
    """Every piece of text of the package, as the PDF shows it, for the baseline."""
    from player.package import parse_package
    from player.package.blocks import (
        Callout,
        Code,
        Heading,
        Html,
        Image,
        ListBlock,
        Markdown,
        Paragraph,
        Quote,
        parse_block,
    )
    from player.render.sanitize import clean_fragment, markdown_to_html

    package = parse_package(raw).package
    texts = [package.title, package.summary]
    for lesson in package.lessons:
        texts.append(lesson.title)
        texts.extend(lesson.objectives)
        for block in map(parse_block, lesson.blocks):
            match block:
                case Heading() | Paragraph():
                    texts.append(block.text)
                case ListBlock():
                    texts.extend(block.items)
                case Code():
                    texts.extend(block.code.split("\n"))
                case Quote():
                    texts.extend([block.text, block.cite or ""])
                case Callout():
                    texts.extend([block.title or "", block.text])
                case Image():
                    texts.append(block.caption or "")
                case Markdown():
                    texts.append(_strip_tags(clean_fragment(markdown_to_html(block.markdown))))
                case Html():
                    texts.append(_strip_tags(clean_fragment(block.html)))
    return [t for t in texts if t.strip()]


def _strip_tags(html: str) -> str:
    import re

    return re.sub(r"<[^>]+>", " ", html)


def _measure(kind: str, package_path: Path, work: Path) -> dict[str, Any]:
    raw = package_path.read_bytes()
    out = io.BytesIO()
    cpu = 0.0
    if kind == "pdf-baseline":
        from xml.sax.saxutils import escape

        from reportlab.lib.styles import getSampleStyleSheet
        from reportlab.platypus import Paragraph, SimpleDocTemplate

        from player.export.fonts import SANS, register_fonts

        register_fonts()
        texts = _texts(raw)
        style = getSampleStyleSheet()["Normal"]
        style.fontName = SANS
        start, cpu_start = time.perf_counter(), time.process_time()
        story = [Paragraph(escape(text), style) for text in texts]
        SimpleDocTemplate(out, invariant=1).build(story)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    elif kind in ("pdf", "lms"):
        from player.export.fonts import register_fonts
        from player.export.lms import build_lms
        from player.export.pdf import build_pdf
        from player.package import parse_package

        register_fonts()
        parsed = parse_package(raw)
        start, cpu_start = time.perf_counter(), time.process_time()
        (build_pdf if kind == "pdf" else build_lms)(parsed, out)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        if kind == "lms":
            from player.export.lms import COMPRESS_LEVEL

            if COMPRESS_LEVEL != LMS_COMPRESS_LEVEL:
                raise SystemExit("the baseline's deflate level is not the export's")
            (work / "lms.zip").write_bytes(out.getvalue())
    elif kind == "lms-baseline":
        with zipfile.ZipFile(work / "lms.zip") as ours:
            entries = [(name, ours.read(name)) for name in ours.namelist()]
            expected = [(info.filename, info.CRC, info.file_size) for info in ours.infolist()]
        start, cpu_start = time.perf_counter(), time.process_time()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in entries:
                archive.writestr(name, data, compresslevel=LMS_COMPRESS_LEVEL)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        with zipfile.ZipFile(out) as written:
            wrote = [(info.filename, info.CRC, info.file_size) for info in written.infolist()]
        if wrote != expected:
            raise SystemExit("the baseline did not write the export's entries")
    elif kind in ("pdf-service", "lms-service"):
        from player.export import export_course
        from player.services import packages, profiles, progress
        from player.store.db import Store

        store = Store(Path(tempfile.mkdtemp(prefix=f"store-{kind}-", dir=work)))  # a fresh learner
        guest = profiles.ensure_guest(store)
        packages.import_bytes(store, raw)
        progress.enroll(store, guest, "bench-export")
        fmt = kind.split("-")[0]
        start, cpu_start = time.perf_counter(), time.process_time()
        result = export_course(store, guest, "bench-export", fmt, work / f"out.{fmt}")
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        out.write(b"x" * result.size_bytes)
        store.close()
    else:
        raise SystemExit(f"unknown measurement {kind}")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    size = out.getbuffer().nbytes
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak_kib / 1024, "bytes": size}


def _run(kind: str, package: Path, work: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_export", "--measure", kind,
         "--package", str(package), "--work", str(work)],
        capture_output=True, text=True, check=False,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_benchmark(lessons: int, target: int, repeat: int) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        work = Path(folder)
        package = work / "course.json"
        package.write_bytes(make_course(lessons, target))
        size = package.stat().st_size
        print(f"course: {lessons} lessons, {size:,} bytes of JSON; {repeat} run(s) each, median")
        kinds = ("pdf-baseline", "pdf", "lms", "lms-baseline", "pdf-service", "lms-service")
        figures: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
        for _ in range(repeat):
            for kind in kinds:
                figures[kind].append(_run(kind, package, work))
        summary = {
            kind: {
                "seconds": statistics.median(r["seconds"] for r in runs),
                "cpu": statistics.median(r["cpu"] for r in runs),
                "peak_mb": max(r["peak_mb"] for r in runs),
                "bytes": runs[-1]["bytes"],
            }
            for kind, runs in figures.items()
        }
    print(
        f"{'measurement':<14}{'time (s)':>10}{'ratio':>8}{'cpu (s)':>10}{'ratio':>8}"
        f"{'peak MB':>10}{'output':>14}"
    )
    rows = [
        ("pdf-baseline", None),
        ("pdf", "pdf-baseline"),
        ("pdf-service", "pdf-baseline"),
        ("lms-baseline", None),
        ("lms", "lms-baseline"),
        ("lms-service", "lms-baseline"),
    ]
    for kind, base in rows:
        figure = summary[kind]
        ratio = f"{figure['seconds'] / summary[base]['seconds']:.2f}x" if base else "-"
        cpu_ratio = f"{figure['cpu'] / summary[base]['cpu']:.2f}x" if base else "-"
        print(
            f"{kind:<14}{figure['seconds']:>10.3f}{ratio:>8}{figure['cpu']:>10.3f}{cpu_ratio:>8}"
            f"{figure['peak_mb']:>10.0f}{int(figure['bytes']):>14,}"
        )
    pdf_ratio = summary["pdf"]["seconds"] / summary["pdf-baseline"]["seconds"]
    lms_ratio = summary["lms"]["seconds"] / summary["lms-baseline"]["seconds"]
    lms_cpu_ratio = summary["lms"]["cpu"] / summary["lms-baseline"]["cpu"]
    peak = max(summary[k]["peak_mb"] for k in ("pdf", "lms", "pdf-service", "lms-service"))
    verdict = [
        f"PDF {pdf_ratio:.2f}x (target ≤ {PDF_TARGET}x): {'ok' if pdf_ratio <= PDF_TARGET else 'MISSED'}",
        f"LMS {lms_ratio:.2f}x (target ≤ {LMS_TARGET}x): {'ok' if lms_ratio <= LMS_TARGET else 'MISSED'}"
        f" (CPU time {lms_cpu_ratio:.2f}x; both deflate at level 6)",
        f"peak {peak:.0f} MB (target < {MEMORY_TARGET_MB} MB): "
        f"{'ok' if peak < MEMORY_TARGET_MB else 'MISSED'}",
    ]
    print("\n".join(verdict))
    return summary


def test_export_benchmark_quick() -> None:
    summary = run_benchmark(40, TARGET_BYTES // 5, 1)
    assert summary["pdf"]["bytes"] > 0 and summary["lms"]["bytes"] > 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="40 lessons, ~0.9 MB, one run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--package", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        print(json.dumps(_measure(args.measure, args.package, args.work)))
        return
    if args.quick:
        run_benchmark(40, TARGET_BYTES // 5, 1)
    else:
        run_benchmark(LESSONS, TARGET_BYTES, args.repeat)


if __name__ == "__main__":
    main()
