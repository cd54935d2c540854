"""Applying what the server says to the local store: the merge rules, without any HTTP.

Every function works inside the caller's write transaction (``store.write()``), so one answer is
stored whole or not at all.

Progress (the contract's rule: for one (user, course, lesson) the latest ``occurredAt`` wins):
the server applies the rule when it receives an event. Locally, a lesson with an event still
waiting for upload keeps its local state (it is the learner's latest action as far as this
machine knows; the server decides when it arrives, and a "stale" answer makes the engine fetch
the server's row). Any other lesson takes the server's row, which is the merged result.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from player.errors import ServerAnswerInvalid
from player.i18n import _
from player.services.outbox import PENDING
from player.services.progress import find_enrollment
from player.store.db import Store
from player.store.models import (
    CatalogEntry,
    Enrollment,
    EntitlementLease,
    LessonProgress,
    Outbox,
    Product,
    Profile,
    Purchase,
)
from player.sync.wire import (
    CatalogCourse,
    EnrollmentInfo,
    Entitlements,
    ProductInfo,
    ProgressRow,
)

log = logging.getLogger(__name__)

ProgressKey = tuple[str, int]


# --- progress --------------------------------------------------------------------------------


def pending_progress_keys(session: Session, profile: Profile) -> set[ProgressKey]:
    """(course, lesson) of every progress event of the learner still waiting for upload."""
    payloads = session.exec(
        select(Outbox.payload).where(
            Outbox.profileId == profile.id, Outbox.kind == "progress", Outbox.state == PENDING
        )
    ).all()
    keys: set[ProgressKey] = set()
    for payload in payloads:
        course = payload.get("courseId")
        lesson = payload.get("lessonIdx")
        if isinstance(course, str) and isinstance(lesson, int):
            keys.add((course, lesson))
    return keys


def apply_server_progress(
    session: Session, profile: Profile, rows: Iterable[ProgressRow], keep: set[ProgressKey]
) -> int:
    """Store the server's rows except for lessons in ``keep`` (local events waiting); return how
    many rows were written."""
    values = [
        {
            "server": profile.server,
            "userId": profile.userId,
            "courseId": row.course_id,
            "lessonIdx": row.lesson_idx,
            "completed": row.completed,
            "updatedAt": row.updated_at,
        }
        for row in rows
        if (row.course_id, row.lesson_idx) not in keep
    ]
    if not values:
        return 0
    statement = sqlite_insert(LessonProgress)
    statement = statement.on_conflict_do_update(
        index_elements=["server", "userId", "courseId", "lessonIdx"],
        set_={"completed": statement.excluded.completed, "updatedAt": statement.excluded.updatedAt},
    )
    for start in range(0, len(values), 2000):
        session.execute(statement, values[start : start + 2000])
    return len(values)


# --- enrollments, purchases and the offline lease --------------------------------------------


def pending_enrollment_courses(session: Session, profile: Profile) -> set[str]:
    """Courses whose local enrollment is still waiting for upload."""
    payloads = session.exec(
        select(Outbox.payload).where(
            Outbox.profileId == profile.id, Outbox.kind == "enrollment", Outbox.state == PENDING
        )
    ).all()
    return {p["courseId"] for p in payloads if isinstance(p.get("courseId"), str)}


def adopt_enrollment(
    session: Session, profile: Profile, info: EnrollmentInfo, now: datetime
) -> None:
    """The server confirmed an enrollment (``POST /api/learn/enroll``): the local row is now the
    server's (its local id is kept; rows are matched by course)."""
    row = find_enrollment(session, profile, info.course_id)
    if row is None:
        if session.get(Enrollment, (profile.server, info.id)) is not None:
            return
        row = Enrollment(
            server=profile.server,
            id=info.id,
            userId=profile.userId,
            tenantId=profile.tenantId,
            courseId=info.course_id,
            createdAt=info.created_at or now,
        )
    row.origin = "server"
    session.add(row)


