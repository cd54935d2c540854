"""A package → the documents of the search index: the course, then one per lesson.

The text is what a learner can read: titles, objectives and every block's visible text. Markdown
and HTML go through the renderer's sanitizer and text writer (``player.render.text``), so script
and style content is never indexed; labels the player adds itself ("Note:", "Code (python):")
are left out, since they are in the learner's language rather than the course's.
"""

from __future__ import annotations

from dataclasses import dataclass

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
from player.render.text import html_to_text, markdown_to_text
from player.search.fold import mark_boundaries

COURSE_DOC = -1
"""The ``lessonIdx`` of a course's own document (its title and summary)."""


@dataclass(frozen=True, slots=True)
class Document:
    lesson_idx: int  # COURSE_DOC for the course itself
    title: str
    body: str


def block_search_text(block: Block) -> str:
    """The visible text of one block, without the labels the player adds."""
    match block:
        case Heading() | Paragraph():
            return block.text
        case Markdown():
            return markdown_to_text(block.markdown)
        case Html():
            return html_to_text(block.html)
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
        docs.append(
            Document(lesson.index, _prepare(lesson.title), _prepare(lesson_search_text(lesson)))
        )
    return docs
