"""Long texts cut into pieces that reportlab lays out in linear time.

reportlab lays a paragraph out again, whole, each time it splits it at a page end, so a paragraph
of N characters over P pages costs N × P: one paragraph of 300,000 characters took minutes. Cut
into pieces of at most ``PIECE_CHARS`` characters (after a sentence or at a space where possible),
each piece is laid out a bounded number of times and the whole text in time proportional to its
length. The pieces of one paragraph are drawn without space between them, so they read as one
paragraph; each piece starts on a new line.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.styles import ParagraphStyle

PIECE_CHARS = 3_000
"""About two thirds of a page of body text."""

_SENTENCE_ENDS = (". ", "! ", "? ", "。", "؟ ", "। ")


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


def line_groups(lines: Sequence[str], size: int = PIECE_CHARS) -> list[list[str]]:
    """The lines of one paragraph in groups of about ``size`` characters, a long line cut."""
    groups: list[list[str]] = [[]]
    filled = 0
    for line in lines:
        for position, part in enumerate(pieces(line, size)):
            if position > 0 or (groups[-1] and filled + len(part) > size):
                groups.append([])
                filled = 0
            groups[-1].append(part)
            filled += len(part)
    return groups


def continued(style: ParagraphStyle, *, first: bool, last: bool) -> ParagraphStyle:
    """``style`` for a piece of a paragraph: space before only the first, after only the last."""
    if first and last:
        return style
    return ParagraphStyle(
        f"{style.name}~{'f' if first else ''}{'l' if last else ''}piece",
        parent=style,
        spaceBefore=style.spaceBefore if first else 0,
        spaceAfter=style.spaceAfter if last else 0,
        firstLineIndent=style.firstLineIndent if first else 0,
    )


def box_part(whole: str, first: bool, last: bool) -> str:
    """The ``box_style`` part of a piece of a box paragraph whose own part is ``whole``."""
    top = first and whole in ("whole", "top")
    bottom = last and whole in ("whole", "bottom")
    if top and bottom:
        return "whole"
    if top:
        return "top"
    if bottom:
        return "bottom"
    return "middle"
