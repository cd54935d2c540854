"""The hostile fixture: every attack in it is neutralised, and the lesson still reads."""

from __future__ import annotations

import re

import pytest

from player.render import (
    RenderOptions,
    lesson_stylesheet,
    render_lesson_body,
    render_lesson_html,
    render_lesson_text,
)
from tests.render.audit import UNSUPPORTED, assert_safe, audit, load

HOSTILE = load("hostile")
LESSON = HOSTILE.lessons[0]
MODES = [RenderOptions(), RenderOptions(for_qt=False), RenderOptions(dark=True)]
MODE_IDS = ["qt", "html5", "qt-dark"]


@pytest.fixture(params=MODES, ids=MODE_IDS)
def options(request: pytest.FixtureRequest) -> RenderOptions:
    result: RenderOptions = request.param
    return result


@pytest.fixture
def body(options: RenderOptions) -> str:
    return render_lesson_body(HOSTILE, LESSON, options)


def test_every_hostile_lesson_is_safe(options: RenderOptions) -> None:
    for lesson in HOSTILE.lessons:
        assert_safe(render_lesson_body(HOSTILE, lesson, options))
        document = render_lesson_html(HOSTILE, lesson, options)
        assert_safe(document, own_stylesheet=lesson_stylesheet(options.dark))


@pytest.mark.parametrize(
    "absent",
    [
        "<script",
        "<iframe",
        "<form",
        "<input",
        "<style",
        "<svg",
        "<circle",
        "<object",
        "onmouseover",
        "onclick",
        '="javascript:',
        "file:",
        "data:text",
        "203.0.113.9/",
        "iframe.example.net",  # the iframe's source
        "phish.example.org",  # the form's action
        "visibility:hidden",  # the content of the <style>
        "steal(",  # the content of a <script> in an html block
        "exfiltrate",  # a javascript: href
        "svgclick",  # an event handler inside <svg>
        "movie.swf",  # the <object>'s data
        "mdscript",  # the content of a <script> in Markdown
        "A block type nobody knows",  # raw content of the poll block
        "A heading too deep to exist",  # raw content of the malformed heading
    ],
)
def test_hostile_content_is_absent(body: str, absent: str) -> None:
    assert absent not in body


def test_markup_in_plain_text_fields_is_escaped(body: str) -> None:
    assert "<h1>&lt;svg onload=alert(7)&gt;</h1>" in body
    assert "<li>&lt;i&gt;not italic&lt;/i&gt;</li>" in body
    assert "&lt;i&gt;Shown as typed, angle brackets included.&lt;/i&gt;" in body
    assert "<i>Shown as typed, angle brackets included.</i>" in audit(body).text
    assert "&lt;/code&gt;&lt;/pre&gt;&lt;img src=x onerror=codeleak()&gt;" in body
    assert "img" not in audit(body).tags


def test_course_title_is_escaped_in_the_document(options: RenderOptions) -> None:
    document = render_lesson_html(HOSTILE, LESSON, options)
    assert (
        "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt; Risky &amp; &quot;tricky&quot;"
        in (document)
    )


def test_unsupported_note_replaces_the_quiz_and_the_level_9_heading(body: str) -> None:
    assert body.count(UNSUPPORTED) == 2


def test_the_lesson_still_reads(body: str) -> None:
    text = audit(body).text
    for expected in (
        "hover here",
        "bad link",
        "key file",
        "data link",
        "[press here](javascript:mdjs())",
    ):
        assert expected in text


def test_remote_images_name_their_host_and_are_not_loaded(body: str) -> None:
    text = audit(body).text
    for alt in ("spy pixel", "far away", "a web beacon that stays unloaded"):
        assert f"{alt} — from 203.0.113.9, not loaded" in text
    assert "[Image unavailable: a picture the package forgot]" in text


def test_hostile_text_rendering() -> None:
    text = render_lesson_text(HOSTILE, LESSON)
    assert text.startswith("<svg onload=alert(7)>\n")
    assert "<i>Shown as typed, angle brackets included.</i>" in text
    assert text.count(UNSUPPORTED) == 2
    for absent in ("steal(", "exfiltrate", "mdscript", "visibility:hidden", "203.0.113.9/"):
        assert absent not in text
    assert "[Image: a web beacon that stays unloaded]" in text


@pytest.mark.parametrize("index", [1, 2])
def test_titles_like_file_names_are_plain_text(index: int) -> None:
    lesson = HOSTILE.lessons[index]
    body = render_lesson_body(HOSTILE, lesson)
    assert audit(body).text.strip().startswith(lesson.title)
    assert render_lesson_text(HOSTILE, lesson).startswith(lesson.title + "\n")


TRICKS = HOSTILE.lessons[3]
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def test_terminal_controls_never_reach_the_output(options: RenderOptions) -> None:
    raw = "".join(
        [TRICKS.title, *TRICKS.objectives, *(str(b.get("text", "")) for b in TRICKS.blocks)]
    )
    assert "\x1b" in raw and "\x9b" in raw and "\x07" in raw  # the fixture does carry them
    text = render_lesson_text(HOSTILE, TRICKS)
    assert not CONTROLS.search(text)
    assert not CONTROLS.search(render_lesson_html(HOSTILE, TRICKS, options))
    assert "Terminal escapes: [31mred[0m" in text  # the readable rest stays


def test_tricky_lesson_with_a_huge_id_is_safe_and_readable(options: RenderOptions) -> None:
    assert TRICKS.id is not None and len(TRICKS.id) > 5000
    body = render_lesson_body(HOSTILE, TRICKS, options)
    assert_safe(body)
    assert TRICKS.id not in body
    found = audit(body)
    assert found.values("img", "alt") == ["svg with script"]
    assert all(src.startswith("data:image/svg+xml;") for src in found.values("img", "src"))
    assert not any(
        v.lower().lstrip().startswith(("vbscript:", "javascript:")) for _, _, v in found.attributes
    )
    assert "\u202egpj.exe\u202c" in found.text  # shown as written, not executed
