"""The contract server's progress endpoints: merge rule, replays, batch, since-cursor."""

from __future__ import annotations

import random
import threading

from tests.server.app import ContractServer
from tests.server.helpers import at, progress_event, signin

GIT = "git-basics"
WORLD = "welcome-multilingual"


def test_progress_needs_an_enrollment_or_a_purchase(contract_server: ContractServer) -> None:
    with signin(contract_server, "ana") as ana, signin(contract_server, "ben") as ben:
        refused = ana.post("/api/learn/progress", json=progress_event(GIT, 0))
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "NOT_ENROLLED"
        contract_server.add_purchase(contract_server.user_id("ben"), "prod-git")
        contract_server.add_enrollment(contract_server.user_id("ana"), WORLD)
        assert ben.post("/api/learn/progress", json=progress_event(GIT, 0)).status_code == 200
        assert ana.post("/api/learn/progress", json=progress_event(WORLD, 0)).status_code == 200
    assert contract_server.progress_rows(contract_server.user_id("ana"))[0]["courseId"] == WORLD


def test_full_mode_requires_event_ids_and_times(contract_server: ContractServer) -> None:
    contract_server.add_enrollment(contract_server.user_id("ana"), WORLD)
    with signin(contract_server, "ana") as ana:
        for missing in ("clientEventId", "occurredAt"):
            body = progress_event(WORLD, 0)
            del body[missing]
            answer = ana.post("/api/learn/progress", json=body)
            assert answer.status_code == 400
            assert answer.json()["error"]["code"] == "BAD_REQUEST"
        bad = dict(progress_event(WORLD, 0), lessonIdx="two")
        assert ana.post("/api/learn/progress", json=bad).status_code == 400


def test_latest_occurred_at_wins_and_replays_are_harmless(contract_server: ContractServer) -> None:
    ana_id = contract_server.user_id("ana")
    contract_server.add_enrollment(ana_id, WORLD)
    with signin(contract_server, "ana") as ana:
        newer = ana.post("/api/learn/progress", json=progress_event(WORLD, 2, True, minutes=10))
        assert newer.status_code == 200
        assert newer.json()["completed"] is True
        older = ana.post("/api/learn/progress", json=progress_event(WORLD, 2, False, minutes=5))
        assert older.status_code == 200
        assert older.json() == newer.json()  # acknowledged, the current row is unchanged
        undo = progress_event(WORLD, 2, False, minutes=20)
        first = ana.post("/api/learn/progress", json=undo)
        replay = ana.post("/api/learn/progress", json=undo)
        assert first.json()["completed"] is False
        assert replay.json() == first.json()
        # The same clientEventId again, even with other content, changes nothing.
        forged = dict(undo, completed=True, occurredAt=at(99))
        assert ana.post("/api/learn/progress", json=forged).json()["completed"] is False
    rows = contract_server.progress_rows(ana_id)
    assert [(r["lessonIdx"], r["completed"], r["occurredAt"]) for r in rows] == [(2, False, at(20))]


def test_user_comes_from_the_token_not_the_body(contract_server: ContractServer) -> None:
    contract_server.add_enrollment(contract_server.user_id("ana"), WORLD)
    contract_server.add_enrollment(contract_server.user_id("ben"), WORLD)
    body = dict(progress_event(WORLD, 0), userId=contract_server.user_id("ben"))
    with signin(contract_server, "ana") as ana:
        assert ana.post("/api/learn/progress?userId=x", json=body).status_code == 200
    assert len(contract_server.progress_rows(contract_server.user_id("ana"))) == 1
    assert contract_server.progress_rows(contract_server.user_id("ben")) == []


