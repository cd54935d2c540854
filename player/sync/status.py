"""What the status area and ``course-player status`` show: last sync, waiting and refused items."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select

from player.i18n import _
from player.services import outbox
from player.store.db import Store
from player.store.models import DownloadIssue, Outbox, Profile, SyncState


@dataclass(frozen=True, slots=True)
class ItemView:
    """One outbox item, described for a learner."""

    id: int
    kind: str
    description: str
    state: str
    created_at: datetime
    attempts: int = 0
    next_attempt_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class CourseIssueView:
    course_id: str
    kind: str  # "forbidden" | "failed"
    message: str


@dataclass(frozen=True, slots=True)
class SyncStatus:
    profile_id: str
    server_url: str | None
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    pending: int
    rejected: int
    sent: int
    pending_items: list[ItemView] = field(default_factory=list)
    rejected_items: list[ItemView] = field(default_factory=list)
    course_issues: list[CourseIssueView] = field(default_factory=list)

    @property
    def can_sync(self) -> bool:
        return self.server_url is not None


def sync_status(store: Store, profile: Profile, *, limit: int = 200) -> SyncStatus:
    counts = outbox.counts(store, profile)
    with store.read() as session:
        state = session.get(SyncState, profile.id)
        pending = list(
            session.exec(
                select(Outbox)
                .where(Outbox.profileId == profile.id, Outbox.state == outbox.PENDING)
                .order_by(col(Outbox.id))
                .limit(limit)
            )
        )
        rejected = list(
            session.exec(
                select(Outbox)
                .where(Outbox.profileId == profile.id, Outbox.state == outbox.REJECTED)
                .order_by(col(Outbox.id).desc())
                .limit(limit)
            )
        )
        issues = list(
            session.exec(
                select(DownloadIssue)
                .where(DownloadIssue.profileId == profile.id)
                .order_by(col(DownloadIssue.courseId))
            )
        )
    return SyncStatus(
        profile_id=profile.id,
        server_url=profile.serverUrl,
        last_success_at=state.lastSuccessAt if state else None,
        last_attempt_at=state.lastAttemptAt if state else None,
        last_error=state.lastError if state else None,
        pending=counts[outbox.PENDING],
        rejected=counts[outbox.REJECTED],
        sent=counts[outbox.SENT],
        pending_items=[view(row) for row in pending],
        rejected_items=[view(row) for row in rejected],
        course_issues=[CourseIssueView(i.courseId, i.kind, i.message) for i in issues],
    )


def view(row: Outbox) -> ItemView:
    assert row.id is not None
    return ItemView(
        id=row.id,
        kind=row.kind,
        description=describe(row),
        state=row.state,
        created_at=row.createdAt,
        attempts=row.attempts,
        next_attempt_at=row.nextAttemptAt,
        reason=row.lastError,
    )


def describe(row: Outbox) -> str:
    """A one-line description of what an outbox item records."""
    payload = row.payload
    course = payload.get("courseId") or payload.get("metadata", {}).get("courseId") or "?"
    if row.kind == "progress":
        lesson = payload.get("lessonIdx")
        if payload.get("completed", True):
            return _("Lesson {lesson} of “{course}” completed").format(lesson=lesson, course=course)
        return _("Lesson {lesson} of “{course}” marked not completed").format(
            lesson=lesson, course=course
        )
    if row.kind == "enrollment":
        return _("Enrollment in “{course}”").format(course=course)
    return _("Activity record {action} (“{course}”)").format(
        action=payload.get("action", "?"), course=course
    )
