"""Exports on a full disk, a store that cannot record them, a move that fails, and the temporary
files of killed exports: the file appears complete with its record and audit event, or nothing
appears and nothing is counted; no temporary file survives."""

from __future__ import annotations

import errno
import fcntl
import io
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from player.errors import ExportError
from player.export import atomic, export_course
from player.services import audit, packages, profiles, progress
from player.store.db import Store
from player.store.models import AuditLog, ExportRecord, Outbox, Profile
from tests.conftest import FIXTURES
from tests.export.test_service import T0
from tests.faults import fill, run_cli, small_tmpfs


def counts(store: Store) -> tuple[int, int, int]:
    """(export records, export audit rows, pending audit events in the outbox)."""
    with store.read() as session:
        records = len(session.exec(select(ExportRecord)).all())
        rows = session.exec(select(AuditLog)).all()
        events = session.exec(select(Outbox).where(Outbox.kind == "audit")).all()
    actions = (audit.EXPORT_PDF, audit.EXPORT_LMS)
    exported = [r for r in rows if r.action in actions]
    queued = [e for e in events if e.payload.get("action") in actions]
    return records, len(exported), len(queued)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[str, str], Path]]:
    """``tmpfs("name", "1m")``: a small tmpfs under tmp_path, or a skip saying why not."""
    mounts: list[Any] = []

    def mount(name: str, size: str) -> Path:
        manager = small_tmpfs(tmp_path / name, size)
        try:
            where = manager.__enter__()
        except OSError as error:
            pytest.skip(f"no small tmpfs here ({error}); the injected ENOSPC tests cover this")
        mounts.append(manager)
        return where

    yield mount
    for manager in reversed(mounts):
        manager.__exit__(None, None, None)


# --- a full disk where the export is written (item 7) ----------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "lms"])
def test_a_full_destination_disk_leaves_no_file_and_counts_nothing(
    imported: Store, learner: Profile, tmpfs: Callable[[str, str], Path], fmt: str
) -> None:
    folder = tmpfs("out", "1m")
    fill(folder, leave=8192)
    (folder / "filler").rename(folder / "filler.keep")
    dest = folder / f"git.{fmt}"
    with pytest.raises(ExportError, match="not enough free space") as caught:
        export_course(imported, learner, "git-basics", fmt, dest, now=T0)
    assert "Traceback" not in str(caught.value) and str(dest) in str(caught.value)
    assert leftovers(folder) == ["filler.keep"]
    assert counts(imported) == (0, 0, 0)


class _FullFileIO(io.FileIO):
    """A file on a disk with ``room`` bytes left: later writes fail with ENOSPC."""

    room = 2048

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)


def _full_fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
    # Buffered, like the real file: close() flushes the buffer and fails again.
    return io.BufferedRandom(_FullFileIO(fd, "r+"))


@pytest.mark.parametrize("fmt", ["pdf", "lms"])
def test_an_injected_enospc_even_from_close_leaves_no_temporary_file(
    imported: Store,
    learner: Profile,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
) -> None:
    monkeypatch.setattr(atomic, "_fdopen", _full_fdopen)
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(ExportError, match="not enough free space"):
        export_course(imported, learner, "git-basics", fmt, folder / f"git.{fmt}", now=T0)
    assert leftovers(folder) == []
    assert counts(imported) == (0, 0, 0)


# --- a full data disk: the record must commit before the file appears (item 1) ----------------


def _learner_store(data: Path) -> tuple[Store, Profile]:
    store = Store(data)
    packages.import_file(store, FIXTURES / "git-basics.json")
    guest = profiles.ensure_guest(store)
    progress.enroll(store, guest, "git-basics")
    return store, guest


def test_a_full_data_disk_means_no_file_and_a_clear_message(
    tmp_path: Path, tmpfs: Callable[[str, str], Path]
) -> None:
    data = tmpfs("data", "4m")
    store, guest = _learner_store(data)
    try:
        before = counts(store)
        fill(data)
        out = tmp_path / "out"
        out.mkdir()
        for fmt in ("pdf", "lms", "pdf", "lms", "pdf"):
            with pytest.raises(ExportError, match="not enough free space in Course Player"):
                export_course(store, guest, "git-basics", fmt, out / f"git.{fmt}", now=T0)
        assert leftovers(out) == []
        assert counts(store) == before
        (data / "filler").unlink()
        export_course(store, guest, "git-basics", "pdf", out / "git.pdf", now=T0)
        assert leftovers(out) == ["git.pdf"]
        assert counts(store) == (1, 1, 1)
    finally:
        store.close()


def test_a_full_data_disk_on_the_command_line_gives_no_traceback(
    tmp_path: Path, tmpfs: Callable[[str, str], Path]
) -> None:
    data = tmpfs("data", "4m")
    # Kept open so that the store's journal files exist: the command can open the store and
    # read it, and fails when it records the export.
    store, _guest = _learner_store(data)
    try:
        before = counts(store)
        fill(data)
        out = tmp_path / "git.pdf"
        done = run_cli(data, "export", "pdf", "git-basics", "-o", str(out))
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        assert "not enough free space in Course Player's data folder" in done.stderr
        assert not out.exists() and leftovers(tmp_path) == ["data"]
        (data / "filler").unlink()
        assert counts(store) == before
    finally:
        store.close()


@contextmanager
def _commit_fails(session_write: Callable[[], Any]) -> Iterator[Session]:
    with session_write() as session:
        yield session
        full = sqlite3.OperationalError("database or disk is full")
        full.sqlite_errorcode = sqlite3.SQLITE_FULL
        raise OperationalError("COMMIT", {}, full)


def test_an_injected_full_store_at_commit_means_no_file(
    imported: Store, learner: Profile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = imported.write
    monkeypatch.setattr(imported, "write", lambda: _commit_fails(real_write))
    dest = tmp_path / "git.zip"
    with pytest.raises(ExportError, match="not enough free space in Course Player"):
        export_course(imported, learner, "git-basics", "lms", dest, now=T0)
    assert not dest.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    monkeypatch.undo()
    assert counts(imported) == (0, 0, 0)


def test_a_move_that_fails_after_the_commit_withdraws_the_record(
    imported: Store, learner: Profile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    dest = tmp_path / "git.pdf"
    with pytest.raises(ExportError, match="Input/output error"):
        export_course(imported, learner, "git-basics", "pdf", dest, now=T0)
    monkeypatch.undo()
    assert not dest.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert counts(imported) == (0, 0, 0)


# --- temporary files of killed exports --------------------------------------------------------


def test_stale_temporary_files_are_removed_by_the_next_export(
    imported: Store, learner: Profile, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    stale = [folder / ".git.zip.0123456789ab.part", folder / ".other.pdf.ba9876543210.part"]
    for path in stale:
        path.write_bytes(b"")
    busy = folder / ".busy.zip.aaaaaaaaaaaa.part"  # an export of another process, still running
    busy.write_bytes(b"PK")
    mine = folder / ".notes.part"  # not ours: no random part
    mine.write_bytes(b"mine")
    with busy.open("rb") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        export_course(imported, learner, "git-basics", "lms", folder / "git.zip", now=T0)
        assert leftovers(folder) == [".busy.zip.aaaaaaaaaaaa.part", ".notes.part", "git.zip"]
    assert atomic.remove_stale(folder) == [busy]
    assert leftovers(folder) == [".notes.part", "git.zip"]
