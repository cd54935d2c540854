"""The window cannot start (a damaged store, a store from a newer player): the message is shown
in a dialog before the player exits, not only written to stderr (issue #10, item 6)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import text

from player.cli import main
from player.store.db import DB_FILE, Store


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch, qapp: QApplication) -> list[tuple[str, str]]:
    """Answers the start-up dialog (OK) and records its title and text."""
    seen: list[tuple[str, str]] = []

    def critical(_parent: object, title: str, message: str, *args: object) -> int:
        seen.append((title, message))
        return int(QMessageBox.StandardButton.Ok.value)

    monkeypatch.setattr(QMessageBox, "critical", critical)
    return seen


def test_a_damaged_store_is_explained_in_a_dialog(
    tmp_path: Path, shown: list[tuple[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    Store(folder).close()
    os.truncate(folder / DB_FILE, 0)

    code = main(["--data-dir", str(folder)])

    assert code == 1
    [(title, message)] = shown
    assert "cannot start" in title
    assert "is damaged" in message and "docs/store.md" in message
    assert "is damaged" in capsys.readouterr().err  # and on stderr, for a terminal
    assert (folder / DB_FILE).stat().st_size == 0  # not replaced by a new empty store


def test_a_store_from_a_newer_player_is_explained_in_a_dialog(
    tmp_path: Path, shown: list[tuple[str, str]]
) -> None:
    folder = tmp_path / "data"
    store = Store(folder)
    with store.engine.begin() as conn:
        conn.execute(text("PRAGMA user_version = 999"))
    store.close()

    code = main(["--data-dir", str(folder)])

    assert code == 1
    [(_title, message)] = shown
    assert "newer Course Player" in message


def test_an_unexpected_failure_opening_the_store_ends_the_start_too(
    tmp_path: Path,
    shown: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not a PlayerError (a bug): the frame does not wait for a store that will not come; the
    dialog says so, and the error reaches the caller (stderr, a non-zero status)."""
    import player.cli.context

    def broken(*_args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(player.cli.context, "open_store", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        main(["--data-dir", str(tmp_path / "data")])
    [(title, message)] = shown
    assert "cannot start" in title and "RuntimeError" in message and "log file" in message


def test_a_window_that_cannot_build_its_screens_ends_the_start_too(
    tmp_path: Path, shown: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A module missing from a broken installation: the frame does not stay up for ever."""
    from player.ui.shell.main_window import MainWindow

    def missing(*_args: object, **_kwargs: object) -> None:
        raise ImportError("cannot import name 'pgettext'")

    monkeypatch.setattr(MainWindow, "attach", missing)
    with pytest.raises(ImportError):
        main(["--data-dir", str(tmp_path / "data")])
    [(title, message)] = shown
    assert "cannot start" in title and "ImportError" in message
