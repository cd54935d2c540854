"""Sync of the learner's notes and bookmarks (the contract's "Notes and bookmarks").

One step: ``GET /api/learn/notes?since=<cursor>`` merged into the store (the latest ``updatedAt``
wins per note id; tombstones delete), then the outbox's note events uploaded with
``POST /api/learn/notes/batch``. Several queued edits of one note travel as its latest version;
the older events are marked sent with it.

A server without these routes (404, every seed-design server) leaves the notes on this machine:
the events stay pending, are not counted as waiting (so the sync is not "incomplete" every time),
and the learner's ``NotesSyncState`` remembers it; the report says it once, quietly. The next sync
asks again, so a server that gains the routes gets everything that was kept.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from sqlmodel import Session

from player.errors import ServerAnswerInvalid, ServerRefused, ServerUnavailable
from player.i18n import _
from player.services import notes, outbox
from player.store.models import LessonNote, NotesSyncState, Outbox, Profile
from player.sync.client import NOTES
from player.sync.report import NOTES_STAGE
from player.sync.run import Run
from player.sync.wire import REJECTED, NoteRecord, NoteResult

log = logging.getLogger(__name__)


def sync_notes(run: Run) -> None:
    run.progress(NOTES_STAGE, 0, 1, _("Syncing your notes"))
    if not _pull(run):
        return
    _push(run)
    run.progress(NOTES_STAGE, 1, 1, "")


# --- pull ------------------------------------------------------------------------------------


def _pull(run: Run) -> bool:
    """Merge what the server holds; False when it has no notes routes."""
    with run.store.read() as session:
        state = session.get(NotesSyncState, run.profile.id)
        cursor = state.cursor if state is not None else None
    try:
        page = run.client.notes_since(cursor)
    except ServerRefused as error:
        if error.status != 404:
            raise
        _unsupported(run)
        return False
    with run.store.write() as session:
        run.report.notes_merged += apply_server_notes(session, run.profile, page.items)
        state = session.get(NotesSyncState, run.profile.id) or NotesSyncState(
            profileId=run.profile.id
        )
        if state.unsupportedAt is not None:
            log.info("the server now keeps notes; uploading those kept on this machine")
        state.cursor = page.cursor or cursor
        state.unsupportedAt = None
        session.add(state)
    return True


def apply_server_notes(session: Session, profile: Profile, records: Iterable[NoteRecord]) -> int:
    """Store the server's notes that are newer than this machine's; return how many changed."""
    changed = 0
    for record in records:
        if record.kind not in notes.KINDS:
            log.info("ignoring a note of unknown kind %r", record.kind)
            continue
        row = session.get(LessonNote, (profile.id, record.id))
        if row is not None and not notes.is_newer(record.updated_at, row.updatedAt):
            continue
        if row is None:
            row = LessonNote(
                profileId=profile.id,
                id=record.id,
                courseId=record.course_id,
                lessonIdx=record.lesson_idx,
                kind=record.kind,
                updatedAt=record.updated_at,
                createdAt=record.updated_at,
            )
        row.courseId, row.lessonIdx, row.kind = record.course_id, record.lesson_idx, record.kind
        row.text = "" if record.deleted else record.text
        row.deleted = record.deleted
        row.updatedAt = record.updated_at
        session.add(row)
        changed += 1
    return changed


def _unsupported(run: Run) -> None:
    """A server without notes: keep them here, remember it, say so once and quietly."""
    run.client.missing.add(NOTES)
    with run.store.write() as session:
        state = session.get(NotesSyncState, run.profile.id) or NotesSyncState(
            profileId=run.profile.id
        )
        first_time = state.unsupportedAt is None
        if first_time:
            state.unsupportedAt = run.now()
            session.add(state)
    run.report.notes_local_only = True
    if first_time:
        log.info("the server has no notes routes; notes stay on this machine")


# --- push ------------------------------------------------------------------------------------


def _push(run: Run) -> None:
    with run.store.read() as session:
        rows = outbox.due_items(session, run.profile, notes.OUTBOX_KIND, run.now())
    if not rows:
        return
    # The latest queued version of each note stands for all its queued versions.
    groups: dict[str, list[Outbox]] = {}
    for row in rows:
        groups.setdefault(str(row.payload.get("id")), []).append(row)
    latest = [group[-1] for group in groups.values()]
    for start in range(0, len(latest), max(1, run.policy.batch_size)):
        run.check_cancel()
        chunk = latest[start : start + run.policy.batch_size]
        try:
            results = run.client.notes_batch([r.payload for r in chunk])
        except ServerRefused as error:
            if error.status == 404:
                _unsupported(run)
                return
            _reject(run, [g for c in chunk for g in groups[_note_id(c)]], error.message)
            continue
        except (ServerUnavailable, ServerAnswerInvalid) as error:
            run.transient("note", "", error)
            run.schedule_retry([g for c in chunk for g in groups[_note_id(c)]], error)
            if run.push_blocked:
                return
            continue
        _record(run, chunk, groups, results)


def _record(
    run: Run, chunk: Sequence[Outbox], groups: dict[str, list[Outbox]], results: list[NoteResult]
) -> None:
    by_id = {r.id: r for r in results if r.id}
    positional = len(results) == len(chunk)
    sent: list[int] = []
    rejected: list[tuple[Outbox, str]] = []
    unanswered: list[Outbox] = []
    for position, row in enumerate(chunk):
        group = groups[_note_id(row)]
        result = by_id.get(_note_id(row))
        if result is None and positional and results[position].id is None:
            result = results[position]
        if result is None:
            unanswered.extend(group)
        elif result.status == REJECTED:
            rejected.extend((r, result.error_message or _("refused")) for r in group)
        else:  # applied, or stale: the server holds a newer version, which the pull brought
            sent.extend(r.id for r in group if r.id is not None)
    with run.store.write() as session:
        outbox.mark_sent(session, sent, run.now())
        for row, message in rejected:
            _reject_in(run, session, row, message)
    run.report.notes_sent += len({_note_id(r) for r in chunk}) - len(
        {_note_id(r) for r in unanswered} | {_note_id(r) for r, _m in rejected}
    )
    if unanswered:
        no_answer = ServerAnswerInvalid(
            _("The server did not answer for {n} notes; they are sent again later.").format(
                n=len({_note_id(r) for r in unanswered})
            )
        )
        run.transient("note", "", no_answer)
        run.schedule_retry(unanswered, no_answer)


def _reject(run: Run, rows: Sequence[Outbox], message: str) -> None:
    with run.store.write() as session:
        for row in rows:
            _reject_in(run, session, row, message)


def _reject_in(run: Run, session: Session, row: Outbox, message: str) -> None:
    assert row.id is not None
    outbox.mark_rejected(session, row.id, message, run.now())
    run.report.events_rejected += 1
    run.error(
        "note",
        _note_id(row),
        _("A note on “{course}”, lesson {lesson}: {reason}").format(
            course=row.payload.get("courseId", "?"),
            lesson=row.payload.get("lessonIdx"),
            reason=message,
        ),
        final=True,
    )


def _note_id(row: Outbox) -> str:
    return str(row.payload.get("id"))
