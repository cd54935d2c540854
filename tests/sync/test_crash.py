"""A ``course-player sync`` process killed (SIGKILL) mid-sync; the next sync finishes the job with
nothing lost and nothing applied twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import select

from player.services import outbox, progress
from player.store.db import Store
from player.store.models import AuditLog, LessonProgress, StoredPackage
from tests.server.app import ContractServer
from tests.server.seeding import fixtures_dir
from tests.sync.conftest import SignInAs
from tests.sync.test_engine import FREE
from tests.sync.test_faults import server_events

REPO = Path(__file__).resolve().parents[2]
BATCH = "/api/learn/progress/batch"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")


def start_sync(data_dir: Path, server: ContractServer, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        COURSE_PLAYER_PASSWORD="pw-ana",
        PYTHONPATH=str(REPO),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "player",
            "--data-dir",
            str(data_dir),
            "sync",
            "--server",
            server.url,
            "--user",
            "ana",
            "--max-wait",
            "10",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def kill_when(process: subprocess.Popen[bytes], condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the sync never reached the point to kill it at"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL


def finish(process: subprocess.Popen[bytes]) -> str:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, (out.decode(), err.decode())
    return out.decode()


def test_killed_during_upload_then_resumed(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store, tmp_path: Path
) -> None:
    server = contract_server
    server.add_enrollment(server.user_id("ana"), FREE)
    ana = sign_in_as(server, "ana")
    assert ana.sync().delivered
    events = 1001  # three batches
    for n in range(events):
        progress.set_lesson_completed(store, ana.profile, FREE, n % 4, completed=n % 3 != 0)
    with store.read() as session:
        expected = {
            (r.courseId, r.lessonIdx): r.completed for r in session.exec(select(LessonProgress))
        }
    server.faults.delay_next(2, 0.5, path_prefix=BATCH)  # batches 1 and 2 are slow
    server.reset_requests()

    first = start_sync(store.data_dir, server, tmp_path)
    kill_when(first, lambda: any(r.path == BATCH for r in server.requests))  # batch 2 in flight

    assert outbox.counts(store, ana.profile)["pending"] > 0  # the kill left work to do
    finish(start_sync(store.data_dir, server, tmp_path))

    counts = outbox.counts(store, ana.profile)
    assert counts["pending"] == 0 and counts["rejected"] == 0
    assert server_events(server, ana.user_id) == events  # each event once
    rows = {
        (r["courseId"], r["lessonIdx"]): r["completed"] for r in server.progress_rows(ana.user_id)
    }
    assert rows == expected
    with store.read() as session:
        local_audit = sorted(a.id for a in session.exec(select(AuditLog)))
    assert sorted(e["id"] for e in server.audit_events(ana.user_id)) == local_audit


def test_killed_during_downloads_then_resumed(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store, tmp_path: Path
) -> None:
    server = contract_server
    ana_id = server.user_id("ana")
    template = json.loads((fixtures_dir() / "multilingual.json").read_bytes())
    course_ids = [f"crash-{n:03d}" for n in range(24)]
    for course_id in course_ids:
        template["courseId"] = course_id
        template["title"] = f"Course {course_id}"
        server.publish(json.dumps(template).encode(), "t-north")
        server.add_enrollment(ana_id, course_id)
    sign_in_as(server, "ana")  # the learner exists on this machine; the process signs in again
    server.faults.delay_next(len(course_ids), 0.1, path_prefix="/api/learn/courses/crash-")

    first = start_sync(store.data_dir, server, tmp_path)
    kill_when(first, lambda: server.bodies_sent >= 8)

    with store.read() as session:
        stored_before = len(session.exec(select(StoredPackage)).all())
    assert stored_before < len(course_ids)
    server.faults.clear()
    finish(start_sync(store.data_dir, server, tmp_path))

    with store.read() as session:
        stored = session.exec(select(StoredPackage.courseId)).all()
    assert sorted(stored) == sorted(course_ids)  # each course once, whole (parsed and verified)
