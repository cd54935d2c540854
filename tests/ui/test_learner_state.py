"""Enroll, Mark complete, Continue, the locked state of paid courses, switching learners."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from player.services import profiles, progress
from player.store.db import Store
from player.store.models import Product
from player.ui.catalog.model import badge_text, progress_text
from player.ui.shell.main_window import MainWindow
from tests.conftest import MakeLearner
from tests.ui.conftest import Dialogs, MakeWindow
from tests.ui.helpers import click, click_course, open_lesson


def _catalog_count(window: MainWindow, course_id: str) -> int:
    course = window.catalog.model.course(course_id)
    assert course is not None
    return course.completed


def test_enroll_button_enrolls(qtbot: QtBot, window: MainWindow) -> None:
    click_course(qtbot, window, "git-basics")
    overview = window.overview
    click(qtbot, overview.enroll_button)
    assert window.profile is not None
    assert progress.is_enrolled(window.store, window.profile, "git-basics")
    assert not overview.enroll_button.isVisible()
    assert overview.start_button.isVisible()
    assert overview.progress_label.text() == "0 of 3 lessons completed"
    course = window.catalog.model.course("git-basics")
    assert course is not None and progress_text(course) == "0 of 3 lessons"


def test_mark_complete_updates_overview_and_catalog(qtbot: QtBot, window: MainWindow) -> None:
    click_course(qtbot, window, "git-basics")
    click(qtbot, window.overview.enroll_button)
    open_lesson(qtbot, window, "git-basics", 1)
    reader = window.reader
    assert not reader.complete_button.isChecked()

    click(qtbot, reader.complete_button)
    assert reader.complete_button.isChecked()
    assert reader.complete_button.text() == "✓ Completed"
    assert [r.completed for r in window.overview.lessons.rows()] == [False, True, False]
    assert _catalog_count(window, "git-basics") == 1
    course = window.catalog.model.course("git-basics")
    assert course is not None and progress_text(course) == "1 of 3 lessons"

    click(qtbot, reader.back_button)
    overview = window.overview
    assert overview.continue_button.isVisible() and not overview.start_button.isVisible()
    # Continue goes back where the learner left the course (#12), not to the first lesson left
    assert overview.continue_button.text() == "Continue: lesson 2"
    click(qtbot, overview.continue_button)
    assert reader.lesson is not None and reader.lesson.index == 1
    open_lesson(qtbot, window, "git-basics", 0)

    click(qtbot, reader.next_button)  # lesson 1 → 2 (auto-completes lesson 1, it fits)
    click(qtbot, reader.complete_button)  # undo lesson 2
    assert not reader.complete_button.isChecked()
    assert [r.completed for r in window.overview.lessons.rows()] == [True, False, False]
    assert _catalog_count(window, "git-basics") == 1


def test_next_at_the_end_of_a_lesson_marks_it_complete(qtbot: QtBot, window: MainWindow) -> None:
    click_course(qtbot, window, "git-basics")
    click(qtbot, window.overview.enroll_button)
    open_lesson(qtbot, window, "git-basics", 0)
    reader = window.reader
    window.resize(700, 360)  # make the lesson taller than the view
    qtbot.waitUntil(lambda: reader.browser.verticalScrollBar().maximum() > 0)

    click(qtbot, reader.next_button)  # not scrolled to the bottom: not completed
    assert _catalog_count(window, "git-basics") == 0
    click(qtbot, reader.prev_button)
    bar = reader.browser.verticalScrollBar()
    bar.setValue(bar.maximum())
    click(qtbot, reader.next_button)
    assert _catalog_count(window, "git-basics") == 1
    assert window.overview.lessons.rows()[0].completed


def test_next_does_not_complete_without_enrollment(qtbot: QtBot, window: MainWindow) -> None:
    open_lesson(qtbot, window, "git-basics", 0)
    click(qtbot, window.reader.next_button)
    assert _catalog_count(window, "git-basics") == 0


def test_mark_complete_without_enrollment_offers_to_enroll(
    qtbot: QtBot, window: MainWindow, dialogs: Dialogs
) -> None:
    open_lesson(qtbot, window, "git-basics", 0)
    reader = window.reader

    dialogs.answer = QMessageBox.StandardButton.Cancel
    click(qtbot, reader.complete_button)
    assert len(dialogs.questions) == 1
    assert "not enrolled" in dialogs.questions[0]
    assert not reader.complete_button.isChecked()
    assert window.profile is not None
    assert not progress.is_enrolled(window.store, window.profile, "git-basics")

    dialogs.answer = QMessageBox.StandardButton.Ok  # the "Enroll" button
    click(qtbot, reader.complete_button)
    assert progress.is_enrolled(window.store, window.profile, "git-basics")
    assert reader.complete_button.isChecked()
    assert _catalog_count(window, "git-basics") == 1
    assert dialogs.warnings == []


def test_locked_paid_course_shows_the_price_and_the_reader_refuses(
    qtbot: QtBot,
    served: Store,
    make_learner: MakeLearner,
    add_product: Callable[..., Product],
    make_window: MakeWindow,
    dialogs: Dialogs,
) -> None:
    ana = make_learner("ana", tenant="t-north")
    add_product("git-basics", tenant="t-north", price_cents=4900)
    window = make_window(served, ana)

    course = window.catalog.model.course("git-basics")
    assert course is not None and badge_text(course) == "Locked · 49.00 EUR · Unsigned"
    click_course(qtbot, window, "git-basics")
    overview = window.overview
    assert overview.locked_frame.isVisible()
    assert "49.00 EUR" in overview.price_label.text()
    assert "Connect to buy" in overview.locked_label.text()
    assert not overview.start_button.isVisible()
    assert not overview.enroll_button.isVisible()
    assert not overview.buy_button.isVisible()  # hidden until the Buy flow is wired
    assert not overview.lessons.isVisible()

    window.open_lesson("git-basics", 0)
    assert len(dialogs.warnings) == 1
    assert "paid course" in dialogs.warnings[0] and "49.00 EUR" in dialogs.warnings[0]
    assert window.reader.lesson is None
    assert window.content.currentWidget() is window.overview

    overview.set_buy_available(True)
    assert overview.buy_button.isVisible()
    with qtbot.waitSignal(overview.buy_requested) as blocker:
        click(qtbot, overview.buy_button)
    assert blocker.args == ["git-basics"]


def test_switching_learners_clears_every_view(
    qtbot: QtBot, imported: Store, make_learner: MakeLearner, make_window: MakeWindow
) -> None:
    guest = profiles.ensure_guest(imported)
    window = make_window(imported, guest)
    click_course(qtbot, window, "git-basics")
    click(qtbot, window.overview.enroll_button)
    open_lesson(qtbot, window, "git-basics", 0)
    click(qtbot, window.reader.complete_button)
    assert _catalog_count(window, "git-basics") == 1
    qtbot.keyClicks(window.catalog.filter_edit, "git")

    make_learner("bea", tenant="t-south")
    window.switch_action.trigger()
    assert window.root.currentWidget() is window.learner_chooser
    assert window.learner_chooser.cancel_button.isVisible()
    ids = window.learner_chooser.profile_ids()
    assert ids[-1] == "guest" and len(ids) == 2
    with qtbot.waitSignal(window.profile_changed):
        window.learner_chooser.choose(ids[0])

    assert window.profile is not None and window.profile.userId == "bea"
    assert window.root.currentWidget() is window.splitter
    assert window.reader.lesson is None
    assert window.reader.browser.toPlainText() == ""
    assert not window.reader.browser.isBackwardAvailable()
    assert window.overview.course_id is None
    assert window.overview.placeholder.isVisible()
    assert window.catalog.filter_edit.text() == ""
    assert window.windowTitle().endswith("Bea")
    assert _catalog_count(window, "git-basics") == 0  # Bea does not see the guest's progress
    click_course(qtbot, window, "git-basics")
    assert not any(r.completed for r in window.overview.lessons.rows())
    assert window.overview.enroll_button.isVisible()

    assert profiles.last_used(imported).id == window.profile.id  # touched on switching


def test_sign_in_page_at_start_with_several_learners(
    qtbot: QtBot, imported: Store, make_learner: MakeLearner, make_window: MakeWindow
) -> None:
    make_learner("ana")
    window = make_window(imported)
    assert window.profile is None
    assert window.root.currentWidget() is window.learner_chooser
    assert not window.learner_chooser.cancel_button.isVisible()
    assert (
        not window.learner_chooser.server_button.isVisible()
    )  # hidden until server sign-in is wired
    assert not window.import_action.isEnabled()
    click(qtbot, window.learner_chooser.guest_button)
    assert window.profile is not None and window.profile.isGuest
    assert window.root.currentWidget() is window.splitter
    assert window.import_action.isEnabled()
    assert len(window.catalog.model.courses()) == 3


def test_switch_learner_can_be_cancelled(qtbot: QtBot, window: MainWindow) -> None:
    click_course(qtbot, window, "git-basics")
    window.switch_action.trigger()
    assert window.root.currentWidget() is window.learner_chooser
    click(qtbot, window.learner_chooser.cancel_button)
    assert window.root.currentWidget() is window.splitter
    assert window.overview.course_id == "git-basics"


def test_a_file_and_a_server_course_with_one_id_are_both_shown_labelled(
    qtbot: QtBot,
    served: Store,
    make_learner: MakeLearner,
    make_window: MakeWindow,
) -> None:
    from player.services import packages
    from tests.conftest import FIXTURES

    packages.import_file(served, FIXTURES / "git-basics.json")
    ana = make_learner("ana", tenant="t-north")
    window = make_window(served, ana)
    server = window.catalog.model.course("git-basics")
    imported = window.catalog.model.course("file:git-basics")
    assert server is not None and imported is not None
    assert not server.is_file and imported.is_file
    assert badge_text(imported) == "Imported file · git-basics.json"
    assert "Imported file" not in badge_text(server)
