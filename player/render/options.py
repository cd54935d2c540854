"""Options shared by every renderer, and small escaping helpers."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

# C0 and C1 control characters except tab, line feed and carriage return. They have no business in
# lesson text, and in the plain-text rendering an ESC (or the 8-bit CSI, U+009B) would let a
# package drive the learner's terminal.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NEWLINES = re.compile(r"\r\n?")


def _asset_url(name: str) -> str:
    return f"asset:{name}"


@dataclass(frozen=True)
class RenderOptions:
    """How to render a lesson.

    ``image_src`` turns the name of a package asset into the URL written in ``<img src>``; the Qt
    UI resolves ``asset:`` URLs itself, the LMS export passes a function giving a file path.
    ``for_qt`` chooses the HTML 4 subset QTextBrowser understands (callouts as one-cell tables, no
    ``figure``/``aside``); ``False`` gives semantic HTML5 with classes for a browser. ``dark`` picks
    the dark colours of ``lesson_stylesheet`` for the ``<style>`` of ``render_lesson_html``.
    """

    image_src: Callable[[str], str] = _asset_url
    for_qt: bool = True
    dark: bool = False


DEFAULT_OPTIONS = RenderOptions()


def clean_text(text: str) -> str:
    """``text`` with unified line ends and without control characters."""
    return _CONTROLS.sub("", _NEWLINES.sub("\n", text))


def esc(text: str) -> str:
    """Plain text from the package as HTML text or attribute value: nothing is interpreted."""
    return html.escape(clean_text(text), quote=True)


def esc_lines(text: str) -> str:
    """Like ``esc``, with each line break as ``<br>``."""
    return esc(text).replace("\n", "<br>")
