"""Kiosk mode with a server in the lab's policy: learners prove who they are every session.

Against the real contract server (ana/pw-ana and ben/pw-ben in t-north, chen/pw-chen in
t-south): the learner chooser is an empty user-name-and-password form with no learner's name on it,
a wrong password is refused, the right one signs in and starts a sync, sign-out empties the form,
and with the server stopped ana signs in offline while ben, who never signed in here, is told to
connect first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlmodel import select

from player.policy import MIN_PIN_ITERATIONS, LabPolicy, hash_pin, parse_policy
from player.services import lab_accounts
from player.settings import Settings
from player.store.db import Store
from player.store.models import OfflineCredential, Profile
from player.sync.tokens import TokenStore
from player.ui.shell.main_window import MainWindow
from player.ui.sync.attach import SyncWiring
from player.ui.tasks import ImmediatePool
from tests.conftest import MakeLearner
from tests.server.app import ContractServer
from tests.sync.conftest import MemoryKeyring
from tests.ui.conftest import Dialogs, MakeWindow
from tests.ui.helpers import click

PIN = "2468"
WRONG = "The user name or password is not right."
FIRST_TIME = (
    "You have not signed in on this computer before. Connect to the network to sign in the "
    "first time."
)


@pytest.fixture
def tokens() -> Iterator[TokenStore]:
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield TokenStore()
    keyring.set_keyring(previous)


def lab_policy(tmp_path: Path, server_url: str) -> LabPolicy:
    text = (
        f'[server]\nurl = "{server_url}"\ntenant = "t-north"\n\n'
        "[kiosk]\nenabled = true\nidle_timeout_minutes = 10\n"
        f'pin_hash = "{hash_pin(PIN, iterations=MIN_PIN_ITERATIONS)}"\n'
    )
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return parse_policy(text, path)


@pytest.fixture
def policy(tmp_path: Path, contract_server: ContractServer) -> LabPolicy:
    return lab_policy(tmp_path, contract_server.url)


@pytest.fixture
def lab_window(
    imported: Store,
    make_window: MakeWindow,
    policy: LabPolicy,
    tokens: TokenStore,
    make_learner: MakeLearner,
) -> tuple[MainWindow, SyncWiring]:
    # learners this machine already knows: their names must not appear anywhere
    make_learner("ben", tenant="t-north")
    make_learner("dora", tenant="t-north")
    window = make_window(
        imported, kiosk=True, policy=policy, settings=Settings.load().with_policy(policy)
    )
    wiring = SyncWiring(window, parent=window, pool=ImmediatePool(), tokens=tokens)
    assert window.kiosk_mode is not None and window.kiosk_mode.account_sign_in is not None
    # the cheapest verifier the offline check accepts, to keep the tests quick
    window.kiosk_mode.account_sign_in.iterations = lab_accounts.MIN_VERIFIER_ITERATIONS
    return window, wiring


def every_text(window: MainWindow) -> list[str]:
    """Every text the window's widgets hold, the sign-in list included."""
    found = [window.windowTitle(), window.statusBar().currentMessage()]
    for widget in window.findChildren(QWidget):
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


def mentions(window: MainWindow, name: str) -> bool:
    """Whether any text of the window holds ``name`` as a word (any case)."""
    word = re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE)
    return any(word.search(text) for text in every_text(window))


def sign_in(qtbot: QtBot, window: MainWindow, username: str, password: str) -> None:
    form = window.learner_chooser.account_form
    assert form.isVisible()
    form.user_edit.clear()
    form.password_edit.clear()
    qtbot.keyClicks(form.user_edit, username)
    qtbot.keyClicks(form.password_edit, password)
    click(qtbot, form.sign_in_button)


def assert_refused(window: MainWindow, message: str, username: str) -> None:
    form = window.learner_chooser.account_form
    assert window.profile is None
    assert window.root.currentWidget() is window.learner_chooser
    assert form.error_label.isVisible() and form.error_label.text() == message
    assert form.user_edit.text() == username  # kept, to correct the password
    assert form.password_edit.text() == ""
    assert not form.busy


def assert_empty(window: MainWindow) -> None:
    form = window.learner_chooser.account_form
    assert window.root.currentWidget() is window.learner_chooser
    assert form.isVisible()
    assert form.user_edit.text() == "" and form.password_edit.text() == ""
    assert not form.error_label.isVisible()


def credential_names(store: Store) -> list[str]:
    with store.read() as session:
        return sorted(row.username for row in session.exec(select(OfflineCredential)))


