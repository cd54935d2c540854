"""Export… from the course overview: the dialog, and the one call the main window needs.

Wiring (in ``MainWindow.__init__``, after the overview is made)::

    from player.ui.export import open_export_dialog

    self.overview.export_requested.connect(lambda course_id: open_export_dialog(self, course_id))
    if not self.kiosk:
        self.overview.set_export_available(True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from player.export import ExportResult
from player.i18n import _
from player.services.learn import LearnService
from player.ui.errors import show_error, show_status
from player.ui.export.dialog import ExportDialog

if TYPE_CHECKING:
    from player.ui.main_window import MainWindow

__all__ = ["ExportDialog", "open_export_dialog"]


def open_export_dialog(window: MainWindow, course_id: str) -> ExportDialog | None:
    """Open the Export dialog for ``course_id`` over ``window`` (never in kiosk mode)."""
    if window.kiosk or window.profile is None:
        return None
    details = window.overview.details
    if details is not None and details.summary.course_id == course_id:
        title, version = details.summary.title, details.summary.version
    else:
        try:
            package = LearnService(window.store, window.profile).get_course(course_id)
        except Exception as error:  # a learner-facing PlayerError, or a bug shown generically
            show_error(window, error)
            return None
        title, version = package.title, package.version
    dialog = ExportDialog(
        window.store, window.profile, course_id, title, version, window, pool=window.tasks.pool
    )

    def exported(result: ExportResult) -> None:
        show_status(window, _("Saved “{name}”.").format(name=result.path.name))

    dialog.exported.connect(exported)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
