"""Lesson → safe HTML (escaping, Markdown, sanitizing, assets) and plain text. No Qt here.

``render_lesson_html`` gives a document for QTextBrowser, ``render_lesson_body`` the fragment the
LMS export wraps in its own page, ``render_lesson_text`` text for a terminal or a screen reader.
``sanitize_html`` is the one allow-list pass for untrusted HTML.
"""

from player.render.document import render_lesson_body, render_lesson_html
from player.render.options import RenderOptions
from player.render.sanitize import sanitize_html
from player.render.style import lesson_stylesheet
from player.render.text import render_lesson_text

__all__ = [
    "RenderOptions",
    "lesson_stylesheet",
    "render_lesson_body",
    "render_lesson_html",
    "render_lesson_text",
    "sanitize_html",
]
