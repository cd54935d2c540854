"""The reader's notes pane, Ctrl+D, and the "Notes & bookmarks" view, driven like a person."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from player import config, i18n
from player.services import notes, outbox, profiles
from player.store.db import Store
from player.ui.shell.main_window import MainWindow
from tests.conftest import MakeLearner
from tests.ui.conftest import MakeWindow
from tests.ui.helpers import click, click_course, open_lesson


def stored_texts(store: Store, window: MainWindow) -> list[str]:
    assert window.profile is not None
    return [i.text for i in notes.list_notes(store, window.profile) if i.kind == "note"]


def test_typing_a_note_saves_it_after_a_pause_and_edits_it_after(
    qtbot: QtBot, imported: Store, window: MainWindow
) -> None:
    open_lesson(qtbot, window, "git-basics", 1)
    reader = window.reader
    click(qtbot, reader.notes_button)
    pane = reader.notes_pane
    assert pane.isVisible() and pane.editor.hasFocus()
    qtbot.keyClicks(pane.editor, "Remember git add")
    qtbot.waitUntil(lambda: stored_texts(imported, window) == ["Remember git add"])
    qtbot.keyClicks(pane.editor, " -p")
    qtbot.waitUntil(lambda: stored_texts(imported, window) == ["Remember git add -p"])
    assert window.profile is not None
    events = [r for r in outbox.items(imported, window.profile) if r.kind == "note"]
    assert len(events) == 2 and len({e.payload["id"] for e in events}) == 1  # one note, edited

    # a second note, then deleting the first
    click(qtbot, pane.new_button)
    qtbot.keyClicks(pane.editor, "Second thought")
    pane.save_now()
    assert sorted(stored_texts(imported, window)) == ["Remember git add -p", "Second thought"]
    assert pane.list.count() == 2
    pane.list.setCurrentRow(0)
    assert pane.editor.toPlainText() == "Remember git add -p"
    click(qtbot, pane.delete_button)
    assert stored_texts(imported, window) == ["Second thought"]
    assert pane.editor.toPlainText() == "Second thought"

    # leaving and coming back shows the stored notes
    open_lesson(qtbot, window, "git-basics", 0)
    assert pane.editor.toPlainText() == "" and pane.list.count() == 0
    open_lesson(qtbot, window, "git-basics", 1)
    assert pane.editor.toPlainText() == "Second thought"


def test_a_note_over_the_limit_is_not_saved_and_says_why(
    qtbot: QtBot, imported: Store, window: MainWindow
) -> None:
    open_lesson(qtbot, window, "git-basics", 0)
    window.reader.set_notes_visible(True)
    pane = window.reader.notes_pane
    pane.editor.setPlainText("x" * 20_000)
    pane.save_now()
    assert [len(t) for t in stored_texts(imported, window)] == [20_000]
    pane.editor.insertPlainText("y")
    assert "too long to save" in pane.counter.text()
    pane.save_now()
    assert [len(t) for t in stored_texts(imported, window)] == [20_000]  # the saved version stays
    pane.editor.textCursor().deletePreviousChar()
    pane.editor.setPlainText("x" * 19_999 + "z")
    pane.save_now()
    assert stored_texts(imported, window)[0].endswith("z")


def test_ctrl_d_toggles_the_bookmark(qtbot: QtBot, imported: Store, window: MainWindow) -> None:
    open_lesson(qtbot, window, "git-basics", 2)
    assert window.profile is not None
    qtbot.keyClick(window.reader.browser, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert notes.lesson_notes(imported, window.profile, "git-basics", 2).bookmarked
    assert window.reader.notes_pane.bookmark_button.isChecked()
    qtbot.keyClick(window.reader.browser, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert not notes.lesson_notes(imported, window.profile, "git-basics", 2).bookmarked


def test_the_list_view_opens_the_lesson(qtbot: QtBot, imported: Store, window: MainWindow) -> None:
    assert window.profile is not None
    notes.add_note(imported, window.profile, "welcome-multilingual", 2, "Japanese\nmore")
    notes.set_bookmark(imported, window.profile, "git-basics", 1)
    window.notes_list_action.trigger()
    dialog = window.notes_list.dialog
    assert dialog is not None and dialog.isVisible()
    tree = dialog.tree
    assert tree.topLevelItemCount() == 2
    git = tree.topLevelItem(0)
    assert git is not None and git.text(0) == "Git Basics"
    bookmark = git.child(0)
    assert bookmark is not None and "Bookmark" in bookmark.text(1)
    world = tree.topLevelItem(1)
    assert world is not None
    note = world.child(0)
    assert note is not None and note.text(1) == "Japanese" and note.text(0).startswith("Lesson 3")
    tree.setCurrentItem(note)
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert window.reader.lesson is not None
    assert (window.reader.lesson.course_id, window.reader.lesson.index) == (
        "welcome-multilingual",
        2,
    )
    assert window.reader.notes_pane.editor.toPlainText() == "Japanese\nmore"
    assert not dialog.isVisible()


def test_another_learner_never_sees_them(
    qtbot: QtBot, imported: Store, make_learner: MakeLearner, make_window: MakeWindow
) -> None:
    guest = profiles.ensure_guest(imported)
    notes.add_note(imported, guest, "git-basics", 0, "the guest's secret")
    window = make_window(imported, guest)
    open_lesson(qtbot, window, "git-basics", 0)
    window.reader.set_notes_visible(True)
    assert window.reader.notes_pane.editor.toPlainText() == "the guest's secret"
    window.notes_list_action.trigger()

    make_learner("bea", tenant="t-south")
    window.switch_action.trigger()
    with qtbot.waitSignal(window.profile_changed):
        window.learner_chooser.choose(window.learner_chooser.profile_ids()[0])
    assert window.profile is not None and window.profile.userId == "bea"
    assert window.notes_list.dialog is None
    assert window.reader.notes_pane.editor.toPlainText() == ""
    click_course(qtbot, window, "git-basics")
    open_lesson(qtbot, window, "git-basics", 0)
    assert window.reader.notes_pane.editor.toPlainText() == ""
    assert window.reader.notes_pane.list.count() == 0
    window.notes_list_action.trigger()
    assert (
        window.notes_list.dialog is not None
        and window.notes_list.dialog.tree.topLevelItemCount() == 0
    )


def test_a_long_note_is_cut_short_in_the_list_not_scrolled(
    qtbot: QtBot, imported: Store, window: MainWindow
) -> None:
    open_lesson(qtbot, window, "git-basics", 1)
    pane = window.reader.notes_pane
    click(qtbot, window.reader.notes_button)
    long_line = "DRSABCD: Danger comes first, every time; practise the order with a partner " * 3
    qtbot.keyClicks(pane.editor, long_line)
    pane.save_now()
    qtbot.waitUntil(lambda: pane.list.count() == 1)
    item = pane.list.item(0)
    assert pane.list.fontMetrics().horizontalAdvance(item.text()) > pane.list.viewport().width()
    assert not pane.list.horizontalScrollBar().isVisible()
    assert pane.list.textElideMode() == Qt.TextElideMode.ElideRight
    assert item.toolTip().startswith("DRSABCD: Danger comes first")


def test_the_notes_list_names_a_learners_note_not_a_callout(
    qtbot: QtBot, imported: Store, make_window: MakeWindow
) -> None:
    """ "Note" is two words in German: a callout's label (Hinweis) and a learner's note (Notiz)."""
    locales = config.resources_dir() / "locale"
    i18n.install("de", locales)
    try:
        window = make_window(imported)
        window.notes_list.show()
        dialog = window.notes_list.dialog
        assert dialog is not None
        header = dialog.tree.headerItem()
        assert (header.text(0), header.text(1)) == ("Lektion", "Notiz")
        assert i18n._("Note") == "Hinweis"  # the callout keeps its word
        dialog.close()
    finally:
        i18n.install(None, locales)
