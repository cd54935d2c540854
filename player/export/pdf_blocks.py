"""Lessons and their typed blocks → reportlab flowables.

Every string from the package reaches reportlab through ``TextMapper.markup`` (XML-escaped, glyph
fallback applied); no markup from the package is ever handed to reportlab. ``html`` and
``markdown`` blocks go through the player's own sanitizer first (``player.render``), and the safe
HTML that comes out is converted by ``pdf_html``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from reportlab.lib.colors import Color
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
    XPreformatted,
)

from player.export import bidi
from player.export.fonts import MONO, SANS, SANS_BOLD, SANS_ITALIC, TextMapper, string_width
from player.export.pdf_images import ImageStore, Picture, flowable
from player.export.pdf_styles import (
    BOX_PADDING,
    CALLOUT_COLOURS,
    CODE_SIZE,
    OBJECTIVES_BG,
    RULE,
    TEXT_HEIGHT,
    TEXT_WIDTH,
    UNSUPPORTED_BG,
    Styles,
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
LIST_INDENT = 16
CONTINUATION = "↪ "
_IMAGE_MAX_HEIGHT = TEXT_HEIGHT * 0.55

# The sanitizer's image policy with asset names kept as ``asset:NAME`` for the PDF to resolve.
PDF_RENDER_OPTIONS = RenderOptions(image_src=lambda name: ASSET_SCHEME + name, for_qt=False)


class LessonTitle(Paragraph):
    """A lesson's ``h1``: it places the lesson's bookmark and outline entry where it is drawn."""

    def __init__(self, text: str, style: Any, *, key: str, outline: str, index: int) -> None:
        super().__init__(text, style)
        self.key = key
        self.outline = outline
        self.lesson_index = index

    def draw(self) -> None:
        super().draw()
        self.canv.bookmarkHorizontal(self.key, 0, self.height + 12)
        self.canv.addOutlineEntry(self.outline, self.key, level=0, closed=None)


def lesson_key(index: int) -> str:
    return f"lesson-{index + 1}"


class BlockRenderer:
    """Turns one package's lessons into flowables; holds the text mapper and decoded images."""

    def __init__(self, package: CoursePackage, mapper: TextMapper) -> None:
        from player.export.pdf_html import HtmlConverter

        self.package = package
        self.mapper = mapper
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
    ) -> Paragraph:
        return Paragraph(self.para_markup(text, style, rtl=rtl, width=width), style)

    # --- lessons -----------------------------------------------------------------------------

    def lesson(self, lesson: Lesson, count: int) -> list[Flowable]:
        rtl = self.package.lesson_direction(lesson) == "rtl"
        st = styles(rtl)
        title_text = self.para_markup(lesson.title, st.h1, rtl=rtl)
        out: list[Flowable] = [
            LessonTitle(
                title_text,
                st.h1,
                key=lesson_key(lesson.index),
                outline=" ".join(lesson.title.split())
                or _("Lesson {n}").format(n=lesson.index + 1),
                index=lesson.index,
            )
        ]
        meta = _("Lesson {n} of {count}").format(n=lesson.index + 1, count=count)
        if lesson.estimated_minutes:
            meta += " · " + _("about {minutes} minutes").format(minutes=lesson.estimated_minutes)
        out.append(Paragraph(self.mapper.markup(meta), st.lesson_meta))
        objectives = [text for text in lesson.objectives if text.strip()]
        if objectives:
            inner = TEXT_WIDTH - 2 * BOX_PADDING
            items = [self.para(text, st.list_item, rtl=rtl, width=inner - LIST_INDENT)
                     for text in objectives]  # fmt: skip
            box = [Paragraph(self.markup(objectives_label(), SANS_BOLD, rtl=rtl), st.label),
                   self.list_flowable(items, ordered=False, rtl=rtl)]  # fmt: skip
            out.append(self.boxed(box, background=OBJECTIVES_BG, accent=None))
            out.append(Spacer(1, 6))
        for raw in lesson.blocks:
            out.extend(self.block(parse_block(raw), rtl))
        return out

    def block(self, block: Block, rtl: bool, width: float = TEXT_WIDTH) -> list[Flowable]:
        """One typed block → flowables. Never raises for content."""
        st = styles(rtl)
        match block:
            case Heading():
                style = {2: st.h2, 3: st.h3}.get(block.level, st.h4)
                return [self.para(block.text, style, rtl=rtl, width=width)]
            case ParagraphBlock():
                return [self.para(block.text, st.body, rtl=rtl, width=width)]
            case Markdown():
                html = render_markdown(
                    block.markdown, PDF_RENDER_OPTIONS, assets=self.package.assets
                )
                return self.html.convert(html, rtl=rtl, width=width)
            case Html():
                html = sanitize_html(block.html, PDF_RENDER_OPTIONS, assets=self.package.assets)
                return self.html.convert(html, rtl=rtl, width=width)
            case ListBlock():
                items = [self.para(text, st.list_item, rtl=rtl, width=width - LIST_INDENT)
                         for text in block.items]  # fmt: skip
                return [self.list_flowable(items, ordered=block.ordered, rtl=rtl)]
            case Code():
                return self.code(block.code, block.language, width=width)
            case Quote():
                inner = width - 2 * BOX_PADDING - 3
                body: list[Flowable] = [self.para(block.text, st.quote, rtl=rtl, width=inner)]
                if block.cite and block.cite.strip():
                    body.append(self.para("— " + block.cite.strip(), st.cite, rtl=rtl, width=inner))
                return [self.quote(body)]
            case Callout():
                return [self.callout(block, rtl, width)]
            case Image():
                return self.image_block(block, rtl, width)
            case Divider():
                return [HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=6,
                                   spaceAfter=8)]  # fmt: skip
            case Unsupported():
                log.debug("unsupported block %r (%s) in the PDF", block.kind, block.reason)
                return [self.unsupported(rtl)]
        return []  # pragma: no cover - the match above is exhaustive

    # --- building blocks shared with the HTML converter --------------------------------------

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

    def callout(self, block: Callout, rtl: bool, width: float) -> Table:
        st = styles(rtl)
        background, accent = CALLOUT_COLOURS.get(block.variant, CALLOUT_COLOURS["note"])
        title = (block.title or "").strip() or callout_label(block.variant)
        inner = width - 2 * BOX_PADDING - 3
        content: list[Flowable] = [
            Paragraph(self.markup(title, SANS_BOLD, rtl=rtl), st.label),
            self.para(block.text, st.body, rtl=rtl, width=inner),
        ]
        return self.boxed(content, background=background, accent=accent, width=width, rtl=rtl)

    def unsupported(self, rtl: bool) -> Table:
        st = styles(rtl)
        note = Paragraph(self.markup(unsupported_note(), SANS_ITALIC, rtl=rtl), st.note)
        return self.boxed([note], background=UNSUPPORTED_BG, accent=None)

    def note(self, text: str, rtl: bool) -> Paragraph:
        return Paragraph(self.markup(text, SANS_ITALIC, rtl=rtl), styles(rtl).note)

    def code(self, code: str, language: str | None, *, width: float = TEXT_WIDTH) -> list[Flowable]:
        """Monospace code, long lines wrapped with a ``↪`` marker, splittable across pages."""
        st = styles(False)
        char_width = string_width("M", MONO, CODE_SIZE)
        per_line = max(20, int((width - 2 * 6 - 2 * 6) / char_width))
        lines: list[str] = []
        for line in code.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4).split("\n"):
            first = True
            while True:
                room = per_line if first else per_line - len(CONTINUATION)
                chunk, line = line[:room], line[room:]
                marked = self.mapper.markup(chunk, MONO)
                lines.append(
                    marked if first else f'<font color="#8a8f98">{CONTINUATION}</font>{marked}'
                )
                first = False
                if not line:
                    break
        while lines and not lines[-1].strip():
            lines.pop()
        out: list[Flowable] = []
        label = (language or "").strip()
        if label:
            out.append(Paragraph(self.mapper.markup(label), st.code_label))
        out.append(XPreformatted("\n".join(lines) or " ", st.code))
        return out

    def picture(
        self, picture: Picture, caption: str | None, rtl: bool, width: float
    ) -> list[Flowable]:
        parts: list[Flowable] = [flowable(picture, width, _IMAGE_MAX_HEIGHT)]
        if caption:
            parts.append(Paragraph(self.markup(caption, rtl=rtl), styles(rtl).caption))
        else:
            parts.append(Spacer(1, 8))
        return [KeepTogether(parts)]

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
        parts: list[Flowable] = [self.note(message, rtl)]
        if caption:
            parts.append(Paragraph(self.markup(caption, rtl=rtl), styles(rtl).caption))
        return [self.boxed(parts, background=UNSUPPORTED_BG, accent=None, width=width)]


_WHITE = Color(1, 1, 1)

Converter = Callable[[str], list[Flowable]]

__all__ = ["BlockRenderer", "LessonTitle", "Styles", "lesson_key"]
