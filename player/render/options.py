"""Options shared by every renderer, and small escaping helpers."""

from __future__ import annotations

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
    # A printable string has no control character (category Cc) and no CR: nothing to clean.
    # ``isprintable`` is one C pass, cheaper than the two regex passes it saves for most text.
    if text.isprintable():
        return text
    return _CONTROLS.sub("", _NEWLINES.sub("\n", text))


def esc(text: str) -> str:
    """Plain text from the package as HTML text or attribute value: nothing is interpreted."""
    # ``html.escape(text, quote=True)``, replacing only characters that occur: a substring test
    # is much cheaper than a ``replace`` that finds nothing, and most text has none of the five.
    text = clean_text(text)
    if "&" in text:
        text = text.replace("&", "&amp;")  # first, so the entities below stay intact
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "'" in text:
        text = text.replace("'", "&#x27;")
    return text


def esc_lines(text: str) -> str:
    """Like ``esc``, with each line break as ``<br>``."""
    escaped = esc(text)
    return escaped.replace("\n", "<br>") if "\n" in escaped else escaped
