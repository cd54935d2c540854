"""The sync screens wired into the real main window, against the contract server over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from player.services.learn import LOCKED, NOT_DOWNLOADED, READY
from player.store.db import Store
from player.sync.tokens import TokenStore
from player.ui.shell.main_window import MainWindow
from player.ui.sync.attach import SyncWiring
from player.ui.tasks import ImmediatePool
from tests.server.app import ContractServer
from tests.sync.conftest import MemoryKeyring
from tests.ui.conftest import Dialogs, MakeWindow


@pytest.fixture
def tokens() -> Iterator[TokenStore]:
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield TokenStore()
    keyring.set_keyring(previous)


def _states(window: MainWindow) -> dict[str, str]:
    return {c.course_id: c.state for c in window.catalog.model.courses()}


def _signed_in_window(
    qtbot: QtBot, make_window: MakeWindow, store: Store, server: ContractServer, tokens: TokenStore
) -> tuple[MainWindow, SyncWiring]:
    window = make_window(store)
    wiring = SyncWiring(window, parent=window, pool=ImmediatePool(), tokens=tokens)
    dialog = wiring.open_sign_in()
    dialog.server_edit.setText(server.url)
    qtbot.keyClicks(dialog.user_edit, "ana")
    qtbot.keyClicks(dialog.password_edit, "pw-ana")
    dialog.submit()
    return window, wiring


def test_sign_in_from_the_window_syncs_the_learners_catalog(
    qtbot: QtBot,
    make_window: MakeWindow,
    store: Store,
    contract_server: ContractServer,
    tokens: TokenStore,
) -> None:
    window, wiring = _signed_in_window(qtbot, make_window, store, contract_server, tokens)
    assert window.profile is not None and window.profile.username == "ana"
    assert wiring.sync_action.isEnabled()
    states = _states(window)
    assert states["git-basics"] == LOCKED  # sold by prod-git, not bought
    # free, but the server sends a package only to enrolled learners: enroll, then sync
    assert states["welcome-multilingual"] == NOT_DOWNLOADED
    window.enroll("welcome-multilingual")
    wiring.controller.sync_now()
    assert _states(window)["welcome-multilingual"] == READY
    assert contract_server.enrollments(contract_server.user_id("ana"))


def test_buy_from_the_overview_unlocks_the_course(
    qtbot: QtBot,
    make_window: MakeWindow,
    store: Store,
    contract_server: ContractServer,
    tokens: TokenStore,
    dialogs: Dialogs,
) -> None:
    window, _wiring = _signed_in_window(qtbot, make_window, store, contract_server, tokens)
    dialogs.answer = QMessageBox.StandardButton.Yes
    window.overview.buy_requested.emit("git-basics")
    assert len(contract_server.purchases(contract_server.user_id("ana"))) == 1
    assert _states(window)["git-basics"] == READY
    assert dialogs.questions and "49" in dialogs.questions[-1]


def test_signing_out_forgets_the_learner_in_the_sync_controller(
    qtbot: QtBot,
    make_window: MakeWindow,
    store: Store,
    contract_server: ContractServer,
    tokens: TokenStore,
) -> None:
    window, wiring = _signed_in_window(qtbot, make_window, store, contract_server, tokens)
    assert wiring.controller.profile is not None
    window.sign_out()
    assert wiring.controller.profile is None
