"""The command line as a second client of the same services (in-process, through ``main``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from player.cli import main
from player.services import profiles
from player.store.db import Store
from tests.conftest import FIXTURES, serve_courses


def run(capsys: pytest.CaptureFixture[str], data: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_import_list_lesson(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    code, out, _ = run(
        capsys,
        data,
        "import",
        str(FIXTURES / "git-basics.json"),
        str(FIXTURES / "multilingual.json"),
    )
    assert code == 0 and out.count("imported") == 2
    code, out, _ = run(capsys, data, "list")
    lines = sorted(out.splitlines())
    assert lines[0].split("\t") == [
        "git-basics", "2", "Git Basics", "ready", "file", "git-basics.json", "-"
    ]  # fmt: skip
    assert len(lines) == 2
    code, out, _ = run(capsys, data, "lesson", "git-basics", "1", "--format", "text")
    assert code == 0 and "Making a first commit" in out and "git add hello.txt" in out
    code, out, _ = run(capsys, data, "lesson", "git-basics", "1", "--format", "html")
    assert code == 0 and "<h1" in out and "<script" not in out


def test_import_of_broken_files_reports_and_stores_nothing(
    capsys: pytest.CaptureFixture[str], data: Path
) -> None:
    broken = sorted(str(p) for p in FIXTURES.glob("broken-*.json"))
    code, out, err = run(
        capsys, data, "import", *broken, str(FIXTURES / "draft-not-published.json")
    )
    assert code == 1 and out == ""
    assert err.count("course-player:") == 5
    assert "not published" in err and "newer Course Player" in err
    code, out, _ = run(capsys, data, "list")
    assert code == 0 and out == ""


def test_errors_go_to_stderr_with_nonzero_status(
    capsys: pytest.CaptureFixture[str], data: Path
) -> None:
    run(capsys, data, "import", str(FIXTURES / "git-basics.json"))
    for argv, words, status in [
        (("lesson", "nope", "0"), "no course “nope”", 1),
        (("lesson", "git-basics", "9"), "numbered 0 to 2", 1),
        (("complete", "git-basics", "0"), "not enrolled", 3),  # refused by a guard
        (("--profile", "ghost", "list"), "no learner “ghost”", 1),
    ]:
        code, out, err = run(capsys, data, *argv)
        assert code == status and out == "" and words in err, argv


def test_enroll_complete_progress(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    run(capsys, data, "import", str(FIXTURES / "git-basics.json"))
    assert run(capsys, data, "enroll", "git-basics")[0] == 0
    assert run(capsys, data, "complete", "git-basics", "1")[0] == 0
    _, out, _ = run(capsys, data, "progress", "git-basics")
    assert out.splitlines() == [
        "0\tno\tWhat Git remembers",
        "1\tyes\tMaking a first commit",
        "2\tno\tBranches and merges",
    ]
    run(capsys, data, "complete", "git-basics", "1", "--undo")
    assert "1\tno\t" in run(capsys, data, "progress", "git-basics")[1]


def test_paid_course_is_gated_on_the_command_line(
    capsys: pytest.CaptureFixture[str], data: Path
) -> None:
    from player.store.models import Product

    run(capsys, data, "import", str(FIXTURES / "git-basics.json"))
    store = Store(data)
    ana = profiles.upsert_server_profile(
        store, user_id="ana", name="Ana", tenant_id="t1", server_url="http://s", username="ana"
    )
    serve_courses(store, tenant="t1", server="http://s", names=("git-basics.json",))
    with store.write() as session:
        session.add(
            Product(
                server="http://s", id="p", tenantId="t1", courseId="git-basics", priceCents=900,
                currency="EUR",
            )
        )  # fmt: skip
    store.close()
    code, out, _ = run(capsys, data, "--profile", ana.id, "list")
    rows = {line.split("\t")[0]: line.split("\t")[3:] for line in out.strip().splitlines()}
    assert rows == {
        "git-basics": ["locked", "server", "http://s", "unsigned"],
        "file:git-basics": ["ready", "file", "git-basics.json", "-"],
    }
    for argv in (
        ("lesson", "git-basics", "0"),
        ("enroll", "git-basics"),
        ("progress", "git-basics"),
    ):
        code, out, err = run(capsys, data, "--profile", ana.id, *argv)
        assert code == 3 and "paid course" in err, argv  # 3: refused by a guard
    # the imported file stays readable by every learner, addressed apart from the server's
    assert run(capsys, data, "--profile", ana.id, "lesson", "file:git-basics", "0")[0] == 0
    assert run(capsys, data, "--profile", "guest", "lesson", "git-basics", "0")[0] == 0


def test_profiles_and_default_profile(
    capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Any
) -> None:
    store = Store(data)
    profiles.upsert_server_profile(
        store, user_id="ana", name="Ana", tenant_id="t1", server_url="http://s", username="ana"
    )
    store.close()
    _, out, _ = run(capsys, data, "profiles")
    assert [line.split("\t")[0] for line in out.splitlines()] == ["ana@s", "guest"]


def test_python_dash_m_player_runs_the_same_cli(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "player",
            "--data-dir",
            str(tmp_path),
            "import",
            str(FIXTURES / "hostile.json"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "../../etc/passwd" in result.stdout


def test_terminal_controls_in_a_course_never_reach_the_terminal(
    capsys: pytest.CaptureFixture[str], data: Path
) -> None:
    outputs = [run(capsys, data, "import", str(FIXTURES / "hostile.json"))[1]]
    assert run(capsys, data, "enroll", "../../etc/passwd")[0] == 0
    outputs.append(run(capsys, data, "list")[1])
    outputs.append(run(capsys, data, "progress", "../../etc/passwd")[1])
    outputs.append(run(capsys, data, "lesson", "../../etc/passwd", "3")[1])
    assert "\x1b" in json.loads((FIXTURES / "hostile.json").read_text())["lessons"][3]["title"]
    for out in outputs:
        assert not any((ord(c) < 32 and c not in "\t\n") or 0x7F <= ord(c) <= 0x9F for c in out)
    assert "3\tno\tTricks with \\u202eexe.txt\\u202c and \\x1b[2Jterminals" in outputs[2]
