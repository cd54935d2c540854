"""A learner's words → FTS5 queries. The words are always text, never query syntax.

Each word (split at white space) is folded as the index's folded copy is (lower case, no accents
in any script: ``player.search.fold.search_fold``) and becomes an FTS5 *string* in double
quotes, with any double quote inside doubled, so ``AND``, ``NEAR(``, ``*``, ``-``, ``^``,
brackets and quotes search as typed and can never make the query invalid. A word with no letter or digit (``-``, ``*``) finds
nothing by itself and is left out. Every remaining word must match (AND); the last one also
matches as the beginning of a word, so results follow the learner's typing, once it has two
letters or digits: a single letter begins a large part of every word there is, finds nothing
useful and made FTS5 merge thousands of words' lists (the slowest query of the benchmark).

Words of a script written without spaces (see ``player.search.fold``) are searched by trigram,
anywhere in a sentence; one of fewer than three characters cannot be, and is matched with
``LIKE`` instead (see ``docs/search.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from player.search.fold import is_unspaced, mark_boundaries, pieces_of, search_fold

MAX_WORDS = 16
MAX_QUERY_CHARS = 500
TRIGRAM = 3
MIN_PREFIX = 2  # letters or digits the last word needs to match as the beginning of a word


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    words: tuple[str, ...] = ()  # spaced-script words, for the unicode61 index
    grams: tuple[str, ...] = ()  # unspaced words of three characters or more, for trigram
    shorts: tuple[str, ...] = ()  # unspaced words of one or two characters, for LIKE
    pieces: tuple[str, ...] = field(default=())  # folded, for snippets and highlighting

    @property
    def empty(self) -> bool:
        return not (self.words or self.grams or self.shorts)


def parse_query(text: str) -> ParsedQuery:
    words: list[str] = []
    grams: list[str] = []
    shorts: list[str] = []
    pieces: list[str] = []
    for raw in text[:MAX_QUERY_CHARS].split()[:MAX_WORDS]:
        word = "".join(char for char in raw if char.isprintable())
        if not any(char.isalnum() for char in word):
            continue
        pieces.extend(pieces_of(word))
        if is_unspaced(word):
            marked = mark_boundaries(word)
            (grams if len(marked) >= TRIGRAM else shorts).append(marked)
        else:
            words.append(word)
    return ParsedQuery(tuple(words), tuple(grams), tuple(shorts), tuple(dict.fromkeys(pieces)))


def fts_string(word: str) -> str:
    """An FTS5 string: the word in double quotes, its own double quotes doubled."""
    return '"' + word.replace('"', '""') + '"'


def _term(word: str, *, prefix: bool) -> str:
    return fts_string(search_fold(word)) + ("*" if prefix else "")


def words_match(query: ParsedQuery, *, title_only: bool = False) -> str | None:
    """The MATCH expression for the word index, or None when the query has no such word."""
    if not query.words:
        return None
    last = len(query.words) - 1
    terms = [
        _term(word, prefix=number == last and is_prefix(word))
        for number, word in enumerate(query.words)
    ]
    expression = " AND ".join(terms)
    return f"{{title}} : ({expression})" if title_only else expression


def is_prefix(word: str) -> bool:
    """Whether the last word also matches as the beginning of a word (``MIN_PREFIX``)."""
    return sum(char.isalnum() for char in word) >= MIN_PREFIX


def grams_match(query: ParsedQuery, *, title_only: bool = False) -> str | None:
    """The MATCH expression for the trigram index, or None when the query has no such word."""
    if not query.grams:
        return None
    expression = " AND ".join(fts_string(word) for word in query.grams)
    return f"{{gramsTitle}} : ({expression})" if title_only else expression


def like_pattern(word: str) -> str:
    """A ``LIKE … ESCAPE '\\'`` pattern finding ``word`` anywhere."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
