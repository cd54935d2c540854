"""Break 4: in the window, anyone at the keyboard is no longer any learner.

Switching to a learner with a server account asks for their password, checked offline against the
verifier kept at sign-in (``player.services.learner_lock``), unless that learner chose "don't ask
on this computer" for themselves.
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from player.services import learner_lock, profiles
from player.store.db import Store
from player.store.models import Profile
from player.ui.learners.unlock import UnlockDialog
from player.ui.shell.main_window import MainWindow
from tests.conftest import MakeLearner
from tests.ui.conftest import MakeWindow
from tests.ui.helpers import click

WAIT = 10_000  # ms: only a bound for waitUntil, never a timing assertion


def learner(store: Store, make_learner: MakeLearner, user: str, password: str) -> Profile:
    profile = make_learner(user, locked=True)
    learner_lock.remember(store, profile, password)  # as a server sign-in does
    return profile


def switch_to(qtbot: QtBot, window: MainWindow, profile: Profile) -> UnlockDialog | None:
    window.switch_action.trigger()
    assert window.root.currentWidget() is window.learner_chooser
    window.learner_chooser.choose(profile.id)
    return window.learners.unlock_dialog


def answer(qtbot: QtBot, dialog: UnlockDialog, password: str, *, dont_ask: bool = False) -> None:
    dialog.password_edit.setText(password)
    dialog.dont_ask.setChecked(dont_ask)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert ok is not None
    click(qtbot, ok)


def test_switching_needs_the_learners_password(
    qtbot: QtBot, imported: Store, make_learner: MakeLearner, make_window: MakeWindow
) -> None:
    ana = learner(imported, make_learner, "ana", "ana-secret")
    guest = profiles.ensure_guest(imported)
    window = make_window(imported, guest)
    assert window.profile is not None and window.profile.isGuest

    dialog = switch_to(qtbot, window, ana)
    assert dialog is not None and dialog.isVisible()
    assert window.profile.isGuest  # nothing of Ana's before the password
    answer(qtbot, dialog, "wrong")
    assert dialog.error_label.text() == "The user name or password is not right."
    assert window.profile is not None and window.profile.isGuest
    assert window.root.currentWidget() is window.learner_chooser
    assert dialog.password_edit.text() == ""

    dialog.reject()  # cancelling leaves the guest where they were
    assert window.profile.isGuest

    dialog = switch_to(qtbot, window, ana)
    assert dialog is not None
    answer(qtbot, dialog, "ana-secret")
    qtbot.waitUntil(
        lambda: window.profile is not None and window.profile.id == ana.id, timeout=WAIT
    )
    assert window.root.currentWidget() is window.splitter
    assert window.learners.unlock_dialog is None


def test_dont_ask_is_each_learners_own_choice(
    qtbot: QtBot, imported: Store, make_learner: MakeLearner, make_window: MakeWindow
) -> None:
    ana = learner(imported, make_learner, "ana", "ana-secret")
    bea = learner(imported, make_learner, "bea", "bea-secret")
    window = make_window(imported, profiles.ensure_guest(imported))

    dialog = switch_to(qtbot, window, ana)
    assert dialog is not None
    answer(qtbot, dialog, "ana-secret", dont_ask=True)
    qtbot.waitUntil(
        lambda: window.profile is not None and window.profile.id == ana.id, timeout=WAIT
    )
    assert not learner_lock.needs_password(imported, ana)
    assert learner_lock.needs_password(imported, bea)

    # Bea still asks; Ana no longer does.
    dialog = switch_to(qtbot, window, bea)
    assert dialog is not None and window.profile is not None and window.profile.id == ana.id
    dialog.reject()
    window.switch_action.trigger()
    window.learner_chooser.choose("guest")
    qtbot.waitUntil(lambda: window.profile is not None and window.profile.isGuest, timeout=WAIT)
    assert switch_to(qtbot, window, ana) is None
    qtbot.waitUntil(
        lambda: window.profile is not None and window.profile.id == ana.id, timeout=WAIT
    )


def test_a_learner_without_a_kept_verifier_is_told_to_sign_in_again(
    qtbot: QtBot, imported: Store, make_learner: MakeLearner, make_window: MakeWindow
) -> None:
    old = make_learner("ana", locked=True)  # signed in before verifiers were kept
    window = make_window(imported, profiles.ensure_guest(imported))
    dialog = switch_to(qtbot, window, old)
    assert dialog is not None
    answer(qtbot, dialog, "anything")
    assert "Sign in to the course server again" in dialog.error_label.text()
    assert window.profile is not None and window.profile.isGuest


def test_a_learner_turns_asking_for_their_password_back_on_and_off_only_with_it(
    qtbot: QtBot, imported: Store, make_learner: MakeLearner, make_window: MakeWindow
) -> None:
    """File → Ask for my password on this computer: the current learner's own way back from
    "don't ask"; switching it off again needs their password, and no one else's choice moves."""
    ana = learner(imported, make_learner, "ana", "ana-secret")
    bea = learner(imported, make_learner, "bea", "bea-secret")
    learner_lock.set_ask(imported, bea, "bea-secret", ask=False)
    window = make_window(imported, profiles.ensure_guest(imported))
    action = window.ask_password.action
    assert not action.isVisible()  # the guest has no password to ask for

    dialog = switch_to(qtbot, window, ana)
    assert dialog is not None
    answer(qtbot, dialog, "ana-secret", dont_ask=True)
    qtbot.waitUntil(lambda: action.isVisible(), timeout=WAIT)
    assert window.profile is not None and window.profile.id == ana.id
    assert not action.isChecked() and not learner_lock.needs_password(imported, ana)

    action.trigger()  # ask again: safer, so nothing more is needed
    assert action.isChecked() and learner_lock.needs_password(imported, ana)
    assert not learner_lock.needs_password(imported, bea)  # Bea's own choice stays

    action.trigger()  # stop asking: only with Ana's password
    stop = window.ask_password.dialog
    assert stop is not None and stop.isVisible() and stop.dont_ask.isHidden()
    assert action.isChecked() and learner_lock.needs_password(imported, ana)
    answer(qtbot, stop, "bea-secret")  # another learner's password does not do
    assert stop.error_label.text() == "The user name or password is not right."
    assert learner_lock.needs_password(imported, ana) and action.isChecked()
    stop.reject()  # cancelled: still asks
    assert action.isChecked() and learner_lock.needs_password(imported, ana)

    action.trigger()
    stop = window.ask_password.dialog
    assert stop is not None
    answer(qtbot, stop, "ana-secret")
    qtbot.waitUntil(lambda: not learner_lock.needs_password(imported, ana), timeout=WAIT)
    assert not action.isChecked() and window.ask_password.dialog is None
    assert not learner_lock.needs_password(imported, bea)


