"""Catalog → overview → reader, Previous / Next, the filter, the narrow layout."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from player.ui.shell.main_window import MainWindow
from tests.ui.conftest import MakeWindow
from tests.ui.helpers import click, click_course, open_lesson


def test_catalog_lists_the_visible_courses(window: MainWindow) -> None:
    ids = [c.course_id for c in window.catalog.model.courses()]
    assert sorted(ids) == sorted(["git-basics", "welcome-multilingual", "../../etc/passwd"])
    assert window.windowTitle().endswith("Guest")


def test_open_a_course_from_the_catalog(qtbot: QtBot, window: MainWindow) -> None:
    click_course(qtbot, window, "git-basics")
    overview = window.overview
    assert window.content.currentWidget() is overview
    assert overview.title_label.text() == "Git Basics"
    assert "Version 2" in overview.meta_label.text()
    assert "English" in overview.meta_label.text()
    assert overview.summary_label.text().startswith("Keep a history of your work")
    rows = overview.lessons.rows()
    assert [r.title for r in rows] == [
        "What Git remembers",
        "Making a first commit",
        "Branches and merges",
    ]
    assert rows[0].objectives == (
        "Say what a commit stores",
        "Give two reasons to keep a history",
    )
    assert rows[0].minutes == 7
    assert not any(r.completed for r in rows)
    assert overview.start_button.isVisible() and overview.enroll_button.isVisible()
    assert not overview.continue_button.isVisible()
    assert not overview.buy_button.isVisible()
    assert not overview.export_button.isVisible()  # a preview: export needs the enrollment


def test_next_and_previous_at_both_ends(qtbot: QtBot, window: MainWindow) -> None:
    click_course(qtbot, window, "git-basics")
    click(qtbot, window.overview.start_button)
    reader = window.reader
    assert window.content.currentWidget() is reader
    assert reader.position_label.text() == "Lesson 1 of 3"
    assert not reader.prev_button.isEnabled() and reader.next_button.isEnabled()
    assert "What Git remembers" in reader.browser.toPlainText()

    click(qtbot, reader.next_button)
    assert reader.position_label.text() == "Lesson 2 of 3"
    assert reader.prev_button.isEnabled() and reader.next_button.isEnabled()
    click(qtbot, reader.next_button)
    assert reader.position_label.text() == "Lesson 3 of 3"
    assert "Branches and merges" in reader.browser.toPlainText()
    assert reader.prev_button.isEnabled() and not reader.next_button.isEnabled()
    reader.go_next()  # at the end: nothing happens
    assert reader.lesson is not None and reader.lesson.index == 2

    click(qtbot, reader.prev_button)
    click(qtbot, reader.prev_button)
    assert reader.position_label.text() == "Lesson 1 of 3"
    assert not reader.prev_button.isEnabled()
    reader.go_previous()
    assert reader.lesson is not None and reader.lesson.index == 0


def test_keyboard_shortcuts_move_between_lessons(qtbot: QtBot, window: MainWindow) -> None:
    open_lesson(qtbot, window, "git-basics", 0)
    reader = window.reader
    reader.browser.setFocus()
    QTest.keyClick(reader.browser, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert reader.lesson is not None and reader.lesson.index == 1
    QTest.keyClick(reader.browser, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
    assert reader.lesson.index == 2 if reader.lesson else False
    QTest.keyClick(reader.browser, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert reader.lesson is not None and reader.lesson.index == 1
    QTest.keyClick(reader.browser, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.ControlModifier)
    assert reader.lesson is not None and reader.lesson.index == 0
    # PageUp at the top of the first lesson stays; PageDown at the bottom goes on
    QTest.keyClick(reader.browser, Qt.Key.Key_PageUp)
    assert reader.lesson.index == 0
    bar = reader.browser.verticalScrollBar()
    bar.setValue(bar.maximum())
    QTest.keyClick(reader.browser, Qt.Key.Key_PageDown)
    assert reader.lesson.index == 1


def test_back_from_reader_to_overview(qtbot: QtBot, window: MainWindow) -> None:
    open_lesson(qtbot, window, "git-basics", 1)
    click(qtbot, window.reader.back_button)
    assert window.content.currentWidget() is window.overview
    assert window.overview.course_id == "git-basics"
    click(qtbot, window.overview.start_button)
    QTest.keyClick(window.reader.browser, Qt.Key.Key_Escape)
    assert window.content.currentWidget() is window.overview


def test_filter_narrows_the_list_and_clears(qtbot: QtBot, window: MainWindow) -> None:
    panel = window.catalog
    assert panel.visible_count() == 3
    qtbot.keyClicks(panel.filter_edit, "GIT")
    assert panel.visible_count() == 1
    assert panel.proxy.index(0, 0).data() == "Git Basics"
    panel.filter_edit.clear()
    qtbot.keyClicks(panel.filter_edit, "multilingual")  # matches the course id only
    assert panel.visible_count() == 1
    panel.filter_edit.clear()
    qtbot.keyClicks(panel.filter_edit, "no such course")
    assert panel.visible_count() == 0
    assert panel.empty_label.isVisible()
    assert "no such course" in panel.empty_label.text()
    QTest.keyClick(panel.filter_edit, Qt.Key.Key_Escape)
    assert panel.filter_edit.text() == ""
    assert panel.visible_count() == 3
    assert not panel.empty_label.isVisible()


def test_narrow_layout_at_360_px(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(360, 640)
    qtbot.waitUntil(lambda: window.narrow)
    assert window.content.currentWidget() is window.catalog
    assert window.catalog.isVisible()
    assert not window.sidebar_action.isEnabled()

    click_course(qtbot, window, "git-basics")
    assert window.content.currentWidget() is window.overview
    assert window.overview.back_button.isVisible()
    click(qtbot, window.overview.start_button)
    assert window.content.currentWidget() is window.reader
    assert window.reader.width() <= 360
    click(qtbot, window.reader.next_button)
    assert window.reader.position_label.text() == "Lesson 2 of 3"
    click(qtbot, window.reader.back_button)
    assert window.content.currentWidget() is window.overview
    click(qtbot, window.overview.back_button)
    assert window.content.currentWidget() is window.catalog

    window.resize(1000, 700)
    qtbot.waitUntil(lambda: not window.narrow)
    assert window.splitter.indexOf(window.catalog) == 0
    assert window.content.currentWidget() is window.overview
    assert not window.overview.back_button.isVisible()


def test_sidebar_can_be_hidden(qtbot: QtBot, window: MainWindow) -> None:
    assert window.catalog.isVisible()
    window.sidebar_action.trigger()
    assert not window.catalog.isVisible()
    window.sidebar_action.trigger()
    assert window.catalog.isVisible()


def test_window_geometry_and_splitter_remembered(
    qtbot: QtBot, window: MainWindow, make_window: MakeWindow
) -> None:
    window.resize(720, 520)
    window.splitter.setSizes([250, 470])
    sizes = window.splitter.sizes()
    window.close()
    again = make_window(window.store, size=None)
    assert (again.width(), again.height()) == (720, 520)
    assert again.splitter.sizes()[0] == sizes[0]


def test_export_is_offered_once_enrolled_and_opens_the_dialog(
    qtbot: QtBot, window: MainWindow
) -> None:
    from player.ui.export import ExportDialog

    click_course(qtbot, window, "git-basics")
    assert not window.overview.export_button.isVisible()
    click(qtbot, window.overview.enroll_button)
    assert window.overview.export_button.isVisible()
    click(qtbot, window.overview.export_button)
    dialogs = [w for w in window.findChildren(ExportDialog) if w.isVisible()]
    assert len(dialogs) == 1
    dialogs[0].reject()
