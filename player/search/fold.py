"""Folding, matching and snippets: the same rules as the index, in Python.

``fold`` maps every character to exactly one character (lower case, without its accent), so a
position in the folded text is the position in the original: snippets and the reader's
highlighting find a match in folded text and show the original. This is what SQLite's
``unicode61`` tokenizer does with ``remove_diacritics 2`` (ß stays ß, as there).

Scripts written without spaces between words (Chinese, Japanese, Korean with its particles, Thai,
Lao, Khmer, Myanmar, Tibetan) are "unspaced": the index finds them by trigram, anywhere inside a
sentence. ``mark_boundaries`` puts a zero-width space between such a run and an adjacent letter or
digit of another script, so that "Pythonを学ぶ" also holds the word "Python" for the word index.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

ZWSP = "\u200b"

_UNSPACED_RANGES = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u0f00-\u0fff"  # Tibetan
    "\u1000-\u109f"  # Myanmar
    "\u1100-\u11ff"  # Hangul Jamo
    "\u1780-\u17ff"  # Khmer
    "\u3005-\u3007\u3021-\u3029\u3031-\u3035\u303b"  # CJK iteration marks and numerals
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3130-\u318f"  # Hangul compatibility Jamo
    "\u31f0-\u31ff"  # Katakana extensions
    "\u3400-\u4dbf\u4e00-\u9fff"  # CJK ideographs
    "\uac00-\ud7af"  # Hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f"  # half-width Katakana
    "\U00020000-\U0003134f"  # CJK ideographs, extensions B to G
)
UNSPACED = re.compile(f"[{_UNSPACED_RANGES}]")
_BOUNDARY = re.compile(
    f"(?<=[{_UNSPACED_RANGES}])(?=[^\\W_{_UNSPACED_RANGES}])"
    f"|(?<=[^\\W_{_UNSPACED_RANGES}])(?=[{_UNSPACED_RANGES}])"
)
_WORD_PIECES = re.compile(r"[^\W_]+")
_SPACES = re.compile(r"\s+")


class _FoldTable(dict[int, str]):
    """``str.translate`` table filled on first use: one character in, one character out."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        decomposed = unicodedata.normalize("NFD", char)
        accents_only = all(unicodedata.category(mark)[0] == "M" for mark in decomposed[1:])
        base = decomposed[0] if accents_only else char  # Hangul decomposes into letters
        folded = base.casefold()  # final sigma ς folds to σ, as unicode61 folds it
        if len(folded) != 1:  # ß stays ß, as in unicode61 (casefold gives "ss")
            folded = base.lower()[:1] or char
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """``text`` in lower case without accents, of the same length (``CAFÉ`` → ``cafe``)."""
    return text.translate(_FOLD)


# Letters whose accents unicode61 (``remove_diacritics 2``) removes itself: the Latin blocks, but
# for a few letters with two marks or a base that is not ASCII (checked against SQLite's tokenizer
# by tests/search/test_fold_and_query.py). Text whose accented letters are all of these needs no
# folded copy in the index.
_LATIN_BLOCKS = {chr(code) for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00))}
UNICODE61_FOLDS = frozenset(_LATIN_BLOCKS - set("ǠǡǢǣǮǯǼǽǾǿ"))


def search_fold(text: str) -> str:
    """``text`` as the word index holds it when unicode61 cannot fold it alone: composed (NFC),
    then ``fold`` (lower case, every accent removed, in every script: ``καφέ``, ``ΚΑΦΈ`` and
    ``καφε`` all give ``καφε``; ``ещё`` gives ``еще``). The learner's words go through it too.
    """
    return fold(unicodedata.normalize("NFC", text))


def folded_copy(text: str) -> str | None:
    """``search_fold(text)`` when the word index needs it, else None (the text is indexed as it
    is: unicode61 folds its case and Latin accents the same way).

    Only text with an accented letter unicode61 leaves alone (Greek tonos and dialytika, Cyrillic
    ё and й, Latin letters with two marks…) or with loose combining marks gets a copy, so most
    courses' text is stored once.
    """
    if not unicodedata.is_normalized("NFC", text):
        return search_fold(text)
    for char in set(text):
        if char not in UNICODE61_FOLDS and not char.isascii() and fold(char) != char.lower()[:1]:
            return search_fold(text)
    return None


def is_unspaced(text: str) -> bool:
    """Whether ``text`` has a character of a script written without spaces between words."""
    return UNSPACED.search(text) is not None


