"""A message box for a failure before the window exists (a damaged or unwritable store, a
store from a newer player, a broken lab policy): the person who started the window from a
menu never sees stderr, so the message must be on screen before the player exits."""

from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from player.i18n import _

log = logging.getLogger(__name__)


def show_startup_error(message: str) -> None:
    """Show ``message`` in a dialog (creating the QApplication when needed) and wait for OK."""
    log.error("cannot start the window: %s", message)
    if QApplication.instance() is None:
        QApplication(sys.argv[:1] or ["course-player"])
    QMessageBox.critical(None, _("Course Player cannot start"), message)
