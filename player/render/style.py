"""The lesson stylesheet, written for Qt's rich-text CSS subset.

Qt honours type and class selectors, ``background-color``, ``color``, ``font-*``, ``margin-*``,
``line-height``, ``white-space`` and, on tables and cells, ``border-*`` and ``padding``. It has no
``padding`` or ``border`` on paragraphs or divs, hence the one-cell tables in the Qt rendering.
Text, link and page colours are left to the widget's palette so the system theme applies (Qt
draws ``<a href>`` in the palette's link colour, and an ``<a>`` whose unsafe ``href`` was removed as
plain text); only boxes, code, rules and notes get colours, with a light and a dark set.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class _Palette:
    code_bg: str
    inline_code_bg: str
    muted: str
    border: str
    note_bg: str
    tip_bg: str
    warning_bg: str
    unsupported_bg: str


_LIGHT = _Palette(
    code_bg="#f3f4f6",
    inline_code_bg="#eceef1",
    muted="#5b6270",
    border="#9aa1ad",
    note_bg="#e7f0fd",
    tip_bg="#e6f4ea",
    warning_bg="#fdf0d8",
    unsupported_bg="#eeeeee",
)

_DARK = _Palette(
    code_bg="#262a31",
    inline_code_bg="#30353d",
    muted="#a4abb8",
    border="#5c6370",
    note_bg="#1c2b40",
    tip_bg="#1b3324",
    warning_bg="#3d3018",
    unsupported_bg="#33363b",
)

_MONOSPACE = '"DejaVu Sans Mono", "Cascadia Mono", Consolas, Menlo, monospace'


def lesson_stylesheet(dark: bool = False) -> str:
    """CSS for a lesson document in QTextBrowser (light, or dark for a dark palette)."""
    p = _DARK if dark else _LIGHT
    return f"""
h1 {{ font-size: xx-large; margin-top: 4px; margin-bottom: 12px; }}
h2 {{ font-size: x-large; margin-top: 18px; margin-bottom: 8px; }}
h3 {{ font-size: large; margin-top: 14px; margin-bottom: 6px; }}
h4, h5, h6 {{ font-size: medium; margin-top: 12px; margin-bottom: 4px; }}
p {{ margin-top: 6px; margin-bottom: 6px; line-height: 140%; }}
li {{ margin-bottom: 3px; line-height: 140%; }}
code, kbd {{ font-family: {_MONOSPACE}; background-color: {p.inline_code_bg}; }}
pre {{ font-family: {_MONOSPACE}; margin-top: 0px; margin-bottom: 0px; }}
pre code {{ background-color: {p.code_bg}; }}
blockquote {{ margin-left: 24px; margin-right: 24px; font-style: italic; }}
p.cite {{ font-style: normal; color: {p.muted}; }}
p.code-language {{ font-size: small; color: {p.muted}; margin-bottom: 2px; }}
p.caption {{ font-size: small; color: {p.muted}; margin-top: 2px; }}
p.objectives-label {{ margin-bottom: 2px; }}
.image-remote, .image-missing {{ font-style: italic; color: {p.muted}; }}
table.box {{ margin-top: 8px; margin-bottom: 8px; border-style: none; }}
td.code {{ background-color: {p.code_bg}; }}
td.callout-note {{ background-color: {p.note_bg}; }}
td.callout-tip {{ background-color: {p.tip_bg}; }}
td.callout-warning {{ background-color: {p.warning_bg}; }}
td.unsupported {{ background-color: {p.unsupported_bg}; color: {p.muted}; }}
table.data {{ border-collapse: collapse; border-color: {p.border}; margin-top: 8px;
  margin-bottom: 8px; }}
table.data td, table.data th {{ border: 1px solid {p.border}; padding: 4px; }}
th {{ font-weight: bold; }}
hr {{ background-color: {p.border}; }}
aside.callout-note {{ background-color: {p.note_bg}; }}
aside.callout-tip {{ background-color: {p.tip_bg}; }}
aside.callout-warning {{ background-color: {p.warning_bg}; }}
aside.unsupported {{ background-color: {p.unsupported_bg}; color: {p.muted}; }}
div.code-block pre {{ background-color: {p.code_bg}; }}
"""
