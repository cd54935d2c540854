"""Lessons and their typed blocks → reportlab flowables.

Every string from the package reaches reportlab through ``TextMapper.markup`` (XML-escaped, glyph
fallback applied); no markup from the package is ever handed to reportlab. ``html`` and
``markdown`` blocks go through the player's own sanitizer first (``player.render``), and the safe
HTML that comes out is converted by ``pdf_html``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.geomutils import normalizeTRBL
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    ListFlowable,
    ListItem,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from player.export import bidi
from player.export.fonts import (
    MONO,
    PLACEHOLDER_COLOUR,
    SANS,
    SANS_BOLD,
    SANS_BOLD_ITALIC,
    SANS_ITALIC,
    TextMapper,
    string_width,
)
from player.export.pdf_box import BoxParagraph
from player.export.pdf_html import HtmlConverter
from player.export.pdf_images import ImageStore, Picture, flowable
from player.export.pdf_pieces import box_part, continued, line_groups
from player.export.pdf_styles import (
    BOX_INSET,
    BOX_PADDING,
    CALLOUT_COLOURS,
    CODE_SIZE,
    INK,
    LIST_INDENT,
    OBJECTIVES_BG,
    QUOTE_BG,
    RULE,
    TEXT_HEIGHT,
    TEXT_WIDTH,
    UNSUPPORTED_BG,
    Styles,
    box_style,
    styles,
)
from player.i18n import _
from player.package.blocks import (
    Block,
    Callout,
    Code,
    Divider,
    Heading,
    Html,
    Image,
    ListBlock,
    Markdown,
    Quote,
    Unsupported,
    parse_block,
)
from player.package.blocks import (
    Paragraph as ParagraphBlock,
)
from player.package.model import CoursePackage, Lesson
from player.render import RenderOptions, sanitize_html
from player.render.document import callout_label, objectives_label, unsupported_note
from player.render.images import remote_host
from player.render.sanitize import render_markdown

log = logging.getLogger(__name__)

ASSET_SCHEME = "asset:"
CONTINUATION = "↪ "
_IMAGE_MAX_HEIGHT = TEXT_HEIGHT * 0.55
HEADING_ROOM = 72  # a heading needs this much room below it on its page (itself and ~3 lines)
CAPTION_ROOM = 28

# The sanitizer's image policy with asset names kept as ``asset:NAME`` for the PDF to resolve.
PDF_RENDER_OPTIONS = RenderOptions(image_src=lambda name: ASSET_SCHEME + name, for_qt=False)


class LessonTitle(Paragraph):
    """A lesson's ``h1``: it places the lesson's bookmark and outline entry where it is drawn.

    Set ``key``, ``outline`` and ``lesson_index`` after making it. A title too long for one page
    is split like any paragraph (reportlab makes the parts with this class and no key); the first
    part keeps the bookmark.
    """

    key: str | None = None
    outline: str = ""
    lesson_index: int = -1

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        parts: list[Any] = super().split(availWidth, availHeight)
        if parts and isinstance(parts[0], LessonTitle):
            parts[0].key, parts[0].outline = self.key, self.outline
            parts[0].lesson_index = self.lesson_index
        return parts

    def draw(self) -> None:
        super().draw()
        if self.key is not None:
            self.canv.bookmarkHorizontal(self.key, 0, self.height + 12)
            self.canv.addOutlineEntry(self.outline, self.key, level=0, closed=None)


class PlainParagraphs:
    """Paragraphs of plain text built from fragments, without reportlab's markup parser.

    Most of a course is plain text (paragraphs, list items, titles); parsing it as XML markup only
    to get one fragment per font change back costs as much as laying it out. The fragment
    templates come from the parser itself (one parse of ``x<br/>x`` per style), so the paragraphs
    are exactly what the parser would have made of the escaped text.
    """

    def __init__(self, mapper: TextMapper) -> None:
        self.mapper = mapper
        self._templates: dict[str, tuple[Any, Any]] = {}

    def _template(self, style: ParagraphStyle) -> tuple[Any, Any]:
        template = self._templates.get(style.name)
        if template is None:
            frags = Paragraph("x<br/>x", style).frags
            line_break = next(f for f in frags if getattr(f, "lineBreak", False))
            template = (frags[0], line_break)
            self._templates[style.name] = template
        return template

    def make(
        self,
        lines: Sequence[str],
        style: ParagraphStyle,
        cls: type[Paragraph] = Paragraph,
        *,
        bullet: str | None = None,
    ) -> Paragraph:
        """A paragraph of ``lines`` (each already in display order), broken where they break."""
        return self.segments([(lines, {})], style, cls, bullet=bullet)

    def pieces(
        self,
        lines: Sequence[str],
        style: ParagraphStyle,
        cls: type[Paragraph] = Paragraph,
        *,
        bullet: str | None = None,
        styler: Callable[[bool, bool], ParagraphStyle] | None = None,
    ) -> list[Paragraph]:
        """Like ``make``, cut into pieces reportlab lays out in linear time when the text is long
        (``pdf_pieces``); ``styler(first, last)`` gives each piece's style."""
        groups = line_groups(lines)
        if len(groups) == 1:
            return [self.make(lines, styler(True, True) if styler else style, cls, bullet=bullet)]
        last = len(groups) - 1
        out = []
        for position, group in enumerate(groups):
            first, final = position == 0, position == last
            piece_style = (
                styler(first, final) if styler else continued(style, first=first, last=final)
            )
            out.append(self.make(group, piece_style, cls, bullet=bullet if first else None))
        return out

    def segments(
        self,
        segments: Sequence[Segment],
        style: ParagraphStyle,
        cls: type[Paragraph] = Paragraph,
        *,
        bullet: str | None = None,
    ) -> Paragraph:
        """A paragraph of several parts, each starting on a new line with its own font, size or
        colour (``{"fontName": SANS_BOLD}``…): a callout's title above its text, a quote's cite."""
        text_frag, break_frag = self._template(style)
        shared: dict[str, Any] = {"link": [], "us_lines": []}  # per paragraph, as the parser does
        frags: list[Any] = []
        texts: list[str] = []
        for lines, overrides in segments:
            face_of_part = overrides.get("fontName", style.fontName)
            part = text_frag.clone(**overrides) if overrides else text_frag
            for line in lines:
                if texts:
                    frags.append(break_frag.clone(**shared))
                texts.append(line)
                for chunk, face, placeholder in self.mapper.runs(
                    " ".join(line.split()), face_of_part
                ):
                    if face is None:
                        frags.append(part.clone(text=chunk, **shared))
                        continue
                    frags.append(
                        part.clone(
                            text=chunk,
                            fontName=face,
                            bold=int(face in (SANS_BOLD, SANS_BOLD_ITALIC)),
                            italic=int(face in (SANS_ITALIC, SANS_BOLD_ITALIC)),
                            textColor=_PLACEHOLDER if placeholder else part.textColor,
                            **shared,
                        )
                    )
        if not frags:
            frags.append(text_frag.clone(text="", **shared))
        return cls("\n".join(texts), style, bulletText=bullet, frags=frags)


