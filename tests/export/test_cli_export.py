"""``course-player export``: single courses, ``--all``, refusals per course, exit status."""

from __future__ import annotations

import zipfile
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
    folder = tmp_path / "data"
    files = [str(FIXTURES / n) for n in ("git-basics.json", "multilingual.json", "hostile.json")]
    assert run(capsys, folder, "import", *files)[0] == 0
    return folder


def test_export_one_course_as_pdf_and_lms(
    capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path
) -> None:
    code, out, err = run(capsys, data, "export", "pdf", "git-basics", "-o", str(tmp_path / "g.pdf"))
    assert code == 3 and "not enrolled" in err and out == ""  # 3: refused by a guard
    assert not (tmp_path / "g.pdf").exists()
    assert run(capsys, data, "enroll", "git-basics")[0] == 0
    code, out, err = run(capsys, data, "export", "pdf", "git-basics", "-o", str(tmp_path / "g.pdf"))
    assert code == 0, err
    fields = out.strip().split("\t")
    assert fields[:4] == ["exported", "git-basics", "pdf", str(tmp_path / "g.pdf")]
    assert int(fields[4]) == (tmp_path / "g.pdf").stat().st_size
    code, out, err = run(
        capsys, data, "export", "lms", "git-basics", "--output", str(tmp_path / "g.zip")
    )
    assert code == 0, err
    assert "imsmanifest.xml" in zipfile.ZipFile(tmp_path / "g.zip").namelist()


def test_export_all_reports_refusals_per_course(
    capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "catalog"
    code, _out, err = run(capsys, data, "export", "lms", "--all", "-o", str(folder))
    assert code == 3 and "may not export any course" in err
    for course in ("git-basics", "welcome-multilingual", "../../etc/passwd"):
        assert run(capsys, data, "enroll", course)[0] == 0
    # Use up git-basics' three exports, so that --all is refused for it and goes on with the rest.
    for i in range(3):
        assert (
            run(capsys, data, "export", "pdf", "git-basics", "-o", str(tmp_path / f"{i}.pdf"))[0]
            == 0
        )
    code, out, err = run(capsys, data, "export", "lms", "--all", "-o", str(folder))
    assert code == 4  # the only refusal was the rate limit
    lines = sorted(line.split("\t") for line in out.strip().splitlines())
    assert [line[:2] for line in lines] == [
        ["exported", "../../etc/passwd"],
        ["exported", "welcome-multilingual"],
        ["refused", "git-basics"],
    ]
    assert lines[2][2] == "RATE_LIMITED"
    assert "course-player: git-basics:" in err and "Try again in" in err
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 2 and "welcome-multilingual-v1.zip" in names
    assert all(n.isascii() and "/" not in n and not n.startswith(".") for n in names)
    # Everything exportable now succeeds: exit 0.
    code, out, _err = run(capsys, data, "export", "pdf", "--all", "-o", str(tmp_path / "pdfs"))
    assert code == 4  # git-basics is still rate limited for PDF and LMS together
    assert out.count("exported") == 2


def test_usage_errors(capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    code, _out, err = run(capsys, data, "export", "lms", "-o", str(tmp_path / "x.zip"))
    assert code == 2 and "COURSE_ID or --all" in err
    code, _out, err = run(
        capsys, data, "export", "lms", "git-basics", "--all", "-o", str(tmp_path / "x.zip")
    )
    assert code == 2
    with pytest.raises(SystemExit):
        main(["--data-dir", str(data), "export", "docx", "git-basics", "-o", "x"])
