"""Resume points: the last lesson opened per learner and course, the position, the open lesson."""

from __future__ import annotations

from typing import Any

from player.services import resume
from player.store.db import Store
from player.store.models import Profile


def test_the_last_lesson_and_its_position_are_kept(imported: Store, guest: Profile) -> None:
    assert resume.resume_point(imported, guest, "git-basics") is None
    assert resume.left_open(imported, guest) is None
    resume.record_lesson(imported, guest, "git-basics", 1)
    resume.record_lesson(imported, guest, "git-basics", 1, 0.4)
    resume.record_lesson(imported, guest, "git-basics", 1)  # reopened: the position stays
    assert resume.resume_point(imported, guest, "git-basics") == resume.Resume("git-basics", 1, 0.4)
    assert resume.left_open(imported, guest) == resume.LeftOpen("git-basics", 1)
    resume.record_lesson(imported, guest, "git-basics", 2)  # another lesson starts at the top
    assert resume.resume_point(imported, guest, "git-basics") == resume.Resume("git-basics", 2, 0.0)
    resume.record_lesson(imported, guest, "git-basics", 2, 7.5)  # clamped
    assert resume.resume_point(imported, guest, "git-basics") == resume.Resume("git-basics", 2, 1.0)


def test_the_open_course_follows_the_learner(imported: Store, guest: Profile) -> None:
    resume.record_lesson(imported, guest, "git-basics", 0)
    resume.record_course(imported, guest, "welcome-multilingual")
    assert resume.left_open(imported, guest) == resume.LeftOpen("welcome-multilingual", None)
    assert resume.resume_point(imported, guest, "git-basics") is not None  # kept per course
    resume.record_course(imported, guest, None)
    assert resume.left_open(imported, guest) is None


def test_each_learner_has_their_own(imported: Store, guest: Profile, make_learner: Any) -> None:
    resume.record_lesson(imported, guest, "git-basics", 2, 0.5)
    ana = make_learner("ana")
    assert resume.resume_point(imported, ana, "git-basics") is None
    assert resume.left_open(imported, ana) is None
