"""One very long text (a paragraph of hundreds of thousands of characters) is laid out in time
proportional to its length, and every word of it reaches the PDF.

reportlab lays a paragraph out again, whole, at every page it spans; the PDF cuts long texts into
pieces (``player.export.pdf_pieces``). Time is not asserted: the work is counted, as the number of
words reportlab measures per word of text (each measurement is one width lookup when it breaks
lines). Laid out once, a word is measured about twice; before the cut it was measured ~30 times
in a paragraph of 20,000 words, and ever more as the text grows.
"""

from __future__ import annotations

import io
import random
from typing import Any

import pytest
import reportlab.platypus.paragraph as rl_paragraph

from player.export.pdf import build_pdf
from player.export.pdf_pieces import PIECE_CHARS, line_groups, pieces
from player.package import parse_package
from tests.export.conftest import encode, make_package
from tests.export.pdf_text import read_pdf

WORDS = 20_000
MEASURED_PER_WORD = 4  # a bound on the work, not a time


def long_text(words: int = WORDS, seed: int = 7) -> str:
    rng = random.Random(seed)
    vocabulary = [
        "learner",
        "lesson",
        "offline",
        "progress",
        "player",
        "course",
        "package",
        "checksum",
        "branch",
    ]
    out = []
    for i in range(words):
        out.append(rng.choice(vocabulary) + ("." if i % 17 == 16 else ""))
    return "Start " + " ".join(out) + " Finish"


def blocks_for(kind: str, text: str) -> list[dict[str, Any]]:
    kinds: dict[str, list[dict[str, Any]]] = {
        "paragraph": [{"type": "paragraph", "text": text}],
        "heading": [{"type": "heading", "text": text, "level": 2}],
        "markdown": [{"type": "markdown", "markdown": text}],
        "html": [{"type": "html", "html": f"<p><b>Bold</b> {text}</p>"}],
        "quote": [{"type": "quote", "text": text, "cite": "Someone"}],
        "markdown-quote": [{"type": "markdown", "markdown": "> " + text}],
        "callout": [{"type": "callout", "text": text, "variant": "tip"}],
        "list": [{"type": "list", "items": ["short", text]}],
    }
    return kinds[kind]


def measured(monkeypatch: pytest.MonkeyPatch, kind: str, text: str) -> tuple[int, bytes]:
    calls = 0
    real = rl_paragraph.stringWidth

    def counting(*args: Any, **kwargs: Any) -> float:
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(rl_paragraph, "stringWidth", counting)
    lesson = {"index": 0, "title": "Long", "blocks": blocks_for(kind, text)}
    parsed = parse_package(encode(make_package("long", lessons=[lesson])))
    out = io.BytesIO()
    build_pdf(parsed, out)
    monkeypatch.undo()
    return calls, out.getvalue()


@pytest.mark.parametrize(
    "kind",
    ["paragraph", "heading", "markdown", "html", "quote", "markdown-quote", "callout", "list"],
)
def test_a_very_long_text_is_laid_out_in_linear_work_and_kept_whole(
    monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    text = long_text()
    calls, data = measured(monkeypatch, kind, text)
    assert calls <= MEASURED_PER_WORD * WORDS, f"{calls / WORDS:.1f} measurements per word"
    view = read_pdf(data)
    assert "Start" in view.text and "Finish" in view.text
    assert view.text.count("learner") == text.count("learner")


def test_pieces_join_back_to_the_text_and_cut_after_sentences() -> None:
    text = long_text(3_000)
    cut = pieces(text)
    assert "".join(cut) == text
    assert all(len(piece) <= PIECE_CHARS for piece in cut)
    assert all(piece.endswith(". ") for piece in cut[:-1])
    no_spaces = "x" * (PIECE_CHARS * 2 + 5)
    assert [len(p) for p in pieces(no_spaces)] == [PIECE_CHARS, PIECE_CHARS, 5]
    assert pieces("short") == ["short"]


def test_line_groups_keep_short_lines_together_and_cut_long_ones() -> None:
    assert line_groups(["a", "b"]) == [["a", "b"]]
    long_line = "word " * PIECE_CHARS
    groups = line_groups(["first", long_line, "last"])
    assert groups[0][0] == "first" and groups[-1][-1] == "last"
    assert "".join(part for group in groups for part in group if part not in ("first", "last")) == (
        long_line
    )
