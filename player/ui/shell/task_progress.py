"""A progress bar in the status bar for long background work (importing, opening a big course).

``TaskProgress.track(message)`` gives a ``Tracker`` that the window's ``TaskRunner``
(``player.ui.tasks``) feeds with the progress of work started with a ``message`` and finishes
when that work ends. The bar appears only when a tracked task
is still running ``show_after_ms`` after it started (quick tasks never flash it) and hides when
the last one ends. ``total == 0`` shows a busy bar; otherwise ``done`` of ``total``.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from player.i18n import _

log = logging.getLogger(__name__)

SHOW_AFTER_MS = 400
BAR_WIDTH = 160


@dataclass
class _Task:
    message: str
    done: int = 0
    total: int = 0


class Tracker:
    """One tracked task: pass ``report`` as ``on_progress``; call ``finish`` when it ends."""

    def __init__(self, owner: TaskProgress, key: int) -> None:
        self._owner = owner
        self._key = key

    def report(self, done: int, total: int, message: str) -> None:
        self._owner.update_task(self._key, done, total, message)

    def finish(self) -> None:
        self._owner.finish_task(self._key)


class TaskProgress(QWidget):
    """A label and a ``QProgressBar``; hidden while no long task runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskProgress")
        self.setAccessibleName(_("Work in progress"))
        self.show_after_ms = SHOW_AFTER_MS
        self._tasks: dict[int, _Task] = {}
        self._keys = itertools.count(1)

        self.label = QLabel(self)
        self.label.setObjectName("taskProgressLabel")
        self.label.setAccessibleName(_("What the player is doing"))
        self.bar = QProgressBar(self)
        self.bar.setObjectName("taskProgressBar")
        self.bar.setAccessibleName(_("Progress"))
        self.bar.setFixedWidth(BAR_WIDTH)
        self.bar.setMaximumHeight(14)
        self.bar.setTextVisible(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)

        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        self._show_timer.timeout.connect(self._show_if_busy)
        self.hide()

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def track(self, message: str) -> Tracker:
        """Start tracking a task described by ``message`` (shown until it reports its own)."""
        key = next(self._keys)
        self._tasks[key] = _Task(message)
        if self.isHidden():
            if self.show_after_ms <= 0:
                self._show_if_busy()
            elif not self._show_timer.isActive():
                self._show_timer.start(self.show_after_ms)
        else:
            self._refresh()
        return Tracker(self, key)

    def update_task(self, key: int, done: int, total: int, message: str) -> None:
        task = self._tasks.get(key)
        if task is None:  # already finished (a late report)
            return
        task.done, task.total = max(0, done), max(0, total)
        if message:
            task.message = message
        if self.isVisible():
            self._refresh()

    def finish_task(self, key: int) -> None:
        self._tasks.pop(key, None)
        if not self._tasks:
            self._hide()
        elif self.isVisible():
            self._refresh()

    def reset(self) -> None:
        """Forget every task (the learner changed: their work's results are dropped)."""
        self._tasks.clear()
        self._hide()

    def _show_if_busy(self) -> None:
        if self._tasks:
            self._refresh()
            self.show()

    def _hide(self) -> None:
        self._show_timer.stop()
        self.hide()
        self.label.clear()

    def _refresh(self) -> None:
        task = self._tasks[max(self._tasks)]  # the newest task speaks
        if task.total > 0:
            self.bar.setRange(0, task.total)
            self.bar.setValue(min(task.done, task.total))
        else:
            self.bar.setRange(0, 0)  # busy: Qt animates it
        self.label.setText(task.message)
        self.bar.setAccessibleDescription(task.message)
