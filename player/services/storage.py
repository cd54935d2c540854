"""Disk space: what the stored course packages take, removing a course, and old versions.

- ``usage``: each course's stored bytes (all its versions), for the courses the learner sees, and
  the total of the whole store (other learners' courses counted apart, not named).
- ``remove_course``: deletes the stored packages of a course the learner sees. Progress, notes,
  bookmarks and resume points stay (they are keyed by course id), so importing or downloading the
  course again finds them. A course from the learner's server is remembered as removed
  (``RemovedCourse``) so that sync does not download it again until the learner asks for it
  (``request_download``: Download on the course page, ``course-player sync --download``).
- ``prune_versions``: only the versions someone still needs are kept: per course and origin the
  newest ``KEEP_VERSIONS`` (the newest and the one before it). Called whenever a package is stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from player.errors import CourseNotFound
from player.store.db import Store
from player.store.models import CatalogEntry, PackageBlob, Profile, RemovedCourse, StoredPackage
from player.timeutil import utcnow

log = logging.getLogger(__name__)

KEEP_VERSIONS = 2


@dataclass(frozen=True, slots=True)
class CourseStorage:
    course_id: str
    title: str
    versions: tuple[int, ...]
    size_bytes: int


@dataclass(frozen=True, slots=True)
class StorageUsage:
    courses: tuple[CourseStorage, ...]  # the learner's courses, largest first
    other_bytes: int  # packages of courses this learner does not see (other organisations)

    @property
    def total_bytes(self) -> int:
        return sum(c.size_bytes for c in self.courses) + self.other_bytes


@dataclass(frozen=True, slots=True)
class Removed:
    course_id: str
    title: str
    versions: tuple[int, ...]
    freed_bytes: int  # package bytes no longer stored (shared bytes still used are not counted)


def usage(store: Store, profile: Profile) -> StorageUsage:
    with store.read() as session:
        rows = [
            (p.courseId, p.title, p.version, p.tenantKey, size)
            for p, size in session.exec(
                select(StoredPackage, PackageBlob.sizeBytes).join(
                    PackageBlob, col(PackageBlob.sha256) == col(StoredPackage.sha256)
                )
            )
        ]
        all_bytes = int(
            session.exec(select(func.coalesce(func.sum(PackageBlob.sizeBytes), 0))).one()
        )
    courses: dict[str, tuple[str, list[int], int, int]] = {}
    for course_id, title, version, tenant_key, size in rows:
        if tenant_key not in ("", profile.tenantId):
            continue
        name, versions, total, newest = courses.get(course_id, (title, [], 0, -1))
        if version > newest:
            name, newest = title, version
        versions.append(version)
        courses[course_id] = (name, versions, total + int(size), newest)
    listed = tuple(
        sorted(
            (
                CourseStorage(course_id, name, tuple(sorted(set(versions))), total)
                for course_id, (name, versions, total, _newest) in courses.items()
            ),
            key=lambda c: (-c.size_bytes, c.title.casefold(), c.course_id),
        )
    )
    shown = sum(c.size_bytes for c in listed)
    return StorageUsage(courses=listed, other_bytes=max(0, all_bytes - shown))


def remove_course(store: Store, profile: Profile, course_id: str) -> Removed:
    """Delete the course's stored packages (the learner's view of it); keep everything else."""
    with store.write() as session:
        rows = list(
            session.exec(
                select(StoredPackage).where(
                    StoredPackage.courseId == course_id,
                    (StoredPackage.tenantKey == "") | (StoredPackage.tenantKey == profile.tenantId),
                )
            )
        )
        if not rows:
            raise CourseNotFound(course_id)
        title = max(rows, key=lambda r: r.version).title
        from_server = any(r.tenantKey == profile.tenantId and r.tenantKey for r in rows) or (
            session.exec(
                select(CatalogEntry.id).where(
                    CatalogEntry.tenantId == profile.tenantId, CatalogEntry.courseId == course_id
                )
            ).first()
            is not None
        )
        freed = _delete_versions(session, rows)
        if from_server and session.get(RemovedCourse, (profile.tenantId, course_id)) is None:
            session.add(
                RemovedCourse(tenantKey=profile.tenantId, courseId=course_id, removedAt=utcnow())
            )
    log.info("removed %s (%d versions, %d bytes)", course_id, len(rows), freed)
    return Removed(course_id, title, tuple(sorted(r.version for r in rows)), freed)


def request_download(store: Store, profile: Profile, course_id: str) -> bool:
    """The learner asks for a removed server course again: the next sync downloads it."""
    with store.write() as session:
        row = session.get(RemovedCourse, (profile.tenantId, course_id))
        if row is None:
            return False
        session.delete(row)
        return True


def removed_courses(session: Session, tenant_key: str) -> set[str]:
    """Courses removed from this machine for an organisation (sync leaves them alone)."""
    return set(
        session.exec(select(RemovedCourse.courseId).where(RemovedCourse.tenantKey == tenant_key))
    )


def prune_versions(
    session: Session, course_id: str, tenant_key: str, keep: int = KEEP_VERSIONS
) -> list[int]:
    """Delete all but the newest ``keep`` stored versions of a course of one origin (in the
    caller's transaction); return the versions deleted."""
    session.flush()
    rows = list(
        session.exec(
            select(StoredPackage)
            .where(StoredPackage.courseId == course_id, StoredPackage.tenantKey == tenant_key)
            .order_by(col(StoredPackage.version).desc())
        )
    )
    old = rows[max(1, keep) :]
    if old:
        _delete_versions(session, old)
        log.info("pruned %s versions %s", course_id, [r.version for r in old])
    return [r.version for r in old]


def _delete_versions(session: Session, rows: list[StoredPackage]) -> int:
    """Delete stored versions, then the blobs nothing refers to any more; return their bytes."""
    hashes = {r.sha256 for r in rows}
    for row in rows:
        session.delete(row)
    session.flush()
    still_used = set(
        session.exec(
            select(StoredPackage.sha256).where(col(StoredPackage.sha256).in_(list(hashes)))
        )
    )
    orphans = hashes - still_used
    if not orphans:
        return 0
    freed = int(
        session.exec(
            select(func.coalesce(func.sum(PackageBlob.sizeBytes), 0)).where(
                col(PackageBlob.sha256).in_(list(orphans))
            )
        ).one()
    )
    session.exec(delete(PackageBlob).where(col(PackageBlob.sha256).in_(list(orphans))))
    return freed
