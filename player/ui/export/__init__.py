"""Export… from the course overview: the dialog, and the one call the main window needs.

Wiring (``MainWindow.export_course``, connected to the overview's ``export_requested``)::

    from player.ui.export import open_export_dialog

    open_export_dialog(self, course_id, parent=self)

``open_export_dialog`` asks the window for what ``ExportHost`` names; ``parent`` is the window as
a widget (the dialog's parent, the status bar).
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from player.export import ExportResult
from player.i18n import _
from player.package import CoursePackage
from player.services.handles import Profile, Store
from player.services.learn import LearnService
from player.services.reading import CourseDetails
from player.ui.export.dialog import ExportDialog
from player.ui.shell.error_dialogs import show_status
from player.ui.tasks import TaskRunner

__all__ = ["ExportDialog", "ExportHost", "open_export_dialog"]


class ExportHost(Protocol):
    """What Export… asks of the window (``MainWindow`` is one)."""

    @property
    def kiosk(self) -> bool:
        """Kiosk mode: no export."""

    @property
    def profile(self) -> Profile | None:
        """The learner who exports."""

    @property
    def store(self) -> Store: ...

    @property
    def tasks(self) -> TaskRunner:
        """Reads the course's title on its read lane; the dialog uses its pool."""

    @property
    def shown_course(self) -> CourseDetails | None:
        """The course the overview shows, if any (its title and version need no read)."""


def open_export_dialog(host: ExportHost, course_id: str, *, parent: QWidget) -> ExportDialog | None:
    """Open the Export dialog for ``course_id`` over ``parent`` (never in kiosk mode).

    When the overview does not show the course, its title and version are read on the window's
    read lane first; the dialog is returned when it is open by the time this returns."""
    if host.kiosk or host.profile is None:
        return None
    profile = host.profile
    details = host.shown_course
    if details is not None and details.summary.course_id == course_id:
        summary = details.summary
        return _open(host, parent, profile, course_id, summary.title, summary.version)
    opened: list[ExportDialog] = []

    def read(package: CoursePackage) -> None:
        opened.append(_open(host, parent, profile, course_id, package.title, package.version))

    store = host.store
    host.tasks.read(lambda _job: LearnService(store, profile).get_course(course_id), read)
    return opened[0] if opened else None


def _open(
    host: ExportHost, parent: QWidget, profile: Profile, course_id: str, title: str, version: int
) -> ExportDialog:
    dialog = ExportDialog(
        host.store, profile, course_id, title, version, parent, pool=host.tasks.pool
    )

    def exported(result: ExportResult) -> None:
        show_status(parent, _("Saved “{name}”.").format(name=result.path.name))

    dialog.exported.connect(exported)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