def test_the_sign_in_page_is_an_empty_form_without_names(
    qtbot: QtBot, lab_window: tuple[MainWindow, SyncWiring]
) -> None:
    window, wiring = lab_window
    page = window.learner_chooser
    window.show_window()
    qtbot.waitUntil(window.isFullScreen)
    assert window.root.currentWidget() is page and window.profile is None
    assert_empty(window)
    assert page.account_form.password_edit.echoMode() == QLineEdit.EchoMode.Password
    assert not page.account_form.sign_in_button.isEnabled()  # nothing typed yet
    assert page.profile_ids() == [] and not page.list.isVisible()
    for button in (page.guest_button, page.continue_button, page.server_button):
        assert not button.isVisible()
    assert not wiring.server_action.isVisible()  # no other way to sign in while in kiosk mode
    assert not mentions(window, "ben") and not mentions(window, "dora")  # hidden widgets too


def test_a_wrong_password_is_refused_and_the_right_one_signs_in(
    qtbot: QtBot,
    lab_window: tuple[MainWindow, SyncWiring],
    contract_server: ContractServer,
    imported: Store,
) -> None:
    window, wiring = lab_window
    sign_in(qtbot, window, "ana", "pw-ben")
    assert_refused(window, WRONG, "ana")
    sign_in(qtbot, window, "nobody", "pw-ana")
    assert_refused(window, WRONG, "nobody")  # the same words: no hint whether a user exists
    assert credential_names(imported) == []

    contract_server.reset_requests()
    sign_in(qtbot, window, "ana", "pw-ana")
    assert window.profile is not None and window.profile.username == "ana"
    assert window.profile.tenantId == "t-north"
    assert window.root.currentWidget() is window.splitter
    assert mentions(window, "ana")  # her name (the server calls her "ana") in the title
    form = window.learner_chooser.account_form
    assert form.user_edit.text() == "" and form.password_edit.text() == ""  # not kept behind
    # a sync followed the sign-in
    assert wiring.controller.profile is not None and wiring.controller.profile.id == (
        window.profile.id
    )
    assert wiring.controller.last_report is not None
    assert any(r.path.startswith("/api/learn/courses") for r in contract_server.requests)
    assert credential_names(imported) == ["ana"]  # the verifier for offline sign-ins


def test_a_learner_of_another_tenant_is_refused(
    qtbot: QtBot, lab_window: tuple[MainWindow, SyncWiring], imported: Store
) -> None:
    window, _wiring = lab_window
    sign_in(qtbot, window, "chen", "pw-chen")  # t-south; the policy says t-north
    form = window.learner_chooser.account_form
    assert window.profile is None
    assert "t-north" in form.error_label.text()
    with imported.read() as session:
        assert "chen" not in [p.username for p in session.exec(select(Profile))]
    assert credential_names(imported) == []


def test_sign_out_and_idle_timeout_empty_the_form(
    qtbot: QtBot, lab_window: tuple[MainWindow, SyncWiring]
) -> None:
    window, _wiring = lab_window
    kiosk = window.kiosk_mode
    assert kiosk is not None
    sign_in(qtbot, window, "ana", "pw-ana")
    assert window.profile is not None
    with qtbot.waitSignal(window.signed_out):
        click(qtbot, kiosk.sign_out_button)
    assert_empty(window)
    assert not mentions(window, "ana")

    # a refusal left on the form is gone for the next learner too
    sign_in(qtbot, window, "ana", "wrong")
    sign_in(qtbot, window, "ana", "pw-ana")
    kiosk.idle.set_intervals(warning_ms=100, timeout_ms=300)
    with qtbot.waitSignal(window.signed_out, timeout=10_000):
        pass
    assert_empty(window)
    assert not mentions(window, "ana")


def test_offline_ana_signs_in_with_her_password_and_ben_is_told_to_connect(
    qtbot: QtBot,
    lab_window: tuple[MainWindow, SyncWiring],
    contract_server: ContractServer,
    imported: Store,
) -> None:
    window, _wiring = lab_window
    sign_in(qtbot, window, "ana", "pw-ana")  # online, once, on this computer
    assert window.profile is not None
    ana_id = window.profile.id
    window.sign_out()
    contract_server.stop()

    sign_in(qtbot, window, "ana", "pw-ben")
    assert_refused(window, WRONG, "ana")
    sign_in(qtbot, window, "ana", "pw-ana")
    assert window.profile is not None and window.profile.id == ana_id
    assert window.root.currentWidget() is window.splitter
    assert "without a connection" in window.statusBar().currentMessage()
    window.sign_out()

    sign_in(qtbot, window, "ben", "pw-ben")
    assert_refused(window, FIRST_TIME, "ben")
    assert credential_names(imported) == ["ana"]


