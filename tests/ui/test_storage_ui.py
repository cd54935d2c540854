"""Storage in the window: Settings lists each course's stored bytes and the total (as
``course-player storage``); Remove in the course's menu or on its page deletes its packages after a
question (progress, notes and bookmarks stay); a removed server course offers Download."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlmodel import select

from player.services import notes, packages, profiles, progress, storage
from player.store.db import Store
from player.store.models import CatalogEntry, RemovedCourse
from player.timeutil import utcnow
from player.ui.settings.storage import format_size
from player.ui.shell.main_window import MainWindow
from tests.conftest import FIXTURES
from tests.ui.conftest import Dialogs, MakeWindow
from tests.ui.helpers import click, click_course, open_lesson, stored_rows

GIT = "git-basics"


def _menu_remove(window: MainWindow, course_id: str) -> None:
    menu = window.catalog.course_menu(course_id)
    action = next(a for a in menu.actions() if a.objectName() == "catalogRemove")
    assert action.isEnabled()
    action.trigger()


def test_settings_show_each_course_and_the_total(
    qtbot: QtBot, imported: Store, make_window: MakeWindow
) -> None:
    guest = profiles.ensure_guest(imported)
    window = make_window(imported, guest)
    dialog = window.preferences.open_dialog()
    qtbot.addWidget(dialog)
    section = dialog.storage
    assert section is not None and section.usage is not None
    usage = storage.usage(imported, guest)
    rows = [
        (section.tree.topLevelItem(n).text(0), section.tree.topLevelItem(n).text(1))  # type: ignore[union-attr]
        for n in range(section.tree.topLevelItemCount())
    ]
    assert rows == [(c.title, format_size(c.size_bytes)) for c in usage.courses]
    assert len(rows) == 3
    assert format_size(usage.total_bytes) in section.total_label.text()
    assert "3 courses" in section.total_label.text()
    dialog.reject()


def test_remove_from_the_course_menu_keeps_progress_and_notes(
    qtbot: QtBot, imported: Store, make_window: MakeWindow, dialogs: Dialogs
) -> None:
    guest = profiles.ensure_guest(imported)
    progress.enroll(imported, guest, GIT)
    progress.set_lesson_completed(imported, guest, GIT, 0)
    notes.add_note(imported, guest, GIT, 1, "mine")
    window = make_window(imported, guest)
    open_lesson(qtbot, window, GIT, 1)
    dialogs.answer = QMessageBox.StandardButton.Yes
    _menu_remove(window, GIT)
    assert len(dialogs.questions) == 1 and "Git Basics" in dialogs.questions[0]
    assert GIT not in [row[0] for row in stored_rows(imported)]
    assert window.catalog.model.course(GIT) is None  # a file course: gone from the list
    assert window.reader.lesson is None  # its open lesson is gone too
    assert "removed" in window.statusBar().currentMessage()
    packages.import_file(imported, FIXTURES / "git-basics.json")  # imported again: all there
    assert progress.get_progress(imported, guest, GIT).completed == {0}
    assert [n.text for n in notes.list_notes(imported, guest)] == ["mine"]


def test_cancelling_the_question_changes_nothing(
    qtbot: QtBot, imported: Store, make_window: MakeWindow, dialogs: Dialogs
) -> None:
    before = stored_rows(imported)
    window = make_window(imported, profiles.ensure_guest(imported))
    click_course(qtbot, window, GIT)
    assert window.overview.remove_button.isVisible()
    dialogs.answer = QMessageBox.StandardButton.Cancel
    click(qtbot, window.overview.remove_button)
    assert len(dialogs.questions) == 1
    assert stored_rows(imported) == before
    assert window.catalog.model.course(GIT) is not None


def test_a_failed_removal_says_so_and_leaves_the_data(
    qtbot: QtBot, imported: Store, make_window: MakeWindow, dialogs: Dialogs
) -> None:
    guest = profiles.ensure_guest(imported)
    window = make_window(imported, guest)
    summary = window.catalog.model.course(GIT)
    assert summary is not None
    storage.remove_course(imported, guest, GIT)  # meanwhile, from the command line
    before = stored_rows(imported)
    dialogs.answer = QMessageBox.StandardButton.Yes
    assert window.catalog_flow.storage.remove(summary)
    assert dialogs.warnings and "git-basics" in dialogs.warnings[0]
    assert stored_rows(imported) == before


def _server_learner_with_git(store: Store, make_learner: Any) -> Any:
    ana = make_learner("ana")
    with store.write() as session:
        session.add(
            CatalogEntry(
                server=ana.server, tenantId="t-north", courseId=GIT, title="Git Basics",
                version=1, seenAt=utcnow(),
            )
        )  # fmt: skip
    progress.enroll(store, ana, GIT)
    progress.set_lesson_completed(store, ana, GIT, 0)
    return ana


def test_a_removed_server_course_offers_download(
    qtbot: QtBot, served: Store, make_window: MakeWindow, make_learner: Any, dialogs: Dialogs
) -> None:
    ana = _server_learner_with_git(served, make_learner)
    window = make_window(served, ana)
    click_course(qtbot, window, GIT)
    assert not window.overview.download_button.isVisible()
    dialogs.answer = QMessageBox.StandardButton.Yes
    click(qtbot, window.overview.remove_button)
    assert GIT not in [row[0] for row in stored_rows(served)]
    summary = window.catalog.model.course(GIT)
    assert summary is not None and summary.removed and not summary.stored
    assert window.overview.course_id == GIT
    assert window.overview.download_button.isVisible()
    assert not window.overview.remove_button.isVisible()
    assert "removed this course" in window.overview.notice_label.text()
    menu = window.catalog.course_menu(GIT)
    assert not next(a for a in menu.actions() if a.objectName() == "catalogRemove").isEnabled()

    asked: list[str] = []
    window.download_requested.connect(asked.append)
    click(qtbot, window.overview.download_button)
    assert asked == [GIT]  # sync, when attached, starts now (player/ui/sync/attach.py)
    with served.read() as session:
        assert session.exec(select(RemovedCourse)).first() is None  # the next sync fetches it
    assert "next sync" in window.statusBar().currentMessage()
    assert progress.get_progress(served, ana, GIT).completed == {0}


def test_kiosk_learners_cannot_remove(
    qtbot: QtBot, imported: Store, make_window: MakeWindow
) -> None:
    window = make_window(imported, profiles.ensure_guest(imported))
    window.overview.set_remove_allowed(False)
    window.catalog.remove_allowed = False
    click_course(qtbot, window, GIT)
    assert not window.overview.remove_button.isVisible()
    menu = window.catalog.course_menu(GIT)
    assert not next(a for a in menu.actions() if a.objectName() == "catalogRemove").isEnabled()
