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


def test_enroll_free_course_offline_queues_it_and_audits(served: Store, learner: Profile) -> None:
    enrollment = progress.enroll(served, learner, "git-basics")
    assert progress.is_enrolled(served, learner, "git-basics")
    assert progress.enroll(served, learner, "git-basics").id == enrollment.id  # idempotent
    kinds = [(row.kind, row.state) for row in _outbox(served, learner)]
    assert kinds == [("enrollment", "pending"), ("audit", "pending")]
    with served.read() as session:
        audit = session.exec(select(AuditLog)).one()
    assert audit.action == "ENROLLMENT_CREATE" and audit.meta["courseId"] == "git-basics"


def test_paid_course_enrollment_needs_a_purchase(
    served: Store, make_learner: Any, add_product: Any
) -> None:
    ana = make_learner("ana")
    add_product("git-basics", product_id="prod-git")
    with pytest.raises(PurchaseRequired):
        progress.enroll(served, ana, "git-basics")
    commerce.record_purchase(
        served, ana, purchase_id="pur-1", product_id="prod-git", course_id="git-basics"
    )
    assert progress.is_enrolled(served, ana, "git-basics")  # buying enrolls
    progress.enroll(served, ana, "git-basics")
    actions = [row.payload.get("action") for row in _outbox(served, ana) if row.kind == "audit"]
    assert actions == ["PURCHASE_CREATE", "ENROLLMENT_CREATE"]


def test_mark_complete_and_read_progress(served: Store, learner: Profile) -> None:
    progress.enroll(served, learner, "git-basics")
    progress.set_lesson_completed(served, learner, "git-basics", 0)
    progress.set_lesson_completed(served, learner, "git-basics", 2)
    state = progress.get_progress(served, learner, "git-basics")
    assert state.completed == {0, 2} and state.lesson_count == 3
    assert progress.next_lesson(served, learner, "git-basics") == 1
    progress.set_lesson_completed(served, learner, "git-basics", 1)
    assert progress.get_progress(served, learner, "git-basics").finished
    progress.set_lesson_completed(served, learner, "git-basics", 2, completed=False)
    assert progress.next_lesson(served, learner, "git-basics") == 2
    events = [row.payload for row in _outbox(served, learner) if row.kind == "progress"]
    assert [(e["lessonIdx"], e["completed"]) for e in events] == [
        (0, True),
        (2, True),
        (1, True),
        (2, False),
    ]
    assert all(e["clientEventId"] and e["occurredAt"].endswith("Z") for e in events)
    assert len({e["clientEventId"] for e in events}) == 4


def test_progress_write_without_enrollment_is_refused_and_stores_nothing(
    served: Store, learner: Profile
) -> None:
    with pytest.raises(NotEnrolled):
        progress.set_lesson_completed(served, learner, "git-basics", 0)
    assert _outbox(served, learner) == []
    with served.read() as session:
        assert session.exec(select(LessonProgress)).all() == []


def test_progress_index_out_of_range(served: Store, learner: Profile) -> None:
    progress.enroll(served, learner, "git-basics")
    with pytest.raises(LessonNotFound):
        progress.set_lesson_completed(served, learner, "git-basics", 7)


def test_two_learners_never_see_each_others_state(served: Store, make_learner: Any) -> None:
    ana, ben = make_learner("ana"), make_learner("ben")
    progress.enroll(served, ana, "git-basics")
    progress.set_lesson_completed(served, ana, "git-basics", 0)
    assert not progress.is_enrolled(served, ben, "git-basics")
    assert progress.get_progress(served, ben, "git-basics").completed == frozenset()
    assert outbox.items(served, ben) == []
    with pytest.raises(NotEnrolled):
        progress.set_lesson_completed(served, ben, "git-basics", 0)


def test_concurrent_progress_writes_never_lose_an_update(served: Store, learner: Profile) -> None:
    progress.enroll(served, learner, "git-basics")
    errors: list[BaseException] = []
    per_thread = 40

    def writer(flip: bool) -> None:
        try:
            for i in range(per_thread):
                progress.set_lesson_completed(
                    served, learner, "git-basics", i % 3, completed=(i % 2 == 0) ^ flip
                )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(flip,)) for flip in (False, True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    events = [row for row in _outbox(served, learner) if row.kind == "progress"]
    assert len(events) == 2 * per_thread
    with served.read() as session:
        rows = session.exec(select(LessonProgress).order_by(col(LessonProgress.lessonIdx))).all()
    assert len(rows) == 3  # one row per lesson, never duplicated
    # each row holds the value of the last event written for that lesson
    last = {}
    for event in events:
        last[event.payload["lessonIdx"]] = event.payload["completed"]
    assert {row.lessonIdx: row.completed for row in rows} == last


def test_local_enrollment_rows_carry_the_tenant(served: Store, make_learner: Any) -> None:
    ana = make_learner("ana", "t-north")
    progress.enroll(served, ana, "git-basics")
    with served.read() as session:
        row = session.exec(select(Enrollment)).one()
    assert (row.userId, row.tenantId, row.origin) == ("ana", "t-north", "local")
