from __future__ import annotations

from typing import Any

import pytest

from player.errors import CourseNotDownloaded, CourseNotFound, LessonNotFound
from player.services import progress
from player.services.learn import NOT_DOWNLOADED, READY, LearnService
from player.store.db import Store
from player.store.models import CatalogEntry, Profile
from player.timeutil import utcnow


def test_list_courses_gives_latest_published_version(imported: Store, guest: Profile) -> None:
    courses = LearnService(imported, guest).list_courses()
    assert {(c.course_id, c.version) for c in courses} == {
        ("git-basics", 2),
        ("welcome-multilingual", 1),
        ("../../etc/passwd", 1),
    }
    assert all(c.state == READY for c in courses)


def test_get_course_and_lesson(imported: Store, guest: Profile) -> None:
    service = LearnService(imported, guest)
    assert service.get_course("git-basics").title == "Git Basics"
    assert service.get_lesson("git-basics", 2).title == "Branches and merges"


def test_read_errors_are_distinct_and_clear(imported: Store, guest: Profile) -> None:
    service = LearnService(imported, guest)
    with pytest.raises(CourseNotFound, match="no course “nope”"):
        service.get_course("nope")
    with pytest.raises(LessonNotFound, match="numbered 0 to 2"):
        service.get_lesson("git-basics", 3)
    with pytest.raises(LessonNotFound):
        service.get_lesson("git-basics", -1)


def test_course_offered_but_not_downloaded(store: Store, make_learner: Any) -> None:
    ana = make_learner("ana")
    with store.write() as session:
        session.add(
            CatalogEntry(
                server=ana.server,
                tenantId="t-north",
                courseId="algebra",
                title="Algebra",
                version=1,
                seenAt=utcnow(),
            )
        )
    progress.enroll(store, ana, "algebra")
    service = LearnService(store, ana)
    [course] = service.list_courses()
    assert (course.course_id, course.state) == ("algebra", NOT_DOWNLOADED)
    with pytest.raises(CourseNotDownloaded, match="sync to download"):
        service.get_course("algebra")


def test_stored_bytes_are_verified_when_read(imported: Store, guest: Profile) -> None:
    from sqlmodel import select

    from player.errors import ChecksumMismatch
    from player.services import learn
    from player.store.models import PackageBlob

    learn._cache = learn._PackageCache()
    with imported.write() as session:
        blob = session.exec(select(PackageBlob)).first()
        assert blob is not None
        blob.data = blob.data.replace(b"Git Basics", b"Git Bas1cs", 1)
        session.add(blob)
    with pytest.raises(ChecksumMismatch):
        for course in LearnService(imported, guest).list_courses():
            LearnService(imported, guest).get_course(course.course_id)
