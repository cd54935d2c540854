"""Store version 10: the machine's one floor of trusted time becomes one floor per server and one
for the local clock, and no floor goes down (issue #9)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import SQLModel, select

from player.services import clock, profiles
from player.store.db import Store
from player.store.migrations import STEPS
from player.store.models import EntitlementLease, TrustedFloor

FLOOR = datetime(2031, 5, 1, 12, 0, tzinfo=UTC)
SERVER_TIME = datetime(2031, 5, 1, 11, 0, tzinfo=UTC)


def _store_at_version_9(data: Path) -> None:
    """A store as version 9 left it: the one ``trustedtime`` row, a learner of one server and a
    lease of another."""
    store = Store(data)
    profiles.upsert_server_profile(
        store, user_id="u1", name="Ana", tenant_id="t1", server_url="https://A.example:443",
        username="ana",
    )  # fmt: skip
    with store.write() as session:
        session.add(
            EntitlementLease(
                server="http://b.example:8080", userId="u9", tenantId="t1",
                issuedAt=FLOOR, validUntil=FLOOR + timedelta(days=14),
            )
        )  # fmt: skip
    path = store.path
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE trustedfloor")
    conn.commit()
    conn.close()
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine, tables=[SQLModel.metadata.tables["trustedtime"]])
    engine.dispose()
    conn = sqlite3.connect(path)
    conn.execute(
        'INSERT INTO trustedtime (id, floor, "offsetSeconds", "serverTime", "updatedAt") '
        "VALUES (1, ?, 3600.0, ?, ?)",
        (
            FLOOR.replace(tzinfo=None).isoformat(sep=" "),
            SERVER_TIME.replace(tzinfo=None).isoformat(sep=" "),
            SERVER_TIME.replace(tzinfo=None).isoformat(sep=" "),
        ),
    )
    conn.execute("PRAGMA user_version = 9")
    conn.commit()
    conn.close()


def test_version_10_keeps_the_floor_for_the_local_clock_and_every_known_server(
    tmp_path: Path,
) -> None:
    _store_at_version_9(tmp_path / "data")
    store = Store(tmp_path / "data")
    try:
        assert store.version == len(STEPS) >= 10
        with store.read() as session:
            rows = {row.server: row for row in session.exec(select(TrustedFloor))}
            assert set(rows) == {"", "https://a.example", "http://b.example:8080"}
            for row in rows.values():
                assert row.floor.replace(tzinfo=UTC) == FLOOR
            assert rows[""].offsetSeconds == 0.0  # the local floor counts the computer's clock
            assert rows["https://a.example"].offsetSeconds == 3600.0
            # a clock earlier than the kept floor still reads as turned back, in every world
            for server in rows:
                assert clock.read(session, FLOOR - timedelta(days=2), server).went_back
        conn = sqlite3.connect(store.path)
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        conn.close()
        assert "trustedtime" not in names
    finally:
        store.close()


def test_a_store_without_a_floor_migrates_to_no_floor(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    try:
        with store.read() as session:
            assert list(session.exec(select(TrustedFloor))) == []
    finally:
        store.close()
