"""The command line's exit statuses (docs/cli.md), each through the real ``course-player``.

Statuses that need a server (75, 4 from a 429, the lab policy's server) are in
``tests/sync/test_cli_exit_codes.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from player.cli import exit_codes, main
from player.errors import (
    ChecksumMismatch,
    NotEnrolled,
    NotPublished,
    PayloadTooLarge,
    RateLimited,
    ServerRefused,
    ServerUnavailable,
    SignInRequired,
    UsageError,
)
from tests.conftest import FIXTURES

Run = tuple[int, str, str]


def run(capsys: pytest.CaptureFixture[str], data: Path, *argv: str) -> Run:
    code = main(["--data-dir", str(data), *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "data"
    assert run(capsys, folder, "import", str(FIXTURES / "git-basics.json"))[0] == 0
    return folder


def test_0_done_and_1_error(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    code, out, _err = run(capsys, data, "list")
    assert code == exit_codes.OK == 0 and "git-basics" in out
    code, out, err = run(capsys, data, "lesson", "nope", "0")
    assert code == exit_codes.ERROR == 1 and out == "" and "no course “nope”" in err


def test_2_usage(capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    code, _out, err = run(capsys, data, "export", "pdf", "-o", str(tmp_path / "x.pdf"))
    assert code == exit_codes.USAGE == 2 and "COURSE_ID or --all" in err
    code, _out, err = run(capsys, data, "sync", "--server", "http://127.0.0.1:9")
    assert code == 2 and "--user" in err
    with pytest.raises(SystemExit) as parsed:  # argparse's own usage errors are 2 as well
        main(["--data-dir", str(data), "lesson", "git-basics"])
    assert parsed.value.code == 2


def test_3_refused_by_a_guard(
    capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path
) -> None:
    code, out, err = run(capsys, data, "export", "pdf", "git-basics", "-o", str(tmp_path / "g.pdf"))
    assert code == exit_codes.REFUSED == 3 and out == "" and "not enrolled" in err
    assert not (tmp_path / "g.pdf").exists()
    code, out, err = run(capsys, data, "import", str(FIXTURES / "draft-not-published.json"))
    assert code == 3 and "not published" in err
    code, _out, _err = run(capsys, data, "export", "pdf", "--all", "-o", str(tmp_path / "all"))
    assert code == 3


def test_4_rate_limited_says_how_long_to_wait(
    capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path
) -> None:
    assert run(capsys, data, "enroll", "git-basics")[0] == 0
    for i in range(3):
        code, _out, err = run(
            capsys, data, "export", "pdf", "git-basics", "-o", str(tmp_path / f"{i}.pdf")
        )
        assert code == 0, err
    code, out, err = run(capsys, data, "export", "lms", "git-basics", "-o", str(tmp_path / "4.zip"))
    assert code == exit_codes.RATE_LIMITED == 4 and out == ""
    [wait] = [line for line in err.splitlines() if "retry after" in line]
    seconds = int(wait.removeprefix("course-player: retry after ").removesuffix(" s"))
    assert 0 < seconds <= 600
    code, _out, err = run(capsys, data, "export", "lms", "--all", "-o", str(tmp_path / "all"))
    assert code == 4 and "retry after" in err


def test_5_too_large(capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    filler = "x" * 1000
    lessons = [
        {"index": i, "title": f"Lesson {i}", "blocks": [{"type": "paragraph", "text": filler}] * 50}
        for i in range(100)
    ]
    big = {
        "schemaVersion": 1,
        "id": "pkg_big_v1",
        "courseId": "big",
        "version": 1,
        "status": "PUBLISHED",
        "title": "Big",
        "publishedAt": "2026-01-02T03:04:05Z",
        "lessons": lessons,
        "assets": {},
    }
    path = tmp_path / "big.json"
    path.write_text(json.dumps(big), encoding="utf-8")
    assert run(capsys, data, "import", str(path))[0] == 0
    assert run(capsys, data, "enroll", "big")[0] == 0
    code, out, err = run(capsys, data, "export", "pdf", "big", "-o", str(tmp_path / "big.pdf"))
    assert code == exit_codes.TOO_LARGE == 5 and out == "" and "too large" in err
    assert not (tmp_path / "big.pdf").exists()


def test_each_typed_error_has_its_status() -> None:
    """The one table, including the server's answers that mean the same as ours."""
    assert exit_codes.exit_code(UsageError("x")) == 2
    assert exit_codes.exit_code(NotEnrolled("x")) == 3
    assert exit_codes.exit_code(NotPublished("x")) == 3
    assert exit_codes.exit_code(ChecksumMismatch("x")) == 3
    assert exit_codes.exit_code(ServerRefused("x", status=403, error_code="FORBIDDEN")) == 3
    assert exit_codes.exit_code(RateLimited(61)) == 4
    assert exit_codes.retry_after(RateLimited(61)) == 61
    assert exit_codes.exit_code(ServerUnavailable("server", "x", status=429)) == 4
    assert (
        exit_codes.retry_after(ServerUnavailable("server", "x", status=429, retry_after=2.5)) == 3
    )
    assert exit_codes.exit_code(PayloadTooLarge(6, 5)) == 5
    assert exit_codes.exit_code(ServerRefused("x", status=413, error_code="PAYLOAD_TOO_LARGE")) == 5
    assert exit_codes.exit_code(ServerUnavailable("offline", "x")) == 75
    assert exit_codes.exit_code(ServerUnavailable("server", "x", status=503)) == 75
    assert exit_codes.retry_after(ServerUnavailable("server", "x", status=503)) is None
    assert exit_codes.exit_code(SignInRequired()) == 1
    assert exit_codes.exit_code(ValueError()) == 1
    assert exit_codes.combined([0, 4, 4]) == 4
    assert exit_codes.combined([0, 3, 4]) == 1
    assert exit_codes.combined([0, 0]) == 0


def test_a_reader_that_stops_early_ends_the_command_quietly(data: Path, tmp_path: Path) -> None:
    """``course-player list | head -1``: stdout closes before the command has written it all."""
    for i in range(40):  # enough rows that the output is more than one pipe write
        course = json.loads((FIXTURES / "git-basics.json").read_text(encoding="utf-8"))
        course.update(courseId=f"course-{i:02d}", id=f"pkg_course_{i:02d}", title="T" * 2000)
        (tmp_path / f"c{i}.json").write_text(json.dumps(course), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    base = [sys.executable, "-m", "player", "--data-dir", str(data)]
    files = [str(tmp_path / f"c{i}.json") for i in range(40)]
    subprocess.run([*base, "import", *files], check=True, capture_output=True, env=env)
    process = subprocess.Popen(
        [*base, "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # as `head -1` does
    err = process.stderr.read().decode()
    code = process.wait(timeout=60)
    assert b"\tready\tfile\t" in first
    assert "Traceback" not in err and "BrokenPipeError" not in err and err == ""
    assert code == exit_codes.BROKEN_PIPE
