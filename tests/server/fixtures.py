"""Pytest plugin: contract servers for tests (``pytest_plugins = ["tests.server.fixtures"]``).

- ``contract_server``: a started full-mode server with the standard seed (see
  ``seeding.seed_standard``), stopped after the test.
- ``seed_server``: the same world on a server in seed mode.
- ``make_server``: a factory for custom servers, all stopped after the test.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest

from .app import ContractServer
from .seeding import seed_standard


class MakeServer(Protocol):
    def __call__(
        self,
        db_path: Path | None = None,
        seed_mode: bool = False,
        *,
        standard: bool = False,
        start: bool = True,
        **kwargs: Any,
    ) -> ContractServer: ...


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator[MakeServer]:
    """``make_server(db_path=None, seed_mode=False, *, standard=False, start=True, **kwargs)``.

    ``db_path`` may be a file or a folder (``tmp_path``); by default a new file in tmp_path.
    ``standard=True`` applies the standard seed; ``kwargs`` go to ``ContractServer``.
    """
    servers: list[ContractServer] = []
    counter = itertools.count(1)

    def factory(
        db_path: Path | None = None,
        seed_mode: bool = False,
        *,
        standard: bool = False,
        start: bool = True,
        **kwargs: Any,
    ) -> ContractServer:
        path = db_path if db_path is not None else tmp_path
        if path.is_dir():
            path = path / f"contract-server-{next(counter)}.db"
        server = ContractServer(path, seed_mode=seed_mode, **kwargs)
        servers.append(server)
        if standard:
            seed_standard(server)
        if start:
            server.start()
        return server

    yield factory
    for server in servers:
        server.stop()


@pytest.fixture
def contract_server(make_server: MakeServer) -> ContractServer:
    """A running full-mode server with the standard seed."""
    return make_server(standard=True)


@pytest.fixture
def seed_server(make_server: MakeServer) -> ContractServer:
    """A running seed-mode server with the standard seed."""
    return make_server(seed_mode=True, standard=True)
