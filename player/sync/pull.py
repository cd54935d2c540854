"""Download: the catalog, entitlements, products, course packages and progress.

Packages are fetched by a few worker threads over the one keep-alive client, verified
(``parse_package`` with the catalog's sha256) and stored by this thread in batches of write
transactions, one SAVEPOINT per package: a package is stored whole or not at all, beside the
versions already on the machine.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from player import foreground
from player.errors import (
    InvalidPackage,
    PackageError,
    ServerAnswerInvalid,
    ServerRefused,
    ServerUnavailable,
)
from player.i18n import _
from player.package import ParsedPackage, parse_package
from player.package.signature import Signature, parse_header, verify
from player.safe_text import one_line
from player.services import keys, packages, storage
from player.services.access import AccessSnapshot
from player.services.packages import PreparedIndex
from player.store.models import (
    DownloadIssue,
    Enrollment,
    Purchase,
    StoredPackage,
    SyncState,
)
from player.sync import merge
from player.sync.client import ENTITLEMENTS, PROGRESS_SINCE
from player.sync.report import CATALOG, DOWNLOAD, PRODUCTS, PROGRESS
from player.sync.report import ENTITLEMENTS as ENTITLEMENTS_STAGE
from player.sync.run import Run
from player.sync.wire import CatalogCourse, PackageAnswer

log = logging.getLogger(__name__)

FORBIDDEN, FAILED = "forbidden", "failed"


# --- catalog, entitlements, products ---------------------------------------------------------


def pull_catalog(run: Run) -> None:
    run.progress(CATALOG, 0, 1, _("Fetching the catalog"))
    courses = run.client.courses()
    merge.store_catalog(run.store, run.profile, courses, run.now())
    run.catalog = courses
    run.progress(CATALOG, 1, 1, "")


def pull_entitlements(run: Run) -> None:
    if ENTITLEMENTS in run.client.missing:
        return
    run.progress(ENTITLEMENTS_STAGE, 0, 1, _("Fetching what you may open"))
    try:
        ent = run.client.entitlements()
    except ServerRefused as error:
        if error.status != 404:
            raise
        # An older server: entitlements are derived from enroll answers and course downloads.
        log.info("the server has no entitlements endpoint; deriving them")
        run.client.missing.add(ENTITLEMENTS)
        return
    with run.store.write() as session:
        merge.apply_entitlements(session, run.profile, ent, run.now())
    run.issued_at = ent.issued_at


def pull_products(run: Run) -> None:
    run.progress(PRODUCTS, 0, 1, _("Fetching the store"))
    products = run.client.products()
    with run.store.write() as session:
        merge.replace_products(session, run.profile, products)


# --- packages --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Job:
    course: CatalogCourse
    etag: str | None


@dataclass(slots=True)
class _Outcome:
    job: _Job
    answer: PackageAnswer | None = None
    parsed: ParsedPackage | None = None
    error: Exception | None = None
    signature: Signature | None = None
    index: PreparedIndex | None = None  # its search index rows, extracted by the worker


def download_courses(run: Run, only: set[str] | None = None) -> None:
    """Fetch and store the packages the learner may open that are missing or out of date
    (``only``: just these courses)."""
    if run.catalog is None:
        return
    with run.store.read() as session:
        run.signing_keys = keys.known_keys(session, run.profile.server)
    catalog = run.catalog if only is None else [c for c in run.catalog if c.id in only]
    jobs = _plan(run, catalog)
    total = len(jobs)
    run.progress(DOWNLOAD, 0, total, _("Downloading courses"))
    if not jobs:
        return
    batch: list[_Outcome] = []
    batch_bytes = 0
    done = 0
    try:
        for outcome in _fetch_all(run, jobs):
            done += 1
            batch.append(outcome)
            if outcome.answer is not None and outcome.answer.body is not None:
                batch_bytes += len(outcome.answer.body)
            # Short write transactions (a count and a size): a learner's action never waits
            # long for the sync (docs/store.md).
            if len(batch) >= run.policy.store_every or batch_bytes >= run.policy.store_bytes:
                foreground.pause()  # not inside the transaction: the learner's writes go on
                _store_batch(run, batch)
                batch = []
                batch_bytes = 0
            run.progress(DOWNLOAD, done, total, outcome.job.course.title)
    finally:
        # Whatever was downloaded and verified is kept, even when the run stops (cancel, a
        # 401, the network gone): the next sync does not fetch it again.
        _store_batch(run, batch)


def _plan(run: Run, catalog: list[CatalogCourse]) -> list[_Job]:
    """The courses to fetch: those the learner may open whose version or sha256 is not stored."""
    profile = run.profile
    derive = ENTITLEMENTS in run.client.missing
    with run.store.read() as session:
        snapshot = AccessSnapshot.load(session, profile)
        stored: dict[str, dict[int, str]] = {}
        for course_id, version, sha, kid in session.exec(
            select(
                StoredPackage.courseId,
                StoredPackage.version,
                StoredPackage.sha256,
                StoredPackage.sigKid,
            ).where(
                StoredPackage.server == profile.server,
                StoredPackage.tenantKey == profile.tenantId,
            )
        ):
            if kid is not None and run.signing_keys and kid not in run.signing_keys:
                continue  # signed by a key no longer trusted: fetched again (its new signature)
            stored.setdefault(course_id, {})[version] = sha
        removed = storage.removed_courses(session, profile.server, profile.tenantId)
        issues = {
            i.courseId: i
            for i in session.exec(
                select(DownloadIssue).where(DownloadIssue.profileId == profile.id)
            )
        }
    run.download_issues = set(issues)
    jobs: list[_Job] = []
    for course in catalog:
        if course.id in removed:  # the learner removed it here: not until they ask again
            continue
        have = stored.get(course.id, {})
        if course.version in have and course.sha256 in (None, have[course.version]):
            run.report.courses_unchanged += 1
            continue
        access = snapshot.access(course.id, course.title)
        issue = issues.get(course.id)
        if not access.entitled and (
            (access.paid and not derive)
            or (issue is not None and issue.kind == FORBIDDEN and issue.version == course.version)
        ):
            run.report.courses_not_downloadable += 1
            continue
        etag = have.get(course.version) or (have[max(have)] if have else None)
        jobs.append(_Job(course, etag))
    return jobs


def _fetch_one(run: Run, job: _Job) -> _Outcome:
    outcome = _Outcome(job)
    try:
        foreground.pause()  # a lesson the learner opens goes first (player/foreground.py)
        outcome.answer = run.client.course_package(job.course.id, job.etag)
        if outcome.answer.body is not None:
            foreground.pause()
            outcome.parsed = parse_package(outcome.answer.body, expected_sha256=job.course.sha256)
            if outcome.parsed.package.course_id != job.course.id:
                raise ServerAnswerInvalid(
                    _("The server sent course “{got}” when “{wanted}” was asked for.").format(
                        got=outcome.parsed.package.course_id, wanted=job.course.id
                    )
                )
            outcome.signature = _verified_signature(run, job, outcome.answer, outcome.parsed)
            # the text for the search index, here in the worker: the write transaction that
            # stores the package only inserts its rows (docs/store.md, "Sharing the store");
            # the extraction pauses before each lesson while the learner waits for a read
            outcome.index = packages.index_rows(outcome.parsed)
    except (PackageError, ServerRefused, ServerUnavailable, ServerAnswerInvalid) as error:
        # without its traceback: that holds this frame, whose ``outcome`` holds the error (a
        # cycle only the collector frees, perhaps on another thread); only the message is used
        outcome.error = error.with_traceback(None)
        outcome.parsed = outcome.index = None
    except Exception as error:  # one poisoned package never stops the others
        # Whatever a hostile package does to the parser (nesting deep enough for a
        # RecursionError, a MemoryError), it is that course's failure, reported, and the
        # rest of the sync goes on.
        log.warning(
            "course %s: the package could not be read (%s)",
            one_line(job.course.id, limit=200),
            type(error).__name__,
        )
        outcome.error = InvalidPackage(
            _("The server's copy of this course cannot be read; it was not stored.")
        )
        outcome.parsed = outcome.index = None
    return outcome


def _verified_signature(
    run: Run, job: _Job, answer: PackageAnswer, parsed: ParsedPackage
) -> Signature | None:
    """The package's signature, verified under the server's pinned keys (``SignatureInvalid``
    when it does not verify); None from a server this machine knows no keys for (unsigned)."""
    header = parse_header(answer.signature) if answer.signature else None
    if header is None and job.course.signature is not None:
        header = Signature(*job.course.signature)
    if not run.signing_keys:
        return header  # an unsigned server: kept as it came, marked unsigned when None
    verify(
        run.signing_keys,
        header,
        course_id=parsed.package.course_id,
        version=parsed.package.version,
        sha256=parsed.sha256,
    )  # the report names the course
    return header


def _fetch_all(run: Run, jobs: list[_Job]) -> Iterator[_Outcome]:
    """Outcomes in job order, with a bounded number of downloads in flight."""
    workers = max(1, run.policy.download_workers)
    if workers == 1:
        for job in jobs:
            run.check_cancel()
            yield _fetch_one(run, job)
            if run.report.online is False:
                return
        return
    window = workers * 2
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sync-download") as pool:
        pending: list[Future[_Outcome]] = []
        queue = iter(jobs)
        try:
            for job in queue:
                pending.append(pool.submit(_fetch_one, run, job))
                if len(pending) >= window:
                    break
            while pending:
                run.check_cancel()
                outcome = pending.pop(0).result()
                yield outcome
                if isinstance(outcome.error, ServerUnavailable) and outcome.error.kind == "offline":
                    return
                next_job = next(queue, None)
                if next_job is not None:
                    pending.append(pool.submit(_fetch_one, run, next_job))
        finally:
            for future in pending:
                future.cancel()


def _store_batch(run: Run, batch: list[_Outcome]) -> None:
    if not batch:
        return
    profile = run.profile
    now = run.now()
    with run.store.write() as session:
        for outcome in batch:
            # no pause in here: a read the learner waits for may write (a first search indexes
            # older packages) and would wait for this transaction's lock
            course = outcome.job.course
            error = outcome.error
            if error is None and outcome.parsed is not None:
                try:
                    with session.begin_nested():
                        result = packages.store_parsed(
                            session,
                            outcome.parsed,
                            origin="server",
                            server=profile.server,
                            tenant_id=profile.tenantId,
                            signature=outcome.signature,
                            index=outcome.index,
                        )
                        if merge_entitlement(run, session, course.id):
                            log.info("derived access to %s from its download", course.id)
                except PackageError as store_error:
                    error = store_error
                else:
                    _clear_issue(run, session, profile.id, course.id)
                    run.report.courses_downloaded += 1
                    log.info(
                        "stored %s v%d (created=%s)", course.id, result.version, result.created
                    )
                    continue
            if error is None:  # 304: what is stored is current
                _clear_issue(run, session, profile.id, course.id)
                run.report.courses_unchanged += 1
            elif isinstance(error, ServerRefused) and error.status == 403:
                _set_issue(run, session, profile.id, course, FORBIDDEN, str(error), now)
                run.report.courses_not_downloadable += 1
            elif isinstance(error, ServerUnavailable | ServerAnswerInvalid):
                run.transient("course", course.id, error)
            else:
                _set_issue(run, session, profile.id, course, FAILED, str(error), now)
                run.report.courses_failed += 1
                run.error(
                    "course",
                    course.id,
                    _("“{title}”: {reason}").format(title=course.title, reason=error),
                    final=True,
                )


def merge_entitlement(run: Run, session: Session, course_id: str) -> bool:
    """Against a server without entitlements, a served course is one the learner may open."""
    if ENTITLEMENTS not in run.client.missing:
        return False
    return merge.derive_enrollment(session, run.profile, course_id, run.now())


def _set_issue(
    run: Run,
    session: Session,
    profile_id: str,
    course: CatalogCourse,
    kind: str,
    message: str,
    now: datetime,
) -> None:
    run.download_issues.add(course.id)
    issue = session.get(DownloadIssue, (profile_id, course.id))
    if issue is None:
        issue = DownloadIssue(
            profileId=profile_id, courseId=course.id, kind=kind, version=course.version, at=now
        )
    issue.kind, issue.version, issue.message, issue.at = kind, course.version, message, now
    session.add(issue)


def _clear_issue(run: Run, session: Session, profile_id: str, course_id: str) -> None:
    if course_id not in run.download_issues:
        return
    run.download_issues.discard(course_id)
    session.exec(
        delete(DownloadIssue).where(
            col(DownloadIssue.profileId) == profile_id, col(DownloadIssue.courseId) == course_id
        )
    )


# --- progress --------------------------------------------------------------------------------


def pull_progress(run: Run) -> None:
    run.progress(PROGRESS, 0, 1, _("Fetching your progress"))
    if PROGRESS_SINCE not in run.client.missing:
        with run.store.read() as session:
            state = session.get(SyncState, run.profile.id)
            cursor = state.progressCursor if state is not None else None
        try:
            page = run.client.progress_since(cursor)
        except ServerRefused as error:
            if error.status != 404:
                raise
            log.info("the server has no progress?since endpoint; one request per course")
            run.client.missing.add(PROGRESS_SINCE)
        else:
            with run.store.write() as session:
                keep = merge.pending_progress_keys(session, run.profile)
                run.report.progress_merged += merge.apply_server_progress(
                    session, run.profile, page.items, keep
                )
                state = session.get(SyncState, run.profile.id) or SyncState(
                    profileId=run.profile.id, server=run.profile.server
                )
                state.progressCursor = page.cursor or cursor
                session.add(state)
            _refresh(run, sorted(run.refresh_courses))
            return
    _refresh(run, sorted(_open_courses(run) | run.refresh_courses))


def _open_courses(run: Run) -> set[str]:
    profile = run.profile
    with run.store.read() as session:
        enrolled = session.exec(
            select(Enrollment.courseId).where(
                Enrollment.server == profile.server,
                Enrollment.userId == profile.userId,
                Enrollment.tenantId == profile.tenantId,
            )
        ).all()
        bought = session.exec(
            select(Purchase.courseId).where(
                Purchase.server == profile.server,
                Purchase.userId == profile.userId,
                Purchase.tenantId == profile.tenantId,
            )
        ).all()
    return set(enrolled) | set(bought)


def _refresh(run: Run, course_ids: list[str]) -> None:
    """``GET /api/learn/progress/{courseId}`` for each course, merged (one course failing never
    stops the others)."""
    for index, course_id in enumerate(course_ids):
        run.check_cancel()
        try:
            rows = run.client.course_progress(course_id)
        except ServerRefused as error:
            log.info("progress of %s not available: %s", course_id, error)
            continue
        except (ServerUnavailable, ServerAnswerInvalid) as error:
            run.transient("progress", course_id, error)
            if run.report.online is False:
                return
            continue
        with run.store.write() as session:
            keep = merge.pending_progress_keys(session, run.profile)
            run.report.progress_merged += merge.apply_server_progress(
                session, run.profile, rows, keep
            )
        run.progress(PROGRESS, index + 1, len(course_ids), course_id)