def test_batch_reports_each_event(contract_server: ContractServer) -> None:
    contract_server.add_enrollment(contract_server.user_id("ana"), WORLD)
    applied = progress_event(WORLD, 0, True, minutes=10)
    stale = progress_event(WORLD, 0, False, minutes=1)
    rejected = progress_event(GIT, 0)
    invalid = {"clientEventId": "no-course", "lessonIdx": 0, "completed": True}
    events = [applied, stale, applied, rejected, invalid]
    with signin(contract_server, "ana") as ana:
        answer = ana.post("/api/learn/progress/batch", json={"events": events})
        assert answer.status_code == 200
        results = answer.json()["results"]
        assert [r["clientEventId"] for r in results] == [e["clientEventId"] for e in events]
        assert [r["status"] for r in results] == [
            "applied",
            "stale",
            "duplicate",
            "rejected",
            "rejected",
        ]
        assert results[3]["error"]["code"] == "NOT_ENROLLED"
        assert results[4]["error"]["code"] == "BAD_REQUEST"
        # A rejected event is not remembered: once enrolled, the same event applies.
        contract_server.add_purchase(contract_server.user_id("ana"), "prod-git")
        retry = ana.post("/api/learn/progress/batch", json={"events": [rejected]})
        assert retry.json()["results"][0]["status"] == "applied"
        too_many = [progress_event(WORLD, 1) for _ in range(501)]
        big = ana.post("/api/learn/progress/batch", json={"events": too_many})
        assert big.status_code == 400
        exactly = ana.post("/api/learn/progress/batch", json={"events": too_many[:500]})
        assert exactly.status_code == 200


def test_progress_of_one_course(contract_server: ContractServer) -> None:
    ana_id = contract_server.user_id("ana")
    contract_server.add_enrollment(ana_id, WORLD)
    contract_server.add_purchase(ana_id, "prod-git")
    with signin(contract_server, "ana") as ana:
        for idx in (2, 0):
            ana.post("/api/learn/progress", json=progress_event(WORLD, idx))
        ana.post("/api/learn/progress", json=progress_event(GIT, 1, False))
        rows = ana.get(f"/api/learn/progress/{WORLD}").json()
    assert [(r["lessonIdx"], r["completed"]) for r in rows] == [(0, True), (2, True)]
    assert all(set(r) == {"lessonIdx", "completed", "updatedAt"} for r in rows)


def test_since_cursor_returns_only_later_changes(contract_server: ContractServer) -> None:
    for user in ("ana", "ben"):
        contract_server.add_enrollment(contract_server.user_id(user), WORLD)
    with signin(contract_server, "ana") as ana, signin(contract_server, "ben") as ben:
        empty = ana.get("/api/learn/progress").json()
        assert empty["items"] == []
        ana.post("/api/learn/progress", json=progress_event(WORLD, 0, minutes=1))
        ana.post("/api/learn/progress", json=progress_event(WORLD, 1, minutes=1))
        everything = ana.get("/api/learn/progress").json()
        assert [i["lessonIdx"] for i in everything["items"]] == [0, 1]
        assert (
            ana.get("/api/learn/progress", params={"since": empty["cursor"]}).json()["items"]
            == everything["items"]
        )
        cursor = everything["cursor"]
        ben.post("/api/learn/progress", json=progress_event(WORLD, 3))
        ana.post("/api/learn/progress", json=progress_event(WORLD, 0, False, minutes=0))  # stale
        assert ana.get("/api/learn/progress", params={"since": cursor}).json()["items"] == []
        ana.post("/api/learn/progress", json=progress_event(WORLD, 1, False, minutes=2))
        later = ana.get("/api/learn/progress", params={"since": cursor}).json()
        assert [(i["courseId"], i["lessonIdx"], i["completed"]) for i in later["items"]] == [
            (WORLD, 1, False)
        ]
        assert later["cursor"] != cursor
        bad = ana.get("/api/learn/progress", params={"since": "yesterday"})
        assert bad.status_code == 400


def test_concurrent_events_keep_the_latest(contract_server: ContractServer) -> None:
    ana_id = contract_server.user_id("ana")
    contract_server.add_enrollment(ana_id, WORLD)
    events = [progress_event(WORLD, 0, minute % 2 == 0, minutes=minute) for minute in range(40)]
    random.Random(7).shuffle(events)
    statuses: list[int] = []
    lock = threading.Lock()

    def send(chunk: list[dict[str, object]]) -> None:
        with signin(contract_server, "ana") as ana:
            for event in chunk:
                code = ana.post("/api/learn/progress", json=event).status_code
                with lock:
                    statuses.append(code)

    threads = [threading.Thread(target=send, args=(events[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 40
    row = contract_server.progress_rows(ana_id)[0]
    assert (row["occurredAt"], row["completed"]) == (at(39), False)
