"""Telling a damaged or unusable store file apart, and saying so in words a learner can act on.

``check_file`` looks at the file before SQLite opens it: an empty file, one that does not start
with SQLite's header, or one shorter than its header says (cut off by a full disk or a copy that
stopped) is refused as it is. SQLite would silently turn an empty file into a new, empty store,
and it reports the others only when a damaged page is read. ``translate`` turns SQLite's errors
("database disk image is malformed", "attempt to write a readonly database", "database or disk is
full", "database is locked") into the typed ``StoreError`` family. Nothing here writes to, moves
or replaces the file: what to do is the learner's choice (``docs/store.md``).
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from sqlalchemy import exc as sa_exc

from player.errors import (
    StoreBusy,
    StoreDamaged,
    StoreError,
    StoreFull,
    StoreUnwritable,
)
from player.i18n import _

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100


def _recover_hint(path: Path) -> str:
    return _(
        "Nothing was changed. Keep a copy of {path} (and any files beside it ending in -wal "
        "or -shm) and see “Recovering a damaged store” in docs/store.md: restore a back-up "
        "copy, or move the file away to start fresh on purpose."
    ).format(path=path)


def damaged(path: Path, what: str) -> StoreDamaged:
    return StoreDamaged(
        _("The player's store {path} is damaged: {what}.").format(path=path, what=what)
        + " "
        + _recover_hint(path),
        path=str(path),
    )


def unwritable(path: Path) -> StoreUnwritable:
    return StoreUnwritable(
        _(
            "The player cannot write its store {path}: the file or its folder is read-only, or "
            "belongs to another user. Nothing was saved. Give your user write access to the "
            "folder, or start the player with another --data-dir."
        ).format(path=path),
        path=str(path),
    )


def check_file(path: Path) -> None:
    """Refuse a store file that is visibly not a whole SQLite database (it may not exist yet)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError as error:
        raise unwritable(path) from error
    if not stat.S_ISREG(info.st_mode):
        raise damaged(path, _("it is not a regular file"))
    if info.st_size == 0:
        raise damaged(path, _("the file is empty (0 bytes)"))
    try:
        with open(path, "rb") as handle:
            header = handle.read(HEADER_SIZE)
    except PermissionError as error:
        raise unwritable(path) from error
    except OSError as error:
        what = _("it cannot be read ({reason})").format(reason=error.strerror)
        raise damaged(path, what) from error
    if not header.startswith(SQLITE_MAGIC) or len(header) < HEADER_SIZE:
        raise damaged(path, _("it is not a database file"))
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    change_counter = header[24:28]
    valid_for = header[92:96]
    # The header's page count is trusted only when SQLite marked it valid (offsets 24 and 92),
    # and only when no write-ahead log is waiting: a checkpoint copies page 1 (with the new
    # count) before the pages that make the file longer, so a store killed in the middle of one
    # is short until SQLite replays its -wal file, which it does on opening.
    if (
        change_counter == valid_for
        and pages
        and info.st_size < pages * page_size
        and not _has_wal(path)
    ):
        raise damaged(
            path,
            _("the file is cut short ({size} of {expected} bytes)").format(
                size=f"{info.st_size:,}", expected=f"{pages * page_size:,}"
            ),
        )


def _has_wal(path: Path) -> bool:
    try:
        return path.with_name(path.name + "-wal").stat().st_size > 0
    except OSError:
        return False


def check_writable(path: Path) -> None:
    """Refuse a store whose file or folder this user cannot write (SQLite would open it and
    fail only at the first write, or even let every write fail quietly in a window)."""
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise unwritable(path)
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise unwritable(path)


def translate(error: sa_exc.DBAPIError, path: Path) -> StoreError | None:
    """The ``StoreError`` for SQLite's error, or None when it is not about the store file
    (a constraint, a programming error: those are the caller's)."""
    if not isinstance(error, sa_exc.OperationalError) and type(error) is not sa_exc.DatabaseError:
        return None
    text = str(getattr(error, "orig", error)).lower()
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return damaged(path, _("SQLite reports “{reason}”").format(reason=text))
    if "disk i/o" in text:
        return damaged(path, _("the disk reported a read or write error"))
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return unwritable(path)
    if "full" in text:
        return StoreFull(
            _(
                "The disk holding the player's store {path} is full; nothing was saved. Free "
                "some space and try again: everything saved before is kept."
            ).format(path=path),
            path=str(path),
        )
    if "locked" in text or "busy" in text:
        return StoreBusy(
            _(
                "The player's store is busy: another Course Player (a window or a scripted sync) "
                "kept it locked too long, so this was not saved. Everything saved before is "
                "kept; try again in a moment."
            ),
            path=str(path),
        )
    return None
