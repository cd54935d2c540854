"""Every server is its own world; files and servers do not mix (issue #9, breaks 1 and 2)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from player.errors import CourseNotFound, PurchaseRequired
from player.export import guards
from player.origin import normalize_origin
from player.package import parse_package
from player.services import commerce, packages, progress
from player.services.learn import LOCKED, READY, LearnService
from player.store.db import Store
from player.store.models import CatalogEntry, LessonProgress, Product
from player.sync import merge
from player.sync.wire import CatalogCourse, ProductInfo
from player.timeutil import utcnow
from tests.conftest import FIXTURES, serve_courses

SITE_A = "https://a.example.org"
SITE_B = "https://b.example.net:8443"


def test_origins_are_normalized() -> None:
    assert normalize_origin("HTTPS://A.Example.org:443/api/") == SITE_A
    assert normalize_origin("https://b.example.net:8443") == SITE_B
    assert normalize_origin("http://127.0.0.1:80") == "http://127.0.0.1"
    assert normalize_origin(None) == ""


def test_two_servers_with_one_tenant_id_never_see_each_others_records(
    store: Store, make_learner: Any
) -> None:
    """Break 1: Dan's sync (site B, also tenant t_a, everything free) must not replace site A's
    products, catalog or packages for Carol."""
    carol = make_learner("carol", tenant="t_a", server=SITE_A)
    dan = make_learner("dan", tenant="t_a", server=SITE_B)
    serve_courses(store, tenant="t_a", server=SITE_A, names=("git-basics.json",))
    now = utcnow()
    course = CatalogCourse(
        id="git-basics", title="Git basics", version=1, sha256=None, size_bytes=None,
        updated_at=None,
    )  # fmt: skip
    merge.store_catalog(store, carol, [course], now)
    with store.write() as session:
        merge.replace_products(
            session,
            carol,
            [ProductInfo(id="p1", tenant_id="t_a", course_id="git-basics", price_cents=4900,
                         currency="EUR", active=True)],
        )  # fmt: skip
    # Dan's sync: his server offers nothing for sale and another catalog
    with store.write() as session:
        merge.replace_products(session, dan, [])
    merge.store_catalog(store, dan, [], now)

    with store.read() as session:
        assert [(p.server, p.id) for p in session.exec(select(Product))] == [(SITE_A, "p1")]
        assert [e.server for e in session.exec(select(CatalogEntry))] == [SITE_A]
    carol_courses = LearnService(store, carol).list_courses()
    assert [(c.course_id, c.state, c.paid) for c in carol_courses] == [("git-basics", LOCKED, True)]
    with pytest.raises(PurchaseRequired):
        LearnService(store, carol).get_lesson("git-basics", 0)
    with pytest.raises(PurchaseRequired):
        guards.guard_export(store, carol, "git-basics", "pdf")
    # Dan never sees site A's course, whatever the tenant id says
    assert LearnService(store, dan).list_courses() == []
    with pytest.raises(CourseNotFound):
        LearnService(store, dan).get_course("git-basics")


def test_same_user_id_on_two_servers_keeps_two_profiles_and_their_own_rows(
    store: Store, make_learner: Any
) -> None:
    a = make_learner("u1", tenant="t_a", server=SITE_A)
    b = make_learner("u1", tenant="t_a", server=SITE_B)
    assert a.id != b.id and (a.server, b.server) == (SITE_A, SITE_B)
    serve_courses(store, tenant="t_a", server=SITE_A, names=("git-basics.json",))
    progress.enroll(store, a, "git-basics")
    progress.set_lesson_completed(store, a, "git-basics", 0)
    assert progress.is_enrolled(store, a, "git-basics")
    with pytest.raises(CourseNotFound):
        progress.is_enrolled(store, b, "git-basics")
    with store.read() as session:
        rows = session.exec(select(LessonProgress)).all()
    assert [(r.server, r.userId) for r in rows] == [(SITE_A, "u1")]


def _forged(tmp_path: Path) -> Path:
    """A file with git-basics' course id, a higher version and other lessons."""
    data = json.loads((FIXTURES / "git-basics.json").read_bytes())
    data["version"] = data["version"] + 5
    data["title"] = "Forged basics"
    data["lessons"][0]["title"] = "Forged lesson"
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_forged_file_never_replaces_a_bought_server_course(
    store: Store, make_learner: Any, add_product: Any, guest: Any, tmp_path: Path
) -> None:
    """Break 2: the guest imports a file with the same courseId and a higher version; Alice still
    reads (and exports) her server's course, and the file is addressed as ``file:ID``."""
    alice = make_learner("alice")
    serve_courses(store, names=("git-basics.json",))
    add_product("git-basics", product_id="prod-git")
    commerce.record_purchase(
        store, alice, purchase_id="pur-1", product_id="prod-git", course_id="git-basics"
    )
    real = LearnService(store, alice).get_course("git-basics")

    result = packages.import_file(store, _forged(tmp_path))
    assert result.created

    service = LearnService(store, alice)
    assert service.get_course("git-basics").title == real.title
    assert service.get_lesson("git-basics", 0).title == real.lessons[0].title
    assert guards.guard_export(store, alice, "git-basics", "pdf").version == real.version
    rows = {c.course_id: c for c in service.list_courses()}
    assert rows["git-basics"].title == real.title and not rows["git-basics"].is_file
    forged = rows["file:git-basics"]
    assert forged.is_file and forged.source == "forged.json" and forged.state == READY
    assert service.get_course("file:git-basics").title == "Forged basics"
    # progress on the file stays apart from the server course's
    progress.enroll(store, alice, "file:git-basics")
    progress.set_lesson_completed(store, alice, "file:git-basics", 0)
    assert progress.get_progress(store, alice, "git-basics").completed == frozenset()
    assert progress.get_progress(store, alice, "file:git-basics").completed == {0}
    # the guest, who has no server, reads the file under its plain id
    assert LearnService(store, guest).get_course("git-basics").title == "Forged basics"


def test_a_server_download_never_replaces_an_imported_file(store: Store, learner: Any) -> None:
    packages.import_file(store, FIXTURES / "git-basics.json")
    raw = (FIXTURES / "git-basics.json").read_bytes()
    with store.write() as session:
        packages.store_parsed(
            session, parse_package(raw), origin="server", server=learner.server,
            tenant_id=learner.tenantId,
        )  # fmt: skip
    refs = sorted(c.course_id for c in LearnService(store, learner).list_courses())
    assert refs == ["file:git-basics", "git-basics"]


def test_expired_lease_of_one_server_does_not_touch_another(
    store: Store, make_learner: Any
) -> None:
    from player.store.models import EntitlementLease

    a = make_learner("u1", tenant="t_a", server=SITE_A)
    make_learner("u1", tenant="t_a", server=SITE_B)
    with store.write() as session:
        session.add(
            EntitlementLease(
                server=SITE_B, userId="u1", tenantId="t_a", issuedAt=utcnow(),
                validUntil=utcnow() - timedelta(days=1),
            )
        )  # fmt: skip
    from player.services.access import AccessSnapshot

    with store.read() as session:
        assert not AccessSnapshot.load(session, a).lease_expired
