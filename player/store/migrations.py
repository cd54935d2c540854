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

from player.origin import LOCAL, normalize_origin
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
    "removedcourse",
)

# Version 7: full-text search. ``searchdoc`` is a SQLModel table; the two FTS5 indexes use it as
# their external content and are kept in step by triggers, so no code can forget one of them.
# unicode61 folds case and accents for scripts written with spaces; trigram finds Chinese,
# Japanese, Thai… inside a sentence (docs/search.md says why both).
_SEARCH_SQL = (
    "CREATE VIRTUAL TABLE searchwords USING fts5(title, body, content='searchdoc', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE searchgrams USING fts5(gramsTitle, gramsBody, content='searchdoc', "
    "content_rowid='id', tokenize='trigram case_sensitive 0')",
    "CREATE TRIGGER searchdoc_ai AFTER INSERT ON searchdoc BEGIN "
    "INSERT INTO searchwords(rowid, title, body) VALUES (new.id, new.title, new.body); "
    "INSERT INTO searchgrams(rowid, gramsTitle, gramsBody) "
    "VALUES (new.id, new.gramsTitle, new.gramsBody); END",
    "CREATE TRIGGER searchdoc_ad AFTER DELETE ON searchdoc BEGIN "
    "INSERT INTO searchwords(searchwords, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO searchgrams(searchgrams, rowid, gramsTitle, gramsBody) "
    "VALUES ('delete', old.id, old.gramsTitle, old.gramsBody); END",
    "CREATE TRIGGER searchdoc_au AFTER UPDATE ON searchdoc BEGIN "
    "INSERT INTO searchwords(searchwords, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO searchgrams(searchgrams, rowid, gramsTitle, gramsBody) "
    "VALUES ('delete', old.id, old.gramsTitle, old.gramsBody); "
    "INSERT INTO searchwords(rowid, title, body) VALUES (new.id, new.title, new.body); "
    "INSERT INTO searchgrams(rowid, gramsTitle, gramsBody) "
    "VALUES (new.id, new.gramsTitle, new.gramsBody); END",
    "CREATE TRIGGER storedpackage_search_ad AFTER DELETE ON storedpackage BEGIN "
    "DELETE FROM searchdoc WHERE packageRowId = old.id; END",
)


def _create_search_index(conn: Connection) -> None:
    _create_tables("searchdoc")(conn)
    for statement in _SEARCH_SQL:
        conn.exec_driver_sql(statement)


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
    # Version 6: every record from a server carries the server's origin (issue #9).
    lambda conn: _add_server_origin(conn),
    # Version 7: the full-text search index (filled by player.search.index).
    _create_search_index,
    # Version 8: learner locks (a password verifier per server learner, "don't ask" per learner).
    _create_tables("learnerlock"),
    # Version 9: servers' signing keys, and each stored package's signature (issue #9).
    lambda conn: _add_signatures(conn),
    # Version 10: one floor of trusted time per server and one for the local clock (issue #9).
    lambda conn: _floor_per_server(conn),
    # Version 11: the word index folds accents in every script (issue #12); indexed again.
    lambda conn: _fold_search_words(conn),
]


def current_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def migrate(conn: Connection, steps: Sequence[Step] = STEPS) -> int:
    """Apply the steps the database has not seen yet; return the resulting version.

    ``conn`` must be inside a write transaction (``BEGIN IMMEDIATE``).
    """
    version = current_version(conn)
    if version > len(steps):
        from player.errors import StoreTooNew
        from player.i18n import _

        raise StoreTooNew(
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


# --- version 4: origins ----------------------------------------------------------------------

# Tables rebuilt with a ``server`` column (their keys and unique constraints include it).
_ORIGIN_TABLES = (
    "tenant",
    "profile",
    "storedpackage",
    "catalogentry",
    "product",
    "purchase",
    "enrollment",
    "entitlementlease",
    "lessonprogress",
    "auditlog",
    "outbox",
    "syncstate",
    "exportrecord",
    "removedcourse",
)


def _rebuild_with_server(conn: Connection, name: str) -> None:
    """Rebuild ``name`` in its current shape and copy every row (``server`` = "" for now)."""
    old_columns = [row[1] for row in conn.exec_driver_sql(f'PRAGMA table_info("{name}")')]
    if not old_columns:
        return
    for (index,) in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (name,),
    ).fetchall():
        conn.exec_driver_sql(f'DROP INDEX "{index}"')
    conn.exec_driver_sql(f'ALTER TABLE "{name}" RENAME TO "{name}__v3"')
    table = SQLModel.metadata.tables[name]
    SQLModel.metadata.create_all(conn, tables=[table])
    shared = [c.name for c in table.columns if c.name in old_columns]
    columns = ", ".join(f'"{c}"' for c in shared)
    values = columns
    if "server" not in old_columns:
        columns, values = f'{columns}, "server"', f"{values}, ''"
    conn.exec_driver_sql(f'INSERT INTO "{name}" ({columns}) SELECT {values} FROM "{name}__v3"')
    conn.exec_driver_sql(f'DROP TABLE "{name}__v3"')


