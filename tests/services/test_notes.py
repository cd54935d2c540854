"""Notes and bookmarks: per learner and lesson, queued for upload, tombstones on deletion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from player.errors import CourseNotFound, LessonNotFound, NoteEmpty, NoteNotFound, NoteTooLong
from player.services import notes, outbox, progress
from player.store.db import Store
from player.store.models import LessonNote, Profile

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _rows(store: Store) -> list[LessonNote]:
    with store.read() as session:
        return list(session.exec(select(LessonNote)))


def _note_events(store: Store, profile: Profile) -> list[dict[str, Any]]:
    return [r.payload for r in outbox.items(store, profile) if r.kind == "note"]


def test_add_edit_delete_note_queues_every_change(imported: Store, guest: Profile) -> None:
    text = "First line\nsecond line\n\tthird"
    item = notes.add_note(imported, guest, "git-basics", 1, text, now=T0)
    assert item.text == text and item.first_line == "First line"
    assert [n.id for n in notes.lesson_notes(imported, guest, "git-basics", 1).notes] == [item.id]
    notes.edit_note(imported, guest, item.id, "changed", now=T0 + timedelta(seconds=1))
    notes.delete_note(imported, guest, item.id, now=T0 + timedelta(seconds=2))
    assert notes.list_notes(imported, guest) == []
    events = _note_events(imported, guest)
    assert [(e["text"], e["deleted"]) for e in events] == [
        (text, False),
        ("changed", False),
        ("", True),
    ]
    assert {e["id"] for e in events} == {item.id}
    assert events[-1]["updatedAt"] == "2026-11-01T09:00:02.000Z"
    # the tombstone stays in the store, so that it can travel to other machines
    (row,) = _rows(imported)
    assert row.deleted and row.text == ""
    with pytest.raises(NoteNotFound):
        notes.delete_note(imported, guest, item.id)


def test_a_note_of_20000_characters_is_kept_whole(imported: Store, guest: Profile) -> None:
    text = ("a" * 99 + "\n") * 200
    assert len(text) == notes.MAX_NOTE_CHARS
    item = notes.add_note(imported, guest, "git-basics", 0, text)
    (stored,) = notes.list_notes(imported, guest)
    assert stored.text == text and stored.id == item.id


def test_a_note_of_20001_characters_is_refused_and_nothing_is_stored(
    imported: Store, guest: Profile
) -> None:
    with pytest.raises(NoteTooLong) as refused:
        notes.add_note(imported, guest, "git-basics", 0, "x" * 20_001)
    assert "20,001" in str(refused.value) and "20,000" in str(refused.value)
    assert "Nothing was saved" in str(refused.value)
    assert _rows(imported) == [] and outbox.items(imported, guest) == []
    item = notes.add_note(imported, guest, "git-basics", 0, "short")
    with pytest.raises(NoteTooLong):
        notes.edit_note(imported, guest, item.id, "y" * 20_001)
    assert notes.list_notes(imported, guest)[0].text == "short"
    assert len(_note_events(imported, guest)) == 1


def test_bad_inputs_are_refused_with_nothing_stored(imported: Store, guest: Profile) -> None:
    with pytest.raises(NoteEmpty):
        notes.add_note(imported, guest, "git-basics", 0, "  \n ")
    with pytest.raises(LessonNotFound):
        notes.add_note(imported, guest, "git-basics", 3, "no such lesson")
    with pytest.raises(CourseNotFound):
        notes.add_note(imported, guest, "nope", 0, "no such course")
    with pytest.raises(LessonNotFound):
        notes.set_bookmark(imported, guest, "git-basics", -1)
    with pytest.raises(NoteNotFound):
        notes.edit_note(imported, guest, "not-an-id", "x")
    assert _rows(imported) == [] and outbox.items(imported, guest) == []


def test_bookmark_toggles_and_reuses_its_row(imported: Store, guest: Profile) -> None:
    assert notes.set_bookmark(imported, guest, "git-basics", 2, now=T0)
    assert not notes.set_bookmark(imported, guest, "git-basics", 2)  # already set
    assert notes.lesson_notes(imported, guest, "git-basics", 2).bookmarked
    assert notes.set_bookmark(imported, guest, "git-basics", 2, on=False, now=T0)
    assert not notes.lesson_notes(imported, guest, "git-basics", 2).bookmarked
    assert not notes.set_bookmark(imported, guest, "git-basics", 2, on=False)
    assert notes.set_bookmark(imported, guest, "git-basics", 2, now=T0)
    (row,) = _rows(imported)
    assert row.kind == "bookmark" and not row.deleted
    # each change is later than the one before, even with the same clock reading
    stamps = [e["updatedAt"] for e in _note_events(imported, guest)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3
    (listed,) = notes.list_notes(imported, guest)
    assert listed.kind == "bookmark" and listed.course_title == "Git Basics"
    assert listed.lesson_title != ""


def test_another_learner_never_sees_them(
    imported: Store, guest: Profile, make_learner: Any
) -> None:
    item = notes.add_note(imported, guest, "git-basics", 0, "the guest's own")
    notes.set_bookmark(imported, guest, "git-basics", 1)
    ana = make_learner("ana")
    assert notes.list_notes(imported, ana) == []
    assert notes.lesson_notes(imported, ana, "git-basics", 1) == notes.LessonNotes(
        "git-basics", 1, False, ()
    )
    with pytest.raises(NoteNotFound):
        notes.edit_note(imported, ana, item.id, "taken over")
    with pytest.raises(NoteNotFound):
        notes.delete_note(imported, ana, item.id)
    assert notes.list_notes(imported, guest)[0].text == "the guest's own"
    with imported.read() as session:
        assert notes.notes_by_lesson(session, ana, "git-basics") == {}


def test_list_is_ordered_by_course_and_lesson(imported: Store, guest: Profile) -> None:
    notes.add_note(imported, guest, "welcome-multilingual", 0, "m0")
    notes.add_note(imported, guest, "git-basics", 2, "g2")
    notes.add_note(imported, guest, "git-basics", 0, "g0")
    notes.set_bookmark(imported, guest, "git-basics", 2)
    listed = [(i.course_id, i.lesson_idx, i.kind) for i in notes.list_notes(imported, guest)]
    assert listed[:3] == [
        ("git-basics", 0, "note"),
        ("git-basics", 2, "bookmark"),
        ("git-basics", 2, "note"),
    ]
    assert [i.text for i in notes.list_notes(imported, guest, "welcome-multilingual")] == ["m0"]


def test_a_server_learners_note_on_an_imported_file_stays_on_this_machine(
    imported: Store, make_learner: Any
) -> None:
    """A file course is not the server's: its notes are never queued for upload (#9)."""
    ana = make_learner("ana")
    item = notes.add_note(imported, ana, "git-basics", 0, "mine, on the USB copy")
    notes.set_bookmark(imported, ana, "git-basics", 1)
    notes.edit_note(imported, ana, item.id, "edited")
    notes.delete_note(imported, ana, item.id)
    assert _note_events(imported, ana) == []
    assert [n.kind for n in notes.list_notes(imported, ana)] == ["bookmark"]


def test_a_server_learners_note_on_their_servers_course_is_queued(
    served: Store, make_learner: Any
) -> None:
    ana = make_learner("ana")
    progress.enroll(served, ana, "git-basics")  # free: enrolling opens it
    item = notes.add_note(served, ana, "git-basics", 0, "for every machine")
    assert [e["id"] for e in _note_events(served, ana)] == [item.id]
