"""``course-player sync`` in a subprocess: killed at random points, and run under a memory limit
(issue #10). Nothing is lost or stored twice; a hostile server never takes the process down."""

from __future__ import annotations

import hashlib
import json
import os
import random
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from player.services import outbox, profiles, progress
from player.store.db import Store
from player.store.models import CatalogEntry, StoredPackage
from tests.server.app import ContractServer
from tests.server.seeding import fixtures_dir
from tests.sync.conftest import SignInAs
from tests.sync.test_crash import REPO, kill_when
from tests.sync.test_engine import FREE
from tests.sync.test_faults import server_events

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL and rlimits")

COURSES = 12
EXTRA_CATALOG = 1000
EVENTS = 700
MEMORY_LIMIT = 1024 * 1024 * 1024  # address space of the sync process (RLIMIT_AS)


def _sync_process(
    data_dir: Path, server: ContractServer, tmp_path: Path, memory_limit: int | None = None
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(COURSE_PLAYER_PASSWORD="pw-ana", PYTHONPATH=str(REPO))

    def limit() -> None:
        if memory_limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    return subprocess.Popen(
        [
            *(sys.executable, "-m", "player", "--data-dir", str(data_dir), "sync"),
            *("--server", server.url, "--user", "ana", "--max-wait", "20"),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=limit,
    )


def _raw_package(server: ContractServer, course_id: str, body: bytes) -> None:
    """A catalog entry (and package) put straight into the server's table, unparsed."""
    with server.db.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO packages (tenant_id, course_id, version, status, title,"
            " sha256, body, updated_at) VALUES (?,?,?,?,?,?,?,?)",
            (
                "t-north",
                course_id,
                1,
                "PUBLISHED",
                course_id,
                hashlib.sha256(body).hexdigest(),
                body,
                server.db.now_micros(),
            ),
        )


def _workload(server: ContractServer, sign_in_as: SignInAs, store: Store) -> list[str]:
    """Courses still to download, a catalog of a thousand more entries (sold, so listed but
    not downloaded) and hundreds of progress events waiting for upload."""
    ana_id = server.user_id("ana")
    server.add_enrollment(ana_id, FREE)
    ana = sign_in_as(server, "ana")
    assert ana.sync().courses_downloaded >= 1
    for n in range(EVENTS):
        progress.set_lesson_completed(store, ana.profile, FREE, n % 4, completed=n % 3 != 0)
    template = json.loads((fixtures_dir() / "multilingual.json").read_bytes())
    course_ids = [f"kill-{n:03d}" for n in range(COURSES)]
    for course_id in course_ids:
        template["courseId"], template["title"] = course_id, f"Course {course_id}"
        server.publish(json.dumps(template).encode(), "t-north")
        server.add_enrollment(ana_id, course_id)
    listed = [f"listed-{n:05d}" for n in range(EXTRA_CATALOG)]
    with server.db.transaction() as conn:
        conn.executemany(
            "INSERT INTO packages (tenant_id, course_id, version, status, title, sha256, body,"
            " updated_at) VALUES ('t-north', ?, 1, 'PUBLISHED', ?, ?, '{}', ?)",
            [(c, c, hashlib.sha256(b"{}").hexdigest(), server.db.now_micros()) for c in listed],
        )
        conn.executemany(
            "INSERT INTO products (id, tenant_id, course_id, price_cents, currency, active)"
            " VALUES (?, 't-north', ?, 100, 'EUR', 1)",
            [(f"prod-{c}", c) for c in listed],
        )
    return course_ids


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_sync_killed_at_a_random_point_loses_nothing_and_stores_nothing_twice(
    contract_server: ContractServer,
    sign_in_as: SignInAs,
    store: Store,
    tmp_path: Path,
    seed: int,
) -> None:
    server = contract_server
    course_ids = _workload(server, sign_in_as, store)
    ana = profiles.last_used(store)
    server.faults.delay_next(COURSES, 0.05, path_prefix="/api/learn/courses/kill-")
    server.faults.delay_next(2, 0.2, path_prefix="/api/learn/progress/batch")
    server.reset_requests()
    # Killed while its k-th request is in flight: the catalog, the upload batches, the
    # entitlements or one of the downloads, depending on the seed.
    k = random.Random(seed).randint(2, 14)

    first = _sync_process(store.data_dir, server, tmp_path)
    kill_when(first, lambda: len(server.requests) >= k)
    server.faults.clear()
    second = _sync_process(store.data_dir, server, tmp_path)
    out, err = second.communicate(timeout=120)

    assert second.returncode == 0, (out.decode(), err.decode())
    counts = outbox.counts(store, ana)
    assert counts["pending"] == 0 and counts["rejected"] == 0
    assert server_events(server, server.user_id("ana")) == EVENTS  # every event exactly once
    with store.read() as session:
        stored = session.exec(select(StoredPackage.courseId)).all()
        catalog = session.exec(select(func.count()).select_from(CatalogEntry)).one()
    assert sorted(c for c in stored if c.startswith("kill-")) == course_ids  # each once
    with server.db.transaction() as conn:
        offered = conn.execute(
            "SELECT COUNT(DISTINCT course_id) FROM packages"
            " WHERE tenant_id = 't-north' AND status = 'PUBLISHED'"
        ).fetchone()[0]
    assert catalog == offered  # the whole catalog, each entry once


def test_hostile_answers_under_a_memory_limit_end_in_a_report_not_a_crash(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store, tmp_path: Path
) -> None:
    server = contract_server
    course_ids = _workload(server, sign_in_as, store)
    ana_id = server.user_id("ana")
    template = json.loads((fixtures_dir() / "multilingual.json").read_bytes())
    template["courseId"] = "deep-course"
    depth = 100_000
    deep = json.dumps(template)[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}"
    _raw_package(server, "deep-course", deep.encode())
    server.add_enrollment(ana_id, "deep-course")
    server.faults.drip_next(1, interval=0.01, chunk=64, path_prefix="/api/learn/entitlements")

    process = _sync_process(store.data_dir, server, tmp_path, memory_limit=MEMORY_LIMIT)
    out, err = process.communicate(timeout=180)

    text = out.decode() + err.decode()
    assert process.returncode == 1, text  # a course could not be stored: reported, not crashed
    assert "Traceback" not in text and "MemoryError" not in text
    assert "deep-course" in out.decode()  # the refused course is named
    with store.read() as session:
        stored = set(session.exec(select(StoredPackage.courseId)).all())
    assert set(course_ids) <= stored and "deep-course" not in stored  # the others are stored
    assert server_events(server, ana_id) == EVENTS
