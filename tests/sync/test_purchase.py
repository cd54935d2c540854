"""Buying over real HTTP: success, a retry after a cut answer, cross-tenant and other refusals."""

from __future__ import annotations

import pytest
from sqlmodel import select

from player.errors import CrossTenant, PurchaseFailed, ServerUnavailable
from player.services.learn import READY, LearnService
from player.store.db import Store
from player.store.models import AuditLog, Enrollment, PendingPurchase, Purchase
from player.sync.purchase import buy
from tests.server.app import ContractServer
from tests.sync.conftest import SignInAs
from tests.sync.test_engine import PAID, stored_versions

PURCHASE = "/api/store/purchase"


def audit_actions(store: Store) -> list[str]:
    with store.read() as session:
        return [a.action for a in session.exec(select(AuditLog))]


def pending_keys(store: Store) -> list[PendingPurchase]:
    with store.read() as session:
        return list(session.exec(select(PendingPurchase)))


def test_buying_records_enrolls_and_downloads_at_once(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = sign_in_as(contract_server, "ana")
    ana.sync()
    assert stored_versions(store, PAID) == []

    result = buy(store, ana.profile, ana.client, PAID)

    assert result.downloaded and result.download_error is None
    assert result.product is not None and result.product.id == "prod-git"
    [bought] = contract_server.purchases(ana.user_id)
    assert bought["id"] == result.purchase.id and bought["idempotencyKey"]
    assert stored_versions(store, PAID) == [2]
    courses = {c.course_id: c for c in LearnService(store, ana.profile).list_courses()}
    assert courses[PAID].state == READY and courses[PAID].access.purchased
    with store.read() as session:
        assert [e.courseId for e in session.exec(select(Enrollment))] == [PAID]
    assert "PURCHASE_CREATE" in audit_actions(store)
    assert pending_keys(store) == []
    # The queued enrollment and audit events reach the server with the next sync, once.
    assert ana.sync().delivered
    assert len(contract_server.purchases(ana.user_id)) == 1
    assert [e["courseId"] for e in contract_server.enrollments(ana.user_id)] == [PAID]
    assert "PURCHASE_CREATE" in [e["action"] for e in contract_server.audit_events(ana.user_id)]


def test_a_retry_after_a_cut_answer_does_not_buy_twice(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = sign_in_as(contract_server, "ana")
    ana.sync()
    contract_server.faults.cut_body_next(1, path_prefix=PURCHASE)

    with pytest.raises(ServerUnavailable) as lost:
        buy(store, ana.profile, ana.client, PAID)

    assert "not charged twice" in str(lost.value)
    [key] = pending_keys(store)  # the key survives until an answer arrives
    assert len(contract_server.purchases(ana.user_id)) == 1  # the server did buy
    with store.read() as session:
        assert session.exec(select(Purchase)).all() == []
    assert "PURCHASE_FAILED" in audit_actions(store)

    result = buy(store, ana.profile, ana.client, PAID)

    purchases = contract_server.purchases(ana.user_id)
    assert len(purchases) == 1 and purchases[0]["idempotencyKey"] == key.idempotencyKey
    assert result.purchase.id == purchases[0]["id"] and result.downloaded
    assert pending_keys(store) == []


def test_a_product_of_another_tenant_is_refused(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    chen = sign_in_as(contract_server, "chen")  # t-south; prod-git is t-north's
    chen.sync()

    with pytest.raises(CrossTenant) as refused:
        buy(store, chen.profile, chen.client, PAID, product_id="prod-git")

    assert "another organisation" in str(refused.value)
    assert contract_server.purchases(chen.user_id) == []
    assert [r.status for r in contract_server.requests if r.path == PURCHASE] == [403]
    assert pending_keys(store) == []
    with store.read() as session:
        failed = session.exec(select(AuditLog).where(AuditLog.action == "PURCHASE_FAILED")).one()
    assert failed.meta["reason"] == "CROSS_TENANT"


def test_a_product_known_locally_for_another_tenant_is_refused_without_a_request(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = sign_in_as(contract_server, "ana")
    ana.sync()  # the store now holds t-north's prod-git
    chen = sign_in_as(contract_server, "chen")
    contract_server.reset_requests()

    with pytest.raises(CrossTenant):
        buy(store, chen.profile, chen.client, PAID, product_id="prod-git")

    assert not [r for r in contract_server.requests if r.path == PURCHASE]


def test_a_course_that_is_not_for_sale_gives_a_clear_message(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = sign_in_as(contract_server, "ana")
    ana.sync()

    with pytest.raises(PurchaseFailed) as refused:
        buy(store, ana.profile, ana.client, "welcome-multilingual")
    assert "not for sale" in str(refused.value)

    with pytest.raises(PurchaseFailed) as unknown:
        buy(store, ana.profile, ana.client, PAID, product_id="prod-nope")
    assert "no longer on sale" in str(unknown.value)
    assert audit_actions(store).count("PURCHASE_FAILED") == 2


def test_buying_without_a_network_is_never_queued(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    ana = sign_in_as(contract_server, "ana")
    ana.sync()
    contract_server.stop()

    with pytest.raises(ServerUnavailable) as offline:
        buy(store, ana.profile, ana.client, PAID)

    assert offline.value.kind == "offline"
    with store.read() as session:
        assert session.exec(select(Purchase)).all() == []
    contract_server.start()
    assert contract_server.purchases(ana.user_id) == []
    assert buy(store, ana.profile, ana.client, PAID).downloaded
    assert len(contract_server.purchases(ana.user_id)) == 1
