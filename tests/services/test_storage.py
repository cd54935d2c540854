"""Storage: bytes per course, removing a course (learner data stays), keeping two versions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import select

from player.errors import CourseNotFound
from player.package import parse_package
from player.services import notes, packages, progress, resume, storage
from player.services.learn import LearnService
from player.store.db import Store
from player.store.models import PackageBlob, Profile, RemovedCourse, StoredPackage
from tests.conftest import FIXTURES


def version_of(name: str, version: int) -> bytes:
    data = json.loads((FIXTURES / name).read_bytes())
    data["version"] = version
    data["id"] = f"{data['id']}-v{version}"
    return json.dumps(data).encode()


def blobs(store: Store) -> int:
    with store.read() as session:
        return len(session.exec(select(PackageBlob.sha256)).all())


def test_usage_counts_every_stored_version(imported: Store, guest: Profile) -> None:
    packages.import_bytes(imported, version_of("git-basics.json", 3))
    used = storage.usage(imported, guest)
    git = next(c for c in used.courses if c.course_id == "git-basics")
    assert git.versions == (2, 3)
    with imported.read() as session:
        sizes = session.exec(select(PackageBlob.sizeBytes)).all()
    assert used.total_bytes == sum(sizes) and used.other_bytes == 0
    assert git.size_bytes == len((FIXTURES / "git-basics.json").read_bytes()) + len(
        version_of("git-basics.json", 3)
    )


def test_only_the_newest_two_versions_are_kept(imported: Store, guest: Profile) -> None:
    before = blobs(imported)
    for version in (3, 4, 5):
        packages.import_bytes(imported, version_of("git-basics.json", version))
    with imported.read() as session:
        versions = sorted(
            session.exec(
                select(StoredPackage.version).where(StoredPackage.courseId == "git-basics")
            ).all()
        )
    assert versions == [4, 5]
    assert blobs(imported) == before + 1  # v2 and v3 deleted, v4 and v5 stored
    assert LearnService(imported, guest).get_course("git-basics").version == 5
    # an older version than the two newest is not kept either
    packages.import_bytes(imported, version_of("git-basics.json", 1))
    git = [c for c in storage.usage(imported, guest).courses if c.course_id == "git-basics"]
    assert [c.versions for c in git] == [(4, 5)]


def test_remove_keeps_progress_notes_and_resume(imported: Store, guest: Profile) -> None:
    progress.enroll(imported, guest, "git-basics")
    progress.set_lesson_completed(imported, guest, "git-basics", 1)
    notes.add_note(imported, guest, "git-basics", 1, "kept through removal")
    resume.record_lesson(imported, guest, "git-basics", 2, 0.5)
    total = storage.usage(imported, guest).total_bytes

    removed = storage.remove_course(imported, guest, "git-basics")

    assert removed.versions == (2,) and removed.freed_bytes > 0
    assert storage.usage(imported, guest).total_bytes == total - removed.freed_bytes
    assert "git-basics" not in [c.course_id for c in LearnService(imported, guest).list_courses()]
    with imported.read() as session:
        assert session.exec(select(RemovedCourse)).all() == []  # a file import: no marker
    assert notes.list_notes(imported, guest)[0].text == "kept through removal"

    packages.import_file(imported, FIXTURES / "git-basics.json")
    assert progress.get_progress(imported, guest, "git-basics").completed == {1}
    assert notes.list_notes(imported, guest)[0].course_title == "Git Basics"
    assert resume.resume_point(imported, guest, "git-basics") == resume.Resume("git-basics", 2, 0.5)


def test_removing_an_unknown_course_changes_nothing(imported: Store, guest: Profile) -> None:
    before = storage.usage(imported, guest)
    with pytest.raises(CourseNotFound):
        storage.remove_course(imported, guest, "no-such-course")
    assert storage.usage(imported, guest) == before


def test_another_organisations_courses_are_counted_apart(
    imported: Store, guest: Profile, make_learner: Any
) -> None:
    ana = make_learner("ana", tenant="t-north")
    parsed_raw = version_of("git-basics.json", 7)
    with imported.write() as session:
        packages.store_parsed(
            session,
            parse_package(parsed_raw),
            origin="server",
            server=ana.server,
            tenant_id="t-north",
        )
    guest_view = storage.usage(imported, guest)
    assert guest_view.other_bytes == len(parsed_raw)
    ana_view = storage.usage(imported, ana)
    assert ana_view.other_bytes == 0
    # ana sees her server's git-basics and, apart, the machine's imported file of the same id
    by_id = {c.course_id: c.versions for c in ana_view.courses}
    assert by_id["git-basics"] == (7,) and by_id["file:git-basics"] == (2,)
    assert "file:git-basics" not in {c.course_id for c in guest_view.courses}
    with pytest.raises(CourseNotFound):
        storage.remove_course(imported, guest, "nothing-of-ana")


def test_removal_and_pruning_keep_the_search_index_right(imported: Store, guest: Profile) -> None:
    from player.services.search import search

    def courses(text: str) -> set[str]:
        return {hit.course_id for hit in search(imported, guest, text).hits}

    assert "git-basics" in courses("commit")
    for version in (3, 4):
        packages.import_bytes(imported, version_of("git-basics.json", version))
    assert "git-basics" in courses("commit")  # the kept versions are still found
    storage.remove_course(imported, guest, "git-basics")
    assert "git-basics" not in courses("commit")
    with imported.read() as session:
        from player.store.models import SearchDoc

        assert session.exec(select(SearchDoc).where(SearchDoc.courseId == "git-basics")).all() == []
