"""The search page (Ctrl+K) and find in lesson (Ctrl+F), driven with the keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from player.services import profiles, resume
from player.store.db import Store
from player.ui.search.delegate import HIT_ROLE
from player.ui.shell.main_window import MainWindow
from tests.ui.conftest import MakeWindow
from tests.ui.helpers import open_lesson


def _search(qtbot: QtBot, window: MainWindow, text: str) -> None:
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    view = window.search_view
    assert window.content.currentWidget() is view
    assert QApplication.focusWidget() is view.field
    view.field.clear()
    if text.isascii():
        qtbot.keyClicks(view.field, text)
    else:  # QTest types only characters of a keyboard layout
        view.field.insert(text)
    with qtbot.waitSignal(view.query_changed, timeout=2000):
        pass


def _hits(window: MainWindow) -> list[tuple[str, int | None]]:
    tree = window.search_view.tree
    found = []
    for number in range(tree.topLevelItemCount()):
        course = tree.topLevelItem(number)
        assert course is not None
        for child in range(course.childCount()):
            item = course.child(child)
            assert item is not None
            hit = item.data(0, HIT_ROLE)
            found.append((hit.course_id, hit.lesson_index))
    return found


def test_ctrl_k_searches_every_course_grouped_by_course(qtbot: QtBot, window: MainWindow) -> None:
    _search(qtbot, window, "git")
    tree = window.search_view.tree
    assert tree.topLevelItemCount() >= 1
    assert tree.topLevelItem(0).text(0) == "Git Basics"  # type: ignore[union-attr]
    assert ("git-basics", None) in _hits(window)
    assert "result" in window.search_view.status.text()


def test_keyboard_only_opens_the_lesson_with_matches_marked(
    qtbot: QtBot, window: MainWindow
) -> None:
    _search(qtbot, window, "repository")
    view = window.search_view
    qtbot.keyClick(view.field, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is view.tree
    hit = view.tree.currentItem().data(0, HIT_ROLE)  # type: ignore[union-attr]
    assert hit.course_id == "git-basics" and hit.lesson_index is not None
    with qtbot.waitSignal(window.lesson_shown, timeout=3000):
        qtbot.keyClick(view.tree, Qt.Key.Key_Return)
    reader = window.reader
    assert window.content.currentWidget() is reader
    assert reader.lesson is not None and reader.lesson.index == hit.lesson_index
    marks = reader.browser.extraSelections()
    assert marks, "the matches are marked"
    marked = [s.cursor.selectedText().lower() for s in marks]
    assert all(text.startswith("repositor") for text in marked)
    assert reader.browser.textCursor().position() == marks[0].cursor.selectionStart()
    assert reader.find_bar.isVisible() and reader.find_bar.field.text() == "repository"


def test_esc_leaves_the_search_page(qtbot: QtBot, window: MainWindow) -> None:
    before = window.content.currentWidget()
    _search(qtbot, window, "git")
    qtbot.keyClick(window.search_view.field, Qt.Key.Key_Escape)
    assert window.content.currentWidget() is before


def test_query_syntax_and_no_result_show_a_message(qtbot: QtBot, window: MainWindow) -> None:
    for text in ('NEAR( "', "zzqqxx"):
        _search(qtbot, window, text)
        assert window.search_view.tree.topLevelItemCount() == 0
        assert "Nothing found" in window.search_view.status.text()


def test_cjk_and_accents_in_the_window(qtbot: QtBot, window: MainWindow) -> None:
    _search(qtbot, window, "日本")
    assert ("welcome-multilingual", 3) in _hits(window)
    _search(qtbot, window, "DEJA")
    assert ("welcome-multilingual", 0) in _hits(window)


def test_ctrl_f_finds_in_the_lesson_with_next_and_previous(
    qtbot: QtBot, window: MainWindow
) -> None:
    open_lesson(qtbot, window, "git-basics", 1)
    reader = window.reader
    qtbot.keyClick(reader.browser, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = reader.find_bar
    assert bar.isVisible() and QApplication.focusWidget() is bar.field
    qtbot.keyClicks(bar.field, "COMMIT")
    count = len(bar.highlighter.spans)
    assert count >= 2
    assert bar.count_label.text() == f"1 of {count}"
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert bar.highlighter.current == 1 and bar.count_label.text() == f"2 of {count}"
    qtbot.keyClick(bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.highlighter.current == 0
    qtbot.keyClick(bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.highlighter.current == count - 1  # wraps around
    start, end = bar.highlighter.spans[0]
    assert reader.browser.document().toRawText()[start:end].lower() == "commit"
    qtbot.keyClick(bar.field, Qt.Key.Key_Escape)
    assert not bar.isVisible() and not reader.browser.extraSelections()
    assert window.content.currentWidget() is reader  # Esc closed the bar, not the lesson


def test_find_reports_no_matches(qtbot: QtBot, window: MainWindow) -> None:
    open_lesson(qtbot, window, "git-basics", 1)
    bar = window.reader.find_bar
    qtbot.keyClick(window.reader.browser, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(bar.field, "zzqq")
    assert bar.count_label.text() == "No matches"
    assert not window.reader.browser.extraSelections()


def test_switching_learner_forgets_the_search(qtbot: QtBot, window: MainWindow) -> None:
    _search(qtbot, window, "git")
    window.set_profile(window.profile)  # type: ignore[arg-type]
    assert window.search_view.field.text() == ""
    assert window.search_view.tree.topLevelItemCount() == 0


def test_a_result_opens_at_its_match_not_at_the_resume_position(
    qtbot: QtBot, imported: Store, make_window: MakeWindow
) -> None:
    guest = profiles.ensure_guest(imported)
    resume.record_lesson(imported, guest, "git-basics", 1, 1.0)  # saved at the very end
    window = make_window(imported, guest, size=(1000, 420))  # short: the lesson scrolls
    assert window.content.currentWidget() is window.reader  # reopened where it was left
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    _search(qtbot, window, "mkdir")  # near the top of lesson 2
    view = window.search_view
    qtbot.keyClick(view.field, Qt.Key.Key_Down)
    assert view.tree.currentItem().data(0, HIT_ROLE).lesson_index == 1  # type: ignore[union-attr]
    with qtbot.waitSignal(window.lesson_shown, timeout=3000):
        qtbot.keyClick(view.tree, Qt.Key.Key_Return)
    reader = window.reader
    browser = reader.browser
    bar = browser.verticalScrollBar()
    assert reader.lesson is not None and reader.lesson.position == 1.0
    assert bar.maximum() > 0, "the lesson must be long enough to scroll"
    # the text settles (images fitted) and the window changes size: each lays the lesson out
    # again, which must not bring the saved position back
    window.resize(1000, 460)
    qtbot.wait(100)
    window.resize(1000, 400)
    qtbot.wait(100)

    def match_in_view() -> bool:
        marks = browser.extraSelections()
        if not marks:
            return False
        rect = browser.cursorRect(marks[0].cursor)
        return browser.viewport().rect().contains(rect.center())

    qtbot.waitUntil(match_in_view)
    assert bar.value() < bar.maximum()
    assert [s.cursor.selectedText().lower() for s in browser.extraSelections()] == ["mkdir"]
    # the learner reads on from there: what is saved is where they are now, not the old end
    reader.flush_position()
    assert reader.reading_position() < 1.0
