"""Full-text search through the service: indexing on store, ranking, syntax, access, scripts."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from sqlmodel import delete, select

from player.package import parse_package
from player.services import commerce, packages, progress
from player.services.search import SearchResults, ensure_indexed, search
from player.store.db import Store
from player.store.models import CatalogEntry, Profile, SearchDoc, StoredPackage
from player.timeutil import utcnow
from tests.conftest import FIXTURES, SAMPLES


def _found(results: SearchResults) -> list[tuple[str, int | None]]:
    return [(hit.course_id, hit.lesson_index) for hit in results.hits]


def _texts(results: SearchResults) -> str:
    return "\n".join(f"{h.lesson_title} {h.snippet.text}" for h in results.hits)


@pytest.fixture
def library(imported: Store) -> Store:
    for path in sorted(SAMPLES.glob("*.json")):
        packages.import_file(imported, path)
    return imported


def test_import_indexes_titles_objectives_and_blocks(library: Store, guest: Profile) -> None:
    assert ("git-basics", None) in _found(search(library, guest, "Git Basics"))
    assert ("git-basics", 1) in _found(search(library, guest, "Start a repository"))  # objective
    hits = search(library, guest, "repository").hits
    assert hits and all(hit.course_id == "git-basics" for hit in hits)
    assert ("git-basics", 1) in _found(search(library, guest, "hello.txt"))  # a code block
    assert ("git-basics", 1) in _found(search(library, guest, "oneline"))  # Markdown
    assert ("git-basics", 1) in _found(search(library, guest, "Santayana"))  # a quote's source


def test_results_are_ranked_and_snippets_mark_the_match(library: Store, guest: Profile) -> None:
    results = search(library, guest, "python")
    assert results.hits[0] == next(h for h in results.hits if h.lesson_index is None)
    assert results.hits[0].course_id == "intro-to-python"
    ranks = [hit.rank for hit in results.hits]
    assert ranks == sorted(ranks)
    # every word in the title first (the course "Intro to Python"), then the lessons' text
    assert results.hits[0].tier == 0 and results.hits[-1].tier == 1
    lesson_hit = next(h for h in results.hits if h.lesson_index is not None)
    assert any(match and text.lower() == "python" for text, match in lesson_hit.snippet.parts)
    grouped = results.by_course()
    assert grouped[0][0].course_id == "intro-to-python"
    assert all(len({hit.course_id for hit in group}) == 1 for group in grouped)


def test_case_and_accents_fold(library: Store, guest: Profile) -> None:
    for typed in ("DEJA", "déjà", "Deja vu", "BROTCHEN", "koln", "FRÜH", "ETE"):
        assert ("welcome-multilingual", 0) in _found(search(library, guest, typed)), typed
    assert ("welcome-multilingual", 1) in _found(search(library, guest, "ЧАЩАХ"))  # Cyrillic case


@pytest.mark.parametrize(
    "typed",
    ["日本", "日本語", "中文", "春はあけぼの", "あけぼの", "学而", "不亦说乎", "한글도", "읽을"],
)
def test_chinese_japanese_korean_inside_a_sentence(
    library: Store, guest: Profile, typed: str
) -> None:
    results = search(library, guest, typed)
    assert ("welcome-multilingual", 3) in _found(results)
    hit = next(h for h in results.hits if h.lesson_index == 3)
    assert any(match for _, match in hit.snippet.parts)


def test_latin_word_next_to_cjk_is_a_word(store: Store, guest: Profile) -> None:
    data = json.loads((FIXTURES / "git-basics.json").read_bytes())
    data["lessons"][0]["blocks"] = [{"type": "paragraph", "text": "今日はPythonを学ぶ"}]
    packages.import_bytes(store, json.dumps(data).encode())
    assert ("git-basics", 0) in _found(search(store, guest, "python"))
    assert ("git-basics", 0) in _found(search(store, guest, "Pythonを学ぶ"))
    assert ("git-basics", 0) in _found(search(store, guest, "今日"))


@pytest.mark.parametrize(
    "typed",
    ['"', '""', "'", "*", "-", "^", "(", ")", "[", "]", "{", "}", ":", "NEAR(", "NEAR(a, b)",
     "AND", "OR", "NOT", "a AND", "-git", "git*", '"git', "git\"", "^git", "title:git",
     "{title}: git", "(git", "git)", "\\", "%", "_", "\x00", "\u200b", "a" * 600, "git " * 40,
     "日", "日*", '"日本"', "📘", "ﷺ"],
)  # fmt: skip
def test_query_syntax_is_text_and_never_raises(library: Store, guest: Profile, typed: str) -> None:
    search(library, guest, typed)  # no exception


def test_syntax_characters_search_as_typed(library: Store, guest: Profile) -> None:
    assert _found(search(library, guest, "-git")) == _found(search(library, guest, "git"))
    assert _found(search(library, guest, "(commit")) == _found(search(library, guest, "commit"))
    assert search(library, guest, "NEAR(").hits  # the word "near" in the first-aid course
    assert search(library, guest, "AND").hits  # the word "and"
    assert not search(library, guest, "*").hits
    assert not search(library, guest, "%").hits  # not a LIKE wildcard


def test_hostile_course_script_and_style_are_never_indexed(library: Store, guest: Profile) -> None:
    script_text = ("steal", "cookie", "mdscript", "visibility", "hidden", "exfiltrate")
    for typed in (*script_text, "phish", "svgclick"):
        found = [h for h in search(library, guest, typed).hits if h.course_id == "../../etc/passwd"]
        assert not [h for h in found if h.lesson_index == 0], typed
    with library.read() as session:
        bodies = " ".join(d.body for d in session.exec(select(SearchDoc)))
    for text in ("steal(document.cookie)", "mdscript()", "visibility:hidden", "alert(9)"):
        assert text not in bodies
    # what the learner can read is found, tags and all
    assert ("../../etc/passwd", 0) in _found(search(library, guest, "angle brackets included"))
    assert ("../../etc/passwd", 0) in _found(search(library, guest, "hover here"))


def test_locked_course_is_found_by_title_only(
    served: Store, make_learner: Any, add_product: Any
) -> None:
    ana = make_learner("ana")
    add_product("git-basics", product_id="prod-git")
    results = search(served, ana, "git")
    assert _found(results) == [("git-basics", None)]
    assert results.hits[0].title_only
    assert not search(served, ana, "repository").hits  # lesson text of a closed course
    assert not search(served, ana, "commit").hits  # nor its summary: only its title
    commerce.record_purchase(
        served, ana, purchase_id="pur-1", product_id="prod-git", course_id="git-basics"
    )
    assert ("git-basics", 1) in _found(search(served, ana, "repository"))


def test_a_server_course_opens_to_its_enrolled_learners_only(
    served: Store, make_learner: Any
) -> None:
    ana = make_learner("ana")
    assert not [h for h in search(served, ana, "repository").hits if not h.title_only]
    progress.enroll(served, ana, "git-basics")
    assert ("git-basics", 1) in _found(search(served, ana, "repository"))


def test_other_tenants_courses_are_not_found(store: Store, make_learner: Any) -> None:
    parsed = parse_package((FIXTURES / "git-basics.json").read_bytes())
    with store.write() as session:
        packages.store_parsed(
            session, parsed, origin="server", server="http://127.0.0.1:1", tenant_id="t-north"
        )
    ana, chen = make_learner("ana", "t-north"), make_learner("chen", "t-south")
    assert search(store, ana, "git").hits
    assert not search(store, chen, "git").hits


def test_catalog_course_not_downloaded_is_found_by_title(store: Store, make_learner: Any) -> None:
    ana = make_learner("ana")
    with store.write() as session:
        session.add(
            CatalogEntry(
                server=ana.server, tenantId="t-north", courseId="rust-101",
                title="Rust für Anfänger",
                version=1, seenAt=utcnow(),
            )
        )  # fmt: skip
    results = search(store, ana, "FUR anfanger")
    assert _found(results) == [("rust-101", None)] and results.hits[0].title_only


def test_newest_version_only_and_removal_empties_the_index(store: Store, guest: Profile) -> None:
    raw = (FIXTURES / "git-basics.json").read_bytes()
    packages.import_bytes(store, raw)
    data = json.loads(raw)
    data.update(version=3, id="pkg_git_v3")
    data["lessons"][0]["title"] = "Zebra crossings"
    packages.import_bytes(store, json.dumps(data).encode())
    assert _found(search(store, guest, "zebra")) == [("git-basics", 0)]
    assert not [h for h in search(store, guest, "Why version control").hits if h.lesson_index == 0]
    with store.write() as session:
        session.exec(delete(StoredPackage))
    assert not search(store, guest, "git").hits
    with store.read() as session:
        assert session.exec(select(SearchDoc)).first() is None
    conn = sqlite3.connect(store.path)
    assert conn.execute(
        "SELECT count(*) FROM searchwords WHERE searchwords MATCH 'git'"
    ).fetchone() == (0,)
    assert conn.execute("INSERT INTO searchwords(searchwords) VALUES ('integrity-check')")


def test_packages_stored_before_the_index_are_indexed_on_first_search(
    library: Store, guest: Profile
) -> None:
    with library.write() as session:
        session.exec(delete(SearchDoc))
    assert ensure_indexed(library) == 6
    assert ensure_indexed(library) == 0
    assert search(library, guest, "repository").hits


def test_a_failed_import_leaves_the_index_as_it_was(store: Store, guest: Profile) -> None:
    raw = (FIXTURES / "git-basics.json").read_bytes()
    packages.import_bytes(store, raw)
    with store.read() as session:
        before = len(list(session.exec(select(SearchDoc))))
    data = json.loads(raw)
    data["title"] = "Other bytes, same version"
    with pytest.raises(Exception, match="different content"):
        packages.import_bytes(store, json.dumps(data).encode())
    with store.read() as session:
        assert len(list(session.exec(select(SearchDoc)))) == before
    assert not search(store, guest, "Other bytes").hits
