"""Store version 4: a store written before origins (version 3) migrates with every row kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlmodel import select

from player.store.db import DB_FILE, Store
from player.store.migrations import STEPS
from player.store.models import (
    AuditLog,
    CatalogEntry,
    Enrollment,
    EntitlementLease,
    ExportRecord,
    LessonProgress,
    Outbox,
    Product,
    Profile,
    Purchase,
    StoredPackage,
    SyncState,
    Tenant,
)

V3_DUMP = Path(__file__).resolve().parents[1] / "fixtures" / "stores" / "store_v3.sql"
ALICE = "https://learn.example.org"
BOB = "http://127.0.0.1:8123"


def _old_store(data_dir: Path) -> dict[str, int]:
    """Restore the version-3 dump; return each table's row count."""
    data_dir.mkdir(parents=True)
    conn = sqlite3.connect(data_dir / DB_FILE)
    conn.executescript(V3_DUMP.read_text())
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    conn.close()
    return counts


def test_a_version_3_store_migrates_keeping_every_row(tmp_path: Path) -> None:
    before = _old_store(tmp_path / "data")
    assert sum(before.values()) > 20

    store = Store(tmp_path / "data")

    assert store.version == len(STEPS)
    conn = sqlite3.connect(store.path)
    for table, count in before.items():
        assert conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == count, table
    leftovers = conn.execute("SELECT name FROM sqlite_master WHERE name LIKE '%__v3'").fetchall()
    assert leftovers == []
    conn.close()
    with store.read() as session:
        profiles = {p.id: p.server for p in session.exec(select(Profile))}
        assert profiles == {
            "guest": "",
            "u_alice@Learn.Example.org:443": ALICE,
            "u_bob@127.0.0.1:8123": BOB,
        }
        assert {(t.server, t.id) for t in session.exec(select(Tenant))} == {
            ("", "local"),
            (ALICE, "t_a"),
            (BOB, "t_b"),
        }
        assert {(p.courseId, p.server) for p in session.exec(select(StoredPackage))} == {
            ("first-aid-basics", ""),
            ("intro-to-python", ALICE),
        }
        assert {(c.server, c.courseId) for c in session.exec(select(CatalogEntry))} == {
            (ALICE, "intro-to-python"),
            (BOB, "c_bob"),
        }
        assert session.get(Product, (ALICE, "p1")) is not None
        assert session.get(Purchase, (ALICE, "pu1")) is not None
        assert {(e.server, e.id) for e in session.exec(select(Enrollment))} == {
            (ALICE, "e1"),
            (BOB, "e2"),
            ("", "e3"),
        }
        assert session.get(EntitlementLease, (ALICE, "u_alice")) is not None
        progress = {(p.server, p.userId, p.courseId) for p in session.exec(select(LessonProgress))}
        assert progress == {
            (ALICE, "u_alice", "intro-to-python"),
            # Alice's progress in the imported file stays hers, in the file's world.
            ("", "u_alice@Learn.Example.org:443", "first-aid-basics"),
            ("", "guest", "first-aid-basics"),
        }
        assert [a.server for a in session.exec(select(AuditLog))] == [ALICE]
        assert {(o.server, o.clientEventId) for o in session.exec(select(Outbox))} == {
            (ALICE, "a1"),
            (BOB, "e2"),
        }
        assert [s.server for s in session.exec(select(SyncState))] == [ALICE]
        assert [e.server for e in session.exec(select(ExportRecord))] == [ALICE]
    store.close()
