"""The sync status for the status bar: online or offline, last sync, items waiting, refusals.

While a sync runs it shows its progress (courses downloaded of total). Clicking the summary opens
``SyncDetailsDialog``; the small button syncs now.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QToolButton,
    QWidget,
)

from player.errors import Cancelled, SignInRequired
from player.i18n import _, ngettext
from player.sync.report import SyncReport
from player.sync.status import SyncStatus
from player.ui.sync.controller import SyncController
from player.ui.sync.details_dialog import SyncDetailsDialog, format_moment

ONLINE_DOT = "●"


class SyncStatusWidget(QWidget):
    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatusWidget")
        self.controller = controller
        self.details_dialog: SyncDetailsDialog | None = None
        self._status: SyncStatus | None = None
        self._problem = ""

        self.dot = QLabel(ONLINE_DOT, self)
        self.dot.setObjectName("syncOnlineDot")
        self.summary_button = QToolButton(self)
        self.summary_button.setObjectName("syncSummaryButton")
        self.summary_button.setAutoRaise(True)
        self.summary_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.summary_button.clicked.connect(self.show_details)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("syncProgress")
        self.progress_bar.setMaximumWidth(140)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setAccessibleName(_("Sync progress"))
        self.progress_bar.hide()
        self.sync_button = QToolButton(self)
        self.sync_button.setObjectName("syncNowToolButton")
        self.sync_button.setText(_("Sync now"))
        self.sync_button.setAutoRaise(True)
        self.sync_button.clicked.connect(self.controller.sync_now)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.dot)
        layout.addWidget(self.summary_button)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.sync_button)

        controller.started.connect(self._on_started)
        controller.progressed.connect(self._on_progress)
        controller.finished.connect(self._on_finished)
        controller.failed.connect(self._on_failed)
        controller.online_changed.connect(self._render)
        controller.status_changed.connect(self._on_status)
        self._render()

    # --- what is shown -------------------------------------------------------------------------

    def summary_text(self) -> str:
        controller = self.controller
        if not controller.can_sync:
            return _("Not signed in to a server")
        parts = []
        online = controller.online
        if online is True:
            parts.append(_("Online"))
        elif online is False:
            parts.append(_("Offline"))
        status = self._status
        if status is not None:
            if status.last_success_at is not None:
                parts.append(_("synced {when}").format(when=format_moment(status.last_success_at)))
            else:
                parts.append(_("not synced yet"))
            if status.pending:
                parts.append(
                    ngettext("{n} waiting", "{n} waiting", status.pending).format(n=status.pending)
                )
            if status.rejected:
                parts.append(
                    ngettext("{n} refused", "{n} refused", status.rejected).format(
                        n=status.rejected
                    )
                )
        return " · ".join(parts)

    def _render(self) -> None:
        text = self.summary_text()
        if self._problem:
            text = f"{text} · {self._problem}" if text else self._problem
        self.summary_button.setText(text)
        self.summary_button.setToolTip(_("Show what is waiting and what the server refused"))
        self.summary_button.setAccessibleName(_("Sync status: {text}").format(text=text))
        online = self.controller.online
        self.dot.setStyleSheet(f"color: {'#2e7d32' if online else '#9e9e9e'};")
        self.dot.setToolTip(_("Online") if online else _("Offline"))
        self.dot.setAccessibleName(_("Online") if online else _("Offline"))
        self.sync_button.setEnabled(self.controller.can_sync and not self.controller.running)

    # --- signals -------------------------------------------------------------------------------

    def _on_started(self) -> None:
        self.progress_bar.setVisible(True)
        self.progress_bar.setRange(0, 0)  # busy until the first count arrives
        self._problem = ""
        self._render()

    def _on_progress(self, done: int, total: int, message: str) -> None:
        if total > 1:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(done)
        self.progress_bar.setToolTip(message)
        self.progress_bar.setAccessibleDescription(message)

    def _on_finished(self, report: SyncReport) -> None:
        self.progress_bar.hide()
        self._problem = ""
        if report.courses_failed:
            self._problem = ngettext(
                "{n} course failed", "{n} courses failed", report.courses_failed
            ).format(n=report.courses_failed)
        self._render()

    def _on_failed(self, error: BaseException) -> None:
        self.progress_bar.hide()
        if isinstance(error, SignInRequired):
            self._problem = _("sign-in needed")
        elif not isinstance(error, Cancelled):
            self._problem = _("sync failed")
        self._render()

    def _on_status(self, status: SyncStatus) -> None:
        self._status = status
        if self.details_dialog is not None:
            self.details_dialog.set_status(status)
        self._render()

    # --- details -------------------------------------------------------------------------------

    def show_details(self) -> SyncDetailsDialog:
        """Open (or raise) the details of pending and refused items."""
        if self.details_dialog is None:
            dialog = SyncDetailsDialog(self._status, self.window())
            dialog.sync_requested.connect(self.controller.sync_now)
            dialog.finished.connect(lambda _code: setattr(self, "details_dialog", None))
            self.details_dialog = dialog
        self.controller.refresh_status()
        self.details_dialog.show()
        self.details_dialog.raise_()
        return self.details_dialog
