"""Start the window: ``run(store)`` is what ``course-player`` (no arguments) calls."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QLibraryInfo,
    QLocale,
    QObject,
    QThreadPool,
    QTimer,
    QTranslator,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from player.config import APP_AUTHOR, APP_ID, APP_NAME, resources_dir, setup_logging
from player.i18n import _
from player.settings import Settings
from player.store.db import Store
from player.ui import theme
from player.ui.main_window import MainWindow

log = logging.getLogger(__name__)

# For the start-up benchmark: when set to a file path, the time (``time.time()``) of the main
# window's first paint is written there and the application quits.
FIRST_PAINT_ENV = "COURSE_PLAYER_FIRST_PAINT_FILE"


def app_icon(resources: Path | None = None) -> QIcon:
    icons = (resources or resources_dir()) / "icons"
    icon = QIcon()
    for png in sorted((icons / "hicolor").glob(f"*/apps/{APP_ID}.png")):
        icon.addFile(str(png))
    svg = icons / "course-player.svg"
    if svg.is_file():
        icon.addFile(str(svg))
    return icon


def create_application(argv: list[str] | None = None, *, dark: bool | None = None) -> QApplication:
    """The QApplication with the player's names, icon, style and palette (reused if it exists).

    ``dark``: None follows the system's colour scheme.
    """
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or [APP_NAME])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(_("Course Player"))
    app.setOrganizationName(APP_AUTHOR)
    app.setOrganizationDomain("courseplayer.org")
    app.setDesktopFileName(APP_ID)
    icon = app_icon()
    if not icon.isNull():
        app.setWindowIcon(icon)
    _install_qt_translations(app)
    theme.apply_theme(app, dark)
    return app


def _install_qt_translations(app: QApplication) -> None:
    translator = QTranslator(app)
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(), "qtbase", "_", path):
        app.installTranslator(translator)


class _FirstPaint(QObject):
    """Writes the time of the window's first paint to a file, then quits (start-up benchmark)."""

    def __init__(self, window: QWidget, target: str) -> None:
        super().__init__(window)
        self._window = window
        self._target = target
        self._done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            not self._done
            and event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and watched.window() is self._window
        ):
            self._done = True
            Path(self._target).write_text(f"{time.time():.6f}\n", encoding="utf-8")
            QTimer.singleShot(0, QApplication.quit)
        return False


def theme_choice(settings: Settings | None) -> bool | None:
    """The settings' theme as ``apply_theme`` takes it: None follows the system."""
    if settings is None or settings.theme not in ("light", "dark"):
        return None
    return settings.theme == "dark"


def run(
    store: Store,
    profile_id: str | None = None,
    *,
    argv: list[str] | None = None,
    kiosk: bool = False,
    settings: Settings | None = None,
) -> int:
    """Open the main window on ``store`` and run until it closes; returns the exit status.

    ``settings``: the settings in force (its theme: system, light or dark). ``kiosk``: full
    screen and no file import; the exit PIN and the idle timer of docs/kiosk.md are not part of
    this window yet.
    """
    setup_logging()
    dark = theme_choice(settings)
    app = create_application(argv if argv is not None else sys.argv, dark=dark)
    samples = resources_dir() / "samples"
    window = MainWindow(
        store,
        samples_dir=samples if samples.is_dir() else None,
        follow_system_theme=dark is None,
        kiosk=kiosk,
    )
    target = os.environ.get(FIRST_PAINT_ENV)
    if target:
        watcher = _FirstPaint(window, target)
        app.installEventFilter(watcher)
    if kiosk:
        window.showFullScreen()
    else:
        window.show()
    window.start(profile_id)
    status = app.exec()
    window.save_window_state()
    app.closeAllWindows()
    QThreadPool.globalInstance().waitForDone(10_000)
    log.info("window closed (status %s)", status)
    return int(status)
