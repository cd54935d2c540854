"""``course-player search``: one hit a line, tab-separated, plain (its imports: test_cli_imports)."""

from __future__ import annotations

from pathlib import Path

import pytest

from player.cli import main
from tests.conftest import FIXTURES


def run(capsys: pytest.CaptureFixture[str], data: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    data = tmp_path / "data"
    names = ("git-basics.json", "multilingual.json", "hostile.json")
    assert run(capsys, data, "import", *(str(FIXTURES / n) for n in names))[0] == 0
    return data


def test_search_prints_one_hit_a_line(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    code, out, err = run(capsys, data, "search", "repository")
    assert code == 0 and not err
    lines = out.splitlines()
    assert lines
    for line in lines:
        course_id, index, title, snippet = line.split("\t")
        assert course_id == "git-basics" and index.isdigit() and title
        assert "repositor" in snippet.lower()


def test_course_hit_and_words_as_typed(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    out = run(capsys, data, "search", "Git", "Basics")[1]
    assert out.splitlines()[0].split("\t")[:3] == ["git-basics", "-", "Git Basics"]
    for typed in ('"', "NEAR(", "*", "-", "AND", "^", "[x]"):
        code, out, err = run(capsys, data, "search", typed)
        assert code == 0 and not err, typed


def test_no_hit_exits_zero_with_no_output(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    assert run(capsys, data, "search", "zzzzqqq") == (0, "", "")


def test_fields_are_plain_text(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    out = run(capsys, data, "search", "日本")[1]
    assert out.splitlines()[0].split("\t")[:3] == ["welcome-multilingual", "3", "中文と日本語"]
    out = run(capsys, data, "search", "alert")[1]
    for line in out.splitlines():
        assert len(line.split("\t")) == 4
        assert not any(
            ord(char) < 32 or 0x7F <= ord(char) <= 0x9F for char in line.replace("\t", "")
        )
