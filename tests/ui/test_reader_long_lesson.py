"""A lesson with one very long paragraph opens in the reader without freezing the window.

The lesson's HTML is rendered off the UI thread (the window's background helper); what stays on
the UI thread is Qt laying the text out. Qt lays out a document of many text blocks a screenful at
a time (and the rest in small steps between events) but one block all at once: a paragraph of
1,000,000 characters held the UI thread for 2.7 s. The reader gets long texts as paragraphs of at
most ``PIECE_CHARS`` characters that read as one, so no block is long; that is what is checked
here (no time is asserted), and that every word is shown.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from player.render.pieces import PIECE_CHARS
from player.services import packages
from player.store.db import Store
from tests.export.conftest import encode, make_package
from tests.ui.conftest import MakeWindow
from tests.ui.helpers import open_lesson

WORDS = 50_000


def long_text(seed: int = 3) -> str:
    rng = random.Random(seed)
    vocabulary = ["learner", "lesson", "offline", "progress", "player", "course", "package"]
    words = [rng.choice(vocabulary) + ("." if i % 13 == 12 else "") for i in range(WORDS)]
    return "Start " + " ".join(words) + " Finish"


def blocks_for(kind: str, text: str) -> list[dict[str, Any]]:
    kinds: dict[str, list[dict[str, Any]]] = {
        "paragraph": [{"type": "paragraph", "text": text}],
        "markdown": [{"type": "markdown", "markdown": text}],
        "html": [{"type": "html", "html": f"<p>{text}</p>"}],
        "quote": [{"type": "quote", "text": text}],
        "callout": [{"type": "callout", "text": text}],
    }
    return kinds[kind]


@pytest.mark.parametrize("kind", ["paragraph", "markdown", "html", "quote", "callout"])
def test_a_very_long_paragraph_reaches_the_reader_as_short_blocks(
    qtbot: QtBot, store: Store, make_window: MakeWindow, kind: str
) -> None:
    text = long_text()
    lesson = {"index": 0, "title": "Long", "blocks": blocks_for(kind, text)}
    packages.import_bytes(store, encode(make_package("long", lessons=[lesson])))
    window = make_window(store)
    open_lesson(qtbot, window, "long", 0)
    document = window.reader.browser.document()
    longest = 0
    block = document.begin()
    while block.isValid():
        longest = max(longest, block.length())
        block = block.next()
    assert longest <= PIECE_CHARS + 1, f"a block of {longest} characters"
    shown = " ".join(document.toPlainText().split())
    assert shown.count("learner") == text.count("learner")
    assert "Start" in shown and "Finish" in shown
