"""The LMS package's ZIP: deterministic, its entries compressed on two threads.

``DeterministicZip`` collects the entries, then ``write`` deflates them, half on the calling thread
and half on one worker thread (zlib releases the GIL while it compresses, so the two halves really
run at the same time on two cores), and lays them out in sorted order.

The bytes are exactly those ``zipfile`` writes to a seekable file for the same entries, each with a
``ZipInfo`` carrying the fixed time, ``create_system`` Unix, permissions 0644 and deflate level 6
(``tests/export/test_lms_zip.py`` compares the two). Only the classic ZIP format is written here:
an archive that would need ZIP64 records (more than 65,535 entries, or 2 GiB) is handed to
``zipfile`` itself, which writes them.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO

DateTime = tuple[int, int, int, int, int, int]

FILE_MODE = 0o644 << 16
UNIX = 3
COMPRESS_LEVEL = 6

_VERSION = 20  # "needed to extract" and "made by": 2.0, deflate (zipfile's DEFAULT_VERSION)
_ZIP64_LIMIT = (1 << 31) - 1  # zipfile.ZIP64_LIMIT: past it zipfile writes ZIP64 fields
_COUNT_LIMIT = (1 << 16) - 1  # zipfile.ZIP_FILECOUNT_LIMIT
_UTF8_NAME = 0x800
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")


def deflate(data: bytes) -> bytes:
    """The raw deflate stream ``zipfile`` writes for ``data`` (same settings, same output)."""
    return zlib.compress(data, COMPRESS_LEVEL, -15)


def _dos_time(date_time: DateTime) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def _encode_name(name: str) -> tuple[bytes, int]:
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), _UTF8_NAME


def _deflate_all(
    items: list[tuple[str, bytes]], check: Callable[[], None]
) -> dict[str, tuple[bytes, int]]:
    """Each entry's deflate stream and CRC-32; ``check`` runs before each (it raises to cancel)."""
    done = {}
    for name, data in items:
        check()
        done[name] = (deflate(data), zlib.crc32(data))
    return done


class DeterministicZip:
    """Entries added in any order, written sorted, with fixed times and permissions."""

    def __init__(self, date_time: DateTime) -> None:
        self.date_time = date_time
        self._entries: dict[str, bytes] = {}

    def add(self, name: str, data: bytes) -> None:
        if name in self._entries:  # pragma: no cover - names are unique by construction
            raise ValueError(f"duplicate entry {name}")
        self._entries[name] = data

    def _compress(self, check: Callable[[], None]) -> dict[str, tuple[bytes, int]]:
        """Every entry compressed, the work split by size between this thread and a worker."""
        halves: tuple[list[tuple[str, bytes]], list[tuple[str, bytes]]] = ([], [])
        sizes = [0, 0]
        for name, data in sorted(self._entries.items(), key=lambda item: -len(item[1])):
            smaller = 0 if sizes[0] <= sizes[1] else 1
            halves[smaller].append((name, data))
            sizes[smaller] += len(data)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lms-zip") as pool:
            theirs = pool.submit(_deflate_all, halves[1], check)
            done = _deflate_all(halves[0], check)
            done.update(theirs.result())
        return done

    def write(self, out: BinaryIO, check: Callable[[], None]) -> None:
        """Write the archive to ``out``; ``check`` runs before each entry (it raises to cancel)."""
        compressed = self._compress(check)
        dos_time, dos_date = _dos_time(self.date_time)
        offset = out.tell()
        parts: list[bytes] = []
        directory: list[bytes] = []
        for name in sorted(self._entries):
            size = len(self._entries[name])
            stream, crc = compressed[name]
            if max(size * 1.05, len(stream), offset) > _ZIP64_LIMIT:
                self._write_zip64(out, check)
                return
            filename, flags = _encode_name(name)
            fields = (flags, zipfile.ZIP_DEFLATED, dos_time, dos_date, crc, len(stream), size,
                      len(filename))  # fmt: skip
            header = _LOCAL.pack(b"PK\x03\x04", _VERSION, 0, *fields, 0)
            central = _CENTRAL.pack(
                b"PK\x01\x02", _VERSION, UNIX, _VERSION, 0, *fields, 0, 0, 0, 0, FILE_MODE, offset
            )
            directory += (central, filename)
            parts += (header, filename, stream)
            offset += len(header) + len(filename) + len(stream)
        central_directory = b"".join(directory)
        count = len(self._entries)
        if count > _COUNT_LIMIT or max(offset, len(central_directory)) > _ZIP64_LIMIT:
            self._write_zip64(out, check)
            return
        end = _END.pack(b"PK\x05\x06", 0, 0, count, count, len(central_directory), offset, 0)
        out.write(b"".join(parts))
        out.write(central_directory + end)

    def _write_zip64(self, out: BinaryIO, check: Callable[[], None]) -> None:
        """The rare archive past the classic limits, written by ``zipfile`` with ZIP64 records."""
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(self._entries):
                check()
                info = zipfile.ZipInfo(name, date_time=self.date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = UNIX
                info.external_attr = FILE_MODE
                archive.writestr(info, self._entries[name], compresslevel=COMPRESS_LEVEL)
