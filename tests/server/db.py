"""The contract server's SQLite state: schema, seeding and read-back helpers.

One connection guarded by one lock: every request runs its SQL inside
``with db.transaction() as conn:``, which serializes writers and readers alike. That is plenty for
tests and demos and keeps merge decisions (read, compare, write) atomic.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .common import Clock, format_time, from_micros, to_micros, utc_now

SCHEMA = """
CREATE TABLE IF NOT EXISTS tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, password TEXT NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), device_name TEXT,
    expires_at INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS packages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id TEXT NOT NULL, course_id TEXT NOT NULL,
    version INTEGER NOT NULL, status TEXT NOT NULL, title TEXT NOT NULL, sha256 TEXT NOT NULL,
    body BLOB NOT NULL, updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, course_id, version, status));
CREATE TABLE IF NOT EXISTS products (
    id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, course_id TEXT NOT NULL,
    price_cents INTEGER NOT NULL, currency TEXT NOT NULL, active INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS enrollments (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, course_id TEXT NOT NULL,
    created_at INTEGER NOT NULL, UNIQUE (user_id, course_id));
CREATE TABLE IF NOT EXISTS purchases (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, product_id TEXT NOT NULL,
    course_id TEXT NOT NULL, created_at INTEGER NOT NULL, idempotency_key TEXT,
    UNIQUE (user_id, idempotency_key));
CREATE TABLE IF NOT EXISTS progress (
    user_id TEXT NOT NULL, course_id TEXT NOT NULL, lesson_idx INTEGER NOT NULL,
    completed INTEGER NOT NULL, occurred_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    change_seq INTEGER NOT NULL, PRIMARY KEY (user_id, course_id, lesson_idx));
CREATE TABLE IF NOT EXISTS progress_events (
    user_id TEXT NOT NULL, client_event_id TEXT NOT NULL, received_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, client_event_id));
