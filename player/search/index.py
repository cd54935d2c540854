"""Writing the search index, inside the caller's write transaction.

Two steps, so that the slow one runs outside any transaction: ``prepare_index`` extracts and
folds a package's text (milliseconds a course: Markdown, the sanitizer), wherever the package was
parsed (a sync download worker, an import before its write); ``write_index`` only inserts the
rows, inside the write transaction of ``player.services.packages.store_parsed`` (file import,
bundled sample, download by sync), so the package and its index rows are committed together or
not at all. Deleting a ``storedpackage`` row deletes its documents (a trigger of the store),
whichever service removes it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, insert
from sqlmodel import Session, select

from player.package import ParsedPackage
from player.search.extract import COURSE_DOC, documents
from player.search.fold import folded_copy, mark_boundaries, unspaced_words
from player.store.models import SearchDoc, StoredPackage

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PreparedIndex:
    """The index rows of one package, extracted before its write transaction."""

    sha256: str  # the package they were made from
    rows: tuple[dict[str, object], ...]  # ``SearchDoc`` columns, without the stored row's


def prepare_index(parsed: ParsedPackage) -> PreparedIndex:
    """Extract and fold the text of ``parsed`` for the index (no store, no transaction)."""
    rows: tuple[dict[str, object], ...] = tuple(
        {
            "lessonIdx": doc.lesson_idx,
            "title": doc.title,
            "body": doc.body,
            "gramsTitle": unspaced_words(doc.title),
            "gramsBody": unspaced_words(doc.body),
            "foldTitle": folded_copy(doc.title),
            "foldBody": folded_copy(doc.body),
        }
        for doc in documents(parsed.package)
    )
    return PreparedIndex(parsed.sha256, rows)


def write_index(session: Session, stored: StoredPackage, prepared: PreparedIndex) -> None:
    """Insert the documents of one stored version (``stored`` must have its id: flush first)."""
    assert stored.id is not None
    if prepared.sha256 != stored.sha256:
        raise ValueError("the index rows were prepared from another package")
    extra = {"packageRowId": stored.id, "courseId": stored.courseId}
    if prepared.rows:  # (an empty list would insert one row of defaults)
        session.execute(insert(SearchDoc), [{**row, **extra} for row in prepared.rows])
    log.debug("indexed %s v%d: %d documents", stored.courseId, stored.version, len(prepared.rows))


def index_title_only(session: Session, stored: StoredPackage) -> None:
    """The course document alone, for a stored package that cannot be read any more."""
    assert stored.id is not None
    title = mark_boundaries(stored.title)
    session.add(
        SearchDoc(
            packageRowId=stored.id,
            courseId=stored.courseId,
            lessonIdx=COURSE_DOC,
            title=title,
            body="",
            gramsTitle=unspaced_words(title),
            foldTitle=folded_copy(title),
        )
    )


def _unindexed() -> Any:
    indexed = select(SearchDoc.id).where(SearchDoc.packageRowId == StoredPackage.id)
    return ~exists(indexed)


def unindexed_packages(session: Session) -> list[StoredPackage]:
    """Stored versions without documents (stored before this player had a search index)."""
    return list(session.exec(select(StoredPackage).where(_unindexed())))
