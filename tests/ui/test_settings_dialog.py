"""File → Settings…: values saved to the settings file, text size and theme applied at once,
the language after a restart, fields a lab policy fixes disabled, bad addresses refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox
from pytestqt.qtbot import QtBot

from player.policy import LabPolicy, parse_policy
from player.settings import Settings
from player.store.db import Store
from player.ui.settings.dialog import SettingsDialog
from player.ui.shell import theme
from player.ui.shell.app import install_qt_translations
from player.ui.shell.main_window import MainWindow
from tests.ui.conftest import MakeWindow
from tests.ui.helpers import click, open_lesson

LOCKED_TIP = "Set by your lab's policy"


def _ok(qtbot: QtBot, dialog: SettingsDialog) -> None:
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))


def _choose(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    assert index >= 0, f"{value!r} is not offered"
    combo.setCurrentIndex(index)


def _saved(config_dir: Path) -> dict[str, object]:
    data = json.loads((config_dir / "settings.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_settings_are_saved_and_applied(
    qtbot: QtBot, window: MainWindow, config_dir: Path, qapp: QApplication
) -> None:
    open_lesson(qtbot, window, "git-basics", 0)
    size = window.reader.browser.font().pointSizeF()
    window.settings_action.trigger()
    dialog = window.preferences.dialog
    assert dialog is not None and dialog.isVisible()
    assert set(dialog.rows) == {
        "server_url",
        "sync_interval_minutes",
        "text_zoom",
        "theme",
        "language",
    }
    assert not any(dialog.is_locked(name) for name in dialog.rows)
    assert not dialog.locked_note.isVisible()
    languages = [dialog.language_combo.itemText(i) for i in range(dialog.language_combo.count())]
    assert languages == ["Follow the system", "Deutsch", "English"]
    assert "start the player again" in dialog.language_note.text()

    dialog.server_edit.setText("https://learn.example.org/")
    dialog.interval_spin.setValue(30)
    _choose(dialog.zoom_combo, 150)
    _choose(dialog.theme_combo, "dark")
    _choose(dialog.language_combo, "de")
    with qtbot.waitSignal(window.preferences.applied):
        _ok(qtbot, dialog)

    assert _saved(config_dir) == {
        "server_url": "https://learn.example.org",
        "sync_interval_minutes": 30,
        "text_zoom": 150,
        "theme": "dark",
        "language": "de",
    }
    assert Settings.load() == window.settings
    # text size and colours at once; the lesson re-rendered dark
    assert window.reader.zoom == 150
    assert window.reader.browser.font().pointSizeF() > size
    assert theme.is_dark(qapp)
    assert window.reader.lesson is not None and window.reader.lesson.dark
    # the language after a restart
    assert "start the player again" in window.statusBar().currentMessage()
    assert window.preferences.dialog is None


def test_cancel_changes_nothing(qtbot: QtBot, window: MainWindow, config_dir: Path) -> None:
    dialog = window.preferences.open_dialog()
    _choose(dialog.zoom_combo, 200)
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel))
    assert window.reader.zoom == 100
    assert not (config_dir / "settings.json").exists()


def test_a_bad_server_address_is_refused(
    qtbot: QtBot, window: MainWindow, config_dir: Path
) -> None:
    dialog = window.preferences.open_dialog()
    dialog.server_edit.setText("ftp://learn.example.org")
    _ok(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.problem_label.isVisible()
    assert "https://" in dialog.problem_label.text()
    assert not (config_dir / "settings.json").exists()
    dialog.server_edit.setText("")  # no server is fine
    _ok(qtbot, dialog)
    assert not dialog.isVisible()
    assert _saved(config_dir)["server_url"] == ""


def test_zoom_from_the_view_menu_is_the_text_size(
    qtbot: QtBot, window: MainWindow, config_dir: Path
) -> None:
    window.zoom_in_action.trigger()
    assert _saved(config_dir)["text_zoom"] == 110
    dialog = window.preferences.open_dialog()
    assert dialog.zoom_combo.currentData() == 110
    dialog.reject()


@pytest.fixture
def lab_policy(tmp_path: Path) -> LabPolicy:
    text = (
        "[server]\n"
        'url = "https://lab.example.org"\n'
        "sync_interval_minutes = 5\n\n"
        "[ui]\n"
        'language = "de"\n'
        "text_sizes = [100, 150, 200]\n"
    )
    return parse_policy(text, tmp_path / "policy.toml")


def test_fields_the_policy_sets_are_disabled(
    qtbot: QtBot,
    imported: Store,
    make_window: MakeWindow,
    lab_policy: LabPolicy,
    config_dir: Path,
) -> None:
    mine = Settings(server_url="https://mine.example.org", sync_interval_minutes=20, text_zoom=120)
    mine.save()
    window = make_window(imported, policy=lab_policy)  # loads the file, the policy on top
    assert window.settings.server_url == "https://lab.example.org"
    assert window.reader.zoom == 100  # 120 is not allowed: the nearest allowed size
    dialog = window.preferences.open_dialog()
    for name in ("server_url", "sync_interval_minutes", "language"):
        assert dialog.is_locked(name), name
        field = dialog.rows[name]
        assert field.toolTip() == LOCKED_TIP
        assert field.accessibleDescription() == LOCKED_TIP
    assert not dialog.is_locked("text_zoom") and not dialog.is_locked("theme")
    assert dialog.locked_note.isVisible() and "lab's policy" in dialog.locked_note.text()
    assert dialog.server_edit.text() == "https://lab.example.org"
    assert dialog.interval_spin.value() == 5
    assert dialog.language_combo.currentData() == "de"
    sizes = [dialog.zoom_combo.itemData(i) for i in range(dialog.zoom_combo.count())]
    assert sizes == [100, 150, 200]

    _choose(dialog.zoom_combo, 200)
    _ok(qtbot, dialog)
    assert window.reader.zoom == 200
    window.zoom_in_action.trigger()  # already the largest allowed size
    assert window.reader.zoom == 200
    window.zoom_out_action.trigger()
    assert window.reader.zoom == 150
    # the file keeps the person's own server, interval and language for a machine without a lab
    saved = _saved(config_dir)
    assert saved["server_url"] == "https://mine.example.org"
    assert saved["sync_interval_minutes"] == 20
    assert saved["language"] == ""
    assert saved["text_zoom"] == 150


def test_qt_strings_follow_the_chosen_language(qapp: QApplication) -> None:
    try:
        locale = install_qt_translations(qapp, "de")
        assert locale.language() == QLocale.Language.German
        assert QLocale().language() == QLocale.Language.German  # dates in the overview too
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Abbrechen"
    finally:
        install_qt_translations(qapp, "")  # the system's locale again
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Cancel"
