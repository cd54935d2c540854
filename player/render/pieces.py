"""Cutting a long text into pieces that layout engines handle in linear time.

Qt's rich-text engine lays out one paragraph (a text block) at once, on the UI thread, but a
document of many blocks a few at a time; reportlab lays a paragraph out again, whole, at every page
it spans. So a paragraph of hundreds of thousands of characters froze the reader for seconds and
made PDF export quadratic. Cut after a sentence (else at a space) into pieces of at most
``PIECE_CHARS`` characters and drawn without space between them, it reads as one paragraph; each
piece starts on a new line. The package's text is never changed: joined, the pieces are the text.
"""

from __future__ import annotations

import re

PIECE_CHARS = 3_000
"""About two thirds of a printed page of text, or a screenful in the reader."""

_SENTENCE_ENDS = (". ", "! ", "? ", "。", "؟ ", "। ")
_LONG_PLAIN_P = re.compile("<p>([^<]{" + str(PIECE_CHARS + 1) + ",})</p>")


def pieces(text: str, size: int = PIECE_CHARS) -> list[str]:
    """``text`` cut into pieces of at most ``size`` characters; joined, they give ``text``."""
    if len(text) <= size:
        return [text]
    out: list[str] = []
    start = 0
    while len(text) - start > size:
        end = start + size
        floor = start + size // 2
        cut = max(
            (
                at + len(mark)
                for mark in _SENTENCE_ENDS
                if (at := text.rfind(mark, floor, end)) >= 0
            ),
            default=-1,
        )
        if cut < 0:
            space = text.rfind(" ", floor, end)
            cut = space + 1 if space >= 0 else end
        out.append(text[start:cut])
        start = cut
    out.append(text[start:])
    return out


def piece_styles(count: int) -> list[str]:
    """The inline style of each of ``count`` paragraphs that read as one (no margin between)."""
    if count == 1:
        return [""]
    middle = ' style="margin-top: 0px; margin-bottom: 0px"'
    return [' style="margin-bottom: 0px"'] + [middle] * (count - 2) + [' style="margin-top: 0px"']


def split_plain_paragraphs(html: str) -> str:
    """Cut every long ``<p>`` holding only (escaped) text into paragraphs that read as one."""
    return _LONG_PLAIN_P.sub(_split_match, html)


def _split_match(match: re.Match[str]) -> str:
    text = match.group(1)
    parts = pieces(text)
    # A hard cut (no space in reach) must not fall inside an entity such as "&amp;".
    fixed: list[str] = []
    carry = ""
    for part in parts:
        part = carry + part
        amp = part.rfind("&")
        carry = part[amp:] if amp > part.rfind(";") else ""
        fixed.append(part[: len(part) - len(carry)] if carry else part)
    if carry:
        fixed[-1] += carry
    fixed = [part for part in fixed if part]
    return "".join(
        f"<p{style}>{part}</p>" for style, part in zip(piece_styles(len(fixed)), fixed, strict=True)
    )
