"""The state of one sync run, shared by the pull and push steps."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from player.errors import Cancelled, ServerAnswerInvalid, ServerUnavailable
from player.i18n import _
from player.services import outbox
from player.store.db import Store
from player.store.models import Outbox, Profile
from player.sync.client import ApiClient
from player.sync.report import (
    CancelCheck,
    ItemError,
    ProgressCallback,
    SyncPolicy,
    SyncProgress,
    SyncReport,
)
from player.sync.wire import CatalogCourse
from player.timeutil import utcnow

log = logging.getLogger(__name__)

Transient = ServerUnavailable | ServerAnswerInvalid


class OutOfTime(Exception):
    """The run's total deadline passed: it stops where it is (the engine catches this)."""


@dataclass
class Run:
    store: Store
    profile: Profile
    client: ApiClient
    report: SyncReport
    policy: SyncPolicy
    fixed_now: datetime | None = None
    on_progress: ProgressCallback | None = None
    cancel: CancelCheck | None = None
    #: The catalog fetched in this run (None when it could not be fetched).
    catalog: list[CatalogCourse] | None = None
    #: Courses whose server progress must be fetched again (an event came back stale).
    refresh_courses: set[str] = field(default_factory=set)
    #: Courses with a ``DownloadIssue`` row for this learner (so clearing one costs nothing).
    download_issues: set[str] = field(default_factory=set)
    #: The server asked to wait (429/503) or cannot be reached: no more uploads this run.
    push_blocked: bool = False
    #: ``time.monotonic()`` at which the run stops starting new work (``policy.deadline``).
    deadline: float | None = None
    #: The entitlements' ``issuedAt`` of this run: the server's time (for the trusted clock).
    issued_at: datetime | None = None

    def now(self) -> datetime:
        """The time to stamp and schedule with (fixed when the caller gave one, for tests)."""
        return self.fixed_now or utcnow()

    def out_of_time(self) -> bool:
        """True once the run's total deadline has passed (noted once in the report)."""
        if self.deadline is None or time.monotonic() < self.deadline:
            return False
        if not self.report.timed_out:
            self.report.timed_out = True
            self.report.incomplete = True
            log.info("sync deadline passed; the rest is left for the next sync")
            self.report.notes.append(
                _(
                    "The sync took longer than its time limit and stopped; what it fetched is "
                    "kept and the next sync carries on."
                )
            )
        return True

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel():
            raise Cancelled(_("Sync cancelled. Nothing is lost; sync again to finish."))
        if self.out_of_time():
            raise OutOfTime

    def progress(self, stage: str, done: int, total: int, message: str = "") -> None:
        if self.on_progress is not None:
            try:
                self.on_progress(SyncProgress(stage, done, total, message))
            except Exception:  # a broken progress display must not break the sync
                log.exception("sync progress callback failed")

    def error(self, kind: str, item: str, message: str, *, final: bool) -> None:
        self.report.errors.append(ItemError(kind, item, message, final))

    def transient(self, kind: str, item: str, error: Transient) -> None:
        """Note a try-again-later failure of one request."""
        self.report.incomplete = True
        self.error(kind, item, str(error), final=False)
        if isinstance(error, ServerUnavailable):
            if error.kind == "offline":
                self.report.online = False
            if error.retry_after is not None:
                self.report.retry_after = max(self.report.retry_after or 0.0, error.retry_after)

    def schedule_retry(self, rows: Sequence[Outbox], error: Transient) -> None:
        """Count an attempt for ``rows`` and schedule the next one (backoff, Retry-After)."""
        if not rows:
            return
        attempts = max(row.attempts for row in rows) + 1
        retry_after = error.retry_after if isinstance(error, ServerUnavailable) else None
        next_at = self.policy.backoff.next_attempt(
            self.now(), attempts, retry_after, self.policy.rng
        )
        with self.store.write() as session:
            outbox.schedule_retry(
                session, [r.id for r in rows if r.id is not None], next_at, str(error)
            )
        self.report.events_retrying += len(rows)
        if isinstance(error, ServerUnavailable) and (
            error.kind == "offline" or error.status in (429, 503)
        ):
            self.push_blocked = True
