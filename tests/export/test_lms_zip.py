"""The LMS export's ZIP writer gives exactly the bytes zipfile gives for the same entries."""

from __future__ import annotations

import io
import os
import threading
import zipfile

import pytest

from player.errors import Cancelled
from player.export.lms import build_lms
from player.export.lms_zip import COMPRESS_LEVEL, FILE_MODE, UNIX, DeterministicZip
from tests.export.conftest import fixture_parsed

DateTime = tuple[int, int, int, int, int, int]
WHEN: DateTime = (2026, 9, 14, 8, 0, 7)


def zipfile_bytes(entries: dict[str, bytes], date_time: DateTime = WHEN) -> bytes:
    """What the export wrote before it had its own writer: zipfile, one ZipInfo per entry."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = UNIX
            info.external_attr = FILE_MODE
            archive.writestr(info, entries[name], compresslevel=COMPRESS_LEVEL)
    return out.getvalue()


def our_bytes(entries: dict[str, bytes], date_time: DateTime = WHEN) -> bytes:
    writer = DeterministicZip(date_time)
    for name, data in entries.items():
        writer.add(name, data)
    out = io.BytesIO()
    writer.write(out, lambda: None)
    return out.getvalue()


def test_same_bytes_as_zipfile_for_all_kinds_of_entries() -> None:
    entries = {
        "b.txt": b"",
        "a/text.html": ("Straße Καλημέρα <p>" * 3000).encode(),
        "a/random.bin": os.urandom(200_000),  # incompressible: deflate stores it
        "zeros": bytes(1_000_000),
        "ünïcode-name.txt": b"a name that is not ASCII gets the UTF-8 flag",
    }
    ours = our_bytes(entries)
    assert ours == zipfile_bytes(entries)
    with zipfile.ZipFile(io.BytesIO(ours)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == sorted(entries)
        assert all(archive.read(name) == data for name, data in entries.items())


@pytest.mark.parametrize("name", ["git-basics.json", "multilingual.json", "hostile.json"])
def test_lms_export_is_what_zipfile_writes(name: str) -> None:
    out = io.BytesIO()
    build_lms(fixture_parsed(name), out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
        date_time = archive.infolist()[0].date_time
    assert out.getvalue() == zipfile_bytes(entries, date_time)


def test_more_entries_than_a_classic_zip_holds_are_written_by_zipfile_with_zip64() -> None:
    entries = {f"f{n:05d}": b"" for n in range(70_000)}
    ours = our_bytes(entries)
    assert ours == zipfile_bytes(entries)
    with zipfile.ZipFile(io.BytesIO(ours)) as archive:
        assert len(archive.infolist()) == 70_000


def test_check_stops_the_writing() -> None:
    cancel = threading.Event()
    cancel.set()
    writer = DeterministicZip(WHEN)
    for n in range(10):
        writer.add(f"f{n}", b"x" * 10_000)

    def check() -> None:
        if cancel.is_set():
            raise Cancelled("stop")

    out = io.BytesIO()
    with pytest.raises(Cancelled):
        writer.write(out, check)
    assert out.getvalue() == b""
