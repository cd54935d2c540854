"""A learner's notes and bookmarks on lessons, recorded offline and queued for upload.

Each note or bookmark is a row keyed by the learner profile and a client-made uuid (also its id on
the server). Every change (a new note, an edit, a bookmark set or removed, a deletion) writes the
row and an outbox event with the whole object in one transaction, like progress. A deletion is a
tombstone (``deleted``), so it reaches the learner's other machines; the latest ``updatedAt`` wins
(the contract's "Notes and bookmarks"). Only the acting learner's rows are ever read or written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from player.errors import (
    CourseNotFound,
    LessonNotFound,
    NoteEmpty,
    NoteNotFound,
    NoteTooLong,
    PlayerError,
)
from player.origin import LOCAL
from player.services import outbox
from player.services.access import (
    CourseAccess,
    catalog_entry,
    check_read,
    course_access,
    latest_visible_package,
    resolve,
)
from player.services.learn import load_latest
from player.store.db import Store
from player.store.models import LessonNote, Profile, StoredPackage
from player.timeutil import to_rfc3339, utcnow

NOTE, BOOKMARK = "note", "bookmark"
KINDS = (NOTE, BOOKMARK)
MAX_NOTE_CHARS = 20_000
OUTBOX_KIND = "note"


@dataclass(frozen=True, slots=True)
class NoteItem:
    """A note or bookmark as the window and the command line show it."""

    id: str
    course_id: str
    lesson_idx: int
    kind: str
    text: str
    updated_at: datetime
    course_title: str = ""
    lesson_title: str = ""

    @property
    def first_line(self) -> str:
        for line in self.text.splitlines():
            if line.strip():
                return line.strip()
        return ""


@dataclass(frozen=True, slots=True)
class LessonNotes:
    """What the reader's notes pane shows for one lesson."""

    course_id: str
    lesson_idx: int
    bookmarked: bool
    notes: tuple[NoteItem, ...]


# --- writing ---------------------------------------------------------------------------------


def add_note(
    store: Store,
    profile: Profile,
    course_id: str,
    index: int,
    text: str,
    *,
    now: datetime | None = None,
) -> NoteItem:
    """A new note on a lesson the learner may open; raises ``NoteTooLong``/``NoteEmpty``."""
    check_text(text)
    if not text.strip():
        raise NoteEmpty()
    with store.write() as session:
        _check_lesson(session, profile, course_id, index)
        moment = _stamp(now)
        row = _new_row(profile, course_id, index, NOTE, moment, text)
        _save(session, profile, row)
        return _item(row)


def edit_note(
    store: Store, profile: Profile, note_id: str, text: str, *, now: datetime | None = None
) -> NoteItem:
    """Replace a note's text (an empty text is kept as an empty note)."""
    check_text(text)
    with store.write() as session:
        row = _own(session, profile, note_id)
        if row.kind != NOTE:
            raise NoteNotFound(note_id)
        if row.text == text:
            return _item(row)
        row.text = text
        row.updatedAt = _later(_stamp(now), row.updatedAt)
        _save(session, profile, row)
        return _item(row)


def delete_note(
    store: Store, profile: Profile, note_id: str, *, now: datetime | None = None
) -> NoteItem:
    """Delete a note or bookmark: a tombstone that travels to the learner's other machines."""
    with store.write() as session:
        row = _own(session, profile, note_id)
        _tombstone(session, profile, row, _stamp(now))
        return _item(row)


