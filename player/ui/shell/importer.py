"""File → Import…: choose a course file, import it off the UI thread, show it in the catalog.

Not in kiosk mode: there is no file dialog there (docs/kiosk.md). The import asks the window for
what ``ImportHost`` names; ``parent`` is the window as a widget (the file dialog, the status bar).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from player.i18n import _, ngettext
from player.services import reading
from player.services.handles import Store
from player.ui.shell.error_dialogs import clear_status, show_error, show_status
from player.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from player.services.packages import ImportResult

# player.services.bundles (signatures, the search index, the renderer) loads with the first import.


class ImportHost(Protocol):
    """What an import asks of the window (``MainWindow`` is one)."""

    @property
    def kiosk(self) -> bool:
        """Kiosk mode: nothing is imported."""

    @property
    def store(self) -> Store: ...

    @property
    def tasks(self) -> TaskRunner:
        """The import runs on its write lane."""

    def refresh_catalog(self, *, select: str | None = None) -> None:
        """Show the catalog again, ``select`` chosen."""


def choose_and_import(host: ImportHost, *, parent: QWidget) -> None:
    """Ask for a course file (starting in Downloads) and import it."""
    if host.kiosk:
        return
    start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
    path, _filter = QFileDialog.getOpenFileName(
        parent,
        _("Import a course"),
        start,
        _("Course files and bundles (*.json *.zip);;All files (*)"),
    )
    if path:
        import_path(host, Path(path), parent=parent)


def import_path(host: ImportHost, path: Path, *, parent: QWidget) -> None:
    """Import a course file on the window's writer (a progress bar while it takes long)."""
    if host.kiosk:
        return
    message = _("Importing “{name}”…").format(name=path.name)
    show_status(parent, message, 0)

    from player.services.bundles import BundleResult

    def done(result: ImportResult | BundleResult) -> None:
        if isinstance(result, BundleResult):
            show_status(
                parent,
                ngettext(
                    "Imported {n} verified course from {server}.",
                    "Imported {n} verified courses from {server}.",
                    result.courses,
                ).format(n=result.courses, server=result.origin),
            )
            host.refresh_catalog()
            return
        if result.created:
            text = _("Imported “{title}” (version {version}).")
        else:
            text = _("“{title}” (version {version}) is already on this computer.")
        show_status(parent, text.format(title=result.title, version=result.version))
        host.refresh_catalog(select=result.course_id)

    def failed(error: BaseException) -> None:
        clear_status(parent)
        show_error(parent, error)

    store = host.store
    host.tasks.write(
        lambda job: reading.import_course(store, path, job.progress),
        done,
        failed,
        message=message,
    )
