"""Storing packages: import from a file, store a download, install the bundled samples.

Bytes are stored exactly as received, addressed by SHA-256. A new version of a course is added
beside the old ones in one transaction; nothing is ever updated in place.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from player.errors import PackageConflict, PackageError
from player.i18n import _
from player.package import ParsedPackage, parse_package
from player.search.index import index_package
from player.store.db import Store
from player.store.models import PackageBlob, StoredPackage
from player.timeutil import utcnow

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImportResult:
    package_id: str
    course_id: str
    version: int
    title: str
    sha256: str
    created: bool  # False when the same bytes were already stored


def store_parsed(
    session: Session, parsed: ParsedPackage, *, origin: str, tenant_id: str | None = None
) -> ImportResult:
    """Add a parsed package to the store inside the caller's write transaction."""
    package = parsed.package
    tenant_key = tenant_id or ""
    existing = session.exec(
        select(StoredPackage).where(
            StoredPackage.courseId == package.course_id,
            StoredPackage.version == package.version,
            StoredPackage.tenantKey == tenant_key,
        )
    ).first()
    if existing is not None:
        if existing.sha256 != parsed.sha256:
            raise PackageConflict(
                _(
                    "Version {version} of “{title}” is already on this computer with different "
                    "content. Published courses never change, so this copy was not stored; ask "
                    "your course provider which file is genuine."
                ).format(version=package.version, title=package.title)
            )
        return _result(parsed, created=False)
    if session.get(PackageBlob, parsed.sha256) is None:
        session.add(PackageBlob(sha256=parsed.sha256, data=parsed.raw, sizeBytes=len(parsed.raw)))
    stored = StoredPackage(
        packageId=package.id,
        courseId=package.course_id,
        version=package.version,
        sha256=parsed.sha256,
        title=package.title,
        summary=package.summary,
        language=package.language,
        publishedAt=package.published_at,
        lessonCount=len(package.lessons),
        origin=origin,
        tenantId=tenant_id,
        tenantKey=tenant_key,
        storedAt=utcnow(),
    )
    session.add(stored)
    session.flush()  # gives the row its id for the search index
    index_package(session, stored, package)
    return _result(parsed, created=True)


def import_bytes(store: Store, raw: bytes, *, origin: str = "file") -> ImportResult:
    """Parse and store a package from a file; it belongs to the machine (every learner sees it)."""
    parsed = parse_package(raw)
    with store.write() as session:
        result = store_parsed(session, parsed, origin=origin)
    log.info(
        "imported %s v%d (%s), created=%s",
        result.course_id,
        result.version,
        result.sha256[:12],
        result.created,
    )
    return result


def import_file(store: Store, path: Path, *, origin: str = "file") -> ImportResult:
    """Import one course file; a bad file raises ``PackageError`` and stores nothing."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PackageError(
                _("“{name}” is {size} MB, too large to be a course package.").format(
                    name=path.name, size=size // (1024 * 1024)
                )
            )
        raw = path.read_bytes()
    except FileNotFoundError as error:
        raise PackageError(
            _("There is no file “{path}”. Check the name and try again.").format(path=path)
        ) from error
    except IsADirectoryError as error:
        raise PackageError(
            _("“{path}” is a folder; choose a course file (.json).").format(path=path)
        ) from error
    except OSError as error:
        raise PackageError(
            _(
                "“{path}” could not be read ({reason}). Check the disk or USB stick and try again."
            ).format(path=path, reason=error.strerror or error)
        ) from error
    return import_bytes(store, raw, origin=origin)


def install_samples_if_empty(store: Store, samples_dir: Path) -> list[ImportResult]:
    """On first start, import the bundled sample courses when the store has no package at all."""
    with store.read() as session:
        if session.exec(select(col(StoredPackage.id)).limit(1)).first() is not None:
            return []
    results = []
    for path in sorted(samples_dir.glob("*.json")):
        try:
            results.append(import_file(store, path, origin="bundled"))
        except PackageError:
            log.exception("bundled sample %s could not be imported", path)
    return results


def _result(parsed: ParsedPackage, *, created: bool) -> ImportResult:
    package = parsed.package
    return ImportResult(
        package_id=package.id,
        course_id=package.course_id,
        version=package.version,
        title=package.title,
        sha256=parsed.sha256,
        created=created,
    )
