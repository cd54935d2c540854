"""The sync engine over real HTTP: first sync, no-change sync, new versions, offline work, merge,
sha256 mismatch, seed mode, tenants."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import col, select

from player.services import outbox, progress
from player.services.learn import READY, LearnService
from player.store.db import Store
from player.store.models import (
    AuditLog,
    CatalogEntry,
    DownloadIssue,
    Enrollment,
    EntitlementLease,
    LessonProgress,
    Outbox,
    Product,
    Purchase,
    StoredPackage,
    SyncState,
)
from player.sync.report import SyncProgress
from player.timeutil import to_rfc3339, utcnow
from tests.server.app import ContractServer
from tests.server.helpers import signin as http_signin
from tests.server.seeding import fixtures_dir
from tests.sync.conftest import Learner, SignInAs

FREE = "welcome-multilingual"
PAID = "git-basics"
HOSTILE = "../../etc/passwd"


def entitle_ana(server: ContractServer) -> str:
    ana = server.user_id("ana")
    server.add_enrollment(ana, FREE)
    server.add_purchase(ana, "prod-git")
    return ana


def stored_versions(store: Store, course_id: str) -> list[int]:
    with store.read() as session:
        return sorted(
            session.exec(
                select(StoredPackage.version).where(StoredPackage.courseId == course_id)
            ).all()
        )


def publish_version(
    server: ContractServer, name: str, version: int, tenant: str = "t-north"
) -> None:
    data = json.loads((fixtures_dir() / name).read_bytes())
    data["version"] = version
    data["title"] = f"{data['title']} (v{version})"
    server.publish(json.dumps(data, indent=2).encode(), tenant)


def local_progress(store: Store, user_id: str) -> dict[tuple[str, int], bool]:
    with store.read() as session:
        rows = session.exec(select(LessonProgress).where(LessonProgress.userId == user_id))
        return {(r.courseId, r.lessonIdx): r.completed for r in rows}


def outbox_states(store: Store, learner: Learner) -> dict[str, int]:
    return outbox.counts(store, learner.profile)


# --- first sync, no-change sync, new versions ------------------------------------------------


def test_first_sync_downloads_what_the_learner_may_open(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    seen: list[SyncProgress] = []

    report = ana.sync(on_progress=seen.append)

    assert report.courses_downloaded == 2
    assert report.courses_failed == 0 and not report.errors
    assert report.online is True and report.delivered
    assert contract_server.bodies_sent == 2
    assert stored_versions(store, FREE) == [1] and stored_versions(store, PAID) == [2]
    courses = {c.course_id: c for c in LearnService(store, ana.profile).list_courses()}
    assert set(courses) == {FREE, PAID}
    assert all(c.state == READY for c in courses.values())
    with store.read() as session:
        assert {e.courseId for e in session.exec(select(CatalogEntry))} == {FREE, PAID}
        assert [p.id for p in session.exec(select(Product))] == ["prod-git"]
        assert [p.courseId for p in session.exec(select(Purchase))] == [PAID]
        enrollments = session.exec(select(Enrollment)).all()
        assert {e.courseId for e in enrollments} == {FREE, PAID}
        assert all(e.origin == "server" for e in enrollments)
        lease = session.get(EntitlementLease, (ana.profile.server, ana.user_id))
        assert lease is not None and lease.validUntil > utcnow() + timedelta(days=1)
        state = session.get(SyncState, ana.profile.id)
        assert state is not None and state.lastSuccessAt is not None
        assert state.progressCursor is not None
        stored = session.exec(select(StoredPackage)).all()
        assert {p.origin for p in stored} == {"server"}
        assert {p.tenantId for p in stored} == {"t-north"}
    assert any(p.stage == "download" and p.done == p.total == 2 for p in seen)


def test_a_second_sync_with_nothing_changed_downloads_no_body(
    contract_server: ContractServer, sign_in_as: SignInAs
) -> None:
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    ana.sync()
    contract_server.reset_requests()

    report = ana.sync()

    assert contract_server.bodies_sent == 0
    assert report.courses_downloaded == 0 and report.courses_unchanged == 2
    assert report.requests <= 5
    assert [(m, p) for m, p, _s in contract_server.requests] == [
        ("GET", "/api/learn/courses"),
        ("GET", "/api/learn/entitlements"),
        ("GET", "/api/store/products"),
        ("GET", "/api/learn/progress"),
        ("GET", "/api/learn/notes"),
    ]


def test_a_new_version_is_downloaded_and_stored_beside_the_old_one(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    ana.sync()
    publish_version(contract_server, "git-basics.json", 3)
    contract_server.reset_requests()

    report = ana.sync()

    assert report.courses_downloaded == 1 and report.courses_unchanged == 1
    assert contract_server.bodies_sent == 1
    assert stored_versions(store, PAID) == [2, 3]
    assert LearnService(store, ana.profile).get_course(PAID).version == 3


def test_an_unchanged_course_answers_304_when_the_catalog_is_ahead(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    ana.sync()
    with store.write() as session:  # pretend the stored copy is of another sha (catalog ahead)
        entry = session.exec(select(CatalogEntry).where(CatalogEntry.courseId == FREE)).one()
        entry.version = 1
        session.add(entry)
    contract_server.reset_requests()
    answer = ana.client.course_package(FREE, etag=_stored_sha(store, FREE))
    assert answer.not_modified and answer.body is None
    assert contract_server.bodies_sent == 0


def _stored_sha(store: Store, course_id: str) -> str:
    with store.read() as session:
        return session.exec(
            select(StoredPackage.sha256).where(StoredPackage.courseId == course_id)
        ).one()


def test_courses_the_server_no_longer_offers_leave_the_catalog(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    ana.sync()
    with contract_server.db.transaction() as conn:
        conn.execute("DELETE FROM packages WHERE course_id = ?", (FREE,))

    ana.sync()

    with store.read() as session:
        assert [e.courseId for e in session.exec(select(CatalogEntry))] == [PAID]
    assert stored_versions(store, FREE) == [1]  # what was downloaded stays readable


# --- refusals: not entitled, paid, forbidden -------------------------------------------------


def test_forbidden_courses_are_recorded_not_failed_and_not_asked_again(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = sign_in_as(contract_server, "ana")  # not enrolled, nothing bought

    report = ana.sync()

    assert report.courses_failed == 0 and not report.errors
    assert report.courses_not_downloadable == 2
    with store.read() as session:
        issues = session.exec(select(DownloadIssue)).all()
        assert [(i.courseId, i.kind) for i in issues] == [(FREE, "forbidden")]
    contract_server.reset_requests()
    ana.sync()
    assert not [r for r in contract_server.requests if r.path.startswith("/api/learn/courses/")]

    progress.enroll(store, ana.profile, FREE)  # offline enrollment: asked again after upload
    report = ana.sync()
    assert report.courses_downloaded == 1
    with store.read() as session:
        assert session.exec(select(DownloadIssue)).all() == []


# --- offline work, merge ---------------------------------------------------------------------


def test_offline_work_reaches_the_server_once_the_network_is_back(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = sign_in_as(contract_server, "ana")
    ana.sync()
    progress.enroll(store, ana.profile, FREE)
    ana.sync()  # enrollment uploaded, course downloaded
    contract_server.stop()
    for lesson in range(3):
        progress.set_lesson_completed(store, ana.profile, FREE, lesson)

    offline = ana.sync()

    assert offline.online is False and not offline.delivered
    assert offline.events_waiting == 3 and offline.events_sent == 0
    assert outbox_states(store, ana)["pending"] == 3

    contract_server.start()
    back = ana.sync()

    assert back.delivered and back.events_sent == 3
    rows = contract_server.progress_rows(ana.user_id)
    assert [(r["courseId"], r["lessonIdx"], r["completed"]) for r in rows] == [
        (FREE, 0, True),
        (FREE, 1, True),
        (FREE, 2, True),
    ]
    assert outbox_states(store, ana) == {"pending": 0, "sent": 5, "rejected": 0}
    with store.read() as session:
        local_audit = {a.id for a in session.exec(select(AuditLog))}
    assert {e["id"] for e in contract_server.audit_events(ana.user_id)} == local_audit
    assert [e["courseId"] for e in contract_server.enrollments(ana.user_id)] == [FREE]


def test_server_progress_merges_by_latest_occurred_at(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    ana.sync()
    now = utcnow()
    # This machine, offline: lesson 0 done now, lesson 2 undone now.
    progress.set_lesson_completed(store, ana.profile, FREE, 0, True, now=now)
    progress.set_lesson_completed(store, ana.profile, FREE, 2, False, now=now)
    # Another device of ana's, already uploaded: lesson 0 undone earlier (older: loses),
    # lesson 1 done (only there), lesson 2 done later (newer: wins).
    with http_signin(contract_server, "ana") as other:
        events = [
            (0, False, now - timedelta(hours=1)),
            (1, True, now - timedelta(minutes=5)),
            (2, True, now + timedelta(hours=1)),
        ]
        for lesson, completed, moment in events:
            answer = other.post(
                "/api/learn/progress",
                json={
                    "courseId": FREE,
                    "lessonIdx": lesson,
                    "completed": completed,
                    "clientEventId": f"other-{lesson}",
                    "occurredAt": to_rfc3339(moment),
                },
            )
            assert answer.status_code == 200

    report = ana.sync()

    assert report.delivered and report.events_sent >= 2
    expected = {(FREE, 0): True, (FREE, 1): True, (FREE, 2): True}
    assert local_progress(store, ana.user_id) == expected
    server_rows = {
        (r["courseId"], r["lessonIdx"]): r["completed"]
        for r in contract_server.progress_rows(ana.user_id)
    }
    assert server_rows == expected


def test_a_local_event_waiting_for_upload_keeps_the_local_state(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    ana.sync()
    with http_signin(contract_server, "ana") as other:
        other.post(
            "/api/learn/progress",
            json={
                "courseId": FREE,
                "lessonIdx": 0,
                "completed": False,
                "clientEventId": "other-0",
                "occurredAt": to_rfc3339(utcnow() - timedelta(hours=1)),
            },
        ).raise_for_status()
    progress.set_lesson_completed(store, ana.profile, FREE, 0, True)
    contract_server.faults.fail_next(1, 500, path_prefix="/api/learn/progress/batch")

    report = ana.sync()  # upload fails; the pull brings the older server row

    assert report.events_waiting == 1 and report.incomplete
    assert local_progress(store, ana.user_id) == {(FREE, 0): True}
    report = ana.sync()
    assert report.delivered
    assert contract_server.progress_rows(ana.user_id)[0]["completed"] is True


def test_entitlements_replace_server_rows_but_keep_enrollments_waiting_for_upload(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = sign_in_as(contract_server, "ana")
    ana.sync()
    progress.enroll(store, ana.profile, FREE)
    with store.write() as session:  # a server-known purchase the server no longer lists
        session.add(
            Purchase(
                server=ana.profile.server,
                id="pur_gone",
                userId=ana.user_id,
                tenantId="t-north",
                productId="prod-git",
                courseId=PAID,
                createdAt=utcnow(),
            )
        )
    contract_server.faults.fail_next(1, 503, path_prefix="/api/learn/enroll")

    report = ana.sync()

    assert report.events_waiting >= 1
    with store.read() as session:
        assert [e.courseId for e in session.exec(select(Enrollment))] == [FREE]
        assert session.exec(select(Purchase)).all() == []
    assert ana.sync().delivered
    with store.read() as session:
        assert [(e.courseId, e.origin) for e in session.exec(select(Enrollment))] == [
            (FREE, "server")
        ]


def test_a_rejected_event_is_kept_shown_and_audited(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    ana.sync()
    progress.set_lesson_completed(store, ana.profile, FREE, 1)
    # The server forgets the enrollment: the event is refused (NOT_ENROLLED), a final answer.
    with contract_server.db.transaction() as conn:
        conn.execute("DELETE FROM enrollments WHERE course_id = ?", (FREE,))

    report = ana.sync()

    assert report.events_rejected == 1
    assert report.delivered  # a final answer is not "waiting"
    refused = report.rejected_errors
    assert len(refused) == 1 and "lesson 1" in refused[0].message
    with store.read() as session:
        row = session.exec(select(Outbox).where(Outbox.state == "rejected")).one()
        assert row.kind == "progress" and row.lastError
        actions = [a.action for a in session.exec(select(AuditLog))]
    assert "PROGRESS_SYNC_REJECTED" in actions
    uploaded = [e["action"] for e in contract_server.audit_events(ana.user_id)]
    assert "PROGRESS_SYNC_REJECTED" in uploaded


# --- sha256 mismatch ------------------------------------------------------------------------


def test_a_sha256_mismatch_keeps_the_old_version_and_reports_the_course(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    ana.sync()
    publish_version(contract_server, "multilingual.json", 2)
    contract_server.faults.bad_sha(FREE)

    report = ana.sync()

    assert report.courses_failed == 1 and not report.delivered
    [error] = report.errors
    assert error.kind == "course" and error.item == FREE and "checksum" in error.message
    assert stored_versions(store, FREE) == [1]
    assert LearnService(store, ana.profile).get_course(FREE).version == 1
    with store.read() as session:
        issue = session.get(DownloadIssue, (ana.profile.id, FREE))
        assert issue is not None and issue.kind == "failed" and issue.version == 2

    contract_server.faults.clear()
    report = ana.sync()
    assert report.courses_downloaded == 1 and stored_versions(store, FREE) == [1, 2]
    with store.read() as session:
        assert session.get(DownloadIssue, (ana.profile.id, FREE)) is None


# --- seed mode -------------------------------------------------------------------------------


def test_a_seed_mode_server_works_with_more_requests(
    seed_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    entitle_ana(seed_server)
    ana = sign_in_as(seed_server, "ana")

    first = ana.sync()

    assert first.courses_downloaded == 2 and not first.incomplete
    courses = {c.course_id: c.state for c in LearnService(store, ana.profile).list_courses()}
    assert courses == {FREE: READY, PAID: READY}

    for lesson in range(3):
        progress.set_lesson_completed(store, ana.profile, FREE, lesson)
    seed_server.reset_requests()
    second = ana.sync()

    assert second.events_sent == 3 and second.events_waiting == 0
    assert seed_server.bodies_sent == 0  # versions unchanged: no body again
    singles = [r for r in seed_server.requests if r.path == "/api/learn/progress"]
    assert [r.status for r in singles] == [200, 200, 200]
    assert [(r["lessonIdx"], r["completed"]) for r in seed_server.progress_rows(ana.user_id)] == [
        (0, True),
        (1, True),
        (2, True),
    ]
    assert second.events_held == 0  # no audit events were made by this learner
    assert second.delivered


def test_seed_mode_keeps_audit_events_for_a_server_that_accepts_them(
    seed_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = sign_in_as(seed_server, "ana")
    ana.sync()
    progress.enroll(store, ana.profile, FREE)  # queues an enrollment and an audit event

    report = ana.sync()

    assert report.events_held == 1 and report.events_waiting == 0
    assert report.delivered
    with store.read() as session:
        audit_rows = session.exec(select(Outbox).where(Outbox.kind == "audit")).all()
    assert [(r.state, r.attempts) for r in audit_rows] == [("pending", 0)]
    posted = [r for r in seed_server.requests if r.path == "/api/audit/events"]
    assert len(posted) == 1  # asked once, then remembered for this client


# --- tenants ---------------------------------------------------------------------------------


def test_learners_of_another_tenant_never_see_each_others_courses(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    entitle_ana(contract_server)
    contract_server.add_enrollment(contract_server.user_id("chen"), HOSTILE)
    ana = sign_in_as(contract_server, "ana")
    chen = sign_in_as(contract_server, "chen")

    ana.sync()
    report = chen.sync()

    assert report.courses_downloaded == 1
    assert {c.course_id for c in LearnService(store, chen.profile).list_courses()} == {HOSTILE}
    assert {c.course_id for c in LearnService(store, ana.profile).list_courses()} == {FREE, PAID}
    with store.read() as session:
        products = session.exec(select(Product).where(col(Product.tenantId) == "t-south")).all()
    assert products == []
    # chen asking for a t-north course directly: the server does not know it for chen's tenant.
    with http_signin(contract_server, "chen") as raw:
        assert raw.get(f"/api/learn/courses/{PAID}").status_code == 404
