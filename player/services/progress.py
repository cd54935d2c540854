"""Enrollment and lesson progress for the acting learner, recorded offline and queued for upload."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from player.errors import LessonNotFound, PurchaseRequired
from player.i18n import _
from player.origin import LOCAL
from player.services import audit, outbox
from player.services.access import (
    CourseAccess,
    check_enrolled,
    course_access,
    latest_visible_package,
    progress_owner,
)
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
    """Enroll the learner in a free course (offline too) and queue it; paid ones need a purchase.

    Enrolling in a course imported from a file is kept on this machine (nothing is uploaded).
    """
    with store.write() as session:
        access = course_access(session, profile, course_id)
        if access.is_file:
            return _enroll_in_file(session, profile, access, now)
        existing = find_enrollment(session, profile, access.course_id)
        if existing is not None:
            return existing
        if access.paid and not access.purchased:
            raise PurchaseRequired(
                _("“{title}” is a paid course: buy it first, then you are enrolled.").format(
                    title=access.title
                )
            )
        return add_enrollment(store, session, profile, access.course_id, now=now)


def _enroll_in_file(
    session: Session, profile: Profile, access: CourseAccess, now: datetime | None
) -> Enrollment:
    server, user_id = progress_owner(profile, access)
    existing = session.exec(
        select(Enrollment).where(
            Enrollment.server == server,
            Enrollment.userId == user_id,
            Enrollment.courseId == access.course_id,
        )
    ).first()
    if existing is not None:
        return existing
    enrollment = Enrollment(
        server=server,
        id=str(uuid.uuid4()),
        userId=user_id,
        tenantId="local",
        courseId=access.course_id,
        createdAt=now or utcnow(),
        origin="local",
    )
    session.add(enrollment)
    return enrollment


def add_enrollment(
    store: Store, session: Session, profile: Profile, course_id: str, *, now: datetime | None = None
) -> Enrollment:
    """Write a local enrollment, its outbox event and its audit event (no guard: callers check)."""
    moment = now or utcnow()
    enrollment = Enrollment(
        server=profile.server,
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
    """Mark a lesson complete (or not) and queue the event; needs an enrollment or a purchase.

    Progress in a course imported from a file stays on this machine (no upload).
    """
    moment = now or utcnow()
    with store.write() as session:
        access = course_access(session, profile, course_id)
        check_enrolled(access)
        lesson_count = len(load_latest(session, profile, course_id, access.title).package.lessons)
        if not 0 <= index < lesson_count:
            raise LessonNotFound(access.title, index, lesson_count)
        server, user_id = progress_owner(profile, access)
        row = session.exec(
            select(LessonProgress).where(
                LessonProgress.server == server,
                LessonProgress.userId == user_id,
                LessonProgress.courseId == access.course_id,
                LessonProgress.lessonIdx == index,
            )
        ).first()
        if row is None:
            row = LessonProgress(
                server=server,
                userId=user_id,
                courseId=access.course_id,
                lessonIdx=index,
                updatedAt=moment,
            )
        row.completed = completed
        row.updatedAt = moment
        session.add(row)
        if server == LOCAL:
            return row
        event_id = outbox.new_event_id()
        outbox.enqueue(
            session,
            profile,
            "progress",
            {
                "courseId": access.course_id,
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
        stored = latest_visible_package(session, profile, course_id)
        # progress is known before the package is downloaded (no lessons counted then)
        lesson_count = stored.lessonCount if stored is not None else 0
        return progress_in(session, profile, course_id, access, lesson_count)


def progress_in(
    session: Session, profile: Profile, course_id: str, access: CourseAccess, lesson_count: int
) -> CourseProgress:
    """``get_progress`` in the caller's session, for the course ``access`` describes, which has
    ``lesson_count`` lessons (the stored package's ``lessonCount``; 0 before a download)."""
    server, user_id = progress_owner(profile, access)
    done = session.exec(
        select(LessonProgress.lessonIdx).where(
            LessonProgress.server == server,
            LessonProgress.userId == user_id,
            LessonProgress.courseId == access.course_id,
            col(LessonProgress.completed).is_(True),
        )
    ).all()
    completed = frozenset(i for i in done if lesson_count == 0 or i < lesson_count)
    return CourseProgress(course_id=course_id, lesson_count=lesson_count, completed=completed)


def next_lesson(store: Store, profile: Profile, course_id: str) -> int:
    return get_progress(store, profile, course_id).next_lesson()


def is_enrolled(store: Store, profile: Profile, course_id: str) -> bool:
    with store.read() as session:
        access = course_access(session, profile, course_id)
        if access.is_file:
            return access.enrolled
        return find_enrollment(session, profile, access.course_id) is not None


def find_enrollment(session: Session, profile: Profile, course_id: str) -> Enrollment | None:
    """The learner's enrollment in their server's course ``course_id`` (an id, not an address)."""
    return session.exec(
        select(Enrollment).where(
            Enrollment.server == profile.server,
            Enrollment.userId == profile.userId,
            Enrollment.tenantId == profile.tenantId,
            Enrollment.courseId == course_id,
        )
    ).first()
