"""Every block type renders, in the Qt subset and in HTML5; plain text is always escaped."""

from __future__ import annotations

import html
from typing import Any

import pytest

from player.package.blocks import KNOWN_BLOCK_TYPES
from player.render import RenderOptions, render_lesson_body, render_lesson_html
from tests.render.audit import UNSUPPORTED, assert_safe, audit, load, only_lesson, package_with

GIT = load("git-basics")
QT = RenderOptions()
HTML5 = RenderOptions(for_qt=False)


def test_git_basics_uses_every_known_block_type() -> None:
    types = {block["type"] for lesson in GIT.lessons for block in lesson.blocks}
    assert types == KNOWN_BLOCK_TYPES


# (block type, lesson, fragments in both modes, fragments in Qt only, fragments in HTML5 only)
BLOCKS: list[tuple[str, int, list[str], list[str], list[str]]] = [
    (
        "paragraph",
        0,
        ["<p>A project changes every day.<br>Git writes each change down"],
        [],
        [],
    ),
    ("heading", 0, ["<h2>Whole pictures, not patches</h2>"], [], []),
    (
        "list",
        0,
        ["<ul><li>Each commit records the full tree of files</li><li>Each commit knows"],
        [],
        [],
    ),
    (
        "image",
        0,
        [
            '<img src="asset:diagram.png" alt="Three dots joined by a line, oldest commit on the left">'
        ],
        ['<p class="caption" align="center">History as a chain</p>'],
        ["<figcaption>History as a chain</figcaption></figure>"],
    ),
    (
        "callout",
        0,
        [
            '<p class="callout-title"><b>Good habit</b></p><p>Small commits are easier to understand later.</p>'
        ],
        ['<td class="box callout callout-tip">'],
        ['<aside class="callout callout-tip" role="note" aria-label="Tip">'],
    ),
    (
        "code",
        1,
        [
            '<p class="code-language">shell</p>',
            '<pre class="code"><code class="language-shell">mkdir notes &amp;&amp; cd notes\n',
            "printf &#x27;hi\\n&#x27; &gt; hello.txt\n",
            "git commit -m &quot;Add hello&quot;</code></pre>",
        ],
        ['<td class="box code">'],
        ['<div class="code-block">'],
    ),
    (
        "markdown",
        1,
        [
            '<div class="markdown"><p>Type <code>git log --oneline</code> to list <strong>every</strong>',
            "<ol>\n<li><code>git status</code> lists changed files</li>",
            '<a href="https://git-scm.com/docs" rel="noopener noreferrer">Git reference</a>',
            "<blockquote>",
        ],
        [],
        [],
    ),
    (
        "quote",
        1,
        ["<p>Those who cannot remember the past are condemned to repeat it.</p>"],
        ['<blockquote class="quote">', '<p class="cite">— George Santayana</p>'],
        ['<figure class="quote"><blockquote>', "<figcaption>— <cite>George Santayana</cite>"],
    ),
    ("divider", 2, ["<hr>"], [], []),
    (
        "html",
        2,
        [
            "<code>&gt;&gt;&gt;&gt;&gt;&gt;&gt; idea</code>",
            "<em>Read both sides</em>",
            "<tbody><tr><th>Line</th><th>Means</th></tr><tr><td>=======</td>",
        ],
        ['<table class="data" border="1" cellspacing="0" cellpadding="4"><tbody>'],
        ["<table><tbody>"],
    ),
]


@pytest.mark.parametrize(
    ("kind", "lesson", "common", "qt", "html5"), BLOCKS, ids=[b[0] for b in BLOCKS]
)
@pytest.mark.parametrize("options", [QT, HTML5], ids=["qt", "html5"])
def test_block_renders(
    kind: str,
    lesson: int,
    common: list[str],
    qt: list[str],
    html5: list[str],
    options: RenderOptions,
) -> None:
    body = render_lesson_body(GIT, GIT.lessons[lesson], options)
    for fragment in [*common, *(qt if options.for_qt else html5)]:
        assert fragment in body
    for fragment in html5 if options.for_qt else qt:
        assert fragment not in body
    assert UNSUPPORTED not in body
    assert_safe(body)


