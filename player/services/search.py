"""Full-text search over the courses one learner may see, ranked, with snippets.

The same access rules as everywhere (``player.services.access``): the newest stored version of
every course visible to the learner is searched; a course the learner may open is found by its
titles, objectives and lesson text; a course they may not open (paid, not bought; lease ended) and
a catalog course not downloaded yet are found by their title only, so lesson text of a closed
course never appears in their results. A learner's words are never query syntax
(``player.search.query``). Results are ranked by bm25, titles weighing more than body text.
"""

from __future__ import annotations

import json
import logging
import weakref
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from player import foreground
from player.errors import PackageError
from player.origin import LOCAL
from player.package import parse_package
from player.search.extract import COURSE_DOC
from player.search.fold import ZWSP, Snippet, find_spans, fold, snippet
from player.search.index import (
    PreparedIndex,
    index_title_only,
    prepare_index,
    unindexed_packages,
    write_index,
)
from player.search.query import ParsedQuery, grams_match, like_pattern, parse_query, words_match
from player.services.access import (
    AccessSnapshot,
    CourseKey,
    LabServer,
    PackageRow,
    catalog_titles,
    lab_packages,
    visible_package_rows,
)
from player.store.db import Store
from player.store.models import PackageBlob, Profile, StoredPackage

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 50
INDEX_BATCH = 50  # stored versions extracted between two write transactions (``ensure_indexed``)

# Stores whose older packages were indexed by this process (``ensure_indexed``); packages stored
# later are indexed as they are stored.
_indexed_stores: weakref.WeakSet[Store] = weakref.WeakSet()
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0
TITLE_TIER, BODY_TIER = 0, 1
# bm25 costs about a microsecond a matching document: words found in almost every lesson of a
# large library would be scored over thousands of documents. Documents matching in their title
# are always all ranked; of the others, the newest RANK_CAP are (docs/search.md, "Ranking").
RANK_CAP = 2000
# The scopes of the last searches, per store (``_cached_scope``): one per pooled connection and
# learner is plenty.
SCOPE_CACHE = 8
_scopes: weakref.WeakKeyDictionary[Store, dict[tuple[object, ...], _Scope]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True, slots=True)
class SearchHit:
    course_id: str
    course_title: str
    lesson_index: int | None  # None: the course itself (its title or summary) matched
    lesson_title: str
    snippet: Snippet
    title_only: bool = False  # found by its title only: not open to the learner, or not here
    score: float = 0.0  # bm25 within its tier: lower is better
    tier: int = 0  # TITLE_TIER (every word in its title) comes before BODY_TIER

    @property
    def rank(self) -> tuple[int, float]:
        """The order of results: tier, then score."""
        return self.tier, self.score


@dataclass(frozen=True, slots=True)
class SearchResults:
    text: str
    pieces: tuple[str, ...]  # folded words to highlight (``player.search.fold.find_spans``)
    hits: tuple[SearchHit, ...] = ()

    def by_course(self) -> list[list[SearchHit]]:
        """The hits grouped by course, the courses in the order of their best hit."""
        groups: dict[str, list[SearchHit]] = {}
        for hit in self.hits:
            groups.setdefault(hit.course_id, []).append(hit)
        return list(groups.values())


class VisibleVersion(NamedTuple):
    """The newest version of a course the learner sees: its row, how the course is addressed."""

    id: int
    course_id: str  # as ``LearnService`` addresses it (``file:ID`` when a server has ID too)
    version: int
    title: str


@dataclass(frozen=True, slots=True)
class _Scope:
    readable: dict[int, VisibleVersion]  # package row id → the newest visible version
    locked: dict[int, VisibleVersion]
    others: list[int]  # every other stored package row: older versions, other tenants'
    catalog_titles: dict[str, str]  # course id → title, for catalog courses not stored


def search(
    store: Store,
    profile: Profile,
    query_text: str,
    *,
    limit: int = DEFAULT_LIMIT,
    lab: LabServer | None = None,
) -> SearchResults:
    """Search every course ``profile`` may see; never raises for any text the learner types.

    ``lab``: the lab policy's server, whose stored courses every learner sees as "sign in to
    open" (``player.services.access.LabServer``): found by their course title only.
    """
    query = parse_query(query_text)
    if query.empty:
        return SearchResults(query_text, query.pieces)
    if store not in _indexed_stores:
        ensure_indexed(store)
        _indexed_stores.add(store)
    with store.read() as session:
        scope = _cached_scope(store, session, profile, lab)
        hits = [
            *_lesson_hits(session, query, scope, limit=limit, title_only=False),
            *_lesson_hits(session, query, scope, limit=limit, title_only=True),
        ]
    hits.sort(key=lambda hit: hit.rank)
    hits = hits[:limit]
    hits.extend(_catalog_hits(query, scope.catalog_titles)[: max(0, limit - len(hits))])
    return SearchResults(query_text, query.pieces, tuple(hits))