def set_bookmark(
    store: Store,
    profile: Profile,
    course_id: str,
    index: int,
    on: bool = True,
    *,
    now: datetime | None = None,
) -> bool:
    """Set or remove the bookmark on a lesson; returns whether anything changed."""
    moment = _stamp(now)
    with store.write() as session:
        rows = list(
            session.exec(
                select(LessonNote).where(
                    LessonNote.profileId == profile.id,
                    LessonNote.courseId == course_id,
                    LessonNote.lessonIdx == index,
                    LessonNote.kind == BOOKMARK,
                )
            )
        )
        live = [r for r in rows if not r.deleted]
        if not on:
            for row in live:  # two machines may each have set one
                _tombstone(session, profile, row, moment)
            return bool(live)
        if live:
            return False
        _check_lesson(session, profile, course_id, index)
        if rows:  # bring the old bookmark back rather than making a second one
            row = max(rows, key=lambda r: _aware(r.updatedAt))
            row.deleted = False
            row.updatedAt = _later(moment, row.updatedAt)
        else:
            row = _new_row(profile, course_id, index, BOOKMARK, moment)
        _save(session, profile, row)
        return True


def check_text(text: str) -> None:
    """Raise ``NoteTooLong`` for a text over the contract's 20,000 characters."""
    if len(text) > MAX_NOTE_CHARS:
        raise NoteTooLong(len(text), MAX_NOTE_CHARS)


# --- reading ---------------------------------------------------------------------------------


def list_notes(store: Store, profile: Profile, course_id: str | None = None) -> list[NoteItem]:
    """The learner's notes and bookmarks (all courses, or one), by course, lesson and age."""
    with store.read() as session:
        query = select(LessonNote).where(
            LessonNote.profileId == profile.id, col(LessonNote.deleted).is_(False)
        )
        if course_id is not None:
            query = query.where(LessonNote.courseId == course_id)
        rows = list(session.exec(query))
        titles = _titles(session, profile, {r.courseId for r in rows})
    items = [
        _item(r, *titles.get((r.courseId, r.lessonIdx), _fallback_titles(titles, r))) for r in rows
    ]
    items.sort(
        key=lambda i: (
            i.course_title.casefold(),
            i.course_id,
            i.lesson_idx,
            i.kind != BOOKMARK,
            i.updated_at,
        )
    )
    return items


def lesson_notes(store: Store, profile: Profile, course_id: str, index: int) -> LessonNotes:
    """The learner's bookmark state and notes on one lesson, oldest note first."""
    with store.read() as session:
        rows = list(
            session.exec(
                select(LessonNote)
                .where(
                    LessonNote.profileId == profile.id,
                    LessonNote.courseId == course_id,
                    LessonNote.lessonIdx == index,
                    col(LessonNote.deleted).is_(False),
                )
                .order_by(col(LessonNote.createdAt), col(LessonNote.id))
            )
        )
    return LessonNotes(
        course_id=course_id,
        lesson_idx=index,
        bookmarked=any(r.kind == BOOKMARK for r in rows),
        notes=tuple(_item(r) for r in rows if r.kind == NOTE),
    )


def notes_by_lesson(session: Session, profile: Profile, course_id: str) -> dict[int, list[str]]:
    """The texts of the learner's notes on a course, per lesson, oldest first (for exports)."""
    rows = session.exec(
        select(LessonNote)
        .where(
            LessonNote.profileId == profile.id,
            LessonNote.courseId == course_id,
            LessonNote.kind == NOTE,
            col(LessonNote.deleted).is_(False),
        )
        .order_by(col(LessonNote.createdAt), col(LessonNote.id))
    )
    result: dict[int, list[str]] = {}
    for row in rows:
        if row.text.strip():
            result.setdefault(row.lessonIdx, []).append(row.text)
    return result


# --- the wire form (used by sync) ------------------------------------------------------------


def to_wire(row: LessonNote) -> dict[str, Any]:
    """The contract's note object."""
    return {
        "id": row.id,
        "courseId": row.courseId,
        "lessonIdx": row.lessonIdx,
        "kind": row.kind,
        "text": row.text,
        "updatedAt": to_rfc3339(_aware(row.updatedAt)),
        "deleted": row.deleted,
    }


def is_newer(incoming: datetime, stored: datetime) -> bool:
    """The merge rule: the latest ``updatedAt`` wins; a tie keeps what is stored."""
    return _aware(incoming) > _aware(stored)


