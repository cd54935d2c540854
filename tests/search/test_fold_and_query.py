"""Folding, snippets and the learner's words → FTS5 expressions (no store)."""

from __future__ import annotations

import sqlite3
import unicodedata

import pytest

from player.search.fold import (
    UNICODE61_FOLDS,
    ZWSP,
    find_spans,
    fold,
    folded_copy,
    mark_boundaries,
    search_fold,
    snippet,
)
from player.search.query import grams_match, like_pattern, parse_query, words_match


def test_fold_keeps_length_and_drops_case_and_accents() -> None:
    assert fold("CAFÉ Größe Zürich") == "cafe große zurich"
    assert len(fold("İstanbul ǅ")) == len("İstanbul ǅ")
    assert fold("한국어") == "한국어"  # Hangul syllables are not accented letters


def test_boundaries_between_unspaced_and_spaced_scripts() -> None:
    assert mark_boundaries("Pythonを学ぶ2回") == f"Python{ZWSP}を学ぶ{ZWSP}2{ZWSP}回"
    assert mark_boundaries("plain text") == "plain text"


def test_spans_match_word_starts_and_unspaced_anywhere() -> None:
    text = "A naïve café; cafeteria. 私は日本語を"
    assert [text[a:b] for a, b in find_spans(text, ["cafe"])] == ["café", "cafe"]
    assert find_spans(text, ["afe"]) == []  # not at the start of a word
    assert [text[a:b] for a, b in find_spans(text, ["日本"])] == ["日本"]


def test_snippet_cuts_around_the_first_match_and_marks_it() -> None:
    text = " ".join(["filler"] * 50) + " the Café is open " + " ".join(["more"] * 50)
    result = snippet(text, ["cafe"])
    assert ("Café", True) in result.parts
    assert result.text.startswith("…") and result.text.endswith("…")
    assert len(result.text) < 200


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ('say "hello', ("say", '"hello')),
        ("NEAR(a b)", ("NEAR(a", "b)")),
        ("AND OR NOT", ("AND", "OR", "NOT")),
        ("^start col:value", ("^start", "col:value")),
    ],
)
def test_words_are_quoted_strings(typed: str, words: tuple[str, ...]) -> None:
    query = parse_query(typed)
    assert query.words == words
    expression = words_match(query)
    assert expression is not None
    for word in words:
        assert '"' + search_fold(word).replace('"', '""') + '"' in expression
    assert expression.endswith('"*') == (sum(char.isalnum() for char in words[-1]) >= 2)


def test_the_last_word_is_a_prefix_from_two_letters() -> None:
    assert words_match(parse_query("git br")) == '"git" AND "br"*'
    assert words_match(parse_query("git b")) == '"git" AND "b"'
    assert words_match(parse_query("a")) == '"a"'
    assert words_match(parse_query("é9")) == '"e9"*'


def test_words_without_letters_are_left_out() -> None:
    assert parse_query("- * ^ ( ) \" '").empty
    assert parse_query("   ").empty


def test_unspaced_words_go_to_trigram_or_like() -> None:
    query = parse_query("日本語 東京 Pythonを")
    assert query.grams == ("日本語", f"Python{ZWSP}を")
    assert query.shorts == ("東京",)
    assert (
        grams_match(query, title_only=True) == f'{{gramsTitle}} : ("日本語" AND "Python{ZWSP}を")'
    )
    assert like_pattern("1%_\\") == "%1\\%\\_\\\\%"


def test_the_learners_words_fold_like_the_index_copy() -> None:
    assert search_fold("ΚΑΦΈ") == search_fold("καφέ") == search_fold("καφε") == "καφε"
    assert search_fold("ΐ") == "ι" and search_fold("ЕЩЁ") == "еще"
    assert search_fold("cafe\u0301") == "cafe"  # a loose combining accent
    assert words_match(parse_query("καφέ")) == '"καφε"*'
    assert words_match(parse_query("ΚΑΦΕ ещё")) == '"καφε" AND "еще"*'


def test_only_text_unicode61_cannot_fold_gets_a_folded_copy() -> None:
    assert folded_copy("Déjà vu in Köln, Straße") is None  # unicode61 folds Latin itself
    assert folded_copy("plain ascii") is None and folded_copy("ΚΑΦΕ και") is None
    assert folded_copy("Ένας καφές") == "ενασ καφεσ"  # final sigma too
    assert folded_copy("Ещё") == "еще"
    assert folded_copy("cafe\u0301") == "cafe"


def test_unicode61_folds_every_latin_letter_the_copy_leaves_alone() -> None:
    """A letter in UNICODE61_FOLDS is indexed as it is: SQLite's tokenizer must find it by its
    folded form, as the learner's folded word looks for it."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(b, tokenize='unicode61 remove_diacritics 2')")
    letters = sorted(char for char in UNICODE61_FOLDS if char.isalpha())
    for char in letters:
        conn.execute("INSERT INTO t(rowid, b) VALUES (?, ?)", (ord(char), f"x{char}x"))
    missed = [
        char
        for char in letters
        if (ord(char),)
        not in conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (f'"x{search_fold(char)}x"',))
    ]
    assert not missed
    assert unicodedata.normalize("NFD", "Ǣ") != "Ǣ" and "Ǣ" not in UNICODE61_FOLDS
