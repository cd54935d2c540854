from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlmodel import col, select

from player.errors import LessonNotFound, NotEnrolled, PurchaseRequired
from player.services import commerce, outbox, progress
from player.store.db import Store
from player.store.models import AuditLog, Enrollment, LessonProgress, Outbox, Profile


def _outbox(store: Store, profile: Profile) -> list[Outbox]:
    return outbox.items(store, profile)


def test_enroll_free_course_offline_queues_it_and_audits(imported: Store, guest: Profile) -> None:
    enrollment = progress.enroll(imported, guest, "git-basics")
    assert progress.is_enrolled(imported, guest, "git-basics")
    assert progress.enroll(imported, guest, "git-basics").id == enrollment.id  # idempotent
    kinds = [(row.kind, row.state) for row in _outbox(imported, guest)]
    assert kinds == [("enrollment", "pending"), ("audit", "pending")]
    with imported.read() as session:
        audit = session.exec(select(AuditLog)).one()
    assert audit.action == "ENROLLMENT_CREATE" and audit.meta["courseId"] == "git-basics"


def test_paid_course_enrollment_needs_a_purchase(
    imported: Store, make_learner: Any, add_product: Any
) -> None:
    ana = make_learner("ana")
    add_product("git-basics", product_id="prod-git")
    with pytest.raises(PurchaseRequired):
        progress.enroll(imported, ana, "git-basics")
    commerce.record_purchase(
        imported, ana, purchase_id="pur-1", product_id="prod-git", course_id="git-basics"
    )
    assert progress.is_enrolled(imported, ana, "git-basics")  # buying enrolls
    progress.enroll(imported, ana, "git-basics")
    actions = [row.payload.get("action") for row in _outbox(imported, ana) if row.kind == "audit"]
    assert actions == ["PURCHASE_CREATE", "ENROLLMENT_CREATE"]


def test_mark_complete_and_read_progress(imported: Store, guest: Profile) -> None:
    progress.enroll(imported, guest, "git-basics")
    progress.set_lesson_completed(imported, guest, "git-basics", 0)
    progress.set_lesson_completed(imported, guest, "git-basics", 2)
    state = progress.get_progress(imported, guest, "git-basics")
    assert state.completed == {0, 2} and state.lesson_count == 3
    assert progress.next_lesson(imported, guest, "git-basics") == 1
    progress.set_lesson_completed(imported, guest, "git-basics", 1)
    assert progress.get_progress(imported, guest, "git-basics").finished
    progress.set_lesson_completed(imported, guest, "git-basics", 2, completed=False)
    assert progress.next_lesson(imported, guest, "git-basics") == 2
    events = [row.payload for row in _outbox(imported, guest) if row.kind == "progress"]
    assert [(e["lessonIdx"], e["completed"]) for e in events] == [
        (0, True),
        (2, True),
        (1, True),
        (2, False),
    ]
    assert all(e["clientEventId"] and e["occurredAt"].endswith("Z") for e in events)
    assert len({e["clientEventId"] for e in events}) == 4


def test_progress_write_without_enrollment_is_refused_and_stores_nothing(
    imported: Store, guest: Profile
) -> None:
    with pytest.raises(NotEnrolled):
        progress.set_lesson_completed(imported, guest, "git-basics", 0)
    assert _outbox(imported, guest) == []
    with imported.read() as session:
        assert session.exec(select(LessonProgress)).all() == []


def test_progress_index_out_of_range(imported: Store, guest: Profile) -> None:
    progress.enroll(imported, guest, "git-basics")
    with pytest.raises(LessonNotFound):
        progress.set_lesson_completed(imported, guest, "git-basics", 7)


def test_two_learners_never_see_each_others_state(imported: Store, make_learner: Any) -> None:
    ana, ben = make_learner("ana"), make_learner("ben")
    progress.enroll(imported, ana, "git-basics")
    progress.set_lesson_completed(imported, ana, "git-basics", 0)
    assert not progress.is_enrolled(imported, ben, "git-basics")
    assert progress.get_progress(imported, ben, "git-basics").completed == frozenset()
    assert outbox.items(imported, ben) == []
    with pytest.raises(NotEnrolled):
        progress.set_lesson_completed(imported, ben, "git-basics", 0)


def test_concurrent_progress_writes_never_lose_an_update(imported: Store, guest: Profile) -> None:
    progress.enroll(imported, guest, "git-basics")
    errors: list[BaseException] = []
    per_thread = 40

    def writer(flip: bool) -> None:
        try:
            for i in range(per_thread):
                progress.set_lesson_completed(
                    imported, guest, "git-basics", i % 3, completed=(i % 2 == 0) ^ flip
                )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(flip,)) for flip in (False, True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    events = [row for row in _outbox(imported, guest) if row.kind == "progress"]
    assert len(events) == 2 * per_thread
    with imported.read() as session:
        rows = session.exec(select(LessonProgress).order_by(col(LessonProgress.lessonIdx))).all()
    assert len(rows) == 3  # one row per lesson, never duplicated
    # each row holds the value of the last event written for that lesson
    last = {}
    for event in events:
        last[event.payload["lessonIdx"]] = event.payload["completed"]
    assert {row.lessonIdx: row.completed for row in rows} == last


def test_local_enrollment_rows_carry_the_tenant(imported: Store, make_learner: Any) -> None:
    ana = make_learner("ana", "t-north")
    progress.enroll(imported, ana, "git-basics")
    with imported.read() as session:
        row = session.exec(select(Enrollment)).one()
    assert (row.userId, row.tenantId, row.origin) == ("ana", "t-north", "local")
