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
from player.package import CoursePackage
from player.services.learn import LearnService
from player.store.models import Profile
from player.ui.export.dialog import ExportDialog
from player.ui.shell.error_dialogs import show_status

if TYPE_CHECKING:
    from player.ui.shell.main_window import MainWindow

__all__ = ["ExportDialog", "open_export_dialog"]


def open_export_dialog(window: MainWindow, course_id: str) -> ExportDialog | None:
    """Open the Export dialog for ``course_id`` over ``window`` (never in kiosk mode).

    When the overview does not show the course, its title and version are read on the window's
    read lane first; the dialog is returned when it is open by the time this returns."""
    if window.kiosk or window.profile is None:
        return None
    profile = window.profile
    details = window.overview.details
    if details is not None and details.summary.course_id == course_id:
        return _open(window, profile, course_id, details.summary.title, details.summary.version)
    opened: list[ExportDialog] = []

    def read(package: CoursePackage) -> None:
        opened.append(_open(window, profile, course_id, package.title, package.version))

    store = window.store
    window.tasks.read(lambda _job: LearnService(store, profile).get_course(course_id), read)
    return opened[0] if opened else None


def _open(
    window: MainWindow, profile: Profile, course_id: str, title: str, version: int
) -> ExportDialog:
    dialog = ExportDialog(
        window.store, profile, course_id, title, version, window, pool=window.tasks.pool
    )

    def exported(result: ExportResult) -> None:
        show_status(window, _("Saved “{name}”.").format(name=result.path.name))

    dialog.exported.connect(exported)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
