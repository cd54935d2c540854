"""sanitize_html: the nh3 allow-list, the link policy and the image policy."""

from __future__ import annotations

import pytest

from player.render import RenderOptions, sanitize_html
from tests.render.audit import assert_safe, audit

HTML5 = RenderOptions(for_qt=False)

# (input, fragments that must be in the output, fragments that must not)
CASES: dict[str, tuple[str, list[str], list[str]]] = {
    "script and its content": (
        "<p>a</p><script>alert(1)</script>",
        ["<p>a</p>"],
        ["script", "alert"],
    ),
    "style and its content": ("<style>p{color:red}</style>b", ["b"], ["style", "color"]),
    "event handlers": (
        '<p onclick="x()" ONMOUSEOVER="y()">p</p><img src="data:image/gif;base64,R0" onerror="z()">',
        ["<p>p</p>", '<img src="data:image/gif;base64,R0">'],
        ["onclick", "onmouseover", "onerror", "x()", "z()"],
    ),
    "style attribute": ('<p style="position:fixed">p</p>', ["<p>p</p>"], ["style", "fixed"]),
    "class attribute": ('<p class="evil">p</p>', ["<p>p</p>"], ["class"]),
    "iframe": ('<iframe src="https://example.com">x</iframe>y', ["y"], ["iframe", "example.com"]),
    "form and input": (
        '<form action="https://evil.example"><input name="pw"><button>Go</button></form>',
        ["Go"],
        ["form", "input", "evil", "button"],
    ),
    "object and embed": (
        '<object data="x.swf"></object><embed src="y.swf">',
        [],
        ["object", "embed", "swf"],
    ),
    "svg element": ('<svg onload="x()"><script>y()</script></svg>t', ["t"], ["svg", "x()", "y()"]),
    "meta and base": (
        '<meta http-equiv="refresh" content="0;url=https://x.example"><base href="https://x.example/">',
        [],
        ["meta", "base", "x.example"],
    ),
    "comments": ("a<!-- <script>x</script> -->b", ["ab"], ["<!--", "script"]),
    "javascript link": (
        '<a href="javascript:alert(1)">t</a>',
        ['<a rel="noopener noreferrer">t</a>'],
        ["javascript"],
    ),
    "obfuscated javascript link": (
        '<a href="jav&#x09;ascript:alert(1)">t</a><a href=" JaVaScRiPt:alert(2)">u</a>',
        [">t</a>", ">u</a>"],
        ["alert", "href"],
    ),
    "vbscript link": ('<a href="vbscript:msgbox">t</a>', [">t</a>"], ["vbscript", "href"]),
    "file link": ('<a href="file:///etc/passwd">t</a>', [">t</a>"], ["file:", "href"]),
    "data link": (
        '<a href="data:text/html,<script>x</script>">t</a>',
        [">t</a>"],
        ["data:", "href"],
    ),
    "relative link": ('<a href="../secret">t</a>', [">t</a>"], ["secret", "href"]),
    "http link": (
        '<a href="http://example.org/a?b=1&amp;c=2">t</a>',
        ['<a href="http://example.org/a?b=1&amp;c=2" rel="noopener noreferrer">t</a>'],
        [],
    ),
    "https link": ('<a href="https://example.org">t</a>', ['href="https://example.org"'], []),
    "mailto link": (
        '<a href="mailto:tutor@example.org">t</a>',
        ['href="mailto:tutor@example.org"'],
        [],
    ),
    "rel cannot be chosen": (
        '<a href="https://example.org" rel="opener" target="_blank">t</a>',
        ['rel="noopener noreferrer"'],
        ['opener"', "target"],
    ),
    "remote image": (
        '<img src="http://198.51.100.7/track.png" alt="tracker">',
        ["[Image: tracker — from 198.51.100.7, not loaded]"],
        ["<img", "http:", "track.png"],
    ),
    "protocol-relative image": (
        '<img src="//198.51.100.7/t.png" alt="t">',
        ["from 198.51.100.7, not loaded"],
        ["<img", "//198"],
    ),
    "backslash image": (
        '<img src="\\\\198.51.100.7\\t.png" alt="t">',
        ["from 198.51.100.7, not loaded"],
        ["<img"],
    ),
    "srcset image": (
        '<img srcset="http://198.51.100.7/a.png 2x" src="data:image/png;base64,iVBO" alt="a">',
        ['<img src="data:image/png;base64,iVBO" alt="a">'],
        ["srcset", "198"],
    ),
    "image without alt": (
        '<img src="https://x.example/a.png">',
        ["[Image: image — from x.example"],
        ["<img"],
    ),
    "data image kept": (
        '<img src="data:image/jpeg;base64,/9j/4AAQ" alt="photo" width="20" height="10">',
        ['<img src="data:image/jpeg;base64,/9j/4AAQ" alt="photo" width="20" height="10">'],
        [],
    ),
    "data non-image dropped": (
        '<img src="data:text/html;base64,PHNjcmlwdD4=" alt="x">',
        ["[Image unavailable: x]"],
        ["<img", "text/html"],
    ),
    "javascript image": (
        '<img src="javascript:alert(1)" alt="x">',
        ["[Image unavailable: x]"],
        ["<img", "alert"],
    ),
    "bad sizes": (
        '<img src="data:image/png;base64,i" width="100px;x" height="-1">',
        ["<img"],
        ["width", "height"],
    ),
    "our internal marker cannot be forged": (
        '<img src="x-remote:attacker.example" alt="f">',
        ["[Image unavailable: f]"],
        ["<img", "attacker"],
    ),
    "unknown asset": ('<img src="asset:nope.png" alt="n">', ["[Image unavailable: n]"], ["<img"]),
    "table structure": (
        "<table><caption>C</caption><thead><tr><th scope=col>H</th></tr></thead>"
        '<tbody><tr><td colspan="2" rowspan="x">D</td></tr></tbody></table>',
        [
            '<caption>C</caption><thead><tr><th scope="col">H</th></tr></thead>',
            '<tbody><tr><td colspan="2">D</td></tr></tbody></table>',
        ],
        ["rowspan"],
    ),
    "allowed inline tags": (
        "<p><strong>s</strong><b>b</b><em>e</em><i>i</i><u>u</u><s>x</s><kbd>k</kbd><sub>1</sub>"
        "<sup>2</sup><span>sp</span></p>",
        ["<strong>s</strong><b>b</b><em>e</em><i>i</i><u>u</u><s>x</s><kbd>k</kbd><sub>1</sub>"],
        [],
    ),
    "lists and definitions": (
        '<ol start="3"><li>a</li></ol><ul><li>b</li></ul><dl><dt>t</dt><dd>d</dd></dl>',
        ['<ol start="3"><li>a</li></ol><ul><li>b</li></ul><dl><dt>t</dt><dd>d</dd></dl>'],
        [],
    ),
    "h1 becomes h2": ("<h1>T</h1><h6>six</h6>", ["<h2>T</h2><h6>six</h6>"], ["h1"]),
    "code language class only": (
        '<pre><code class="language-python evil">x</code></pre>',
        ['<pre><code class="language-python">x</code></pre>'],
        ["evil"],
    ),
    "direction kept": (
        '<p dir="rtl" lang="ar">ع</p><p dir="sideways">x</p>',
        ['<p dir="rtl" lang="ar">', "<p>x</p>"],
        ["sideways"],
    ),
    "unclosed tags": ("<p><b>bold", ["<p><b>bold</b></p>"], []),
    "attribute breakout": (
        '<img alt="x" src="data:image/png;base64,i"/onerror=alert(1)//>',
        ["<img"],
        ["onerror"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_sanitize(case: str) -> None:
    source, present, absent = CASES[case]
    cleaned = sanitize_html(source, HTML5)
    for fragment in present:
        assert fragment in cleaned
    for fragment in absent:
        assert fragment.lower() not in cleaned.lower()
    assert_safe(cleaned)


@pytest.mark.parametrize("for_qt", [True, False])
def test_every_case_is_safe_in_both_modes(for_qt: bool) -> None:
    for source, _present, _absent in CASES.values():
        assert_safe(sanitize_html(source, RenderOptions(for_qt=for_qt)))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('<img src="asset:pic.png" alt="p">', '<img src="app://pic.png" alt="p">'),
        ('<img src="pic.png" alt="p">', '<img src="app://pic.png" alt="p">'),
        ('<img src="ASSET:pic.png" alt="p">', '<img src="app://pic.png" alt="p">'),
        ('<img src="other.png" alt="o">', "[Image unavailable: o]"),
        ('<img src="/pic.png" alt="o">', "[Image unavailable: o]"),
    ],
)
def test_assets_in_html_map_through_image_src(source: str, expected: str) -> None:
    options = RenderOptions(image_src=lambda name: f"app://{name}", for_qt=False)
    assert expected in sanitize_html(source, options, assets={"pic.png"})


def test_assets_are_unknown_without_the_package() -> None:
    assert "[Image unavailable: p]" in sanitize_html('<img src="asset:pic.png" alt="p">')


def test_qt_mode_gives_tables_borders_and_figures_divs() -> None:
    source = "<figure><table><tr><td>x</td></tr></table><figcaption>c</figcaption></figure>"
    qt = sanitize_html(source)
    assert qt == (
        '<div class="figure"><table class="data" border="1" cellspacing="0" cellpadding="4">'
        '<tbody><tr><td>x</td></tr></tbody></table><div class="figcaption">c</div></div>'
    )
    assert sanitize_html(source, HTML5).startswith("<figure><table><tbody>")


def test_only_allowed_tags_survive_a_tag_soup() -> None:
    soup = "".join(
        f"<{tag}>{tag}</{tag}>"
        for tag in ("article", "nav", "h1", "center", "font", "marquee", "blink", "video", "audio")
    )
    cleaned = sanitize_html(soup, HTML5)
    assert set(audit(cleaned).tags) <= {"h2"}
