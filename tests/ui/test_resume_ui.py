"""Resume in the window: the reading position is saved as the learner reads (throttled), the
next start goes back to the open lesson at that position, and Continue goes to the last lesson."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from player.services import profiles, progress, resume
from player.store.db import Store
from player.ui.shell.main_window import MainWindow
from tests.ui.conftest import MakeWindow
from tests.ui.helpers import click, click_course, open_lesson

SIZE = (1000, 420)  # short enough that the lessons scroll


def scroll_to_middle(qtbot: QtBot, window: MainWindow) -> None:
    bar = window.reader.browser.verticalScrollBar()
    assert bar.maximum() > 0, "the lesson must be long enough to scroll"
    emitted: list[tuple[str, int, float]] = []
    window.reader.position_changed.connect(lambda *args: emitted.append(args))
    with qtbot.waitSignal(window.reader.position_changed):
        for value in range(0, bar.maximum() // 2 + 1):  # many scroll events…
            bar.setValue(value)
    assert len(emitted) == 1  # …one save


def test_the_position_survives_a_crash_and_the_window_reopens_the_lesson(
    qtbot: QtBot, imported: Store, make_window: MakeWindow
) -> None:
    guest = profiles.ensure_guest(imported)
    first = make_window(imported, guest, size=SIZE)
    open_lesson(qtbot, first, "git-basics", 1)
    scroll_to_middle(qtbot, first)
    saved = resume.resume_point(imported, guest, "git-basics")
    assert saved is not None and saved.lesson_idx == 1 and 0.3 < saved.position < 0.7
    # no close event: as after a crash, a second window starts on the same store
    second = make_window(imported, guest, size=SIZE)
    lesson = second.reader.lesson
    assert lesson is not None and (lesson.course_id, lesson.index) == ("git-basics", 1)
    assert second.content.currentWidget() is second.reader
    bar = second.reader.browser.verticalScrollBar()
    qtbot.waitUntil(
        lambda: bar.maximum() > 0 and abs(bar.value() / bar.maximum() - saved.position) < 0.05
    )


def test_back_on_the_overview_the_next_start_shows_the_course(
    qtbot: QtBot, imported: Store, make_window: MakeWindow
) -> None:
    guest = profiles.ensure_guest(imported)
    first = make_window(imported, guest)
    open_lesson(qtbot, first, "welcome-multilingual", 2)
    click(qtbot, first.reader.back_button)
    assert resume.left_open(imported, guest) == resume.LeftOpen("welcome-multilingual", None)
    second = make_window(imported, guest)
    assert second.overview.course_id == "welcome-multilingual"
    assert second.content.currentWidget() is second.overview
    assert second.reader.lesson is None


def test_continue_goes_back_to_the_last_lesson_at_its_position(
    qtbot: QtBot, imported: Store, make_window: MakeWindow
) -> None:
    guest = profiles.ensure_guest(imported)
    progress.enroll(imported, guest, "git-basics")
    progress.set_lesson_completed(imported, guest, "git-basics", 0)
    window = make_window(imported, guest, size=SIZE)
    open_lesson(qtbot, window, "git-basics", 2)
    scroll_to_middle(qtbot, window)
    open_lesson(qtbot, window, "welcome-multilingual", 0)
    click_course(qtbot, window, "git-basics")
    assert window.overview.continue_button.text() == "Continue: lesson 3"  # not lesson 2
    click(qtbot, window.overview.continue_button)
    lesson = window.reader.lesson
    assert lesson is not None and lesson.index == 2 and lesson.position > 0.3
    bar = window.reader.browser.verticalScrollBar()
    qtbot.waitUntil(
        lambda: bar.maximum() > 0 and abs(bar.value() / bar.maximum() - lesson.position) < 0.05
    )


def test_another_learner_does_not_reopen_it(
    qtbot: QtBot, imported: Store, make_window: MakeWindow
) -> None:
    guest = profiles.ensure_guest(imported)
    resume.record_lesson(imported, guest, "git-basics", 1, 0.5)
    window = make_window(imported, profiles.upsert_server_profile(
        imported, user_id="bea", name="Bea", tenant_id="t-south",
        server_url="http://127.0.0.1:1", username="bea",
    ))  # fmt: skip
    assert window.reader.lesson is None and window.overview.course_id is None
