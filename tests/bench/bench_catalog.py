"""Catalog benchmark: storing a 100,000-course catalog (issue #10).

Run explicitly (it is not collected by the default test run)::

    .venv/bin/python -m tests.bench.bench_catalog            # 100,000 entries
    .venv/bin/python -m tests.bench.bench_catalog --quick    # 20,000 entries

Each case runs in a fresh interpreter, so its peak memory (``ru_maxrss``) is its own. It prints
the wall time and the memory the step added, for: the baseline measured in the same run (plain
``sqlite3``: the same rows inserted with ``executemany`` in one transaction, the least any store
can do), the first store of the catalog (every row new), and storing the same catalog again
(nothing changed). Before issue #10 the first store was one ORM transaction: 14.8 s and +353 MB
for 100,000 entries on the development machine, with every learner write locked out meanwhile.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _courses(n: int) -> list[object]:
    from player.sync.wire import CatalogCourse

    return [
        CatalogCourse(
            id=f"course-{i:06d}",
            title=f"Course number {i}",
            version=1,
            sha256="ab" * 32,
            size_bytes=1000 + i,
            updated_at="2026-10-01T12:00:00Z",
        )
        for i in range(n)
    ]


def _case(name: str, n: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="bench-catalog-"))
    courses = _courses(n)
    if name == "baseline":
        conn = sqlite3.connect(folder / "plain.sqlite3")
        conn.execute(
            "CREATE TABLE c (id INTEGER PRIMARY KEY, t TEXT, course TEXT, title TEXT, v INT,"
            " sha TEXT, size INT, upd TEXT, seen TEXT, UNIQUE (t, course))"
        )
        rows = [
            ("t1", c.id, c.title, c.version, c.sha256, c.size_bytes, c.updated_at, "now")  # type: ignore[attr-defined]
            for c in courses
        ]
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        with conn:
            conn.executemany(
                "INSERT INTO c (t, course, title, v, sha, size, upd, seen)"
                " VALUES (?,?,?,?,?,?,?,?)",
                rows,
            )
        seconds = time.perf_counter() - start
    else:
        from player.services import profiles
        from player.store.db import Store
        from player.sync import merge
        from player.timeutil import utcnow

        store = Store(folder)
        profile = profiles.upsert_server_profile(
            store,
            user_id="u1",
            name="Bench",
            tenant_id="t1",
            server_url="https://learn.example.org",
            username="bench",
        )
        if name == "again":
            merge.store_catalog(store, profile, courses, utcnow())  # type: ignore[arg-type]
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        merge.store_catalog(store, profile, courses, utcnow())  # type: ignore[arg-type]
        seconds = time.perf_counter() - start
        store.close()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "added_mb": (after - before) / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 entries")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("-n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    n = args.n or (20_000 if args.quick else 100_000)
    if args.case:
        print(json.dumps(_case(args.case, n)))
        return 0
    print(f"catalog of {n:,} entries (each case in a fresh interpreter)")
    labels = {
        "baseline": "baseline: sqlite3 executemany, one transaction",
        "first": "store_catalog, every row new",
        "again": "store_catalog, nothing changed",
    }
    for case, label in labels.items():
        out = subprocess.run(
            [sys.executable, "-m", "tests.bench.bench_catalog", "--case", case, "-n", str(n)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"  {label:<48} {figures['seconds']:7.2f} s  +{figures['added_mb']:5.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
