"""A damaged or unusable store (issue #10, item 6): a clear message on the command line and in the
window, the file never overwritten or replaced, and no raw SQLAlchemy traceback."""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from player.cli import main
from player.errors import StoreDamaged, StoreError, StoreTooNew, StoreUnwritable
from player.services import packages, profiles, progress
from player.services.learn import LearnService
from player.store.db import DB_FILE, Store
from tests.conftest import FIXTURES

COURSE = "git-basics"


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file of the data folder and its SHA-256: proof that nothing was replaced."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.fixture
def good_store(tmp_path: Path) -> Path:
    """A closed store with one imported course and some progress."""
    folder = tmp_path / "data"
    store = Store(folder)
    packages.import_file(store, FIXTURES / "git-basics.json")
    guest = profiles.last_used(store)
    progress.enroll(store, guest, COURSE)
    progress.set_lesson_completed(store, guest, COURSE, 0)
    store.close()
    return folder


def _truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(path.stat().st_size))


def _empty(path: Path) -> None:
    os.truncate(path, 0)


def _header_only(path: Path) -> None:
    os.truncate(path, 60)


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": _truncate,
    "random bytes": _random_bytes,
    "0 bytes": _empty,
    "cut inside the header": _header_only,
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_store_is_refused_with_a_clear_message_and_left_as_it_is(
    good_store: Path, damage: str
) -> None:
    DAMAGE[damage](good_store / DB_FILE)
    before = fingerprint(good_store)

    with pytest.raises(StoreDamaged) as raised:
        Store(good_store)

    message = str(raised.value)
    assert str(good_store / DB_FILE) in message and "docs/store.md" in message
    assert "sqlalchemy" not in message.lower()
    assert fingerprint(good_store) == before  # never overwritten, never replaced


def test_a_damaged_page_found_later_is_a_store_error_not_a_traceback(good_store: Path) -> None:
    path = good_store / DB_FILE
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for offset in range(page, len(data)):  # every page but the first (the schema survives)
        data[offset] = 0xA5
    path.write_bytes(bytes(data))
    before = fingerprint(good_store)

    with pytest.raises(StoreDamaged) as raised:
        store = Store(good_store)
        try:
            LearnService(store, profiles.last_used(store)).list_courses()
        finally:
            store.close()

    assert "docs/store.md" in str(raised.value)
    assert fingerprint(good_store) == before


def test_a_store_from_a_newer_player_is_refused_unchanged(good_store: Path) -> None:
    store = Store(good_store)
    with store.engine.begin() as conn:
        conn.execute(text("PRAGMA user_version = 999"))
    store.close()
    before = fingerprint(good_store)

    with pytest.raises(StoreTooNew, match="newer Course Player"):
        Store(good_store)
    assert fingerprint(good_store) == before


@pytest.mark.parametrize("damage", ["truncated", "0 bytes"])
def test_the_command_line_says_what_happened_without_a_traceback(
    good_store: Path, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    DAMAGE[damage](good_store / DB_FILE)
    before = fingerprint(good_store)

    code = main(["--data-dir", str(good_store), "complete", COURSE, "1"])

    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert "is damaged" in err and "docs/store.md" in err
    assert "Traceback" not in err and "sqlalchemy" not in err.lower()
    assert fingerprint(good_store) == before


# --- a store that cannot be written ------------------------------------------------------------


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make ``path`` (a file or a folder) read-only for this process: permissions for a normal
    user; for root, who ignores them, a read-only bind mount. Skips when neither works."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    mount = shutil.which("mount")
    if mount is None:
        pytest.skip("running as root without mount(8): cannot make a file read-only")
    bind = subprocess.run([mount, "--bind", str(path), str(path)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip(f"running as root and cannot bind-mount: {bind.stderr!r}")
    try:
        remount = subprocess.run(
            [mount, "-o", "remount,ro,bind", str(path), str(path)], capture_output=True
        )
        if remount.returncode != 0:
            pytest.skip(f"cannot remount read-only: {remount.stderr!r}")
        yield
    finally:
        unmount = subprocess.run(["umount", str(path)], capture_output=True)
        assert unmount.returncode == 0, unmount.stderr  # never leave a mount behind


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_store_is_refused_at_start(
    good_store: Path, what: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = good_store / DB_FILE if what == "file" else good_store
    before = fingerprint(good_store)
    with read_only(target):
        code = main(["--data-dir", str(good_store), "complete", COURSE, "1"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert "cannot write its store" in err and "Traceback" not in err
    assert fingerprint(good_store) == before
    store = Store(good_store)
    try:
        state = progress.get_progress(store, profiles.last_used(store), COURSE)
        assert state.completed == {0}  # lesson 1 was not recorded, nothing else changed
    finally:
        store.close()


def test_a_store_that_becomes_read_only_fails_each_write_with_a_store_error(
    good_store: Path,
) -> None:
    store = Store(good_store)
    guest = profiles.last_used(store)
    try:
        with read_only(good_store / DB_FILE):
            store.engine.dispose()  # the next connections find the file read-only
            with pytest.raises(StoreError) as raised:
                progress.set_lesson_completed(store, guest, COURSE, 2)
            assert isinstance(raised.value, StoreUnwritable)
            assert "Nothing was saved" in str(raised.value)
            store.engine.dispose()  # let go of the read-only file before it is unmounted
        assert progress.get_progress(store, guest, COURSE).completed == {0}
    finally:
        store.close()


def test_a_store_killed_in_the_middle_of_a_checkpoint_opens_with_everything(
    good_store: Path, tmp_path: Path
) -> None:
    """A checkpoint copies page 1 (which states the new, larger size) before the pages that make
    the file longer: killed between the two, the file is shorter than its header says while the
    -wal file still holds every page. SQLite replays the log on opening; that is no damage."""
    import sqlite3

    db = good_store / DB_FILE
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as connection:
        connection.execute("PRAGMA wal_autocheckpoint=0")
        connection.execute("CREATE TABLE scratch (x BLOB)")
        for _ in range(200):
            connection.execute("INSERT INTO scratch VALUES (randomblob(4000))")
        before_checkpoint = db.read_bytes()
        wal = Path(f"{db}-wal").read_bytes()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        after_checkpoint = db.read_bytes()
    page_size = int.from_bytes(after_checkpoint[16:18], "big")
    assert len(after_checkpoint) > len(before_checkpoint)

    killed = tmp_path / "killed"
    killed.mkdir()
    (killed / DB_FILE).write_bytes(
        after_checkpoint[:page_size] + before_checkpoint[page_size:]  # page 1 written, no more
    )
    Path(f"{killed / DB_FILE}-wal").write_bytes(wal)

    store = Store(killed)  # before: "the file is cut short", and the learner's store refused
    try:
        guest = profiles.last_used(store)
        assert progress.get_progress(store, guest, COURSE).completed == {0}
    finally:
        store.close()
    with contextlib.closing(sqlite3.connect(killed / DB_FILE)) as connection:
        assert connection.execute("SELECT count(*) FROM scratch").fetchone() == (200,)
