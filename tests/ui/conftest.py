"""Fixtures for GUI tests: real widgets offscreen, background work run in place.

- Settings go to temporary folders (never the real home configuration): the window state's INI
  (``QSettings.setPath``) and the core settings file (``$COURSE_PLAYER_CONFIG_DIR``).
- Message boxes (and the purchase's password prompt) are patched only to answer them: ``dialogs``
  records what would have been shown.
- ``QDesktopServices.openUrl`` is replaced by a recorder: no browser exists here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from player.config import CONFIG_DIR_ENV
from player.store.db import Store
from player.store.models import Profile
from player.ui.shell import theme
from player.ui.shell.main_window import MainWindow
from player.ui.tasks import ImmediatePool


@dataclass
class Dialogs:
    """What message boxes the code under test opened, and how to answer the next question."""

    warnings: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    answer: QMessageBox.StandardButton = QMessageBox.StandardButton.Cancel
    #: The answer to a password asked by ``QInputDialog.getText`` (before a purchase); None:
    #: Cancel. The contract server's standard learners have ``pw-<user>``.
    password: str | None = "pw-ana"
    password_prompts: list[str] = field(default_factory=list)


@pytest.fixture(autouse=True)
def ui_settings(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "settings"
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where ``Settings.load``/``save`` read and write (``settings.json``) in this test."""
    folder = tmp_path / "config"
    monkeypatch.setenv(CONFIG_DIR_ENV, str(folder))
    return folder


@pytest.fixture(autouse=True)
def light_theme(qapp: QApplication) -> None:
    theme.apply_theme(qapp, dark=False)


@pytest.fixture(autouse=True)
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    recorded = Dialogs()

    def warning(_parent: Any, _title: str, text: str, *args: Any, **kwargs: Any) -> Any:
        recorded.warnings.append(text)
        return QMessageBox.StandardButton.Ok

    def exec_(box: QMessageBox) -> Any:
        recorded.questions.append(box.text())
        return recorded.answer

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))

    def get_text(_parent: Any, _title: str, label: str, *args: Any, **kwargs: Any) -> Any:
        recorded.password_prompts.append(label)
        return (recorded.password or "", recorded.password is not None)

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(get_text))
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda *a, **k: None))
    return recorded


@pytest.fixture(autouse=True)
def opened_urls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    opened: list[str] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url.toString())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))
    return opened


MakeWindow = Callable[..., MainWindow]


def _end_kiosk_mode(window: MainWindow) -> None:
    if window.kiosk_mode is not None and window.kiosk_mode.active:
        window.kiosk_mode.leave()


@pytest.fixture
def make_window(qtbot: QtBot) -> MakeWindow:
    """``make_window(store, profile=None, size=(w, h))``: a shown main window, work run in place.

    ``size=None`` keeps the size the window restored from the settings.
    """

    def make(
        store: Store,
        profile: Profile | None = None,
        *,
        size: tuple[int, int] | None = (1000, 700),
        **kwargs: Any,
    ) -> MainWindow:
        window = MainWindow(store, pool=ImmediatePool(), follow_system_theme=False, **kwargs)
        # a kiosk window refuses to close: end kiosk mode first, so that it goes away and
        # does not stay the active window of the tests that follow
        qtbot.addWidget(window, before_close_func=_end_kiosk_mode)
        if size is not None:
            window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        window.start(profile.id if profile is not None else None)
        return window

    return make


@pytest.fixture
def window(imported: Store, make_window: MakeWindow) -> MainWindow:
    """The main window on a store holding git-basics, multilingual and hostile, as the guest."""
    return make_window(imported)
