"""A lesson → HTML: a full document for QTextBrowser, or a fragment for the LMS export.

Every string from the package is escaped (``esc``); only ``markdown`` and ``html`` blocks produce
markup, and only through ``sanitize_html``. With ``for_qt`` the output keeps to the HTML 4 subset
Qt's rich-text engine supports (https://doc.qt.io/qt-6/richtext-html-subset.html): boxes are
one-cell tables because Qt gives padding and backgrounds to table cells but not to ``div``; ``dir``
is honoured on ``html``/``body``/``div``/``p`` and inherited by the blocks inside. Without it the
output is semantic HTML5 (``figure``, ``aside``) with classes, styled by the page it is put in.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection

from player.i18n import _
from player.package.blocks import (
    Block,
    Callout,
    Code,
    Divider,
    Heading,
    Html,
    Image,
    ListBlock,
    Markdown,
    Paragraph,
    Quote,
    Unsupported,
    parse_block,
)
from player.package.model import CoursePackage, Lesson
from player.render.images import is_data_image, missing_image_note, remote_host, remote_image_note
from player.render.options import DEFAULT_OPTIONS, RenderOptions, esc, esc_lines
from player.render.pieces import piece_styles, pieces, split_plain_paragraphs
from player.render.sanitize import render_markdown, sanitize_html
from player.render.style import lesson_stylesheet

log = logging.getLogger(__name__)

_SAFE_LANGUAGE = re.compile(r"[\w+#.-]{1,40}")


def unsupported_note() -> str:
    """The sentence shown in place of a block this player cannot show."""
    return _("This content is not supported by this version of Course Player.")


def callout_label(variant: str) -> str:
    labels = {"note": _("Note"), "tip": _("Tip"), "warning": _("Warning")}
    return labels.get(variant, _("Note"))


def objectives_label() -> str:
    return _("In this lesson you will:")


def _box(kind: str, inner: str) -> str:
    """A shaded box for Qt: a one-cell table (Qt pads and colours cells, not divs)."""
    return (
        f'<table class="box {kind}" width="100%" cellspacing="0" cellpadding="10">'
        f'<tr><td class="box {kind}">{inner}</td></tr></table>'
    )


def _heading(block: Heading, options: RenderOptions) -> str:
    return f"<h{block.level}>{esc(block.text)}</h{block.level}>"


def _paragraph(block: Paragraph, options: RenderOptions) -> str:
    return _text_paragraphs(block.text, options)


def _text_paragraphs(text: str, options: RenderOptions, attrs: str = "") -> str:
    """``<p>`` of plain text; for Qt a long text is several that read as one (``pieces``), so
    the reader lays it out a screenful at a time instead of freezing."""
    parts = pieces(text) if options.for_qt else [text]
    return "".join(
        f"<p{attrs}{style}>{esc_lines(part)}</p>"
        for style, part in zip(piece_styles(len(parts)), parts, strict=True)
    )


def _list(block: ListBlock, options: RenderOptions) -> str:
    tag = "ol" if block.ordered else "ul"
    items = "".join(f"<li>{esc_lines(item)}</li>" for item in block.items)
    return f"<{tag}>{items}</{tag}>"


def _code(block: Code, options: RenderOptions) -> str:
    language = (block.language or "").strip()
    label = f'<p class="code-language">{esc(language)}</p>' if language else ""
    css_class = f' class="language-{language}"' if _SAFE_LANGUAGE.fullmatch(language) else ""
    pre = f'<pre class="code"><code{css_class}>{esc(block.code)}</code></pre>'
    if options.for_qt:
        return label + _box("code", pre)
    return f'<div class="code-block">{label}{pre}</div>'


def _quote(block: Quote, options: RenderOptions) -> str:
    text = _text_paragraphs(block.text, options)
    cite = (block.cite or "").strip()
    if options.for_qt:
        source = f'<p class="cite">— {esc(cite)}</p>' if cite else ""
        return f'<blockquote class="quote">{text}{source}</blockquote>'
    source = f"<figcaption>— <cite>{esc(cite)}</cite></figcaption>" if cite else ""
    return f'<figure class="quote"><blockquote>{text}</blockquote>{source}</figure>'


def _callout(block: Callout, options: RenderOptions) -> str:
    label = callout_label(block.variant)
    title = (block.title or "").strip() or label
    kind = f"callout callout-{block.variant}"
    inner = (
        f'<p class="callout-title"><b>{esc(title)}</b></p>{_text_paragraphs(block.text, options)}'
    )
    if options.for_qt:
        return _box(kind, inner)
    return f'<aside class="{kind}" role="note" aria-label="{esc(label)}">{inner}</aside>'


def _image_html(block: Image, package: CoursePackage, options: RenderOptions) -> str:
    alt = esc(block.alt)
    if block.asset is not None:
        if block.asset in package.assets:
            return f'<img src="{esc(options.image_src(block.asset))}" alt="{alt}">'
        return missing_image_note(block.alt)
    src = (block.src or "").strip()
    if is_data_image(src):
        return f'<img src="{esc(src)}" alt="{alt}">'
    host = remote_host(src)
    if host is not None:
        return remote_image_note(block.alt, host)
    return missing_image_note(block.alt)


def _image(block: Image, package: CoursePackage, options: RenderOptions) -> str:
    picture = _image_html(block, package, options)
    caption = (block.caption or "").strip()
    if options.for_qt:
        below = f'<p class="caption" align="center">{esc_lines(caption)}</p>' if caption else ""
        return f'<p class="figure" align="center">{picture}</p>{below}'
    below = f"<figcaption>{esc_lines(caption)}</figcaption>" if caption else ""
    return f'<figure class="image">{picture}{below}</figure>'


def _unsupported(block: Unsupported, options: RenderOptions) -> str:
    log.debug("unsupported block %r (%s)", block.kind, block.reason)
    note = f"<p><i>{esc(unsupported_note())}</i></p>"
    if options.for_qt:
        return _box("unsupported", note)
    return f'<aside class="unsupported" role="note">{note}</aside>'


def render_block(
    block: Block, package: CoursePackage, options: RenderOptions = DEFAULT_OPTIONS
) -> str:
    """One typed block → HTML. Never raises for content; unknown blocks become a note."""
    assets: Collection[str] = package.assets
    match block:
        case Heading():
            return _heading(block, options)
        case Paragraph():
            return _paragraph(block, options)
        case Markdown():
            markup = render_markdown(block.markdown, options, assets=assets)
            if options.for_qt:
                markup = split_plain_paragraphs(markup)
            return f'<div class="markdown">{markup}</div>'
        case ListBlock():
            return _list(block, options)
        case Code():
            return _code(block, options)
        case Quote():
            return _quote(block, options)
        case Callout():
            return _callout(block, options)
        case Image():
            return _image(block, package, options)
        case Html():
            markup = sanitize_html(block.html, options, assets=assets)
            if options.for_qt:
                markup = split_plain_paragraphs(markup)
            return f'<div class="html">{markup}</div>'
        case Divider():
            return "<hr>"
        case Unsupported():
            return _unsupported(block, options)


def _language(package: CoursePackage, lesson: Lesson) -> str:
    return (lesson.language or package.language or "").strip()


def render_lesson_body(
    package: CoursePackage, lesson: Lesson, options: RenderOptions = DEFAULT_OPTIONS
) -> str:
    """The lesson as an HTML fragment: one ``div`` carrying the lesson's direction and language."""
    direction = package.lesson_direction(lesson)
    language = _language(package, lesson)
    lang = f' lang="{esc(language)}"' if language else ""
    parts = [f'<div class="lesson" dir="{direction}"{lang}>', f"<h1>{esc(lesson.title)}</h1>"]
    objectives = [text for text in lesson.objectives if text.strip()]
    if objectives:
        items = "".join(f"<li>{esc(text)}</li>" for text in objectives)
        parts.append(
            f'<div class="objectives"><p class="objectives-label"><b>{esc(objectives_label())}'
            f"</b></p><ul>{items}</ul></div>"
        )
    parts.extend(render_block(parse_block(raw), package, options) for raw in lesson.blocks)
    parts.append("</div>")
    return "\n".join(parts)


def render_lesson_html(
    package: CoursePackage, lesson: Lesson, options: RenderOptions = DEFAULT_OPTIONS
) -> str:
    """A complete HTML document for the lesson, with its stylesheet (QTextBrowser.setHtml)."""
    direction = package.lesson_direction(lesson)
    language = _language(package, lesson)
    lang = f' lang="{esc(language)}"' if language else ""
    title = esc(f"{lesson.title} — {package.title}")
    head = f"<title>{title}</title><style>{lesson_stylesheet(options.dark)}</style>"
    if not options.for_qt:
        head = f'<meta charset="utf-8">{head}'
    body = render_lesson_body(package, lesson, options)
    doctype = "" if options.for_qt else "<!DOCTYPE html>\n"
    return (
        f'{doctype}<html dir="{direction}"{lang}><head>{head}</head>'
        f'<body dir="{direction}">\n{body}\n</body></html>'
    )