def test_callout_without_title_is_labelled_by_its_variant() -> None:
    body = render_lesson_body(GIT, GIT.lessons[2])
    assert '<td class="box callout callout-warning"><p class="callout-title"><b>Warning</b>' in body


def test_lesson_title_is_the_only_h1_and_objectives_are_a_list() -> None:
    body = render_lesson_body(GIT, GIT.lessons[0])
    assert audit(body).tags.count("h1") == 1
    assert body.startswith('<div class="lesson" dir="ltr" lang="en">\n<h1>What Git remembers</h1>')
    assert "<ul><li>Say what a commit stores</li><li>Give two reasons" in body


@pytest.mark.parametrize(("level", "tag"), [(2, "h2"), (3, "h3"), (4, "h4")])
def test_heading_levels(level: int, tag: str) -> None:
    package = package_with([{"type": "heading", "level": level, "text": "Head"}])
    assert f"<{tag}>Head</{tag}>" in render_lesson_body(package, only_lesson(package))


@pytest.mark.parametrize(
    "block",
    [
        {"type": "quiz", "question": "RAW-CONTENT", "choices": ["a"]},
        {"type": "heading", "level": 9, "text": "RAW-CONTENT"},
        {"type": "heading", "level": 1, "text": "RAW-CONTENT"},
        {"type": "paragraph", "body": "RAW-CONTENT"},
        {"type": "list", "items": "RAW-CONTENT"},
        {"type": "image", "src": "RAW-CONTENT"},
        {"type": "html", "html": ["RAW-CONTENT"]},
        {"type": "callout", "variant": "danger", "text": "RAW-CONTENT"},
        {"type": 7, "text": "RAW-CONTENT"},
        {"text": "RAW-CONTENT"},
    ],
    ids=lambda block: str(block.get("type", "no-type")) + "-" + "-".join(sorted(block)),
)
@pytest.mark.parametrize("options", [QT, HTML5], ids=["qt", "html5"])
def test_unknown_or_malformed_block_is_a_neutral_note(
    block: dict[str, Any], options: RenderOptions
) -> None:
    package = package_with(
        [{"type": "paragraph", "text": "before"}, block, {"type": "paragraph", "text": "after"}]
    )
    body = render_lesson_body(package, only_lesson(package), options)
    assert body.count(UNSUPPORTED) == 1
    assert "RAW-CONTENT" not in body
    assert "<p>before</p>" in body and "<p>after</p>" in body


PAYLOAD = "<script x='1'>&\"alert(1)</script>"
ESCAPED = html.escape(PAYLOAD, quote=True)


# Where a plain-text field from the package ends up: every one of them must be escaped.
FIELDS: dict[str, tuple[list[dict[str, Any]], dict[str, Any]]] = {
    "lesson title": ([], {"lesson_title": PAYLOAD}),
    "objective": ([], {"lesson_objectives": [PAYLOAD]}),
    "heading": ([{"type": "heading", "level": 3, "text": PAYLOAD}], {}),
    "paragraph": ([{"type": "paragraph", "text": PAYLOAD}], {}),
    "list item": ([{"type": "list", "ordered": True, "items": ["ok", PAYLOAD]}], {}),
    "code": ([{"type": "code", "code": PAYLOAD}], {}),
    "code language": ([{"type": "code", "code": "x", "language": PAYLOAD}], {}),
    "quote": ([{"type": "quote", "text": PAYLOAD}], {}),
    "quote cite": ([{"type": "quote", "text": "q", "cite": PAYLOAD}], {}),
    "callout title": ([{"type": "callout", "title": PAYLOAD, "text": "t"}], {}),
    "callout text": ([{"type": "callout", "text": PAYLOAD}], {}),
    "image alt": ([{"type": "image", "asset": "pic.png", "alt": PAYLOAD}], {}),
    "image caption": ([{"type": "image", "asset": "pic.png", "alt": "a", "caption": PAYLOAD}], {}),
    "missing image alt": ([{"type": "image", "asset": "nope.png", "alt": PAYLOAD}], {}),
    "remote image alt": ([{"type": "image", "src": "https://x.example/a.png", "alt": PAYLOAD}], {}),
    "data image alt": (
        [{"type": "image", "src": "data:image/png;base64,iVBO", "alt": PAYLOAD}],
        {},
    ),
}


