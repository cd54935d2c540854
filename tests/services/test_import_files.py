"""Importing from the file system: only regular files are read, never past the size limit; the
hostile cases run in a subprocess under a memory limit so a regression cannot take the machine."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlmodel import select

from player.errors import PackageError, PackageTooLarge
from player.package import limits
from player.services import packages
from player.store.db import Store
from player.store.models import StoredPackage
from tests.conftest import FIXTURES
from tests.faults import run_cli


def stored_ids(store: Store) -> list[str]:
    with store.read() as session:
        return sorted(row.packageId for row in session.exec(select(StoredPackage)))


def imported_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    done = run_cli(data, "import", str(FIXTURES / "git-basics.json"))
    assert done.returncode == 0, done.stderr
    return data


def listing(data: Path) -> str:
    done = run_cli(data, "list")
    assert done.returncode == 0, done.stderr
    return done.stdout


def assert_refused(done: object, *words: str, status: int = 1) -> None:
    stderr = done.stderr  # type: ignore[attr-defined]
    assert done.returncode == status, stderr  # type: ignore[attr-defined]
    assert "Traceback" not in stderr and "MemoryError" not in stderr
    for word in words:
        assert word in stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path: Path) -> None:
    data = imported_data(tmp_path)
    before = listing(data)
    fifo = tmp_path / "course.json"
    os.mkfifo(fifo)
    done = run_cli(data, "import", str(fifo))
    assert_refused(done, "not a file but a device, a pipe or a socket", "Choose a course file")
    assert listing(data) == before


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_and_never_read(tmp_path: Path, device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"{device} does not exist here")
    data = imported_data(tmp_path)
    before = listing(data)
    done = run_cli(data, "import", device)
    assert_refused(done, "not a file but a device")
    assert listing(data) == before


def test_a_folder_is_refused(tmp_path: Path) -> None:
    data = imported_data(tmp_path)
    done = run_cli(data, "import", str(tmp_path))
    assert_refused(done, "is a folder")


def test_reading_stops_at_the_limit_whatever_the_size_says(tmp_path: Path) -> None:
    # /proc files are regular files whose st_size is 0 whatever they hold.
    proc = Path("/proc/self/maps")
    if not proc.exists() or proc.stat().st_size != 0:
        pytest.skip("no /proc file that under-reports its size here")
    with pytest.raises(PackageTooLarge, match="too large to be a course package"):
        packages.read_package_file(proc, limit=16)


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "big.json"
    with path.open("wb") as out:
        out.truncate(limits.MAX_PACKAGE_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(PackageTooLarge, match="more than 64 MB"):
        packages.import_file(store, path)
    assert stored_ids(store) == []


def test_a_symlink_to_a_course_file_is_followed(tmp_path: Path, store: Store) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(FIXTURES / "git-basics.json")
    assert packages.import_file(store, link).course_id == "git-basics"


def test_a_million_tiny_lessons_are_refused_within_the_memory_limit(tmp_path: Path) -> None:
    data = imported_data(tmp_path)
    before = listing(data)
    path = tmp_path / "million.json"
    lesson = '{"index":%d,"title":"L","blocks":[]}'
    with path.open("w") as out:
        out.write('{"id":"p","courseId":"million","version":1,"status":"PUBLISHED",')
        out.write('"title":"Million","lessons":[')
        out.write(",".join(lesson % i for i in range(1_000_000)))
        out.write("]}")
    done = run_cli(data, "import", str(path))
    assert_refused(done, "too much data", "split the course", status=5)
    assert listing(data) == before


def test_deep_nesting_is_refused_within_the_memory_limit(tmp_path: Path) -> None:
    data = imported_data(tmp_path)
    before = listing(data)
    course = json.loads((FIXTURES / "git-basics.json").read_text())
    course["version"] = 99
    course["id"] = "pkg_deep"
    course["lessons"][0]["blocks"].append({"type": "paragraph", "text": "x", "deep": []})
    raw = json.dumps(course).replace('"deep": []', '"deep": ' + "[" * 500_000 + "]" * 500_000)
    path = tmp_path / "deep.json"
    path.write_text(raw)
    done = run_cli(data, "import", str(path))
    assert_refused(done, "nested more than 64 levels")
    assert listing(data) == before


def test_a_package_error_from_a_file_names_the_file(tmp_path: Path, store: Store) -> None:
    with pytest.raises(PackageError, match="There is no file"):
        packages.import_file(store, tmp_path / "missing.json")
