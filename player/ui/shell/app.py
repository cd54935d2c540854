"""Start the window: ``run(store)`` is what ``course-player`` (no arguments) calls."""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QLibraryInfo,
    QLocale,
    QObject,
    QTimer,
    QTranslator,
    Signal,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from player.config import APP_AUTHOR, APP_ID, APP_NAME, resources_dir, setup_logging
from player.errors import PlayerError
from player.i18n import _
from player.policy import LabPolicy
from player.settings import Settings
from player.ui.shell import theme
from player.ui.shell.garbage import GarbageCollector
from player.ui.shell.main_window import MainWindow
from player.ui.shell.startup_error import show_startup_error
from player.ui.shell.theme import theme_choice
from player.ui.tasks import wait_for_background_work

if TYPE_CHECKING:
    from player.services.handles import Store

__all__ = [
    "FIRST_PAINT_ENV",
    "READY_ENV",
    "app_icon",
    "create_application",
    "run",
    "theme_choice",
]

log = logging.getLogger(__name__)

# For the start-up benchmark: when set to a file path, the time (``time.time()``) of the main
# window's first paint is written there and the application quits.
FIRST_PAINT_ENV = "COURSE_PLAYER_FIRST_PAINT_FILE"
# For the start-up benchmark too: when set to a file path, the time (``time.time()``) at which
# the catalog shows the stored courses and can be clicked (the catalog's first paint with its
# rows) is written there and the application quits.
READY_ENV = "COURSE_PLAYER_READY_FILE"


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


def _write_time(target: str) -> None:
    Path(target).write_text(f"{time.time():.6f}\n", encoding="utf-8")


def _exit() -> None:
    # exit, not quit(): quit() asks every window to close, and a kiosk window refuses
    QTimer.singleShot(0, lambda: QApplication.exit(0))


class _FirstPaint(QObject):
    """At the window's first paint: writes its time to ``target`` and quits (the start-up
    benchmark), else runs ``then`` once the paint is done."""

    def __init__(self, window: QWidget, target: str | None, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._target = target
        self._then: Callable[[], None] | None = then

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            self._then is not None
            and event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and watched.window() is self._window
        ):
            then, self._then = self._then, None
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            if self._target:
                _write_time(self._target)
                _exit()
            else:
                QTimer.singleShot(0, then)
        return False


class _CatalogShown(QObject):
    """Emits ``shown`` once: at the first paint of the catalog's list after it was filled with
    rows (the learner sees the stored courses and can click them), or when the catalog was
    loaded with none."""

    shown = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._armed = False
        self._done = False
        window.catalog_loaded.connect(self._loaded)

    def _loaded(self) -> None:
        if self._done or self._armed:
            return
        if self._window.catalog.model.rowCount() == 0:
            self._emit()
        else:
            self._armed = True
            self._window.catalog.view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._armed and event.type() == QEvent.Type.Paint:
            self._armed = False
            watched.removeEventFilter(self)
            self._emit()
        return False

    def _emit(self) -> None:
        self._done = True
        self._window.catalog_loaded.disconnect(self._loaded)
        self.shown.emit()


def _write_ready(window: MainWindow, target: str) -> None:
    log.info("ready: %d courses shown", window.catalog.model.rowCount())
    _write_time(target)
    _exit()


class _SyncWiring(QObject):
    """Attaches the sync's status area, Sync now, sign-in and Buy (``player.ui.sync``) once:
    when the catalog first shows, or ``FALLBACK_MS`` after the first paint (a learner chooser
    waiting). It loads the HTTP client and the sync engine, which the first screen does not
    need; a configured sync then runs as before."""

    FALLBACK_MS = 2000

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._wired = False

    def after_first_paint(self) -> None:
        QTimer.singleShot(self.FALLBACK_MS, self, self.wire)

    def wire(self) -> None:
        if self._wired:
            return
        self._wired = True
        from player.ui.sync.attach import SyncWiring

        SyncWiring(self._window, parent=self._window)  # parented to the window


def _freeze_startup_heap() -> None:
    gc.collect()
    gc.freeze()


def run(
    store: Store | Callable[[], Store],
    profile_id: str | None = None,
    *,
    argv: list[str] | None = None,
    kiosk: bool = False,
    settings: Settings | None = None,
    policy: LabPolicy | None = None,
) -> int:
    """Open the main window on ``store`` and run until it closes; returns the exit status.

    ``store``: the store, or what opens it (the command line): then the window's frame paints
    first and the store opens after, with the store layer's imports, while the catalog shows
    placeholder rows; a ``PlayerError`` from it (a damaged store, one from a newer player) is
    shown in a dialog over the frame, then raised once the window has closed. ``settings``: the
    settings in force (the person's with the lab policy's on top; loaded from the settings file
    when None). ``policy``: the lab provisioning file (kiosk idle time, exit PIN, locked
    settings). ``kiosk``: ``--kiosk`` or the policy's ``kiosk.enabled``: full screen, one learner
    after the other, leaving needs the PIN (docs/kiosk.md).
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
    window = MainWindow(settings=settings, policy=policy, kiosk=kiosk)  # the frame
    sync = _SyncWiring(window)
    shown = _CatalogShown(window)
    shown.shown.connect(lambda: QTimer.singleShot(0, sync, sync.wire))
    failed: list[Exception] = []

    def attach() -> None:
        try:
            opened = store() if callable(store) else store
            window.attach(opened, samples_dir=samples if samples.is_dir() else None)
        except Exception as error:  # never a frame that waits for screens that will not come
            failed.append(error)
            if isinstance(error, PlayerError):
                show_startup_error(str(error))
            else:  # a bug: the traceback goes to the log and, raised below, to stderr
                log.error("could not open the store or build the window", exc_info=error)
                show_startup_error(
                    _(
                        "Course Player could not open its courses ({error}). The log file has "
                        "the details."
                    ).format(error=type(error).__name__)
                )
            QApplication.exit(1)
            return
        window.start(profile_id)
        sync.after_first_paint()

    app.installEventFilter(_FirstPaint(window, os.environ.get(FIRST_PAINT_ENV), attach))
    ready = os.environ.get(READY_ENV)
    if ready:
        shown.shown.connect(lambda: _write_ready(window, ready))
    window.show_window()
    # Once start-up's objects exist, move them out of the collector's reach: full collections
    # over the start-up heap otherwise pause the UI for 50-70 ms during a large sync.
    QTimer.singleShot(1000, _freeze_startup_heap)
    status = app.exec()
    window.save_window_state()
    app.closeAllWindows()
    wait_for_background_work(10_000)
    collector.stop()
    if failed:
        raise failed[0]
    log.info("window closed (status %s)", status)
    return int(status)
