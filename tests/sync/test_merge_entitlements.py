"""``merge.apply_entitlements`` on a real store: the server's enrollments and purchases replace
the learner's, in a few statements however many there are."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlmodel import select

from player.services import progress
from player.store.db import Store
from player.store.models import Enrollment, Purchase
from player.sync import merge
from player.sync.wire import EnrollmentInfo, Entitlements, PurchaseInfo
from tests.conftest import MakeLearner

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def entitlements(
    enrollments: list[tuple[str, str]], purchases: list[PurchaseInfo] | None = None
) -> Entitlements:
    return Entitlements(
        user_id=None,
        tenant_id=None,
        enrollments=[EnrollmentInfo(id=i, course_id=c, created_at=None) for i, c in enrollments],
        purchases=purchases or [],
        issued_at=None,
        valid_until=None,
    )


def enrollments_of(store: Store, user_id: str) -> dict[str, tuple[str, str]]:
    with store.read() as session:
        rows = session.exec(select(Enrollment).where(Enrollment.userId == user_id)).all()
    return {row.courseId: (row.id, row.origin) for row in rows}


@contextmanager
def counted(store: Store) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def test_a_thousand_enrollments_are_stored_in_a_few_statements(
    store: Store, make_learner: MakeLearner
) -> None:
    ana = make_learner("ana")
    answer = entitlements([(f"e-{n}", f"course-{n:04d}") for n in range(1000)])
    with counted(store) as statements, store.write() as session:
        merge.apply_entitlements(session, ana, answer, NOW)
    stored = enrollments_of(store, "ana")
    assert len(stored) == 1000
    assert stored["course-0007"] == ("e-7", "server")
    assert len(statements) < 20  # not one query per course

    with store.write() as session:  # the same answer again changes nothing
        merge.apply_entitlements(session, ana, answer, NOW)
    assert enrollments_of(store, "ana") == stored


def test_local_rows_are_adopted_kept_while_waiting_or_removed(
    store: Store, make_learner: MakeLearner
) -> None:
    ana = make_learner("ana")
    with store.write() as session:
        # local (made offline), then confirmed by the server; local, not uploaded yet
        confirmed = progress.add_enrollment(store, session, ana, "confirmed")
        waiting = progress.add_enrollment(store, session, ana, "waiting")
        session.add(
            Enrollment(
                server=ana.server, id="old", userId="ana", tenantId="t-north", courseId="gone", createdAt=NOW,
                origin="server",
            )
        )  # fmt: skip
    answer = entitlements([("srv-1", "confirmed"), ("srv-2", "new")])
    with store.write() as session:
        merge.apply_entitlements(session, ana, answer, NOW)
    stored = enrollments_of(store, "ana")
    assert stored == {
        "confirmed": (confirmed.id, "server"),  # the local id is kept
        "waiting": (waiting.id, "local"),
        "new": ("srv-2", "server"),
    }


def test_ids_already_held_are_not_stored_twice(store: Store, make_learner: MakeLearner) -> None:
    ana = make_learner("ana")
    ben = make_learner("ben")
    with store.write() as session:
        session.add(
            Enrollment(
                server=ben.server,
                id="shared",
                userId="ben",
                tenantId="t-north",
                courseId="c-ben",
                createdAt=NOW,
            )
        )
        session.add(
            Purchase(
                server=ben.server, id="p-shared", userId="ben", tenantId="t-north", productId="prod",
                courseId="c-ben", createdAt=NOW,
            )
        )  # fmt: skip
    bought = [
        PurchaseInfo(id="p-shared", product_id="prod", course_id="c-ben", created_at=None),
        PurchaseInfo(id="p-ana", product_id="prod-2", course_id="c-2", created_at=None),
    ]
    answer = entitlements([("shared", "c-1"), ("twice", "c-2"), ("twice", "c-3")], bought)
    with store.write() as session:
        merge.apply_entitlements(session, ana, answer, NOW)
    assert enrollments_of(store, "ana") == {"c-2": ("twice", "server")}
    assert enrollments_of(store, "ben") == {"c-ben": ("shared", "local")}
    with store.read() as session:
        mine = session.exec(select(Purchase.id).where(Purchase.userId == "ana")).all()
    assert mine == ["p-ana"]
    assert ben.userId == "ben"
