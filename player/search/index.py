"""Writing the search index, inside the caller's write transaction.

``index_package`` is called by ``player.services.packages.store_parsed`` for every new stored
version (file import, bundled sample, download by sync), so the package and its index rows are
committed together or not at all. Deleting a ``storedpackage`` row deletes its documents (a
trigger of the store), whichever service removes it.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import exists, insert
from sqlmodel import Session, select

from player.package import CoursePackage
from player.search.extract import COURSE_DOC, documents
from player.search.fold import mark_boundaries, unspaced_words
from player.store.models import SearchDoc, StoredPackage

log = logging.getLogger(__name__)


def index_package(session: Session, stored: StoredPackage, package: CoursePackage) -> None:
    """Add the documents of one stored version (``stored`` must have its id: flush first)."""
    assert stored.id is not None
    rows = [
        {
            "packageRowId": stored.id,
            "courseId": stored.courseId,
            "lessonIdx": doc.lesson_idx,
            "title": doc.title,
            "body": doc.body,
            "gramsTitle": unspaced_words(doc.title),
            "gramsBody": unspaced_words(doc.body),
        }
        for doc in documents(package)
    ]
    session.execute(insert(SearchDoc), rows)
    log.debug("indexed %s v%d: %d documents", stored.courseId, stored.version, len(rows))


def index_title_only(session: Session, stored: StoredPackage) -> None:
    """The course document alone, for a stored package that cannot be read any more."""
    assert stored.id is not None
    session.add(
        SearchDoc(
            packageRowId=stored.id,
            courseId=stored.courseId,
            lessonIdx=COURSE_DOC,
            title=mark_boundaries(stored.title),
            body="",
            gramsTitle=unspaced_words(mark_boundaries(stored.title)),
        )
    )


def _unindexed() -> Any:
    indexed = select(SearchDoc.id).where(SearchDoc.packageRowId == StoredPackage.id)
    return ~exists(indexed)


def has_unindexed(session: Session) -> bool:
    """Whether a stored version has no documents (one probe of an index per stored version)."""
    return session.exec(select(StoredPackage.id).where(_unindexed()).limit(1)).first() is not None


def unindexed_packages(session: Session) -> list[StoredPackage]:
    """Stored versions without documents (stored before this player had a search index)."""
    return list(session.exec(select(StoredPackage).where(_unindexed())))