def test_starting_the_window_as_a_learner_asks_for_their_password(
    qtbot: QtBot, imported: Store, make_learner: MakeLearner, make_window: MakeWindow
) -> None:
    """``course-player --profile ana`` with no command starts the window as Ana only with her
    password, as switching does; a learner who chose "don't ask" starts at once."""
    ana = learner(imported, make_learner, "ana", "ana-secret")
    window = make_window(imported, ana)
    dialog = window.learners.unlock_dialog
    assert dialog is not None and dialog.isVisible()
    assert window.profile is None and window.root.currentWidget() is window.learner_chooser
    answer(qtbot, dialog, "wrong")
    assert window.profile is None
    dialog.reject()  # cancelled: the learner chooser, nobody's courses
    assert window.profile is None and window.root.currentWidget() is window.learner_chooser
    window.close()

    window = make_window(imported, ana)
    dialog = window.learners.unlock_dialog
    assert dialog is not None
    answer(qtbot, dialog, "ana-secret")
    qtbot.waitUntil(
        lambda: window.profile is not None and window.profile.id == ana.id, timeout=WAIT
    )
    assert window.root.currentWidget() is window.splitter
    window.close()

    lea = make_learner("lea")  # chose "don't ask on this computer"
    window = make_window(imported, lea)
    assert window.learners.unlock_dialog is None
    assert window.profile is not None and window.profile.id == lea.id
