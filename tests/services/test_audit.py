from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from player.services import audit, outbox, progress
from player.store.db import Store
from player.store.models import AuditLog, Profile


def test_audit_event_writes_a_row_and_an_outbox_event(store: Store, guest: Profile) -> None:
    event_id = audit.log_audit_event(
        store, guest, audit.EXPORT_PDF, "CoursePackage", "pkg_1", {"courseId": "c", "version": 2}
    )
    assert event_id
    with store.read() as session:
        row = session.get(AuditLog, event_id)
    assert row is not None and row.meta == {"tenantId": "local", "courseId": "c", "version": 2}
    [queued] = outbox.items(store, guest)
    assert queued.kind == "audit" and queued.clientEventId == event_id
    assert queued.payload["action"] == "EXPORT_PDF" and queued.payload["metadata"]["version"] == 2


def test_audit_failure_never_breaks_the_operation(
    served: Store, learner: Profile, caplog: pytest.LogCaptureFixture
) -> None:
    with served.engine.begin() as conn:  # a real failure: the audit table is gone
        conn.exec_driver_sql("DROP TABLE auditlog")
    with caplog.at_level(logging.ERROR):
        enrollment = progress.enroll(served, learner, "git-basics")
    assert progress.is_enrolled(served, learner, "git-basics")
    assert enrollment.courseId == "git-basics"
    assert [row.kind for row in outbox.items(served, learner)] == ["enrollment"]
    assert "could not be recorded" in caplog.text
    assert (
        audit.log_audit_event(served, learner, audit.EXPORT_DENIED, "CoursePackage", "x", {})
        is None
    )


def test_audit_rows_are_scoped_to_the_actor(store: Store, guest: Profile) -> None:
    audit.log_audit_event(store, guest, audit.EXPORT_LMS, "CoursePackage", "p", {})
    with store.read() as session:
        [row] = session.exec(select(AuditLog)).all()
    assert row.actorId == guest.userId and row.tenantId == guest.tenantId
