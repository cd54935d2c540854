"""Untrusted HTML (``html`` blocks, Markdown output) → a safe subset.

Two steps:

1. ``nh3`` (ammonia) parses the fragment like a browser and keeps only an explicit allow-list of
   tags and attributes. ``_filter_attribute`` then decides every URL itself: links keep only
   http, https and mailto; image sources are reduced to three inert forms (a ``data:`` image URI,
   ``asset:NAME``, or ``x-remote:HOST``). Nothing that could be fetched from the network leaves
   this step, so the guarantee does not depend on step 2.
2. ``_apply_image_policy`` rewrites the ``<img>`` tags of that output, which ammonia serializes in
   one canonical form (double-quoted attributes, ``<`` and ``>`` escaped everywhere except in
   tags): ``asset:NAME`` becomes ``options.image_src(NAME)`` when the package has that asset,
   ``x-remote:HOST`` and everything else become a short note in place of the image.

The Cleaner and the Markdown parser are built once, here: building them per block would dominate
the time to render a long lesson.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt

from player.render.images import is_data_image, missing_image_note, remote_host, remote_image_note
from player.render.options import DEFAULT_OPTIONS, RenderOptions

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "b", "em", "i", "u", "s", "code", "pre", "kbd", "blockquote",
        "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6",
        "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
        "a", "img", "hr", "span", "div", "sub", "sup", "dl", "dt", "dd", "figure", "figcaption",
    }
)  # fmt: skip

# Tags dropped together with their content (the rest of the unknown tags keep their text).
_DROP_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "noscript", "iframe", "frame", "frameset", "noframes",
        "object", "embed", "applet", "svg", "math", "textarea", "select", "title", "xmp",
    }
)  # fmt: skip

# No ``style``, no ``class`` (except Markdown's language-* on code), no event handlers.
_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"lang", "dir", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "code": {"class"},
}

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# What ammonia lets through to ``_filter_attribute``, which then narrows it per attribute.
_URL_SCHEMES = {"http", "https", "mailto", "data", "asset"}

ASSET_PREFIX = "asset:"
_REMOTE_PREFIX = "x-remote:"

_NUMBER = re.compile(r"\d{1,4}")
_LENGTH = re.compile(r"\d{1,4}%?")
_START = re.compile(r"-?\d{1,9}")
_LANGUAGE_CLASS = re.compile(r"language-[\w+#.-]{1,40}")
_SCOPE = frozenset({"row", "col", "rowgroup", "colgroup"})
_DIRECTIONS = frozenset({"ltr", "rtl", "auto"})


def _link(value: str) -> str | None:
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in LINK_SCHEMES:
        return None  # javascript:, vbscript:, file:, data:, relative URLs …: the text stays
    if scheme != "mailto" and not parts.hostname:
        return None
    return value.strip()


def _image_source(value: str) -> str | None:
    src = value.strip()
    if is_data_image(src):
        return src
    if src[: len(ASSET_PREFIX)].lower() == ASSET_PREFIX:
        name = src[len(ASSET_PREFIX) :]
        return ASSET_PREFIX + name if name else None
    host = remote_host(src)
    if host is not None:
        return _REMOTE_PREFIX + host
    try:
        scheme = urlsplit(src).scheme
    except ValueError:
        return None
    if not scheme and src and src[0] not in "/\\":
        return ASSET_PREFIX + src  # a bare name: maybe an asset of the package
    return None


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Decide one allowed attribute: its value to keep, or ``None`` to drop it."""
    if attribute == "href":
        return _link(value)
    if attribute == "src":
        return _image_source(value) if tag == "img" else None
    if attribute == "class":
        kept = [word for word in value.split() if _LANGUAGE_CLASS.fullmatch(word)]
        return " ".join(kept[:1]) or None
    if attribute in ("width", "height"):
        return value if _LENGTH.fullmatch(value.strip()) else None
    if attribute in ("colspan", "rowspan"):
        return value if _NUMBER.fullmatch(value.strip()) else None
    if attribute == "start":
        return value if _START.fullmatch(value.strip()) else None
    if attribute == "scope":
        return value if value in _SCOPE else None
    if attribute == "dir":
        return value.lower() if value.lower() in _DIRECTIONS else None
    return value  # lang, title, alt, and the rel ammonia adds to links


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(_DROP_WITH_CONTENT),
    attributes=_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    strip_comments=True,
    link_rel="noopener noreferrer",
    url_schemes=_URL_SCHEMES,
)