def ensure_indexed(store: Store, *, batch: int = INDEX_BATCH) -> int:
    """Index the stored versions that have no documents yet; return how many were indexed.

    Packages stored by a player without a search index, or before the index was rebuilt (store
    version 11 folds accents in every script), get their documents on the first search. Their
    text is extracted outside any transaction, ``batch`` versions at a time, and each write
    transaction only inserts the rows of versions that are still stored and still unindexed.
    """
    count = 0
    done: set[int] = set()  # versions seen, so that one that cannot be indexed is tried once
    while True:
        with store.read() as session:
            pending = [
                (stored.id, stored.sha256, stored.courseId, stored.version)
                for stored in unindexed_packages(session)
                if stored.id not in done
            ][:batch]
            blobs = {sha: session.get(PackageBlob, sha) for _, sha, _, _ in pending}
            data = {sha: blob.data for sha, blob in blobs.items() if blob is not None}
        if not pending:
            break
        prepared: dict[int, PreparedIndex | None] = {}
        for row_id, sha256, course_id, version in pending:
            assert row_id is not None
            done.add(row_id)
            foreground.pause()  # indexing in the background: the learner's reads go first
            try:
                if sha256 not in data:
                    raise PackageError(sha256)
                parsed = parse_package(data[sha256], expected_sha256=sha256)
            except PackageError:
                log.warning("stored %s v%d cannot be read: title only", course_id, version)
                prepared[row_id] = None
            else:
                prepared[row_id] = prepare_index(parsed)
        with store.write() as session:
            still = {stored.id: stored for stored in unindexed_packages(session)}
            for row_id, rows in prepared.items():
                stored = still.get(row_id)
                if stored is None:  # removed, or indexed by another writer meanwhile
                    continue
                if rows is None or rows.sha256 != stored.sha256:
                    index_title_only(session, stored)
                else:
                    write_index(session, stored, rows)
                count += 1
    if count:
        log.info("indexed %d stored versions", count)
    return count


def _cached_scope(
    store: Store, session: Session, profile: Profile, lab: LabServer | None = None
) -> _Scope:
    """``_scope``, computed again only when the data or the learner's access changed.

    A learner types a query a letter at a time; each search would otherwise read and judge
    every stored version again (thousands of rows and objects a query, and the garbage
    collections they bring). The key is the store's ``data_stamp`` (any commit changes it), the
    learner, and their access snapshot (loaded every time: a lease ends with the clock).
    """
    snapshot = AccessSnapshot.load(session, profile)
    key = (
        profile.id,
        profile.server,
        profile.tenantId,
        store.data_stamp(session),
        frozenset(snapshot.products),
        frozenset(snapshot.purchased),
        frozenset(snapshot.enrolled),
        frozenset(snapshot.enrolled_files),
        snapshot.lease_expired,
        lab,
    )
    cache = _scopes.setdefault(store, {})
    scope = cache.get(key)
    if scope is None:
        scope = _scope(session, profile, snapshot, lab)
        if len(cache) >= SCOPE_CACHE:
            del cache[next(iter(cache))]  # the oldest
        cache[key] = scope
    return scope


