"""A slow, careless or hostile server: every request and every sync ends within its deadline,
retries back off with jitter, one poisoned package never stops the others, and what the server
says is never logged or kept as it came (issue #10, items 3, 8, 9, 10)."""

from __future__ import annotations

import hashlib
import json
import logging
import random
from collections.abc import Iterator

import pytest
from sqlmodel import select

from player.errors import ConfigError, SyncError
from player.services import outbox, progress
from player.store.db import Store
from player.store.models import CatalogEntry, DownloadIssue, Outbox
from player.sync.backoff import Backoff
from player.sync.client import ApiClient, insecure_url_warning, normalize_url
from player.sync.engine import sync
from player.sync.report import SyncPolicy
from player.sync.retry import sync_until_delivered
from player.sync.server_signin import open_client, sign_in
from player.sync.tokens import TokenStore
from tests.server.app import ContractServer
from tests.server.seeding import STANDARD_USERS, fixtures_dir
from tests.sync.conftest import NO_WAIT, SignInAs
from tests.sync.test_engine import FREE, PAID, entitle_ana, stored_versions

CATALOG = "/api/learn/courses"


def catalog_rows(store: Store) -> dict[str, int]:
    with store.read() as session:
        return {e.courseId: e.version for e in session.exec(select(CatalogEntry))}


def publish_extra(server: ContractServer, course_id: str, title: str = "Extra") -> None:
    data = json.loads((fixtures_dir() / "multilingual.json").read_bytes())
    data["courseId"], data["title"] = course_id, title
    server.publish(json.dumps(data).encode(), "t-north")


@pytest.fixture
def slow_client(
    contract_server: ContractServer, sign_in_as: SignInAs, tokens: TokenStore
) -> Iterator[ApiClient]:
    """ana's client with a one-second deadline for each whole answer."""
    ana = sign_in_as(contract_server, "ana")
    client = open_client(ana.profile, tokens=tokens, request_deadline=1.0)
    yield client
    client.close()


# --- item 3: deadlines -----------------------------------------------------------------------


def test_a_dripping_answer_is_given_up_at_the_request_deadline(
    contract_server: ContractServer,
    sign_in_as: SignInAs,
    store: Store,
    tokens: TokenStore,
) -> None:
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    assert ana.sync().delivered
    before = catalog_rows(store)
    publish_extra(contract_server, "extra-course")
    # A few hundred bytes, one every 0.1 s: half a minute of "alive" server, the read timeout
    # never fires. Only a deadline for the whole answer ends it.
    contract_server.faults.drip_next(1, interval=0.1, chunk=1, path_prefix=CATALOG, method="GET")
    client = open_client(ana.profile, tokens=tokens, request_deadline=1.0)
    try:
        report = sync(store, ana.profile, client, policy=NO_WAIT)
    finally:
        client.close()

    assert report.incomplete and not report.delivered
    [error] = [e for e in report.errors if e.kind == "catalog"]
    assert "did not finish its answer in time" in error.message and not error.final
    assert catalog_rows(store) == before  # nothing half-stored
    assert report.requests > 1  # the other steps still ran
    after = ana.sync()
    assert after.delivered and "extra-course" in catalog_rows(store)


