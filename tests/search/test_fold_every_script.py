"""Case and accents fold in every script (issue #12): Greek and Russian words typed with or
without their accents, in either case, find the lesson; snippets show the lesson's own text."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlmodel import select

from player.services import packages, profiles
from player.services.search import SearchResults, search
from player.store.db import Store
from player.store.migrations import _SEARCH_SQL, STEPS
from player.store.models import Profile, SearchDoc
from tests.conftest import FIXTURES

GREEK = "Ένας καφές στην πλατεία. ΤΟ ΤΣΆΙ ΕΊΝΑΙ ΖΕΣΤΌ. Προϊόντα της Αθήνας."
RUSSIAN = "Ещё один урок: ёжик пьёт чай. ЗЕЛЁНЫЙ ЧАЙ."


def _found(results: SearchResults) -> list[tuple[str, int | None]]:
    return [(hit.course_id, hit.lesson_index) for hit in results.hits]


def _course(course_id: str, blocks: list[dict[str, str]], title: str = "Λέξεις") -> bytes:
    data = json.loads((FIXTURES / "git-basics.json").read_bytes())
    data.update(id=f"pkg_{course_id}_v1", courseId=course_id, title=title, version=1)
    data["lessons"] = data["lessons"][:1]
    data["lessons"][0]["blocks"] = blocks
    return json.dumps(data).encode()


@pytest.fixture
def words(store: Store) -> Store:
    packages.import_bytes(
        store,
        _course(
            "words", [{"type": "paragraph", "text": GREEK}, {"type": "paragraph", "text": RUSSIAN}]
        ),
    )
    return store


@pytest.mark.parametrize(
    "typed",
    [
        # Greek: without accents, with them, lower and upper case, as the beginning of a word
        "καφες", "καφές", "ΚΑΦΕΣ", "ΚΑΦΈΣ", "Καφές", "καφ",
        "τσαι", "τσάι", "ΤΣΑΙ", "ειναι", "Είναι", "ζεστο", "ζεστό",
        "προιοντα", "προϊόντα", "ΠΡΟΪΌΝΤΑ", "αθηνας", "ΑΘΉΝΑΣ",
        # Russian: ё typed as е or ё, either case
        "еще", "ещё", "ЕЩЕ", "ЕЩЁ", "ежик", "ёжик", "пьет", "зеленый", "ЗЕЛЁНЫЙ", "зелёный чай",
    ],
)  # fmt: skip
def test_greek_and_russian_found_with_or_without_accents_in_any_case(
    words: Store, guest: Profile, typed: str
) -> None:
    assert ("words", 0) in _found(search(words, guest, typed)), typed


def test_a_course_title_with_accents_is_found_without_them(words: Store, guest: Profile) -> None:
    assert ("words", None) in _found(search(words, guest, "λεξεις"))
    assert ("words", None) in _found(search(words, guest, "ΛΈΞΕΙΣ"))


def test_snippets_keep_the_lessons_own_accents(words: Store, guest: Profile) -> None:
    hit = next(h for h in search(words, guest, "ΚΑΦΕΣ").hits if h.lesson_index == 0)
    assert [text for text, match in hit.snippet.parts if match] == ["καφές"]
    assert "Ένας καφές στην πλατεία" in hit.snippet.text
    hit = next(h for h in search(words, guest, "зеленыи").hits if h.lesson_index == 0)
    assert "ЗЕЛЁНЫЙ" in hit.snippet.text and "Ещё" in hit.snippet.text
    with words.read() as session:
        doc = session.exec(select(SearchDoc).where(SearchDoc.lessonIdx == 0)).one()
    assert GREEK in doc.body and RUSSIAN in doc.body  # the original text, as the lesson has it
    assert doc.foldBody is not None and "ενασ καφεσ" in doc.foldBody and "еще" in doc.foldBody


def test_other_words_are_not_found(words: Store, guest: Profile) -> None:
    for typed in ("καφα", "τσαιι", "ещеe", "ёлка"):
        assert not search(words, guest, typed).hits, typed


def test_latin_text_is_stored_once(store: Store, guest: Profile) -> None:
    packages.import_bytes(
        store, _course("fr", [{"type": "paragraph", "text": "Déjà vu à Köln"}], "Été")
    )
    with store.read() as session:
        docs = list(session.exec(select(SearchDoc)))
    assert docs and all(d.foldTitle is None and d.foldBody is None for d in docs)
    for typed in ("DEJA", "déjà", "koln", "ete"):
        assert _found(search(store, guest, typed)), typed


def test_hostile_course_script_is_not_indexed_in_the_folded_copy(
    store: Store, guest: Profile
) -> None:
    html = (
        "<p>Ορατό κείμενο</p><script>κρυφός_κώδικας('ΚΛΈΒΩ')</script>"
        '<style>.ώρα{color:red}</style><p onclick="ΚΛΟΠΉ()">Πάτα εδώ</p>'
    )
    packages.import_bytes(store, _course("hostile-el", [{"type": "html", "html": html}]))
    for typed in ("ορατο", "ΚΕΙΜΕΝΟ", "πατα εδω"):
        assert ("hostile-el", 0) in _found(search(store, guest, typed)), typed
    for typed in ("κρυφος", "κλεβω", "ωρα", "κλοπη", "color"):
        assert not search(store, guest, typed).hits, typed
    with store.read() as session:
        doc = session.exec(select(SearchDoc).where(SearchDoc.lessonIdx == 0)).one()
    assert doc.foldBody is not None and "κλεβω" not in doc.foldBody


def _as_version_10(path: Path) -> None:
    """Give the store the search index of version 10: the word index over ``searchdoc``'s own
    text (Greek accents kept), no folded columns."""
    conn = sqlite3.connect(path)
    for trigger in ("searchdoc_ai", "searchdoc_ad", "searchdoc_au"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DROP TABLE searchwords")
    conn.execute("DROP VIEW searchwordtext")
    conn.execute("ALTER TABLE searchdoc DROP COLUMN foldTitle")
    conn.execute("ALTER TABLE searchdoc DROP COLUMN foldBody")
    for statement in _SEARCH_SQL:
        if "searchgrams USING" not in statement and "ON storedpackage" not in statement:
            conn.execute(statement)
    conn.execute("INSERT INTO searchwords(searchwords) VALUES ('rebuild')")
    conn.execute("PRAGMA user_version = 10")
    conn.commit()
    conn.close()


def test_the_migration_from_version_10_indexes_again_and_search_works(tmp_path: Path) -> None:
    store = Store(tmp_path / "old")
    packages.import_bytes(store, _course("words", [{"type": "paragraph", "text": GREEK}]))
    packages.import_file(store, FIXTURES / "multilingual.json")
    path = store.path
    store.close()
    _as_version_10(path)
    conn = sqlite3.connect(path)
    match = "SELECT count(*) FROM searchwords WHERE searchwords MATCH ?"
    assert conn.execute(match, ('"καφες"',)).fetchone() == (0,)  # version 10 could not fold it
    conn.close()

    store = Store(tmp_path / "old")
    try:
        assert store.version == len(STEPS) >= 11
        learner = profiles.ensure_guest(store)
        for typed in ("καφες", "καφές", "ΚΑΦΈΣ", "πλατεια"):
            assert ("words", 0) in _found(search(store, learner, typed)), typed
        assert _found(search(store, learner, "ЧАЩАХ"))  # the other course, indexed again
        conn = sqlite3.connect(path)
        assert conn.execute(match, ('"καφες"',)).fetchone() == (1,)
        assert conn.execute("INSERT INTO searchwords(searchwords) VALUES ('integrity-check')")
        conn.close()
    finally:
        store.close()
