"""The one way to export a course, for the window and the command line alike.

``export_course`` runs the guards (access → size → rate, each refusal audited), builds the PDF or the
LMS package into a temporary file beside the destination, flushes it to disk, and then, in one
write transaction that re-checks the rate limit, moves it into place with ``os.replace``, records
the export and queues its audit event. A refused, cancelled or failed export leaves nothing at the
destination (and no temporary file either).
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from player.errors import Cancelled, ExportError, PlayerError, RateLimited
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
from player.services import audit
from player.services.learn import READY, CourseSummary, LearnService
from player.store.db import Store
from player.store.models import Profile

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
) -> ExportResult:
    """Export the latest stored version of ``course_id`` as ``fmt`` ("pdf" or "lms") to ``dest``.

    Raises the access error (``AccessDenied`` and its kinds, ``CourseNotFound``),
    ``PayloadTooLarge``, ``RateLimited`` (with ``retry_after`` seconds), ``Cancelled`` when
    ``cancel`` is set, or ``ExportError`` when the file cannot be written.
    """
    checked = check_format(fmt)
    moment = as_utc(now)
    target = guard_export(store, profile, course_id, checked, now=moment)
    parsed = LearnService(store, profile).get_parsed(course_id)
    try:
        check_size(len(parsed.raw))  # the guard read the stored size; this is the real one
    except PlayerError as error:
        audit_denied(store, profile, target, checked, error, now=moment)
        raise
    dest = Path(dest)
    with _TempFile(dest) as temp:
        try:
            _builder(checked)(parsed, temp.file, on_progress=on_progress, cancel=cancel)
        except (Cancelled, PlayerError):
            raise
        except OSError as error:
            raise _write_error(dest, error) from error
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
            _publish(store, profile, target, parsed, checked, temp, dest, moment)
        except RateLimited as error:
            audit_denied(store, profile, target, checked, error, now=moment)
            raise
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
    temp: _TempFile,
    dest: Path,
    moment: datetime,
) -> None:
    """Count the export, move the file into place and queue the audit event, all or nothing."""
    with store.write() as session:
        record_export(session, profile, target.course_id, fmt, moment)
        meta = audit_metadata(target, profile, fmt)
        meta.update(
            packageId=parsed.package.id, version=parsed.package.version, sizeBytes=temp.size
        )
        audit.log_audit_event(
            store,
            profile,
            AUDIT_ACTIONS[fmt],
            "Course",
            target.course_id,
            meta,
            session=session,
            now=moment,
        )
        temp.publish()  # last: if it fails, the transaction rolls back and nothing is counted


class _TempFile:
    """A temporary file in the destination's folder, removed unless ``publish`` moved it."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.path = dest.with_name(f".{dest.name}.{secrets.token_hex(6)}.part")
        self.size = 0
        self._published = False

    def __enter__(self) -> _TempFile:
        if self.dest.is_dir():
            raise ExportError(
                _("“{path}” is a folder. Choose a file name to save the export as.").format(
                    path=self.dest
                )
            )
        _check_destination(self.dest)
        if not self.dest.parent.is_dir():
            raise ExportError(
                _("The folder “{folder}” does not exist. Choose another place to save.").format(
                    folder=self.dest.parent
                )
            )
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(self.path, flags, 0o666)
        except OSError as error:
            raise _write_error(self.dest, error) from error
        self.file: BinaryIO = os.fdopen(fd, "w+b")
        return self

    def finish(self) -> tuple[int, str]:
        """Flush everything to disk; return the size and SHA-256 of what was written."""
        digest = hashlib.sha256()
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.seek(0)
            while chunk := self.file.read(1 << 20):
                digest.update(chunk)
            self.size = self.file.tell()
        except OSError as error:
            raise _write_error(self.dest, error) from error
        return self.size, digest.hexdigest()

    def publish(self) -> None:
        self.file.close()
        _check_destination(self.dest)  # it may have changed while the export was built
        try:
            os.replace(self.path, self.dest)
        except OSError as error:
            raise _write_error(self.dest, error) from error
        self._published = True
        _fsync_folder(self.dest.parent)

    def __exit__(self, *exc: object) -> None:
        if not self.file.closed:
            self.file.close()
        if not self._published:
            try:
                self.path.unlink(missing_ok=True)
            except OSError:
                log.warning("could not remove the temporary file %s", self.path)


def _check_destination(dest: Path) -> None:
    """Write only to a new path or over a regular file, never over a device, FIFO or socket."""
    try:
        info = os.stat(dest)
    except OSError:
        return  # a new path (or one we cannot see: creating the temporary file will say why)
    if not stat.S_ISREG(info.st_mode):
        raise ExportError(
            _(
                "“{path}” is a device, a pipe or a socket, not a file, so the export was not "
                "written there. Choose a file name to save the export as."
            ).format(path=dest)
        )


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_error(dest: Path, error: OSError) -> ExportError:
    if isinstance(error, PermissionError):
        return ExportError(
            _(
                "Course Player is not allowed to write to “{folder}”. Choose another folder, "
                "for example your Documents."
            ).format(folder=dest.parent)
        )
    return ExportError(
        _("The export could not be saved to “{path}” ({reason}). Nothing was saved.").format(
            path=dest, reason=error.strerror or error
        )
    )


__all__ = [
    "ExportResult",
    "default_file_name",
    "export_course",
    "export_file_name",
    "exportable_courses",
]
