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
from player.origin import LOCAL
from player.services.access import FILE_PREFIX, resolve
from player.store.db import Store
from player.store.models import PackageBlob, Profile, RemovedCourse, StoredPackage
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
            (_label(p), p.title, p.version, _visible(p, profile), size)
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
    server_ids = {
        label
        for label, _t, _v, visible, _s in rows
        if visible and not label.startswith(FILE_PREFIX)
    }
    for label, title, version, visible, size in rows:
        if not visible:
            continue
        course_id = label  # ``file:ID`` only beside a server course of the same id
        if label.startswith(FILE_PREFIX) and label[len(FILE_PREFIX) :] not in server_ids:
            course_id = label[len(FILE_PREFIX) :]
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


def remove_course(store: Store, profile: Profile, ref: str) -> Removed:
    """Delete the stored packages of the course ``ref`` addresses for the learner (``ID`` their
    server's course, else the imported file; ``file:ID`` the file); keep everything else."""
    course_id = ref
    with store.write() as session:
        key = resolve(session, profile, ref)
        course_id = key.course_id
        query = select(StoredPackage).where(
            StoredPackage.courseId == key.course_id, StoredPackage.server == key.server
        )
        if not key.is_file:
            query = query.where(StoredPackage.tenantKey == profile.tenantId)
        rows = list(session.exec(query))
        if not rows:
            raise CourseNotFound(ref)
        title = max(rows, key=lambda r: r.version).title
        freed = _delete_versions(session, rows)
        marker = (profile.server, profile.tenantId, course_id)
        if not key.is_file and session.get(RemovedCourse, marker) is None:
            session.add(
                RemovedCourse(
                    server=profile.server,
                    tenantKey=profile.tenantId,
                    courseId=course_id,
                    removedAt=utcnow(),
                )
            )
    log.info("removed %s (%d versions, %d bytes)", course_id, len(rows), freed)
    return Removed(course_id, title, tuple(sorted(r.version for r in rows)), freed)


def request_download(store: Store, profile: Profile, course_id: str) -> bool:
    """The learner asks for a removed server course again: the next sync downloads it."""
    with store.write() as session:
        row = session.get(RemovedCourse, (profile.server, profile.tenantId, course_id))
        if row is None:
            return False
        session.delete(row)
        return True


def removed_courses(session: Session, server: str, tenant_key: str) -> set[str]:
    """Courses of a server's organisation removed from this machine (sync leaves them alone)."""
    return set(
        session.exec(
            select(RemovedCourse.courseId).where(
                RemovedCourse.server == server, RemovedCourse.tenantKey == tenant_key
            )
        )
    )


def prune_versions(
    session: Session, course_id: str, tenant_key: str, server: str, keep: int = KEEP_VERSIONS
) -> list[int]:
    """Delete all but the newest ``keep`` stored versions of a course of one origin (in the
    caller's transaction); return the versions deleted."""
    session.flush()
    rows = list(
        session.exec(
            select(StoredPackage)
            .where(
                StoredPackage.courseId == course_id,
                StoredPackage.tenantKey == tenant_key,
                StoredPackage.server == server,
            )
            .order_by(col(StoredPackage.version).desc())
        )
    )
    old = rows[max(1, keep) :]
    if old:
        _delete_versions(session, old)
        log.info("pruned %s versions %s", course_id, [r.version for r in old])
    return [r.version for r in old]


def _visible(row: StoredPackage, profile: Profile) -> bool:
    return row.server == LOCAL or (
        row.server == profile.server
        and row.tenantKey == profile.tenantId
        and profile.server != LOCAL
    )


def _label(row: StoredPackage) -> str:
    """How the learner names the course: its id, ``file:ID`` for an imported file."""
    return f"{FILE_PREFIX}{row.courseId}" if row.server == LOCAL else row.courseId


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
