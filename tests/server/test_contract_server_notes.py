"""The contract server's notes endpoints: latest updatedAt wins, tombstones, cursor, seed 404."""

from __future__ import annotations

from typing import Any

from tests.server.app import ContractServer
from tests.server.helpers import at, signin

GIT = "git-basics"


def note(note_id: str, minutes: int, text: str = "t", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": note_id,
        "courseId": GIT,
        "lessonIdx": 1,
        "kind": "note",
        "text": text,
        "updatedAt": at(minutes),
        "deleted": False,
    }
    body.update(extra)
    return body


def test_latest_write_wins_and_older_ones_are_stale(contract_server: ContractServer) -> None:
    with signin(contract_server, "ana") as ana:
        answer = ana.post(
            "/api/learn/notes/batch",
            json={"notes": [note("n1", 10, "newer"), note("n1", 5, "older"), note("n2", 1)]},
        )
        assert answer.status_code == 200
        assert [(r["id"], r["status"]) for r in answer.json()["results"]] == [
            ("n1", "applied"),
            ("n1", "stale"),
            ("n2", "applied"),
        ]
        tomb = ana.post(
            "/api/learn/notes/batch",
            json={"notes": [note("n1", 11, "", deleted=True)]},
        )
        assert tomb.json()["results"][0]["status"] == "applied"
    rows = contract_server.notes(contract_server.user_id("ana"))
    assert [(r["id"], r["text"], r["deleted"]) for r in rows] == [
        ("n2", "t", False),
        ("n1", "", True),
    ]


def test_invalid_notes_are_rejected_one_by_one(contract_server: ContractServer) -> None:
    with signin(contract_server, "ana") as ana:
        answer = ana.post(
            "/api/learn/notes/batch",
            json={
                "notes": [
                    note("a", 1, "x" * 20_001),
                    note("b", 1, kind="highlight"),
                    "not an object",
                    note("c", 1, "x" * 20_000),
                ]
            },
        )
        statuses = [r["status"] for r in answer.json()["results"]]
        assert statuses == ["rejected", "rejected", "rejected", "applied"]
        assert answer.json()["results"][0]["error"]["code"] == "BAD_REQUEST"
        too_many = ana.post(
            "/api/learn/notes/batch", json={"notes": [note(str(i), 1) for i in range(501)]}
        )
        assert too_many.status_code == 400


def test_since_cursor_returns_later_writes_of_the_caller_only(
    contract_server: ContractServer,
) -> None:
    with signin(contract_server, "ana") as ana, signin(contract_server, "ben") as ben:
        ana.post("/api/learn/notes/batch", json={"notes": [note("a1", 1)]})
        ben.post("/api/learn/notes/batch", json={"notes": [note("b1", 1, "ben's")]})
        first = ana.get("/api/learn/notes").json()
        assert [i["id"] for i in first["items"]] == ["a1"]
        assert first["items"][0] == note("a1", 1)
        again = ana.get("/api/learn/notes", params={"since": first["cursor"]}).json()
        assert again["items"] == []
        ana.post("/api/learn/notes/batch", json={"notes": [note("a1", 2, "", deleted=True)]})
        later = ana.get("/api/learn/notes", params={"since": first["cursor"]}).json()
        assert [(i["id"], i["deleted"]) for i in later["items"]] == [("a1", True)]
        assert ana.get("/api/learn/notes", params={"since": "bogus"}).status_code == 400


def test_seed_mode_has_no_notes_routes(seed_server: ContractServer) -> None:
    with signin(seed_server, "ana") as ana:
        assert ana.get("/api/learn/notes").status_code == 404
        posted = ana.post("/api/learn/notes/batch", json={"notes": [note("a", 1)]})
        assert posted.status_code == 404
        assert posted.json()["error"]["code"] == "NOT_FOUND"
