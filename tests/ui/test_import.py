"""File → Import…: a good file adds and selects the course; a broken one changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from player.errors import PackageError
from player.package import parse_package
from player.store.db import Store
from player.ui.shell.main_window import MainWindow
from tests.conftest import FIXTURES, SAMPLES
from tests.ui.conftest import Dialogs, MakeWindow
from tests.ui.helpers import stored_rows

BROKEN = [*sorted(p.name for p in FIXTURES.glob("broken-*.json")), "draft-not-published.json"]


def _answer_file_dialog(monkeypatch: pytest.MonkeyPatch, path: Path | None) -> list[str]:
    asked: list[str] = []

    def get_open_file_name(*args: object, **kwargs: object) -> tuple[str, str]:
        asked.append("asked")
        return (str(path) if path else "", "")

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(get_open_file_name))
    return asked


def _a_course_file(tmp_path: Path) -> Path:
    samples = sorted(SAMPLES.glob("*.json"))
    source = samples[0] if samples else FIXTURES / "git-basics.json"
    target = tmp_path / "usb-stick" / source.name
    target.parent.mkdir()
    shutil.copy(source, target)
    return target


def test_import_from_a_file_adds_and_selects_the_course(
    qtbot: QtBot,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    dialogs: Dialogs,
) -> None:
    path = _a_course_file(tmp_path)
    expected = parse_package(path.read_bytes()).package
    assert window.catalog.model.course(expected.course_id) is None
    asked = _answer_file_dialog(monkeypatch, path)

    with qtbot.waitSignal(window.catalog_loaded):
        window.import_action.trigger()

    assert asked == ["asked"]
    assert dialogs.warnings == []
    assert window.catalog.model.course(expected.course_id) is not None
    assert window.catalog.current_course_id() == expected.course_id
    assert window.overview.course_id == expected.course_id
    assert window.overview.title_label.text() == expected.title
    assert "Imported" in window.statusBar().currentMessage()


def test_cancelled_file_dialog_does_nothing(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, imported: Store
) -> None:
    before = stored_rows(imported)
    _answer_file_dialog(monkeypatch, None)
    window.import_action.trigger()
    assert stored_rows(imported) == before


@pytest.mark.parametrize("name", BROKEN)
def test_import_of_a_broken_file_shows_the_message_and_changes_nothing(
    name: str,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    imported: Store,
    dialogs: Dialogs,
) -> None:
    path = FIXTURES / name
    with pytest.raises(PackageError) as refused:
        parse_package(path.read_bytes())
    before = stored_rows(imported)
    courses_before = window.catalog.model.courses()
    _answer_file_dialog(monkeypatch, path)

    window.import_action.trigger()

    assert dialogs.warnings == [str(refused.value)]
    assert stored_rows(imported) == before
    assert window.catalog.model.courses() == courses_before


def test_import_runs_off_the_ui_thread_with_a_real_pool(
    qtbot: QtBot, imported: Store, make_window: MakeWindow, tmp_path: Path
) -> None:
    from player.ui.shell.main_window import MainWindow as RealPoolWindow

    window = RealPoolWindow(imported, follow_system_theme=False)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.catalog_loaded, timeout=10_000):
        window.start()
    path = _a_course_file(tmp_path)
    course_id = parse_package(path.read_bytes()).package.course_id
    with qtbot.waitSignal(window.course_shown, timeout=10_000):
        window.import_path(path)
    assert window.catalog.current_course_id() == course_id


def test_file_import_accepts_a_verified_course_bundle(
    qtbot: QtBot,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    dialogs: Dialogs,
) -> None:
    import json
    import zipfile

    from sqlmodel import select

    from player.services import keys
    from player.store.models import StoredPackage
    from tests.server.signing import Signer

    origin = "https://learn.example.org"
    signer = Signer()
    public = signer.add_key("k1")
    raw = (FIXTURES / "git-basics.json").read_bytes()
    parsed = parse_package(raw)
    manifest = {
        "format": "course-bundle/1",
        "origin": origin,
        "tenantId": "t1",
        "createdAt": "2026-12-01T10:00:00Z",
        "courses": [
            {
                "courseId": parsed.package.course_id,
                "version": parsed.package.version,
                "sha256": parsed.sha256,
                "signature": signer.sign(
                    parsed.package.course_id, parsed.package.version, parsed.sha256
                ),
            }
        ],
    }
    path = tmp_path / "lab.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("bundle.json", json.dumps(manifest))
        zf.writestr(f"packages/{parsed.sha256}.json", raw)
    keys.pin_policy_keys(window.store, origin, [f"k1:{public}"])
    _answer_file_dialog(monkeypatch, path)

    with qtbot.waitSignal(window.catalog_loaded):
        window.import_action.trigger()

    assert dialogs.warnings == []
    assert "verified course" in window.statusBar().currentMessage()
    with window.store.read() as session:
        stored = session.exec(select(StoredPackage).where(StoredPackage.server == origin)).all()
    assert [(s.courseId, s.sigKid) for s in stored] == [(parsed.package.course_id, "k1")]