CREATE TABLE IF NOT EXISTS audit_events (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, tenant_id TEXT NOT NULL, action TEXT NOT NULL,
    entity_type TEXT, entity_id TEXT, metadata TEXT NOT NULL, occurred_at TEXT,
    received_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS notes (
    user_id TEXT NOT NULL, id TEXT NOT NULL, course_id TEXT NOT NULL, lesson_idx INTEGER NOT NULL,
    kind TEXT NOT NULL, text TEXT NOT NULL, updated_at INTEGER NOT NULL,
    deleted INTEGER NOT NULL, change_seq INTEGER NOT NULL, PRIMARY KEY (user_id, id));
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


class Database:
    """SQLite state behind one lock. Times are stored as integer microseconds (UTC)."""

    def __init__(self, path: str | Path, clock: Clock = utc_now) -> None:
        self.path = Path(path)
        self.clock = clock
        self.closed = False
        self._lock = threading.RLock()
        self._conn = self._open()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(str(self.path), check_same_thread=False)
        conn.row_factory = sqlite3.Row
        with conn:
            conn.executescript(SCHEMA)
        return conn

    # -- plumbing -------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and commit on success (roll back on an exception)."""
        with self._lock, self._conn:
            yield self._conn

    def close(self) -> None:
        with self._lock:
            if not self.closed:
                self._conn.close()
                self.closed = True

    def reopen(self) -> None:
        """Open the same file again after ``close()`` (a server restart keeps its data)."""
        with self._lock:
            if self.closed:
                self._conn = self._open()
                self.closed = False

    def now_micros(self) -> int:
        return to_micros(self.clock())

    @staticmethod
    def next_counter(conn: sqlite3.Connection, name: str) -> int:
        conn.execute(
            "INSERT INTO counters (name, value) VALUES (?, 1) "
            "ON CONFLICT(name) DO UPDATE SET value = value + 1",
            (name,),
        )
        row = conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return int(row["value"])

    @staticmethod
    def counter(conn: sqlite3.Connection, name: str) -> int:
        row = conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return int(row["value"]) if row else 0

    # -- seeding --------------------------------------------------------------------------------

    def add_tenant(self, tenant_id: str, name: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO tenants (id, name) VALUES (?, ?) "
                "ON CONFLICT(id) DO UPDATE SET name = excluded.name",
                (tenant_id, name),
            )

    def add_user(self, username: str, password: str, tenant_id: str, name: str | None) -> str:
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM tenants WHERE id = ?", (tenant_id,)).fetchone() is None:
                raise KeyError(f"unknown tenant {tenant_id!r}")
            user_id = new_id("usr")
            conn.execute(
                "INSERT INTO users (id, username, password, tenant_id, name) VALUES (?,?,?,?,?)",
                (user_id, username, password, tenant_id, name or username),
            )
            return user_id

    def publish(self, package_bytes: bytes, tenant_id: str) -> str:
        """Store the bytes as given for ``tenant_id``; return their SHA-256 (hex)."""
        try:
            doc = json.loads(package_bytes.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a JSON CoursePackage: {exc}") from exc
        if not isinstance(doc, dict):
            raise ValueError("a CoursePackage is a JSON object")
        course_id, version, status = doc.get("courseId"), doc.get("version"), doc.get("status")
        if not isinstance(course_id, str) or not course_id:
            raise ValueError("the package has no courseId")
        if isinstance(version, bool) or not isinstance(version, int):
            raise ValueError("the package has no integer version")
        if not isinstance(status, str):
            raise ValueError("the package has no status")
        title = doc.get("title") if isinstance(doc.get("title"), str) else course_id
        sha = hashlib.sha256(package_bytes).hexdigest()
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM tenants WHERE id = ?", (tenant_id,)).fetchone() is None:
                raise KeyError(f"unknown tenant {tenant_id!r}")
            conn.execute(
                "INSERT OR REPLACE INTO packages (tenant_id, course_id, version, status, title,"
                " sha256, body, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                (
                    tenant_id,
                    course_id,
                    version,
                    status,
                    title,
                    sha,
                    package_bytes,
                    self.now_micros(),
                ),
            )
        return sha

    def add_product(
        self,
        product_id: str,
        tenant_id: str,
        course_id: str,
        price_cents: int,
        currency: str,
        active: bool,
    ) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO products (id, tenant_id, course_id, price_cents, currency,"
                " active) VALUES (?,?,?,?,?,?)",
                (product_id, tenant_id, course_id, price_cents, currency, int(active)),
            )

    def add_enrollment(self, user_id: str, course_id: str) -> str:
        with self.transaction() as conn:
            return str(self.ensure_enrollment(conn, user_id, course_id)[0]["id"])

    def ensure_enrollment(
        self, conn: sqlite3.Connection, user_id: str, course_id: str
    ) -> tuple[dict[str, Any], bool]:
        """The user's enrollment in the course, created if missing; (row, created)."""
        row = conn.execute(
            "SELECT * FROM enrollments WHERE user_id = ? AND course_id = ?", (user_id, course_id)
        ).fetchone()
        if row is not None:
            return enrollment_json(row), False
        enrollment_id = new_id("enr")
        conn.execute(
            "INSERT INTO enrollments (id, user_id, course_id, created_at) VALUES (?,?,?,?)",
            (enrollment_id, user_id, course_id, self.now_micros()),
        )
        row = conn.execute("SELECT * FROM enrollments WHERE id = ?", (enrollment_id,)).fetchone()
        return enrollment_json(row), True

    def add_purchase(self, user_id: str, product_id: str) -> str:
        with self.transaction() as conn:
            product = conn.execute("SELECT * FROM products WHERE id = ?", (product_id,)).fetchone()
            if product is None:
                raise KeyError(f"unknown product {product_id!r}")
            return str(self.create_purchase(conn, user_id, product, None)["id"])

    def create_purchase(
        self, conn: sqlite3.Connection, user_id: str, product: sqlite3.Row, key: str | None
    ) -> dict[str, Any]:
        """Insert a purchase (and the enrollment it implies); return its JSON shape."""
        purchase_id = new_id("pur")
        conn.execute(
            "INSERT INTO purchases (id, user_id, product_id, course_id, created_at,"
            " idempotency_key) VALUES (?,?,?,?,?,?)",
            (purchase_id, user_id, product["id"], product["course_id"], self.now_micros(), key),
        )
        self.ensure_enrollment(conn, user_id, product["course_id"])
        row = conn.execute("SELECT * FROM purchases WHERE id = ?", (purchase_id,)).fetchone()
        return purchase_json(row)

    def revoke_tokens(self, user_id: str | None = None) -> None:
        with self.transaction() as conn:
            if user_id is None:
                conn.execute("UPDATE tokens SET revoked = 1")
            else:
                conn.execute("UPDATE tokens SET revoked = 1 WHERE user_id = ?", (user_id,))

    # -- read-back ------------------------------------------------------------------------------

    def user_id(self, username: str) -> str:
        with self.transaction() as conn:
            row = conn.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
        if row is None:
            raise KeyError(f"unknown user {username!r}")
        return str(row["id"])

    def note_rows(self, user_id: str) -> list[dict[str, Any]]:
        with self.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM notes WHERE user_id = ? ORDER BY change_seq", (user_id,)
            ).fetchall()
        return [
            {
                "id": r["id"],
                "courseId": r["course_id"],
                "lessonIdx": r["lesson_idx"],
                "kind": r["kind"],
                "text": r["text"],
                "updatedAt": format_time(from_micros(r["updated_at"])),
                "deleted": bool(r["deleted"]),
            }
            for r in rows
        ]

    def progress_rows(self, user_id: str) -> list[dict[str, Any]]:
        with self.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM progress WHERE user_id = ? ORDER BY course_id, lesson_idx",
                (user_id,),
            ).fetchall()
        return [
            {
                "courseId": r["course_id"],
                "lessonIdx": r["lesson_idx"],
                "completed": bool(r["completed"]),
                "occurredAt": format_time(from_micros(r["occurred_at"])),
                "updatedAt": format_time(from_micros(r["updated_at"])),
            }
            for r in rows
        ]

    def enrollments(self, user_id: str) -> list[dict[str, Any]]:
        with self.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM enrollments WHERE user_id = ? ORDER BY created_at, id", (user_id,)
            ).fetchall()
        return [enrollment_json(r) for r in rows]

    def purchases(self, user_id: str) -> list[dict[str, Any]]:
        with self.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM purchases WHERE user_id = ? ORDER BY created_at, id", (user_id,)
            ).fetchall()
        return [purchase_json(r) | {"idempotencyKey": r["idempotency_key"]} for r in rows]

    def audit_events(self, user_id: str | None = None) -> list[dict[str, Any]]:
        query = "SELECT * FROM audit_events"
        args: tuple[str, ...] = ()
        if user_id is not None:
            query += " WHERE user_id = ?"
            args = (user_id,)
        with self.transaction() as conn:
            rows = conn.execute(query + " ORDER BY received_at, rowid", args).fetchall()
        return [
            {
                "id": r["id"],
                "userId": r["user_id"],
                "tenantId": r["tenant_id"],
                "action": r["action"],
                "entityType": r["entity_type"],
                "entityId": r["entity_id"],
                "metadata": json.loads(r["metadata"]),
                "occurredAt": r["occurred_at"],
                "receivedAt": format_time(from_micros(r["received_at"])),
            }
            for r in rows
        ]


def enrollment_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "courseId": row["course_id"],
        "createdAt": format_time(from_micros(row["created_at"])),
    }


def purchase_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "userId": row["user_id"],
        "productId": row["product_id"],
        "courseId": row["course_id"],
        "createdAt": format_time(from_micros(row["created_at"])),
    }
