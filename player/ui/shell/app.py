"""Start the window: ``run(store)`` is what ``course-player`` (no arguments) calls."""

from __future__ import annotations

import gc
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
    QTimer,
    QTranslator,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from player.config import APP_AUTHOR, APP_ID, APP_NAME, resources_dir, setup_logging
from player.i18n import _
from player.policy import LabPolicy
from player.settings import Settings
from player.store.db import Store
from player.ui.shell import theme
from player.ui.shell.garbage import GarbageCollector
from player.ui.shell.main_window import MainWindow
from player.ui.shell.theme import theme_choice
from player.ui.tasks import wait_for_background_work

__all__ = ["FIRST_PAINT_ENV", "app_icon", "create_application", "run", "theme_choice"]

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


def create_application(
    argv: list[str] | None = None, *, dark: bool | None = None, language: str = ""
) -> QApplication:
    """The QApplication with the player's names, icon, style and palette (reused if it exists).

    ``dark``: None follows the system's colour scheme. ``language``: the UI language of the
    settings ("de"); Qt's own strings and date formats follow it ("": the system's locale).
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
    install_qt_translations(app, language)
    theme.apply_theme(app, dark)
    return app


_qt_translator: QTranslator | None = None


def install_qt_translations(app: QApplication, language: str = "") -> QLocale:
    """Make Qt's strings (standard buttons, context menus) and ``QLocale()`` follow ``language``.

    ``language`` is the settings' choice ("de", "de_AT"); "" keeps the system's locale. Returns
    the locale in use.
    """
    global _qt_translator
    locale = QLocale(language) if language else QLocale.system()
    if language and locale.language() == QLocale.Language.C:
        locale = QLocale.system()
    QLocale.setDefault(locale)
    if _qt_translator is not None:
        app.removeTranslator(_qt_translator)
        _qt_translator = None
    translator = QTranslator(app)
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(locale, "qtbase", "_", path):
        app.installTranslator(translator)
        _qt_translator = translator
    return locale


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
            # exit, not quit(): quit() asks every window to close, and a kiosk window refuses
            QTimer.singleShot(0, lambda: QApplication.exit(0))
        return False


def _freeze_startup_heap() -> None:
    gc.collect()
    gc.freeze()


def run(
    store: Store,
    profile_id: str | None = None,
    *,
    argv: list[str] | None = None,
    kiosk: bool = False,
    settings: Settings | None = None,
    policy: LabPolicy | None = None,
) -> int:
    """Open the main window on ``store`` and run until it closes; returns the exit status.

    ``settings``: the settings in force (the person's with the lab policy's on top; loaded from
    the settings file when None). ``policy``: the lab provisioning file (kiosk idle time, exit
    PIN, locked settings). ``kiosk``: ``--kiosk`` or the policy's ``kiosk.enabled``: full screen,
    one learner after the other, leaving needs the PIN (docs/kiosk.md).
    """
    setup_logging()
    if settings is None:
        settings = Settings.load().with_policy(policy)
    dark = theme_choice(settings)
    app = create_application(
        argv if argv is not None else sys.argv,
        dark=dark,
        language=settings.effective_language(),
    )
    collector = GarbageCollector(app)  # cycles are freed on this thread only, Qt objects with them
    samples = resources_dir() / "samples"
    window = MainWindow(
        store,
        samples_dir=samples if samples.is_dir() else None,
        settings=settings,
        policy=policy,
        kiosk=kiosk,
    )
    from player.ui.sync.attach import SyncWiring

    SyncWiring(window)  # parented to the window: status area, Sync now, sign-in, Buy
    target = os.environ.get(FIRST_PAINT_ENV)
    if target:
        watcher = _FirstPaint(window, target)
        app.installEventFilter(watcher)
    window.show_window()
    window.start(profile_id)
    # Once start-up's objects exist, move them out of the collector's reach: full collections
    # over the start-up heap otherwise pause the UI for 50-70 ms during a large sync.
    QTimer.singleShot(1000, _freeze_startup_heap)
    status = app.exec()
    window.save_window_state()
    app.closeAllWindows()
    wait_for_background_work(10_000)
    collector.stop()
    log.info("window closed (status %s)", status)
    return int(status)