# Lines of text (in display order) and the fragment attributes they are drawn with.
Segment = tuple[Sequence[str], dict[str, Any]]


CodeRun = tuple[str, str, Color]  # text, face, colour


class CodeBlock(Flowable):
    """Lines of code on a tinted background, drawn line by line and split between lines.

    reportlab's ``XPreformatted`` parses markup and lays out fragments; code needs neither (its
    lines are already wrapped, its runs already have their faces), and this is several times faster.
    """

    def __init__(self, lines: list[list[CodeRun]], style: ParagraphStyle) -> None:
        super().__init__()
        self.lines = lines
        self.style = style
        self.spaceBefore = style.spaceBefore
        self.spaceAfter = style.spaceAfter
        self._pad = normalizeTRBL(style.borderPadding)

    def _box_height(self, count: int) -> float:
        top, _right, bottom, _left = self._pad
        return float(count * self.style.leading + top + bottom)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = self._box_height(len(self.lines))
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        top, _right, bottom, _left = self._pad
        fit = int((availHeight - top - bottom) // self.style.leading)
        if fit < 2 or fit >= len(self.lines):
            return []
        return [CodeBlock(self.lines[:fit], self.style), CodeBlock(self.lines[fit:], self.style)]

    def draw(self) -> None:
        top, _right, _bottom, left = self._pad
        style = self.style
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(style.backColor)
        canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        text = canvas.beginText(left + 2, self.height - top - style.fontSize)
        text.setLeading(style.leading)
        face, colour = "", None
        for runs in self.lines:
            for chunk, run_face, run_colour in runs:
                if run_face != face:
                    text.setFont(run_face, style.fontSize, style.leading)
                    face = run_face
                if run_colour != colour:
                    text.setFillColor(run_colour)
                    colour = run_colour
                text.textOut(chunk)
            text.textLine("")
        canvas.drawText(text)
        canvas.restoreState()


def lesson_key(index: int) -> str:
    return f"lesson-{index + 1}"


class BlockRenderer:
    """Turns one package's lessons into flowables; holds the text mapper and decoded images."""

    def __init__(self, package: CoursePackage, mapper: TextMapper) -> None:
        self.package = package
        self.mapper = mapper
        self.plain = PlainParagraphs(mapper)
        self.images = ImageStore(package)
        self.html = HtmlConverter(self)

    # --- text --------------------------------------------------------------------------------

    def markup(self, text: str, face: str = SANS, *, rtl: bool = False) -> str:
        """Markup for a short text on one line or wrapped by reportlab (no bidi line breaking)."""
        if bidi.has_rtl(text):
            text = "\n".join(bidi.display(line, rtl=rtl) for line in text.split("\n"))
        return self.mapper.markup(text, face).replace("\n", "<br/>")

    def para_markup(
        self, text: str, style: Any, *, rtl: bool = False, width: float = TEXT_WIDTH
    ) -> str:
        """Markup of plain package text; right-to-left text is broken into lines here."""
        face = style.fontName
        if rtl and bidi.has_rtl(text):
            size = style.fontSize

            def measure(word: str) -> float:
                return string_width(word, face, size)

            lines = bidi.wrap(text, width - 4, measure, rtl=True)
            return "<br/>".join(self.mapper.markup(line, face) for line in lines)
        return self.markup(text, face, rtl=rtl)

    def para(
        self, text: str, style: Any, *, rtl: bool = False, width: float = TEXT_WIDTH
    ) -> list[Paragraph]:
        """A paragraph of plain package text (its line breaks kept), in pieces when long."""
        return self.plain.pieces(self.display_lines(text, style, rtl=rtl, width=width), style)

    def display_lines(self, text: str, style: Any, *, rtl: bool, width: float) -> list[str]:
        """The lines of ``text`` in display order; right-to-left text is broken into lines here."""
        if not bidi.has_rtl(text):
            return text.split("\n")
        if rtl:
            face, size = style.fontName, style.fontSize

            def measure(word: str) -> float:
                return string_width(word, face, size)

            return bidi.wrap(text, width - 4, measure, rtl=True)
        return [bidi.display(line, rtl=False) for line in text.split("\n")]

    # --- lessons -----------------------------------------------------------------------------

    def lesson(self, lesson: Lesson, count: int) -> list[Flowable]:
        rtl = self.package.lesson_direction(lesson) == "rtl"
        st = styles(rtl)
        title_lines = self.display_lines(lesson.title, st.h1, rtl=rtl, width=TEXT_WIDTH)
        out: list[Flowable] = [self.plain.make(title_lines, st.h1, LessonTitle)]
        title = out[0]
        assert isinstance(title, LessonTitle)
        title.key = lesson_key(lesson.index)
        title.outline = " ".join(lesson.title.split()) or _("Lesson {n}").format(n=lesson.index + 1)
        title.lesson_index = lesson.index
        meta = _("Lesson {n} of {count}").format(n=lesson.index + 1, count=count)
        if lesson.estimated_minutes:
            meta += " · " + _("about {minutes} minutes").format(minutes=lesson.estimated_minutes)
        out.append(self.plain.make([meta], st.lesson_meta))
        objectives = [text for text in lesson.objectives if text.strip()]
        if objectives:
            out.extend(self.objectives(objectives, rtl))
        for raw in lesson.blocks:
            out.extend(self.block(parse_block(raw), rtl))
        return out

    def objectives(self, objectives: list[str], rtl: bool) -> list[Flowable]:
        """ "In this lesson you will:" and the objectives, as one shaded box of paragraphs.

        The label and each objective are paragraphs whose backgrounds meet (no space between
        them), so the box splits across pages like text and needs no table.
        """
        st = styles(rtl)
        first, middle, last = _objective_styles(rtl)
        label = Paragraph(self.markup(objectives_label(), SANS_BOLD, rtl=rtl), first)
        out: list[Flowable] = [CondPageBreak(first.leading * 3), label]
        width = TEXT_WIDTH - middle.leftIndent - middle.rightIndent
        for position, text in enumerate(objectives):
            style = last if position == len(objectives) - 1 else middle
            lines = self.display_lines(text, st.list_item, rtl=rtl, width=width)
            if rtl:  # reportlab draws bullets on the left: put it at the (right) start by hand
                lines[0] = f"{lines[0]}  •"
                out.append(self.plain.make(lines, style))
            else:
                out.append(self.plain.make(lines, style, bullet="•"))
        return out

    def block(self, block: Block, rtl: bool, width: float = TEXT_WIDTH) -> list[Flowable]:
        """One typed block → flowables. Never raises for content."""
        st = styles(rtl)
        match block:
            case Heading():
                style = {2: st.h2, 3: st.h3}.get(block.level, st.h4)
                # Never a heading alone at the foot of a page. (Cheaper than keepWithNext, which
                # lays the next block out twice.)
                return [
                    CondPageBreak(HEADING_ROOM),
                    *self.para(block.text, style, rtl=rtl, width=width),
                ]
            case ParagraphBlock():
                return list(self.para(block.text, st.body, rtl=rtl, width=width))
            case Markdown():
                html = render_markdown(
                    block.markdown, PDF_RENDER_OPTIONS, assets=self.package.assets
                )
                return self.html.convert(html, rtl=rtl, width=width)
            case Html():
                html = sanitize_html(block.html, PDF_RENDER_OPTIONS, assets=self.package.assets)
                return self.html.convert(html, rtl=rtl, width=width)
            case ListBlock():
                if rtl:
                    items = [self.para_markup(text, st.list_item, rtl=rtl, width=width - LIST_INDENT)
                             for text in block.items]  # fmt: skip
                    return self.bullets(items, ordered=block.ordered, rtl=rtl)
                out: list[Flowable] = []
                last = len(block.items) - 1
                for position, text in enumerate(block.items):
                    style = _bullet_style(block.ordered, position == last)
                    lines = self.display_lines(text, style, rtl=False, width=width - LIST_INDENT)
                    label = f"{position + 1}." if block.ordered else "•"
                    out.extend(self.plain.pieces(lines, style, bullet=label))
                return out
            case Code():
                return self.code(block.code, block.language, width=width)
            case Quote():
                parts = [(block.text, st.quote)]
                cite = (block.cite or "").strip()
                if cite:
                    parts.append(("— " + cite, st.cite))
                return self.box(parts, QUOTE_BG, RULE, rtl, width)
            case Callout():
                return self.callout(block, rtl, width)
            case Image():
                return self.image_block(block, rtl, width)
            case Divider():
                return [HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=14,
                                   spaceAfter=12)]  # fmt: skip
            case Unsupported():
                log.debug("unsupported block %r (%s) in the PDF", block.kind, block.reason)
                return self.unsupported(rtl)
        return []  # pragma: no cover - the match above is exhaustive

    # --- building blocks shared with the HTML converter --------------------------------------

    def bullets(
        self, markups: Sequence[str], *, ordered: bool, rtl: bool, start: int = 1
    ) -> list[Flowable]:
        """A list whose items are each one paragraph: paragraphs with a bullet (or number).

        Much cheaper to lay out than ``ListFlowable``, which is kept for right-to-left lists and
        for items made of several blocks.
        """
        st = styles(rtl)
        if rtl:
            items = [Paragraph(markup, st.list_item) for markup in markups]
            return [self.list_flowable(items, ordered=ordered, rtl=True, start=start)]
        out: list[Flowable] = []
        last = len(markups) - 1
        for position, markup in enumerate(markups):
            label = f"{start + position}." if ordered else "•"
            out.append(
                Paragraph(markup, _bullet_style(ordered, position == last), bulletText=label)
            )
        return out

    def list_flowable(
        self,
        items: Sequence[Flowable | list[Flowable]],
        *,
        ordered: bool,
        rtl: bool,
        start: int = 1,
    ) -> ListFlowable:
        list_items = [ListItem(item if isinstance(item, list) else [item]) for item in items]
        kwargs: dict[str, Any] = {
            "bulletFontName": SANS,
            "bulletFontSize": 9.5 if ordered else 8,
            "leftIndent": LIST_INDENT,
            "bulletDedent": LIST_INDENT - 2 if ordered else 11,
            "spaceBefore": 0,
            "spaceAfter": 6,
        }
        if ordered:
            kwargs.update(bulletType="1", start=start, bulletFormat="%s.")
        else:
            kwargs.update(bulletType="bullet", start="•")
        if rtl:
            kwargs.update(bulletDir="rtl", leftIndent=0, rightIndent=LIST_INDENT)
        return ListFlowable(list_items, **kwargs)

    def boxed(
        self,
        content: list[Flowable],
        *,
        background: Color,
        accent: Color | None,
        width: float = TEXT_WIDTH,
        rtl: bool = False,
    ) -> Table:
        """A shaded box that may split across pages (one cell, split inside the row)."""
        commands: list[tuple[Any, ...]] = [
            ("BACKGROUND", (0, 0), (-1, -1), background),
            ("LEFTPADDING", (0, 0), (-1, -1), BOX_PADDING + (3 if accent and not rtl else 0)),
            ("RIGHTPADDING", (0, 0), (-1, -1), BOX_PADDING + (3 if accent and rtl else 0)),
            ("TOPPADDING", (0, 0), (-1, -1), BOX_PADDING - 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), BOX_PADDING),
        ]
        if accent is not None:
            side = "LINEAFTER" if rtl else "LINEBEFORE"
            commands.append((side, (0, 0), (-1, -1), 3, accent))
        table = Table([[content]], colWidths=[width], splitInRow=1, style=TableStyle(commands))
        table.spaceBefore = 4
        table.spaceAfter = 8
        return table

    def quote(self, content: list[Flowable], *, width: float = TEXT_WIDTH) -> Table:
        return self.boxed(content, background=_WHITE, accent=RULE, width=width)

    def box(
        self,
        parts: Sequence[tuple[str, ParagraphStyle]],
        background: Color,
        accent: Color | None,
        rtl: bool,
        width: float = TEXT_WIDTH,
    ) -> list[Flowable]:
        """A shaded box of plain-text parts (title, text, cite…), one paragraph each."""
        out: list[Flowable] = []
        last = len(parts) - 1
        for position, (text, base) in enumerate(parts):
            if last == 0:
                part = "whole"
            else:
                part = "top" if position == 0 else "bottom" if position == last else "middle"
            style = box_style(base, background, accent, rtl, part)
            inner = width - style.leftIndent - style.rightIndent
            lines = self.display_lines(text, style, rtl=rtl, width=inner)

            def styler(
                first: bool, final: bool, base: ParagraphStyle = base, whole: str = part
            ) -> ParagraphStyle:
                return box_style(base, background, accent, rtl, box_part(whole, first, final))

            out.extend(self.plain.pieces(lines, style, BoxParagraph, styler=styler))
        if last > 0:  # not a title alone at the foot of a page
            out.insert(0, CondPageBreak(3 * parts[0][1].leading + BOX_INSET[0]))
        return out

    def callout(self, block: Callout, rtl: bool, width: float) -> list[Flowable]:
        st = styles(rtl)
        background, accent = CALLOUT_COLOURS.get(block.variant, CALLOUT_COLOURS["note"])
        title = " ".join(((block.title or "").strip() or callout_label(block.variant)).split())
        return self.box([(title, st.label), (block.text, st.body)], background, accent, rtl, width)

    def unsupported(self, rtl: bool) -> list[Flowable]:
        return self.note_box(unsupported_note(), None, rtl)

    def note_box(self, message: str, caption: str | None, rtl: bool) -> list[Flowable]:
        """A grey box with an italic note (and a caption under it)."""
        st = styles(rtl)
        parts = [(message, st.note)]
        if caption:
            parts.append((caption, st.cite))
        return self.box(parts, UNSUPPORTED_BG, None, rtl)

    def note(self, text: str, rtl: bool) -> Paragraph:
        return Paragraph(self.markup(text, SANS_ITALIC, rtl=rtl), styles(rtl).note)

    def code(self, code: str, language: str | None, *, width: float = TEXT_WIDTH) -> list[Flowable]:
        """Monospace code, long lines wrapped with a ``↪`` marker, splittable across pages."""
        st = styles(False)
        char_width = string_width("M", MONO, CODE_SIZE)
        per_line = max(20, int((width - 2 * 6 - 2 * 6) / char_width))
        lines: list[list[CodeRun]] = []
        for line in code.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4).split("\n"):
            first = True
            while True:
                room = per_line if first else per_line - len(CONTINUATION)
                chunk, line = line[:room], line[room:]
                runs: list[CodeRun] = [] if first else [(CONTINUATION, MONO, _PLACEHOLDER)]
                for text, face, placeholder in self.mapper.runs(chunk, MONO):
                    colour = _PLACEHOLDER if placeholder else INK
                    runs.append((text, face or MONO, colour))
                lines.append(runs)
                first = False
                if not line:
                    break
        while lines and not "".join(text for text, _f, _c in lines[-1]).strip():
            lines.pop()
        out: list[Flowable] = []
        label = (language or "").strip()
        if label:
            out.append(CondPageBreak(st.code_label.leading + 3 * st.code.leading + 12))
            out.append(self.plain.make([label], st.code_label))
        out.append(CodeBlock(lines or [[]], st.code))
        return out

    def picture(
        self, picture: Picture, caption: str | None, rtl: bool, width: float, *, top: bool = True
    ) -> list[Flowable]:
        """The image and its caption, kept on one page (``top``: not inside a table or box)."""
        image = flowable(picture, width, _IMAGE_MAX_HEIGHT)
        parts: list[Flowable] = [image]
        if caption:
            lines = self.display_lines(caption, styles(rtl).caption, rtl=rtl, width=width)
            parts.append(self.plain.make(lines, styles(rtl).caption))
        else:
            parts.append(Spacer(1, 8))
        if top:
            parts.insert(0, CondPageBreak(image.height + CAPTION_ROOM))
        return parts

    def image_block(self, block: Image, rtl: bool, width: float) -> list[Flowable]:
        caption = (block.caption or "").strip() or None
        alt = block.alt.strip() or _("image")
        picture: Picture | None = None
        message: str
        if block.asset is not None:
            media_type = self.images.media_type(block.asset)
            picture = self.images.asset(block.asset)
            if media_type is None:
                message = _("[Image unavailable: {alt}]").format(alt=alt)
            elif media_type == "image/svg+xml":
                message = _("[Image: {alt} (SVG, shown in the player only)]").format(alt=alt)
            else:
                message = _("[Image unavailable: {alt}]").format(alt=alt)
        else:
            src = (block.src or "").strip()
            if src.lower().startswith("data:"):
                picture = self.images.data_uri(src)
                message = _("[Image unavailable: {alt}]").format(alt=alt)
            else:
                host = remote_host(src)
                message = (
                    _("[image from {host} not included: {alt}]").format(host=host, alt=alt)
                    if host
                    else _("[Image unavailable: {alt}]").format(alt=alt)
                )
        if picture is not None:
            return self.picture(picture, caption, rtl, width)
        return self.note_box(message, caption, rtl)