def test_a_profile_from_the_command_line_does_not_skip_the_sign_in(
    qtbot: QtBot,
    imported: Store,
    make_window: MakeWindow,
    policy: LabPolicy,
    make_learner: MakeLearner,
) -> None:
    ana = make_learner("ana", tenant="t-north")
    window = make_window(imported, ana, kiosk=True, policy=policy)
    assert window.profile is None
    assert_empty(window)


def test_leaving_kiosk_mode_brings_the_list_of_learners_back(
    qtbot: QtBot, lab_window: tuple[MainWindow, SyncWiring], monkeypatch: pytest.MonkeyPatch
) -> None:
    window, wiring = lab_window
    kiosk = window.kiosk_mode
    assert kiosk is not None

    def get_text(*_args: Any, **_kwargs: Any) -> tuple[str, bool]:
        return (PIN, True)

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(get_text))
    assert kiosk.request_leave()
    page = window.learner_chooser
    assert not page.account_mode and not page.account_form.isVisible()
    assert "Ben" in [page.list.item(i).text() for i in range(page.list.count())]
    assert page.guest_button.isVisible() and page.server_button.isVisible()
    assert wiring.server_action.isVisible()


def test_without_a_server_the_kiosk_keeps_the_list(
    qtbot: QtBot, imported: Store, make_window: MakeWindow, tmp_path: Path
) -> None:
    text = f'[kiosk]\nenabled = true\npin_hash = "{hash_pin(PIN, iterations=MIN_PIN_ITERATIONS)}"\n'
    policy = parse_policy(text, tmp_path / "policy.toml")
    window = make_window(imported, kiosk=True, policy=policy)
    assert window.kiosk_mode is not None and window.kiosk_mode.account_sign_in is None
    assert not window.learner_chooser.account_form.isVisible()
    assert (
        window.learner_chooser.list.isVisible() and window.learner_chooser.guest_button.isVisible()
    )


def test_the_sign_in_runs_off_the_ui_thread(
    qtbot: QtBot, imported: Store, policy: LabPolicy, tokens: TokenStore
) -> None:
    # the window's own pools (no ImmediatePool): the result arrives later, by signal
    window = MainWindow(imported, follow_system_theme=False, kiosk=True, policy=policy)
    kiosk = window.kiosk_mode
    assert kiosk is not None and kiosk.account_sign_in is not None
    qtbot.addWidget(window, before_close_func=lambda _w: kiosk.leave() if kiosk.active else None)
    flow = kiosk.account_sign_in
    flow.tokens = tokens
    flow.iterations = lab_accounts.MIN_VERIFIER_ITERATIONS
    window.show()
    qtbot.waitExposed(window)
    window.start()
    form = window.learner_chooser.account_form
    qtbot.keyClicks(form.user_edit, "ana")
    qtbot.keyClicks(form.password_edit, "pw-ana")
    with qtbot.waitSignal(flow.signed_in, timeout=20_000) as signal:
        click(qtbot, form.sign_in_button)
        # nothing has come back yet: the UI thread has not returned to its event loop
        assert form.busy and window.profile is None
        assert not form.user_edit.isEnabled() and not form.sign_in_button.isEnabled()
    assert signal.args is not None and signal.args[0].online
    assert window.profile is not None and window.profile.username == "ana"
    assert not form.busy


def test_signing_in_again_after_expiry_is_for_the_same_learner_only(
    qtbot: QtBot,
    lab_window: tuple[MainWindow, SyncWiring],
    contract_server: ContractServer,
    dialogs: Dialogs,
) -> None:
    window, wiring = lab_window
    sign_in(qtbot, window, "ana", "pw-ana")
    ana = window.profile
    assert ana is not None
    contract_server.expire_tokens()
    dialog = wiring.open_sign_in("Your sign-in has expired.")
    assert dialog.user_edit.isReadOnly() and dialog.server_edit.isReadOnly()
    assert dialog.user_edit.text() == "ana"
    # even if the field were changed, another learner cannot take over the session
    dialog.user_edit.setReadOnly(False)
    dialog.user_edit.setText("ben")
    dialog.password_edit.setText("pw-ben")
    dialog.submit()
    assert window.profile is not None and window.profile.id == ana.id
    assert any("Only the learner who is signed in" in text for text in dialogs.warnings)
