"""Helpers for the renderer tests: load packages, and list what an HTML output really contains."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from player.package import CoursePackage, Lesson, parse_package
from tests.conftest import FIXTURES, SAMPLES

UNSUPPORTED = "This content is not supported by this version of Course Player."
ALLOWED_IMG_SRC = re.compile(r"(asset:|data:image/(png|jpeg|gif|webp|svg\+xml)[;,])")
LINK_SCHEMES = ("http://", "https://", "mailto:")
FORBIDDEN_TAGS = frozenset(
    {"script", "style", "iframe", "form", "input", "object", "embed", "frame", "svg", "math",
     "link", "base", "button", "textarea", "select", "template", "audio", "video"}
)  # fmt: skip


def load(name: str) -> CoursePackage:
    """A fixture package of tests/fixtures (``hostile``) or a sample course (``samples/intro-to-python``)."""
    if name.startswith("samples/"):
        path = SAMPLES / f"{name.removeprefix('samples/')}.json"
    else:
        path = FIXTURES / f"{name}.json"
    return parse_package(Path(path).read_bytes()).package


def package_with(blocks: list[dict[str, Any]], **fields: Any) -> CoursePackage:
    """A one-lesson package holding ``blocks``; ``fields`` override course or lesson fields."""
    lesson: dict[str, Any] = {"index": 0, "title": "Lesson", "blocks": blocks}
    for key in ("objectives", "direction", "language"):
        if f"lesson_{key}" in fields:
            lesson[key] = fields.pop(f"lesson_{key}")
    if "lesson_title" in fields:
        lesson["title"] = fields.pop("lesson_title")
    data: dict[str, Any] = {
        "id": "pkg_test_v1",
        "courseId": "test",
        "version": 1,
        "status": "PUBLISHED",
        "title": "Test course",
        "lessons": [lesson],
        "assets": {"pic.png": {"mediaType": "image/png", "data": "iVBORw0KGgo="}},
    }
    data.update(fields)
    return CoursePackage.model_validate(data)


def only_lesson(package: CoursePackage) -> Lesson:
    return package.lessons[0]


@dataclass
class Audit:
    """Every element and attribute of an HTML string, as a parser (not a regex) sees them."""

    tags: list[str] = field(default_factory=list)
    attributes: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, name, value)
    text: str = ""

    def values(self, tag: str, name: str) -> list[str]:
        return [v for t, n, v in self.attributes if t == tag and n == name]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.audit = Audit()
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.audit.tags.append(tag)
        self.audit.attributes.extend((tag, name, value or "") for name, value in attrs)

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def audit(html: str) -> Audit:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    collector.audit.text = "".join(collector._text)
    return collector.audit


def assert_safe(html: str, *, own_stylesheet: str | None = None) -> None:
    """The security guarantees of the renderer, checked on elements and attributes.

    A full document has one ``<style>`` of ours: pass its CSS as ``own_stylesheet``.
    """
    if own_stylesheet is not None:
        ours = f"<style>{own_stylesheet}</style>"
        assert html.count("<style") == 1 and ours in html
        html = html.replace(ours, "")
    found = audit(html)
    assert not FORBIDDEN_TAGS & set(found.tags), FORBIDDEN_TAGS & set(found.tags)
    for tag, name, value in found.attributes:
        assert not name.startswith("on"), (tag, name)
        assert name != "style", (tag, name)
        assert tag != "meta" or name == "charset", (tag, name)  # no refresh, no CSP games
        lowered = value.strip().lower()
        for scheme in ("javascript:", "vbscript:", "file:", "data:text"):
            assert not lowered.startswith(scheme), (tag, name, value)
        if name == "href":
            assert lowered.startswith(LINK_SCHEMES), (tag, value)
        if name == "src":
            assert tag == "img", (tag, value)
            assert ALLOWED_IMG_SRC.match(value), value
    # The same, without a parser: no tag may even start these ways.
    assert not re.search(r"<\s*(script|iframe|form|style|object|embed)\b", html, re.IGNORECASE)
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", html, re.IGNORECASE)
    # The remote resources of the test content live on the documentation networks
    # (198.51.100.0/24, 203.0.113.0/24): no src or href may point there.
    assert not re.search(
        r"""(src|href)\s*=\s*["']?\s*(https?:)?//(198\.51\.100|203\.0\.113)\.""", html
    )
