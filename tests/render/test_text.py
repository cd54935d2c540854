"""Plain-text rendering: every block type reads as text, nothing is interpreted or leaked."""

from __future__ import annotations

from typing import Any

import pytest

from player.render import render_lesson_text
from tests.render.audit import UNSUPPORTED, load, only_lesson, package_with


def text_of(*blocks: dict[str, Any], **fields: Any) -> str:
    package = package_with(list(blocks), **fields)
    return render_lesson_text(package, only_lesson(package))


def body_of(*blocks: dict[str, Any]) -> str:
    """The text after the title (``Lesson`` and its underline)."""
    return text_of(*blocks).removeprefix("Lesson\n======\n\n").removesuffix("\n")


BLOCKS: list[tuple[str, dict[str, Any], str]] = [
    ("heading 2", {"type": "heading", "level": 2, "text": "Branches"}, "Branches\n--------"),
    ("heading 3", {"type": "heading", "level": 3, "text": "Details"}, "Details"),
    ("paragraph", {"type": "paragraph", "text": "One\nTwo <b>x</b>"}, "One\nTwo <b>x</b>"),
    ("bullets", {"type": "list", "items": ["a", "b\nc"]}, "• a\n• b\n  c"),
    ("numbers", {"type": "list", "ordered": True, "items": ["a", "b"]}, "1. a\n2. b"),
    (
        "code",
        {"type": "code", "language": "shell", "code": "git init\n  cd x"},
        "Code (shell):\n    git init\n      cd x",
    ),
    ("code without language", {"type": "code", "code": "<pre>"}, "    <pre>"),
    ("quote", {"type": "quote", "text": "Talk.\nShow.", "cite": "L"}, "> Talk.\n> Show.\n>   — L"),
    (
        "callout",
        {"type": "callout", "variant": "tip", "title": "T", "text": "Body"},
        "Tip: T\nBody",
    ),
    (
        "callout without title",
        {"type": "callout", "variant": "warning", "text": "Careful"},
        "Warning: Careful",
    ),
    (
        "image",
        {"type": "image", "asset": "pic.png", "alt": "A diagram", "caption": "Cap"},
        "[Image: A diagram]\nCap",
    ),
    (
        "remote image",
        {"type": "image", "src": "http://198.51.100.7/t.gif", "alt": "T"},
        "[Image: T]",
    ),
    ("divider", {"type": "divider"}, "* * *"),
    ("unknown", {"type": "quiz", "question": "RAW"}, UNSUPPORTED),
    ("malformed", {"type": "heading", "level": 9, "text": "RAW"}, UNSUPPORTED),
    (
        "markdown",
        {
            "type": "markdown",
            "markdown": "Run `git log` to see **your** commit.\n\n1. a\n2. *b*\n\n- x\n  - y",
        },
        "Run git log to see your commit.\n\n1. a\n2. b\n\n• x\n  • y",
    ),
    (
        "markdown link and quote",
        {
            "type": "markdown",
            "markdown": "> read the [book](https://git-scm.com/book) <https://x.org>",
        },
        "> read the book (https://git-scm.com/book) https://x.org",
    ),
    (
        "markdown code and image",
        {
            "type": "markdown",
            "markdown": "```py\nx = 1\n```\n\n![chart](http://198.51.100.7/c.png)",
        },
        "    x = 1\n\n[Image: chart]",
    ),
    (
        "html",
        {
            "type": "html",
            "html": "<p>Keep <em>calm</em>.<br>Edit.</p><script>alert(1)</script><style>p{}</style>"
            "<table><tr><th>Marker</th><th>Meaning</th></tr><tr><td>===</td><td>sep</td></tr></table>"
            '<a href="javascript:x()">js</a> <a href="mailto:t@example.org">t@example.org</a>',
        },
        "Keep calm.\nEdit.\n\nMarker | Meaning\n=== | sep\n\njs t@example.org",
    ),
    (
        "html lists and headings",
        {
            "type": "html",
            "html": '<h2>Steps</h2><ol start="3"><li>c</li><li>d</li></ol><hr><dl><dt>T</dt><dd>D</dd></dl>',
        },
        "Steps\n-----\n\n3. c\n4. d\n\n* * *\n\nT\n  D",
    ),
]


@pytest.mark.parametrize(("kind", "block", "expected"), BLOCKS, ids=[b[0] for b in BLOCKS])
def test_block_as_text(kind: str, block: dict[str, Any], expected: str) -> None:
    assert body_of(block) == expected


def test_title_and_objectives() -> None:
    text = text_of(
        {"type": "paragraph", "text": "Body"},
        lesson_title="Grüße <b>",
        lesson_objectives=["First", "", "Second\nline"],
    )
    assert text == (
        "Grüße <b>\n=========\n\nIn this lesson you will:\n• First\n• Second\n  line\n\nBody\n"
    )


def test_wide_characters_get_a_wide_underline() -> None:
    assert text_of(lesson_title="日本語").startswith("日本語\n======\n")


def test_blocks_are_separated_by_one_empty_line() -> None:
    text = body_of(
        {"type": "paragraph", "text": "a"}, {"type": "divider"}, {"type": "paragraph", "text": "b"}
    )
    assert text == "a\n\n* * *\n\nb"


@pytest.mark.parametrize(
    "block",
    [
        {"type": "paragraph", "text": "a\x1b]0;owned\x07b\x9b31mc\x00"},
        {"type": "html", "html": "<p>a\x1b]0;owned\x07b\x9b31mc</p>"},
        {"type": "markdown", "markdown": "a\x1b]0;owned\x07b\x9b31mc"},
        {"type": "code", "code": "a\x1b]0;owned\x07b\x9b31mc"},
    ],
    ids=["paragraph", "html", "markdown", "code"],
)
def test_control_characters_cannot_reach_the_terminal(block: dict[str, Any]) -> None:
    text = text_of(block, lesson_title="T\x1b[2J")
    assert not any(ord(char) < 32 and char not in "\n\t" for char in text)
    assert not any(0x7F <= ord(char) <= 0x9F for char in text)
    assert "a]0;ownedb31mc" in text


def test_git_basics_as_text() -> None:
    package = load("git-basics")
    text = render_lesson_text(package, package.lessons[2])
    assert text.startswith("Branches and merges\n===================\n\nIn this lesson you will:\n")
    for expected in (
        "• Merge it back",
        "Working on the side\n-------------------",
        "Code (shell):\n    git switch -c idea",
        "* * *",
        "Warning: Do not rewrite commits you have already pushed.",
        "Git marks a conflict with >>>>>>> idea. Read both sides, then choose.",
        "Line | Means\n======= | between the two versions",
    ):
        assert expected in text


def test_rtl_lesson_as_text_keeps_its_text() -> None:
    package = load("multilingual")
    text = render_lesson_text(package, package.lessons[2])
    assert "أهلا وسهلا بكم. يُكتب هذا النص من اليمين إلى اليسار." in text
    assert "עברית: בוקר טוב לכולם" in text
    assert "• اقرأ النص" in text
