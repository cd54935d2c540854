"""What a sync did (``SyncReport``), how it reports progress, and the knobs it takes."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from player.i18n import _, ngettext
from player.sync.backoff import Backoff

#: The default total deadline of one sync run, in seconds.
SYNC_DEADLINE = 30 * 60.0

# Stages, in the order a sync runs them (``SyncProgress.stage``).
CATALOG, UPLOAD, ENTITLEMENTS, PRODUCTS, DOWNLOAD, PROGRESS, NOTES_STAGE = (
    "catalog",
    "upload",
    "entitlements",
    "products",
    "download",
    "progress",
    "notes",
)


@dataclass(frozen=True, slots=True)
class SyncProgress:
    stage: str
    done: int
    total: int
    message: str = ""


ProgressCallback = Callable[[SyncProgress], None]
CancelCheck = Callable[[], bool]


@dataclass(frozen=True, slots=True)
class SyncPolicy:
    """Tuning; tests shrink the backoff, the benchmark may change the batch sizes."""

    backoff: Backoff = field(default_factory=Backoff)
    batch_size: int = 500  # progress and audit events per request (the contract's maximum)
    download_workers: int = 4  # concurrent package downloads (one keep-alive connection each)
    store_every: int = 64  # packages stored per write transaction
    store_bytes: int = 8 * 1024 * 1024  # ...and at most about this many package bytes
    rng: random.Random | None = None
    #: Seconds one whole sync run may take (docs/limits.md); what is not done by then is done
    #: by the next sync. The command line lowers it to what is left of ``--max-wait``.
    deadline: float = SYNC_DEADLINE


@dataclass(frozen=True, slots=True)
class ItemError:
    """One thing that went wrong. ``final``: a final answer (not retried as such)."""

    kind: str  # "course" | "enrollment" | "progress" | "audit" | a stage name
    item: str  # course id, event id, or "" for a whole stage
    message: str
    final: bool = False


@dataclass
class SyncReport:
    started_at: datetime
    finished_at: datetime | None = None
    courses_downloaded: int = 0
    courses_unchanged: int = 0
    courses_failed: int = 0
    courses_not_downloadable: int = 0  # the server refused (not entitled), not an error
    events_sent: int = 0
    events_rejected: int = 0
    events_retrying: int = 0  # failed this time, scheduled for a later attempt
    events_waiting: int = 0  # still pending after this sync (any reason)
    events_held: int = 0  # kept for a server that accepts them (no audit endpoint)
    progress_merged: int = 0
    notes_sent: int = 0  # notes and bookmarks (and their deletions) the server took
    notes_merged: int = 0  # notes changed on this machine by the server's newer versions
    notes_held: int = 0  # note changes kept here: the server has no notes routes
    notes_local_only: bool = False  # the server answered 404: notes stay on this machine
    requests: int = 0
    errors: list[ItemError] = field(default_factory=list)
    online: bool | None = None  # the last request reached the server
    incomplete: bool = False  # something failed transiently: sync again later
    retry_after: float | None = None  # the longest Retry-After the server asked for
    next_attempt_at: datetime | None = None  # when the earliest waiting item is due
    cancelled: bool = False
    timed_out: bool = False  # the run's total deadline passed before everything was done
    notes: list[str] = field(default_factory=list)

    @property
    def rejected_errors(self) -> list[ItemError]:
        return [e for e in self.errors if e.final]

    @property
    def delivered(self) -> bool:
        """Everything was delivered or finally answered, and nothing needs another try."""
        return (
            not self.incomplete
            and not self.cancelled
            and self.events_waiting == 0
            and self.courses_failed == 0
            and self.online is not False
        )

    def summary(self) -> str:
        text = ", ".join(
            [
                ngettext(
                    "{n} course downloaded", "{n} courses downloaded", self.courses_downloaded
                ).format(n=self.courses_downloaded),
                ngettext("{n} unchanged", "{n} unchanged", self.courses_unchanged).format(
                    n=self.courses_unchanged
                ),
                ngettext("{n} event sent", "{n} events sent", self.events_sent).format(
                    n=self.events_sent
                ),
            ]
        )
        if self.courses_failed:
            text += ", " + ngettext(
                "{n} course failed", "{n} courses failed", self.courses_failed
            ).format(n=self.courses_failed)
        if self.events_rejected:
            text += ", " + ngettext(
                "{n} event refused by the server",
                "{n} events refused by the server",
                self.events_rejected,
            ).format(n=self.events_rejected)
        if self.events_waiting:
            text += ", " + ngettext(
                "{n} item waiting", "{n} items waiting", self.events_waiting
            ).format(n=self.events_waiting)
        if self.online is False:
            text += " " + _("(offline)")
        return text
