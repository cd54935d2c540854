"""The image policy: which image sources may be emitted, and what is shown instead.

The player is offline-first and must not leak reads, so an ``<img src>`` is only ever a package
asset (through ``RenderOptions.image_src``) or a ``data:`` URI of an image type. A remote image
becomes a short note naming its host; a missing asset becomes "[Image unavailable: …]".
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from player.i18n import _
from player.render.options import esc

# The media types the package format allows for assets (see the contract schema).
_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp|svg\+xml)[;,]", re.IGNORECASE)


def is_data_image(src: str) -> bool:
    """Whether ``src`` is a ``data:`` URI of an allowed image type (nothing to fetch)."""
    return _DATA_IMAGE.match(src.strip()) is not None


def remote_host(src: str) -> str | None:
    """The host a URL would be fetched from (``//host/x`` included), or ``None`` if it has none."""
    try:
        host = urlsplit(src.strip().replace("\\", "/")).hostname
    except ValueError:  # e.g. a malformed IPv6 literal
        return None
    return host or None


def _alt_or_default(alt: str) -> str:
    return alt.strip() or _("image")


def remote_image_note(alt: str, host: str) -> str:
    """HTML shown instead of a remote image: the alt text and the host it was not loaded from."""
    template = esc(_("[Image: {alt} — from {host}, not loaded]"))
    note = template.format(alt=esc(_alt_or_default(alt)), host=esc(host))
    return f'<span class="image-remote">{note}</span>'


def missing_image_note(alt: str) -> str:
    """HTML shown for an asset that is not in the package (or an unusable source)."""
    note = esc(_("[Image unavailable: {alt}]")).format(alt=esc(_alt_or_default(alt)))
    return f'<span class="image-missing">{note}</span>'
