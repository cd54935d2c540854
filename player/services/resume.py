"""Where each learner left each course: the last lesson opened and the reading position in it.

Also which course (and lesson) the window showed when the learner left it, so that the next start
reopens it. Written as the learner reads (the window throttles position updates); local to this
machine, never synced. Only the acting learner's rows are read or written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col

from player.store.db import Store
from player.store.models import OpenLesson, Profile, ResumePoint
from player.timeutil import utcnow


@dataclass(frozen=True, slots=True)
class Resume:
    course_id: str
    lesson_idx: int
    position: float  # 0.0 (top) to 1.0 (end)


@dataclass(frozen=True, slots=True)
class LeftOpen:
    """The course the window showed when it was left; ``lesson_idx`` None: its overview."""

    course_id: str
    lesson_idx: int | None


def record_lesson(
    store: Store,
    profile: Profile,
    course_id: str,
    index: int,
    position: float | None = None,
    *,
    now: datetime | None = None,
) -> None:
    """The learner opened (or is reading) a lesson: it is the course's resume point and the
    window's open lesson. ``position`` None keeps a stored position of the same lesson."""
    moment = now or utcnow()
    with store.write() as session:
        row = session.get(ResumePoint, (profile.id, course_id))
        if row is None:
            row = ResumePoint(
                profileId=profile.id, courseId=course_id, lessonIdx=index, updatedAt=moment
            )
        if row.lessonIdx != index:
            row.lessonIdx, row.position = index, 0.0
        if position is not None:
            row.position = _clamp(position)
        row.updatedAt = moment
        session.add(row)
        _set_open(session, profile, course_id, index, moment)


def record_course(
    store: Store, profile: Profile, course_id: str | None, *, now: datetime | None = None
) -> None:
    """The learner is on a course's overview (or, with None, on no course at all)."""
    with store.write() as session:
        if course_id is None:
            session.exec(delete(OpenLesson).where(col(OpenLesson.profileId) == profile.id))
            return
        _set_open(session, profile, course_id, None, now or utcnow())


def resume_point(store: Store, profile: Profile, course_id: str) -> Resume | None:
    with store.read() as session:
        return resume_point_in(session, profile, course_id)


def resume_point_in(session: Session, profile: Profile, course_id: str) -> Resume | None:
    """``resume_point`` in the caller's session."""
    row = session.get(ResumePoint, (profile.id, course_id))
    if row is None:
        return None
    return Resume(row.courseId, row.lessonIdx, _clamp(row.position))


def left_open(store: Store, profile: Profile) -> LeftOpen | None:
    with store.read() as session:
        row = session.get(OpenLesson, profile.id)
    return None if row is None else LeftOpen(row.courseId, row.lessonIdx)


def _set_open(
    session: Session, profile: Profile, course_id: str, index: int | None, at: datetime
) -> None:
    row = session.get(OpenLesson, profile.id)
    if row is None:
        row = OpenLesson(profileId=profile.id, courseId=course_id, updatedAt=at)
    row.courseId, row.lessonIdx, row.updatedAt = course_id, index, at
    session.add(row)


def _clamp(position: float) -> float:
    return min(1.0, max(0.0, float(position)))
