"""Markdown blocks: CommonMark, then the same sanitizer as html blocks."""

from __future__ import annotations

import pytest

from player.render import RenderOptions, render_lesson_body
from tests.render.audit import assert_safe, only_lesson, package_with

CASES: list[tuple[str, list[str], list[str]]] = [
    ("- one\n- two", ["<ul>\n<li>one</li>\n<li>two</li>\n</ul>"], []),
    ("1. one\n2. two", ["<ol>\n<li>one</li>\n<li>two</li>\n</ol>"], []),
    ("3. three\n4. four", ['<ol start="3">'], []),
    (
        "*em* _em2_ **strong** __strong2__",
        ["<em>em</em>", "<em>em2</em>", "<strong>strong</strong>"],
        [],
    ),
    ("`a<b`", ["<code>a&lt;b</code>"], []),
    (
        "[site](https://example.org/x)",
        ['<a href="https://example.org/x" rel="noopener noreferrer">site</a>'],
        [],
    ),
    (
        "<https://example.org>",
        ['<a href="https://example.org" rel="noopener noreferrer">https://example.org</a>'],
        [],
    ),
    ("[mail](mailto:tutor@example.org)", ['href="mailto:tutor@example.org"'], []),
    ("[js](javascript:alert(1))", ["[js](javascript:alert(1))"], ["href", "<a"]),
    ("[rel](../secret)", [">rel</a>"], ["href", "secret"]),
    ("# Title\n\n## Sub", ["<h2>Title</h2>", "<h2>Sub</h2>"], ["<h1>Title"]),
    (
        "```python\nif x < 1:\n    pass\n```",
        ['<pre><code class="language-python">if x &lt; 1:\n    pass\n</code></pre>'],
        [],
    ),
    ("> quoted", ["<blockquote>\n<p>quoted</p>\n</blockquote>"], []),
    ("a\n\n---\n\nb", ["<hr>"], []),
    ("Press <kbd>Ctrl</kbd>+<kbd>C</kbd>, H<sub>2</sub>O", ["<kbd>Ctrl</kbd>", "<sub>2</sub>"], []),
    (
        "<span onclick='x()'>s</span> <script>alert(1)</script>",
        ["<span>s</span>"],
        ["onclick", "script", "alert"],
    ),
    ("<div style='display:none'>hidden?</div>", ["<div>hidden?</div>"], ["style"]),
    (
        "![remote](http://198.51.100.7/x.png)",
        ["[Image: remote — from 198.51.100.7, not loaded]"],
        ["<img", "http:"],
    ),
    ("![pic](pic.png)", ['<img src="asset:pic.png" alt="pic">'], []),
    ("![pic](asset:pic.png)", ['<img src="asset:pic.png" alt="pic">'], []),
    ("![gone](gone.png)", ["[Image unavailable: gone]"], ["<img"]),
    (
        "![d](data:image/png;base64,iVBORw0KGgo=)",
        ['<img src="data:image/png;base64,iVBORw0KGgo=" alt="d">'],
        [],
    ),
    ("a &amp; b &lt; c", ["a &amp; b &lt; c"], []),
]


@pytest.mark.parametrize(("markdown", "present", "absent"), CASES, ids=[c[0][:30] for c in CASES])
@pytest.mark.parametrize("for_qt", [True, False], ids=["qt", "html5"])
def test_markdown(markdown: str, present: list[str], absent: list[str], for_qt: bool) -> None:
    package = package_with([{"type": "markdown", "markdown": markdown}])
    body = render_lesson_body(package, only_lesson(package), RenderOptions(for_qt=for_qt))
    for fragment in present:
        assert fragment in body
    for fragment in absent:
        assert fragment not in body
    assert_safe(body)
