"""Folding, snippets and the learner's words → FTS5 expressions (no store)."""

from __future__ import annotations

import pytest

from player.search.fold import ZWSP, find_spans, fold, mark_boundaries, snippet
from player.search.query import (
    grams_match,
    like_pattern,
    parse_query,
    unaccented,
    words_match,
)


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
        assert '"' + word.replace('"', '""') + '"' in expression
    assert expression.endswith('"*') == (sum(char.isalnum() for char in words[-1]) >= 2)


def test_the_last_word_is_a_prefix_from_two_letters() -> None:
    assert words_match(parse_query("git br")) == '"git" AND "br"*'
    assert words_match(parse_query("git b")) == '"git" AND "b"'
    assert words_match(parse_query("a")) == '"a"'
    assert words_match(parse_query("é9")) == '"é9"*'


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


def test_greek_and_cyrillic_accents_also_search_the_unaccented_form() -> None:
    assert unaccented("καφέ") == "καφε" and unaccented("ΚΑΦΈ") == "ΚΑΦΕ"
    assert unaccented("ΐ") == "ι" and unaccented("ещё") == "еще"
    assert unaccented("καφε") is None and unaccented("café") is None  # unicode61 folds Latin
    assert words_match(parse_query("καφέ")) == '("καφέ"* OR "καφε"*)'
