"""A lesson → plain text, for a terminal or a screen reader.

Markdown and HTML go through the same allow-list as in the HTML rendering (so a ``<script>``'s
content never shows up as text either), then are reduced to text: lists get bullets or numbers,
code is indented, images become "[Image: alt]", table cells are separated by " | ". Control
characters are removed from the result, so a package cannot drive the learner's terminal.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

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
    Paragraph,
    Quote,
    Unsupported,
    parse_block,
)
from player.package.model import CoursePackage, Lesson
from player.render.document import callout_label, objectives_label, unsupported_note
from player.render.options import clean_text
from player.render.sanitize import clean_fragment, markdown_to_html

_SPACES = re.compile(r"[ \t\n\r\f]+")  # HTML white space (not NBSP)
_RUNS = re.compile(r" {2,}")
_CODE_INDENT = "    "
DIVIDER = "* * *"

_BLOCK_TAGS = frozenset(
    {
        "p", "div", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre",
        "table", "caption", "hr", "figure", "figcaption", "dl", "dt", "dd",
    }
)  # fmt: skip
# Blocks followed by an empty line (list items and table rows are not).
_SPACED_TAGS = frozenset(
    {"p", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "figure", "dl", "hr"}
)


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes (wide East Asian characters take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def image_text(alt: str) -> str:
    return _("[Image: {alt}]").format(alt=alt.strip() or _("image"))


def heading_text(text: str, level: int) -> str:
    """A heading: level 2 underlined with dashes (as in Markdown), deeper levels plain."""
    text = " ".join(text.split("\n")).strip()
    return f"{text}\n{'-' * display_width(text)}" if level <= 2 else text


class _TextWriter(HTMLParser):
    """Sanitized HTML → text lines. Only sees ``clean_fragment`` output (allowed tags only)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._inline: list[str] = []
        self._quote = 0
        self._lists: list[list[int]] = []  # [ordered (0/1), next number] per open list
        self._marker = ""  # list marker for the next line written
        self._indent = 0  # extra indentation (nested lists, dd)
        self._pre = 0
        self._cell = 0  # inside a table cell: blocks do not break the row
        self._row_cells = 0
        self._links: list[tuple[str, int]] = []  # (href, position in _inline) per open <a>
        self._gap: str | None = None  # an empty line to write before the next text, if any
        self._heading = 0

    # -- output ---------------------------------------------------------------------------

    def _prefix(self) -> str:
        return "> " * self._quote + " " * self._indent

    def _request_gap(self) -> None:
        """Leave an empty line before the next text; of several requests the least quoted wins."""
        prefix = self._prefix().rstrip()
        if self._gap is None or len(prefix) < len(self._gap):
            self._gap = prefix

    def _write(self, text: str) -> None:
        if self._gap is not None and self.lines and self.lines[-1].strip(" >"):
            self.lines.append(self._gap)
        self._gap = None
        marker, self._marker = self._marker, ""
        prefix = self._prefix()
        for number, line in enumerate(text.split("\n")):
            lead = marker if number == 0 else " " * len(marker)
            self.lines.append(f"{prefix}{lead}{line}".rstrip())

    def _flush(self) -> None:
        text = "".join(self._inline)
        self._inline = []
        lines = [_RUNS.sub(" ", line).strip() for line in text.split("\n")]
        while lines and not lines[-1]:
            lines.pop()
        while lines and not lines[0]:
            lines.pop(0)
        if not lines:
            return
        text = "\n".join(lines)
        if self._heading:
            text = heading_text(text, self._heading)
        self._write(text)

    # -- parser callbacks -----------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag in ("td", "th"):
            if self._row_cells:
                self._inline.append(" | ")
            self._row_cells += 1
            self._cell += 1
            return
        if tag == "tr":
            self._flush()
            self._row_cells = 0
            return
        if tag == "br":
            self._inline.append("\n")
            return
        if tag == "img":
            self._inline.append(f" {image_text(attributes.get('alt', ''))} ")
            return
        if tag == "a":
            self._links.append((attributes.get("href", ""), len(self._inline)))
            return
        if tag not in _BLOCK_TAGS:
            return
        if self._cell:
            self._inline.append(" ")
            return
        self._flush()
        if tag in _SPACED_TAGS:
            self._request_gap()
        if tag in ("ul", "ol"):
            if self._lists:
                self._indent += 2
            start = attributes.get("start", "1")
            self._lists.append([tag == "ol", int(start) if start.lstrip("-").isdigit() else 1])
        elif tag == "li":
            self._marker = self._next_marker()
        elif tag == "blockquote":
            self._quote += 1
        elif tag == "pre":
            self._pre += 1
        elif tag == "dd":
            self._indent += 2
        elif tag == "hr":
            self._write(DIVIDER)
            self._request_gap()
        elif tag in ("h2", "h3", "h4", "h5", "h6"):
            self._heading = int(tag[1])

    def _next_marker(self) -> str:
        if not self._lists:
            return "• "
        ordered, number = self._lists[-1]
        if not ordered:
            return "• "
        self._lists[-1][1] = number + 1
        return f"{number}. "

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._cell = max(0, self._cell - 1)
            return
        if tag == "tr":
            self._flush()
            self._row_cells = 0
            return
        if tag == "a":
            self._end_link()
            return
        if tag not in _BLOCK_TAGS or self._cell:
            return
        if tag == "pre":
            self._end_pre()
        else:
            self._flush()
        if tag in ("ul", "ol") and self._lists:
            self._lists.pop()
            if self._lists:
                self._indent = max(0, self._indent - 2)
        elif tag == "blockquote":
            self._quote = max(0, self._quote - 1)
        elif tag == "dd":
            self._indent = max(0, self._indent - 2)
        elif tag in ("h2", "h3", "h4", "h5", "h6"):
            self._heading = 0
        if tag in _SPACED_TAGS or (tag in ("ul", "ol") and not self._lists):
            self._request_gap()

    def _end_pre(self) -> None:
        code = "".join(self._inline).strip("\n")
        self._inline = []
        self._pre = max(0, self._pre - 1)
        if code:
            self._write("\n".join(_CODE_INDENT + line for line in code.split("\n")))

    def _end_link(self) -> None:
        if not self._links:
            return
        href, start = self._links.pop()
        if not href:
            return
        shown = href.removeprefix("mailto:")
        if shown not in "".join(self._inline[start:]):
            self._inline.append(f" ({shown})")

    def handle_data(self, data: str) -> None:
        self._inline.append(data if self._pre else _SPACES.sub(" ", data))

    def close(self) -> None:
        super().close()
        if self._pre:
            self._end_pre()
        self._flush()


