"""Access gating and tenant isolation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from player.errors import CourseNotFound, LeaseExpired, NotEnrolled, PurchaseRequired
from player.package import parse_package
from player.services import access, commerce, outbox, packages, progress
from player.services.learn import LOCKED, READY, LearnService
from player.store.db import Store
from player.store.models import EntitlementLease, Profile
from player.timeutil import utcnow
from tests.conftest import FIXTURES


def course_access(store: Store, profile: Profile, course_id: str) -> access.CourseAccess:
    with store.read() as session:
        return access.course_access(session, profile, course_id)


def _server_course(store: Store, tenant: str, name: str = "git-basics.json") -> None:
    parsed = parse_package((FIXTURES / name).read_bytes())
    with store.write() as session:
        packages.store_parsed(
            session, parsed, origin="server", server="http://127.0.0.1:1", tenant_id=tenant
        )


def test_paid_course_is_locked_for_reading_until_bought(
    served: Store, make_learner: Any, add_product: Any
) -> None:
    ana = make_learner("ana")
    add_product("git-basics", product_id="prod-git")
    service = LearnService(served, ana)
    states = {c.course_id: c.state for c in service.list_courses()}
    assert states["git-basics"] == LOCKED
    with pytest.raises(PurchaseRequired, match=r"49\.00 EUR"):
        service.get_lesson("git-basics", 0)
    with pytest.raises(PurchaseRequired):
        access.check_read(course_access(served, ana, "git-basics"))
    commerce.record_purchase(
        served, ana, purchase_id="pur-1", product_id="prod-git", course_id="git-basics"
    )
    assert service.get_lesson("git-basics", 0).title == "What Git remembers"
    assert {c.course_id: c.state for c in service.list_courses()}["git-basics"] == READY
    assert course_access(served, ana, "git-basics").entitled
    assert course_access(served, ana, "git-basics").purchased


def test_free_server_course_opens_only_with_an_enrollment(served: Store, learner: Profile) -> None:
    """Break 3: "free" means enrolling needs no purchase, not that anyone may read it."""
    service = LearnService(served, learner)
    with pytest.raises(NotEnrolled, match="enroll"):
        service.get_lesson("git-basics", 0)
    # not locked (enrolling is free), but not readable until enrolled
    assert {c.course_id: c.state for c in service.list_courses()}["git-basics"] == READY
    assert not course_access(served, learner, "git-basics").entitled
    with pytest.raises(NotEnrolled, match="enroll"):
        access.check_enrolled(course_access(served, learner, "git-basics"))
    assert not course_access(served, learner, "git-basics").purchased
    progress.enroll(served, learner, "git-basics")
    assert service.get_lesson("git-basics", 0).index == 0


def test_imported_file_is_readable_by_every_learner_without_enrolling(
    imported: Store, guest: Profile, learner: Profile
) -> None:
    for who in (guest, learner):
        assert LearnService(imported, who).get_lesson("git-basics", 0).index == 0
        with pytest.raises(NotEnrolled, match="Enroll"):  # progress needs an enrollment
            access.check_enrolled(course_access(imported, who, "git-basics"))
        progress.enroll(imported, who, "git-basics")
        progress.set_lesson_completed(imported, who, "git-basics", 0)
    # enrollment and progress on a file stay on this machine: nothing is queued for a server
    assert [row.kind for row in outbox.items(imported, learner)] == []
    assert progress.get_progress(imported, guest, "git-basics").completed == {0}


def test_server_course_is_invisible_to_other_tenants(store: Store, make_learner: Any) -> None:
    _server_course(store, "t-north")
    ana, chen = make_learner("ana", "t-north"), make_learner("chen", "t-south")
    assert [c.course_id for c in LearnService(store, ana).list_courses()] == ["git-basics"]
    assert LearnService(store, chen).list_courses() == []
    with pytest.raises(CourseNotFound):
        LearnService(store, chen).get_course("git-basics")
    with pytest.raises(CourseNotFound):
        progress.enroll(store, chen, "git-basics")


def test_other_tenants_product_purchase_and_enrollment_grant_nothing(
    served: Store, make_learner: Any, add_product: Any
) -> None:
    ana, chen = make_learner("ana", "t-north"), make_learner("chen", "t-south")
    add_product("git-basics", tenant="t-north", product_id="prod-north")
    add_product("git-basics", tenant="t-south", product_id="prod-south")
    # chen buys in the south; ana (north) gains nothing from it and never sees south's product
    commerce.record_purchase(
        served, chen, purchase_id="p-s", product_id="prod-south", course_id="git-basics"
    )
    assert [p.id for p in commerce.list_products(served, ana)] == ["prod-north"]
    assert [p.id for p in commerce.list_products(served, chen)] == ["prod-south"]
    assert not course_access(served, ana, "git-basics").entitled
    with pytest.raises(PurchaseRequired):
        LearnService(served, ana).get_lesson("git-basics", 0)
    # chen's row, moved into another tenant, still grants ana nothing (userId differs)
    from player.errors import CrossTenant

    with pytest.raises(CrossTenant):
        commerce.record_purchase(
            served, ana, purchase_id="p-x", product_id="prod-south", course_id="git-basics"
        )
    assert not course_access(served, ana, "git-basics").entitled


def test_enrollment_in_another_tenant_grants_nothing(
    served: Store, make_learner: Any, add_product: Any
) -> None:
    from player.store.models import Enrollment

    ana = make_learner("ana", "t-north")
    add_product("git-basics", tenant="t-north")
    with served.write() as session:
        session.add(
            Enrollment(
                server="http://127.0.0.1:1",
                id="e-south",
                userId=ana.userId,
                tenantId="t-south",
                courseId="git-basics",
                createdAt=utcnow(),
            )
        )
    assert not course_access(served, ana, "git-basics").entitled
    with pytest.raises(PurchaseRequired):
        LearnService(served, ana).get_lesson("git-basics", 0)


def test_expired_lease_closes_paid_content_but_not_free(
    served: Store, make_learner: Any, add_product: Any
) -> None:
    ana = make_learner("ana")
    add_product("git-basics", product_id="prod-git")
    commerce.record_purchase(
        served, ana, purchase_id="pur-1", product_id="prod-git", course_id="git-basics"
    )
    progress.enroll(served, ana, "welcome-multilingual")
    with served.write() as session:
        session.add(
            EntitlementLease(
                server=ana.server,
                userId=ana.userId,
                tenantId="t-north",
                issuedAt=utcnow() - timedelta(days=20),
                validUntil=utcnow() - timedelta(days=1),
            )
        )
    service = LearnService(served, ana)
    with pytest.raises(LeaseExpired, match="sync once"):
        service.get_lesson("git-basics", 0)
    assert service.get_lesson("welcome-multilingual", 0).index == 0
    progress.set_lesson_completed(served, ana, "welcome-multilingual", 0)