# --- plumbing --------------------------------------------------------------------------------


def _check_lesson(session: Session, profile: Profile, course_id: str, index: int) -> CourseAccess:
    access = course_access(session, profile, course_id)
    check_read(access)
    count = len(load_latest(session, profile, course_id, access.title).package.lessons)
    if not 0 <= index < count:
        raise LessonNotFound(access.title, index, count)
    return access


def _new_row(
    profile: Profile, course_id: str, index: int, kind: str, moment: datetime, text: str = ""
) -> LessonNote:
    """A new note or bookmark with a client-made id (the contract's note ``id``)."""
    return LessonNote(
        profileId=profile.id,
        id=str(uuid.uuid4()),
        courseId=course_id,
        lessonIdx=index,
        kind=kind,
        text=text,
        updatedAt=moment,
        createdAt=moment,
    )


def _own(session: Session, profile: Profile, note_id: str) -> LessonNote:
    row = session.get(LessonNote, (profile.id, note_id))
    if row is None or row.deleted:
        raise NoteNotFound(note_id)
    return row


def _tombstone(session: Session, profile: Profile, row: LessonNote, moment: datetime) -> None:
    row.deleted = True
    row.text = ""
    row.updatedAt = _later(moment, row.updatedAt)
    _save(session, profile, row)


def _save(session: Session, profile: Profile, row: LessonNote) -> None:
    session.add(row)
    if profile.server != LOCAL and _on_file_course(session, profile, row.courseId):
        return  # a note on an imported file stays on this machine, like its progress
    event_id = outbox.new_event_id()
    outbox.enqueue(
        session, profile, OUTBOX_KIND, to_wire(row), client_event_id=event_id, now=utcnow()
    )


def _on_file_course(session: Session, profile: Profile, course_id: str) -> bool:
    """Whether ``course_id`` addresses an imported file for this learner (not their server's
    course); a course no longer on the machine counts as the server's, so no edit is lost."""
    try:
        return resolve(session, profile, course_id).server == LOCAL
    except CourseNotFound:
        return False


def _stamp(now: datetime | None) -> datetime:
    """Now, to the millisecond the wire carries (so a stored time and its echo compare equal)."""
    moment = _aware(now or utcnow())
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _later(moment: datetime, previous: datetime) -> datetime:
    """A change is always later than what it replaces, even when this machine's clock is behind
    the machine that wrote the previous version: otherwise the older text would win."""
    before = _aware(previous)
    return moment if moment > before else before + timedelta(milliseconds=1)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _item(row: LessonNote, course_title: str = "", lesson_title: str = "") -> NoteItem:
    return NoteItem(
        id=row.id,
        course_id=row.courseId,
        lesson_idx=row.lessonIdx,
        kind=row.kind,
        text=row.text,
        updated_at=_aware(row.updatedAt),
        course_title=course_title or row.courseId,
        lesson_title=lesson_title,
    )


_Titles = dict[tuple[str, int], tuple[str, str]]


def _titles(session: Session, profile: Profile, course_ids: set[str]) -> _Titles:
    """(course, lesson) → (course title, lesson title), from the newest stored version the
    learner sees; a course no longer on the machine keeps its catalog title (or its id)."""
    titles: _Titles = {}
    for course_id in course_ids:
        stored: StoredPackage | None = latest_visible_package(session, profile, course_id)
        if stored is None:
            entry = catalog_entry(session, profile, course_id)
            titles[(course_id, -1)] = (entry.title if entry else course_id, "")
            continue
        titles[(course_id, -1)] = (stored.title, "")
        try:
            package = load_latest(session, profile, course_id, stored.title).package
        except PlayerError:
            continue
        for index, lesson in enumerate(package.lessons):
            titles[(course_id, index)] = (stored.title, lesson.title)
    return titles


def _fallback_titles(titles: _Titles, row: LessonNote) -> tuple[str, str]:
    return titles.get((row.courseId, -1), (row.courseId, ""))
