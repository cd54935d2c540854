"""Lab sign-in (kiosk mode with a server policy): online against the real contract server, offline
against the verifier cached at the last online sign-in, never the password on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from sqlmodel import select

from player import passwords
from player.errors import (
    CrossTenant,
    FirstSignInNeedsNetwork,
    SignInRefused,
    WrongCredentials,
)
from player.policy import KioskPolicy, LabPolicy
from player.services import lab_accounts
from player.services.lab_accounts import LabSignIn, OnlineAnswer
from player.store.db import Store
from player.store.models import OfflineCredential, Profile
from player.sync.server_signin import sign_in, sign_out
from player.sync.tokens import TokenStore
from tests.server.app import ContractServer
from tests.sync.conftest import MemoryKeyring

FAST = lab_accounts.MIN_VERIFIER_ITERATIONS  # the cheapest verifier the check accepts


@pytest.fixture
def tokens() -> Iterator[TokenStore]:
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield TokenStore()
    keyring.set_keyring(previous)


def lab_policy(server: ContractServer, tenant: str | None = "t-north") -> LabPolicy:
    return LabPolicy(
        source=Path("policy.toml"),
        server_url=server.url,
        tenant_id=tenant,
        kiosk=KioskPolicy(enabled=True),
    )


def attempt(
    store: Store, policy: LabPolicy, tokens: TokenStore, username: str, password: str
) -> LabSignIn:
    def online(url: str, user: str, secret: str) -> OnlineAnswer:
        return sign_in(store, url, user, secret, tokens=tokens)

    return lab_accounts.lab_sign_in(
        store,
        policy,
        username,
        password,
        sign_in=online,
        sign_out=lambda profile: sign_out(profile, tokens=tokens),
        iterations=FAST,
    )


def credentials(store: Store) -> list[OfflineCredential]:
    with store.read() as session:
        return list(session.exec(select(OfflineCredential)))


def store_bytes(store: Store) -> bytes:
    """Every byte of the database: the file and its write-ahead log."""
    return b"".join(p.read_bytes() for p in sorted(store.data_dir.glob("player.sqlite3*")))


def test_verifiers_take_many_iterations() -> None:
    assert lab_accounts.VERIFIER_ITERATIONS >= 200_000
    assert lab_accounts.MIN_VERIFIER_ITERATIONS >= 200_000


def test_online_success_keeps_a_verifier_and_never_the_password(
    store: Store, contract_server: ContractServer, tokens: TokenStore
) -> None:
    policy = lab_policy(contract_server)
    result = attempt(store, policy, tokens, " ana ", "pw-ana")

    assert result.online
    assert result.profile.username == "ana" and result.profile.tenantId == "t-north"
    assert tokens.load(contract_server.url, result.profile.userId) is not None
    [row] = credentials(store)
    assert (row.profileId, row.username, row.serverUrl) == (
        result.profile.id,
        "ana",
        contract_server.url,
    )
    assert row.verifier.startswith(f"pbkdf2_sha256${FAST}$")
    assert passwords.check_verifier(row.verifier, "pw-ana", min_iterations=FAST)
    assert b"pw-ana" not in store_bytes(store)
    assert "pw-ana".encode("utf-16-le") not in store_bytes(store)


def test_no_verifier_without_an_online_success(
    store: Store, contract_server: ContractServer, tokens: TokenStore
) -> None:
    policy = lab_policy(contract_server)
    with pytest.raises(WrongCredentials) as caught:
        attempt(store, policy, tokens, "ana", "not-her-password")
    assert str(caught.value) == "The user name or password is not right."
    with pytest.raises(WrongCredentials) as unknown:
        attempt(store, policy, tokens, "nobody", "whatever")
    assert str(unknown.value) == str(caught.value)  # no hint whether the user exists
    assert credentials(store) == []
    assert b"not-her-password" not in store_bytes(store)


def test_offline_the_cached_verifier_checks_the_password(
    store: Store, contract_server: ContractServer, tokens: TokenStore
) -> None:
    policy = lab_policy(contract_server)
    online = attempt(store, policy, tokens, "ana", "pw-ana")
    contract_server.stop()

    offline = attempt(store, policy, tokens, "ana", "pw-ana")
    assert not offline.online
    assert offline.profile.id == online.profile.id

    with pytest.raises(WrongCredentials) as wrong:
        attempt(store, policy, tokens, "ana", "pw-ben")
    assert str(wrong.value) == "The user name or password is not right."
    assert len(credentials(store)) == 1  # a wrong guess changes nothing


def test_offline_a_learner_who_never_signed_in_here_is_told_to_connect(
    store: Store, contract_server: ContractServer, tokens: TokenStore
) -> None:
    policy = lab_policy(contract_server)
    attempt(store, policy, tokens, "ana", "pw-ana")
    contract_server.stop()
    with pytest.raises(FirstSignInNeedsNetwork) as caught:
        attempt(store, policy, tokens, "ben", "pw-ben")
    assert str(caught.value) == (
        "You have not signed in on this computer before. Connect to the network to sign in "
        "the first time."
    )


def test_a_server_error_counts_as_offline_but_a_rate_limit_does_not(
    store: Store, contract_server: ContractServer, tokens: TokenStore
) -> None:
    policy = lab_policy(contract_server)
    attempt(store, policy, tokens, "ana", "pw-ana")

    contract_server.faults.fail_next(status=503, path_prefix="/api/auth/")
    assert not attempt(store, policy, tokens, "ana", "pw-ana").online

    contract_server.faults.fail_next(status=429, path_prefix="/api/auth/")
    with pytest.raises(SignInRefused) as caught:
        attempt(store, policy, tokens, "ana", "pw-ana")
    assert type(caught.value) is SignInRefused
    assert "Wait a minute" in str(caught.value)


def test_a_learner_of_another_tenant_is_refused_and_signed_out(
    store: Store, contract_server: ContractServer, tokens: TokenStore
) -> None:
    policy = lab_policy(contract_server)  # t-north; chen is in t-south
    with pytest.raises(CrossTenant) as caught:
        attempt(store, policy, tokens, "chen", "pw-chen")
    assert "t-north" in str(caught.value)
    assert tokens.load(contract_server.url, contract_server.user_id("chen")) is None
    assert credentials(store) == []
    with store.read() as session:  # nothing of chen is left on this machine
        assert [p.username for p in session.exec(select(Profile))] == []

    # without a tenant in the policy, any learner of the server may sign in
    result = attempt(store, lab_policy(contract_server, tenant=None), tokens, "chen", "pw-chen")
    assert result.online and result.profile.tenantId == "t-south"


def test_offline_the_tenant_is_checked_too(
    store: Store, contract_server: ContractServer, tokens: TokenStore
) -> None:
    north = lab_policy(contract_server)
    attempt(store, lab_policy(contract_server, tenant=None), tokens, "chen", "pw-chen")
    contract_server.stop()
    with pytest.raises(CrossTenant):
        attempt(store, north, tokens, "chen", "pw-chen")


def test_a_password_the_server_no_longer_takes_stops_working_offline(
    store: Store, contract_server: ContractServer, tokens: TokenStore
) -> None:
    policy = lab_policy(contract_server)
    ana = attempt(store, policy, tokens, "ana", "pw-ana").profile
    # as if ana's password had been "old-pw" when she last signed in here, then was changed
    lab_accounts.remember_password(
        store, ana, contract_server.url, "ana", "old-pw", iterations=FAST
    )
    with pytest.raises(WrongCredentials):
        attempt(store, policy, tokens, "ana", "a wrong guess")
    assert len(credentials(store)) == 1  # a wrong guess does not remove it
    with pytest.raises(WrongCredentials):
        attempt(store, policy, tokens, "ana", "old-pw")
    assert credentials(store) == []  # the server refused what the verifier accepted

    contract_server.stop()
    with pytest.raises(FirstSignInNeedsNetwork):
        attempt(store, policy, tokens, "ana", "old-pw")


def test_a_verifier_with_too_few_iterations_is_not_trusted(
    store: Store, contract_server: ContractServer, tokens: TokenStore
) -> None:
    policy = lab_policy(contract_server)
    ana = attempt(store, policy, tokens, "ana", "pw-ana").profile
    lab_accounts.remember_password(store, ana, contract_server.url, "ana", "pw-ana", iterations=10)
    contract_server.stop()
    with pytest.raises(FirstSignInNeedsNetwork):
        attempt(store, policy, tokens, "ana", "pw-ana")


def test_an_empty_user_name_or_password_is_refused_without_asking_the_server(
    store: Store, contract_server: ContractServer, tokens: TokenStore
) -> None:
    policy = lab_policy(contract_server)
    contract_server.reset_requests()
    for user, password in (("", "pw-ana"), ("  ", "pw-ana"), ("ana", "")):
        with pytest.raises(WrongCredentials):
            attempt(store, policy, tokens, user, password)
    assert contract_server.requests == []
