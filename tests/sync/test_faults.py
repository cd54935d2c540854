"""Every injected fault: nothing lost, nothing applied twice on the server, Retry-After honoured."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from player.errors import SignInRequired
from player.services import outbox, progress
from player.store.db import Store
from player.store.models import AuditLog, Outbox, StoredPackage, SyncState
from player.sync.client import ApiClient
from player.sync.engine import sync
from player.sync.server_signin import open_client, sign_in
from player.sync.tokens import TokenStore
from player.timeutil import utcnow
from tests.server.app import ContractServer
from tests.sync.conftest import NO_WAIT, Learner, SignInAs
from tests.sync.test_engine import FREE, PAID, entitle_ana, stored_versions

BATCH = "/api/learn/progress/batch"
LESSONS = 4


def ready(server: ContractServer, sign_in_as: SignInAs, store: Store, **kw: float) -> Learner:
    """ana, entitled and synced, with LESSONS progress events waiting for upload."""
    entitle_ana(server)
    ana = sign_in_as(server, "ana", **kw)
    assert ana.sync().delivered
    for lesson in range(LESSONS):
        progress.set_lesson_completed(store, ana.profile, FREE, lesson)
    return ana


def server_events(server: ContractServer, user_id: str) -> int:
    with server.db.transaction() as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM progress_events WHERE user_id = ?", (user_id,)
        ).fetchone()
    return int(row[0])


def assert_all_delivered_once(server: ContractServer, ana: Learner) -> None:
    store = ana.store
    counts = outbox.counts(store, ana.profile)
    assert counts["pending"] == 0 and counts["rejected"] == 0
    assert server_events(server, ana.user_id) == LESSONS
    rows = server.progress_rows(ana.user_id)
    assert [(r["lessonIdx"], r["completed"]) for r in rows] == [(i, True) for i in range(LESSONS)]
    with store.read() as session:
        local_audit = sorted(a.id for a in session.exec(select(AuditLog)))
    assert sorted(e["id"] for e in server.audit_events(ana.user_id)) == local_audit


def waiting_rows(store: Store) -> list[Outbox]:
    with store.read() as session:
        return list(session.exec(select(Outbox).where(Outbox.state == "pending")))


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_failing_batch_is_kept_and_sent_by_the_next_sync(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store, status: int
) -> None:
    ana = ready(contract_server, sign_in_as, store)
    contract_server.faults.fail_next(1, status, path_prefix=BATCH)

    report = ana.sync()

    assert report.incomplete and report.events_waiting == LESSONS
    assert not report.rejected_errors
    assert all(r.attempts == 1 and r.lastError for r in waiting_rows(store) if r.kind == "progress")
    assert contract_server.progress_rows(ana.user_id) == []
    assert ana.sync().delivered
    assert_all_delivered_once(contract_server, ana)


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured_as_the_earliest_next_attempt(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store, status: int
) -> None:
    ana = ready(contract_server, sign_in_as, store)
    contract_server.faults.fail_next(1, status, retry_after=30, path_prefix=BATCH)
    before = utcnow()

    report = ana.sync()

    assert report.retry_after == 30
    progress_rows = [r for r in waiting_rows(store) if r.kind == "progress"]
    assert len(progress_rows) == LESSONS
    for row in progress_rows:
        assert row.nextAttemptAt is not None
        assert row.nextAttemptAt >= before + timedelta(seconds=30)
    assert report.next_attempt_at is not None
    # The server asked to wait: audit events were not pushed at it in the same run either.
    assert not [r for r in contract_server.requests if r.path == "/api/audit/events"]

    contract_server.reset_requests()
    early = ana.sync()  # too early: nothing is sent
    assert early.events_sent == 0 and early.events_waiting == LESSONS
    assert not [r for r in contract_server.requests if r.path == BATCH]

    later = ana.sync(now=utcnow() + timedelta(seconds=31))
    assert later.delivered
    assert_all_delivered_once(contract_server, ana)


def test_a_timeout_is_retried_and_the_server_does_not_apply_twice(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = ready(contract_server, sign_in_as, store, timeout=0.3)
    contract_server.faults.delay_next(1, 0.8, path_prefix=BATCH)

    report = ana.sync()

    assert report.incomplete and report.events_waiting == LESSONS
    # The server applies the batch after the client gave up; the next sync sends it again and
    # whichever copy comes second is recognized (duplicate), so nothing is applied twice.
    assert ana.sync().delivered
    assert_all_delivered_once(contract_server, ana)


def test_an_answer_cut_in_the_middle_is_retried_without_duplicates(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = ready(contract_server, sign_in_as, store)
    contract_server.faults.cut_body_next(1, path_prefix=BATCH)

    report = ana.sync()

    assert report.incomplete and report.events_waiting == LESSONS
    assert server_events(contract_server, ana.user_id) == LESSONS  # applied, answer lost
    assert ana.sync().delivered
    assert_all_delivered_once(contract_server, ana)


def test_malformed_json_is_an_error_for_that_request_not_a_crash(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = ready(contract_server, sign_in_as, store)
    contract_server.faults.malformed_json_next(1, path_prefix=BATCH)
    contract_server.faults.malformed_json_next(1, path_prefix="/api/learn/courses", method="GET")

    report = ana.sync()

    kinds = {e.kind for e in report.errors}
    assert {"catalog", "progress"} <= kinds
    assert all(not e.final for e in report.errors)
    assert report.events_waiting == LESSONS
    assert ana.sync().delivered
    assert_all_delivered_once(contract_server, ana)


def test_a_package_cut_in_the_middle_is_never_half_stored(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    contract_server.faults.cut_body_next(1, path_prefix=f"/api/learn/courses/{FREE}")

    report = ana.sync()

    assert report.incomplete and report.courses_downloaded == 1  # the other course is stored
    assert stored_versions(store, FREE) == [] and stored_versions(store, PAID) == [2]
    with store.read() as session:
        assert len(session.exec(select(StoredPackage)).all()) == 1
    second = ana.sync()
    assert second.courses_downloaded == 1 and second.delivered
    assert stored_versions(store, FREE) == [1]


def test_one_failing_course_never_stops_the_others(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    contract_server.faults.fail_next(3, 500, path_prefix=f"/api/learn/courses/{PAID}")

    report = ana.sync()

    assert report.courses_downloaded == 1
    assert [(e.kind, e.item) for e in report.errors] == [("course", PAID)]
    assert stored_versions(store, FREE) == [1]


def test_token_expiry_mid_sync_keeps_everything_and_a_new_sign_in_finishes(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store, tokens: TokenStore
) -> None:
    ana = ready(contract_server, sign_in_as, store)
    contract_server.faults.expire_token_after(1)  # the catalog passes, the upload gets 401

    with pytest.raises(SignInRequired):
        ana.sync()

    assert outbox.counts(store, ana.profile)["pending"] == LESSONS
    assert all(r.attempts == 0 for r in waiting_rows(store))  # not the events' fault
    with store.read() as session:
        state = session.get(SyncState, ana.profile.id)
        assert state is not None and state.lastError and "sign in" in state.lastError.lower()
    with pytest.raises(SignInRequired):
        ana.sync()  # the old token stays refused

    again = sign_in(store, contract_server.url, "ana", "pw-ana", tokens=tokens)
    with open_client(again.profile, tokens=tokens) as fresh:
        report = sync(store, again.profile, fresh, policy=NO_WAIT)
    assert report.delivered
    assert_all_delivered_once(contract_server, ana)


def test_an_unreachable_server_is_offline_and_loses_nothing(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = ready(contract_server, sign_in_as, store)
    url = contract_server.url
    contract_server.stop()

    report = ana.sync()

    assert report.online is False and not report.delivered
    assert report.requests == 1  # the first refused connection ends the run
    assert report.events_waiting == LESSONS
    assert outbox.counts(store, ana.profile)["pending"] >= LESSONS
    contract_server.start()
    assert contract_server.url == url
    assert ana.sync().delivered
    assert_all_delivered_once(contract_server, ana)


def test_a_client_without_a_token_asks_for_a_sign_in(contract_server: ContractServer) -> None:
    with ApiClient(contract_server.url) as client, pytest.raises(SignInRequired):
        client.courses()
