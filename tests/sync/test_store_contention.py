"""A learner's action while a sync stores a large catalog (issue #10, item 2): the sync writes
in short transactions, so the learner's write gets its turn and is never refused "database is
locked"; the catalog still ends whole."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from player.services import packages, profiles, progress
from player.store.db import Store
from player.store.models import CatalogEntry, LessonProgress
from player.sync import merge
from player.sync.wire import CatalogCourse
from player.timeutil import utcnow
from tests.conftest import FIXTURES

COURSE = "git-basics"
ENTRIES = 30_000


def test_a_learner_writes_while_a_sync_stores_a_large_catalog(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    # Two stores on one folder: the window and a scripted sync, as two processes would be.
    # The learner's side waits at most half a second for the lock (the real one waits 30 s):
    # one long sync transaction made it fail; short ones let it in.
    learner_store = Store(folder, busy_timeout=0.5)
    sync_store = Store(folder)
    packages.import_file(learner_store, FIXTURES / "git-basics.json")
    guest = profiles.last_used(learner_store)
    progress.enroll(learner_store, guest, COURSE)
    server = profiles.upsert_server_profile(
        sync_store,
        user_id="u-1",
        name="Ana",
        tenant_id="t-north",
        server_url="https://learn.example.org",
        username="ana",
    )
    courses = [
        CatalogCourse(id=f"course-{i:06d}", title=f"Course {i}", version=1) for i in range(ENTRIES)
    ]
    errors: list[BaseException] = []
    done = threading.Event()

    def store_catalog() -> None:
        try:
            merge.store_catalog(sync_store, server, courses, utcnow())
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            done.set()

    worker = threading.Thread(target=store_catalog)
    worker.start()
    writes = 0
    try:
        while not done.is_set() or writes == 0:
            progress.set_lesson_completed(learner_store, guest, COURSE, writes % 3, writes % 2 == 0)
            writes += 1
    finally:
        worker.join()
    assert errors == []
    with learner_store.read() as session:
        assert session.exec(select(func.count()).select_from(CatalogEntry)).one() == ENTRIES
        stored = session.exec(select(LessonProgress).where(LessonProgress.courseId == COURSE))
        assert len(stored.all()) == min(writes, 3)  # every action of the learner is stored
    learner_store.close()
    sync_store.close()
