"""The PDF's fonts: DejaVu Sans and Sans Mono, fallbacks for other scripts, and what to do with
characters none of them has.

The fonts come from ``resources/fonts`` (bundled with the player), else from Debian's font
folders. A character is decided by the fonts' own ``cmap``, run by run: drawn in the face that is
asked for when it has the glyph, else in the upright Sans when that has it (the oblique faces
have no Arabic, the Mono faces no Hebrew), else in the first fallback face that has it (Droid
Sans Fallback: Chinese and Japanese; NanumSquare: Korean; Noto Emoji, monochrome: emoji), else
replaced by a visible placeholder ``□``. Invisible format characters the fonts lack (variation
selectors) are dropped. Nothing is ever drawn as a silent ``.notdef`` box. The fallback faces
have one weight: bold or italic CJK is drawn upright and regular.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from player import config
from player.errors import ExportError
from player.i18n import _
from player.render.options import clean_text

log = logging.getLogger(__name__)

SYSTEM_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
SYSTEM_FALLBACK_DIRS = (
    Path("/usr/share/fonts/truetype/droid"),
    Path("/usr/share/fonts/truetype/nanum"),
)
PLACEHOLDER = "□"
PLACEHOLDER_COLOUR = "#8a8f98"

# A piece of text: (text, face to draw it in or None for the asked face, is a placeholder).
Run = tuple[str, str | None, bool]

SANS = "CP-Sans"
SANS_BOLD = "CP-Sans-Bold"
SANS_ITALIC = "CP-Sans-Oblique"
SANS_BOLD_ITALIC = "CP-Sans-BoldOblique"
MONO = "CP-Mono"
MONO_BOLD = "CP-Mono-Bold"

_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    SANS_ITALIC: "DejaVuSans-Oblique.ttf",
    SANS_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
    MONO: "DejaVuSansMono.ttf",
    MONO_BOLD: "DejaVuSansMono-Bold.ttf",
}

CJK = "CP-CJK"
HANGUL = "CP-Hangul"
EMOJI = "CP-Emoji"

# Faces for the characters no DejaVu face has, tried in this order (see resources/fonts).
_FALLBACK_FILES = {
    CJK: "DroidSansFallbackFull.ttf",  # Han, kana, CJK punctuation (Apache-2.0)
    HANGUL: "NanumSquareR.ttf",  # every Hangul syllable (OFL-1.1)
    EMOJI: "NotoEmoji-VF.ttf",  # monochrome emoji (OFL-1.1)
}
FALLBACKS = tuple(_FALLBACK_FILES)

# The upright face to fall back to for a character a face lacks.
_UPRIGHT = {
    SANS: SANS,
    SANS_BOLD: SANS_BOLD,
    SANS_ITALIC: SANS,
    SANS_BOLD_ITALIC: SANS_BOLD,
    MONO: SANS,
    MONO_BOLD: SANS_BOLD,
}


@dataclass(frozen=True, slots=True)
class _Face:
    name: str
    covered: frozenset[int]
    missing: re.Pattern[str]  # one or more characters this face has no glyph for


_lock = threading.Lock()
_faces: dict[str, _Face] = {}


def font_dirs() -> list[Path]:
    return [config.resources_dir() / "fonts", SYSTEM_FONT_DIR, *SYSTEM_FALLBACK_DIRS]


def _find(file_name: str) -> Path:
    for directory in font_dirs():
        path = directory / file_name
        if path.is_file():
            return path
    raise ExportError(
        _(
            "The PDF fonts are missing ({name}). Reinstall Course Player, or install the "
            "DejaVu, Droid Sans Fallback and Nanum fonts (fonts-dejavu-core, "
            "fonts-droid-fallback, fonts-nanum)."
        ).format(name=file_name)
    )


def _missing_pattern(covered: frozenset[int]) -> re.Pattern[str]:
    """A regex matching runs of characters outside ``covered`` (a character class of ranges)."""
    ranges: list[tuple[int, int]] = []
    for code in sorted(c for c in covered if c > 0x20 and not 0xD800 <= c <= 0xDFFF):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    # Whitespace and line breaks are always fine: the layout handles them, they draw nothing.
    parts = ["\\t\\n\\r "]
    for low, high in ranges:
        parts.append(
            re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
        )
    return re.compile(f"[^{''.join(parts)}]+")


def _utf16_hex(code: int) -> str:
    if code <= 0xFFFF:
        return f"{code:04X}"
    code -= 0x10000
    return f"{0xD800 + (code >> 10):04X}{0xDC00 + (code & 0x3FF):04X}"


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """reportlab's ``makeToUnicodeCMap``, with characters beyond U+FFFF (emoji) written as UTF-16
    surrogate pairs, as the PDF format wants. reportlab 5.1 writes them as five hex digits, so
    that a reader copies 📘 (U+1F4D8) as Ὅ (U+1F4D); this fixes the text layer only."""
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *(f"<{index:02X}> <{_utf16_hex(code)}>" for index, code in enumerate(subset)),
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


def register_fonts() -> None:
    """Register the faces and their families with reportlab (once per process)."""
    with _lock:
        if _faces:
            return
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap
        for name, file_name in {**_FILES, **_FALLBACK_FILES}.items():
            font = TTFont(name, str(_find(file_name)))
            pdfmetrics.registerFont(font)
            covered = frozenset(font.face.charToGlyph)
            _faces[name] = _Face(name, covered, _missing_pattern(covered))
        for family, (normal, bold, italic, bold_italic) in {
            SANS: (SANS, SANS_BOLD, SANS_ITALIC, SANS_BOLD_ITALIC),
            MONO: (MONO, MONO_BOLD, MONO, MONO_BOLD),
        }.items():
            addMapping(family, 0, 0, normal)
            addMapping(family, 1, 0, bold)
            addMapping(family, 0, 1, italic)
            addMapping(family, 1, 1, bold_italic)
        log.debug("PDF fonts registered from %s", [str(d) for d in font_dirs()])


def face_for(*, bold: bool = False, italic: bool = False, mono: bool = False) -> str:
    if mono:
        return MONO_BOLD if bold else MONO
    if bold:
        return SANS_BOLD_ITALIC if italic else SANS_BOLD
    return SANS_ITALIC if italic else SANS


def _is_invisible(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) == "Cf"
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0xE0100 <= code <= 0xE01EF
        or 0x1F3FB <= code <= 0x1F3FF  # emoji skin tone modifiers
    )


class TextMapper:
    """Turns package text into reportlab markup (or plain drawable text) for a given face.

    ``substitutions`` counts the characters replaced by the placeholder, so the PDF can say so.
    """

    def __init__(self) -> None:
        register_fonts()
        self.substitutions = 0

    def runs(self, text: str, face: str = SANS) -> list[Run]:
        """``text`` cut into runs drawable in ``face``, in its upright face, or placeholders."""
        text = clean_text(text)
        info = _faces[face]
        if info.missing.search(text) is None:
            return [(text, None, False)] if text else []
        upright = _UPRIGHT[face]
        out: list[Run] = []
        position = 0
        for match in info.missing.finditer(text):
            if match.start() > position:
                out.append((text[position : match.start()], None, False))
            out.extend(self._fallback(match.group(0), upright))
            position = match.end()
        if position < len(text):
            out.append((text[position:], None, False))
        return out

    def markup(self, text: str, face: str = SANS) -> str:
        """Escaped para markup of ``text`` drawn in ``face``, with the glyph fallback applied."""
        text = clean_text(text)
        if _faces[face].missing.search(text) is None:
            return escape(text)
        parts = []
        for chunk, other, placeholder in self.runs(text, face):
            if other is None:
                parts.append(escape(chunk))
            elif placeholder:
                parts.append(f'<font face="{other}" color="{PLACEHOLDER_COLOUR}">{chunk}</font>')
            else:
                parts.append(f'<font face="{other}">{escape(chunk)}</font>')
        return "".join(parts)

    def plain(self, text: str, face: str = SANS) -> str:
        """``text`` for ``canvas.drawString`` in ``face``: lacking characters become ``□``."""
        text = clean_text(text).replace("\n", " ").replace("\t", " ")
        info = _faces[face]
        if info.missing.search(text) is None:
            return text
        return info.missing.sub(
            lambda m: "".join(chunk for chunk, _f, _p in self._fallback(m.group(0), None)), text
        )

    def _fallback(self, run: str, upright: str | None) -> list[Run]:
        """Characters ``face`` lacks: in ``upright`` or the first fallback face that has them,
        else the placeholder. ``upright`` None: plain text in one face, placeholders only."""
        out: list[Run] = []
        faces = (upright, *FALLBACKS) if upright is not None else ()
        for char in run:
            code = ord(char)
            chosen = next((face for face in faces if code in _faces[face].covered), None)
            if chosen is not None:
                if out and out[-1][1] == chosen and not out[-1][2]:
                    out[-1] = (out[-1][0] + char, chosen, False)
                else:
                    out.append((char, chosen, False))
                continue
            if _is_invisible(char):
                continue
            self.substitutions += 1
            out.append((PLACEHOLDER, SANS, True))
        return out


def string_width(text: str, face: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, face, size))
