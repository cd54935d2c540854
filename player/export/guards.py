"""The export guards, shared by the window and the command line: access, size, rate, audit.

They run in this order, before any work is done on the content:

1. **Access**: a purchase or an enrollment of the learner in their tenant (``check_enrolled``).
2. **Size**: a package of ``MAX_EXPORT_BYTES`` or more is refused with ``PayloadTooLarge``.
3. **Rate**: at most ``RATE_LIMIT`` produced exports per learner and course in any sliding
   ``RATE_WINDOW`` (PDF and LMS together), counted from ``ExportRecord`` rows so that reopening the
   player does not reset it; the next one is refused with ``RateLimited(retry_after)``. The window
   is counted on the trusted time (``player.services.clock``): a clock turned back counts from
   the floor of time already seen, so it cannot reopen the window.

Every refusal is audited as ``EXPORT_DENIED`` (with the reason) and does not count toward the rate
limit. A produced export is recorded by ``record_export`` in the transaction that publishes the file,
which checks the rate again so that two exports running at once cannot both take the last slot.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlmodel import Session, col, select

from player.errors import (
    AccessDenied,
    CourseNotDownloaded,
    CourseNotFound,
    PayloadTooLarge,
    PlayerError,
    RateLimited,
)
from player.i18n import _
from player.origin import LOCAL
from player.services import audit, clock
from player.services.access import (
    CourseAccess,
    check_enrolled,
    course_access,
    latest_visible_package,
    progress_owner,
)
from player.store.db import Store
from player.store.models import ExportRecord, PackageBlob, Profile
from player.timeutil import utcnow

log = logging.getLogger(__name__)

ExportFormat = Literal["pdf", "lms"]
FORMATS: tuple[ExportFormat, ...] = ("pdf", "lms")

MAX_EXPORT_BYTES = 5_000_000
RATE_LIMIT = 3
RATE_WINDOW = timedelta(minutes=10)

AUDIT_ACTIONS: dict[str, str] = {"pdf": audit.EXPORT_PDF, "lms": audit.EXPORT_LMS}


@dataclass(frozen=True, slots=True)
class ExportTarget:
    """What the guards learned about the course to export (from the store's metadata only)."""

    course_id: str
    title: str
    package_id: str | None
    version: int | None
    sha256: str | None
    size_bytes: int | None
    server: str = LOCAL
    """The course's world (its server's origin, "" for a file): whose trusted time counts."""


def as_utc(moment: datetime | None) -> datetime:
    """``moment`` (or now) as an aware UTC datetime, the form the store compares."""
    if moment is None:
        return utcnow()
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def check_format(fmt: str) -> ExportFormat:
    if fmt == "pdf":
        return "pdf"
    if fmt == "lms":
        return "lms"
    raise ValueError(f"unknown export format {fmt!r}; expected one of {FORMATS}")


def check_size(size: int) -> None:
    """Refuse a package of ``MAX_EXPORT_BYTES`` bytes or more."""
    if size >= MAX_EXPORT_BYTES:
        raise PayloadTooLarge(size, MAX_EXPORT_BYTES)


def rate_limit_retry_after(
    session: Session, profile: Profile, course_id: str, now: datetime
) -> int | None:
    """Seconds until the learner may export ``course_id`` again, or ``None`` if they may now."""
    now = as_utc(now)
    access = course_access(session, profile, course_id)
    owner, key_id = progress_owner(profile, access), access.course_id
    rows = session.exec(
        select(ExportRecord.createdAt)
        .where(
            ExportRecord.server == owner[0],
            ExportRecord.userId == owner[1],
            ExportRecord.courseId == key_id,
            col(ExportRecord.createdAt) > now - RATE_WINDOW,
        )
        .order_by(col(ExportRecord.createdAt))
    ).all()
    if len(rows) < RATE_LIMIT:
        return None
    # The export that has to leave the window for the count to drop below the limit.
    blocking = as_utc(rows[len(rows) - RATE_LIMIT])
    wait = (blocking + RATE_WINDOW - now).total_seconds()
    return max(1, math.ceil(wait))


def check_rate(
    session: Session,
    profile: Profile,
    course_id: str,
    now: datetime,
    reading: clock.ClockReading | None = None,
) -> None:
    """``now`` is the trusted time; ``reading`` (when given) explains a clock that went back."""
    retry_after = rate_limit_retry_after(session, profile, course_id, now)
    if retry_after is not None:
        message = _(
            "You have exported this course {limit} times in the last {window} minutes. "
            "Try again in {n} minute(s)."
        ).format(
            limit=RATE_LIMIT,
            window=int(RATE_WINDOW.total_seconds() // 60),
            n=max(1, math.ceil(retry_after / 60)),
        )
        if reading is not None and reading.went_back:
            message += " " + reading.explain()
        raise RateLimited(retry_after, message)


def find_target(session: Session, profile: Profile, course_id: str, title: str) -> ExportTarget:
    """The latest stored version the learner sees, from metadata (the content is not read)."""
    stored = latest_visible_package(session, profile, course_id)
    if stored is None:
        return ExportTarget(course_id, title, None, None, None, None)
    size = session.exec(
        select(PackageBlob.sizeBytes).where(PackageBlob.sha256 == stored.sha256)
    ).one()
    return ExportTarget(
        course_id=course_id,
        title=stored.title,
        package_id=stored.packageId,
        version=stored.version,
        sha256=stored.sha256,
        size_bytes=size,
        server=stored.server,
    )


def audit_metadata(
    target: ExportTarget, profile: Profile, fmt: str, reason: str | None = None
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "courseId": target.course_id,
        "packageId": target.package_id,
        "version": target.version,
        "tenantId": profile.tenantId,
        "format": fmt,
    }
    if reason is not None:
        meta["reason"] = reason
    return meta


def audit_denied(
    store: Store,
    profile: Profile,
    target: ExportTarget,
    fmt: str,
    error: PlayerError,
    *,
    now: datetime | None = None,
    session: Session | None = None,
) -> None:
    """Queue ``EXPORT_DENIED`` for a refusal; the reason is the error's code."""
    log.info("export of %s as %s refused: %s", target.course_id, fmt, error.code)
    audit.log_audit_event(
        store,
        profile,
        audit.EXPORT_DENIED,
        "Course",
        target.course_id,
        audit_metadata(target, profile, fmt, error.code),
        now=as_utc(now),
        session=session,
    )


def guard_export(
    store: Store, profile: Profile, course_id: str, fmt: str, *, now: datetime | None = None
) -> ExportTarget:
    """Run access, size and rate guards in that order; audit and raise the first refusal.

    ``now`` is what the computer's clock reads; the guards judge on the trusted time."""
    fmt = check_format(fmt)
    local = as_utc(now)
    moment = local
    target = ExportTarget(course_id, course_id, None, None, None, None)
    try:
        with store.read() as session:
            access = course_access(session, profile, course_id, local)
            reading = clock.read(session, local, access.server)  # that server's trusted time
            moment = reading.now
            target = find_target(session, profile, course_id, access.title)
            check_enrolled(access)
            if target.sha256 is None:
                raise CourseNotDownloaded(access.title)
            check_size(target.size_bytes or 0)
            check_rate(session, profile, course_id, moment, reading)
    except (AccessDenied, CourseNotFound, PayloadTooLarge, RateLimited) as error:
        audit_denied(store, profile, target, fmt, error, now=moment)
        raise
    return target


def may_export(access: CourseAccess) -> bool:
    """Whether the access guard lets the learner export (the size and rate guards aside)."""
    try:
        check_enrolled(access)
    except AccessDenied:
        return False
    return True


def record_export(
    session: Session, profile: Profile, course_id: str, fmt: str, now: datetime
) -> ExportRecord:
    """Count a produced export; re-checks the rate inside the caller's write transaction."""
    check_rate(session, profile, course_id, now)
    access = course_access(session, profile, course_id)
    server, user_id = progress_owner(profile, access)
    record = ExportRecord(
        server=server,
        userId=user_id,
        courseId=access.course_id,
        format=fmt,
        createdAt=as_utc(now),
    )
    session.add(record)
    session.flush()
    return record
