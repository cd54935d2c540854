"""Notes and bookmarks over real HTTP: upload, other machines, tombstones, last write wins, a
seed-design server (no routes), an outage and an expired sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from player.errors import SignInRequired
from player.services import notes, outbox
from player.store.db import Store
from player.store.models import LessonNote, NotesSyncState
from player.sync.engine import sync
from player.sync.report import SyncReport
from player.sync.server_signin import open_client, sign_in
from player.sync.tokens import TokenStore
from tests.server.app import ContractServer
from tests.server.fixtures import MakeServer
from tests.sync.conftest import NO_WAIT, Learner, SignInAs

FREE = "welcome-multilingual"
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def ready(server: ContractServer, sign_in_as: SignInAs, username: str = "ana") -> Learner:
    """A learner enrolled in the free course, which is on the machine after a first sync."""
    server.add_enrollment(server.user_id(username), FREE)
    learner = sign_in_as(server, username)
    assert learner.sync().delivered
    return learner


@pytest.fixture
def second_machine(tmp_path: Path, tokens: TokenStore) -> Iterator[Store]:
    other = Store(tmp_path / "machine-2")
    yield other
    other.close()


def sync_on(store: Store, server: ContractServer, tokens: TokenStore, user: str) -> SyncReport:
    result = sign_in(store, server.url, user, f"pw-{user}", tokens=tokens)
    with open_client(result.profile, tokens=tokens) as client:
        return sync(store, result.profile, client, policy=NO_WAIT)


def texts(store: Store, profile_id: str) -> dict[str, tuple[str, bool]]:
    with store.read() as session:
        rows = session.exec(select(LessonNote).where(LessonNote.profileId == profile_id))
        return {r.id: (r.text, r.deleted) for r in rows}


def test_queued_edits_reach_the_server_as_the_latest_version(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = ready(contract_server, sign_in_as)
    item = notes.add_note(store, ana.profile, FREE, 1, "first", now=T0)
    notes.edit_note(store, ana.profile, item.id, "second", now=T0 + timedelta(seconds=1))
    notes.edit_note(store, ana.profile, item.id, "third\nline", now=T0 + timedelta(seconds=2))
    notes.set_bookmark(store, ana.profile, FREE, 2, now=T0)

    report = ana.sync()

    assert report.delivered and report.notes_sent == 2 and not report.notes_local_only
    held = contract_server.notes(ana.user_id)
    assert [(n["kind"], n["text"], n["lessonIdx"]) for n in held] == [
        ("note", "third\nline", 1),
        ("bookmark", "", 2),
    ]
    assert held[0]["updatedAt"] == "2026-11-02T08:00:02Z"
    assert outbox.counts(store, ana.profile)["pending"] == 0
    # nothing more to send; the pull brings back only what this machine already has
    assert ana.sync().notes_sent == 0


def test_a_note_of_20000_characters_travels_whole(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = ready(contract_server, sign_in_as)
    text = "é" * notes.MAX_NOTE_CHARS
    notes.add_note(store, ana.profile, FREE, 0, text)
    assert ana.sync().delivered
    assert contract_server.notes(ana.user_id)[0]["text"] == text


def test_notes_and_tombstones_reach_another_machine(
    contract_server: ContractServer,
    sign_in_as: SignInAs,
    store: Store,
    second_machine: Store,
    tokens: TokenStore,
) -> None:
    ana = ready(contract_server, sign_in_as)
    kept = notes.add_note(store, ana.profile, FREE, 0, "kept")
    gone = notes.add_note(store, ana.profile, FREE, 1, "to delete")
    notes.set_bookmark(store, ana.profile, FREE, 2)
    assert ana.sync().delivered

    assert sync_on(second_machine, contract_server, tokens, "ana").notes_merged == 3
    on_two = notes.list_notes(second_machine, ana.profile)
    assert {(i.id, i.text) for i in on_two if i.kind == "note"} == {
        (kept.id, "kept"),
        (gone.id, "to delete"),
    }
    assert notes.lesson_notes(second_machine, ana.profile, FREE, 2).bookmarked

    # machine 2 deletes a note and removes the bookmark; machine 1 learns it
    notes.delete_note(second_machine, ana.profile, gone.id)
    notes.set_bookmark(second_machine, ana.profile, FREE, 2, on=False)
    assert sync_on(second_machine, contract_server, tokens, "ana").delivered
    assert ana.sync().notes_merged == 2
    assert [i.id for i in notes.list_notes(store, ana.profile)] == [kept.id]
    assert texts(store, ana.profile.id)[gone.id] == ("", True)
    server_rows = {n["id"]: n["deleted"] for n in contract_server.notes(ana.user_id)}
    assert server_rows[gone.id] is True and server_rows[kept.id] is False


def test_the_latest_edit_wins_whichever_machine_syncs_last(
    contract_server: ContractServer,
    sign_in_as: SignInAs,
    store: Store,
    second_machine: Store,
    tokens: TokenStore,
) -> None:
    ana = ready(contract_server, sign_in_as)
    item = notes.add_note(store, ana.profile, FREE, 0, "original", now=T0)
    assert ana.sync().delivered
    sync_on(second_machine, contract_server, tokens, "ana")
    # machine 2 edits later, but machine 1 (with the older edit) syncs after it
    notes.edit_note(second_machine, ana.profile, item.id, "newer", now=T0 + timedelta(minutes=5))
    notes.edit_note(store, ana.profile, item.id, "older", now=T0 + timedelta(minutes=1))
    sync_on(second_machine, contract_server, tokens, "ana")
    report = ana.sync()
    assert report.delivered and report.notes_merged == 1
    assert texts(store, ana.profile.id)[item.id] == ("newer", False)
    assert contract_server.notes(ana.user_id)[0]["text"] == "newer"
    assert outbox.counts(store, ana.profile)["pending"] == 0  # "stale" is an answer, not a retry


def test_a_seed_server_leaves_notes_on_the_machine_quietly(
    make_server: MakeServer, sign_in_as: SignInAs, store: Store, tmp_path: Path
) -> None:
    db = tmp_path / "server.db"
    server = make_server(db, seed_mode=True, standard=True)
    ana = ready(server, sign_in_as)
    item = notes.add_note(store, ana.profile, FREE, 1, "only here for now")
    notes.set_bookmark(store, ana.profile, FREE, 0)

    for _attempt in range(2):
        report = ana.sync()
        assert report.delivered and report.errors == [] and report.events_waiting == 0
        assert report.notes_local_only and report.notes_held == 2 and report.notes_sent == 0
    assert [i.text for i in notes.list_notes(store, ana.profile) if i.kind == "note"] == [
        "only here for now"
    ]
    assert outbox.counts(store, ana.profile)["pending"] == 2
    with store.read() as session:
        state = session.get(NotesSyncState, ana.profile.id)
        assert state is not None and state.unsupportedAt is not None
    note_calls = [r for r in server.requests if "notes" in r.path]
    assert note_calls and all(r.status == 404 for r in note_calls)

    # the same server, upgraded to one with the routes, gets everything that was kept
    port = server.port
    server.stop()
    upgraded = make_server(db, port=port)
    again = sign_in_as(upgraded, "ana")
    assert again.profile.id == ana.profile.id
    report = again.sync()
    assert report.delivered and report.notes_sent == 2 and not report.notes_local_only
    assert {n["id"] for n in upgraded.notes(ana.user_id)} >= {item.id}
    with store.read() as session:
        state = session.get(NotesSyncState, ana.profile.id)
        assert state is not None and state.unsupportedAt is None


def test_an_outage_and_an_expired_sign_in_lose_nothing(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store, tokens: TokenStore
) -> None:
    ana = ready(contract_server, sign_in_as)
    notes.add_note(store, ana.profile, FREE, 0, "written in the outage")
    contract_server.stop()
    report = ana.sync()
    assert report.online is False and outbox.counts(store, ana.profile)["pending"] == 1
    contract_server.start()

    contract_server.expire_tokens()
    with pytest.raises(SignInRequired):
        ana.sync()
    assert outbox.counts(store, ana.profile)["pending"] == 1
    assert contract_server.notes(ana.user_id) == []

    assert sync_on(store, contract_server, tokens, "ana").delivered
    assert [n["text"] for n in contract_server.notes(ana.user_id)] == ["written in the outage"]


def test_another_learner_gets_none_of_them(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = ready(contract_server, sign_in_as)
    notes.add_note(store, ana.profile, FREE, 0, "ana's")
    assert ana.sync().delivered
    ben = ready(contract_server, sign_in_as, "ben")
    assert ben.sync().notes_merged == 0
    assert notes.list_notes(store, ben.profile) == []
    assert contract_server.notes(ben.user_id) == []
    assert len(notes.list_notes(store, ana.profile)) == 1
