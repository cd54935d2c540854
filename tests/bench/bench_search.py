"""Search benchmark: index 1,000 courses of ~50 KB, then 100 varied queries.

Run explicitly (it is not collected by the default test run)::

    .venv/bin/python -m tests.bench.bench_search            # 1,000 courses
    .venv/bin/python -m tests.bench.bench_search --quick    # 200 courses

Prints the index build time (every course imported through ``packages.import_bytes``, which
extracts its text first and writes the index rows in the package's transaction) beside a
baseline measured in the same run: the same imports into another store without the index; and
the time spent inside write transactions (what holds the store's lock) for both. Then the query time, median and worst
over 100 varied queries through ``player.services.search.search`` (targets: median < 20 ms,
worst < 50 ms), beside a baseline scan in Python over the same extracted text without any index;
and the index's size beside the packages' size (SQLite's ``dbstat``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from player.package import parse_package
from player.search.extract import documents
from player.search.fold import find_spans
from player.search.query import parse_query
from player.services import packages, profiles
from player.services.search import search
from player.store.db import Store
from tests.bench.generate import WORDS, generate_course

TARGET_BYTES = 50_000
LESSONS = 8
TARGET_MEDIAN_MS, TARGET_WORST_MS = 20.0, 50.0
INDEX_TABLES = ("searchdoc", "searchwords", "searchgrams")


def make_course(number: int) -> bytes:
    return generate_course(
        LESSONS,
        TARGET_BYTES,
        course_id=f"bench-{number:04d}",
        title=f"Benchmark course {number:04d} {WORDS[number % len(WORDS)]}",
        images=1,
        image_size=(8, 8),
    )


def queries(courses: int) -> list[str]:
    """100 queries: common and rare words, prefixes, several words, accents, scripts, syntax."""
    words = list(WORDS)
    result: list[str] = []
    result += words[:30]  # one word found in most lessons
    result += [w[:3] for w in words[30:45]]  # a prefix while typing
    result += [f"{words[n % len(words)]} {words[(n * 7) % len(words)]}" for n in range(45, 60)]
    result += [f"course {n:04d}" for n in range(0, courses, max(1, courses // 10))][:10]  # rare
    result += ["CAFE", "strasse", "GROSSE", "NAIVE", "καλημερα", "ЕЩЁ", "мягких"]  # fold
    result += ['"commit', "NEAR(", "-merge", "branch*", "AND", "(tree)", "^push", "[diff]"]
    result += ["日本語", "東京", "你好世界", "ありがとう", "한국어"]  # unspaced: trigram and LIKE
    result += ["zzyzx", "quantum chromodynamics", "x"]  # nothing, or almost nothing
    while len(result) < 100:
        result.append(f"{words[len(result) % len(words)]} lesson")
    return result[:100]


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="200 courses instead of 1,000")
    args = parser.parse_args(argv)
    count = 200 if args.quick else 1000
    with tempfile.TemporaryDirectory() as folder:
        return run(Path(folder), count)


def run(folder: Path, count: int) -> int:
    start = time.perf_counter()
    raws = [make_course(n) for n in range(count)]
    print(f"generated {count} courses, {sum(map(len, raws)) / 1e6:.1f} MB in "
          f"{time.perf_counter() - start:.1f} s")  # fmt: skip

    # Baseline: the same imports into another store, without the index.
    baseline_store = Store(folder / "baseline")
    baseline_writes = _time_writes(baseline_store)
    prepare, write = packages.prepare_index, packages.write_index
    packages.prepare_index = lambda parsed: None  # type: ignore[assignment,return-value]
    packages.write_index = lambda *args: None
    try:
        start = time.perf_counter()
        for raw in raws:
            packages.import_bytes(baseline_store, raw)
        baseline_import = time.perf_counter() - start
    finally:
        packages.prepare_index, packages.write_index = prepare, write
    start = time.perf_counter()
    docs = [documents(parse_package(raw).package) for raw in raws]
    extract = time.perf_counter() - start
    baseline_store.close()

    store = Store(folder / "data")
    writes = _time_writes(store)
    start = time.perf_counter()
    for raw in raws:
        packages.import_bytes(store, raw)
    build = time.perf_counter() - start
    print(f"index build: {count} imports with the index {build:.1f} s "
          f"({build / count * 1000:.1f} ms a course); baseline without it {baseline_import:.1f} s; "
          f"text extraction alone {extract:.1f} s (done before the write transaction)")  # fmt: skip
    print(f"write transactions (the store's lock): with the index {sum(writes):.1f} s, "
          f"longest {max(writes) * 1000:.0f} ms; baseline {sum(baseline_writes):.1f} s, "
          f"longest {max(baseline_writes) * 1000:.0f} ms")  # fmt: skip

    guest = profiles.ensure_guest(store)
    search(store, guest, "warm up")
    times: list[float] = []
    hits: list[int] = []
    for query in queries(count):
        start = time.perf_counter()
        results = search(store, guest, query)
        times.append((time.perf_counter() - start) * 1000)
        hits.append(len(results.hits))
    slowest = max(range(len(times)), key=times.__getitem__)

    bodies = [doc.title + "\n" + doc.body for course in docs for doc in course]
    scan: list[float] = []
    for query in queries(count)[:20]:
        pieces = list(parse_query(query).pieces)
        start = time.perf_counter()
        [body for body in bodies if all(find_spans(body, [p]) for p in pieces)]
        scan.append((time.perf_counter() - start) * 1000)

    median, worst = statistics.median(times), max(times)
    print(f"queries: {len(times)}, median {median:.1f} ms (target < {TARGET_MEDIAN_MS:.0f}), "
          f"p95 {sorted(times)[94]:.1f} ms, worst {worst:.1f} ms (target < {TARGET_WORST_MS:.0f}) "
          f"for {queries(count)[slowest]!r}; hits a query: median {statistics.median(hits):.0f}")  # fmt: skip
    print(f"baseline: a scan of the same text without an index, median "
          f"{statistics.median(scan):.0f} ms over 20 queries")  # fmt: skip

    with store.read() as session:
        sizes: dict[str, int] = dict(
            session.connection()
            .execute(text("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
            .all()
        )
        package_bytes = int(
            session.connection()
            .execute(text("SELECT sum(sizeBytes) FROM packageblob"))
            .scalar_one()
        )
    index_bytes = sum(n for name, n in sizes.items() if name.startswith(INDEX_TABLES))
    text_bytes = sum(n for name, n in sizes.items() if name.startswith("searchdoc"))
    print(f"size: packages {package_bytes / 1e6:.1f} MB; index {index_bytes / 1e6:.1f} MB "
          f"({index_bytes / package_bytes:.0%} of the packages: text {text_bytes / 1e6:.1f} MB, "
          f"words {_sum(sizes, 'searchwords') / 1e6:.1f} MB, trigrams "
          f"{_sum(sizes, 'searchgrams') / 1e6:.1f} MB); file {dir_bytes(store.data_dir) / 1e6:.1f} MB")  # fmt: skip
    store.close()
    ok = median < TARGET_MEDIAN_MS and worst < TARGET_WORST_MS
    print("verdict:", "within the targets" if ok else "OVER the targets")
    return 0


def _time_writes(store: Store) -> list[float]:
    """Seconds spent in each of ``store``'s write transactions from now on."""
    spent: list[float] = []
    original = store.write

    @contextmanager
    def write() -> Iterator[Session]:
        start = time.perf_counter()
        with original() as session:
            yield session
        spent.append(time.perf_counter() - start)

    store.write = write  # type: ignore[method-assign]
    return spent


def _sum(sizes: dict[str, int], prefix: str) -> int:
    return sum(n for name, n in sizes.items() if name.startswith(prefix))


if __name__ == "__main__":
    sys.exit(main())