@cache
def _objective_styles(rtl: bool) -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    """Label, objective and last objective: one box made of paragraphs that touch."""
    st = styles(rtl)
    pad = BOX_PADDING + 2
    common: dict[str, Any] = {"backColor": OBJECTIVES_BG, "spaceBefore": 0, "spaceAfter": 0}
    label = ParagraphStyle(
        f"objectives-label{'-rtl' if rtl else ''}", parent=st.label,
        leftIndent=pad, rightIndent=pad, borderPadding=(pad, pad, 0, pad),
        **{**common, "spaceBefore": pad + 2},
    )  # fmt: skip
    item_indent = {"rightIndent": pad, "leftIndent": pad} if rtl else {
        "leftIndent": pad + LIST_INDENT, "rightIndent": pad}  # fmt: skip
    item = ParagraphStyle(
        f"objectives-item{'-rtl' if rtl else ''}", parent=st.list_item,
        borderPadding=(0, pad, 0, pad + LIST_INDENT) if not rtl else (0, pad, 0, pad),
        bulletIndent=pad + 4, bulletFontName=SANS, bulletFontSize=st.list_item.fontSize - 1,
        **item_indent, **common,
    )  # fmt: skip
    last = ParagraphStyle(
        f"objectives-last{'-rtl' if rtl else ''}", parent=item,
        borderPadding=(0, pad, pad, pad + LIST_INDENT) if not rtl else (0, pad, pad, pad),
        spaceAfter=pad + 10,
    )  # fmt: skip
    return label, item, last


@cache
def _bullet_style(ordered: bool, last: bool) -> ParagraphStyle:
    base = styles(False).list_item
    return ParagraphStyle(
        f"bullet-{'ordered' if ordered else 'plain'}{'-last' if last else ''}",
        parent=base,
        leftIndent=base.leftIndent + LIST_INDENT,
        bulletIndent=base.leftIndent + (0 if ordered else 4),
        bulletFontName=SANS,
        bulletFontSize=base.fontSize if ordered else base.fontSize - 1,
        spaceAfter=8 if last else base.spaceAfter,
    )


_WHITE = Color(1, 1, 1)
_PLACEHOLDER = HexColor(PLACEHOLDER_COLOUR)

Converter = Callable[[str], list[Flowable]]

__all__ = ["BlockRenderer", "LessonTitle", "Styles", "lesson_key"]
