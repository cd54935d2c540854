"""The sync entry point: one call that pulls and pushes, with progress and a cancel check.

Order of a run:

0. ``GET /api/learn/keys`` → the server's signing keys, checked against the pinned ones
   (``player.sync.keys``; a key change nobody vouched for stops the run);
1. ``GET /api/learn/courses`` → the tenant's catalog rows;
2. upload the outbox (enrollments, progress, audit), so what follows sees the learner's work;
3. ``GET /api/learn/entitlements`` → enrollments, purchases, the offline lease;
4. ``GET /api/store/products`` → the tenant's products;
5. packages the learner may open whose version or sha256 is not stored;
6. ``GET /api/learn/progress?since=<cursor>`` (or per course) merged into local progress;
7. notes and bookmarks: ``GET /api/learn/notes?since=<cursor>`` merged, then the queued changes
   uploaded (``player.sync.notes``; a server without the routes keeps them on this machine).

Each step commits what it got; a step failing for a reason that may pass (no network, 5xx, 429,
a malformed answer) is reported and the others still run. No network at all stops the run. A
401 stops it and raises ``SignInRequired`` with everything kept; cancelling raises
``Cancelled``. Either way the next sync carries on from what is stored.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from player.errors import (
    Cancelled,
    ServerAnswerInvalid,
    ServerRefused,
    ServerUnavailable,
    SignInRequired,
)
from player.i18n import _
from player.services import clock
from player.services.outbox import PENDING
from player.store.db import Store
from player.store.models import Outbox, Profile, SyncState
from player.sync import keys, notes, pull, push
from player.sync.client import AUDIT, NOTES, ApiClient
from player.sync.report import (
    CancelCheck,
    ProgressCallback,
    SyncPolicy,
    SyncReport,
)
from player.sync.run import OutOfTime, Run
from player.timeutil import utcnow

log = logging.getLogger(__name__)

Step = tuple[str, Callable[[Run], None]]

STEPS: tuple[Step, ...] = (
    ("keys", keys.pull_keys),
    ("catalog", pull.pull_catalog),
    ("upload", push.push),
    ("entitlements", pull.pull_entitlements),
    ("products", pull.pull_products),
    ("download", pull.download_courses),
    ("progress", pull.pull_progress),
    ("notes", notes.sync_notes),
)


def sync(
    store: Store,
    profile: Profile,
    client: ApiClient,
    *,
    on_progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    now: datetime | None = None,
    policy: SyncPolicy | None = None,
) -> SyncReport:
    """Bring the learner's store and the server up to date with each other.

    ``now`` fixes the clock (due items, stamps and schedules) for tests. Returns what happened;
    raises ``SignInRequired`` (a 401) or ``Cancelled``.
    """
    started = now or utcnow()
    report = SyncReport(started_at=started)
    run = Run(
        store=store,
        profile=profile,
        client=client,
        report=report,
        policy=policy or SyncPolicy(),
        fixed_now=now,
        on_progress=on_progress,
        cancel=cancel,
    )
    first_request = client.requests_made
    # what stopped the run, as text: never the exception itself, whose traceback holds this
    # frame (a cycle that only the collector frees, perhaps on another thread)
    stopped: str | None = None
    run.deadline = time.monotonic() + max(0.0, run.policy.deadline)
    previous_deadline = client.deadline
    client.deadline = (
        run.deadline if previous_deadline is None else min(run.deadline, previous_deadline)
    )
    try:
        for name, step in STEPS:
            run.check_cancel()
            _run_step(run, name, step)
            if report.online is False:
                report.notes.append(_("The course server cannot be reached; sync again later."))
                break
    except OutOfTime:
        pass  # noted in the report by ``Run.out_of_time``
    except SignInRequired as error:
        stopped = str(error)
        raise
    except Cancelled as error:
        report.cancelled = True
        stopped = str(error)
        raise
    finally:
        client.deadline = previous_deadline
        report.requests = client.requests_made - first_request
        if report.online is None:
            report.online = client.reached_server
        _finish(run, stopped)
    return report


def _run_step(run: Run, name: str, step: Callable[[Run], None]) -> None:
    try:
        step(run)
    except (ServerUnavailable, ServerAnswerInvalid) as error:
        log.info("sync step %s failed for now: %s", name, error)
        run.transient(name, "", error)
    except ServerRefused as error:
        log.warning("sync step %s refused: %s (%s)", name, error, error.error_code)
        run.error(name, "", str(error), final=True)


def _finish(run: Run, stopped: str | None) -> None:
    """Count what is waiting and record the run in ``SyncState`` (also after a 401 or cancel)."""
    report = run.report
    profile = run.profile
    report.finished_at = run.now()
    held_kinds = {"audit"} if AUDIT in run.client.missing else set()
    try:
        with run.store.write() as session:
            waiting = session.exec(
                select(Outbox.kind, func.count(), func.min(Outbox.nextAttemptAt))
                .where(Outbox.profileId == profile.id, Outbox.state == PENDING)
                .group_by(col(Outbox.kind))
            ).all()
            report.events_waiting = 0
            for kind, count, next_at in waiting:
                if kind == "note" and NOTES in run.client.missing:
                    report.notes_held = int(count)  # kept on this machine, not "waiting"
                    continue
                if kind in held_kinds:
                    report.events_held = max(report.events_held, int(count))
                    continue
                report.events_waiting += int(count)
                if next_at is not None and (
                    report.next_attempt_at is None or next_at < report.next_attempt_at
                ):
                    report.next_attempt_at = next_at
            state = session.get(SyncState, profile.id) or SyncState(
                profileId=profile.id, server=profile.server
            )
            state.lastAttemptAt = report.started_at
            if stopped is None and report.online is not False and not report.incomplete:
                state.lastSuccessAt = report.finished_at
            state.lastError = (
                stopped
                if stopped is not None
                else (report.errors[0].message if report.errors else None)
            )
            session.add(state)
            _note_server_time(run, session)
    except Exception:  # recording must never hide the real outcome of the run
        log.exception("could not record the sync state")
    log.info(
        "sync of %s: %s; %d requests; %d errors",
        profile.id,
        report.summary(),
        report.requests,
        len(report.errors),
    )


def _note_server_time(run: Run, session: Session) -> None:
    """The server's time becomes the floor of trusted time (``player.services.clock``): the
    later of its latest ``Date`` header and the entitlements' ``issuedAt``, paired with the
    computer's clock when that answer came. Without either, the local reading is kept."""
    client = run.client
    seen = [t for t in (client.server_time, run.issued_at) if t is not None]
    clock.note_local_time(session, client.clock())
    if seen:  # that server's floor only: a wrong Date moves no other server's, nor the local one
        clock.note_server_time(
            session, run.profile.server, max(seen), client.server_time_seen_at or client.clock()
        )


__all__ = ["SyncPolicy", "SyncReport", "sync"]
