"""Details of the sync status: what is waiting for upload, what the server refused and why, and
courses that could not be downloaded."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime, QLocale, Qt, QTimeZone, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from player.i18n import _, ngettext
from player.sync.status import SyncStatus


def format_moment(moment: datetime | None) -> str:
    """A local, short date and time ("never" when None)."""
    if moment is None:
        return _("never")
    stamp = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()), QTimeZone.utc()).toLocalTime()
    return QLocale().toString(stamp, QLocale.FormatType.ShortFormat)


class SyncDetailsDialog(QDialog):
    sync_requested = Signal()

    def __init__(self, status: SyncStatus | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncDetailsDialog")
        self.setWindowTitle(_("Sync details"))
        self.resize(640, 480)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.waiting_label = QLabel(self)
        self.waiting_tree = self._tree(
            _("Waiting for upload"), [_("Item"), _("Tries"), _("Problem")]
        )
        self.refused_label = QLabel(self)
        self.refused_tree = self._tree(_("Refused by the server"), [_("Item"), _("Reason")])
        self.courses_label = QLabel(self)
        self.courses_tree = self._tree(_("Courses not downloaded"), [_("Course"), _("Reason")])

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.sync_button = QPushButton(_("Sync now"), self)
        self.sync_button.setObjectName("syncNowButton")
        self.buttons.addButton(self.sync_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.sync_button.clicked.connect(self.sync_requested)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        for label, tree in (
            (self.waiting_label, self.waiting_tree),
            (self.refused_label, self.refused_tree),
            (self.courses_label, self.courses_tree),
        ):
            layout.addWidget(label)
            layout.addWidget(tree, 1)
        layout.addWidget(self.buttons)
        if status is not None:
            self.set_status(status)

    def _tree(self, name: str, headers: list[str]) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setAccessibleName(name)
        tree.setHeaderLabels(headers)
        tree.setRootIsDecorated(False)
        tree.setWordWrap(True)
        tree.setAlternatingRowColors(True)
        return tree

    def set_status(self, status: SyncStatus) -> None:
        lines = [
            _("Server: {server}").format(
                server=status.server_url or _("none (this computer only)")
            ),
            _("Last successful sync: {when}").format(when=format_moment(status.last_success_at)),
        ]
        if status.last_error:
            lines.append(_("Last problem: {error}").format(error=status.last_error))
        self.summary.setText("\n".join(lines))

        self.waiting_label.setText(
            ngettext(
                "{n} item waiting for upload", "{n} items waiting for upload", status.pending
            ).format(n=status.pending)
        )
        self.waiting_tree.clear()
        for item in status.pending_items:
            row = QTreeWidgetItem(
                [item.description, str(item.attempts) if item.attempts else "", item.reason or ""]
            )
            if item.next_attempt_at is not None:
                row.setToolTip(
                    2, _("Next try: {when}").format(when=format_moment(item.next_attempt_at))
                )
            self.waiting_tree.addTopLevelItem(row)

        self.refused_label.setText(
            ngettext(
                "{n} item refused by the server", "{n} items refused by the server", status.rejected
            ).format(n=status.rejected)
        )
        self.refused_tree.clear()
        for item in status.rejected_items:
            row = QTreeWidgetItem([item.description, item.reason or ""])
            row.setToolTip(1, item.reason or "")
            self.refused_tree.addTopLevelItem(row)

        issues = [i for i in status.course_issues if i.kind == "failed"]
        self.courses_label.setText(
            ngettext(
                "{n} course could not be downloaded",
                "{n} courses could not be downloaded",
                len(issues),
            ).format(n=len(issues))
        )
        self.courses_tree.clear()
        for issue in issues:
            self.courses_tree.addTopLevelItem(QTreeWidgetItem([issue.course_id, issue.message]))
        self.courses_label.setVisible(bool(issues))
        self.courses_tree.setVisible(bool(issues))
        self.sync_button.setEnabled(status.can_sync)