def _scope(
    session: Session, profile: Profile, snapshot: AccessSnapshot, lab: LabServer | None = None
) -> _Scope:
    """The newest visible version of each course, split by the access rules (as ``LearnService``
    lists them: a course is its server and its id; ``file:ID`` addresses a file's course when a
    server course has the same id). The lab server's courses the learner sees as "sign in to
    open" are locked: found by their title only; the learner's own server course wins its id.

    It runs for every query (a learner types on): plain rows, no ORM objects.
    """
    latest: dict[tuple[str, str], PackageRow] = {}
    for package in visible_package_rows(session, profile):
        key = (package.server, package.courseId)
        current = latest.get(key)
        if current is None or package.version > current.version:
            latest[key] = package
    offered = catalog_titles(session, profile)
    server_ids = {course for server, course in latest.keys() | offered.keys() if server != LOCAL}
    lab_latest: dict[str, StoredPackage] = {}
    for stored in lab_packages(session, profile, lab):
        if stored.courseId in server_ids:
            continue
        newest = lab_latest.get(stored.courseId)
        if newest is None or stored.version > newest.version:
            lab_latest[stored.courseId] = stored
    server_ids |= lab_latest.keys()

    def address(server: str, course_id: str) -> str:
        if server == LOCAL and course_id in server_ids:
            return CourseKey(server, course_id).ref
        return course_id

    readable: dict[int, VisibleVersion] = {}
    locked: dict[int, VisibleVersion] = {}
    for (server, course_id), package in latest.items():
        access = snapshot.access(course_id, package.title, server)
        version = VisibleVersion(
            package.id, address(server, course_id), package.version, package.title
        )
        (readable if access.can_read else locked)[package.id] = version
    for course_id, stored in lab_latest.items():
        assert stored.id is not None
        if stored.id not in readable:
            locked[stored.id] = VisibleVersion(stored.id, course_id, stored.version, stored.title)
    rows = session.connection().execute(text("SELECT id FROM storedpackage")).scalars().all()
    others = [row for row in rows if row not in readable and row not in locked]
    titles = {address(*key): title for key, title in offered.items() if key not in latest}
    return _Scope(readable, locked, others, titles)


def _lesson_hits(
    session: Session, query: ParsedQuery, scope: _Scope, *, limit: int, title_only: bool
) -> list[SearchHit]:
    """Ranked hits in the readable packages, or in the course titles of the locked ones."""
    packages = scope.locked if title_only else scope.readable
    if not packages:
        return []
    connection = session.connection()

    def run(*, titles: bool, count: int, cap: int | None = None) -> list[tuple[int, float]]:
        sql, params = _ranked_sql(
            query, scope, limit=count, locked=title_only, titles=titles, cap=cap
        )
        try:
            return [(row.id, row.score) for row in connection.execute(text(sql), params)]
        except OperationalError:  # pragma: no cover - every query is built from FTS5 strings
            log.exception("search query failed: %r", sql)
            return []

    like_only = not (query.words or query.grams)  # its score already puts titles first
    if like_only:
        ranked = [(doc_id, score, TITLE_TIER) for doc_id, score in run(titles=False, count=limit)]
    else:
        ranked = [(doc_id, score, TITLE_TIER) for doc_id, score in run(titles=True, count=limit)]
    if not title_only and not like_only and len(ranked) < limit:
        first = {doc_id for doc_id, _, _ in ranked}
        rest = run(titles=False, count=limit + len(first), cap=RANK_CAP)
        rest = [row for row in rest if row[0] not in first]
        ranked += [(doc_id, score, BODY_TIER) for doc_id, score in rest[: limit - len(ranked)]]
    if not ranked:
        return []
    column = "title" if title_only else "body"
    docs = {
        row.id: row
        for row in connection.execute(
            text(
                f"SELECT id, packageRowId, lessonIdx, title, {column} AS shown FROM searchdoc "
                "WHERE id IN (SELECT value FROM json_each(:ids))"
            ),
            {"ids": json.dumps([doc_id for doc_id, _, _ in ranked])},
        )
    }
    pieces = list(query.pieces)
    hits = []
    for doc_id, score, tier in ranked:
        doc = docs[doc_id]
        package = packages[doc.packageRowId]
        title = doc.title.replace(ZWSP, "")
        lesson_index = None if doc.lessonIdx == COURSE_DOC else doc.lessonIdx
        shown = snippet(doc.shown, pieces)
        if not shown.has_match:
            shown = snippet(title, pieces)
        hits.append(
            SearchHit(
                course_id=package.course_id,
                course_title=package.title,
                lesson_index=lesson_index,
                lesson_title=title if lesson_index is not None else package.title,
                snippet=shown,
                title_only=title_only,
                score=float(score),
                tier=tier,
            )
        )
    return hits


