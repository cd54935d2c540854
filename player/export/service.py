"""The one way to export a course, for the window and the command line alike.

``export_course`` runs the guards (access → size → rate, each refusal audited), builds the PDF or the
LMS package into a temporary file beside the destination (``atomic.py``), flushes it to disk,
records the export and queues its audit event in one write transaction that re-checks the rate
limit, and only once that is committed moves the file into place with ``os.replace``. A refused,
cancelled or failed export leaves nothing at the destination (and no temporary file either); a
store that cannot be written (a full data disk) means no file.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col

from player.errors import (
    Cancelled,
    ExportError,
    PlayerError,
    RateLimited,
    StoreError,
    StoreFull,
)
from player.export.atomic import TempFile, write_error
from player.export.guards import (
    AUDIT_ACTIONS,
    ExportFormat,
    ExportTarget,
    as_utc,
    audit_denied,
    audit_metadata,
    check_format,
    check_size,
    guard_export,
    may_export,
    record_export,
)
from player.export.names import ascii_slug, export_file_name
from player.i18n import _
from player.package import ParsedPackage
from player.services import audit, clock, notes
from player.services.learn import READY, CourseSummary, LearnService
from player.store.db import Store
from player.store.models import AuditLog, ExportRecord, Outbox, Profile

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
Builder = Callable[..., None]

EXTENSIONS: dict[str, str] = {"pdf": "pdf", "lms": "zip"}


@dataclass(frozen=True, slots=True)
class ExportResult:
    course_id: str
    title: str
    version: int
    package_id: str
    format: ExportFormat
    path: Path
    size_bytes: int
    sha256: str  # of the file written


def _builder(fmt: ExportFormat) -> Builder:
    if fmt == "pdf":
        from player.export.pdf import build_pdf

        return build_pdf
    from player.export.lms import build_lms

    return build_lms


def default_file_name(title: str, version: int, fmt: str) -> str:
    """A suggestion for the save dialog: ``git-basics-v2.pdf``."""
    return f"{ascii_slug(title, fallback='course')}-v{version}.{EXTENSIONS[check_format(fmt)]}"


def exportable_courses(store: Store, profile: Profile) -> list[CourseSummary]:
    """The stored courses the access guard lets the learner export (size and rate aside)."""
    return [
        course
        for course in LearnService(store, profile).list_courses()
        if course.state == READY and may_export(course.access)
    ]


def export_course(
    store: Store,
    profile: Profile,
    course_id: str,
    fmt: str,
    dest: Path,
    *,
    on_progress: Progress | None = None,
    cancel: threading.Event | None = None,
    now: datetime | None = None,
    with_notes: bool = False,
) -> ExportResult:
    """Export the latest stored version of ``course_id`` as ``fmt`` ("pdf" or "lms") to ``dest``.

    Raises the access error (``AccessDenied`` and its kinds, ``CourseNotFound``),
    ``PayloadTooLarge``, ``RateLimited`` (with ``retry_after`` seconds), ``Cancelled`` when
    ``cancel`` is set, or ``ExportError`` when the file cannot be written. ``with_notes``: a PDF
    prints the learner's own notes after each lesson (the LMS package never carries them).
    """
    checked = check_format(fmt)
    local = as_utc(now)
    target = guard_export(store, profile, course_id, checked, now=local)
    # the trusted time of the course's server, or the local one for a file (services.clock)
    moment = clock.read_store(store, local, target.server).now
    parsed = LearnService(store, profile).get_parsed(course_id)
    try:
        check_size(len(parsed.raw))  # the guard read the stored size; this is the real one
    except PlayerError as error:
        audit_denied(store, profile, target, checked, error, now=moment)
        raise
    dest = Path(dest)
    extra: dict[str, object] = {}
    if with_notes and checked == "pdf":
        with store.read() as session:
            extra["notes"] = notes.notes_by_lesson(session, profile, course_id)
    with TempFile(dest) as temp:
        assert temp.file is not None
        try:
            _builder(checked)(parsed, temp.file, on_progress=on_progress, cancel=cancel, **extra)
        except (Cancelled, PlayerError):
            raise
        except OSError as error:
            raise write_error(dest, error) from error
        except Exception as error:
            log.exception("the %s export of %s failed", checked, course_id)
            raise ExportError(
                _(
                    "The export of “{title}” failed inside the player. Nothing was saved. "
                    "Please send the log file to your course provider."
                ).format(title=parsed.package.title)
            ) from error
        if cancel is not None and cancel.is_set():
            raise Cancelled(_("Export cancelled."))
        size, digest = temp.finish()
        try:
            _publish(store, profile, target, parsed, checked, temp, moment)
        except RateLimited as error:
            audit_denied(store, profile, target, checked, error, now=moment)
            raise
    clock.note_local_time_in(store, local)
    log.info("exported %s v%d as %s to %s", course_id, parsed.package.version, checked, dest)
    return ExportResult(
        course_id=course_id,
        title=parsed.package.title,
        version=parsed.package.version,
        package_id=parsed.package.id,
        format=checked,
        path=dest,
        size_bytes=size,
        sha256=digest,
    )


def _publish(
    store: Store,
    profile: Profile,
    target: ExportTarget,
    parsed: ParsedPackage,
    fmt: ExportFormat,
    temp: TempFile,
    moment: datetime,
) -> None:
    """Count the export and queue its audit event (committed), then move the file into place.

    The file appears only once the record is committed: when the store cannot be written (a full
    data disk), nothing is counted and no file appears. If moving the file fails after the
    commit, the record and the audit event are withdrawn, so no export is counted that the
    learner did not get.
    """
    try:
        with store.write() as session:
            record = record_export(session, profile, target.course_id, fmt, moment)
            meta = audit_metadata(target, profile, fmt)
            meta.update(
                packageId=parsed.package.id, version=parsed.package.version, sizeBytes=temp.size
            )
            event_id = audit.log_audit_event(
                store,
                profile,
                AUDIT_ACTIONS[fmt],
                "Course",
                target.course_id,
                meta,
                session=session,
                now=moment,
            )
            if event_id is None:  # logged by log_audit_event; an unaudited export is no export
                raise _NotRecorded()
            record_id = record.id
    except (SQLAlchemyError, sqlite3.Error, StoreError, _NotRecorded) as error:
        log.warning("the export of %s could not be recorded: %s", target.course_id, error)
        raise _record_error(store, error) from error
    try:
        temp.publish()
    except ExportError:
        _withdraw(store, record_id, event_id)
        raise


class _NotRecorded(Exception):
    """The audit event of an export could not be written."""


def _record_error(store: Store, error: BaseException) -> ExportError:
    original = getattr(error, "orig", error)
    if isinstance(error, StoreFull) or (
        getattr(original, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
    ):
        return ExportError(
            _(
                "There is not enough free space in Course Player's data folder (“{folder}”) to "
                "record the export, so it was not saved. Free some space on that disk and try "
                "again."
            ).format(folder=store.data_dir)
        )
    return ExportError(
        _(
            "Course Player could not record the export in its data folder (“{folder}”), so it "
            "was not saved. Check that the disk is not full or read-only and try again."
        ).format(folder=store.data_dir)
    )


def _withdraw(store: Store, record_id: int | None, event_id: str) -> None:
    """Remove the record and the audit event of an export whose file could not be moved."""
    try:
        with store.write() as session:
            session.exec(delete(ExportRecord).where(col(ExportRecord.id) == record_id))
            session.exec(delete(AuditLog).where(col(AuditLog.id) == event_id))
            session.exec(
                delete(Outbox)
                .where(col(Outbox.kind) == "audit")
                .where(col(Outbox.state) == "pending")
                .where(func.json_extract(Outbox.payload, "$.id") == event_id)
            )
    except (SQLAlchemyError, sqlite3.Error, StoreError):
        log.exception("the record of an export that was not saved could not be withdrawn")


__all__ = [
    "ExportResult",
    "default_file_name",
    "export_course",
    "export_file_name",
    "exportable_courses",
]