def apply_entitlements(
    session: Session, profile: Profile, ent: Entitlements, now: datetime
) -> None:
    """Replace the learner's server-known enrollments and purchases with the server's lists.

    Local enrollments still waiting for upload are kept; the offline lease is stored.
    """
    if ent.user_id is not None and ent.user_id != profile.userId:
        raise ServerAnswerInvalid(
            _("The server sent the entitlements of another user; they were not stored.")
        )
    if ent.tenant_id is not None and ent.tenant_id != profile.tenantId:
        raise ServerAnswerInvalid(
            _("The server sent entitlements of another organisation; they were not stored.")
        )
    waiting = pending_enrollment_courses(session, profile)
    local = {
        e.courseId: e
        for e in session.exec(
            select(Enrollment).where(
                Enrollment.server == profile.server,
                Enrollment.userId == profile.userId,
                Enrollment.tenantId == profile.tenantId,
            )
        )
    }
    remote: dict[str, EnrollmentInfo] = {}
    for info in ent.enrollments:
        remote.setdefault(info.course_id, info)
    for course_id, row in local.items():
        if course_id in remote:
            if row.origin != "server":
                row.origin = "server"
                session.add(row)
        elif course_id not in waiting:
            session.delete(row)
    # What ``adopt_enrollment`` does per course, in a few statements for all of them. Three
    # statements per course (each query flushing the row before) kept the sync thread letting go
    # of the interpreter lock and taking it back so often that the UI thread could not get it
    # for up to ~400 ms in a 1,000-course sync (tests/bench/bench_sync_ui.py).
    new = [info for course_id, info in remote.items() if course_id not in local]
    taken = _existing_ids(session, profile.server, Enrollment, [info.id for info in new])
    for info in new:
        if info.id in taken:
            continue
        taken.add(info.id)
        session.add(
            Enrollment(
                server=profile.server,
                id=info.id,
                userId=profile.userId,
                tenantId=profile.tenantId,
                courseId=info.course_id,
                createdAt=info.created_at or now,
                origin="server",
            )
        )

    mine = {
        p.id: p
        for p in session.exec(
            select(Purchase).where(
                Purchase.server == profile.server,
                Purchase.userId == profile.userId,
                Purchase.tenantId == profile.tenantId,
            )
        )
    }
    theirs = {p.id: p for p in ent.purchases}
    for purchase_id, purchase in mine.items():
        if purchase_id not in theirs:
            session.delete(purchase)
    held = _existing_ids(session, profile.server, Purchase, [i for i in theirs if i not in mine])
    for purchase_id, bought in theirs.items():
        if purchase_id in mine or purchase_id in held:
            continue
        session.add(
            Purchase(
                server=profile.server,
                id=purchase_id,
                userId=profile.userId,
                tenantId=profile.tenantId,
                productId=bought.product_id,
                courseId=bought.course_id,
                createdAt=bought.created_at or now,
            )
        )

    if ent.valid_until is not None:
        lease = session.get(EntitlementLease, (profile.server, profile.userId))
        if lease is None:
            lease = EntitlementLease(
                server=profile.server,
                userId=profile.userId,
                tenantId=profile.tenantId,
                issuedAt=ent.issued_at or now,
                validUntil=ent.valid_until,
            )
        else:
            lease.tenantId = profile.tenantId
            lease.issuedAt = ent.issued_at or now
            lease.validUntil = ent.valid_until
        session.add(lease)


def _existing_ids(
    session: Session, server: str, model: type[Enrollment] | type[Purchase], ids: Sequence[str]
) -> set[str]:
    """Which of ``ids`` are already rows of ``model`` of ``server`` (of any learner), a few
    queries in all."""
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(
            session.exec(select(model.id).where(model.server == server, col(model.id).in_(chunk)))
        )
    return found


def derive_enrollment(session: Session, profile: Profile, course_id: str, now: datetime) -> bool:
    """A server without the entitlements endpoint served this course: the learner may open it.

    Records a server-origin enrollment when the learner has neither one nor a purchase; True
    when one was added.
    """
    if find_enrollment(session, profile, course_id) is not None:
        return False
    bought = session.exec(
        select(Purchase.id).where(
            Purchase.server == profile.server,
            Purchase.userId == profile.userId,
            Purchase.tenantId == profile.tenantId,
            Purchase.courseId == course_id,
        )
    ).first()
    if bought is not None:
        return False
    session.add(
        Enrollment(
            server=profile.server,
            id=f"derived:{profile.id}:{course_id}",
            userId=profile.userId,
            tenantId=profile.tenantId,
            courseId=course_id,
            createdAt=now,
            origin="server",
        )
    )
    return True


# --- the tenant's store and catalog ----------------------------------------------------------


