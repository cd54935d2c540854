"""Storing packages: import from a file, store a download, install the bundled samples.

Bytes are stored exactly as received, addressed by SHA-256. A new version of a course is added
beside the old ones in one transaction; nothing is ever updated in place.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from player.errors import PackageConflict, PackageError, PackageTooLarge
from player.i18n import _
from player.origin import LOCAL
from player.package import ParsedPackage, parse_package
from player.package.limits import MAX_PACKAGE_BYTES
from player.package.signature import Signature
from player.search.index import PreparedIndex, prepare_index, write_index
from player.store.db import Store
from player.store.models import PackageBlob, StoredPackage
from player.timeutil import utcnow

log = logging.getLogger(__name__)

MAX_FILE_BYTES = MAX_PACKAGE_BYTES
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class ImportResult:
    package_id: str
    course_id: str
    version: int
    title: str
    sha256: str
    created: bool  # False when the same bytes were already stored


def store_parsed(
    session: Session,
    parsed: ParsedPackage,
    *,
    origin: str,
    server: str = LOCAL,
    tenant_id: str | None = None,
    source_name: str | None = None,
    signature: Signature | None = None,
    index: PreparedIndex | None = None,
) -> ImportResult:
    """Add a parsed package to the store inside the caller's write transaction.

    ``server`` and ``tenant_id`` name the server world it belongs to; a file import (``server``
    "") belongs to the machine and never touches a server's course of the same id. ``index``:
    its search index rows, made by ``prepare_index`` before the transaction (the slow part of
    indexing); without it they are made here, inside the transaction.
    """
    package = parsed.package
    tenant_key = tenant_id or ""
    existing = session.exec(
        select(StoredPackage).where(
            StoredPackage.courseId == package.course_id,
            StoredPackage.version == package.version,
            StoredPackage.server == server,
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
        if signature is not None and (existing.sigKid, existing.sig) != (
            signature.kid,
            signature.sig,
        ):  # the same bytes, signed again (a new key): only the signature changes
            existing.sigKid, existing.sig = signature.kid, signature.sig
            session.add(existing)
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
        server=server,
        tenantId=tenant_id,
        tenantKey=tenant_key,
        storedAt=utcnow(),
        sourceName=source_name,
        sigKid=signature.kid if signature else None,
        sig=signature.sig if signature else None,
    )
    session.add(stored)
    session.flush()  # gives the row its id for the search index
    write_index(session, stored, index if index is not None else prepare_index(parsed))
    # only the versions someone still needs are kept (docs/store.md, player.services.storage)
    from player.services.storage import prune_versions

    prune_versions(session, package.course_id, tenant_key, server)
    return _result(parsed, created=True)


def index_rows(parsed: ParsedPackage) -> PreparedIndex:
    """The search index rows of ``parsed``, for ``store_parsed``'s ``index``: make them where the
    package was parsed (a download worker, before an import's write), outside any transaction."""
    return prepare_index(parsed)


def import_bytes(
    store: Store, raw: bytes, *, origin: str = "file", source_name: str | None = None
) -> ImportResult:
    """Parse and store a package from a file; it belongs to the machine (every learner sees it)."""
    parsed = parse_package(raw)
    index = index_rows(parsed)  # before the write transaction: it only inserts the rows
    with store.write() as session:
        result = store_parsed(session, parsed, origin=origin, source_name=source_name, index=index)
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
    return import_bytes(store, read_package_file(path), origin=origin, source_name=path.name)


def read_package_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or a ``PackageError``.

    A FIFO, a device (``/dev/zero``), a socket or a folder is refused before it is opened for
    reading, and reading stops after ``limit`` bytes whatever the file system said its size was.
    """
    try:
        info = os.stat(path)
        _check_regular(path, info)
        if info.st_size > limit:
            raise _too_large(path, limit)
        # O_NONBLOCK: if the path was swapped for a FIFO since the check, open does not wait.
        flags = (
            os.O_RDONLY
            | getattr(os, "O_NONBLOCK", 0)
            | getattr(os, "O_NOCTTY", 0)
            | getattr(os, "O_BINARY", 0)
        )
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb", buffering=0) as file:
            _check_regular(path, os.fstat(file.fileno()))
            chunks: list[bytes] = []
            total = 0
            while chunk := file.read(min(_CHUNK, limit + 1 - total)):
                chunks.append(chunk)
                total += len(chunk)
                if total > limit:
                    raise _too_large(path, limit)
            return b"".join(chunks)
    except FileNotFoundError as error:
        raise PackageError(
            _("There is no file “{path}”. Check the name and try again.").format(path=path)
        ) from error
    except OSError as error:
        raise PackageError(
            _(
                "“{path}” could not be read ({reason}). Check the disk or USB stick and try again."
            ).format(path=path, reason=error.strerror or error)
        ) from error


def _check_regular(path: Path, info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise PackageError(
            _("“{path}” is a folder; choose a course file (.json).").format(path=path)
        )
    if not stat.S_ISREG(info.st_mode):
        raise PackageError(
            _(
                "“{path}” is not a file but a device, a pipe or a socket, so it was not read. "
                "Choose a course file (.json)."
            ).format(path=path)
        )


def _too_large(path: Path, limit: int) -> PackageTooLarge:
    return PackageTooLarge(
        _(
            "“{name}” is more than {limit} MB, too large to be a course package. Check that "
            "you picked the right file."
        ).format(name=path.name, limit=limit // (1024 * 1024))
    )


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


def blob_bytes(session: Session, sha256: str) -> bytes:
    """The exact stored bytes of a package."""
    blob = session.get(PackageBlob, sha256)
    if blob is None:  # pragma: no cover - the foreign key makes this impossible
        raise PackageError(_("A stored course is missing its bytes; import it again."))
    return blob.data
