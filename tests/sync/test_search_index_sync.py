"""A downloaded course is searchable, its text extracted by the download worker: sync's write
transactions only insert the index rows (they hold the store's lock; docs/store.md)."""

from __future__ import annotations

import pytest

from player.services.search import search
from player.store.db import Store
from tests.search.test_scope_and_index_rows import _extraction_watch
from tests.server.app import ContractServer
from tests.sync.conftest import SignInAs
from tests.sync.test_engine import FREE


def test_sync_extracts_index_text_outside_its_write_transactions(
    contract_server: ContractServer,
    sign_in_as: SignInAs,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    contract_server.add_enrollment(contract_server.user_id("ana"), FREE)
    ana = sign_in_as(contract_server, "ana")
    with _extraction_watch(monkeypatch, store) as inside:
        assert ana.sync().courses_downloaded == 1
    assert inside == [False]
    found = [
        (hit.course_id, hit.lesson_index) for hit in search(store, ana.profile, "fruhstuck").hits
    ]
    assert (FREE, 0) in found