def _add_server_origin(conn: Connection) -> None:
    """Give every server record its server's origin, keeping every row.

    Before version 4, records were keyed by tenant id alone. A tenant's server is the one its
    ``Tenant`` row (or a learner of that tenant) names; a user's is their profile's. Progress a
    server learner made in a course that only exists as an imported file moves to the file's world
    (``server`` "" with the profile id), where file progress now lives.
    """
    for name in _ORIGIN_TABLES:
        _rebuild_with_server(conn, name)
    sql = conn.exec_driver_sql
    profiles = sql('SELECT id, "userId", "tenantId", "serverUrl" FROM profile').fetchall()
    tenants: dict[str, str] = {}
    for tenant_id, url in sql('SELECT id, "serverUrl" FROM tenant').fetchall():
        tenants[tenant_id] = normalize_origin(url)
    users: dict[str, tuple[str, str]] = {}  # userId -> (server, profile id)
    for profile_id, user_id, tenant_id, url in profiles:
        origin = normalize_origin(url)
        sql("UPDATE profile SET server = ? WHERE id = ?", (origin, profile_id))
        users.setdefault(user_id, (origin, profile_id))
        if origin and not tenants.get(tenant_id):
            tenants[tenant_id] = origin
    for tenant_id, origin in tenants.items():
        if origin == LOCAL:
            continue
        sql("UPDATE tenant SET server = ? WHERE id = ?", (origin, tenant_id))
        for name in ("catalogentry", "product", "purchase", "enrollment", "entitlementlease"):
            sql(f'UPDATE "{name}" SET server = ? WHERE "tenantId" = ?', (origin, tenant_id))
        for name in ("storedpackage", "removedcourse"):
            sql(f'UPDATE "{name}" SET server = ? WHERE "tenantKey" = ?', (origin, tenant_id))
    file_courses = {
        row[0] for row in sql('SELECT "courseId" FROM storedpackage WHERE "tenantKey" = \'\'')
    }
    for user_id, (origin, profile_id) in users.items():
        if origin == LOCAL:
            continue
        server_courses = {
            row[0]
            for row in sql(
                'SELECT "courseId" FROM storedpackage WHERE server = ? UNION '
                'SELECT "courseId" FROM catalogentry WHERE server = ?',
                (origin, origin),
            )
        }
        for course_id in file_courses - server_courses:
            sql(
                'UPDATE enrollment SET server = \'\', "userId" = ? WHERE "userId" = ? '
                'AND server = ? AND "courseId" = ?',
                (profile_id, user_id, origin, course_id),
            )
        for name in ("lessonprogress", "exportrecord"):
            for course_id in file_courses - server_courses:
                sql(
                    f'UPDATE "{name}" SET "userId" = ? WHERE "userId" = ? AND "courseId" = ? '
                    "AND server = ''",
                    (profile_id, user_id, course_id),
                )
            sql(
                f'UPDATE "{name}" SET server = ? WHERE "userId" = ? AND server = \'\'',
                (origin, user_id),
            )
        sql('UPDATE auditlog SET server = ? WHERE "actorId" = ?', (origin, user_id))
    for profile_id, _user, _tenant, url in profiles:
        origin = normalize_origin(url)
        if origin:
            for name in ("outbox", "syncstate"):
                sql(f'UPDATE "{name}" SET server = ? WHERE "profileId" = ?', (origin, profile_id))


# --- version 7: signatures -------------------------------------------------------------------


def _add_signatures(conn: Connection) -> None:
    _create_tables("serverkey")(conn)
    columns = {row[1] for row in conn.exec_driver_sql('PRAGMA table_info("storedpackage")')}
    for name in ("sigKid", "sig"):
        if name not in columns:  # a store created by this version has them from step 1
            conn.exec_driver_sql(f'ALTER TABLE storedpackage ADD COLUMN "{name}" VARCHAR')


# --- version 10: a floor of trusted time per server ------------------------------------------


