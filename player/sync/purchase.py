"""Buying a paid course: online only, never queued, never twice.

The ``Idempotency-Key`` is stored (``PendingPurchase``) BEFORE the request and reused for every
retry until an answer arrives: when the answer is lost (a cut connection, a crash), pressing Buy
again sends the same key and the server returns the same purchase instead of a second one.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from player.errors import (
    CrossTenant,
    PlayerError,
    PurchaseFailed,
    ServerAnswerInvalid,
    ServerRefused,
    ServerUnavailable,
    SignInRequired,
)
from player.i18n import _
from player.services import audit, commerce
from player.store.db import Store
from player.store.models import PendingPurchase, Product, Profile, Purchase
from player.sync import merge, pull
from player.sync.client import ApiClient
from player.sync.report import SyncPolicy, SyncReport
from player.sync.run import Run
from player.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BuyResult:
    purchase: Purchase
    product: Product | None
    downloaded: bool
    #: Why the course could not be downloaded right away (the purchase itself succeeded).
    download_error: str | None = None


def buy(
    store: Store,
    profile: Profile,
    client: ApiClient,
    course_id: str,
    *,
    product_id: str | None = None,
    now: datetime | None = None,
) -> BuyResult:
    """Buy ``course_id`` from the learner's tenant's store, record it, enroll, and download it.

    Raises ``CrossTenant`` (the product is another organisation's), ``PurchaseFailed`` (unknown
    or withdrawn product), ``ServerUnavailable`` (no answer: try again, nothing is bought twice)
    or ``SignInRequired``. An audit event is queued either way.
    """
    product = _product(store, profile, client, course_id, product_id)
    chosen_id = product.id if product is not None else product_id
    if chosen_id is None:
        _audit_failure(store, profile, None, course_id, "NOT_FOR_SALE", now)
        raise PurchaseFailed(
            _(
                "“{course}” is not for sale in your organisation's store. If you think it "
                "should be, ask your course provider."
            ).format(course=course_id)
        )
    if product is not None and product.tenantId != profile.tenantId:
        _audit_failure(store, profile, chosen_id, course_id, "CROSS_TENANT", now)
        raise CrossTenant(_cross_tenant_message())
    key = idempotency_key(store, profile, chosen_id, course_id, now=now)
    try:
        info = client.purchase(chosen_id, key)
    except ServerRefused as error:
        _forget_key(store, key)
        _audit_failure(store, profile, chosen_id, course_id, error.error_code, now)
        if error.error_code == "CROSS_TENANT":
            raise CrossTenant(_cross_tenant_message()) from error
        if error.status == 404:
            raise PurchaseFailed(
                _(
                    "This course is no longer on sale (the store does not know the product). "
                    "Sync to refresh the store."
                )
            ) from error
        raise PurchaseFailed(
            _("The store refused the purchase: {reason}").format(reason=error.message)
        ) from error
    except (ServerUnavailable, ServerAnswerInvalid) as error:
        _audit_failure(store, profile, chosen_id, course_id, "NO_ANSWER", now)
        raise ServerUnavailable(
            error.kind if isinstance(error, ServerUnavailable) else "server",
            _(
                "The purchase could not be confirmed: {reason} If it went through, you are not "
                "charged twice when you press Buy again."
            ).format(reason=str(error)),
            status=error.status if isinstance(error, ServerUnavailable) else None,
            retry_after=error.retry_after if isinstance(error, ServerUnavailable) else None,
        ) from error
    except SignInRequired:
        _audit_failure(store, profile, chosen_id, course_id, "UNAUTHENTICATED", now)
        raise
    purchase = commerce.record_purchase(
        store,
        profile,
        purchase_id=info.id,
        product_id=info.product_id,
        course_id=info.course_id,
        created_at=info.created_at,
    )
    _forget_key(store, key)
    log.info("bought %s (%s) as %s", info.course_id, info.product_id, profile.id)
    downloaded, problem = download_course(store, profile, client, info.course_id)
    return BuyResult(purchase, product, downloaded, problem)


def download_course(
    store: Store, profile: Profile, client: ApiClient, course_id: str
) -> tuple[bool, str | None]:
    """Fetch the catalog and this one course now; (stored or current, problem if not)."""
    run = Run(store, profile, client, SyncReport(started_at=utcnow()), SyncPolicy())
    try:
        pull.pull_catalog(run)
        pull.download_courses(run, only={course_id})
    except PlayerError as error:
        return False, str(error)
    report = run.report
    if report.errors:
        return False, report.errors[0].message
    if report.courses_downloaded or report.courses_unchanged:
        return True, None
    return False, _("The course is not in your organisation's catalog yet; sync later.")


def idempotency_key(
    store: Store,
    profile: Profile,
    product_id: str,
    course_id: str,
    *,
    now: datetime | None = None,
) -> str:
    """The key for buying ``product_id``: the stored one while no answer arrived, else new."""
    with store.write() as session:
        existing = session.exec(
            select(PendingPurchase).where(
                PendingPurchase.profileId == profile.id, PendingPurchase.productId == product_id
            )
        ).first()
        if existing is not None:
            return existing.idempotencyKey
        row = PendingPurchase(
            idempotencyKey=str(uuid.uuid4()),
            profileId=profile.id,
            productId=product_id,
            courseId=course_id,
            createdAt=now or utcnow(),
        )
        session.add(row)
        return row.idempotencyKey


def _forget_key(store: Store, key: str) -> None:
    with store.write() as session:
        row = session.get(PendingPurchase, key)
        if row is not None:
            session.delete(row)


def _product(
    store: Store, profile: Profile, client: ApiClient, course_id: str, product_id: str | None
) -> Product | None:
    """The product to buy: the one named, else the tenant's product for the course (the store
    is refreshed from the server when this machine does not know one)."""
    if product_id is not None:
        with store.read() as session:
            return session.get(Product, (profile.server, product_id))
    product = commerce.product_for_course(store, profile, course_id)
    if product is None:
        try:
            products = client.products()
        except (ServerUnavailable, ServerAnswerInvalid, ServerRefused) as error:
            log.info("could not refresh the store before buying: %s", error)
            return None
        with store.write() as session:
            merge.replace_products(session, profile, products)
        product = commerce.product_for_course(store, profile, course_id)
    return product


def _audit_failure(
    store: Store,
    profile: Profile,
    product_id: str | None,
    course_id: str,
    reason: str,
    now: datetime | None,
) -> None:
    audit.log_audit_event(
        store,
        profile,
        audit.PURCHASE_FAILED,
        "Product",
        product_id or "",
        {"courseId": course_id, "productId": product_id, "reason": reason},
        now=now,
    )


def _cross_tenant_message() -> str:
    return _(
        "This product belongs to another organisation's store; it cannot be bought with your "
        "account. Nothing was charged."
    )
