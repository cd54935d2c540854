"""Just enough bidi and Arabic shaping for the PDF, which reportlab does not do by itself.

reportlab draws characters left to right in the order given and does not join Arabic letters (its
``rlbidi``/``uharfbuzz`` extras are not installed). So, for text with right-to-left characters:

- ``shape_arabic`` replaces Arabic letters by their contextual forms from Unicode's Presentation
  Forms-B (isolated, final, initial, medial, and the lam-alef ligatures), which DejaVu Sans covers;
- ``visual`` reorders one line into display order: a simplified Unicode Bidirectional Algorithm
  (strong types, numbers as left-to-right runs, neutrals resolved from their neighbours, levels
  reversed from the highest, mirrored brackets), marks kept with their base letter;
- ``wrap`` breaks a right-to-left paragraph into lines *before* reordering, as the algorithm
  requires, measuring the shaped words with the font's metrics.

Limits (written down in docs/export.md): no explicit embeddings or isolates (LRE, RLI…), Arabic
letters outside the basic block (Persian, Urdu extensions) stay in their isolated form, and text
inside rich ``html``/``markdown`` blocks is reordered node by node, not line by line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_RTL_CHARS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_ARABIC = re.compile("[\u0621-\u064a]")

# Letter → (isolated, final, initial, medial); two entries for letters joining on the right only.
_FORMS: dict[str, tuple[int, ...]] = {
    "\u0621": (0xFE80,),
    "\u0622": (0xFE81, 0xFE82),
    "\u0623": (0xFE83, 0xFE84),
    "\u0624": (0xFE85, 0xFE86),
    "\u0625": (0xFE87, 0xFE88),
    "\u0626": (0xFE89, 0xFE8A, 0xFE8B, 0xFE8C),
    "\u0627": (0xFE8D, 0xFE8E),
    "\u0628": (0xFE8F, 0xFE90, 0xFE91, 0xFE92),
    "\u0629": (0xFE93, 0xFE94),
    "\u062a": (0xFE95, 0xFE96, 0xFE97, 0xFE98),
    "\u062b": (0xFE99, 0xFE9A, 0xFE9B, 0xFE9C),
    "\u062c": (0xFE9D, 0xFE9E, 0xFE9F, 0xFEA0),
    "\u062d": (0xFEA1, 0xFEA2, 0xFEA3, 0xFEA4),
    "\u062e": (0xFEA5, 0xFEA6, 0xFEA7, 0xFEA8),
    "\u062f": (0xFEA9, 0xFEAA),
    "\u0630": (0xFEAB, 0xFEAC),
    "\u0631": (0xFEAD, 0xFEAE),
    "\u0632": (0xFEAF, 0xFEB0),
    "\u0633": (0xFEB1, 0xFEB2, 0xFEB3, 0xFEB4),
    "\u0634": (0xFEB5, 0xFEB6, 0xFEB7, 0xFEB8),
    "\u0635": (0xFEB9, 0xFEBA, 0xFEBB, 0xFEBC),
    "\u0636": (0xFEBD, 0xFEBE, 0xFEBF, 0xFEC0),
    "\u0637": (0xFEC1, 0xFEC2, 0xFEC3, 0xFEC4),
    "\u0638": (0xFEC5, 0xFEC6, 0xFEC7, 0xFEC8),
    "\u0639": (0xFEC9, 0xFECA, 0xFECB, 0xFECC),
    "\u063a": (0xFECD, 0xFECE, 0xFECF, 0xFED0),
    "\u0641": (0xFED1, 0xFED2, 0xFED3, 0xFED4),
    "\u0642": (0xFED5, 0xFED6, 0xFED7, 0xFED8),
    "\u0643": (0xFED9, 0xFEDA, 0xFEDB, 0xFEDC),
    "\u0644": (0xFEDD, 0xFEDE, 0xFEDF, 0xFEE0),
    "\u0645": (0xFEE1, 0xFEE2, 0xFEE3, 0xFEE4),
    "\u0646": (0xFEE5, 0xFEE6, 0xFEE7, 0xFEE8),
    "\u0647": (0xFEE9, 0xFEEA, 0xFEEB, 0xFEEC),
    "\u0648": (0xFEED, 0xFEEE),
    "\u0649": (0xFEEF, 0xFEF0),
    "\u064a": (0xFEF1, 0xFEF2, 0xFEF3, 0xFEF4),
}
_TATWEEL = "\u0640"
_LAM = "\u0644"
_LAM_ALEF = {"\u0622": (0xFEF5, 0xFEF6), "\u0623": (0xFEF7, 0xFEF8), "\u0625": (0xFEF9, 0xFEFA),
             "\u0627": (0xFEFB, 0xFEFC)}  # fmt: skip

_MIRROR = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹", strict=True))


def has_rtl(text: str) -> bool:
    return _RTL_CHARS.search(text) is not None


def _transparent(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me")


def _joins_left(char: str | None) -> bool:
    """Whether ``char`` connects to the letter after it (dual-joining letters, tatweel)."""
    if char is None:
        return False
    if char == _TATWEEL:
        return True
    forms = _FORMS.get(char)
    return forms is not None and len(forms) == 4


def _joins_right(char: str | None) -> bool:
    if char is None:
        return False
    return char == _TATWEEL or (char in _FORMS and len(_FORMS[char]) > 1)


def shape_arabic(text: str) -> str:
    """Arabic letters → contextual presentation forms (logical order kept)."""
    if _ARABIC.search(text) is None:
        return text
    chars = list(text)
    count = len(chars)

    def neighbour(start: int, step: int) -> str | None:
        i = start + step
        while 0 <= i < count:
            if not _transparent(chars[i]):
                return chars[i]
            i += step
        return None

    out: list[str] = []
    i = 0
    while i < count:
        char = chars[i]
        forms = _FORMS.get(char)
        if forms is None:
            out.append(char)
            i += 1
            continue
        joined_before = _joins_left(neighbour(i, -1))
        if char == _LAM and i + 1 < count and chars[i + 1] in _LAM_ALEF:
            isolated, final = _LAM_ALEF[chars[i + 1]]
            out.append(chr(final if joined_before else isolated))
            i += 2
            continue
        joins_after = len(forms) == 4 and _joins_right(neighbour(i, 1))
        if len(forms) == 1:
            form = forms[0]
        elif joined_before and joins_after:
            form = forms[3]
        elif joined_before:
            form = forms[1]
        elif joins_after:
            form = forms[2]
        else:
            form = forms[0]
        out.append(chr(form))
        i += 1
    return "".join(out)


def _clusters(text: str) -> list[str]:
    """Base characters with their following marks, so reversing keeps marks on their letter."""
    clusters: list[str] = []
    for char in text:
        if clusters and _transparent(char):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _strong(cluster: str) -> str:
    """'R', 'L', 'N' (number) or '' (neutral) for the first character of a cluster."""
    kind = unicodedata.bidirectional(cluster[0])
    if kind in ("R", "AL"):
        return "R"
    if kind == "L":
        return "L"
    if kind in ("EN", "AN"):
        return "N"
    return ""


def visual(line: str, *, rtl: bool) -> str:
    """One line in display order (left to right) for a paragraph of direction ``rtl``."""
    if not has_rtl(line):
        return line
    clusters = _clusters(line)
    kinds = [_strong(c) for c in clusters]
    base = 1 if rtl else 0
    levels: list[int] = []
    for index, kind in enumerate(kinds):
        if kind == "R":
            levels.append(1)
        elif kind == "L":
            levels.append(2 if rtl else 0)
        elif kind == "N":
            # A number after a left-to-right letter (or at the start of a left-to-right line) is
            # left-to-right text (UBA rule W7); otherwise it sits, in order, in the RTL run.
            before = _previous_strong(kinds, index, skip_numbers=True)
            levels.append(2 if rtl or before == "R" else 0)
        else:
            levels.append(-1)  # neutral, resolved below
    for index, level in enumerate(levels):
        if level != -1:
            continue
        before = _previous_strong(kinds, index)
        after = _next_strong(kinds, index)
        # Numbers count as right-to-left for the neutrals around them (UBA rule N1).
        before_rtl = before in ("R", "N") if before else rtl
        after_rtl = after in ("R", "N") if after else rtl
        if before_rtl == after_rtl:
            levels[index] = 1 if before_rtl else (2 if rtl else 0)
        else:
            levels[index] = base
    # Trailing whitespace takes the paragraph level (UBA rule L1).
    for index in range(len(clusters) - 1, -1, -1):
        if not clusters[index].isspace():
            break
        levels[index] = base
    ordered = list(zip(clusters, levels, strict=True))
    for level in range(max(levels), 0, -1):
        i = 0
        while i < len(ordered):
            if ordered[i][1] >= level:
                j = i
                while j < len(ordered) and ordered[j][1] >= level:
                    j += 1
                ordered[i:j] = reversed(ordered[i:j])
                i = j
            else:
                i += 1
    return "".join(
        _MIRROR.get(cluster, cluster) if level % 2 else cluster for cluster, level in ordered
    )


def _previous_strong(kinds: list[str], index: int, *, skip_numbers: bool = False) -> str:
    for kind in reversed(kinds[:index]):
        if kind and not (skip_numbers and kind == "N"):
            return kind
    return ""


def _next_strong(kinds: list[str], index: int) -> str:
    for kind in kinds[index + 1 :]:
        if kind:
            return kind
    return ""


def display(text: str, *, rtl: bool) -> str:
    """Shape and reorder a single line (a title, a table cell, a footer)."""
    if not has_rtl(text):
        return text
    return visual(shape_arabic(text), rtl=rtl)


def wrap(text: str, width: float, measure: Callable[[str], float], *, rtl: bool) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (logical order), then each in display order.

    Explicit line breaks are kept. A word wider than a line gets a line of its own.
    """
    shaped = shape_arabic(text)
    lines: list[str] = []
    space = measure(" ")
    for paragraph in shaped.split("\n"):
        current: list[str] = []
        current_width = 0.0
        for word in paragraph.split(" "):
            if not word:
                continue
            word_width = measure(word)
            extra = word_width + (space if current else 0.0)
            if current and current_width + extra > width:
                lines.append(" ".join(current))
                current, current_width = [word], word_width
            else:
                current.append(word)
                current_width += extra
        lines.append(" ".join(current))
    return [visual(line, rtl=rtl) for line in lines]