def _ranked_sql(
    query: ParsedQuery,
    scope: _Scope,
    *,
    limit: int,
    locked: bool,
    titles: bool,
    cap: int | None = None,
) -> tuple[str, dict[str, Any]]:
    """(document id, score) of the best ``limit`` documents, best first.

    Documents are chosen by their package: those of the learner's readable packages (all their
    documents) or of the locked ones (``locked``: the course document only, matched on its
    title). ``titles``: only documents with every word in their title. ``cap``: rank only the
    newest ``cap`` matching documents. The condition is written on the documents' rowids, with
    the shorter of the two lists (the packages to keep, or the ones to leave out), so that FTS5
    ranks without a join.
    """
    params: dict[str, Any] = {"limit": limit}
    if locked:
        params["keep"] = json.dumps(list(scope.locked))
        where = [
            "{rowid} IN (SELECT id FROM searchdoc WHERE lessonIdx = -1 AND packageRowId IN "
            "(SELECT value FROM json_each(:keep)))"
        ]
    else:
        leave_out = [*scope.locked, *scope.others]
        if len(leave_out) < len(scope.readable):
            params["leave"] = json.dumps(leave_out)
            where = [
                "{rowid} NOT IN (SELECT id FROM searchdoc WHERE packageRowId IN "
                "(SELECT value FROM json_each(:leave)))"
            ] if leave_out else []  # fmt: skip
        else:
            params["keep"] = json.dumps(list(scope.readable))
            where = [
                "{rowid} IN (SELECT id FROM searchdoc WHERE packageRowId IN "
                "(SELECT value FROM json_each(:keep)))"
            ]
    words = words_match(query, title_only=titles)
    grams = grams_match(query, title_only=titles)
    if words is not None:
        source, rowid = "searchwords", "searchwords.rowid"
        where.append("searchwords MATCH :words")
        score = f"bm25(searchwords, {TITLE_WEIGHT}, {BODY_WEIGHT})"
        params["words"] = words
        if grams is not None:
            where.append(
                "{rowid} IN (SELECT rowid FROM searchgrams WHERE searchgrams MATCH :grams)"
            )
            params["grams"] = grams
    elif grams is not None:
        source, rowid = "searchgrams", "searchgrams.rowid"
        where.append("searchgrams MATCH :grams")
        score = f"bm25(searchgrams, {TITLE_WEIGHT}, {BODY_WEIGHT})"
        params["grams"] = grams
    else:
        source, rowid = "searchdoc", "searchdoc.id"
        score = "CASE WHEN gramsTitle LIKE :short0 ESCAPE '\\' THEN -2.0 ELSE -1.0 END"
    for number, word in enumerate(query.shorts):
        name = f"short{number}"
        params[name] = like_pattern(word)
        like = f"LIKE :{name} ESCAPE '\\'"
        where.append(
            f"{rowid} IN (SELECT id FROM searchdoc WHERE gramsTitle {like}"
            + ("" if titles else f" OR gramsBody {like}")
            + ")"
        )
    # On an FTS5 table, ``rowid IN (…)`` would be handed to FTS5 as the way to find rows: it then
    # looks up every listed rowid against the MATCH (seconds over thousands of documents).
    # ``+rowid`` makes it a plain filter on the rows MATCH found.
    filter_rowid = rowid if source == "searchdoc" else f"+{rowid}"
    condition = " AND ".join(where).replace("{rowid}", filter_rowid)
    if cap is None:
        sql = (
            f"SELECT {rowid} AS id, {score} AS score FROM {source} WHERE {condition} "
            f"ORDER BY score, {rowid} LIMIT :limit"
        )
    else:  # score only the newest ``cap`` matches (FTS5 walks rowids in order, cheaply)
        params["cap"] = cap
        sql = (
            f"SELECT id, score FROM (SELECT {rowid} AS id, {score} AS score FROM {source} "
            f"WHERE {condition} ORDER BY {rowid} DESC LIMIT :cap) "
            "ORDER BY score, id LIMIT :limit"
        )
    return sql, params


def _catalog_hits(query: ParsedQuery, titles: dict[str, str]) -> list[SearchHit]:
    """Catalog courses not downloaded: found when every word is in their title."""
    hits = []
    for course_id, title in sorted(titles.items(), key=lambda item: fold(item[1])):
        if all(find_spans(title, [piece]) for piece in query.pieces):
            hits.append(
                SearchHit(
                    course_id=course_id,
                    course_title=title,
                    lesson_index=None,
                    lesson_title=title,
                    snippet=snippet(title, list(query.pieces)),
                    title_only=True,
                )
            )
    return hits
