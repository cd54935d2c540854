"""Kiosk mode: the policy loaded, forbidden actions absent or refused, the idle sign-out with a
warning before it, nothing of the previous learner left on screen, their queued progress kept,
and leaving only with the technician's PIN.

The idle timer runs with intervals of a few hundred milliseconds set by the test (the policy's
minutes are checked as numbers); the tests wait for signals, never for a time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from player.policy import MIN_PIN_ITERATIONS, LabPolicy, hash_pin, parse_policy
from player.services import outbox, progress
from player.settings import Settings
from player.store.db import Store
from player.store.models import Profile
from player.ui.kiosk.controller import IdleWatcher
from player.ui.shell.main_window import MainWindow
from tests.conftest import MakeLearner, serve_courses
from tests.ui.conftest import Dialogs, MakeWindow
from tests.ui.helpers import click, click_course, open_lesson

PIN = "2468"
WRONG_PIN = "1357"
# PBKDF2 at the smallest count the policy accepts: a hash with fewer is refused (and verify_pin
# refuses every PIN against it), so the tests use 100,000 rather than the default 600,000.
PIN_HASH = hash_pin(PIN, iterations=MIN_PIN_ITERATIONS)


def make_policy(tmp_path: Path, *, server: bool = False) -> LabPolicy:
    server_section = (
        '[server]\nurl = "https://learn.example.org"\ntenant = "t-north"\n\n' if server else ""
    )
    text = (
        f"{server_section}"
        "[kiosk]\n"
        "enabled = true\n"
        "idle_timeout_minutes = 10\n"
        f'pin_hash = "{PIN_HASH}"\n\n'
        "[ui]\n"
        "text_sizes = [100, 125, 150, 200]\n"
    )
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return parse_policy(text, path)


@pytest.fixture
def policy(tmp_path: Path) -> LabPolicy:
    return make_policy(tmp_path)


@pytest.fixture
def kiosk_window(imported: Store, make_window: MakeWindow, policy: LabPolicy) -> MainWindow:
    return make_window(
        imported, kiosk=True, policy=policy, settings=Settings.load().with_policy(policy)
    )


@pytest.fixture
def ana(make_learner: MakeLearner) -> Profile:
    return make_learner("ana", tenant="t-north")


def answer_pin(monkeypatch: pytest.MonkeyPatch, pin: str | None) -> list[Any]:
    """Answer the PIN question with ``pin`` (None: Cancel); returns the echo modes asked with."""
    asked: list[Any] = []

    def get_text(_parent: Any, _title: str, _label: str, echo: Any = None, *a: Any) -> Any:
        asked.append(echo)
        return (pin or "", pin is not None)

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(get_text))
    return asked


def texts_on_screen(window: MainWindow) -> list[str]:
    """Every text the window's widgets hold, except the sign-in list (every learner of this
    machine, by name: how the next learner signs in)."""
    found = [window.windowTitle(), window.statusBar().currentMessage()]
    for widget in window.findChildren(QWidget):
        if widget is window.learner_chooser.list or window.learner_chooser.list.isAncestorOf(
            widget
        ):
            continue
        found += [widget.toolTip(), widget.accessibleDescription(), widget.windowTitle()]
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
            found.append(widget.text())
        if isinstance(widget, QTextEdit):
            found.append(widget.toPlainText())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(model.rowCount()):
                found.append(str(model.index(row, 0).data() or ""))
    return [text for text in found if text]


def learn_something(qtbot: QtBot, window: MainWindow, learner: Profile) -> None:
    """Sign in as ``learner``, enroll in Git Basics, complete lesson 1, filter the catalog."""
    window.learner_chooser.choose(learner.id)
    assert window.profile is not None and window.profile.id == learner.id
    click_course(qtbot, window, "git-basics")
    click(qtbot, window.overview.enroll_button)
    open_lesson(qtbot, window, "git-basics", 0)
    click(qtbot, window.reader.complete_button)
    qtbot.keyClicks(window.catalog.filter_edit, "git")


# --- the policy --------------------------------------------------------------------------------


def test_the_policy_is_loaded(qtbot: QtBot, kiosk_window: MainWindow) -> None:
    window = kiosk_window
    kiosk = window.kiosk_mode
    assert window.kiosk and kiosk is not None
    assert kiosk.pin_required
    assert kiosk.idle.timeout_ms == 10 * 60 * 1000
    assert kiosk.idle.warning_ms == 9 * 60 * 1000  # the warning one minute before
    assert not kiosk.idle.running  # nobody signed in yet
    assert window.reader.zoom_choices == (100, 125, 150, 200)
    window.show_window()
    qtbot.waitUntil(window.isFullScreen)
    # every start begins at the learner chooser, even with one learner on the machine
    assert window.root.currentWidget() is window.learner_chooser
    assert window.profile is None


def test_kiosk_flag_without_a_policy_closes_normally(
    qtbot: QtBot, imported: Store, make_window: MakeWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = answer_pin(monkeypatch, PIN)
    window = make_window(imported, kiosk=True)
    kiosk = window.kiosk_mode
    assert window.kiosk and kiosk is not None and not kiosk.pin_required
    assert kiosk.idle.timeout_ms == 15 * 60 * 1000  # the default idle time
    assert not window.quit_action.isVisible()
    kiosk.leave_action.trigger()  # no PIN to ask for
    assert asked == []
    assert not window.kiosk
    assert window.close()


# --- forbidden actions -------------------------------------------------------------------------


def _menu_texts(window: MainWindow) -> list[str]:
    texts = []
    for menu in window.menuBar().findChildren(QMenu):
        for action in menu.actions():
            if action.isVisible() and not action.isSeparator():
                texts.append(action.text().replace("&", ""))
    return texts


def test_forbidden_actions_are_absent_or_refused(
    qtbot: QtBot,
    kiosk_window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    opened_urls: list[str],
) -> None:
    window = kiosk_window
    window.learner_chooser.choose("guest")
    texts = _menu_texts(window)
    assert not [t for t in texts if t.startswith(("Import", "Export", "Quit", "Switch"))]
    assert "Leave kiosk mode…" in texts and "Sign out" in texts
    for action in (window.import_action, window.quit_action, window.switch_action):
        assert not action.isVisible() and not action.isEnabled()
    assert window.kiosk_mode is not None and window.kiosk_mode.sign_out_button.isVisible()

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # so that shortcuts would work

    # no file dialog, even when asked directly
    asked: list[str] = []

    def get_open_file_name(*args: object, **kwargs: object) -> tuple[str, str]:
        asked.append("file dialog")
        return ("", "")

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(get_open_file_name))
    window.import_course()
    QTest.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert asked == []

    # the window does not close: not from the window manager, not with Ctrl+Q
    assert not window.close()
    QTest.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert window.isVisible()
    assert "kiosk mode" in window.statusBar().currentMessage()

    # no export, even once the export work is wired
    window.overview.set_export_available(True)
    click_course(qtbot, window, "git-basics")
    assert not window.overview.export_button.isVisible()

    # web links would open another program: refused
    open_lesson(qtbot, window, "git-basics", 0)
    window.reader.browser.anchorClicked.emit(QUrl("https://example.org/"))
    assert opened_urls == []
    assert "do not open" in window.statusBar().currentMessage()

    # settings: the text size only
    dialog = window.preferences.open_dialog()
    assert list(dialog.rows) == ["text_zoom"]
    assert not dialog.server_edit.isVisible() and not dialog.theme_combo.isVisible()
    assert not dialog.language_combo.isVisible() and not dialog.interval_spin.isVisible()
    assert dialog.zoom_combo.isVisible()
    assert [dialog.zoom_combo.itemData(i) for i in range(dialog.zoom_combo.count())] == [
        100,
        125,
        150,
        200,
    ]
    dialog.reject()


def test_text_size_in_kiosk_mode_lasts_for_the_session(
    qtbot: QtBot, kiosk_window: MainWindow, config_dir: Path
) -> None:
    window = kiosk_window
    window.learner_chooser.choose("guest")
    dialog = window.preferences.open_dialog()
    dialog.zoom_combo.setCurrentIndex(dialog.zoom_combo.findData(150))
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert window.reader.zoom == 150
    window.zoom_in_action.trigger()
    assert window.reader.zoom == 200
    assert not (config_dir / "settings.json").exists()  # the machine's setting is untouched
    window.sign_out()
    assert window.reader.zoom == 100  # the next learner starts from the machine's size


# --- the session -------------------------------------------------------------------------------


def test_sign_out_button_ends_the_session(
    qtbot: QtBot, kiosk_window: MainWindow, ana: Profile
) -> None:
    window = kiosk_window
    assert window.kiosk_mode is not None
    learn_something(qtbot, window, ana)
    with qtbot.waitSignal(window.signed_out):
        click(qtbot, window.kiosk_mode.sign_out_button)
    assert window.root.currentWidget() is window.learner_chooser
    assert window.profile is None
    assert not window.kiosk_mode.idle.running
    assert not window.kiosk_mode.sign_out_button.isVisible()  # nobody to sign out


def test_idle_timeout_signs_out_and_leaves_no_trace(
    qtbot: QtBot, kiosk_window: MainWindow, ana: Profile, imported: Store
) -> None:
    window = kiosk_window
    kiosk = window.kiosk_mode
    assert kiosk is not None
    serve_courses(imported, names=("git-basics.json",))  # Ana's server course: queued progress
    learn_something(qtbot, window, ana)
    assert "Ana" in texts_on_screen(window)[0]
    assert kiosk.idle.running
    pending_before = outbox.items(imported, ana, outbox.PENDING)
    assert {item.kind for item in pending_before} >= {"enrollment", "progress"}
    window.preferences.open_dialog()  # a dialog left open by the learner
    assert window.preferences.dialog is not None and window.preferences.dialog.isVisible()

    kiosk.idle.set_intervals(warning_ms=100, timeout_ms=300)
    with qtbot.waitSignal(kiosk.idle.warned, timeout=10_000):
        pass
    assert kiosk.warning.isVisible()
    assert "You will be signed out in" in kiosk.warning.label.text()
    assert "move the mouse or press a key to stay" in kiosk.warning.label.text()
    with qtbot.waitSignal(window.signed_out, timeout=10_000):
        pass

    # the learner chooser, and nothing of Ana
    assert window.root.currentWidget() is window.learner_chooser
    assert window.profile is None
    assert not kiosk.warning.isVisible()
    assert window.preferences.dialog is None  # the open dialog was closed
    assert window.catalog.model.rowCount() == 0
    assert window.catalog.filter_edit.text() == ""
    assert window.overview.course_id is None and window.overview.title_label.text() == ""
    assert window.overview.lessons.count() == 0
    assert window.reader.lesson is None
    assert window.reader.browser.toPlainText() == ""
    assert not window.reader.browser.isBackwardAvailable()
    assert window.learner_label.text() == ""
    assert window.windowTitle() == "Course Player"
    leftovers = [t for t in texts_on_screen(window) if "Ana" in t or "Git Basics" in t]
    assert leftovers == []
    # the learner chooser lists the learners by name with none chosen: not who came last
    assert window.learner_chooser.list.selectedItems() == []
    assert not window.learner_chooser.continue_button.isEnabled()  # until the next learner chooses
    assert not window.learner_chooser.cancel_button.isVisible()

    # Ana's progress is still queued for upload: nothing was deleted or sent
    pending_after = outbox.items(imported, ana, outbox.PENDING)
    assert [i.clientEventId for i in pending_after] == [i.clientEventId for i in pending_before]

    # the next learner starts fresh
    window.learner_chooser.choose("guest")
    assert window.profile is not None and window.profile.isGuest
    course = window.catalog.model.course("git-basics")
    assert course is not None and course.completed == 0
    assert window.catalog.model.rowCount() == 3


def test_activity_takes_the_warning_back(
    qtbot: QtBot, kiosk_window: MainWindow, ana: Profile
) -> None:
    window = kiosk_window
    kiosk = window.kiosk_mode
    assert kiosk is not None
    window.learner_chooser.choose(ana.id)
    kiosk.idle.set_intervals(warning_ms=50, timeout_ms=60_000)

    with qtbot.waitSignal(kiosk.idle.warned, timeout=10_000):
        pass
    assert kiosk.warning.isVisible()
    with qtbot.waitSignal(kiosk.idle.resumed, timeout=2_000):
        QTest.keyClick(window.catalog.filter_edit, Qt.Key.Key_Shift)
    assert not kiosk.warning.isVisible()
    assert window.profile is not None  # still signed in, the count starts again

    with qtbot.waitSignal(kiosk.idle.warned, timeout=10_000):
        pass
    with qtbot.waitSignal(kiosk.idle.resumed, timeout=2_000):
        QTest.mouseMove(window.catalog.view.viewport(), QPoint(20, 20))
        QTest.mouseMove(window.catalog.view.viewport(), QPoint(30, 25))
    assert not kiosk.warning.isVisible()

    with qtbot.waitSignal(kiosk.idle.warned, timeout=10_000):
        pass
    with qtbot.waitSignal(kiosk.idle.resumed, timeout=2_000):
        click(qtbot, kiosk.warning.stay_button)
    assert window.profile is not None
    assert kiosk.idle.running


def _mouse_move(widget: QWidget, x: float, y: float) -> None:
    point = QPointF(x, y)
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        point,
        point,
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)


def test_a_mouse_move_without_movement_is_not_activity(qtbot: QtBot) -> None:
    # Window systems send one when a window (the warning itself) appears under the pointer:
    # it must not take the warning back, or an idle session would never end.
    target = QWidget()
    qtbot.addWidget(target)
    watcher = IdleWatcher(warning_ms=50, timeout_ms=60_000)
    watcher.start()
    try:
        with qtbot.waitSignal(watcher.warned, timeout=10_000):
            pass
        with qtbot.waitSignal(watcher.resumed, timeout=2_000):
            _mouse_move(target, 5, 5)
        with qtbot.waitSignal(watcher.warned, timeout=10_000):
            pass
        _mouse_move(target, 5, 5)  # the pointer did not move
        assert watcher.warning_shown
        with qtbot.waitSignal(watcher.resumed, timeout=2_000):
            _mouse_move(target, 6, 5)
    finally:
        watcher.stop()


def test_guest_hidden_when_the_policy_names_a_server(
    qtbot: QtBot, imported: Store, make_window: MakeWindow, tmp_path: Path, ana: Profile
) -> None:
    policy = make_policy(tmp_path, server=True)
    window = make_window(imported, kiosk=True, policy=policy)
    assert window.root.currentWidget() is window.learner_chooser
    assert not window.learner_chooser.guest_button.isVisible()
    # learners sign in with their account (tests/ui/test_kiosk_lab_accounts.py): no list of names
    assert window.learner_chooser.profile_ids() == []
    assert window.learner_chooser.account_form.isVisible()


def test_guest_allowed_without_a_server(qtbot: QtBot, kiosk_window: MainWindow) -> None:
    assert kiosk_window.learner_chooser.guest_button.isVisible()
    click(qtbot, kiosk_window.learner_chooser.guest_button)
    assert kiosk_window.profile is not None and kiosk_window.profile.isGuest


# --- leaving kiosk mode ------------------------------------------------------------------------


def test_leaving_needs_the_pin(
    qtbot: QtBot,
    kiosk_window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    dialogs: Dialogs,
) -> None:
    window = kiosk_window
    kiosk = window.kiosk_mode
    assert kiosk is not None
    window.learner_chooser.choose("guest")

    asked = answer_pin(monkeypatch, None)  # Cancel
    assert not kiosk.request_leave()
    assert window.kiosk and dialogs.warnings == []

    asked = answer_pin(monkeypatch, WRONG_PIN)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    QTest.keyClick(
        window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    )
    assert asked == [QLineEdit.EchoMode.Password]
    assert window.kiosk
    assert len(dialogs.warnings) == 1 and "not right" in dialogs.warnings[0]
    assert not window.close()

    asked = answer_pin(monkeypatch, PIN)
    with qtbot.waitSignal(kiosk.left):
        kiosk.leave_action.trigger()
    assert asked == [QLineEdit.EchoMode.Password]
    assert not window.kiosk
    assert not window.isFullScreen()
    assert not kiosk.idle.running
    for action in (window.import_action, window.quit_action, window.switch_action):
        assert action.isVisible() and action.isEnabled()
    assert not kiosk.sign_out_button.isVisible() and not kiosk.leave_action.isVisible()
    assert window.reader.browser.allow_external_links
    window.overview.set_export_available(True)
    assert window.profile is not None
    progress.enroll(window.store, window.profile, "git-basics")  # export needs the enrollment
    click_course(qtbot, window, "git-basics")
    assert window.overview.export_button.isVisible()
    dialog = window.preferences.open_dialog()
    assert set(dialog.rows) == {
        "server_url",
        "sync_interval_minutes",
        "text_zoom",
        "theme",
        "language",
    }
    dialog.reject()
    assert window.close()