def html_to_text(fragment: str) -> str:
    """Untrusted HTML → readable text (sanitized first, like for display)."""
    writer = _TextWriter()
    writer.feed(clean_fragment(fragment))
    writer.close()
    return "\n".join(writer.lines).strip("\n")


def markdown_to_text(markdown: str) -> str:
    return html_to_text(markdown_to_html(markdown))


def _indent_lines(text: str, lead: str) -> str:
    """``text`` with ``lead`` before its first line and the others aligned under it."""
    pad = " " * len(lead)
    lines = text.split("\n")
    return "\n".join([lead + lines[0], *(pad + line for line in lines[1:])])


def block_text(block: Block) -> str:
    """One typed block → text (no trailing newline)."""
    match block:
        case Heading():
            return heading_text(block.text, block.level)
        case Paragraph():
            return block.text
        case Markdown():
            return markdown_to_text(block.markdown)
        case Html():
            return html_to_text(block.html)
        case ListBlock():
            return "\n".join(
                _indent_lines(item, f"{number}. " if block.ordered else "• ")
                for number, item in enumerate(block.items, start=1)
            )
        case Code():
            code = "\n".join(_CODE_INDENT + line for line in block.code.split("\n"))
            language = (block.language or "").strip()
            if language:
                return _("Code ({language}):").format(language=language) + "\n" + code
            return code
        case Quote():
            quoted = "\n".join(f"> {line}" for line in block.text.split("\n"))
            cite = (block.cite or "").strip()
            return f"{quoted}\n>   — {cite}" if cite else quoted
        case Callout():
            label = callout_label(block.variant)
            title = (block.title or "").strip()
            return f"{label}: {title}\n{block.text}" if title else f"{label}: {block.text}"
        case Image():
            caption = (block.caption or "").strip()
            return image_text(block.alt) + (f"\n{caption}" if caption else "")
        case Divider():
            return DIVIDER
        case Unsupported():
            return unsupported_note()


def render_lesson_text(package: CoursePackage, lesson: Lesson) -> str:
    """The lesson as plain text: title, objectives, then each block, separated by empty lines."""
    title = " ".join(lesson.title.split("\n")).strip()
    parts = [f"{title}\n{'=' * display_width(title)}"]
    objectives = [text.strip() for text in lesson.objectives if text.strip()]
    if objectives:
        parts.append(
            objectives_label() + "\n" + "\n".join(_indent_lines(o, "• ") for o in objectives)
        )
    for raw in lesson.blocks:
        text = block_text(parse_block(raw)).strip("\n")
        if text.strip():
            parts.append(text)
    return clean_text("\n\n".join(parts)) + "\n"
