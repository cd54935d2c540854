"""The contract server against the contract: auth, tenants, courses, store, enrollment, audit."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from urllib.parse import quote

import httpx

from tests.server.app import ContractServer
from tests.server.fixtures import MakeServer
from tests.server.helpers import signin
from tests.server.seeding import fixtures_dir, seed_directory

HOSTILE_ID = "../../etc/passwd"


def fixture_bytes(name: str) -> bytes:
    return (fixtures_dir() / name).read_bytes()


def course_path(course_id: str) -> str:
    return f"/api/learn/courses/{quote(course_id, safe='')}"


def error_code(answer: httpx.Response) -> str:
    body = answer.json()
    assert set(body) == {"error"}
    assert isinstance(body["error"]["message"], str)
    return str(body["error"]["code"])


def parse(text: str) -> datetime:
    assert text.endswith("Z")
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- auth ---------------------------------------------------------------------------------------


def test_token_and_me(contract_server: ContractServer) -> None:
    answer = httpx.post(
        f"{contract_server.url}/api/auth/token",
        json={"username": "ana", "password": "pw-ana", "deviceName": "Lab PC 12"},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["user"] == {
        "id": contract_server.user_id("ana"),
        "name": "ana",
        "tenantId": "t-north",
    }
    assert parse(body["expiresAt"]) > datetime.now(parse(body["expiresAt"]).tzinfo)
    me = httpx.get(
        f"{contract_server.url}/api/auth/me", headers={"Authorization": f"Bearer {body['token']}"}
    )
    assert me.status_code == 200
    assert me.json() == body["user"]


def test_wrong_password_and_missing_token_are_401(contract_server: ContractServer) -> None:
    url = contract_server.url
    wrong = httpx.post(f"{url}/api/auth/token", json={"username": "ana", "password": "nope"})
    assert wrong.status_code == 401
    assert error_code(wrong) == "UNAUTHENTICATED"
    for headers in ({}, {"Authorization": "Bearer forged"}, {"Authorization": "Basic YTpi"}):
        answer = httpx.get(f"{url}/api/learn/courses", headers=headers)
        assert answer.status_code == 401
        assert error_code(answer) == "UNAUTHENTICATED"


def test_revoked_and_expired_tokens_are_401(contract_server: ContractServer) -> None:
    with signin(contract_server, "ana") as ana, signin(contract_server, "ben") as ben:
        contract_server.expire_tokens(contract_server.user_id("ana"))
        assert ana.get("/api/auth/me").status_code == 401
        assert ben.get("/api/auth/me").status_code == 200
    contract_server.set_token_ttl(0)
    with signin(contract_server, "ben") as ben:
        assert ben.get("/api/auth/me").status_code == 401


# -- courses and tenants ------------------------------------------------------------------------


def test_catalog_is_per_tenant_with_real_checksums(contract_server: ContractServer) -> None:
    with signin(contract_server, "ana") as ana, signin(contract_server, "chen") as chen:
        north = {item["id"]: item for item in ana.get("/api/learn/courses").json()}
        south = [item["id"] for item in chen.get("/api/learn/courses").json()]
    assert set(north) == {"git-basics", "welcome-multilingual"}
    assert south == [HOSTILE_ID]
    git = north["git-basics"]
    raw = fixture_bytes("git-basics.json")
    assert git["title"] == "Git Basics"
    assert git["version"] == 2
    assert git["sha256"] == hashlib.sha256(raw).hexdigest()
    assert git["sizeBytes"] == len(raw)
    parse(git["updatedAt"])


def test_course_guard_bytes_etag_and_304(contract_server: ContractServer) -> None:
    ana_id = contract_server.user_id("ana")
    raw = fixture_bytes("git-basics.json")
    with signin(contract_server, "ana") as ana:
        forbidden = ana.get(course_path("git-basics"))
        assert forbidden.status_code == 403
        assert error_code(forbidden) == "FORBIDDEN"
        contract_server.add_enrollment(ana_id, "git-basics")
        contract_server.reset_requests()
        full = ana.get(course_path("git-basics"))
        assert full.status_code == 200
        assert full.content == raw
        assert full.headers["content-type"] == "application/json"
        etag = full.headers["etag"]
        assert etag == f'"{hashlib.sha256(raw).hexdigest()}"'
        again = ana.get(course_path("git-basics"), headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        other = ana.get(course_path("git-basics"), headers={"If-None-Match": '"0000"'})
        assert other.status_code == 200
    assert contract_server.bodies_sent == 2
    assert contract_server.requests == [
        ("GET", "/api/learn/courses/git-basics", 200),
        ("GET", "/api/learn/courses/git-basics", 304),
        ("GET", "/api/learn/courses/git-basics", 200),
    ]


def test_purchase_opens_a_course_too(contract_server: ContractServer) -> None:
    contract_server.add_purchase(contract_server.user_id("ben"), "prod-git")
    with signin(contract_server, "ben") as ben:
        assert ben.get(course_path("git-basics")).status_code == 200


def test_other_tenants_courses_are_invisible(contract_server: ContractServer) -> None:
    contract_server.add_enrollment(contract_server.user_id("chen"), "git-basics")
    contract_server.add_enrollment(contract_server.user_id("chen"), HOSTILE_ID)
    contract_server.add_enrollment(contract_server.user_id("ana"), HOSTILE_ID)
    with signin(contract_server, "chen") as chen, signin(contract_server, "ana") as ana:
        assert error_code(chen.get(course_path("git-basics"))) == "NOT_FOUND"
        assert error_code(ana.get(course_path(HOSTILE_ID))) == "NOT_FOUND"
        hostile = chen.get(course_path(HOSTILE_ID))
        assert hostile.status_code == 200
        assert hostile.content == fixture_bytes("hostile.json")


def test_drafts_are_never_served(contract_server: ContractServer) -> None:
    draft = json.loads(fixture_bytes("draft-not-published.json"))
    contract_server.publish(fixture_bytes("draft-not-published.json"), "t-north")
    draft["courseId"] = "draft-only"
    contract_server.publish(json.dumps(draft).encode(), "t-north")
    ana_id = contract_server.user_id("ana")
    contract_server.add_enrollment(ana_id, "git-basics")
    contract_server.add_enrollment(ana_id, "draft-only")
    with signin(contract_server, "ana") as ana:
        ids = {(c["id"], c["version"]) for c in ana.get("/api/learn/courses").json()}
        assert ids == {("git-basics", 2), ("welcome-multilingual", 1)}
        assert ana.get(course_path("git-basics")).json()["version"] == 2
        answer = ana.get(course_path("draft-only"))
        assert answer.status_code == 404
        assert error_code(answer) == "NOT_PUBLISHED"


def test_a_new_version_replaces_the_old_one(contract_server: ContractServer) -> None:
    contract_server.add_enrollment(contract_server.user_id("ana"), "git-basics")
    with signin(contract_server, "ana") as ana:
        old_etag = ana.get(course_path("git-basics")).headers["etag"]
        newer = json.loads(fixture_bytes("draft-not-published.json"))
        newer["status"] = "PUBLISHED"
        raw = json.dumps(newer, indent=1).encode()
        sha = contract_server.publish(raw, "t-north")
        listed = {c["id"]: c for c in ana.get("/api/learn/courses").json()}["git-basics"]
        assert (listed["version"], listed["sha256"]) == (3, sha)
        answer = ana.get(course_path("git-basics"), headers={"If-None-Match": old_etag})
        assert answer.status_code == 200
        assert answer.content == raw


def test_lessons(contract_server: ContractServer) -> None:
    lessons = json.loads(fixture_bytes("git-basics.json"))["lessons"]
    with signin(contract_server, "ana") as ana:
        assert ana.get(course_path("git-basics") + "/lessons/0").status_code == 403
        contract_server.add_enrollment(contract_server.user_id("ana"), "git-basics")
        assert ana.get(course_path("git-basics") + "/lessons/1").json() == lessons[1]
        missing = ana.get(course_path("git-basics") + f"/lessons/{len(lessons)}")
        assert (missing.status_code, error_code(missing)) == (404, "NOT_FOUND")
        bad = ana.get(course_path("git-basics") + "/lessons/one")
        assert (bad.status_code, error_code(bad)) == (400, "BAD_REQUEST")


# -- entitlements, store, enrollment ------------------------------------------------------------


def test_entitlements_and_lease(contract_server: ContractServer) -> None:
    ana_id = contract_server.user_id("ana")
    purchase_id = contract_server.add_purchase(ana_id, "prod-git")
    with signin(contract_server, "ana") as ana:
        body = ana.get("/api/learn/entitlements").json()
        assert (body["userId"], body["tenantId"]) == (ana_id, "t-north")
        assert [e["courseId"] for e in body["enrollments"]] == ["git-basics"]
        assert body["purchases"][0]["id"] == purchase_id
        assert body["purchases"][0]["productId"] == "prod-git"
        assert body["purchases"][0]["courseId"] == "git-basics"
        assert parse(body["validUntil"]) - parse(body["issuedAt"]) == timedelta(days=14)
        contract_server.set_lease(3600)
        body = ana.get("/api/learn/entitlements").json()
        assert parse(body["validUntil"]) - parse(body["issuedAt"]) == timedelta(hours=1)


def test_products_are_per_tenant_and_active(contract_server: ContractServer) -> None:
    contract_server.add_product("prod-old", "t-north", "welcome-multilingual", active=False)
    with signin(contract_server, "ana") as ana, signin(contract_server, "chen") as chen:
        assert ana.get("/api/store/products").json() == [
            {
                "id": "prod-git",
                "tenantId": "t-north",
                "courseId": "git-basics",
                "priceCents": 4900,
                "currency": "EUR",
                "active": True,
            }
        ]
        assert chen.get("/api/store/products").json() == []


def test_purchase_is_idempotent_and_enrolls(contract_server: ContractServer) -> None:
    ana_id = contract_server.user_id("ana")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    with signin(contract_server, "ana") as ana:
        first = ana.post("/api/store/purchase", json={"productId": "prod-git"}, headers=key)
        second = ana.post("/api/store/purchase", json={"productId": "prod-git"}, headers=key)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert first.json()["userId"] == ana_id
    assert first.json()["courseId"] == "git-basics"
    assert [p["id"] for p in contract_server.purchases(ana_id)] == [first.json()["id"]]
    assert [e["courseId"] for e in contract_server.enrollments(ana_id)] == ["git-basics"]


def test_purchase_refusals(contract_server: ContractServer) -> None:
    contract_server.add_product("prod-off", "t-north", "welcome-multilingual", active=False)
    with signin(contract_server, "chen") as chen, signin(contract_server, "ana") as ana:
        cross = chen.post("/api/store/purchase", json={"productId": "prod-git"})
        assert (cross.status_code, error_code(cross)) == (403, "CROSS_TENANT")
        for product in ("prod-none", "prod-off"):
            answer = ana.post("/api/store/purchase", json={"productId": product})
            assert answer.status_code == 404
    assert contract_server.purchases(contract_server.user_id("chen")) == []


def test_enroll(contract_server: ContractServer) -> None:
    with signin(contract_server, "ana") as ana:
        paid = ana.post("/api/learn/enroll", json={"courseId": "git-basics"})
        assert (paid.status_code, error_code(paid)) == (403, "PURCHASE_REQUIRED")
        first = ana.post("/api/learn/enroll", json={"courseId": "welcome-multilingual"})
        again = ana.post("/api/learn/enroll", json={"courseId": "welcome-multilingual"})
        assert (first.status_code, again.status_code) == (201, 200)
        assert first.json() == again.json()
        assert first.json()["courseId"] == "welcome-multilingual"
        unknown = ana.post("/api/learn/enroll", json={"courseId": HOSTILE_ID})
        assert (unknown.status_code, error_code(unknown)) == (404, "NOT_FOUND")
        contract_server.add_purchase(contract_server.user_id("ana"), "prod-git")
        assert ana.post("/api/learn/enroll", json={"courseId": "git-basics"}).status_code == 200


# -- audit --------------------------------------------------------------------------------------


def test_audit_is_idempotent_and_the_actor_comes_from_the_token(
    contract_server: ContractServer,
) -> None:
    event = {
        "id": str(uuid.uuid4()),
        "action": "EXPORT_PDF",
        "entityType": "CoursePackage",
        "entityId": "pkg_git_basics_v2",
        "metadata": {"courseId": "git-basics", "tenantId": "t-south", "version": 2},
        "occurredAt": "2026-10-01T12:00:00Z",
        "userId": contract_server.user_id("chen"),
    }
    with signin(contract_server, "ana") as ana:
        for _ in range(2):
            answer = ana.post("/api/audit/events", json={"events": [event]})
            assert answer.json() == {"accepted": [event["id"]]}
        too_many = [dict(event, id=str(uuid.uuid4())) for _ in range(501)]
        assert ana.post("/api/audit/events", json={"events": too_many}).status_code == 400
    stored = contract_server.audit_events()
    assert len(stored) == 1
    assert stored[0]["userId"] == contract_server.user_id("ana")
    assert stored[0]["tenantId"] == "t-north"
    assert stored[0]["metadata"] == event["metadata"]


# -- seed mode and restarts ---------------------------------------------------------------------


def test_seed_mode_serves_only_the_seed_api(seed_server: ContractServer) -> None:
    seed_server.add_enrollment(seed_server.user_id("ana"), "welcome-multilingual")
    with signin(seed_server, "ana") as ana:
        assert ana.get("/api/auth/me").status_code == 200
        catalog = ana.get("/api/learn/courses").json()
        assert all(set(item) == {"id", "title", "version"} for item in catalog)
        answers = [
            ana.get(course_path("welcome-multilingual"), headers={"If-None-Match": "*"})
            for _ in range(2)
        ]
        assert [a.status_code for a in answers] == [200, 200]
        assert "etag" not in answers[0].headers
        for method, path in [
            ("GET", "/api/learn/entitlements"),
            ("POST", "/api/learn/progress/batch"),
            ("GET", "/api/learn/progress"),
            ("GET", "/api/learn/progress?since=c0"),
            ("POST", "/api/audit/events"),
        ]:
            answer = ana.request(method, path, json={"events": []})
            assert (answer.status_code, error_code(answer)) == (404, "NOT_FOUND"), path
        posted = ana.post(
            "/api/learn/progress",
            json={"courseId": "welcome-multilingual", "lessonIdx": 1, "completed": True},
        )
        assert posted.status_code == 200
        assert ana.get("/api/learn/progress/welcome-multilingual").json() == [
            {"lessonIdx": 1, "completed": True, "updatedAt": posted.json()["updatedAt"]}
        ]


def test_restart_keeps_data_and_port(make_server: MakeServer) -> None:
    server = make_server(standard=True)
    url = server.url
    server.add_enrollment(server.user_id("ana"), "git-basics")
    with signin(server, "ana") as ana:
        server.stop()
        try:
            ana.get("/api/auth/me")
            raise AssertionError("a stopped server answered")
        except httpx.TransportError:
            pass
        server.start()
        assert server.url == url
        assert ana.get(course_path("git-basics")).status_code == 200


def test_seed_directory_publishes_only_published_packages(make_server: MakeServer) -> None:
    server = make_server()
    server.add_tenant("demo", "Demo")
    courses = seed_directory(server, fixtures_dir(), "demo")
    assert {"git-basics", "welcome-multilingual", HOSTILE_ID} <= set(courses)
    server.add_user("demo", "demo", "demo")
    with signin(server, "demo", "demo") as demo:
        listed = {c["id"]: c["version"] for c in demo.get("/api/learn/courses").json()}
    assert listed["git-basics"] == 2  # the DRAFT v3 is not served
