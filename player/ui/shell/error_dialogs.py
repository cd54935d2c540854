"""The one place that turns an error into something a person sees (Anki's ``show_exception``).

- A quiet error (``Cancelled``; a sync that found no network) goes to the status bar.
- Any other ``PlayerError`` opens a warning with its message, which is written for a learner.
- Anything else is a bug: a generic message, and the traceback goes to the log file.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from player.errors import Cancelled, NotEnrolled, PlayerError, SyncError
from player.i18n import _

log = logging.getLogger(__name__)

STATUS_TIMEOUT_MS = 6000


def is_quiet(error: BaseException) -> bool:
    """Errors the learner caused on purpose or cannot act on now: no dialog for these."""
    if isinstance(error, Cancelled):
        return True
    return isinstance(error, SyncError) and error.kind == "offline"


def show_error(parent: QWidget | None, error: BaseException) -> None:
    """Show ``error`` to the learner: a message box, or the status bar for quiet ones."""
    if is_quiet(error):
        log.info("%s", error)
        show_status(parent, str(error))
        return
    if isinstance(error, PlayerError):
        log.info("shown to the learner: %s (%s)", error, error.code)
        message = str(error)
    else:
        log.error("unexpected error", exc_info=error)
        message = _(
            "Something went wrong inside the player, and what you did last may not have been "
            "saved. If this happens again, please send the log file to your course provider."
        )
    QMessageBox.warning(parent, _("Course Player"), message)


def show_status(parent: QWidget | None, message: str, timeout_ms: int = STATUS_TIMEOUT_MS) -> None:
    """Show a short message in the status bar of ``parent``'s main window (logged otherwise)."""
    window = parent.window() if parent is not None else None
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(message, timeout_ms)
    else:
        log.info("status: %s", message)


def clear_status(parent: QWidget | None) -> None:
    """Take the message in the status bar of ``parent``'s main window away."""
    window = parent.window() if parent is not None else None
    if isinstance(window, QMainWindow):
        window.statusBar().clearMessage()


def ask_to_enroll(parent: QWidget | None, error: NotEnrolled) -> bool:
    """The NotEnrolled message with an Enroll button; True when the learner chose Enroll."""
    box = QMessageBox(
        QMessageBox.Icon.Information,
        _("Course Player"),
        str(error),
        QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
        parent,
    )
    enroll_button = box.button(QMessageBox.StandardButton.Ok)
    enroll_button.setText(_("Enroll"))
    enroll_button.setAccessibleName(_("Enroll in this course"))
    box.setDefaultButton(QMessageBox.StandardButton.Ok)
    answer = box.exec()
    return answer in (QMessageBox.StandardButton.Ok, QMessageBox.StandardButton.Ok.value)
