"""The engine and sessions of the local SQLite store.

One file per data directory, in WAL mode so readers never wait for the writer. Writes are
serialized: one lock per process, and ``BEGIN IMMEDIATE`` so that two processes (the window and a
scripted ``course-player sync``) queue for the write lock instead of failing half-way.
"""

from __future__ import annotations

import itertools
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, create_engine

from player.safe_text import one_line
from player.store import health
from player.store.migrations import STEPS, Step, current_version, migrate

log = logging.getLogger(__name__)

_connection_tokens = itertools.count(1)  # one per pooled SQLite connection (``data_stamp``)

DB_FILE = "player.sqlite3"
#: Seconds a write waits for another process's write transaction (the window and a scripted
#: sync). Sync keeps its transactions short (``merge.store_catalog``), so a learner's action
#: normally waits milliseconds.
BUSY_TIMEOUT = 30.0


class Store:
    """The local database. Create one per data directory and share it between threads."""

    def __init__(
        self,
        data_dir: Path,
        *,
        steps: Sequence[Step] = STEPS,
        busy_timeout: float = BUSY_TIMEOUT,
    ) -> None:
        """Open (or create) the store in ``data_dir``. A damaged, unwritable or too new store
        raises a ``StoreError`` whose message says what to do; the file is left as it is."""
        self.data_dir = data_dir
        self.path = data_dir / DB_FILE
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise health.unwritable(self.path) from error
        health.check_file(self.path)
        health.check_writable(self.path)
        if not self.path.exists():
            _create(self.path, steps, busy_timeout)
        self.engine = _make_engine(self.path, busy_timeout)
        self._writer = self.engine.execution_options(sqlite_begin="BEGIN IMMEDIATE")
        self._write_lock = threading.RLock()
        self._writes = 0  # write transactions ended in this process (``data_stamp``)
        try:
            # An up-to-date store (every start but the first after an update) is only read: no
            # write transaction, so a command or the window never queues behind another
            # process's write (a scripted sync's batch) just to open the store.
            with self.engine.connect() as conn:
                found = current_version(conn)
            if found == len(steps):
                self.version = found
            else:  # new, older or too new: migrate() decides, under the write lock
                with self._write_lock, self._writer.begin() as conn:
                    self.version = migrate(conn, steps)
        except BaseException as error:
            self.engine.dispose()
            raise self._translated(error) from error

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; it sees one consistent snapshot."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
            except sa_exc.DBAPIError as error:
                raise self._translated(error) from error

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for one write transaction: committed on success, rolled back on error."""
        with self._write_lock, Session(self._writer, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException as error:
                try:
                    session.rollback()
                except sa_exc.DBAPIError:
                    log.warning("rollback failed after %s", type(error).__name__)
                raise self._translated(error) from error
            finally:  # still holding the connection: no reader can use it before this
                self._writes += 1

    def data_stamp(self, session: Session) -> tuple[int, int, int]:
        """A value that changes whenever what ``session`` reads may have changed.

        Call it after the session's first read (its snapshot has begun). Two reads with equal
        stamps saw the same data: SQLite's ``data_version`` of the connection changes when
        another connection (of this process or another) committed, and this process's own
        write transactions are counted (they end while holding their connection). For caches
        of what is derived from many rows (``player.services.search``'s scope).
        """
        connection = session.connection()
        token = connection.info.setdefault("stamp_token", next(_connection_tokens))
        data_version = connection.exec_driver_sql("PRAGMA data_version").scalar_one()
        return token, int(data_version), self._writes

    def _translated(self, error: BaseException) -> BaseException:
        """A ``StoreError`` for SQLite's errors about the file itself; ``error`` otherwise."""
        if isinstance(error, sa_exc.DBAPIError):
            translated = health.translate(error, self.path)
            if translated is not None:
                log.error("store %s: %s", self.path, one_line(error.orig, limit=300))
                return translated
        return error

    def close(self) -> None:
        self.engine.dispose()


STAGING_SUFFIX = ".new-"  # player.sqlite3.new-PID: a store being created (``_create``)
STALE_STAGING = 3600.0  # seconds after which a staging file is a killed creation's leftover


def _create(path: Path, steps: Sequence[Step], busy_timeout: float) -> None:
    """Create the store at ``path`` whole or not at all.

    SQLite creates its file empty and writes the first page a moment later: a process killed in
    between (a first start, a lab machine switched off) would leave a 0-byte store, which
    ``health.check_file`` rightly calls damaged. So a new store is built beside it under a name of
    its own, migrated, checkpointed into its file and closed, then given its name with a hard link,
    which fails rather than replace a store another process created meanwhile. A file system
    without hard links (FAT on a USB stick) gets a rename when the name is still free."""
    folder = path.parent
    for leftover in folder.glob(path.name + STAGING_SUFFIX + "*"):
        try:
            if time.time() - leftover.stat().st_mtime > STALE_STAGING:
                leftover.unlink()
        except OSError:
            pass  # another process's, or gone already
    staging = folder / f"{path.name}{STAGING_SUFFIX}{os.getpid()}"
    _remove_files(staging)
    try:
        engine = _make_engine(staging, busy_timeout)
        try:
            with engine.execution_options(sqlite_begin="BEGIN IMMEDIATE").begin() as conn:
                migrate(conn, steps)
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            engine.dispose()  # the last connection: SQLite folds the WAL into the file
        wal = staging.with_name(staging.name + "-wal")
        if wal.exists() and wal.stat().st_size:  # never name a store whose data is elsewhere
            raise OSError(f"{wal} was not checkpointed")
        try:
            os.link(staging, path)
        except FileExistsError:
            log.info("another process created the store %s first", path)
        except OSError:  # no hard links here
            if not path.exists():
                os.replace(staging, path)
    except sa_exc.DBAPIError as error:  # a full disk, a read-only folder…
        raise (health.translate(error, path) or health.unwritable(path)) from error
    except OSError as error:
        raise health.unwritable(path) from error
    finally:
        _remove_files(staging)


def _remove_files(database: Path) -> None:
    for name in (database.name, database.name + "-wal", database.name + "-shm"):
        try:
            (database.parent / name).unlink(missing_ok=True)
        except OSError:
            log.warning("could not remove %s", database.parent / name)


def _make_engine(path: Path, busy_timeout: float = BUSY_TIMEOUT) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": busy_timeout},
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=8,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))

    return engine
