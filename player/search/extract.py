"""A package → the documents of the search index: the course, then one per lesson.

The text is what a learner can read: titles, objectives and every block's visible text. Markdown
and HTML go through the renderer's sanitizer and text writer (``player.render.text``), so script
and style content is never indexed; labels the player adds itself ("Note:", "Code (python):")
are left out, since they are in the learner's language rather than the course's.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from player import foreground
from player.package.blocks import (
    Block,
    Callout,
    Code,
    Heading,
    Html,
    Image,
    ListBlock,
    Markdown,
    Paragraph,
    Quote,
    parse_block,
)
from player.package.model import CoursePackage, Lesson
from player.render.options import clean_text
from player.render.sanitize import clean_fragment, markdown_to_html
from player.search.fold import mark_boundaries

COURSE_DOC = -1
"""The ``lessonIdx`` of a course's own document (its title and summary)."""


@dataclass(frozen=True, slots=True)
class Document:
    lesson_idx: int  # COURSE_DOC for the course itself
    title: str
    body: str


# In the sanitizer's output a ``>`` only ends a tag and every attribute is ``name="value"``
# (``player.render.sanitize``), so tags can be found with a regular expression.
_TAG = re.compile(r"<(/?)([a-z][a-z0-9]*)([^>]*)>")
_ALT = re.compile(r'\balt="([^"]*)"')
# Tags inside a word's run of text ("un<b>believ</b>able" is one word); every other tag
# separates words.
_INLINE_TAGS = frozenset(
    {"a", "b", "code", "em", "i", "kbd", "s", "span", "strong", "sub", "sup", "u"}
)
_BLANK_LINES = re.compile(r"[ \t]*\n\s*")


def _tag_text(match: re.Match[str]) -> str:
    tag = match.group(2)
    if tag in _INLINE_TAGS:
        return ""
    if tag == "img" and (alt := _ALT.search(match.group(3))):
        return f" {alt.group(1)} "  # still escaped: unescaped with the text around it
    return "\n"


def html_search_text(fragment: str) -> str:
    """The visible text of untrusted HTML, after the renderer's sanitizer: the content of
    ``<script>``, ``<style>`` and the like is gone with them; attributes (link targets, event
    handlers) are never text; an image gives its alt text.

    Tags are stripped by a regular expression on the sanitizer's output rather than by the text
    writer the terminal uses (``player.render.text``): the index needs the words, not the
    layout, and this is several times faster (building the index is mostly this).
    """
    text = html.unescape(_TAG.sub(_tag_text, clean_fragment(fragment)))
    return _BLANK_LINES.sub("\n", text).strip()


def block_search_text(block: Block) -> str:
    """The visible text of one block, without the labels the player adds."""
    match block:
        case Heading() | Paragraph():
            return block.text
        case Markdown():
            return html_search_text(markdown_to_html(block.markdown))
        case Html():
            return html_search_text(block.html)
        case ListBlock():
            return "\n".join(block.items)
        case Code():
            return block.code
        case Quote():
            return f"{block.text}\n{block.cite}" if block.cite else block.text
        case Callout():
            return f"{block.title}\n{block.text}" if block.title else block.text
        case Image():
            return f"{block.alt}\n{block.caption}" if block.caption else block.alt
    return ""  # Divider, Unsupported: nothing a learner reads


def lesson_search_text(lesson: Lesson) -> str:
    parts = [text for text in lesson.objectives if text.strip()]
    for raw in lesson.blocks:
        text = block_search_text(parse_block(raw)).strip()
        if text:
            parts.append(text)
    return "\n".join(parts)


def _prepare(text: str) -> str:
    return mark_boundaries(clean_text(text))


def documents(package: CoursePackage) -> list[Document]:
    """The course's document, then one per lesson, ready for the index."""
    docs = [Document(COURSE_DOC, _prepare(package.title), _prepare(package.summary))]
    for lesson in package.lessons:
        foreground.pause()  # a sync's worker extracts: a lesson the learner opens goes first
        docs.append(
            Document(lesson.index, _prepare(lesson.title), _prepare(lesson_search_text(lesson)))
        )
    return docs
