"""Sanitized HTML (from ``player.render``) → reportlab flowables.

The input is the output of the player's sanitizer: an allow-listed, well-formed subset (see
``player.render.sanitize.ALLOWED_TAGS``), links already limited to http, https and mailto, image
sources to ``asset:NAME``, ``data:`` images or notes. It is parsed into a small tree and rebuilt:
text nodes go through ``TextMapper.markup`` (escaped, glyph fallback), and only markup this module
writes itself (``<font>``, ``<a>``, ``<u>``, ``<br/>``…) reaches reportlab's paragraph parser.
Nesting is capped so that a hostile document cannot exhaust the stack.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Protocol
from urllib.parse import urlsplit

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, HRFlowable, Paragraph, Spacer, Table, TableStyle

from player.export import bidi
from player.export.fonts import (
    MONO_BOLD,
    SANS_BOLD,
    SANS_BOLD_ITALIC,
    SANS_ITALIC,
    TextMapper,
    face_for,
)
from player.export.pdf_box import BoxParagraph
from player.export.pdf_images import ImageStore, Picture
from player.export.pdf_pieces import PIECE_CHARS, box_part, continued, pieces
from player.export.pdf_styles import (
    BOX_PADDING,
    LINK,
    LIST_INDENT,
    QUOTE_BG,
    RULE,
    TABLE_HEAD_BG,
    TEXT_WIDTH,
    box_style,
    styles,
)
from player.i18n import _


class BlockRenderer(Protocol):
    """What the converter uses of ``pdf_blocks.BlockRenderer`` (which makes one converter)."""

    mapper: TextMapper
    images: ImageStore

    def note(self, text: str, rtl: bool) -> Flowable: ...

    def note_box(self, message: str, caption: str | None, rtl: bool) -> list[Flowable]: ...

    def picture(
        self, picture: Picture, caption: str | None, rtl: bool, width: float, *, top: bool = True
    ) -> list[Flowable]: ...

    def code(self, code: str, language: str | None, *, width: float = ...) -> list[Flowable]: ...

    def quote(self, content: list[Flowable], *, width: float = ...) -> Flowable: ...

    def bullets(
        self, markups: Sequence[str], *, ordered: bool, rtl: bool, start: int = 1
    ) -> list[Flowable]: ...

    def list_flowable(
        self,
        items: Sequence[Flowable | list[Flowable]],
        *,
        ordered: bool,
        rtl: bool,
        start: int = 1,
    ) -> Flowable: ...


MAX_DEPTH = 40
MAX_SPAN = 30
_VOID = frozenset({"br", "img", "hr", "wbr"})
_BLOCK = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "pre", "blockquote",
        "table", "hr", "figure", "figcaption", "dl", "dt", "dd", "thead", "tbody", "tfoot", "tr",
        "td", "th", "caption",
    }
)  # fmt: skip
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_NOTE_CLASSES = frozenset({"image-remote", "image-missing"})


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def elements(self, *tags: str) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node) and (not tags or c.tag in tags)]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self._stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(self._stack) > MAX_DEPTH:
            return  # too deep: keep the text, drop the structure
        node = Node(tag, {name: value or "" for name, value in attrs})
        self._stack[-1].children.append(node)
        if tag not in _VOID:
            self._stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(self._stack) <= MAX_DEPTH:
            self._stack[-1].children.append(Node(tag, {n: v or "" for n, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._stack) - 1, 0, -1):
            if self._stack[depth].tag == tag:
                del self._stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self._stack[-1].children.append(data)


def parse(fragment: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(fragment)
    builder.close()
    return builder.root


@dataclass(frozen=True)
class _State:
    bold: bool = False
    italic: bool = False
    mono: bool = False
    muted: bool = False
    wrappers: tuple[str, ...] = ()  # closing-order list of simple tags: "u", "strike", "super"…


class _Inline:
    """Inline content → paragraph markup, cut into segments around images."""

    def __init__(self, converter: HtmlConverter, rtl: bool, base_face: str) -> None:
        self.converter = converter
        self.rtl = rtl
        self.base_face = base_face  # the paragraph style's face: runs in it need no <font> tag
        self.base_bold = base_face in (SANS_BOLD, SANS_BOLD_ITALIC, MONO_BOLD)
        self.base_italic = base_face in (SANS_ITALIC, SANS_BOLD_ITALIC)
        self.parts: list[str] = []
        self.segments: list[tuple[str, Any]] = []
        self.joined: set[int] = set()  # text segments that continue the one before (a long text)
        self.size = 0  # characters of text in ``parts``
        self.in_link = 0

    def cut(self) -> None:
        if self.parts:
            self.segments.append(("text", "".join(self.parts)))
            self.parts = []
        self.size = 0

    def cut_long(self) -> None:
        """End the segment here because the text is long (``pdf_pieces``); the next continues it."""
        if self.parts and not self.in_link:  # never inside <a>…</a>
            self.cut()
            self.joined.add(len(self.segments))

    def text(self, text: str, state: _State) -> None:
        if bidi.has_rtl(text):
            text = bidi.display(text, rtl=self.rtl)
        if self.size + len(text) > PIECE_CHARS:
            for position, piece in enumerate(pieces(text)):
                if position > 0 or self.size + len(piece) > PIECE_CHARS:
                    self.cut_long()
                self._text(piece, state)
            return
        self._text(text, state)

    def _text(self, text: str, state: _State) -> None:
        self.size += len(text)
        face = face_for(
            bold=state.bold or self.base_bold,
            italic=state.italic or self.base_italic,
            mono=state.mono,
        )
        markup = self.converter.renderer.mapper.markup(text, face)
        if not markup:
            return
        if face != self.base_face or state.muted or state.mono:
            colour = ' color="#5b6270"' if state.muted else ""
            back = ' backColor="#eceef1"' if state.mono else ""
            markup = f'<font face="{face}"{colour}{back}>{markup}</font>'
        if state.wrappers:
            opening = "".join(f"<{tag}>" for tag in state.wrappers)
            closing = "".join(f"</{tag}>" for tag in reversed(state.wrappers))
            markup = f"{opening}{markup}{closing}"
        self.parts.append(markup)

    def walk(self, nodes: list[Node | str], state: _State) -> None:
        for node in nodes:
            if isinstance(node, str):
                self.text(node, state)
                continue
            tag = node.tag
            if tag in ("b", "strong", "th", "dt"):
                self.walk(node.children, _replace(state, bold=True))
            elif tag in ("i", "em", "cite", "var"):
                self.walk(node.children, _replace(state, italic=True))
            elif tag in ("code", "kbd", "samp", "tt"):
                self.walk(node.children, _replace(state, mono=True))
            elif tag in ("u", "ins"):
                self.walk(node.children, _wrap(state, "u"))
            elif tag in ("s", "strike", "del"):
                self.walk(node.children, _wrap(state, "strike"))
            elif tag == "sup":
                self.walk(node.children, _wrap(state, "super"))
            elif tag == "sub":
                self.walk(node.children, _wrap(state, "sub"))
            elif tag == "br":
                self.parts.append("<br/>")
            elif tag == "img":
                self.cut()
                self.segments.append(("img", node.attrs))
            elif tag == "a":
                self.link(node, state)
            elif tag == "span" and _NOTE_CLASSES & set(node.attrs.get("class", "").split()):
                note = node.text().removeprefix("🖼").strip()
                self.text(note, _replace(state, italic=True, muted=True))
            else:
                self.walk(node.children, state)

    def link(self, node: Node, state: _State) -> None:
        href = node.attrs.get("href", "").strip()
        try:
            parts = urlsplit(href)
            safe = parts.scheme.lower() in _LINK_SCHEMES and (
                parts.scheme.lower() == "mailto" or bool(parts.hostname)
            )
        except ValueError:
            safe = False
        if not safe:
            self.walk(node.children, state)
            return
        self.parts.append(
            f'<a href="{html.escape(href, quote=True)}" color="#{LINK.hexval()[2:]}">'
        )
        self.in_link += 1
        try:
            self.walk(node.children, _wrap(state, "u"))
        finally:
            self.in_link -= 1
        self.parts.append("</a>")


def _replace(state: _State, **changes: Any) -> _State:
    return dataclasses.replace(state, **changes)


def _wrap(state: _State, tag: str) -> _State:
    return _replace(state, wrappers=(*state.wrappers, tag))


class HtmlConverter:
    def __init__(self, renderer: BlockRenderer) -> None:
        self.renderer = renderer
        self.depth = 0  # > 0 inside a table cell, a boxed quote or a complex list item

    def convert(self, fragment: str, *, rtl: bool, width: float = TEXT_WIDTH) -> list[Flowable]:
        return self.flow(parse(fragment).children, rtl, width, styles(rtl).body)

    def flow(
        self, children: list[Node | str], rtl: bool, width: float, style: ParagraphStyle
    ) -> list[Flowable]:
        out: list[Flowable] = []
        run: list[Node | str] = []
        for child in children:
            if isinstance(child, Node) and child.tag in _BLOCK:
                out.extend(self.inline(run, style, rtl, width))
                run = []
                out.extend(self.element(child, rtl, width))
            else:
                run.append(child)
        out.extend(self.inline(run, style, rtl, width))
        return out

    def inline(
        self,
        nodes: list[Node | str],
        style: ParagraphStyle,
        rtl: bool,
        width: float,
        state: _State | None = None,
    ) -> list[Flowable]:
        if not nodes:
            return []
        writer = _Inline(self, rtl, style.fontName)
        writer.walk(nodes, state or _State())
        writer.cut()
        out: list[Flowable] = []
        for position, (kind, value) in enumerate(writer.segments):
            if kind == "text":
                if _visible(value):
                    first = position not in writer.joined
                    last = position + 1 not in writer.joined
                    paragraph = Paragraph(value, continued(style, first=first, last=last))
                    paragraph.continues = not first
                    out.append(paragraph)
            else:
                out.extend(self.image(value, rtl, width))
        return out

    def image(self, attrs: dict[str, str], rtl: bool, width: float) -> list[Flowable]:
        src = attrs.get("src", "")
        alt = attrs.get("alt", "").strip() or _("image")
        renderer = self.renderer
        picture = None
        if src.startswith("asset:"):
            name = src[len("asset:") :]
            picture = renderer.images.asset(name)
            if picture is None and renderer.images.media_type(name) == "image/svg+xml":
                message = _("[Image: {alt} (SVG, shown in the player only)]").format(alt=alt)
                return renderer.note_box(message, None, rtl)
        elif src.lower().startswith("data:"):
            picture = renderer.images.data_uri(src)
        if picture is not None:
            title = attrs.get("title", "").strip() or None
            return renderer.picture(picture, title, rtl, width, top=self.depth == 0)
        return [renderer.note(_("[Image unavailable: {alt}]").format(alt=alt), rtl)]

    def element(self, node: Node, rtl: bool, width: float) -> list[Flowable]:
        st = styles(rtl)
        renderer = self.renderer
        tag = node.tag
        if tag in ("p", "div", "figure", "li", "dd", "td", "tbody", "thead", "tfoot", "tr"):
            return self.flow(node.children, rtl, width, st.body)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            style = {"h1": st.h2, "h2": st.h2, "h3": st.h3}.get(tag, st.h4)
            return self.inline(node.children, style, rtl, width)
        if tag in ("figcaption", "caption"):
            return self.inline(node.children, st.caption, rtl, width)
        if tag in ("dt", "th"):
            return self.inline(node.children, st.label, rtl, width, _State(bold=True))
        if tag in ("ul", "ol"):
            return self.list_block(node, rtl, width)
        if tag == "pre":
            language = None
            for code in node.elements("code"):
                for word in code.attrs.get("class", "").split():
                    if word.startswith("language-"):
                        language = word[len("language-") :]
            return renderer.code(node.text(), language, width=width)
        if tag == "blockquote":
            inner = width - 2 * BOX_PADDING - 3
            self.depth += 1
            try:
                content = self.flow(node.children, rtl, inner, st.quote) or [Spacer(1, 1)]
            finally:
                self.depth -= 1
            if all(type(c) is Paragraph for c in content) and not any(
                getattr(c, "continues", False) is False for c in content[1:]
            ):
                # One paragraph (the usual Markdown quote), maybe in pieces: box paragraphs, not
                # a table.
                last = len(content) - 1
                return [
                    BoxParagraph(
                        c.text,
                        box_style(
                            st.quote, QUOTE_BG, RULE, rtl, box_part("whole", i == 0, i == last)
                        ),
                    )
                    for i, c in enumerate(content)
                ]
            return [renderer.quote(content, width=width)]
        if tag == "table":
            return self.table(node, rtl, width)
        if tag == "hr":
            return [HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=14,
                               spaceAfter=12)]  # fmt: skip
        if tag == "dl":
            out: list[Flowable] = []
            for child in node.elements():
                if child.tag == "dd":
                    indented = self.flow(child.children, rtl, width - 18, st.body)
                    out.append(_indent(indented, 18, rtl, width))
                else:
                    out.extend(self.element(child, rtl, width))
            return out
        return self.flow(node.children, rtl, width, st.body)

    def list_block(self, node: Node, rtl: bool, width: float) -> list[Flowable]:
        try:
            start = int(node.attrs.get("start", "1"))
        except ValueError:
            start = 1
        ordered = node.tag == "ol"
        simple = self.simple_items(node, rtl)
        if simple is not None:
            return self.renderer.bullets(simple, ordered=ordered, rtl=rtl, start=start)
        self.depth += 1
        try:
            items = self.complex_items(node, rtl, width)
        finally:
            self.depth -= 1
        if not items:
            return []
        return [self.renderer.list_flowable(items, ordered=ordered, rtl=rtl, start=start)]

    def complex_items(self, node: Node, rtl: bool, width: float) -> list[list[Flowable]]:
        st = styles(rtl)
        items: list[list[Flowable]] = []
        for child in node.children:
            if isinstance(child, Node) and child.tag == "li":
                content = self.flow(child.children, rtl, width - LIST_INDENT, st.list_item)
                items.append(content or [Paragraph("", st.list_item)])
            elif isinstance(child, Node) or child.strip():
                # Stray content between items: give it an item of its own.
                loose: list[Node | str] = child.children if isinstance(child, Node) else [child]
                content = self.flow(loose, rtl, width - LIST_INDENT, st.list_item)
                if content:
                    items.append(content)
        return items

    def simple_items(self, node: Node, rtl: bool) -> list[str] | None:
        """The markup of each item when every item is inline text only (no blocks, no images)."""
        markups = []
        for child in node.children:
            if isinstance(child, str):
                if child.strip():
                    return None
                continue
            if child.tag != "li" or any(
                isinstance(n, Node) and (n.tag in _BLOCK or n.tag == "img") for n in child.children
            ):
                return None
            writer = _Inline(self, rtl, styles(rtl).list_item.fontName)
            writer.walk(child.children, _State())
            if any(kind != "text" for kind, _value in writer.segments):
                return None
            markups.append("".join(writer.parts))
        return markups or None

    def table(self, node: Node, rtl: bool, width: float) -> list[Flowable]:
        st = styles(rtl)
        caption: list[Flowable] = []
        rows: list[Node] = []
        for child in node.elements():
            if child.tag == "caption":
                caption = self.inline(child.children, st.caption, rtl, width)
            elif child.tag == "tr":
                rows.append(child)
            elif child.tag in ("thead", "tbody", "tfoot"):
                rows.extend(child.elements("tr"))
        # Place cells on a grid, honouring (capped) colspan and rowspan.
        placed: list[tuple[int, int, int, int, Node]] = []  # row, col, rowspan, colspan, cell
        taken: set[tuple[int, int]] = set()
        # A colspan never widens the table beyond what its rows define (nor beyond MAX_SPAN).
        natural = max((len(row.elements("td", "th")) for row in rows), default=1)
        for r, row in enumerate(rows):
            c = 0
            for cell in row.elements("td", "th"):
                while (r, c) in taken:
                    c += 1
                colspan = _span(cell.attrs.get("colspan"), min(MAX_SPAN, max(1, natural - c)))
                rowspan = _span(cell.attrs.get("rowspan"), len(rows) - r)
                for dr in range(rowspan):
                    for dc in range(colspan):
                        taken.add((r + dr, c + dc))
                placed.append((r, c, rowspan, colspan, cell))
                c += colspan
        columns = max((col + 1 for _row, col in taken), default=0)
        if not placed or columns == 0:
            return caption
        col_width = width / columns
        grid: list[list[Any]] = [["" for _c in range(columns)] for _r in range(len(rows))]
        commands: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.5, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
        self.depth += 1
        try:
            self.fill_cells(placed, grid, commands, columns, col_width, rtl)
        finally:
            self.depth -= 1
        header_rows = 0
        for row in rows[:3]:
            cells = row.elements("td", "th")
            if cells and all(cell.tag == "th" for cell in cells):
                header_rows += 1
            else:
                break
        table = Table(
            grid,
            colWidths=[col_width] * columns,
            repeatRows=header_rows if header_rows < len(rows) else 0,
            splitInRow=1,
            style=TableStyle(commands),
            hAlign="RIGHT" if rtl else "LEFT",
        )
        table.spaceBefore = 4
        table.spaceAfter = 8
        return [*caption, table]

    def fill_cells(
        self,
        placed: list[tuple[int, int, int, int, Node]],
        grid: list[list[Any]],
        commands: list[tuple[Any, ...]],
        columns: int,
        col_width: float,
        rtl: bool,
    ) -> None:
        st = styles(rtl)
        for r, c, rowspan, colspan, cell in placed:
            if rtl:
                c = columns - c - colspan
            head = cell.tag == "th"
            style = st.cell_head if head else st.cell
            inner = col_width * colspan - 8
            content = (
                self.flow(cell.children, rtl, inner, style)
                if not head
                else self.inline(cell.children, style, rtl, inner, _State(bold=True))
            )
            grid[r][c] = content or ""
            if head:
                commands.append(
                    ("BACKGROUND", (c, r), (c + colspan - 1, r + rowspan - 1), TABLE_HEAD_BG)
                )
            if rowspan > 1 or colspan > 1:
                commands.append(("SPAN", (c, r), (c + colspan - 1, r + rowspan - 1)))


def _span(value: str | None, limit: int) -> int:
    try:
        number = int(value or "1")
    except ValueError:
        return 1
    return max(1, min(number, max(1, limit)))


def _visible(markup: str) -> bool:
    """Whether paragraph markup has any text (not just tags and whitespace)."""
    depth = 0
    for char in markup:
        if char == "<":
            depth += 1
        elif char == ">":
            depth -= 1
        elif depth == 0 and not char.isspace():
            return True
    return False


def _indent(flowables: list[Flowable], amount: float, rtl: bool, width: float) -> Table:
    padding = ("RIGHTPADDING" if rtl else "LEFTPADDING", (0, 0), (-1, -1), amount)
    return Table([[flowables or ""]], colWidths=[width], splitInRow=1, style=TableStyle([padding]))
