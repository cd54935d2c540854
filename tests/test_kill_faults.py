"""kill -9 at random moments of an import and of an export (each in a subprocess, under the memory
limit): the store stays intact and holds the course or not, an export's file is complete or
absent, and the next run cleans up the temporary files of the killed ones.

The kill moments are random (the seed is in every failure message) and spread over the time one
whole run takes here, measured in the same test; nothing is asserted about time.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, text

from player.store.db import Store
from player.store.models import ExportRecord
from tests.bench.generate import generate_course
from tests.faults import MEMORY_LIMIT, _limit_memory, cli_command, cli_env, run_cli

KILLS = 4
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="no SIGKILL here")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def timed(data: Path, *argv: str) -> float:
    start = time.monotonic()
    done = run_cli(data, *argv)
    assert done.returncode == 0, done.stderr
    return time.monotonic() - start


def killed_at_random(data: Path, rng: random.Random, duration: float, *argv: str) -> float:
    """Start the command, kill -9 it after a random part of ``duration``; return the delay."""
    delay = rng.uniform(0.0, duration)
    process = subprocess.Popen(
        cli_command(data, *argv),
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: _limit_memory(MEMORY_LIMIT),
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return delay


def integrity(data: Path) -> str:
    store = Store(data)
    try:
        with store.engine.connect() as conn:
            return str(conn.execute(text("PRAGMA integrity_check")).scalar())
    finally:
        store.close()


def forget_exports(data: Path) -> None:
    """Give the learner back the rate limit's slots (each run here is one more export)."""
    store = Store(data)
    try:
        with store.write() as session:
            session.exec(delete(ExportRecord))
    finally:
        store.close()


def listing(data: Path) -> list[str]:
    done = run_cli(data, "list")
    assert done.returncode == 0, done.stderr
    return sorted(done.stdout.splitlines())


def test_a_killed_import_leaves_the_store_intact_with_the_course_or_without(
    tmp_path: Path,
) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    course = tmp_path / "big.json"
    course.write_bytes(generate_course(lessons=120, target_bytes=3_000_000))
    reference = tmp_path / "reference"
    duration = timed(reference, "import", str(course))
    expected = listing(reference)
    data = tmp_path / "data"
    for _ in range(KILLS):
        delay = killed_at_random(data, rng, duration, "import", str(course))
        context = f"seed {seed}, killed after {delay:.2f} s"
        if not (data / "player.sqlite3").exists():
            continue  # killed before the store was created
        assert integrity(data) == "ok", context
        assert listing(data) in ([], expected), context
    done = run_cli(data, "import", str(course))
    assert done.returncode == 0, f"seed {seed}: {done.stderr}"
    assert listing(data) == expected


@pytest.mark.parametrize("fmt", ["lms", "pdf"])
def test_a_killed_export_leaves_a_complete_file_or_none_and_no_temporary_file(
    tmp_path: Path, fmt: str
) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    course = tmp_path / "course.json"
    course.write_bytes(generate_course(lessons=30, target_bytes=600_000, course_id="kill-me"))
    data = tmp_path / "data"
    for argv in (("import", str(course)), ("enroll", "kill-me")):
        assert run_cli(data, *argv).returncode == 0
    out = tmp_path / "out"
    out.mkdir()
    reference = tmp_path / f"reference.{fmt}"
    duration = timed(data, "export", fmt, "kill-me", "-o", str(reference))
    dest = out / f"course.{fmt}"
    for _ in range(KILLS):
        forget_exports(data)
        delay = killed_at_random(data, rng, duration, "export", fmt, "kill-me", "-o", str(dest))
        context = f"seed {seed}, killed after {delay:.2f} s"
        if dest.exists():
            assert sha(dest) == sha(reference), context  # complete, never half-written
        assert integrity(data) == "ok", context
    forget_exports(data)
    done = run_cli(data, "export", fmt, "kill-me", "-o", str(dest))
    assert done.returncode == 0, f"seed {seed}: {done.stderr}"
    assert sorted(p.name for p in out.iterdir()) == [dest.name], f"seed {seed}"
    assert sha(dest) == sha(reference)
