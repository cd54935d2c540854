"""The hostile fixture: every attack in it is neutralised, and the lesson still reads."""

from __future__ import annotations

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
        "onclick",
        '="javascript:',
        "file:",
        "http://198.51.100.7",
        "https://example.com",  # the iframe's source
        "evil.example",  # the form's action
        "display:none",  # the content of the <style>
        "alert(2)",  # the content of a <script> in an html block
        "alert(3)",  # a javascript: href
        "alert(5)",  # the content of a <script> in Markdown
        "An unknown block type",  # raw content of the quiz block
        "A heading level out of range",  # raw content of the malformed heading
    ],
)
def test_hostile_content_is_absent(body: str, absent: str) -> None:
    assert absent not in body


def test_markup_in_plain_text_fields_is_escaped(body: str) -> None:
    assert "<h1>&lt;img src=x onerror=alert(1)&gt;</h1>" in body
    assert "<li>&lt;b&gt;not bold&lt;/b&gt;</li>" in body
    assert "&lt;b&gt;This must appear as literal text, tags and all.&lt;/b&gt;" in body
    assert "<b>This must appear as literal text, tags and all.</b>" in audit(body).text
    assert "&lt;/pre&gt;&lt;script&gt;alert(6)&lt;/script&gt;" in body
    assert "img" not in audit(body).tags


def test_course_title_is_escaped_in_the_document(options: RenderOptions) -> None:
    document = render_lesson_html(HOSTILE, LESSON, options)
    assert (
        "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt; Hostile &amp; &quot;quoted&quot;"
        in (document)
    )


def test_unsupported_note_replaces_the_quiz_and_the_level_9_heading(body: str) -> None:
    assert body.count(UNSUPPORTED) == 2


def test_the_lesson_still_reads(body: str) -> None:
    text = audit(body).text
    for expected in ("click", "js link", "file", "[click me](javascript:alert(4))"):
        assert expected in text


def test_remote_images_name_their_host_and_are_not_loaded(body: str) -> None:
    text = audit(body).text
    for alt in ("tracker", "remote", "remote image that must not load"):
        assert f"{alt} — from 198.51.100.7, not loaded" in text
    assert "[Image unavailable: an asset that does not exist]" in text


def test_hostile_text_rendering() -> None:
    text = render_lesson_text(HOSTILE, LESSON)
    assert text.startswith("<img src=x onerror=alert(1)>\n")
    assert "<b>This must appear as literal text, tags and all.</b>" in text
    assert text.count(UNSUPPORTED) == 2
    for absent in ("alert(2)", "alert(3)", "alert(5)", "display:none", "198.51.100.7/"):
        assert absent not in text
    assert "[Image: remote image that must not load]" in text


@pytest.mark.parametrize("index", [1, 2])
def test_titles_like_file_names_are_plain_text(index: int) -> None:
    lesson = HOSTILE.lessons[index]
    body = render_lesson_body(HOSTILE, lesson)
    assert audit(body).text.strip().startswith(lesson.title)
    assert render_lesson_text(HOSTILE, lesson).startswith(lesson.title + "\n")
