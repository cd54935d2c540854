"""``SyncController``: runs the core sync off the UI thread, on demand and every few minutes.

It owns no widget. Screens connect to its signals:

- ``started()``, ``progressed(done, total, message)``: a sync started / moved on;
- ``finished(SyncReport)``, ``failed(error)``: a sync ended (``Cancelled`` is quiet);
- ``sign_in_required(message)``: the server said 401 (or there is no token): ask the learner
  to sign in again; nothing queued is lost. Automatic syncs pause until ``set_profile`` is called
  again (after a sign-in);
- ``online_changed()``: ``online`` changed ("online" means the last request reached the server);
- ``status_changed(SyncStatus)``: what the status area shows (waiting, refused, last sync).

No signal carries a Python bool: PySide6 6.12.0 lost a reference to ``True``/``False``
on every Python-side emit of one (``Signal(bool)`` or ``Signal(object)``), which crashes the
interpreter sooner or later ("bool_dealloc"); state is read from the properties instead.

Automatic sync: about every ``interval_minutes`` (± 15 % at random, so a lab's machines spread
out) while online. While offline, each tick sends one cheap
request (``GET /api/auth/me``) and syncs as soon as the server answers again.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from player.errors import Cancelled, ServerUnavailable, SignInRequired, SyncError
from player.i18n import _
from player.services.handles import Profile, Store
from player.sync.engine import sync
from player.sync.report import (
    CATALOG,
    DOWNLOAD,
    ENTITLEMENTS,
    PRODUCTS,
    PROGRESS,
    UPLOAD,
    SyncPolicy,
    SyncProgress,
    SyncReport,
)
from player.sync.server_signin import open_client
from player.sync.status import SyncStatus, sync_status
from player.sync.tokens import TokenStore, default_tokens
from player.ui.tasks import Job, Pool, TaskHandle, TaskRunner

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_MINUTES = 10
#: Automatic syncs come every interval ± this fraction of it (drawn at random each time).
INTERVAL_JITTER = 0.15

STAGE_LABELS: dict[str, Callable[[], str]] = {
    CATALOG: lambda: _("Checking the catalog…"),
    UPLOAD: lambda: _("Uploading your progress…"),
    ENTITLEMENTS: lambda: _("Checking what you may open…"),
    PRODUCTS: lambda: _("Checking the store…"),
    DOWNLOAD: lambda: _("Downloading courses…"),
    PROGRESS: lambda: _("Fetching your progress…"),
}


def describe_progress(progress: SyncProgress) -> str:
    label = STAGE_LABELS.get(progress.stage, lambda: _("Syncing…"))()
    if progress.stage == DOWNLOAD and progress.total:
        return _("Downloading courses: {done} of {total}").format(
            done=progress.done, total=progress.total
        )
    return label


class SyncController(QObject):
    started = Signal()
    progressed = Signal(int, int, str)
    finished = Signal(object)  # SyncReport
    failed = Signal(object)  # BaseException
    sign_in_required = Signal(str)
    online_changed = Signal()
    status_changed = Signal(object)  # SyncStatus

    def __init__(
        self,
        store: Store,
        *,
        interval_minutes: int = DEFAULT_INTERVAL_MINUTES,
        tokens: TokenStore = default_tokens,
        pool: Pool | None = None,
        policy: SyncPolicy | None = None,
        client_options: dict[str, Any] | None = None,
        rng: random.Random | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._rng = rng or random.Random()
        self.store = store
        self.tokens = tokens
        self.policy = policy
        self.client_options = dict(client_options or {})
        # its own runner: a learner change here drops this controller's results only
        self.tasks = TaskRunner(self, pool=pool)
        self._profile: Profile | None = None
        self._handle: TaskHandle | None = None
        self._online: bool | None = None
        self._paused_for_sign_in = False
        self.last_report: SyncReport | None = None
        self.last_status: SyncStatus | None = None
        self.timer = QTimer(self)
        self.timer.setObjectName("syncTimer")
        self.timer.timeout.connect(self._tick)
        self.set_interval(interval_minutes)

    # --- state ---------------------------------------------------------------------------------

    @property
    def profile(self) -> Profile | None:
        return self._profile

    @property
    def online(self) -> bool | None:
        return self._online

    @property
    def running(self) -> bool:
        return self._handle is not None and not self._handle.done

    @property
    def can_sync(self) -> bool:
        return self._profile is not None and bool(self._profile.serverUrl)

    def set_interval(self, minutes: int) -> None:
        """Automatic sync about every ``minutes`` (the setting); 0 turns it off."""
        self.interval_minutes = max(0, int(minutes))
        if self.interval_minutes == 0:
            self.timer.stop()
            return
        self._spread_interval()
        if self.can_sync:
            self.timer.start()

    def _spread_interval(self) -> None:
        """The next wait: the setting, give or take ``INTERVAL_JITTER`` at random, drawn again
        after every tick, so that the machines of a lab, started together, do not all sync (or
        probe a struggling server) in the same second, again and again."""
        base = self.interval_minutes * 60_000
        spread = 1.0 + self._rng.uniform(-INTERVAL_JITTER, INTERVAL_JITTER)
        self.timer.setInterval(max(1, round(base * spread)))

    def set_profile(self, profile: Profile | None) -> None:
        """Sync for this learner from now on (None or the guest: no sync)."""
        self.tasks.reset()  # cancels running work; nothing of the previous learner arrives
        self._profile = profile
        self._paused_for_sign_in = False
        self.last_report = None
        if self.can_sync and self.interval_minutes:
            self.timer.start()
        else:
            self.timer.stop()
        self.refresh_status()

    # --- actions -------------------------------------------------------------------------------

    def sync_now(self) -> bool:
        """Start a sync in the background; False when one is running or there is no server."""
        if self.running or not self.can_sync or self._profile is None:
            return False
        profile = self._profile
        self.started.emit()
        self.progressed.emit(0, 0, _("Syncing…"))

        def work(job: Job) -> SyncReport:
            def report_progress(step: SyncProgress) -> None:
                job.progress(step.done, step.total, describe_progress(step))

            with open_client(profile, tokens=self.tokens, **self.client_options) as client:
                return sync(
                    self.store,
                    profile,
                    client,
                    on_progress=report_progress,
                    cancel=job.cancel_event.is_set,
                    policy=self.policy,
                )

        self._handle = self.tasks.network(
            work, self._done, self._failed, on_progress=self.progressed.emit
        )
        return True

    def cancel(self) -> None:
        if self._handle is not None and not self._handle.done:
            self._handle.cancel()

    def refresh_status(self) -> None:
        """Read the status (waiting, refused, last sync) in the background; emits status_changed."""
        profile = self._profile
        if profile is None:
            return
        self.tasks.read(
            lambda _job: sync_status(self.store, profile),
            self._status,
            lambda error: log.warning("sync status unavailable: %s", error),
        )

    # --- results -------------------------------------------------------------------------------

    def _done(self, report: SyncReport) -> None:
        self._handle = None
        self.last_report = report
        self._set_online(report.online)
        self.finished.emit(report)
        self.refresh_status()

    def _failed(self, error: BaseException) -> None:
        self._handle = None
        if isinstance(error, SignInRequired):
            self._paused_for_sign_in = True
            if self._profile is not None and self._profile.serverUrl:
                self.tokens.forget(self._profile.serverUrl, self._profile.userId)
            self.sign_in_required.emit(str(error))
        elif isinstance(error, ServerUnavailable) and error.kind == "offline":
            self._set_online(False)
        elif not isinstance(error, Cancelled):
            log.warning("sync failed: %s", error)
        self.failed.emit(error)
        self.refresh_status()

    def _status(self, status: SyncStatus) -> None:
        self.last_status = status
        self.status_changed.emit(status)

    def _set_online(self, online: bool | None) -> None:
        if online is None or online == self._online:
            return
        self._online = online
        self.online_changed.emit()

    # --- automatic sync ------------------------------------------------------------------------

    def _tick(self) -> None:
        if self.interval_minutes:
            self._spread_interval()
        if self.running or not self.can_sync or self._paused_for_sign_in:
            return
        if self._online is not False:
            self.sync_now()
            return
        profile = self._profile
        assert profile is not None

        def probe(_job: Job) -> str:  # a str, not a bool: see the module docstring
            try:
                with open_client(profile, tokens=self.tokens, **self.client_options) as client:
                    client.me()
            except ServerUnavailable as error:
                return "offline" if error.kind == "offline" else "online"
            except SyncError:
                return "online"  # the server answered (even if with a refusal)
            return "online"

        def reached(answer: str) -> None:
            if answer == "online":
                self._set_online(True)
                self.sync_now()

        self.tasks.network(probe, reached, lambda error: log.debug("probe: %s", error))
