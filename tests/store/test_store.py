from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection
from sqlmodel import select

from player.errors import PackageConflict, PackageError, PlayerError
from player.services import packages
from player.store.db import DB_FILE, Store
from player.store.migrations import STEPS, current_version
from player.store.models import PackageBlob, Profile, StoredPackage
from player.timeutil import utcnow
from tests.conftest import FIXTURES


def _rows(store: Store) -> list[tuple[str, int, str]]:
    with store.read() as session:
        return sorted(
            (p.courseId, p.version, p.sha256) for p in session.exec(select(StoredPackage))
        )


def test_store_uses_wal_and_records_its_version(store: Store) -> None:
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(STEPS)


def test_import_stores_exact_bytes_content_addressed(store: Store) -> None:
    raw = (FIXTURES / "git-basics.json").read_bytes()
    result = packages.import_bytes(store, raw)
    assert result.created
    with store.read() as session:
        blob = session.get(PackageBlob, result.sha256)
    assert blob is not None and blob.data == raw
    again = packages.import_bytes(store, raw)
    assert not again.created
    assert len(_rows(store)) == 1


def test_new_version_is_added_beside_the_old_one(store: Store) -> None:
    raw = (FIXTURES / "git-basics.json").read_bytes()
    packages.import_bytes(store, raw)
    data = json.loads(raw)
    data["version"] = 3
    data["id"] = "pkg_git_basics_v3"
    data["title"] = "Git Basics, third edition"
    packages.import_bytes(store, json.dumps(data).encode())
    assert [(c, v) for c, v, _ in _rows(store)] == [("git-basics", 2), ("git-basics", 3)]


def test_same_version_with_other_bytes_is_refused_and_nothing_changes(store: Store) -> None:
    raw = (FIXTURES / "git-basics.json").read_bytes()
    packages.import_bytes(store, raw)
    before = _rows(store)
    data = json.loads(raw)
    data["title"] = "Tampered"
    with pytest.raises(PackageConflict):
        packages.import_bytes(store, json.dumps(data).encode())
    assert _rows(store) == before


@pytest.mark.parametrize(
    "name", [*sorted(p.name for p in FIXTURES.glob("broken-*.json")), "draft-not-published.json"]
)
def test_broken_file_leaves_the_store_unchanged(imported: Store, name: str) -> None:
    before = _rows(imported)
    with pytest.raises(PackageError):
        packages.import_file(imported, FIXTURES / name)
    assert _rows(imported) == before


def test_missing_file_and_folder_give_clear_messages(store: Store, tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="There is no file"):
        packages.import_file(store, tmp_path / "nope.json")
    with pytest.raises(PackageError, match="is a folder"):
        packages.import_file(store, tmp_path)


def test_samples_are_installed_only_into_an_empty_store(store: Store, tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "a.json").write_bytes((FIXTURES / "git-basics.json").read_bytes())
    (samples / "b.json").write_bytes((FIXTURES / "broken-not-json.json").read_bytes())
    assert [r.course_id for r in packages.install_samples_if_empty(store, samples)] == [
        "git-basics"
    ]
    assert packages.install_samples_if_empty(store, samples) == []


def test_migration_adds_a_table_without_losing_data(tmp_path: Path) -> None:
    first = Store(tmp_path)
    packages.import_file(first, FIXTURES / "git-basics.json")
    first.close()

    def add_notes_table(conn: Connection) -> None:
        conn.exec_driver_sql("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")

    upgraded = Store(tmp_path, steps=[*STEPS, add_notes_table])
    assert upgraded.version == len(STEPS) + 1
    assert [c for c, _, _ in _rows(upgraded)] == ["git-basics"]
    with upgraded.engine.connect() as conn:
        assert current_version(conn) == len(STEPS) + 1
        assert conn.exec_driver_sql("SELECT count(*) FROM note").scalar_one() == 0


def test_a_failing_migration_step_leaves_the_old_version_whole(tmp_path: Path) -> None:
    Store(tmp_path).close()

    def broken(conn: Connection) -> None:
        conn.exec_driver_sql("CREATE TABLE half (id INTEGER)")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        Store(tmp_path, steps=[*STEPS, broken])
    conn = sqlite3.connect(tmp_path / "player.sqlite3")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(STEPS)
    assert conn.execute("SELECT name FROM sqlite_master WHERE name='half'").fetchone() is None


def test_a_store_from_a_newer_player_is_refused(tmp_path: Path) -> None:
    Store(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "player.sqlite3")
    conn.execute(f"PRAGMA user_version = {len(STEPS) + 5}")
    conn.close()
    with pytest.raises(PlayerError, match="newer Course Player"):
        Store(tmp_path)


def test_failed_write_rolls_back(store: Store) -> None:
    with pytest.raises(RuntimeError), store.write() as session:
        session.add(Profile(id="x", userId="x", displayName="X", tenantId="t", createdAt=_now()))
        session.flush()
        raise RuntimeError("boom")
    with store.read() as session:
        assert session.get(Profile, "x") is None


def _now() -> datetime:
    return utcnow()


def test_an_up_to_date_store_opens_while_another_process_writes(tmp_path: Path) -> None:
    """Opening a store that needs no migration only reads: it does not queue behind another
    process's write transaction (a scripted sync's batch) and so cannot fail as busy."""
    Store(tmp_path).close()
    writer = sqlite3.connect(tmp_path / DB_FILE, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # the other process holds the write lock
    try:
        store = Store(tmp_path, busy_timeout=0.05)
        try:
            assert store.version == len(STEPS)
            with store.read() as session:
                assert session.exec(select(StoredPackage)).all() == []
        finally:
            store.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
