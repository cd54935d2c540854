"""Sync benchmark: 1,000 courses (~50 KB each), a no-change re-sync, 10,000 progress events.

Run explicitly (it is not collected by the default test run)::

    .venv/bin/python -m tests.bench.bench_sync            # full mode, then seed mode
    .venv/bin/python -m tests.bench.bench_sync --quick    # 200 courses, 2,000 events
    .venv/bin/pytest tests/bench/bench_sync.py -s

It prints, for each step, the wall time and the number of HTTP requests, with a baseline
measured in the same run: plain httpx requests for the same bodies (GET the 1,000 packages; POST
the same number of events in batches, or one by one for the seed server) without storing
anything. Targets: a no-change re-sync under 0.5 s in at most 5 requests; 10,000 events
uploaded in under 5 s (full mode).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from sqlmodel import select

from player.services import outbox
from player.store.db import Store
from player.store.models import LessonProgress, StoredPackage
from player.sync.engine import sync
from player.sync.report import SyncReport
from player.sync.server_signin import open_client, sign_in
from player.sync.tokens import TokenStore
from player.timeutil import to_rfc3339, utcnow
from tests.bench.generate import generate_course
from tests.server.app import ContractServer
from tests.server.seeding import STANDARD_USERS, seed_standard

TARGET_BYTES = 50_000
LESSONS = 8


def make_course(course_id: str) -> bytes:
    """A valid published package of about TARGET_BYTES, its text seeded by ``course_id``."""
    return generate_course(
        LESSONS,
        TARGET_BYTES,
        course_id=course_id,
        title=f"Benchmark course {course_id}",
        images=1,
        image_size=(8, 8),
    )


def build_server(folder: Path, courses: int, seed_mode: bool) -> tuple[ContractServer, list[str]]:
    server = ContractServer(
        folder / f"server-{'seed' if seed_mode else 'full'}.db", seed_mode=seed_mode
    )
    seed_standard(server)
    ids = [f"bench-{n:04d}" for n in range(courses)]
    ana, ben = server.user_id("ana"), server.user_id("ben")
    for course_id in ids:
        server.publish(make_course(course_id), "t-north")
        server.add_enrollment(ana, course_id)
        server.add_enrollment(ben, course_id)
    server.start()
    return server, ids


@contextmanager
def timed() -> Iterator[list[float]]:
    box: list[float] = []
    start = time.perf_counter()
    yield box
    box.append(time.perf_counter() - start)


def row(label: str, seconds: float, requests: int, extra: str = "") -> None:
    print(f"  {label:<44} {seconds:8.3f} s  {requests:6d} requests  {extra}")


def token_client(server: ContractServer, username: str) -> httpx.Client:
    answer = httpx.post(
        f"{server.url}/api/auth/token",
        json={
            "username": username,
            "password": STANDARD_USERS[username][0],
            "deviceName": "bench",
        },
    )
    answer.raise_for_status()
    return httpx.Client(
        base_url=server.url,
        headers={"Authorization": f"Bearer {answer.json()['token']}"},
        limits=httpx.Limits(max_connections=8, max_keepalive_connections=8),
    )


def baseline_gets(server: ContractServer, ids: list[str], workers: int) -> tuple[float, int]:
    with token_client(server, "ben") as client:

        def get(course_id: str) -> int:
            return len(client.get(f"/api/learn/courses/{quote(course_id, safe='')}").content)

        with timed() as took, ThreadPoolExecutor(workers) as pool:
            total = sum(pool.map(get, ids))
    return took[0], total


def events_for(ids: list[str], count: int) -> Iterator[tuple[str, int, bool]]:
    for n in range(count):
        yield ids[n % len(ids)], (n // len(ids)) % LESSONS, n % 5 != 0


def baseline_posts(
    server: ContractServer, ids: list[str], count: int, batch: bool
) -> tuple[float, int]:
    """POST ``count`` fresh events for ben (the server's own cost, no local store)."""
    moment = to_rfc3339(utcnow())
    bodies = [
        {
            "courseId": c,
            "lessonIdx": i,
            "completed": done,
            "clientEventId": str(uuid.uuid4()),
            "occurredAt": moment,
        }
        for c, i, done in events_for(ids, count)
    ]
    requests = 0
    with token_client(server, "ben") as client, timed() as took:
        if batch:
            for start in range(0, len(bodies), 500):
                client.post(
                    "/api/learn/progress/batch", json={"events": bodies[start : start + 500]}
                )
                requests += 1
        else:
            for body in bodies:
                client.post("/api/learn/progress", json=body)
                requests += 1
    return took[0], requests


def queue_events(store: Store, profile: Any, ids: list[str], count: int) -> None:
    """What ``set_lesson_completed`` writes, for ``count`` events, in one transaction."""
    start = utcnow()
    with store.write() as session:
        latest: dict[tuple[str, int], LessonProgress] = {}
        for n, (course_id, lesson, done) in enumerate(events_for(ids, count)):
            moment = start.replace(microsecond=0) if n == 0 else utcnow()
            row_ = latest.get((course_id, lesson))
            if row_ is None:
                row_ = LessonProgress(
                    userId=profile.userId, courseId=course_id, lessonIdx=lesson, updatedAt=moment
                )
                latest[(course_id, lesson)] = row_
            row_.completed = done
            row_.updatedAt = moment
            event_id = outbox.new_event_id()
            outbox.enqueue(
                session,
                profile,
                "progress",
                {
                    "courseId": course_id,
                    "lessonIdx": lesson,
                    "completed": done,
                    "clientEventId": event_id,
                    "occurredAt": to_rfc3339(moment),
                },
                client_event_id=event_id,
                now=moment,
            )
        session.add_all(latest.values())


def run_sync(store: Store, profile: Any, client: Any) -> tuple[float, SyncReport]:
    with timed() as took:
        report = sync(store, profile, client)
    return took[0], report


def bench_mode(folder: Path, courses: int, events: int, seed_mode: bool) -> dict[str, float]:
    mode = "seed" if seed_mode else "full"
    print(f"\n{mode}-mode server: {courses} courses, {events} events")
    with timed() as took:
        server, ids = build_server(folder, courses, seed_mode)
    size = len(make_course(ids[0]))
    print(f"  (server seeded in {took[0]:.1f} s; one package is {size / 1000:.1f} KB)")
    figures: dict[str, float] = {}
    try:
        seconds, total = baseline_gets(server, ids, workers=4)
        row("baseline: httpx GET of every package", seconds, len(ids), f"{total / 1e6:.1f} MB")
        store = Store(folder / f"player-{mode}")
        tokens = TokenStore()
        result = sign_in(store, server.url, "ana", STANDARD_USERS["ana"][0], tokens=tokens)
        with open_client(result.profile, tokens=tokens) as client:
            seconds, report = run_sync(store, result.profile, client)
            with store.read() as session:
                stored = len(session.exec(select(StoredPackage.id)).all())
            row(
                "initial sync",
                seconds,
                report.requests,
                f"{report.courses_downloaded} downloaded, {stored} stored",
            )
            figures["initial"] = seconds

            seconds, report = run_sync(store, result.profile, client)
            row(
                "no-change re-sync",
                seconds,
                report.requests,
                f"{report.courses_unchanged} unchanged",
            )
            figures["nochange"], figures["nochange_requests"] = seconds, report.requests

            seconds, requests = baseline_posts(server, ids, events, batch=not seed_mode)
            row(f"baseline: httpx POST of {events} events", seconds, requests)
            queue_events(store, result.profile, ids, events)
            seconds, report = run_sync(store, result.profile, client)
            row(
                f"upload of {events} queued events (one sync)",
                seconds,
                report.requests,
                f"{report.events_sent} sent, {report.events_waiting} waiting",
            )
            figures["upload"] = seconds
            assert report.events_waiting == 0, report
        store.close()
    finally:
        server.stop()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="200 courses and 2,000 events")
    parser.add_argument("--courses", type=int)
    parser.add_argument("--events", type=int)
    parser.add_argument("--full-only", action="store_true", help="skip the seed-mode server")
    args = parser.parse_args(argv)
    courses = args.courses or (200 if args.quick else 1000)
    events = args.events or (2000 if args.quick else 10_000)
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as scratch:
        full = bench_mode(Path(scratch), courses, events, seed_mode=False)
        if not args.full_only:
            bench_mode(Path(scratch), courses, events, seed_mode=True)
    print("\ntargets (full mode):")
    print(
        f"  no-change re-sync < 0.5 s: {full['nochange']:.3f} s, "
        f"≤ 5 requests: {int(full['nochange_requests'])}"
    )
    print(f"  {events} events < 5 s: {full['upload']:.3f} s")
    return 0


def test_bench_sync() -> None:
    """``pytest tests/bench/bench_sync.py -s`` runs the quick variant."""
    main(["--quick"])


if __name__ == "__main__":
    sys.exit(main())
