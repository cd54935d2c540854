"""Where an export may be written: a new path or a regular file, never a device or a FIFO; with
``--all`` a file of the same name is kept unless ``--force`` is given."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from player.cli import main
from player.errors import ExportError
from player.export import export_course
from player.store.db import Store
from player.store.models import Profile
from tests.conftest import FIXTURES
from tests.export.test_service import audit_rows, export_records


def run(capsys: pytest.CaptureFixture[str], data: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "data"
    files = [str(FIXTURES / n) for n in ("git-basics.json", "multilingual.json")]
    assert run(capsys, folder, "import", *files)[0] == 0
    for course in ("git-basics", "welcome-multilingual"):
        assert run(capsys, folder, "enroll", course)[0] == 0
    return folder


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_never_replaced_by_the_export(
    imported: Store, learner: Profile, tmp_path: Path
) -> None:
    fifo = tmp_path / "out.pdf"
    os.mkfifo(fifo)
    with pytest.raises(ExportError, match="a device, a pipe or a socket, not a file"):
        export_course(imported, learner, "git-basics", "pdf", fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(os.listdir(tmp_path)) == [
        "data",
        "out.pdf",
    ]
    assert export_records(imported) == []


def test_a_device_node_is_never_replaced_by_the_export(
    capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path
) -> None:
    # A private copy of /dev/null (1, 3): a regression must not destroy the machine's own.
    null = tmp_path / "dev" / "null"
    null.parent.mkdir()
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (OSError, AttributeError) as error:
        pytest.skip(f"cannot create a device node here ({error})")
    code, out, err = run(capsys, data, "export", "lms", "git-basics", "-o", str(null))
    assert code == 1 and out == ""
    assert "a device, a pipe or a socket, not a file" in err and "Traceback" not in err
    after = os.stat(null)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == os.makedev(1, 3)
    assert os.listdir(null.parent) == ["null"]


def test_a_regular_file_is_still_replaced_by_a_complete_export(
    imported: Store, learner: Profile, tmp_path: Path
) -> None:
    dest = tmp_path / "out.pdf"
    dest.write_bytes(b"old")
    export_course(imported, learner, "git-basics", "pdf", dest)
    assert dest.read_bytes().startswith(b"%PDF-")


def test_export_all_keeps_same_named_files_without_force(
    capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    mine = folder / "git-basics-v2.zip"
    mine.write_bytes(b"my own file")
    code, out, err = run(capsys, data, "export", "lms", "--all", "-o", str(folder))
    assert code == 1
    lines = sorted(line.split("\t") for line in out.strip().splitlines())
    assert [line[:3] for line in lines] == [
        ["exported", "welcome-multilingual", "lms"],
        ["refused", "git-basics", "FILE_EXISTS"],
    ]
    assert "already exists, so it was not replaced" in err and "--force" in err
    assert mine.read_bytes() == b"my own file"
    store = Store(data)
    try:
        assert [r.courseId for r in export_records(store)] == ["welcome-multilingual"]
        assert not [row for row in audit_rows(store) if row.entityId == "git-basics"]
    finally:
        store.close()
    code, out, err = run(capsys, data, "export", "lms", "--all", "--force", "-o", str(folder))
    assert code == 0, err
    assert out.count("exported") == 2
    assert mine.read_bytes().startswith(b"PK")
