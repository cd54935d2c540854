"""The full document: direction, stylesheet, the Qt subset, stability, the sample courses."""

from __future__ import annotations

import re

import pytest

from player.package import CoursePackage
from player.render import (
    RenderOptions,
    lesson_stylesheet,
    render_lesson_body,
    render_lesson_html,
    render_lesson_text,
)
from player.render.options import clean_text
from tests.render.audit import UNSUPPORTED, assert_safe, audit, load, only_lesson, package_with

PACKAGES = ["git-basics", "multilingual", "hostile", "samples/intro-to-python",
            "samples/first-aid-basics", "samples/personal-finance"]  # fmt: skip

# https://doc.qt.io/qt-6/richtext-html-subset.html (caption is not listed; Qt shows it as a line
# of text above the table, which is what it is).
QT_TAGS = frozenset(
    {
        "a", "address", "b", "big", "blockquote", "body", "br", "center", "cite", "code", "dd",
        "dfn", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr",
        "html", "i", "img", "kbd", "meta", "li", "nobr", "ol", "p", "pre", "qt", "s", "samp",
        "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
        "title", "tr", "tt", "u", "ul", "var", "style", "caption",
    }
)  # fmt: skip


def _lessons() -> list[tuple[CoursePackage, int]]:
    loaded = {name: load(name) for name in PACKAGES}
    return [(package, lesson.index) for package in loaded.values() for lesson in package.lessons]


LESSONS = _lessons()
LESSON_IDS = [f"{package.course_id[:20]}-{index}" for package, index in LESSONS]


@pytest.mark.parametrize(("package", "index"), LESSONS, ids=LESSON_IDS)
def test_every_lesson_renders_safely_three_ways(package: CoursePackage, index: int) -> None:
    lesson = package.lessons[index]
    for options in (RenderOptions(), RenderOptions(for_qt=False), RenderOptions(dark=True)):
        document = render_lesson_html(package, lesson, options)
        assert_safe(document, own_stylesheet=lesson_stylesheet(options.dark))
    text = render_lesson_text(package, lesson)
    assert text.startswith(clean_text(lesson.title).strip())  # control characters dropped


@pytest.mark.parametrize(("package", "index"), LESSONS, ids=LESSON_IDS)
def test_qt_output_keeps_to_the_qt_subset(package: CoursePackage, index: int) -> None:
    tags = set(audit(render_lesson_html(package, package.lessons[index])).tags)
    assert tags <= QT_TAGS, tags - QT_TAGS


@pytest.mark.parametrize("name", [n for n in PACKAGES if n.startswith("samples/")])
def test_sample_courses_use_only_supported_blocks_and_their_own_images(name: str) -> None:
    package = load(name)
    for lesson in package.lessons:
        body = render_lesson_body(package, lesson)
        assert UNSUPPORTED not in body
        assert "Image unavailable" not in body and "not loaded" not in body
        for src in audit(body).values("img", "src"):
            assert src.removeprefix("asset:") in package.assets


def test_document_structure() -> None:
    package = load("git-basics")
    document = render_lesson_html(package, package.lessons[0])
    assert document.startswith(
        '<html dir="ltr" lang="en"><head><title>What Git remembers — Git Basics</title><style>'
    )
    assert f"<style>{lesson_stylesheet()}</style></head>" in document
    assert '<body dir="ltr">\n<div class="lesson" dir="ltr" lang="en">\n<h1>' in document
    assert document.endswith("</div>\n</body></html>")
    assert render_lesson_body(package, package.lessons[0]) in document


def test_html5_document_structure() -> None:
    package = load("git-basics")
    document = render_lesson_html(package, package.lessons[0], RenderOptions(for_qt=False))
    assert document.startswith(
        '<!DOCTYPE html>\n<html dir="ltr" lang="en"><head><meta charset="utf-8">'
    )
    tags = set(audit(document).tags)
    assert {"figure", "figcaption", "aside"} <= tags
    assert 'class="box' not in document


@pytest.mark.parametrize("for_qt", [True, False], ids=["qt", "html5"])
def test_right_to_left_lesson(for_qt: bool) -> None:
    package = load("multilingual")
    arabic = package.lessons[2]
    options = RenderOptions(for_qt=for_qt)
    document = render_lesson_html(package, arabic, options)
    assert '<html dir="rtl" lang="de">' in document
    assert '<body dir="rtl">' in document
    assert render_lesson_body(package, arabic, options).startswith('<div class="lesson" dir="rtl"')
    german = render_lesson_html(package, package.lessons[0], options)
    assert 'dir="rtl"' not in german and '<body dir="ltr">' in german


@pytest.mark.parametrize(
    ("fields", "direction"),
    [
        ({"language": "ar"}, "rtl"),
        ({"language": "he-IL"}, "rtl"),
        ({"language": "en", "lesson_language": "fa"}, "rtl"),
        ({"language": "ar", "direction": "ltr"}, "ltr"),
        ({"language": "ar", "lesson_direction": "ltr"}, "ltr"),
        ({}, "ltr"),
    ],
)
def test_direction_follows_the_package(fields: dict[str, str], direction: str) -> None:
    package = package_with([{"type": "paragraph", "text": "x"}], **fields)
    assert f'<body dir="{direction}">' in render_lesson_html(package, only_lesson(package))


def test_stylesheets() -> None:
    light, dark = lesson_stylesheet(), lesson_stylesheet(dark=True)
    assert light != dark
    for css in (light, dark):
        for selector in ("td.callout-note", "td.callout-tip", "td.callout-warning", "td.code",
                         "td.unsupported", "table.data td", "pre {", "code, kbd"):  # fmt: skip
            assert selector in css
        assert "monospace" in css
        # Nothing in the CSS may load anything.
        assert "url(" not in css and "@import" not in css
        assert css.count("{") == css.count("}")
    colours = set(re.findall(r"#[0-9a-f]{6}", dark))
    assert colours and colours.isdisjoint(re.findall(r"#[0-9a-f]{6}", light))


def test_dark_option_embeds_the_dark_stylesheet() -> None:
    package = load("git-basics")
    document = render_lesson_html(package, package.lessons[0], RenderOptions(dark=True))
    assert f"<style>{lesson_stylesheet(dark=True)}</style>" in document


@pytest.mark.parametrize("name", PACKAGES)
def test_output_is_stable(name: str) -> None:
    """Same input, same output: rendering twice, or from a freshly parsed package, changes nothing."""
    first, second = load(name), load(name)
    for lesson_a, lesson_b in zip(first.lessons, second.lessons, strict=True):
        for options in (RenderOptions(), RenderOptions(for_qt=False)):
            once = render_lesson_html(first, lesson_a, options)
            assert render_lesson_html(first, lesson_a, options) == once
            assert render_lesson_html(second, lesson_b, options) == once
        assert render_lesson_text(first, lesson_a) == render_lesson_text(second, lesson_b)
