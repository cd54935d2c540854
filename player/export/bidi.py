"""Right-to-left text for the PDF, which reportlab does not shape or reorder by itself.

reportlab draws characters left to right in the order given and does not join Arabic letters.
For text with right-to-left characters:

- ``shape_arabic`` gives Arabic letters their contextual forms (Presentation Forms-B, which DejaVu
  Sans covers) with ``arabic_reshaper``;
- ``visual`` reorders one line into display order with ``python-bidi`` (the Unicode Bidirectional
  Algorithm, mirrored brackets included);
- ``wrap`` breaks a right-to-left paragraph into lines *before* reordering, as the algorithm
  requires, measuring the shaped words with the font's metrics.

Limit (docs/export.md): text inside rich ``html``/``markdown`` blocks is reordered node by node,
not line by line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import arabic_reshaper
from bidi.algorithm import get_display  # the full algorithm, with mirrored brackets

_RTL_CHARS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_RESHAPER = arabic_reshaper.ArabicReshaper({"delete_harakat": False, "support_ligatures": True})


def has_rtl(text: str) -> bool:
    return _RTL_CHARS.search(text) is not None


def shape_arabic(text: str) -> str:
    """Arabic letters in their joined (contextual) forms; other text unchanged."""
    return _RESHAPER.reshape(text) if has_rtl(text) else text


def visual(line: str, *, rtl: bool) -> str:
    """One line in display order, with ``rtl`` as the paragraph direction."""
    if not has_rtl(line):
        return line
    return str(get_display(line, base_dir="R" if rtl else "L"))


def display(text: str, *, rtl: bool) -> str:
    """Shape and reorder a single line (a title, a table cell, a footer)."""
    if not has_rtl(text):
        return text
    return visual(shape_arabic(text), rtl=rtl)


def wrap(text: str, width: float, measure: Callable[[str], float], *, rtl: bool) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (logical order), then each in display order.

    Explicit line breaks are kept. A word wider than a line gets a line of its own.
    """
    shaped = shape_arabic(text)
    lines: list[str] = []
    space = measure(" ")
    for paragraph in shaped.split("\n"):
        current: list[str] = []
        current_width = 0.0
        for word in paragraph.split(" "):
            if not word:
                continue
            word_width = measure(word)
            extra = word_width + (space if current else 0.0)
            if current and current_width + extra > width:
                lines.append(" ".join(current))
                current, current_width = [word], word_width
            else:
                current.append(word)
                current_width += extra
        lines.append(" ".join(current))
    return [visual(line, rtl=rtl) for line in lines]
