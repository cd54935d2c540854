"""Typed views of content blocks, interpreted one block at a time.

``parse_block`` never raises: a block of a type this player does not know, or a known type with bad
fields (a heading of level 9, a paragraph without text), becomes ``Unsupported`` and is shown as a
neutral note. The renderer and the exporters share these types so they agree on what a block means.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError


class _Block(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Heading(_Block):
    type: Literal["heading"]
    text: str
    level: Literal[2, 3, 4] = 2


class Paragraph(_Block):
    type: Literal["paragraph"]
    text: str


class Markdown(_Block):
    type: Literal["markdown"]
    markdown: str


class ListBlock(_Block):
    type: Literal["list"]
    items: list[str]
    ordered: bool = False


class Code(_Block):
    type: Literal["code"]
    code: str
    language: str | None = None


class Quote(_Block):
    type: Literal["quote"]
    text: str
    cite: str | None = None


class Callout(_Block):
    type: Literal["callout"]
    text: str
    variant: Literal["note", "tip", "warning"] = "note"
    title: str | None = None


class Image(_Block):
    type: Literal["image"]
    alt: str
    asset: str | None = None
    src: str | None = None
    caption: str | None = None


class Html(_Block):
    type: Literal["html"]
    html: str


class Divider(_Block):
    type: Literal["divider"]


class Unsupported(_Block):
    """A block this player cannot show; ``kind`` is its declared type (may be empty)."""

    type: Literal["unsupported"] = "unsupported"
    kind: str = ""
    reason: str = ""


Block = (
    Heading
    | Paragraph
    | Markdown
    | ListBlock
    | Code
    | Quote
    | Callout
    | Image
    | Html
    | Divider
    | Unsupported
)

_TYPES: dict[str, type[_Block]] = {
    "heading": Heading,
    "paragraph": Paragraph,
    "markdown": Markdown,
    "list": ListBlock,
    "code": Code,
    "quote": Quote,
    "callout": Callout,
    "image": Image,
    "html": Html,
    "divider": Divider,
}

KNOWN_BLOCK_TYPES = frozenset(_TYPES)


def parse_block(raw: Any) -> Block:
    """Interpret one raw block; unknown or malformed blocks become ``Unsupported``."""
    if not isinstance(raw, dict):
        return Unsupported(kind="", reason="not an object")
    kind = raw.get("type")
    model = _TYPES.get(kind) if isinstance(kind, str) else None
    if model is None:
        return Unsupported(kind=str(kind or ""), reason="unknown type")
    try:
        return model.model_validate(raw)  # type: ignore[return-value]
    except ValidationError as error:
        return Unsupported(kind=str(kind), reason=error.errors()[0]["msg"])


def parse_blocks(raws: list[dict[str, Any]]) -> list[Block]:
    return [parse_block(raw) for raw in raws]


__all__ = [
    "KNOWN_BLOCK_TYPES",
    "Block",
    "Callout",
    "Code",
    "Divider",
    "Heading",
    "Html",
    "Image",
    "ListBlock",
    "Markdown",
    "Paragraph",
    "Quote",
    "Unsupported",
    "parse_block",
    "parse_blocks",
]
