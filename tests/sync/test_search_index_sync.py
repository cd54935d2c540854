"""A downloaded course is searchable, its text extracted by the download worker: sync's write
transactions only insert the index rows (they hold the store's lock; docs/store.md), and the
workers pause while the learner waits for a read."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from player import foreground
from player.services.search import search
from player.store.db import Store
from player.store.models import StoredPackage
from player.sync.report import SyncReport
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


def test_a_sync_waits_while_the_learner_waits_for_a_read(
    contract_server: ContractServer,
    sign_in_as: SignInAs,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A held foreground (a lesson being opened: ``player.foreground``) stops the download
    workers between two steps; when it is let go, the sync goes on and stores the course."""
    monkeypatch.setattr(foreground, "MAX_PAUSE", 120.0)
    contract_server.add_enrollment(contract_server.user_id("ana"), FREE)
    ana = sign_in_as(contract_server, "ana")
    reports: list[SyncReport] = []
    release = foreground.hold()
    try:
        thread = threading.Thread(target=lambda: reports.append(ana.sync()))
        thread.start()
        for _ in range(3000):
            if foreground.pausing():
                break
            thread.join(0.01)
        assert foreground.pausing() >= 1, "the sync never paused"
        assert thread.is_alive()
        with store.read() as session:
            assert (
                session.exec(select(StoredPackage).where(StoredPackage.courseId == FREE)).all()
                == []
            )
    finally:
        release()
    thread.join(60)
    assert not thread.is_alive()
    assert reports[0].courses_downloaded == 1


def test_a_sync_never_pauses_inside_a_write_transaction(
    contract_server: ContractServer,
    sign_in_as: SignInAs,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A read the learner waits for may write (a first search indexes older packages): a sync
    paused while holding the store's write lock would make it wait."""
    contract_server.add_enrollment(contract_server.user_id("ana"), FREE)
    ana = sign_in_as(contract_server, "ana")
    real_pause = foreground.pause
    inside: list[bool] = []

    def pause(max_seconds: float | None = None) -> bool:
        inside.append(store._write_lock._is_owned())  # type: ignore[attr-defined]
        return real_pause(max_seconds)

    monkeypatch.setattr(foreground, "pause", pause)
    assert ana.sync().courses_downloaded == 1
    assert inside and not any(inside)
