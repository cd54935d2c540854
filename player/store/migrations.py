"""Ordered schema migrations, tracked with SQLite's ``user_version``.

Step N brings a database from version N-1 to N. Steps are append-only: a released step is never
edited, so a learner's database from any earlier release upgrades without losing data. Each step
runs in the same transaction as the ``user_version`` bump, so a crash leaves the old version whole.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from sqlalchemy import Connection
from sqlmodel import SQLModel

from player.store import models  # noqa: F401  (registers the tables on SQLModel.metadata)

log = logging.getLogger(__name__)

Step = Callable[[Connection], None]


def _create_tables(*names: str) -> Step:
    def step(conn: Connection) -> None:
        tables = [SQLModel.metadata.tables[name] for name in names]
        SQLModel.metadata.create_all(conn, tables=tables)

    return step


# Version 1: the first release's tables.
_V1_TABLES = (
    "packageblob",
    "storedpackage",
    "catalogentry",
    "tenant",
    "profile",
    "product",
    "purchase",
    "enrollment",
    "entitlementlease",
    "lessonprogress",
    "auditlog",
    "outbox",
    "syncstate",
    "exportrecord",
)

STEPS: list[Step] = [
    _create_tables(*_V1_TABLES),
    # Version 2: sync bookkeeping (purchase idempotency keys, per-course download issues).
    _create_tables("pendingpurchase", "downloadissue"),
    # Version 3: offline sign-in verifiers for kiosk machines with a server policy.
    _create_tables("offlinecredential"),
    # Version 4: notes and bookmarks, their sync cursor, resume points, removed courses.
    _create_tables("lessonnote", "notessyncstate", "resumepoint", "openlesson", "removedcourse"),
    # Version 5: the floor of trusted time (a clock turned back extends no lease).
    _create_tables("trustedtime"),
    # Version 6: learner locks (a password verifier per server learner, "don't ask" per learner).
    _create_tables("learnerlock"),
]


def current_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def migrate(conn: Connection, steps: Sequence[Step] = STEPS) -> int:
    """Apply the steps the database has not seen yet; return the resulting version.

    ``conn`` must be inside a write transaction (``BEGIN IMMEDIATE``).
    """
    version = current_version(conn)
    if version > len(steps):
        from player.errors import PlayerError
        from player.i18n import _

        raise PlayerError(
            _(
                "This data folder was written by a newer Course Player (store version {found}, "
                "this player knows {known}). Update the player, or use another --data-dir."
            ).format(found=version, known=len(steps))
        )
    for number in range(version + 1, len(steps) + 1):
        log.info("migrating store to version %d", number)
        steps[number - 1](conn)
        conn.exec_driver_sql(f"PRAGMA user_version = {number}")
    return len(steps)
