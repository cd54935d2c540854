"""The learner read service: the delivery API of the platform, as a read-only Python service.

Every content read goes through the access guards. Packages are re-verified against their SHA-256
when first read from the store and kept parsed in a small cache keyed by that hash.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlmodel import Session, col, select

from player.errors import CourseNotDownloaded, CourseNotFound, LessonNotFound
from player.origin import LOCAL
from player.services.access import (
    AccessSnapshot,
    CourseAccess,
    CourseKey,
    LabServer,
    catalog_entries,
    check_read,
    course_access,
    lab_access,
    lab_packages,
    latest_package,
    latest_visible,
    resolve,
)
from player.services.storage import removed_courses
from player.services.summaries import LOCKED, NOT_DOWNLOADED, READY, SIGN_IN, CourseSummary
from player.store.db import Store
from player.store.models import LessonProgress, PackageBlob, Profile, ServerKey, StoredPackage

if TYPE_CHECKING:
    from player.package import CoursePackage, Lesson, ParsedPackage


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
    """Read-only access to the courses one learner may see. ``lab``: the server a lab policy
    names, whose courses on this machine every learner sees (``LabServer.from_policy``)."""

    def __init__(self, store: Store, profile: Profile, lab: LabServer | None = None) -> None:
        self.store = store
        self.profile = profile
        self.lab = lab

    def list_courses(self) -> list[CourseSummary]:
        """The latest version of every course the learner sees, sorted by title."""
        profile = self.profile
        with self.store.read() as session:
            snapshot = AccessSnapshot.load(session, profile)
            latest = latest_visible(session, profile)
            offered = {
                CourseKey(entry.server, entry.courseId): entry
                for entry in catalog_entries(session, profile)
            }
            removed = (
                removed_courses(session, profile.server, profile.tenantId)
                if profile.server != LOCAL and profile.tenantId is not None
                else set()
            )
            lab: dict[str, StoredPackage] = {}
            for package in lab_packages(session, profile, self.lab):
                current = lab.get(package.courseId)
                if current is None or package.version > current.version:
                    lab[package.courseId] = package
            signing = set(session.exec(select(ServerKey.server).distinct()))
            completed = _completed_counts(session, profile.server, profile.userId)
            completed.update(
                {CourseKey(LOCAL, c): n for c, n in _file_counts(session, profile.id).items()}
            )
        server_ids = {k.course_id for k in latest.keys() | offered.keys() if not k.is_file}
        for course_id in server_ids:  # the learner's own server course wins its id
            lab.pop(course_id, None)
        server_ids |= lab.keys()
        result = [
            CourseSummary(
                course_id=package.courseId,
                title=package.title,
                version=package.version,
                summary=package.summary,
                lesson_count=package.lessonCount,
                state=SIGN_IN,
                access=lab_access(package.courseId, package.title, package.server),
                language=package.language,
                published_at=package.publishedAt,
                signed=package.sigKid is not None,
            )
            for package in lab.values()
        ]
        for key in latest.keys() | offered.keys():
            course_id = key.course_id
            address = key.ref if key.is_file and course_id in server_ids else course_id
            stored = latest.get(key)
            entry = offered.get(key)
            if stored is not None:
                access = snapshot.access(course_id, stored.title, key.server)
                newer = (
                    entry.version if entry is not None and entry.version > stored.version else None
                )
                result.append(
                    CourseSummary(
                        course_id=address,
                        title=stored.title,
                        version=stored.version,
                        summary=stored.summary,
                        lesson_count=stored.lessonCount,
                        state=LOCKED if access.locked else READY,
                        access=access,
                        completed=min(completed.get(key, 0), stored.lessonCount),
                        language=stored.language,
                        published_at=stored.publishedAt,
                        newer_version=newer,
                        source=stored.sourceName if key.is_file else None,
                        signed=stored.sigKid is not None,
                    )
                )
            elif entry is not None:
                access = snapshot.access(course_id, entry.title, key.server)
                result.append(
                    CourseSummary(
                        course_id=address,
                        title=entry.title,
                        version=entry.version,
                        summary="",
                        lesson_count=0,
                        state=LOCKED if access.locked else NOT_DOWNLOADED,
                        access=access,
                        completed=0,
                        stored=False,
                        removed=course_id in removed,
                        signed=key.server in signing,  # verified when it is downloaded
                    )
                )
        result.sort(key=lambda c: (c.title.casefold(), c.is_file, c.course_id))
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
            access = course_access(session, self.profile, course_id, lab=self.lab)
            check_read(access)
            return load_latest(session, self.profile, course_id, access.title)

    def access(self, course_id: str) -> CourseAccess:
        with self.store.read() as session:
            return course_access(session, self.profile, course_id, lab=self.lab)


def load_latest(session: Session, profile: Profile, course_id: str, title: str) -> ParsedPackage:
    """Parse (and verify) the latest visible stored version of a course; no guard here."""
    # Imported here: listing courses (the catalog, ``course-player list``) needs neither the
    # package models nor the signature checks (cryptography).
    from player.package import parse_package
    from player.services.keys import verify_stored

    stored = latest_package(session, profile, resolve(session, profile, course_id))
    if stored is None:
        raise CourseNotDownloaded(title)
    verify_stored(session, stored)  # the signature again, against the keys trusted now
    cached = _cache.get(stored.sha256)
    if cached is not None:
        return cached
    blob = session.get(PackageBlob, stored.sha256)
    if blob is None:  # pragma: no cover - foreign key makes this impossible
        raise CourseNotFound(course_id)
    parsed = parse_package(blob.data, expected_sha256=stored.sha256)
    _cache.put(parsed)
    return parsed


def _completed_counts(session: Session, server: str, user_id: str) -> dict[CourseKey, int]:
    if server == LOCAL:
        return {}
    rows = session.exec(
        select(LessonProgress.courseId, func.count())
        .where(
            LessonProgress.server == server,
            LessonProgress.userId == user_id,
            col(LessonProgress.completed).is_(True),
        )
        .group_by(col(LessonProgress.courseId))
    ).all()
    return {CourseKey(server, course_id): int(n) for course_id, n in rows}


def _file_counts(session: Session, profile_id: str) -> dict[str, int]:
    rows = session.exec(
        select(LessonProgress.courseId, func.count())
        .where(
            LessonProgress.server == LOCAL,
            LessonProgress.userId == profile_id,
            col(LessonProgress.completed).is_(True),
        )
        .group_by(col(LessonProgress.courseId))
    ).all()
    return {course_id: int(n) for course_id, n in rows}
