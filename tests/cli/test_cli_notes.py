"""``course-player note``, ``bookmark`` and ``notes``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from player.cli import main
from tests.cli.test_cli_learn import run
from tests.conftest import FIXTURES


@pytest.fixture
def data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "data"
    code, _out, _err = run(capsys, folder, "import", str(FIXTURES / "git-basics.json"))
    assert code == 0
    return folder


def test_note_bookmark_and_list(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    code, out, _ = run(capsys, data, "note", "git-basics", "1", "Remember\tthis\nand more")
    assert code == 0
    verb, note_id = out.strip().split("\t")
    assert verb == "noted" and len(note_id) == 36
    code, out, _ = run(capsys, data, "bookmark", "git-basics", "2")
    assert (code, out) == (0, "bookmarked\tgit-basics\t2\n")
    code, out, _ = run(capsys, data, "notes")
    lines = [line.split("\t") for line in out.splitlines()]
    assert lines[0] == [note_id, "git-basics", "1", "note", "Remember this"]
    assert lines[1][1:] == ["git-basics", "2", "bookmark", ""]
    code, out, _ = run(capsys, data, "notes", "welcome-multilingual")
    assert (code, out) == (0, "")
    code, out, _ = run(capsys, data, "bookmark", "git-basics", "2", "--remove")
    assert code == 0 and out.startswith("bookmark removed")
    code, out, _ = run(capsys, data, "note", "--delete", note_id)
    assert (code, out) == (0, f"deleted\t{note_id}\n")
    code, out, _ = run(capsys, data, "notes")
    assert (code, out) == (0, "")


def test_note_from_stdin(
    capsys: pytest.CaptureFixture[str], data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("from\nstdin\n"))
    code, out, _ = run(capsys, data, "note", "git-basics", "0", "-")
    assert code == 0
    code, out, _ = run(capsys, data, "notes", "git-basics")
    assert out.split("\t")[-1] == "from\n"


def test_bad_notes_are_refused_clearly(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    code, out, err = run(capsys, data, "note", "git-basics", "0", "x" * 20_001)
    assert code == 1 and out == "" and "at most 20,000" in err
    code, out, err = run(capsys, data, "note", "git-basics", "9", "too far")
    assert code == 1 and "no lesson 9" in err
    code, out, err = run(capsys, data, "note", "--delete", "nope")
    assert code == 1 and "course-player notes" in err
    code, out, err = run(capsys, data, "note", "git-basics")
    assert code == 2 and "Usage" in err
    code, out, _ = run(capsys, data, "notes")
    assert (code, out) == (0, "")
    assert main(["--data-dir", str(data), "note", "git-basics", "0", "x" * 20_000]) == 0


def test_export_pdf_with_notes(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    from tests.export.pdf_text import read_pdf

    assert run(capsys, data, "enroll", "git-basics")[0] == 0
    assert run(capsys, data, "note", "git-basics", "0", "printed note")[0] == 0
    plain, noted = data / "plain.pdf", data / "noted.pdf"
    assert run(capsys, data, "export", "pdf", "git-basics", "-o", str(plain))[0] == 0
    code, _out, err = run(
        capsys, data, "export", "pdf", "git-basics", "--with-notes", "-o", str(noted)
    )
    assert code == 0, err
    assert "printed note" in read_pdf(noted.read_bytes()).text
    assert "printed note" not in read_pdf(plain.read_bytes()).text
    with pytest.raises(SystemExit) as usage:  # the LMS package has no notes option
        main(["--data-dir", str(data), "export", "lms", "git-basics", "--with-notes", "-o", "x"])
    assert usage.value.code == 2
