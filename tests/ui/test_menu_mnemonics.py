"""No two entries of one menu share an Alt mnemonic, in English and in every shipped catalog,
with every action the window may add (sync, the password question, kiosk mode)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu

from player import i18n
from player.config import resources_dir
from player.store.db import Store
from player.ui.shell.main_window import MainWindow
from player.ui.sync.attach import SyncWiring
from player.ui.tasks import ImmediatePool
from tests.ui.conftest import MakeWindow

LOCALES = resources_dir() / "locale"
LANGUAGES = ["en", *sorted(p.name for p in LOCALES.iterdir() if (p / "LC_MESSAGES").is_dir())]
MNEMONIC = re.compile(r"&([^&\s])")


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    i18n.install(request.param, LOCALES)
    yield request.param
    i18n.install(None, Path())


def mnemonics(menu: QMenu) -> list[str]:
    letters: list[str] = []
    for action in menu.actions():
        found = MNEMONIC.findall(action.text().replace("&&", ""))
        letters.extend(letter.casefold() for letter in found)
    return letters


def menus_of(window: MainWindow) -> list[QMenu]:
    menus = [action.menu() for action in window.menuBar().actions()]
    return [menu for menu in menus if isinstance(menu, QMenu)]


def clashes(window: MainWindow) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for menu in menus_of(window):
        counts = Counter(mnemonics(menu))
        shared = [
            action.text()
            for action in menu.actions()
            if any(counts[m.casefold()] > 1 for m in MNEMONIC.findall(action.text()))
        ]
        if shared:
            found[menu.title()] = shared
    return found


@pytest.mark.parametrize("kiosk", [False, True])
def test_every_menu_entry_has_its_own_mnemonic(
    language: str, kiosk: bool, make_window: MakeWindow, store: Store
) -> None:
    window = make_window(store, kiosk=kiosk)
    SyncWiring(window, parent=window, pool=ImmediatePool())
    menus = menus_of(window)
    assert len(menus) >= 3 and all(mnemonics(menu) for menu in menus)
    titles = [menu.title() for menu in menus]
    assert (titles[0] == "&File") == (language == "en"), titles  # the catalog is in force
    assert clashes(window) == {}, language
