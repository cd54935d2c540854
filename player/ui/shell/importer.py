"""File → Import…: choose a course file, import it off the UI thread, show it in the catalog.

Not in kiosk mode: there is no file dialog there (docs/kiosk.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog

from player.i18n import _
from player.services import reading
from player.services.bundles import BundleResult
from player.services.packages import ImportResult
from player.ui.shell.error_dialogs import show_error, show_status

if TYPE_CHECKING:
    from player.ui.shell.main_window import MainWindow


def choose_and_import(window: MainWindow) -> None:
    """Ask for a course file (starting in Downloads) and import it."""
    if window.kiosk:
        return
    start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
    path, _filter = QFileDialog.getOpenFileName(
        window,
        _("Import a course"),
        start,
        _("Course files and bundles (*.json *.zip);;All files (*)"),
    )
    if path:
        import_path(window, Path(path))


def import_path(window: MainWindow, path: Path) -> None:
    """Import a course file on the window's writer (a progress bar while it takes long)."""
    if window.kiosk:
        return
    message = _("Importing “{name}”…").format(name=path.name)
    show_status(window, message, 0)

    def done(result: ImportResult | BundleResult) -> None:
        if isinstance(result, BundleResult):
            show_status(
                window,
                _("Imported {n} verified course(s) from {server}.").format(
                    n=result.courses, server=result.origin
                ),
            )
            window.refresh_catalog()
            return
        if result.created:
            text = _("Imported “{title}” (version {version}).")
        else:
            text = _("“{title}” (version {version}) is already on this computer.")
        show_status(window, text.format(title=result.title, version=result.version))
        window.refresh_catalog(select=result.course_id)

    def failed(error: BaseException) -> None:
        window.statusBar().clearMessage()
        show_error(window, error)

    store = window.store
    window.tasks.write(
        lambda job: reading.import_course(store, path, job.progress),
        done,
        failed,
        message=message,
    )
