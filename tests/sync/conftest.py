"""Fixtures for sync tests: an in-memory keyring, a token store, signed-in learners.

Everything talks to a real contract server (``contract_server``, ``seed_server``, ``make_server``
from ``tests.server.fixtures``) over HTTP on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import keyring
import keyring.backend
import keyring.errors
import pytest

from player.store.db import Store
from player.store.models import Profile
from player.sync.backoff import Backoff
from player.sync.client import ApiClient
from player.sync.engine import sync
from player.sync.report import SyncPolicy, SyncReport
from player.sync.server_signin import open_client, sign_in
from player.sync.tokens import TokenStore
from tests.server.app import ContractServer
from tests.server.seeding import STANDARD_USERS

#: No waiting between attempts: a failed item is due again at once.
NO_WAIT = SyncPolicy(backoff=Backoff(base=0.0, cap=0.0))


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A real keyring backend that keeps passwords in a dict (no desktop keyring here)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def tokens(memory_keyring: MemoryKeyring) -> TokenStore:
    return TokenStore()


@dataclass
class Learner:
    server: ContractServer
    store: Store
    profile: Profile
    client: ApiClient
    user_id: str
    username: str

    def sync(self, **kwargs: object) -> SyncReport:
        kwargs.setdefault("policy", NO_WAIT)
        return sync(self.store, self.profile, self.client, **kwargs)  # type: ignore[arg-type]


SignInAs = Callable[..., Learner]


@pytest.fixture
def sign_in_as(store: Store, tokens: TokenStore) -> Iterator[SignInAs]:
    """``sign_in_as(server, "ana")``: sign in (real HTTP) and open a client for the learner."""
    clients: list[ApiClient] = []

    def make(server: ContractServer, username: str, *, timeout: float | None = None) -> Learner:
        result = sign_in(store, server.url, username, STANDARD_USERS[username][0], tokens=tokens)
        options = {"timeout": timeout} if timeout is not None else {}
        client = open_client(result.profile, tokens=tokens, **options)
        clients.append(client)
        return Learner(server, store, result.profile, client, server.user_id(username), username)

    yield make
    for client in clients:
        client.close()
