"""A paragraph drawn as a shaded box: used by the lesson blocks (``pdf_blocks``) and by the HTML
converter (``pdf_html``), so it lives apart from both."""

from __future__ import annotations

from reportlab.lib.geomutils import normalizeTRBL
from reportlab.platypus import Paragraph


class BoxParagraph(Paragraph):
    """A paragraph drawn as a shaded box (``box_style``) with an accent bar on its start side.

    Unlike a one-cell table it splits across pages like any paragraph, and costs no more to lay
    out; each part keeps the background and the bar (``split`` makes parts of the same class).
    """

    def draw(self) -> None:
        super().draw()
        style = self.style
        accent = getattr(style, "accentColor", None)
        if accent is None:
            return
        top, right, bottom, left = normalizeTRBL(style.borderPadding)
        if getattr(style, "accentSide", "left") == "right":
            x = self.width - style.rightIndent + right - 3
        else:
            x = style.leftIndent - left
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(accent)
        canvas.rect(x, -bottom, 3, self.height + top + bottom, stroke=0, fill=1)
        canvas.restoreState()
