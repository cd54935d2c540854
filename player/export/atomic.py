"""Writing an export so that it appears complete or not at all, and no temporary file survives.

The export is built in a hidden temporary file beside the destination (``.NAME.<random>.part``),
flushed to disk, and moved into place with ``os.replace`` by ``publish``. Whatever fails, leaving
the ``with`` block removes the temporary file (an error while closing it included).

A killed export cannot clean up after itself, so the next export into the same folder does: while
a temporary file is being written, its process holds an exclusive ``flock`` on it (released by the
system when the process dies); a temporary file that nobody holds is stale and is removed. Where
there is no ``flock`` (Windows), only temporary files older than a day are removed.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import secrets
import stat
import time
from pathlib import Path
from typing import BinaryIO

from player.errors import ExportError
from player.i18n import _

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

TEMP_NAME = re.compile(r"\..+\.[0-9a-f]{12}\.part")
STALE_AFTER = 24 * 3600  # seconds; only where there is no flock
_ATTEMPTS = 5
_NO_SPACE = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG})

# A seam for the fault-injection tests (a file whose writes fail with ENOSPC).
_fdopen = os.fdopen


class TempFile:
    """A temporary file in the destination's folder, removed unless ``publish`` moved it."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.path = dest
        self.size = 0
        self._published = False
        self.file: BinaryIO | None = None

    def __enter__(self) -> TempFile:
        if self.dest.is_dir():
            raise ExportError(
                _("“{path}” is a folder. Choose a file name to save the export as.").format(
                    path=self.dest
                )
            )
        check_destination(self.dest)
        if not self.dest.parent.is_dir():
            raise ExportError(
                _("The folder “{folder}” does not exist. Choose another place to save.").format(
                    folder=self.dest.parent
                )
            )
        remove_stale(self.dest.parent)
        try:
            fd = self._create()
        except OSError as error:
            raise write_error(self.dest, error) from error
        try:
            self.file = _fdopen(fd, "w+b")
        except BaseException:
            os.close(fd)
            self._remove()
            raise
        return self

    def _create(self) -> int:
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        for _attempt in range(_ATTEMPTS):
            self.path = self.dest.with_name(f".{self.dest.name}.{secrets.token_hex(6)}.part")
            fd = os.open(self.path, flags, 0o666)
            if _lock(fd) and _same_file(self.path, fd):
                return fd
            # Another export's clean-up took it between open and lock: try a new name.
            os.close(fd)
        raise OSError(errno.EAGAIN, "could not create a temporary file")

    def finish(self) -> tuple[int, str]:
        """Flush everything to disk; return the size and SHA-256 of what was written."""
        assert self.file is not None
        digest = hashlib.sha256()
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.seek(0)
            while chunk := self.file.read(1 << 20):
                digest.update(chunk)
            self.size = self.file.tell()
        except OSError as error:
            raise write_error(self.dest, error) from error
        return self.size, digest.hexdigest()

    def publish(self) -> None:
        """Move the finished file into place (after ``finish``)."""
        self._close()
        check_destination(self.dest)  # it may have changed while the export was built
        try:
            os.replace(self.path, self.dest)
        except OSError as error:
            raise write_error(self.dest, error) from error
        self._published = True
        fsync_folder(self.dest.parent)

    def _close(self) -> None:
        if self.file is None or self.file.closed:
            return
        try:
            self.file.close()  # the lock goes with it
        except OSError as error:
            raise write_error(self.dest, error) from error

    def _remove(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            log.warning("could not remove the temporary file %s", self.path)

    def __exit__(self, *exc: object) -> None:
        if self._published:
            return
        try:
            if self.file is not None and not self.file.closed:
                self.file.close()
        except OSError:
            # A write that failed (a full disk) fails again when close() flushes; the data is
            # not wanted anyway, and the file is removed below.
            log.debug("closing the temporary file %s failed", self.path, exc_info=True)
        finally:
            self._remove()


def check_destination(dest: Path) -> None:
    """Write only to a new path or over a regular file, never over a device, FIFO or socket."""
    try:
        info = os.stat(dest)
    except OSError:
        return  # a new path (or one we cannot see: creating the temporary file will say why)
    if not stat.S_ISREG(info.st_mode):
        raise ExportError(
            _(
                "“{path}” is a device, a pipe or a socket, not a file, so the export was not "
                "written there. Choose a file name to save the export as."
            ).format(path=dest)
        )


def remove_stale(folder: Path) -> list[Path]:
    """Remove the temporary files of killed exports in ``folder``; return what was removed."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not TEMP_NAME.fullmatch(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if _remove_if_unused(Path(entry.path)):
                removed.append(Path(entry.path))
        except OSError:
            log.debug("could not check the temporary file %s", entry.path, exc_info=True)
    if removed:
        log.info("removed %d temporary file(s) of an interrupted export", len(removed))
    return removed


def _remove_if_unused(path: Path) -> bool:
    if fcntl is None:  # pragma: no cover - Windows
        if time.time() - path.stat().st_mtime < STALE_AFTER:
            return False
        path.unlink()
        return True
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not _lock(fd):
            return False  # an export is writing it
        if not _same_file(path, fd):
            return False
        path.unlink()
        return True
    finally:
        os.close(fd)


def _lock(fd: int) -> bool:
    if fcntl is None:  # pragma: no cover - Windows
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _same_file(path: Path, fd: int) -> bool:
    try:
        info = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (info.st_dev, info.st_ino) == (mine.st_dev, mine.st_ino)


def fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_error(dest: Path, error: OSError) -> ExportError:
    """The learner's message for an export that could not be written to ``dest``."""
    if isinstance(error, PermissionError):
        return ExportError(
            _(
                "Course Player is not allowed to write to “{folder}”. Choose another folder, "
                "for example your Documents."
            ).format(folder=dest.parent)
        )
    if error.errno in _NO_SPACE:
        return ExportError(
            _(
                "There is not enough free space to save the export to “{path}”. Nothing was "
                "saved; free some space on that disk or choose another place, and try again."
            ).format(path=dest)
        )
    return ExportError(
        _("The export could not be saved to “{path}” ({reason}). Nothing was saved.").format(
            path=dest, reason=error.strerror or error
        )
    )