@pytest.mark.parametrize("field", list(FIELDS))
@pytest.mark.parametrize("options", [QT, HTML5], ids=["qt", "html5"])
def test_plain_text_fields_are_escaped(field: str, options: RenderOptions) -> None:
    blocks, overrides = FIELDS[field]
    package = package_with(blocks, **overrides)
    body = render_lesson_body(package, only_lesson(package), options)
    assert ESCAPED in body
    assert "<script" not in body
    assert "x" not in {name for _tag, name, _value in audit(body).attributes}
    assert_safe(body)


def test_course_and_lesson_titles_are_escaped_in_the_document_title() -> None:
    package = package_with([], title=PAYLOAD, lesson_title=PAYLOAD)
    document = render_lesson_html(package, only_lesson(package))
    assert f"<title>{ESCAPED} — {ESCAPED}</title>" in document
    assert "<script" not in document


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\nb", "<p>a<br>b</p>"),
        ("a\r\nb", "<p>a<br>b</p>"),
        ("a\n\nb", "<p>a<br><br>b</p>"),
        ("a\x00b\x1bc", "<p>abc</p>"),
        ("a & b < c", "<p>a &amp; b &lt; c</p>"),
    ],
)
def test_paragraph_text(text: str, expected: str) -> None:
    package = package_with([{"type": "paragraph", "text": text}])
    assert expected in render_lesson_body(package, only_lesson(package))


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ({"asset": "pic.png"}, '<img src="asset:pic.png" alt="A">'),
        (
            {"src": "data:image/png;base64,iVBORw0KGgo="},
            '<img src="data:image/png;base64,iVBORw0KGgo=" alt="A">',
        ),
        (
            {"src": "data:image/svg+xml;base64,PHN2Zz4="},
            '<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="A">',
        ),
        (
            {"src": "data:image/webp;base64,UklGRg=="},
            '<img src="data:image/webp;base64,UklGRg==" alt="A">',
        ),
        ({"src": "https://cdn.example.com/a.png"}, "[Image: A — from cdn.example.com, not loaded]"),
        ({"src": "http://198.51.100.7/t.gif"}, "[Image: A — from 198.51.100.7, not loaded]"),
        ({"src": "//evil.example/a.png"}, "[Image: A — from evil.example, not loaded]"),
        ({"src": "ftp://files.example/a.png"}, "[Image: A — from files.example, not loaded]"),
        ({"src": "data:text/html;base64,PHNjcmlwdD4="}, "[Image unavailable: A]"),
        ({"src": "javascript:alert(1)"}, "[Image unavailable: A]"),
        ({"src": "file:///etc/passwd"}, "[Image unavailable: A]"),
        ({"asset": "missing.png"}, "[Image unavailable: A]"),
        ({"asset": "missing.png", "src": "data:image/png;base64,iVBO"}, "[Image unavailable: A]"),
        ({}, "[Image unavailable: A]"),
    ],
    ids=lambda value: str(value)[:40] if isinstance(value, dict) else "",
)
@pytest.mark.parametrize("options", [QT, HTML5], ids=["qt", "html5"])
def test_image_sources(image: dict[str, str], expected: str, options: RenderOptions) -> None:
    package = package_with([{"type": "image", "alt": "A", **image}])
    body = render_lesson_body(package, only_lesson(package), options)
    assert expected in body
    assert_safe(body)
    srcs = audit(body).values("img", "src")
    assert all(src.startswith(("asset:", "data:image/")) for src in srcs)


def test_image_src_option_names_assets() -> None:
    package = package_with(
        [{"type": "image", "asset": "pic.png", "alt": "A"}],
        assets={
            "pic.png": {"mediaType": "image/png", "data": "iVBO"},
            'we"ird<.png': {"mediaType": "image/png", "data": "iVBO"},
        },
    )
    options = RenderOptions(image_src=lambda name: f"assets/{name}")
    body = render_lesson_body(package, only_lesson(package), options)
    assert '<img src="assets/pic.png" alt="A">' in body
    weird = package_with(
        [{"type": "image", "asset": 'we"ird<.png', "alt": "A"}],
        assets=package.model_dump(by_alias=True)["assets"],
    )
    assert '<img src="asset:we&quot;ird&lt;.png" alt="A">' in render_lesson_body(
        weird, only_lesson(weird)
    )