def test_a_sync_stops_at_its_total_deadline_and_loses_nothing(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    assert ana.sync().delivered
    progress.set_lesson_completed(store, ana.profile, FREE, 0)
    contract_server.reset_requests()
    contract_server.faults.drip_next(1, interval=0.1, chunk=1, path_prefix=CATALOG, method="GET")

    report = ana.sync(policy=SyncPolicy(backoff=Backoff(0.0, 0.0), deadline=1.0))

    assert report.timed_out and report.incomplete and not report.delivered
    assert any("time limit" in note for note in report.notes)
    assert [r.path for r in contract_server.requests if not r.path.startswith("/api/auth")] == [
        "/api/learn/keys",
        CATALOG,
    ]
    with store.read() as session:
        [row] = session.exec(select(Outbox).where(Outbox.kind == "progress")).all()
    assert row.state == "pending" and row.attempts == 0  # not counted as a failed attempt
    assert ana.sync().delivered
    assert outbox.counts(store, ana.profile)["pending"] == 0


# --- item 10: backoff with jitter outside the outbox -----------------------------------------


def test_failures_outside_the_outbox_back_off_with_jitter(
    contract_server: ContractServer, sign_in_as: SignInAs
) -> None:
    ana = sign_in_as(contract_server, "ana")
    contract_server.faults.fail_next(1000, 500, path_prefix=CATALOG, method="GET")
    contract_server.reset_requests()
    waits: list[list[float]] = []
    for seed in (1, 2):
        clock = [0.0]
        slept: list[float] = []

        def sleep(seconds: float, slept: list[float] = slept, clock: list[float] = clock) -> None:
            slept.append(seconds)
            clock[0] += seconds

        report = sync_until_delivered(
            ana.sync,
            max_wait=15,
            sleep=sleep,
            timer=lambda clock=clock: clock[0],  # type: ignore[misc]
            rng=random.Random(seed),
        )
        assert report.incomplete and not report.delivered
        waits.append(slept)

    for slept in waits:
        # Before: a wait of 1 s after every failure, 15 attempts in 15 s. Now the waits grow
        # (2.5-5 s, then 5-10 s, ...) and the loop stops before passing max_wait.
        assert 1 <= len(slept) <= 3
        assert all(w >= 2.5 * 2**i for i, w in enumerate(slept))
        assert sum(slept) <= 15
    assert waits[0] != waits[1]  # jitter: two machines do not retry in step
    catalog_requests = [r for r in contract_server.requests if r.path == CATALOG]
    assert len(catalog_requests) == len(waits[0]) + len(waits[1]) + 2


# --- item 8: one poisoned package never stops the rest ----------------------------------------


def _insert_raw_package(server: ContractServer, course_id: str, body: bytes) -> None:
    """Publish bytes the server's own JSON parser could not take (too deep for it)."""
    sha = hashlib.sha256(body).hexdigest()
    with server.db.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO packages (tenant_id, course_id, version, status, title,"
            " sha256, body, updated_at) VALUES (?,?,?,?,?,?,?,?)",
            ("t-north", course_id, 1, "PUBLISHED", "Deep", sha, body, server.db.now_micros()),
        )


def test_a_deeply_nested_package_is_reported_and_the_others_are_stored(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    entitle_ana(contract_server)
    data = json.loads((fixtures_dir() / "multilingual.json").read_bytes())
    data["courseId"] = "deep-course"
    head, tail = json.dumps(data)[:-1], "}"
    depth = 200_000
    body = (head + ', "extra": ' + "[" * depth + "]" * depth + tail).encode()
    _insert_raw_package(contract_server, "deep-course", body)
    contract_server.add_enrollment(contract_server.user_id("ana"), "deep-course")
    ana = sign_in_as(contract_server, "ana")

    for _attempt in range(2):  # every later sync, too
        report = ana.sync()
        assert stored_versions(store, FREE) == [1] and stored_versions(store, PAID) == [2]
        assert stored_versions(store, "deep-course") == []
        assert report.courses_failed == 1
        [error] = [e for e in report.errors if e.item == "deep-course"]
        assert error.final and "not a valid course package" in error.message
        assert report.progress_merged >= 0 and report.online is True
    with store.read() as session:
        issue = session.get(DownloadIssue, (ana.profile.id, "deep-course"))
    assert issue is not None and issue.kind == "failed"


# --- item 9: what the server says is never logged, kept or shown raw ---------------------------


def test_a_server_that_echoes_the_password_never_gets_it_into_the_log(
    contract_server: ContractServer,
    store: Store,
    tokens: TokenStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    password = STANDARD_USERS["ana"][0]
    contract_server.faults.fail_next(1, 400, path_prefix="/api/auth/token", echo=True)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(SyncError) as raised:
        sign_in(store, contract_server.url, "ana", password, tokens=tokens)

    assert password not in str(raised.value)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/api/auth/token" in logged  # the failure is logged...
    assert password not in logged and "You sent" not in logged  # ...but not what was echoed


def test_a_refusal_message_is_kept_on_one_line_without_control_characters(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    assert ana.sync().delivered
    progress.set_lesson_completed(store, ana.profile, FREE, 0)
    hostile = "\x1b]0;owned\x07Bad\nrequest\x1b[2J" + "x" * 5000
    contract_server.faults.fail_next(
        2, 400, path_prefix="/api/learn/progress", method="POST", message=hostile
    )

    report = ana.sync()

    [error] = report.rejected_errors
    assert "\x1b" not in error.message and "\x07" not in error.message
    assert "\n" not in error.message and len(error.message) < 1000
    assert "Bad request" in error.message
    with store.read() as session:
        [row] = session.exec(select(Outbox).where(Outbox.kind == "progress")).all()
    assert row.state == "rejected" and "\x1b" not in (row.lastError or "")


def test_a_server_address_with_a_password_in_it_is_refused(
    contract_server: ContractServer, store: Store, tokens: TokenStore
) -> None:
    url = contract_server.url.replace("http://", "http://ana:pw-ana@")
    with pytest.raises(ConfigError) as raised:
        sign_in(store, url, "ana", "pw-ana", tokens=tokens)
    assert "pw-ana" not in str(raised.value) and "user name or password" in str(raised.value)
    with pytest.raises(ConfigError):
        normalize_url("https://ana@learn.example.org")
    assert contract_server.requests == []  # nothing was sent


def test_plain_http_to_another_computer_is_warned_about() -> None:
    assert insecure_url_warning("http://learn.example.org") is not None
    assert "not encrypted" in (insecure_url_warning("http://10.0.0.5:8080") or "")
    for fine in ("https://learn.example.org", "http://127.0.0.1:8000", "http://localhost"):
        assert insecure_url_warning(fine) is None