def replace_products(session: Session, profile: Profile, products: Sequence[ProductInfo]) -> None:
    """The tenant's Product rows become the server's list (other tenants' rows are untouched)."""
    own = [p for p in products if p.tenant_id in (None, profile.tenantId)]
    if len(own) != len(products):
        log.warning("ignored %d products of other tenants", len(products) - len(own))
    wanted = {p.id: p for p in own}
    for old in session.exec(
        select(Product).where(
            Product.server == profile.server, Product.tenantId == profile.tenantId
        )
    ):
        if old.id not in wanted:
            session.delete(old)
    for info in wanted.values():
        row: Product | None = session.get(Product, (profile.server, info.id))
        if row is not None and row.tenantId != profile.tenantId:
            log.warning("product %s is held for tenant %s; not replaced", info.id, row.tenantId)
            continue
        if row is None:
            row = Product(
                server=profile.server,
                id=info.id,
                tenantId=profile.tenantId,
                courseId=info.course_id,
                priceCents=info.price_cents,
                currency=info.currency,
                active=info.active,
            )
        elif (row.courseId, row.priceCents, row.currency, row.active) == (
            info.course_id,
            info.price_cents,
            info.currency,
            info.active,
        ):
            continue
        else:
            row.courseId = info.course_id
            row.priceCents = info.price_cents
            row.currency = info.currency
            row.active = info.active
        session.add(row)


#: Catalog rows written per write transaction: a learner's own write (a lesson completed) never
#: waits for more than one of these, however large the catalog (docs/limits.md).
CATALOG_CHUNK = 1000
#: Seconds between two of those transactions. SQLite does not queue writers of different
#: processes: one that commits and begins again at once can keep a waiting learner out until
#: the learner's busy timeout runs out. A short pause lets the waiting writer in.
CATALOG_PAUSE = 0.02

_CATALOG_FIELDS = ("title", "version", "sha256", "sizeBytes", "updatedAt")


def _pause(done: int) -> None:
    if done:
        time.sleep(CATALOG_PAUSE)


def store_catalog(
    store: Store,
    profile: Profile,
    courses: Sequence[CatalogCourse],
    now: datetime,
    *,
    chunk: int = CATALOG_CHUNK,
) -> None:
    """The tenant's CatalogEntry rows become the server's catalog (gone courses are removed).

    Written in short transactions of ``chunk`` rows, with plain statements (no ORM object per
    row): a 100,000-course catalog took one transaction of over a minute, during which every
    learner's action waited and then failed with "database is locked". Only new or changed
    rows are written. A crash part-way leaves some rows of the new catalog beside the old ones,
    each row whole; the next sync finishes the job.
    """
    wanted: dict[str, CatalogCourse] = {}
    for course in courses:
        wanted.setdefault(course.id, course)
    tenant, server = profile.tenantId, profile.server
    with store.read() as session:
        existing = {
            row[1]: row
            for row in session.execute(
                sa_select(
                    col(CatalogEntry.id),
                    col(CatalogEntry.courseId),
                    col(CatalogEntry.title),
                    col(CatalogEntry.version),
                    col(CatalogEntry.sha256),
                    col(CatalogEntry.sizeBytes),
                    col(CatalogEntry.updatedAt),
                ).where(col(CatalogEntry.server) == server, col(CatalogEntry.tenantId) == tenant)
            )
        }
    gone = [row[0] for course_id, row in existing.items() if course_id not in wanted]
    values: list[dict[str, object]] = []
    for course_id, course in wanted.items():
        fields = (course.title, course.version, course.sha256, course.size_bytes, course.updated_at)
        row = existing.get(course_id)
        if row is not None and tuple(row[2:]) == fields:
            continue
        values.append(
            {"server": server, "tenantId": tenant, "courseId": course_id, "seenAt": now}
            | dict(zip(_CATALOG_FIELDS, fields, strict=True))
        )
    del existing
    statement = sqlite_insert(CatalogEntry)
    statement = statement.on_conflict_do_update(
        index_elements=["server", "tenantId", "courseId"],
        set_={name: statement.excluded[name] for name in (*_CATALOG_FIELDS, "seenAt")},
    )
    size = max(1, chunk)
    for start in range(0, len(gone), size):
        _pause(start)
        with store.write() as session:
            session.exec(
                delete(CatalogEntry).where(col(CatalogEntry.id).in_(gone[start : start + size]))
            )
    for start in range(0, len(values), size):
        _pause(start)
        with store.write() as session:
            session.execute(statement, values[start : start + size])
    _pause(len(values))
    with store.write() as session:  # one short statement: when the server last listed them
        session.exec(
            update(CatalogEntry)
            .where(col(CatalogEntry.server) == server, col(CatalogEntry.tenantId) == tenant)
            .values(seenAt=now)
        )