# CommonMark with raw HTML *enabled* (the "commonmark" preset's default). Authors write raw HTML in
# Markdown (<kbd>, <sub>, a small table) and CommonMark says it passes through; escaping it would
# show them tags as literal text. It is not trusted: the whole rendered output goes through the
# same nh3 allow-list as an ``html`` block, so enabling it gives nothing an html block cannot do.
# markdown-it's own link check (no javascript:, vbscript:, file:, only some data:image) stays on as
# a first filter.
_MARKDOWN = MarkdownIt("commonmark")


def clean_fragment(fragment: str) -> str:
    """Step 1 only: the allow-list pass. ``<img src>`` is left as data:, asset: or x-remote:."""
    return _CLEANER.clean(fragment)


def markdown_to_html(markdown: str) -> str:
    """CommonMark → HTML, not yet sanitized."""
    return _MARKDOWN.render(markdown)


# ammonia escapes ``<`` and ``>`` inside attribute values and text, so in its output a ``>`` only
# ever ends a tag and every attribute is ``name="value"``.
_IMG_TAG = re.compile(r"<img\b[^>]*>")
_ATTRIBUTE = re.compile(r'([a-z][a-z0-9_:.-]*)="([^"]*)"')
_TABLE_TAG = re.compile(r"<table\b")
# The lesson title is the page's only <h1>: an h1 in content (Markdown "# Title") becomes an h2.
# This runs on the untrusted input, before the allow-list; a stray match only changes a tag name.
_H1_TAG = re.compile(r"<(/?)h1(?=[\s/>])", re.IGNORECASE)
_FIGURE_TAG = re.compile(r"<(/?)fig(ure|caption)\b")
# Qt draws no cell borders unless asked, and ignores border-collapse on plain tables.
_QT_DATA_TABLE = '<table class="data" border="1" cellspacing="0" cellpadding="4"'


def image_attributes(tag: str) -> dict[str, str]:
    """The unescaped attributes of one ``<img>`` tag from ``clean_fragment``'s output."""
    return {name: html.unescape(value) for name, value in _ATTRIBUTE.findall(tag)}


def _apply_image_policy(
    cleaned: str, options: RenderOptions, assets: Collection[str] | None
) -> str:
    def replace(match: re.Match[str]) -> str:
        attributes = image_attributes(match.group(0))
        src = attributes.get("src", "")
        alt = attributes.get("alt", "")
        if is_data_image(src):
            return match.group(0)
        # The notes stand where an inline image stood: spaces keep them off the next word.
        if src.startswith(_REMOTE_PREFIX):
            return f" {remote_image_note(alt, src[len(_REMOTE_PREFIX) :])} "
        if src.startswith(ASSET_PREFIX):
            name = src[len(ASSET_PREFIX) :]
            if assets is not None and name in assets:
                attributes["src"] = options.image_src(name)
                return "<img" + "".join(
                    f' {key}="{html.escape(value, quote=True)}"'
                    for key, value in attributes.items()
                ) + ">"  # fmt: skip
        return f" {missing_image_note(alt)} "

    return _IMG_TAG.sub(replace, cleaned)


def _figure_to_div(match: re.Match[str]) -> str:
    closing, part = match.groups()
    return "</div" if closing else f'<div class="fig{part}"'


def _qt_subset(cleaned: str) -> str:
    """Map what QTextBrowser does not know to what it does: figures to divs, bordered tables."""
    cleaned = _TABLE_TAG.sub(_QT_DATA_TABLE, cleaned)
    return _FIGURE_TAG.sub(_figure_to_div, cleaned)


def sanitize_html(
    fragment: str,
    options: RenderOptions = DEFAULT_OPTIONS,
    *,
    assets: Collection[str] | None = None,
) -> str:
    """Untrusted HTML → the safe subset, with the image and link policy applied.

    ``<h1>`` becomes ``<h2>`` (the lesson title is the h1); with ``options.for_qt`` tables get
    borders and ``figure``/``figcaption`` become ``div`` (Qt does not know them).

    ``assets`` names the package's assets: ``<img src="asset:NAME">`` or ``<img src="NAME">`` for
    one of them is shown through ``options.image_src``. Without ``assets`` (``None``) no asset is
    known and every such image shows "[Image unavailable: …]".
    """
    cleaned = _CLEANER.clean(_H1_TAG.sub(r"<\1h2", fragment))
    if "<img" in cleaned:
        cleaned = _apply_image_policy(cleaned, options, assets)
    if options.for_qt and ("<table" in cleaned or "<fig" in cleaned):
        cleaned = _qt_subset(cleaned)
    return cleaned


def render_markdown(
    markdown: str,
    options: RenderOptions = DEFAULT_OPTIONS,
    *,
    assets: Collection[str] | None = None,
) -> str:
    """CommonMark → sanitized HTML (the same pass as an ``html`` block)."""
    return sanitize_html(markdown_to_html(markdown), options, assets=assets)
