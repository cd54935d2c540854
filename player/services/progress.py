"""Enrollment and lesson progress for the acting learner, recorded offline and queued for upload."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from player.errors import CourseNotDownloaded, LessonNotFound, PurchaseRequired
from player.i18n import _
from player.services import audit, outbox
from player.services.access import check_enrolled, course_access
from player.services.learn import load_latest
from player.store.db import Store
from player.store.models import Enrollment, LessonProgress, Profile
from player.timeutil import to_rfc3339, utcnow


@dataclass(frozen=True, slots=True)
class CourseProgress:
    course_id: str
    lesson_count: int
    completed: frozenset[int]

    @property
    def completed_count(self) -> int:
        return len(self.completed)

    def next_lesson(self) -> int:
        """The first lesson not yet completed; the first lesson when all are done."""
        for index in range(self.lesson_count):
            if index not in self.completed:
                return index
        return 0

    @property
    def finished(self) -> bool:
        return self.lesson_count > 0 and self.completed_count >= self.lesson_count


def enroll(
    store: Store, profile: Profile, course_id: str, *, now: datetime | None = None
) -> Enrollment:
    """Enroll the learner in a free course (offline too) and queue it; paid ones need a purchase."""
    with store.write() as session:
        access = course_access(session, profile, course_id)
        existing = find_enrollment(session, profile, course_id)
        if existing is not None:
            return existing
        if access.paid and not access.purchased:
            raise PurchaseRequired(
                _("“{title}” is a paid course: buy it first, then you are enrolled.").format(
                    title=access.title
                )
            )
        return add_enrollment(store, session, profile, course_id, now=now)


def add_enrollment(
    store: Store, session: Session, profile: Profile, course_id: str, *, now: datetime | None = None
) -> Enrollment:
    """Write a local enrollment, its outbox event and its audit event (no guard: callers check)."""
    moment = now or utcnow()
    enrollment = Enrollment(
        id=str(uuid.uuid4()),
        userId=profile.userId,
        tenantId=profile.tenantId,
        courseId=course_id,
        createdAt=moment,
        origin="local",
    )
    session.add(enrollment)
    outbox.enqueue(
        session,
        profile,
        "enrollment",
        {"courseId": course_id, "occurredAt": to_rfc3339(moment)},
        client_event_id=enrollment.id,
        now=moment,
    )
    audit.log_audit_event(
        store,
        profile,
        audit.ENROLLMENT_CREATE,
        "Enrollment",
        enrollment.id,
        {"courseId": course_id},
        session=session,
        now=moment,
    )
    return enrollment


def set_lesson_completed(
    store: Store,
    profile: Profile,
    course_id: str,
    index: int,
    completed: bool = True,
    *,
    now: datetime | None = None,
) -> LessonProgress:
    """Mark a lesson complete (or not) and queue the event; needs an enrollment or a purchase."""
    moment = now or utcnow()
    with store.write() as session:
        access = course_access(session, profile, course_id)
        check_enrolled(access)
        lesson_count = len(load_latest(session, profile, course_id, access.title).package.lessons)
        if not 0 <= index < lesson_count:
            raise LessonNotFound(access.title, index, lesson_count)
        row = session.exec(
            select(LessonProgress).where(
                LessonProgress.userId == profile.userId,
                LessonProgress.courseId == course_id,
                LessonProgress.lessonIdx == index,
            )
        ).first()
        if row is None:
            row = LessonProgress(
                userId=profile.userId, courseId=course_id, lessonIdx=index, updatedAt=moment
            )
        row.completed = completed
        row.updatedAt = moment
        session.add(row)
        event_id = outbox.new_event_id()
        outbox.enqueue(
            session,
            profile,
            "progress",
            {
                "courseId": course_id,
                "lessonIdx": index,
                "completed": completed,
                "clientEventId": event_id,
                "occurredAt": to_rfc3339(moment),
            },
            client_event_id=event_id,
            now=moment,
        )
        return row


def get_progress(store: Store, profile: Profile, course_id: str) -> CourseProgress:
    """The learner's progress in a course (empty before enrolling)."""
    with store.read() as session:
        access = course_access(session, profile, course_id)
        try:
            lesson_count = len(
                load_latest(session, profile, course_id, access.title).package.lessons
            )
        except CourseNotDownloaded:  # progress is known before the package is downloaded
            lesson_count = 0
        done = session.exec(
            select(LessonProgress.lessonIdx).where(
                LessonProgress.userId == profile.userId,
                LessonProgress.courseId == course_id,
                col(LessonProgress.completed).is_(True),
            )
        ).all()
    completed = frozenset(i for i in done if lesson_count == 0 or i < lesson_count)
    return CourseProgress(course_id=course_id, lesson_count=lesson_count, completed=completed)


def next_lesson(store: Store, profile: Profile, course_id: str) -> int:
    return get_progress(store, profile, course_id).next_lesson()


def is_enrolled(store: Store, profile: Profile, course_id: str) -> bool:
    with store.read() as session:
        return find_enrollment(session, profile, course_id) is not None


def find_enrollment(session: Session, profile: Profile, course_id: str) -> Enrollment | None:
    return session.exec(
        select(Enrollment).where(
            Enrollment.userId == profile.userId,
            Enrollment.tenantId == profile.tenantId,
            Enrollment.courseId == course_id,
        )
    ).first()
