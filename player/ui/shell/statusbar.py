"""The permanent part of the main window's status bar, left to right:

task progress (long background work) · ``sync_area`` (the sync status, a hook) · the learner's
name (· Sign out, added by kiosk mode). Messages (``show_status``) take the space on the left.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QWidget

from player.i18n import _
from player.ui.shell.task_progress import TaskProgress


class StatusArea:
    def __init__(self, window: QMainWindow) -> None:
        self.task_progress = TaskProgress(window)
        self.sync_area = QWidget(window)
        self.sync_area.setObjectName("syncStatusArea")
        self.sync_area.setAccessibleName(_("Sync status"))
        layout = QHBoxLayout(self.sync_area)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.learner_label = QLabel(window)
        self.learner_label.setObjectName("learnerLabel")
        self.learner_label.setAccessibleName(_("Current learner"))
        bar = window.statusBar()
        for widget in (self.task_progress, self.sync_area, self.learner_label):
            bar.addPermanentWidget(widget)

    def add_sync_widget(self, widget: QWidget) -> None:
        layout = self.sync_area.layout()
        assert layout is not None
        layout.addWidget(widget)
