"""The Export dialog: a real dialog offscreen, the real export service underneath."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from player.export import ExportResult
from player.services import packages, progress
from player.store.db import Store
from player.store.models import Profile
from player.ui.export import ExportDialog, open_export_dialog
from player.ui.tasks import ImmediatePool
from tests.bench.bench_export import make_course


@pytest.fixture(autouse=True)
def ui_settings(tmp_path: Path) -> Iterator[None]:
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "ini"))
    yield


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes are answered, not shown (they would block an offscreen test)."""
    shown: list[str] = []

    def warning(_parent: Any, _title: str, text: str, *args: Any, **kwargs: Any) -> Any:
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    return shown


def make_dialog(
    qtbot: QtBot, store: Store, learner: Profile, folder: Path, **kwargs: Any
) -> ExportDialog:
    dialog = ExportDialog(store, learner, "git-basics", "Git Basics", 2, folder=folder, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_export_a_pdf_then_an_lms_package(
    qtbot: QtBot, imported: Store, learner: Profile, tmp_path: Path, warnings: list[str]
) -> None:
    dialog = make_dialog(qtbot, imported, learner, tmp_path, pool=ImmediatePool())
    assert dialog.path_edit.text() == str(tmp_path / "git-basics-v2.pdf")
    with qtbot.waitSignal(dialog.exported) as signal:
        dialog.export_button.click()
    result = signal.args[0]
    assert isinstance(result, ExportResult)
    assert (tmp_path / "git-basics-v2.pdf").read_bytes().startswith(b"%PDF-")
    assert dialog.result() == dialog.DialogCode.Accepted and warnings == []

    dialog = make_dialog(qtbot, imported, learner, tmp_path, pool=ImmediatePool())
    dialog.lms_option.click()
    assert dialog.path_edit.text().endswith("git-basics-v2.zip")
    with qtbot.waitSignal(dialog.exported):
        dialog.export_button.click()
    assert (tmp_path / "git-basics-v2.zip").read_bytes().startswith(b"PK")


def test_choose_asks_for_a_file_and_adds_the_suffix(
    qtbot: QtBot, imported: Store, learner: Profile, tmp_path: Path
) -> None:
    asked: list[tuple[str, str]] = []

    def ask(_parent: Any, _caption: str, start: str, name_filter: str) -> str:
        asked.append((start, name_filter))
        return str(tmp_path / "my copy")

    dialog = make_dialog(qtbot, imported, learner, tmp_path, ask_path=ask)
    dialog.lms_option.click()
    dialog.choose_button.click()
    assert asked and "*.zip" in asked[0][1]
    assert dialog.path_edit.text() == str(tmp_path / "my copy.zip")
    dialog.path_edit.clear()
    assert not dialog.export_button.isEnabled()


def test_refusals_are_shown_and_the_dialog_stays_open(
    qtbot: QtBot, served: Store, make_learner: Any, tmp_path: Path, warnings: list[str]
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    ana = make_learner("ana")  # a learner of the server whose course this is, not enrolled
    dialog = make_dialog(qtbot, served, ana, folder, pool=ImmediatePool())
    dialog.export_button.click()
    assert len(warnings) == 1 and "not enrolled" in warnings[0]
    assert dialog.isVisible() and "not enrolled" in dialog.status_label.text()
    assert list(folder.iterdir()) == []
    progress.enroll(served, ana, "git-basics")
    dialogs = [make_dialog(qtbot, served, ana, folder, pool=ImmediatePool()) for _ in range(4)]
    for done in dialogs[:3]:
        done.export_button.click()
        assert done.result() == done.DialogCode.Accepted
    dialog = dialogs[3]
    dialog.export_button.click()
    assert "Try again in" in warnings[-1] and dialog.isVisible()


def test_cancel_stops_the_export_and_saves_nothing(
    qtbot: QtBot, store: Store, guest: Profile, tmp_path: Path, warnings: list[str]
) -> None:
    data = json.loads(make_course(120, 1_500_000))
    data["courseId"] = "git-basics"
    packages.import_bytes(store, json.dumps(data).encode())
    progress.enroll(store, guest, "git-basics")
    folder = tmp_path / "out"
    folder.mkdir()
    pool = QThreadPool()
    dialog = make_dialog(qtbot, store, guest, folder, pool=pool)
    dialog.export_button.click()
    assert dialog.running and not dialog.export_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.progress_bar.value() > 0, timeout=30_000)
    dialog.cancel_button.click()  # cancels the export; the dialog stays open
    qtbot.waitUntil(lambda: not dialog.running, timeout=60_000)
    pool.waitForDone()
    assert "cancelled" in dialog.status_label.text().lower()
    assert dialog.isVisible() and dialog.export_button.isEnabled()
    assert list(folder.iterdir()) == [] and warnings == []


def test_open_export_dialog_from_the_main_window(
    qtbot: QtBot, imported: Store, learner: Profile, tmp_path: Path
) -> None:
    from player.ui.shell.main_window import MainWindow

    window = MainWindow(imported, pool=ImmediatePool(), follow_system_theme=False)
    qtbot.addWidget(window)
    window.show()
    window.start(learner.id)
    dialog = open_export_dialog(window, "git-basics", parent=window)
    assert dialog is not None and dialog.isVisible()
    assert "Git Basics" in dialog.windowTitle()
    dialog.path_edit.setText(str(tmp_path / "from-window.pdf"))
    dialog.export_button.click()
    assert (tmp_path / "from-window.pdf").exists()
    assert "from-window.pdf" in window.statusBar().currentMessage()


def test_the_notes_check_box_prints_the_learners_notes(
    qtbot: QtBot, imported: Store, learner: Profile, tmp_path: Path, warnings: list[str]
) -> None:
    from player.services import notes
    from tests.export.pdf_text import read_pdf

    notes.add_note(imported, learner, "git-basics", 1, "My note on commits")
    dialog = make_dialog(qtbot, imported, learner, tmp_path, pool=ImmediatePool())
    assert dialog.notes_option.isEnabled() and not dialog.notes_option.isChecked()
    dialog.lms_option.click()
    assert not dialog.notes_option.isEnabled()  # only the PDF carries notes
    dialog.pdf_option.click()
    dialog.notes_option.click()
    with qtbot.waitSignal(dialog.exported):
        dialog.export_button.click()
    text = read_pdf((tmp_path / "git-basics-v2.pdf").read_bytes()).text
    assert "Your notes" in text and "My note on commits" in text
