"""Page geometry, colours and paragraph styles of the exported PDF."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from player.export.fonts import MONO, SANS, SANS_BOLD, SANS_ITALIC

PAGE_SIZE = A4
MARGIN_X = 22 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 24 * mm
FRAME_WIDTH = PAGE_SIZE[0] - 2 * MARGIN_X
FRAME_HEIGHT = PAGE_SIZE[1] - MARGIN_TOP - MARGIN_BOTTOM
FRAME_PADDING = 6  # reportlab's default Frame padding: left, right, top
FRAME_PADDING_BOTTOM = 14  # room for a box's padding above the footer rule
TEXT_WIDTH = FRAME_WIDTH - 2 * FRAME_PADDING
TEXT_HEIGHT = FRAME_HEIGHT - FRAME_PADDING - FRAME_PADDING_BOTTOM

BOX_PADDING = 8  # inside callouts, quotes, objectives
LIST_INDENT = 16  # a list item's text from its bullet side

INK = colors.HexColor("#1f2328")
MUTED = colors.HexColor("#5b6270")
RULE = colors.HexColor("#9aa1ad")
LINK = colors.HexColor("#1a5fb4")
CODE_BG = colors.HexColor("#f3f4f6")
TABLE_HEAD_BG = colors.HexColor("#eef0f3")
OBJECTIVES_BG = colors.HexColor("#f5f6f8")
QUOTE_BG = colors.HexColor("#f9fafb")
UNSUPPORTED_BG = colors.HexColor("#eeeeee")

# Callout variant → (background tint, accent bar).
CALLOUT_COLOURS = {
    "note": (colors.HexColor("#e7f0fd"), colors.HexColor("#3b78d8")),
    "tip": (colors.HexColor("#e6f4ea"), colors.HexColor("#2e8b57")),
    "warning": (colors.HexColor("#fdf0d8"), colors.HexColor("#c77c02")),
}

BODY_SIZE = 10.5
CODE_SIZE = 8.5


BOX_INSET = (6, 8, 7, 11)  # top, right, bottom, left padding of a box paragraph (bar side: 11)


@cache
def box_style(
    base: ParagraphStyle,
    background: Color,
    accent: Color | None,
    rtl: bool,
    part: str = "whole",
) -> ParagraphStyle:
    """``base`` as a shaded box (``BoxParagraph``): padding inside the frame, an accent bar.

    ``part`` is "whole", or "top", "middle", "bottom" for a box made of several paragraphs whose
    backgrounds meet (a callout's title, then its text): each is a simple one-font paragraph,
    which reportlab lays out several times faster than one paragraph of mixed fonts.
    """
    top, right, bottom, left = BOX_INSET
    if rtl:
        left, right = right, left
    pad_top = top if part in ("whole", "top") else 0
    pad_bottom = bottom if part in ("whole", "bottom") else 0
    style = ParagraphStyle(
        f"{base.name}-box-{background.hexval()}-{accent.hexval() if accent else 'none'}-{part}",
        parent=base,
        backColor=background,
        borderPadding=(pad_top, right, pad_bottom, left),
        leftIndent=base.leftIndent + left,
        rightIndent=base.rightIndent + right,
        spaceBefore=pad_top + 6 if pad_top else 0,
        spaceAfter=pad_bottom + 8 if pad_bottom else 0,
    )
    style.accentColor = accent  # read by BoxParagraph
    style.accentSide = "right" if rtl else "left"
    return style


@dataclass(frozen=True, slots=True)
class Styles:
    body: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    h4: ParagraphStyle
    lesson_meta: ParagraphStyle
    label: ParagraphStyle
    list_item: ParagraphStyle
    code: ParagraphStyle
    code_label: ParagraphStyle
    quote: ParagraphStyle
    cite: ParagraphStyle
    caption: ParagraphStyle
    note: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    meta: ParagraphStyle
    colophon: ParagraphStyle
    toc_heading: ParagraphStyle
    toc_entry: ParagraphStyle
    align: int


@cache
def styles(rtl: bool = False) -> Styles:
    """The paragraph styles, right-aligned for a right-to-left lesson."""
    align = TA_RIGHT if rtl else TA_LEFT
    suffix = "-rtl" if rtl else ""

    def style(name: str, **kw: object) -> ParagraphStyle:
        base: dict[str, object] = {
            "fontName": SANS,
            "fontSize": BODY_SIZE,
            "leading": BODY_SIZE * 1.35,
            "textColor": INK,
            "alignment": align,
            "spaceAfter": 5,
        }
        base.update(kw)
        return ParagraphStyle(name + suffix, **base)

    return Styles(
        body=style("body"),
        h1=style("h1", fontName=SANS_BOLD, fontSize=20, leading=25, spaceAfter=4),
        h2=style("h2", fontName=SANS_BOLD, fontSize=15, leading=19, spaceBefore=10, spaceAfter=5),
        h3=style("h3", fontName=SANS_BOLD, fontSize=12.5, leading=16, spaceBefore=8, spaceAfter=4),
        h4=style("h4", fontName=SANS_BOLD, fontSize=11, leading=14, spaceBefore=6, spaceAfter=3),
        lesson_meta=style("lesson-meta", fontSize=9, leading=12, textColor=MUTED, spaceAfter=10),
        label=style("label", fontName=SANS_BOLD, spaceAfter=2),
        list_item=style("list-item", spaceAfter=2),
        code=style("code", fontName=MONO, fontSize=CODE_SIZE, leading=CODE_SIZE * 1.35,
                   alignment=TA_LEFT, backColor=CODE_BG, borderPadding=(5, 6, 5, 6),
                   leftIndent=6, rightIndent=6, spaceBefore=4, spaceAfter=11),
        code_label=style("code-label", fontSize=8, leading=10, textColor=MUTED, spaceAfter=3,
                         alignment=TA_LEFT),
        quote=style("quote", fontName=SANS_ITALIC, spaceAfter=2),
        cite=style("cite", fontSize=9.5, textColor=MUTED, spaceAfter=0),
        caption=style("caption", fontSize=9, leading=12, textColor=MUTED, alignment=TA_CENTER,
                      spaceBefore=3, spaceAfter=8),
        note=style("note", fontName=SANS_ITALIC, fontSize=9.5, textColor=MUTED, spaceAfter=0),
        cell=style("cell", fontSize=9.5, leading=12.5, spaceAfter=0),
        cell_head=style("cell-head", fontName=SANS_BOLD, fontSize=9.5, leading=12.5, spaceAfter=0),
        title=style("title", fontName=SANS_BOLD, fontSize=28, leading=34, alignment=TA_CENTER,
                    spaceAfter=14),
        subtitle=style("subtitle", fontSize=13, leading=18, alignment=TA_CENTER, textColor=MUTED,
                       spaceAfter=26),
        meta=style("meta", fontSize=11, leading=16, alignment=TA_CENTER, spaceAfter=2),
        colophon=style("colophon", fontSize=8, leading=11, alignment=TA_CENTER, textColor=MUTED,
                       spaceAfter=2),
        toc_heading=style("toc-heading", fontName=SANS_BOLD, fontSize=18, leading=22,
                          alignment=TA_LEFT, spaceAfter=14),
        toc_entry=style("toc-entry", fontSize=10.5, leading=14, alignment=TA_LEFT, spaceAfter=0),
        align=align,
    )  # fmt: skip
