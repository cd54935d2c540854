"""The learner read service: the delivery API of the platform, as a read-only Python service.

Every content read goes through the access guards. Packages are re-verified against their SHA-256
when first read from the store and kept parsed in a small cache keyed by that hash.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from player.errors import CourseNotDownloaded, CourseNotFound, LessonNotFound
from player.package import CoursePackage, Lesson, ParsedPackage, parse_package
from player.services.access import (
    AccessSnapshot,
    CourseAccess,
    catalog_entries,
    check_read,
    course_access,
    latest_visible_package,
    visible_packages,
)
from player.store.db import Store
from player.store.models import LessonProgress, PackageBlob, Profile, StoredPackage

READY, LOCKED, NOT_DOWNLOADED = "ready", "locked", "not downloaded"


@dataclass(frozen=True, slots=True)
class CourseSummary:
    course_id: str
    title: str
    version: int
    summary: str
    lesson_count: int
    state: str  # READY | LOCKED | NOT_DOWNLOADED
    access: CourseAccess
    completed: int = 0
    language: str | None = None
    published_at: str | None = None
    newer_version: int | None = None  # offered by the server but not downloaded yet

    @property
    def paid(self) -> bool:
        return self.access.paid


class _PackageCache:
    def __init__(self, size: int = 8) -> None:
        self._items: OrderedDict[str, ParsedPackage] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, sha256: str) -> ParsedPackage | None:
        with self._lock:
            parsed = self._items.get(sha256)
            if parsed is not None:
                self._items.move_to_end(sha256)
            return parsed

    def put(self, parsed: ParsedPackage) -> None:
        with self._lock:
            self._items[parsed.sha256] = parsed
            self._items.move_to_end(parsed.sha256)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_cache = _PackageCache()


class LearnService:
    """Read-only access to the courses one learner may see."""

    def __init__(self, store: Store, profile: Profile) -> None:
        self.store = store
        self.profile = profile

    def list_courses(self) -> list[CourseSummary]:
        """The latest version of every course the learner sees, sorted by title."""
        with self.store.read() as session:
            snapshot = AccessSnapshot.load(session, self.profile)
            latest: dict[str, StoredPackage] = {}
            for package in visible_packages(session, self.profile):
                current = latest.get(package.courseId)
                if current is None or package.version > current.version:
                    latest[package.courseId] = package
            offered = {entry.courseId: entry for entry in catalog_entries(session, self.profile)}
            completed = _completed_counts(session, self.profile.userId)
        result = []
        for course_id in latest.keys() | offered.keys():
            stored = latest.get(course_id)
            entry = offered.get(course_id)
            if stored is not None:
                access = snapshot.access(course_id, stored.title)
                newer = (
                    entry.version if entry is not None and entry.version > stored.version else None
                )
                result.append(
                    CourseSummary(
                        course_id=course_id,
                        title=stored.title,
                        version=stored.version,
                        summary=stored.summary,
                        lesson_count=stored.lessonCount,
                        state=READY if access.can_read else LOCKED,
                        access=access,
                        completed=min(completed.get(course_id, 0), stored.lessonCount),
                        language=stored.language,
                        published_at=stored.publishedAt,
                        newer_version=newer,
                    )
                )
            elif entry is not None:
                access = snapshot.access(course_id, entry.title)
                result.append(
                    CourseSummary(
                        course_id=course_id,
                        title=entry.title,
                        version=entry.version,
                        summary="",
                        lesson_count=0,
                        state=NOT_DOWNLOADED if access.can_read else LOCKED,
                        access=access,
                    )
                )
        result.sort(key=lambda c: (c.title.casefold(), c.course_id))
        return result

    def get_course(self, course_id: str) -> CoursePackage:
        """The full package of the latest stored version; guarded."""
        return self.get_parsed(course_id).package

    def get_lesson(self, course_id: str, index: int) -> Lesson:
        package = self.get_course(course_id)
        if not 0 <= index < len(package.lessons):
            raise LessonNotFound(package.title, index, len(package.lessons))
        return package.lessons[index]

    def get_parsed(self, course_id: str) -> ParsedPackage:
        """The package with its exact bytes, after the read guard."""
        with self.store.read() as session:
            access = course_access(session, self.profile, course_id)
            check_read(access)
            return load_latest(session, self.profile, course_id, access.title)

    def access(self, course_id: str) -> CourseAccess:
        with self.store.read() as session:
            return course_access(session, self.profile, course_id)


def load_latest(session: Session, profile: Profile, course_id: str, title: str) -> ParsedPackage:
    """Parse (and verify) the latest visible stored version of a course; no guard here."""
    stored = latest_visible_package(session, profile, course_id)
    if stored is None:
        raise CourseNotDownloaded(title)
    cached = _cache.get(stored.sha256)
    if cached is not None:
        return cached
    blob = session.get(PackageBlob, stored.sha256)
    if blob is None:  # pragma: no cover - foreign key makes this impossible
        raise CourseNotFound(course_id)
    parsed = parse_package(blob.data, expected_sha256=stored.sha256)
    _cache.put(parsed)
    return parsed


def _completed_counts(session: Session, user_id: str) -> dict[str, int]:
    rows = session.exec(
        select(LessonProgress.courseId, func.count())
        .where(LessonProgress.userId == user_id, col(LessonProgress.completed).is_(True))
        .group_by(col(LessonProgress.courseId))
    ).all()
    return {course_id: int(n) for course_id, n in rows}
