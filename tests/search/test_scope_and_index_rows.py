"""What keeps search fast stays correct: the cached scope follows every change of the data,
filtering by access over many courses, and index text extracted outside write transactions."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlmodel import Session

from player.origin import normalize_origin
from player.package import parse_package
from player.search import index as search_index
from player.search.extract import Document, html_search_text
from player.services import packages, profiles, storage
from player.services.access import LabServer
from player.services.search import SearchResults, search
from player.store.db import Store
from player.store.models import Profile
from tests.conftest import FIXTURES, TEST_SERVER

OTHER_SERVER = "http://127.0.0.1:1"


def _found(results: SearchResults) -> list[tuple[str, int | None]]:
    return [(hit.course_id, hit.lesson_index) for hit in results.hits]


def _course(course_id: str, title: str, text: str, *, version: int = 1) -> bytes:
    data = json.loads((FIXTURES / "git-basics.json").read_bytes())
    data.update(id=f"pkg_{course_id}_v{version}", courseId=course_id, title=title, version=version)
    data["lessons"] = data["lessons"][:1]
    data["lessons"][0]["blocks"] = [{"type": "paragraph", "text": text}]
    return json.dumps(data).encode()


def test_the_cached_scope_follows_imports_and_removals(store: Store, guest: Profile) -> None:
    assert not search(store, guest, "zebra").hits
    packages.import_bytes(store, _course("zoo-a", "Zoo A", "A zebra crossing."))
    assert _found(search(store, guest, "zebra")) == [("zoo-a", 0)]
    storage.remove_course(store, guest, "zoo-a")
    assert not search(store, guest, "zebra").hits
    # The next course takes the removed row's id (SQLite reuses the largest rowid): a scope kept
    # from before would call it "zoo-a".
    packages.import_bytes(store, _course("zoo-b", "Zoo B", "Another zebra."))
    results = search(store, guest, "zebra")
    assert _found(results) == [("zoo-b", 0)]
    assert results.hits[0].course_title == "Zoo B"


def test_the_cached_scope_follows_another_process(store: Store, guest: Profile) -> None:
    packages.import_bytes(store, _course("zoo-a", "Zoo A", "A zebra crossing."))
    assert search(store, guest, "zebra").hits
    other = sqlite3.connect(store.path)  # another process's connection (the command line)
    other.execute("PRAGMA foreign_keys=ON")
    other.execute("DELETE FROM storedpackage")
    other.commit()
    other.close()
    assert not search(store, guest, "zebra").hits


def test_data_stamp_changes_with_every_commit(store: Store) -> None:
    def stamp() -> tuple[int, int, int]:
        with store.read() as session:
            session.connection().exec_driver_sql("SELECT 1 FROM storedpackage LIMIT 1")
            return store.data_stamp(session)

    first = stamp()
    assert stamp() == first  # nothing changed
    packages.import_bytes(store, _course("zoo-a", "Zoo A", "text"))
    second = stamp()
    assert second != first
    other = sqlite3.connect(store.path)
    other.execute("UPDATE storedpackage SET title = 'changed'")
    other.commit()
    other.close()
    assert stamp() != second


def _store_other_server(store: Store, course_id: str, text: str) -> None:
    parsed = parse_package(_course(course_id, course_id.title(), text))
    with store.write() as session:
        packages.store_parsed(
            session, parsed, origin="server", server=OTHER_SERVER, tenant_id="t-other"
        )


@pytest.mark.parametrize("hidden", [1, 6])  # fewer hidden than readable courses, and more
def test_access_filter_over_many_courses(store: Store, guest: Profile, hidden: int) -> None:
    for number in range(3):
        packages.import_bytes(store, _course(f"mine-{number}", f"Mine {number}", "Shared words."))
    for number in range(hidden):
        _store_other_server(store, f"theirs-{number}", "Shared words, not for the guest.")
    found = _found(search(store, guest, "shared words"))
    assert sorted(found) == [(f"mine-{n}", 0) for n in range(3)]
    assert not search(store, guest, "guest").hits


@contextmanager
def _extraction_watch(monkeypatch: pytest.MonkeyPatch, store: Store) -> Iterator[list[bool]]:
    """Records, for each package whose text is extracted, whether its thread was inside a
    write transaction of ``store`` at that moment."""
    writers: set[int] = set()
    inside: list[bool] = []
    original_write = store.write
    original_documents = search_index.documents

    @contextmanager
    def write() -> Iterator[Session]:
        writers.add(threading.get_ident())
        try:
            with original_write() as session:
                yield session
        finally:
            writers.discard(threading.get_ident())

    def documents(package: Any) -> list[Document]:
        inside.append(threading.get_ident() in writers)
        return original_documents(package)

    monkeypatch.setattr(store, "write", write)
    monkeypatch.setattr(search_index, "documents", documents)
    yield inside


def test_an_import_extracts_text_before_its_write_transaction(
    store: Store, guest: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _extraction_watch(monkeypatch, store) as inside:
        packages.import_bytes(store, _course("zoo-a", "Zoo A", "A zebra crossing."))
    assert inside == [False]
    assert _found(search(store, guest, "zebra")) == [("zoo-a", 0)]


def test_index_rows_belong_to_their_package(store: Store) -> None:
    one = parse_package(_course("zoo-a", "Zoo A", "one"))
    two = parse_package(_course("zoo-b", "Zoo B", "two"))
    with pytest.raises(ValueError), store.write() as session:
        packages.store_parsed(session, one, origin="file", index=packages.index_rows(two))
    with store.read() as session:
        assert (
            session.connection().exec_driver_sql("SELECT count(*) FROM storedpackage").scalar_one()
            == 0
        )


def test_html_search_text_keeps_words_and_drops_code() -> None:
    text = html_search_text(
        '<p>un<b>believ</b>able &amp; &lt;tag&gt;</p><script>alert("s3cret")</script>'
        "<style>.x{color:red}</style><ul><li>one</li><li>two</li></ul>"
        '<img src="a.png" alt="a &quot;cat&quot;" onerror="evil()">'
        '<a href="https://example.org/hidden-target" onclick="evil()">link</a>'
        '<p title="tooltip">x</p><table><tr><td>c1</td><td>c2</td></tr></table>'
    )
    assert "unbelievable & <tag>" in text
    assert text.split() == ["unbelievable", "&", "<tag>", "one", "two", "a", '"cat"', "link",
                            "x", "c1", "c2"]  # fmt: skip
    for hidden in ("s3cret", "color", "evil", "hidden-target", "tooltip", "a.png"):
        assert hidden not in text


def test_the_lab_servers_courses_are_found_by_title_only(served: Store, make_learner: Any) -> None:
    """On a lab machine every learner sees the lab server's courses as "sign in to open": the
    search finds them by their course title, never by their lesson text."""
    lab = LabServer(normalize_origin(TEST_SERVER), "t-north")
    for who in (profiles.ensure_guest(served), make_learner("dan", server="https://o.example")):
        assert not search(served, who, "git basics").hits  # without the lab policy: not seen
        results = search(served, who, "git basics", lab=lab)
        assert _found(results) == [("git-basics", None)] and results.hits[0].title_only
        assert not search(served, who, "repository", lab=lab).hits  # lesson text: never
        assert not search(served, who, "git basics", lab=LabServer("https://x.example")).hits
