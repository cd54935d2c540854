"""The contract client's error mapping, the token store (keyring and its absence), sign-in,
the backoff schedule and the bounded retry loop."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from player.errors import ServerAnswerInvalid, ServerRefused, ServerUnavailable, SignInRequired
from player.services import progress
from player.store.db import Store
from player.sync.backoff import Backoff
from player.sync.client import ApiClient, _retry_after, normalize_url
from player.sync.engine import sync
from player.sync.report import SyncPolicy, SyncReport
from player.sync.retry import sync_until_delivered
from player.sync.server_signin import device_name, open_client, sign_in, sign_out
from player.sync.tokens import TokenStore, service_name
from player.sync.wire import CatalogCourse, ProgressRow
from player.timeutil import utcnow
from tests.server.app import ContractServer
from tests.sync.conftest import MemoryKeyring, SignInAs
from tests.sync.test_engine import FREE, entitle_ana

# --- client ----------------------------------------------------------------------------------


def test_urls_are_normalized() -> None:
    assert normalize_url("learn.example.org/") == "https://learn.example.org"
    assert normalize_url(" http://127.0.0.1:8000/ ") == "http://127.0.0.1:8000"
    assert service_name("http://127.0.0.1:8000/") == "course-player:http://127.0.0.1:8000"


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert _retry_after("7") == 7.0
    assert _retry_after(None) is None and _retry_after("soon") is None
    later = datetime.now(UTC) + timedelta(seconds=120)
    seconds = _retry_after(format_datetime(later, usegmt=True))
    assert seconds is not None and 100 < seconds <= 120


def test_status_codes_map_to_typed_errors(
    contract_server: ContractServer, sign_in_as: SignInAs
) -> None:
    ana = sign_in_as(contract_server, "ana")
    faults = contract_server.faults

    faults.fail_next(1, 500)
    with pytest.raises(ServerUnavailable) as failing:
        ana.client.courses()
    assert failing.value.kind == "server" and failing.value.status == 500

    faults.fail_next(1, 429, retry_after=3)
    with pytest.raises(ServerUnavailable) as limited:
        ana.client.products()
    assert limited.value.status == 429 and limited.value.retry_after == 3

    with pytest.raises(ServerRefused) as refused:
        ana.client.purchase("prod-nope", "key-1")
    assert refused.value.status == 404 and refused.value.error_code == "NOT_FOUND"

    faults.malformed_json_next(1)
    with pytest.raises(ServerAnswerInvalid):
        ana.client.entitlements()

    contract_server.expire_tokens()
    with pytest.raises(SignInRequired):
        ana.client.me()
    assert ana.client.requests_made == 5  # every call was one request
    assert ana.client.reached_server is True


def test_no_server_is_offline() -> None:
    client = ApiClient("http://127.0.0.1:9", "token", timeout=2.0)
    with client, pytest.raises(ServerUnavailable) as offline:
        client.courses()
    assert offline.value.kind == "offline"
    assert client.reached_server is False


def test_answers_keep_unknown_fields_out_and_refuse_missing_ones() -> None:
    course = CatalogCourse.from_json(
        {"id": "c", "title": "C", "version": 2, "sha256": "AB", "shiny": {"new": True}}
    )
    assert course == CatalogCourse(id="c", title="C", version=2, sha256="ab")
    with pytest.raises(ServerAnswerInvalid):
        CatalogCourse.from_json({"id": "c", "title": "C", "version": "2"})
    with pytest.raises(ServerAnswerInvalid):
        ProgressRow.from_json({"lessonIdx": 0, "completed": True, "updatedAt": "yesterday"}, "c")


# --- backoff ---------------------------------------------------------------------------------


def test_backoff_grows_with_jitter_up_to_the_cap_and_honours_retry_after() -> None:
    backoff = Backoff(base=2.0, cap=60.0)
    rng = random.Random(1)
    for attempts, ceiling in [(1, 2.0), (2, 4.0), (3, 8.0), (10, 60.0), (500, 60.0)]:
        for _ in range(20):
            delay = backoff.delay(attempts, rng=rng)
            assert ceiling / 2 <= delay <= ceiling
    assert backoff.delay(1, retry_after=30, rng=rng) >= 30
    now = utcnow()
    assert backoff.next_attempt(now, 1, 90) >= now + timedelta(seconds=90)


# --- tokens and sign-in ----------------------------------------------------------------------


def test_the_token_lives_in_the_keyring_never_in_the_data_folder(
    contract_server: ContractServer, store: Store, memory_keyring: MemoryKeyring
) -> None:
    tokens = TokenStore()
    result = sign_in(store, contract_server.url, "ana", "pw-ana", tokens=tokens)

    assert result.token_saved and result.warning is None
    user_id = contract_server.user_id("ana")
    token = memory_keyring.passwords[(f"course-player:{contract_server.url}", user_id)]
    assert result.profile.id == f"{user_id}@127.0.0.1:{contract_server.port}"
    assert result.profile.tenantId == "t-north" and result.profile.username == "ana"
    store.close()
    for path in Path(store.data_dir).rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path
            assert b"pw-ana" not in path.read_bytes(), path
    with contract_server.db.transaction() as conn:
        devices = [r[0] for r in conn.execute("SELECT device_name FROM tokens")]
    assert devices == [device_name()]

    later = TokenStore()  # a new process: nothing in memory, the keyring has it
    with open_client(result.profile, tokens=later) as client:
        assert client.me().id == user_id


def test_without_a_keyring_the_token_is_kept_for_this_process_and_said_once(
    contract_server: ContractServer, store: Store
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        tokens = TokenStore()
        first = sign_in(store, contract_server.url, "ana", "pw-ana", tokens=tokens)
        second = sign_in(store, contract_server.url, "ana", "pw-ana", tokens=tokens)

        assert not first.token_saved and first.warning and "keyring" in first.warning
        assert not second.token_saved and second.warning is None  # said once
        with open_client(first.profile, tokens=tokens) as client:
            assert client.me().name == "ana"
        with pytest.raises(SignInRequired):  # the next process has to sign in again
            open_client(first.profile, tokens=TokenStore())
    finally:
        keyring.set_keyring(previous)


def test_wrong_credentials_and_signing_out(
    contract_server: ContractServer, store: Store, tokens: TokenStore
) -> None:
    with pytest.raises(SignInRequired) as wrong:
        sign_in(store, contract_server.url, "ana", "not-it", tokens=tokens)
    assert "Wrong user name or password" in str(wrong.value)

    result = sign_in(store, contract_server.url, "ana", "pw-ana", tokens=tokens)
    sign_out(result.profile, tokens=tokens)
    with pytest.raises(SignInRequired):
        open_client(result.profile, tokens=tokens)


# --- bounded retry ---------------------------------------------------------------------------


def test_the_retry_loop_waits_as_long_as_the_server_asks_then_finishes(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    ana.sync()
    progress.set_lesson_completed(store, ana.profile, FREE, 0)
    contract_server.faults.fail_next(
        1, 429, retry_after=20, path_prefix="/api/learn/progress/batch"
    )
    clock = [utcnow()]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += timedelta(seconds=seconds)

    def attempt() -> SyncReport:
        return sync(store, ana.profile, ana.client, now=clock[0], policy=SyncPolicy())

    report = sync_until_delivered(attempt, max_wait=120, sleep=sleep, clock=lambda: clock[0])

    assert report.delivered
    assert len(slept) == 1 and slept[0] >= 20
    batches = [r.status for r in contract_server.requests if r.path.endswith("/batch")]
    assert batches == [429, 200]


def test_the_retry_loop_gives_up_within_its_bound(
    contract_server: ContractServer, sign_in_as: SignInAs
) -> None:
    ana = sign_in_as(contract_server, "ana")
    contract_server.stop()
    slept: list[float] = []

    report = sync_until_delivered(ana.sync, max_wait=0, sleep=slept.append)

    assert report.online is False and not report.delivered
    assert slept == []
