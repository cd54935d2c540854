"""The contract server's fault switches, each seen from a real HTTP client."""

from __future__ import annotations

import hashlib
import json

import httpx
import pytest

from tests.server.app import ContractServer
from tests.server.faults import alter_one_byte
from tests.server.helpers import progress_event, signin

GIT = "git-basics"
WORLD = "welcome-multilingual"
COURSE = f"/api/learn/courses/{GIT}"


@pytest.fixture
def server(contract_server: ContractServer) -> ContractServer:
    """The standard server with ana enrolled in both northern courses."""
    ana_id = contract_server.user_id("ana")
    contract_server.add_enrollment(ana_id, GIT)
    contract_server.add_enrollment(ana_id, WORLD)
    return contract_server


def test_fail_next_answers_errors_without_applying(server: ContractServer) -> None:
    with signin(server, "ana") as ana:
        server.faults.fail_next(2, status=503, retry_after=7, path_prefix="/api/learn/progress")
        for _ in range(2):
            answer = ana.post("/api/learn/progress", json=progress_event(WORLD, 0))
            assert answer.status_code == 503
            assert answer.headers["retry-after"] == "7"
            assert set(answer.json()["error"]) == {"code", "message"}
        assert server.progress_rows(server.user_id("ana")) == []
        assert ana.post("/api/learn/progress", json=progress_event(WORLD, 0)).status_code == 200
        assert server.faults.pending() == 0


def test_fail_next_429_and_500(server: ContractServer) -> None:
    with signin(server, "ana") as ana:
        server.faults.fail_next(1, status=429)
        limited = ana.get("/api/learn/courses")
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "RATE_LIMITED"
        assert limited.headers["retry-after"] == "1"
        server.faults.fail_next(1)
        failed = ana.get("/api/learn/courses")
        assert (failed.status_code, failed.json()["error"]["code"]) == (500, "INTERNAL")
        assert ana.get("/api/learn/courses").status_code == 200


def test_faults_match_method_and_prefix_and_spare_sign_in(server: ContractServer) -> None:
    server.faults.fail_next(1, status=500, method="POST")
    with signin(server, "ana") as ana:  # sign-in is a POST, but auth is spared by default
        assert ana.get(COURSE).status_code == 200  # a GET does not match
        assert ana.post("/api/learn/enroll", json={"courseId": WORLD}).status_code == 500
        server.faults.fail_next(1, status=503, path_prefix="/api/auth/token")
        with pytest.raises(httpx.HTTPStatusError):
            signin(server, "ben")
    assert server.faults.pending() == 0


def test_delay_next_makes_a_client_time_out(server: ContractServer) -> None:
    server.faults.delay_next(1, seconds=5, path_prefix="/api/learn/courses")
    with signin(server, "ana") as ana, pytest.raises(httpx.ReadTimeout):
        ana.get("/api/learn/courses", timeout=0.2)


def test_drip_sends_the_whole_body_a_few_bytes_at_a_time(server: ContractServer) -> None:
    server.faults.drip_next(1, interval=0.001, chunk=7, path_prefix="/api/learn/courses")
    with signin(server, "ana") as ana:
        whole = ana.get("/api/learn/courses")
        with ana.stream("GET", "/api/learn/courses") as plain:
            plain_chunks = list(plain.iter_raw())
        server.faults.drip_next(1, interval=0.001, chunk=7, path_prefix="/api/learn/courses")
        with ana.stream("GET", "/api/learn/courses") as dripped:
            sizes = [len(c) for c in dripped.iter_raw()]
    assert whole.status_code == 200 and whole.json()
    assert sum(sizes) == len(whole.content) == sum(len(c) for c in plain_chunks)
    assert len(sizes) > 1 and max(sizes) <= 7 * 4  # trickled, not sent in one write
    assert server.faults.pending() == 0


def test_cut_body_on_a_package(server: ContractServer) -> None:
    server.faults.cut_body_next(1, path_prefix=COURSE)
    with signin(server, "ana") as ana:
        with pytest.raises(httpx.RemoteProtocolError):
            ana.get(COURSE)
        assert ana.get(COURSE).status_code == 200
    assert server.bodies_sent == 1


def test_cut_body_on_a_post_still_applies_it(server: ContractServer) -> None:
    event = progress_event(WORLD, 1, minutes=3)
    server.faults.cut_body_next(1, path_prefix="/api/learn/progress")
    with signin(server, "ana") as ana:
        with pytest.raises(httpx.RemoteProtocolError):
            ana.post("/api/learn/progress", json=event)
        assert len(server.progress_rows(server.user_id("ana"))) == 1
        batch = ana.post("/api/learn/progress/batch", json={"events": [event]})
        assert batch.json()["results"][0]["status"] == "duplicate"


def test_malformed_json_after_applying(server: ContractServer) -> None:
    server.faults.malformed_json_next(1, path_prefix="/api/store/purchase")
    key = {"Idempotency-Key": "k-1"}
    with signin(server, "ben") as ben:
        garbled = ben.post("/api/store/purchase", json={"productId": "prod-git"}, headers=key)
        assert garbled.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            garbled.json()
        retry = ben.post("/api/store/purchase", json={"productId": "prod-git"}, headers=key)
        assert retry.status_code == 201
    assert [p["id"] for p in server.purchases(server.user_id("ben"))] == [retry.json()["id"]]


def test_bad_sha_serves_altered_bytes_under_the_real_etag(server: ContractServer) -> None:
    with signin(server, "ana") as ana:
        listed = {c["id"]: c for c in ana.get("/api/learn/courses").json()}[GIT]
        server.faults.bad_sha(GIT)
        for _ in range(2):  # stays until cleared
            answer = ana.get(COURSE)
            assert answer.headers["etag"] == f'"{listed["sha256"]}"'
            assert len(answer.content) == listed["sizeBytes"]
            assert hashlib.sha256(answer.content).hexdigest() != listed["sha256"]
        assert {c["id"]: c for c in ana.get("/api/learn/courses").json()}[GIT] == listed
        server.faults.clear()
        assert hashlib.sha256(ana.get(COURSE).content).hexdigest() == listed["sha256"]


def test_alter_one_byte_changes_exactly_one_byte() -> None:
    for body in (b'{"title": "Git"}\n', b'{"title": "Git"}', b"{}"):
        altered = alter_one_byte(body)
        assert len(altered) == len(body)
        assert sum(a != b for a, b in zip(altered, body, strict=True)) == 1


def test_expire_token_after(server: ContractServer) -> None:
    with signin(server, "ana") as ana, signin(server, "ben") as ben:
        server.faults.expire_token_after(2)
        assert ana.get("/api/auth/me").status_code == 200  # auth paths are not counted
        assert ana.get("/api/learn/courses").status_code == 200
        assert ben.get("/api/learn/courses").status_code == 200
        assert ana.get("/api/learn/courses").status_code == 401
        assert ben.get("/api/learn/courses").status_code == 401
    with signin(server, "ana") as ana:
        assert ana.get("/api/learn/courses").status_code == 200