def _floor_per_server(conn: Connection) -> None:
    """Copy the machine's one floor to the local row and to every server this machine knows (a
    learner's, a lease's), so no floor goes down; the local row keeps the floor without the last
    sync's offset (it counts the computer's own clock). Then drop the old table."""
    _create_tables("trustedfloor")(conn)
    sql = conn.exec_driver_sql
    row = sql('SELECT floor, "offsetSeconds", "serverTime", "updatedAt" FROM trustedtime').first()
    if row is not None:
        floor, offset, server_time, updated = row
        servers = {
            r[0]
            for table in ("profile", "entitlementlease")
            for r in sql(f'SELECT DISTINCT server FROM "{table}" WHERE server != ?', (LOCAL,))
        }
        sql(
            'INSERT INTO trustedfloor (server, floor, "offsetSeconds", "serverTime", "updatedAt") '
            "VALUES (?, ?, 0.0, NULL, ?)",
            (LOCAL, floor, updated),
        )
        for server in sorted(servers):
            sql(
                'INSERT INTO trustedfloor (server, floor, "offsetSeconds", "serverTime", '
                '"updatedAt") VALUES (?, ?, ?, ?, ?)',
                (server, floor, offset, server_time, updated),
            )
    sql("DROP TABLE trustedtime")


# --- version 11: the word index reads a folded copy of text unicode61 cannot fold ------------

# ``searchwords`` indexes ``foldTitle``/``foldBody`` where they are set (Greek, Cyrillic…: see
# ``player.search.fold.folded_copy``), else ``title``/``body``; snippets still read ``searchdoc``'s
# own text. FTS5 reads its content through this view only to rebuild; the triggers hand it the
# values.
_FOLDED_SEARCH_SQL = (
    "CREATE VIEW searchwordtext AS SELECT id, coalesce(foldTitle, title) AS title, "
    "coalesce(foldBody, body) AS body FROM searchdoc",
    "CREATE VIRTUAL TABLE searchwords USING fts5(title, body, content='searchwordtext', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER searchdoc_ai AFTER INSERT ON searchdoc BEGIN "
    "INSERT INTO searchwords(rowid, title, body) VALUES "
    "(new.id, coalesce(new.foldTitle, new.title), coalesce(new.foldBody, new.body)); "
    "INSERT INTO searchgrams(rowid, gramsTitle, gramsBody) "
    "VALUES (new.id, new.gramsTitle, new.gramsBody); END",
    "CREATE TRIGGER searchdoc_ad AFTER DELETE ON searchdoc BEGIN "
    "INSERT INTO searchwords(searchwords, rowid, title, body) VALUES ('delete', old.id, "
    "coalesce(old.foldTitle, old.title), coalesce(old.foldBody, old.body)); "
    "INSERT INTO searchgrams(searchgrams, rowid, gramsTitle, gramsBody) "
    "VALUES ('delete', old.id, old.gramsTitle, old.gramsBody); END",
    "CREATE TRIGGER searchdoc_au AFTER UPDATE ON searchdoc BEGIN "
    "INSERT INTO searchwords(searchwords, rowid, title, body) VALUES ('delete', old.id, "
    "coalesce(old.foldTitle, old.title), coalesce(old.foldBody, old.body)); "
    "INSERT INTO searchgrams(searchgrams, rowid, gramsTitle, gramsBody) "
    "VALUES ('delete', old.id, old.gramsTitle, old.gramsBody); "
    "INSERT INTO searchwords(rowid, title, body) VALUES "
    "(new.id, coalesce(new.foldTitle, new.title), coalesce(new.foldBody, new.body)); "
    "INSERT INTO searchgrams(rowid, gramsTitle, gramsBody) "
    "VALUES (new.id, new.gramsTitle, new.gramsBody); END",
)


def _fold_search_words(conn: Connection) -> None:
    """Recreate the word index over the folded copy, empty: the folded text needs Python, so the
    documents are deleted and every stored version is indexed again on the first search
    (``player.services.search.ensure_indexed``, which indexes versions without documents)."""
    sql = conn.exec_driver_sql
    columns = {row[1] for row in sql('PRAGMA table_info("searchdoc")')}
    for name in ("foldTitle", "foldBody"):
        if name not in columns:  # a store created by this version has them from step 7
            sql(f'ALTER TABLE searchdoc ADD COLUMN "{name}" VARCHAR')
    for trigger in ("searchdoc_ai", "searchdoc_ad", "searchdoc_au"):
        sql(f"DROP TRIGGER IF EXISTS {trigger}")
    sql("DROP TABLE IF EXISTS searchwords")
    sql("DROP VIEW IF EXISTS searchwordtext")
    sql("INSERT INTO searchgrams(searchgrams) VALUES ('delete-all')")
    sql("DELETE FROM searchdoc")
    for statement in _FOLDED_SEARCH_SQL:
        sql(statement)
