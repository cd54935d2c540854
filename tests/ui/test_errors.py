"""show_error: learner messages in a dialog, quiet ones in the status bar, bugs logged."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from player.errors import Cancelled, PurchaseRequired, SyncError
from player.ui.shell.error_dialogs import show_error
from tests.ui.conftest import Dialogs


@pytest.fixture
def main(qtbot: QtBot) -> QMainWindow:
    window = QMainWindow()
    qtbot.addWidget(window)
    return window


def test_player_error_shows_its_message(main: QMainWindow, dialogs: Dialogs) -> None:
    show_error(main, PurchaseRequired("Buy it first."))
    assert dialogs.warnings == ["Buy it first."]


def test_cancelled_goes_to_the_status_bar(main: QMainWindow, dialogs: Dialogs) -> None:
    show_error(main, Cancelled())
    assert dialogs.warnings == []
    assert main.statusBar().currentMessage() == "Cancelled."


def test_offline_sync_is_quiet(main: QMainWindow, dialogs: Dialogs) -> None:
    show_error(main, SyncError("offline", "No network; working offline."))
    assert dialogs.warnings == []
    assert main.statusBar().currentMessage() == "No network; working offline."


def test_unexpected_error_gets_a_generic_message_and_a_logged_traceback(
    main: QMainWindow, dialogs: Dialogs, caplog: pytest.LogCaptureFixture
) -> None:
    try:
        raise KeyError("internal detail")
    except KeyError as error:
        with caplog.at_level(logging.ERROR, logger="player.ui.shell.error_dialogs"):
            show_error(main, error)
    assert len(dialogs.warnings) == 1
    assert "internal detail" not in dialogs.warnings[0]
    assert "Something went wrong" in dialogs.warnings[0]
    assert caplog.records and caplog.records[0].exc_info is not None
