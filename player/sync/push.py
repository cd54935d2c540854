"""Upload: the learner's outbox, oldest first: enrollments, then progress, then audit events.

An item is marked sent only in the transaction that records the server's acknowledgement, so a
crash between the request and that commit only means the item is sent again; the server
deduplicates (``clientEventId`` for progress, ``id`` for audit, one enrollment per course).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlmodel import Session, select

from player.errors import ServerAnswerInvalid, ServerRefused, ServerUnavailable
from player.i18n import _
from player.services import audit, outbox
from player.store.models import Outbox
from player.sync import merge
from player.sync.client import AUDIT, PROGRESS_BATCH
from player.sync.report import UPLOAD
from player.sync.run import Run
from player.sync.wire import DUPLICATE, HELD, REJECTED, STALE, BatchResult, ProgressRow

log = logging.getLogger(__name__)

T = TypeVar("T")
SINGLE_COMMIT_EVERY = 50


def push(run: Run) -> None:
    push_enrollments(run)
    if not run.push_blocked:
        push_progress(run)
    if not run.push_blocked:
        push_audit(run)


# --- enrollments -----------------------------------------------------------------------------


def push_enrollments(run: Run) -> None:
    with run.store.read() as session:
        rows = outbox.due_items(session, run.profile, "enrollment", run.now())
    for row in rows:
        run.check_cancel()
        course_id = str(row.payload.get("courseId", ""))
        try:
            info = run.client.enroll(course_id)
        except ServerRefused as error:
            _reject(run, row, error.message, audit_it=False)
            continue
        except (ServerUnavailable, ServerAnswerInvalid) as error:
            run.transient("enrollment", course_id, error)
            run.schedule_retry([row], error)
            if run.push_blocked:
                return
            continue
        with run.store.write() as session:
            outbox.mark_sent(session, [_id(row)], run.now())
            merge.adopt_enrollment(session, run.profile, info, run.now())
        run.report.events_sent += 1


# --- progress --------------------------------------------------------------------------------


def push_progress(run: Run) -> None:
    with run.store.read() as session:
        waiting_enrollment = merge.pending_enrollment_courses(session, run.profile)
        rows = outbox.due_items(session, run.profile, "progress", run.now())
    # A course whose enrollment has not reached the server yet would refuse its progress
    # (NOT_ENROLLED, final): hold those events until the enrollment is through.
    rows = [r for r in rows if r.payload.get("courseId") not in waiting_enrollment]
    if not rows:
        return
    done = 0
    for chunk in _chunks(rows, run.policy.batch_size):
        run.check_cancel()
        if PROGRESS_BATCH in run.client.missing:
            _push_progress_singly(run, chunk)
        else:
            _push_progress_batch(run, chunk)
        if run.push_blocked:
            return
        done += len(chunk)
        run.progress(UPLOAD, done, len(rows), _("Uploading your progress"))


def _payload(row: Outbox) -> dict[str, Any]:
    event = dict(row.payload)
    event["clientEventId"] = row.clientEventId
    return event


def _push_progress_batch(run: Run, chunk: Sequence[Outbox]) -> None:
    try:
        results = run.client.progress_batch([_payload(r) for r in chunk])
    except ServerRefused as error:
        if error.status == 404:
            log.info("the server has no progress batch endpoint; sending events one by one")
            run.client.missing.add(PROGRESS_BATCH)
        # A refused batch (an older server, or one bad event): send this chunk one by one, so
        # each event gets its own answer and one bad event never sinks the others.
        _push_progress_singly(run, chunk)
        return
    except (ServerUnavailable, ServerAnswerInvalid) as error:
        run.transient("progress", "", error)
        run.schedule_retry(chunk, error)
        return
    by_id = {r.client_event_id: r for r in results if r.client_event_id}
    positional = len(results) == len(chunk)
    sent: list[int] = []
    rejected: list[tuple[Outbox, str]] = []
    unanswered: list[Outbox] = []
    for position, row in enumerate(chunk):
        result: BatchResult | None = by_id.get(row.clientEventId)
        if result is None and positional and results[position].client_event_id is None:
            result = results[position]
        if result is None:
            unanswered.append(row)
        elif result.status in HELD:
            sent.append(_id(row))
            if result.status in (STALE, DUPLICATE):
                run.refresh_courses.add(str(row.payload.get("courseId")))
        elif result.status == REJECTED:
            rejected.append((row, result.error_message or result.error_code or _("refused")))
    with run.store.write() as session:
        outbox.mark_sent(session, sent, run.now())
        for row, message in rejected:
            _reject_in(run, session, row, message)
    run.report.events_sent += len(sent)
    if unanswered:
        no_answer = ServerAnswerInvalid(
            _("The server did not answer for {n} events; they are sent again later.").format(
                n=len(unanswered)
            )
        )
        run.transient("progress", "", no_answer)
        run.schedule_retry(unanswered, no_answer)


def _push_progress_singly(run: Run, chunk: Sequence[Outbox]) -> None:
    """One ``POST /api/learn/progress`` per event (a server without the batch endpoint)."""
    with run.store.read() as session:
        waiting = Counter(_key(r) for r in _pending_progress(run, session))
    acked: list[tuple[Outbox, ProgressRow]] = []

    def flush() -> None:
        if not acked:
            return
        keep = {key for key, n in waiting.items() if n > 0}
        with run.store.write() as session:
            outbox.mark_sent(session, [_id(r) for r, _row in acked], run.now())
            merge.apply_server_progress(session, run.profile, [a for _r, a in acked], keep)
        run.report.events_sent += len(acked)
        acked.clear()

    try:
        for row in chunk:
            run.check_cancel()
            try:
                answer = run.client.post_progress(_payload(row))
            except ServerRefused as error:
                waiting[_key(row)] -= 1
                with run.store.write() as session:
                    _reject_in(run, session, row, error.message)
                continue
            except (ServerUnavailable, ServerAnswerInvalid) as error:
                run.transient("progress", row.clientEventId, error)
                run.schedule_retry([row], error)
                if run.push_blocked:
                    return
                continue
            waiting[_key(row)] -= 1
            acked.append((row, answer))
            if len(acked) >= SINGLE_COMMIT_EVERY:
                flush()
    finally:
        flush()


def _pending_progress(run: Run, session: Session) -> list[Outbox]:
    return list(
        session.exec(
            select(Outbox).where(
                Outbox.profileId == run.profile.id,
                Outbox.kind == "progress",
                Outbox.state == outbox.PENDING,
            )
        )
    )


def _key(row: Outbox) -> tuple[str, int]:
    return (str(row.payload.get("courseId")), int(row.payload.get("lessonIdx", -1)))


# --- audit -----------------------------------------------------------------------------------


def push_audit(run: Run) -> None:
    with run.store.read() as session:
        rows = outbox.due_items(session, run.profile, "audit", run.now())
    if AUDIT in run.client.missing:
        run.report.events_held += len(rows)
        return
    for index, chunk in enumerate(_chunks(rows, run.policy.batch_size)):
        run.check_cancel()
        try:
            accepted = set(run.client.audit_events([r.payload for r in chunk]))
        except ServerRefused as error:
            if error.status == 404:
                # An older server without audit upload: keep the events (not rejected, not
                # lost) for a server that accepts them; no retry in this sync.
                run.client.missing.add(AUDIT)
                remaining = len(rows) - index * run.policy.batch_size
                run.report.events_held += remaining
                log.info("the server has no audit endpoint; %d events kept", remaining)
                return
            _push_audit_singly(run, chunk, error)
            continue
        except (ServerUnavailable, ServerAnswerInvalid) as error:
            run.transient("audit", "", error)
            run.schedule_retry(chunk, error)
            if run.push_blocked:
                return
            continue
        _record_audit_answer(run, chunk, accepted)


def _push_audit_singly(run: Run, chunk: Sequence[Outbox], batch_error: ServerRefused) -> None:
    if len(chunk) == 1:
        _reject(run, chunk[0], batch_error.message, audit_it=False)
        return
    for row in chunk:
        run.check_cancel()
        try:
            accepted = set(run.client.audit_events([row.payload]))
        except ServerRefused as error:
            _reject(run, row, error.message, audit_it=False)
            continue
        except (ServerUnavailable, ServerAnswerInvalid) as error:
            run.transient("audit", row.clientEventId, error)
            run.schedule_retry([row], error)
            if run.push_blocked:
                return
            continue
        _record_audit_answer(run, [row], accepted)


def _record_audit_answer(run: Run, chunk: Sequence[Outbox], accepted: set[str]) -> None:
    sent = [r for r in chunk if str(r.payload.get("id", r.clientEventId)) in accepted]
    missing = [r for r in chunk if r not in sent]
    with run.store.write() as session:
        outbox.mark_sent(session, [_id(r) for r in sent], run.now())
    run.report.events_sent += len(sent)
    if missing:
        error = ServerAnswerInvalid(
            _("The server did not accept {n} audit events; they are sent again later.").format(
                n=len(missing)
            )
        )
        run.transient("audit", "", error)
        run.schedule_retry(missing, error)


# --- shared ----------------------------------------------------------------------------------


def _reject(run: Run, row: Outbox, message: str, *, audit_it: bool = True) -> None:
    with run.store.write() as session:
        _reject_in(run, session, row, message, audit_it=audit_it)


def _reject_in(
    run: Run, session: Session, row: Outbox, message: str, *, audit_it: bool = True
) -> None:
    """A final refusal: keep the item with the reason, show it, and audit it (progress)."""
    outbox.mark_rejected(session, _id(row), message, run.now())
    run.report.events_rejected += 1
    run.error(row.kind, row.clientEventId, _describe(row, message), final=True)
    if audit_it and row.kind == "progress":
        audit.log_audit_event(
            run.store,
            run.profile,
            audit.PROGRESS_SYNC_REJECTED,
            "LessonProgress",
            row.clientEventId,
            {
                "courseId": row.payload.get("courseId"),
                "lessonIdx": row.payload.get("lessonIdx"),
                "reason": message,
            },
            session=session,
            now=run.now(),
        )


def _describe(row: Outbox, message: str) -> str:
    course = row.payload.get("courseId", "?")
    if row.kind == "progress":
        return _("Progress in “{course}”, lesson {lesson}: {reason}").format(
            course=course, lesson=row.payload.get("lessonIdx"), reason=message
        )
    if row.kind == "enrollment":
        return _("Enrollment in “{course}”: {reason}").format(course=course, reason=message)
    return _("Audit event {action}: {reason}").format(
        action=row.payload.get("action", "?"), reason=message
    )


def _id(row: Outbox) -> int:
    assert row.id is not None
    return row.id


def _chunks(rows: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), max(1, size)):
        yield rows[start : start + size]
