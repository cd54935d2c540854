"""Safe, stable names for exported files and identifiers.

Every name written into an export comes from here: ASCII only, lowercase ``[a-z0-9-]``, never a
reserved Windows device name, never a path separator. Names are derived from the course (titles,
ids, indexes) so the same package always gives the same names.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

SLUG_MAX = 50
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_NOT_NCNAME = re.compile(r"[^A-Za-z0-9_.-]+")

# Device names Windows refuses as a file's base name, with any extension.
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{n}" for n in range(10)} | {f"lpt{n}" for n in range(10)}
)

# Letters NFKD does not decompose into ASCII, spelled the usual way.
_SPELLED = str.maketrans(
    {"ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
     "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D"}
)  # fmt: skip

EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/svg+xml": "svg",
    "image/webp": "webp",
}


def ascii_slug(text: str, *, fallback: str = "lesson", max_length: int = SLUG_MAX) -> str:
    """``text`` as ``[a-z0-9-]``: accents folded, everything else a hyphen, at most ``max_length``.

    Empty results become ``fallback``; a reserved Windows name gets ``-1`` appended.
    """
    folded = ascii_fold(text)
    slug = _NOT_SLUG.sub("-", folded.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        # Prefer to end at a word boundary when one is not too far back.
        boundary = cut.rfind("-")
        slug = (cut[:boundary] if boundary >= max_length // 2 else cut).strip("-")
    if not slug:
        slug = fallback
    if slug in WINDOWS_RESERVED:
        slug = f"{slug}-1"
    return slug


def short_hash(text: str, length: int = 8) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def ncname(prefix: str, text: str, *, hashed: str | None = None, max_length: int = 40) -> str:
    """An XML NCName ``PREFIX-readable-hash``, stable for its input and unique in practice.

    The readable part keeps ``[A-Za-z0-9_.-]`` of ``text``; the hash is of ``hashed`` (default
    ``text``). ``prefix`` must itself be an NCName (start with a letter).
    """
    readable = _NOT_NCNAME.sub("-", ascii_fold(text)).strip("-.")[:max_length].strip("-.")
    middle = f"-{readable}" if readable else ""
    return f"{prefix}{middle}-{short_hash(text if hashed is None else hashed)}"


def ascii_fold(text: str) -> str:
    """``text`` in ASCII: accents dropped, ß as ss…, other scripts removed."""
    spelled = text.translate(_SPELLED)
    return unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode("ascii")


def lesson_file_name(index: int, title: str) -> str:
    """``lessons/NNN-slug.html``'s base name: NNN is the 1-based position, three digits at least."""
    return f"{index + 1:03d}-{ascii_slug(title)}.html"


def asset_file_names(assets: dict[str, str]) -> dict[str, str]:
    """Map each asset name to a safe, unique file name; ``assets`` maps names to media types.

    The extension comes from the media type, not from the name, so a browser serves the file as
    what it is. Collisions get ``-2``, ``-3``… in the sorted order of the original names.
    """
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(assets):
        extension = EXTENSIONS.get(assets[name], "bin")
        stem = name.rsplit(".", 1)[0] if "." in name.strip(".") else name
        base = ascii_slug(stem, fallback="asset")
        candidate = f"{base}.{extension}"
        counter = 2
        while candidate in taken:
            candidate = f"{base}-{counter}.{extension}"
            counter += 1
        taken.add(candidate)
        mapping[name] = candidate
    return mapping


def export_file_name(course_id: str, version: int | None, extension: str) -> str:
    """The file name ``export --all`` gives a course: ``slug-vN.ext``, plus a hash if the slug
    does not spell the id exactly (two ids that fold to the same slug stay apart)."""
    slug = ascii_slug(course_id, fallback="course")
    if slug != course_id:
        slug = f"{slug}-{short_hash(course_id, 6)}"
    suffix = f"-v{version}" if version is not None else ""
    return f"{slug}{suffix}.{extension}"