def unspaced_words(text: str) -> str:
    """The white-space separated words of ``text`` that hold an unspaced script, one a line.

    Only these go to the trigram index: a query word of such a script is always inside one of
    them, and text of other scripts (most of it) does not make the trigram index grow.
    """
    if not is_unspaced(text):
        return ""
    return "\n".join(word for word in text.split() if is_unspaced(word))


def mark_boundaries(text: str) -> str:
    """``text`` with a zero-width space between an unspaced run and a letter of another script."""
    if not is_unspaced(text):
        return text
    return _BOUNDARY.sub(ZWSP, text)


def pieces_of(term: str) -> list[str]:
    """What a learner's word highlights: its runs of letters and digits, or itself if unspaced."""
    term = term.replace(ZWSP, "")
    if is_unspaced(term):
        return [fold(term)]
    return [fold(piece) for piece in _WORD_PIECES.findall(term)]


def find_spans(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Where ``pieces`` (folded) occur in ``text``: sorted, merged (start, end) spans.

    A piece of a spaced script matches at the start of a word (as the index matches a word or
    the beginning of one); a piece of an unspaced script matches anywhere. Case and accents
    fold as in ``fold``, which keeps positions.
    """
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    for piece in pieces:
        if not piece:
            continue
        start = _find(folded, piece, 0)
        while start >= 0:
            spans.append((start, start + len(piece)))
            start = _find(folded, piece, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def find_text(text: str, needle: str) -> list[tuple[int, int]]:
    """Every place ``needle`` occurs in ``text``, anywhere, case and accents folded (Ctrl+F)."""
    folded, wanted = fold(text), fold(" ".join(needle.split()))
    if not wanted:
        return []
    spans = []
    start = folded.find(wanted)
    while start >= 0:
        spans.append((start, start + len(wanted)))
        start = folded.find(wanted, start + len(wanted))
    return spans


def first_match(text: str, pieces: list[str], *, chunk: int = 1024) -> int | None:
    """Where the first of ``pieces`` (folded) occurs in ``text``, or None.

    ``str.lower`` finds most matches at C speed; only when it finds none is the text folded,
    a chunk at a time (most first matches are near the start).
    """
    pieces = [piece for piece in pieces if piece]
    if not pieces:
        return None
    lowered = text.lower()
    if len(lowered) == len(text):
        found = [at for piece in pieces if (at := _find(lowered, piece, 0)) >= 0]
        if found or text.isascii():
            return min(found) if found else None
    overlap = max(map(len, pieces))
    for start in range(0, len(text), chunk):
        window = fold(text[max(0, start - overlap) : start + chunk])
        offset = max(0, start - overlap)
        found = [at for piece in pieces if (at := _find(window, piece, 0)) >= 0]
        if found:
            return offset + min(found)
    return None


def _find(haystack: str, piece: str, start: int) -> int:
    """``haystack.find(piece, start)`` at the start of a word (anywhere for unspaced scripts)."""
    anywhere = is_unspaced(piece)
    at = haystack.find(piece, start)
    while at > 0 and not anywhere:
        previous = haystack[at - 1]
        if not previous.isalnum() or is_unspaced(previous):
            break
        at = haystack.find(piece, at + 1)
    return at


@dataclass(frozen=True, slots=True)
class Snippet:
    """A short piece of text around a match: ``parts`` alternate plain text and matches."""

    parts: tuple[tuple[str, bool], ...]  # (text, is_match)

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.parts)

    @property
    def has_match(self) -> bool:
        return any(match for _, match in self.parts)


def snippet(text: str, pieces: list[str], *, before: int = 50, width: int = 160) -> Snippet:
    """The text around the first match of ``pieces``, the matches marked; the start if none."""
    text = text.replace(ZWSP, "")
    first = first_match(text, pieces)
    found = first is not None
    first = first or 0
    start = max(0, first - before)
    if start > 0:  # begin at a word
        space = text.rfind(" ", max(0, start - 15), start + 1)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.find(" ", end, end + 15)
        end = space if space >= 0 else end
    window = text[start:end]
    parts: list[tuple[str, bool]] = []
    position = 0
    for span_start, span_end in find_spans(window, pieces) if found else []:
        if span_start > position:
            parts.append((window[position:span_start], False))
        parts.append((window[span_start:span_end], True))
        position = span_end
    if position < len(window):
        parts.append((window[position:], False))
    if start > 0:
        parts.insert(0, ("…", False))
    if end < len(text):
        parts.append(("…", False))
    return Snippet(tuple((_SPACES.sub(" ", part), match) for part, match in parts if part))
