"""Long texts in the PDF, cut into pieces (``player.render.pieces``) that reportlab lays out in
linear time: it lays a paragraph out again, whole, each time it splits it at a page end, so a
paragraph of N characters over P pages cost N × P. The pieces of one paragraph are drawn without
space between them, so they read as one paragraph."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.styles import ParagraphStyle

from player.render.pieces import PIECE_CHARS, pieces

__all__ = ["PIECE_CHARS", "box_part", "continued", "line_groups", "pieces"]


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
