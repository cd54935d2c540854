"""A new store appears whole or not at all: a first start killed while SQLite creates the file
never leaves the 0-byte store that the start-up check (rightly) calls damaged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import player.store.db as db
from player.services import profiles
from player.store.db import DB_FILE, STAGING_SUFFIX, Store


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != DB_FILE)


def test_a_creation_that_fails_half_way_leaves_no_store_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*_args: object) -> int:
        raise RuntimeError("power cut")  # as a kill in the middle of the first migrations

    monkeypatch.setattr(db, "migrate", crash)
    with pytest.raises(RuntimeError):
        Store(tmp_path)
    assert not (tmp_path / DB_FILE).exists()
    assert _leftovers(tmp_path) == []
    monkeypatch.undo()
    store = Store(tmp_path)  # the next start creates it
    try:
        assert profiles.ensure_guest(store).id == "guest"
    finally:
        store.close()
    assert (tmp_path / DB_FILE).stat().st_size > 0
    assert not any(name.startswith(DB_FILE + STAGING_SUFFIX) for name in _leftovers(tmp_path))


def test_a_store_another_process_created_meanwhile_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_link = os.link

    def other_process_first(source: Path, target: Path) -> None:
        monkeypatch.setattr(db.os, "link", real_link)
        other = Store(tmp_path)  # wins the race: its store gets the name
        try:
            with other.engine.begin() as conn:
                conn.exec_driver_sql("CREATE TABLE race_marker (x)")
        finally:
            other.close()
        real_link(source, target)  # raises FileExistsError, as the race would

    monkeypatch.setattr(db.os, "link", other_process_first)
    store = Store(tmp_path)
    try:
        with store.engine.connect() as conn:
            tables = {row[0] for row in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
        assert "race_marker" in tables  # the other's store, not replaced by an empty one
    finally:
        store.close()
    assert not any(name.startswith(DB_FILE + STAGING_SUFFIX) for name in _leftovers(tmp_path))


def test_a_killed_creations_staging_file_is_cleaned_once_stale(tmp_path: Path) -> None:
    stale = tmp_path / f"{DB_FILE}{STAGING_SUFFIX}99999"
    recent = tmp_path / f"{DB_FILE}{STAGING_SUFFIX}99998"
    stale.write_bytes(b"")
    recent.write_bytes(b"")
    old = stale.stat().st_mtime - db.STALE_STAGING - 60
    os.utime(stale, (old, old))
    Store(tmp_path).close()
    assert not stale.exists()
    assert recent.exists()  # perhaps another process creating the store right now
