"""The tenant's store as this machine knows it: products and confirmed purchases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from player.errors import CourseNotFound, CrossTenant
from player.i18n import _
from player.services import audit
from player.services.access import course_access, format_price
from player.services.progress import add_enrollment, find_enrollment
from player.store.db import Store
from player.store.models import Product, Profile, Purchase
from player.timeutil import utcnow


def list_products(store: Store, profile: Profile) -> list[Product]:
    """Active products of the learner's own tenant; never another tenant's."""
    with store.read() as session:
        return list(
            session.exec(
                select(Product)
                .where(
                    Product.server == profile.server,
                    Product.tenantId == profile.tenantId,
                    col(Product.active).is_(True),
                )
                .order_by(col(Product.courseId))
            )
        )


def product_for_course(store: Store, profile: Profile, course_id: str) -> Product | None:
    with store.read() as session:
        return _active_product(session, profile, course_id)


@dataclass(frozen=True, slots=True)
class Offer:
    """What Buy asks the learner about: the course's title and its price."""

    course_id: str
    title: str
    price: str  # "49.00 EUR"


def offer_for_course(store: Store, profile: Profile, course_id: str) -> Offer | None:
    """The learner's tenant's offer for the course; None when it is not for sale to them."""
    with store.read() as session:
        product = _active_product(session, profile, course_id)
        if product is None:
            return None
        try:
            title = course_access(session, profile, course_id).title
        except CourseNotFound:
            title = course_id
    return Offer(course_id, title, format_price(product))


def _active_product(session: Session, profile: Profile, course_id: str) -> Product | None:
    return session.exec(
        select(Product).where(
            Product.server == profile.server,
            Product.tenantId == profile.tenantId,
            Product.courseId == course_id,
            col(Product.active).is_(True),
        )
    ).first()


def record_purchase(
    store: Store,
    profile: Profile,
    *,
    purchase_id: str,
    product_id: str,
    course_id: str,
    created_at: datetime | None = None,
    enroll: bool = True,
) -> Purchase:
    """Store a purchase the server confirmed, enroll the learner, and audit it.

    A product of another tenant is refused with ``CrossTenant`` and nothing is stored.
    """
    with store.write() as session:
        product = session.get(Product, (profile.server, product_id))
        if product is not None and product.tenantId != profile.tenantId:
            raise CrossTenant(
                _("This product belongs to another organisation's store; it cannot be bought here.")
            )
        existing = session.get(Purchase, (profile.server, purchase_id))
        if existing is not None:
            return existing
        purchase = Purchase(
            server=profile.server,
            id=purchase_id,
            userId=profile.userId,
            tenantId=profile.tenantId,
            productId=product_id,
            courseId=course_id,
            createdAt=created_at or utcnow(),
        )
        session.add(purchase)
        audit.log_audit_event(
            store,
            profile,
            audit.PURCHASE_CREATE,
            "Purchase",
            purchase_id,
            {"courseId": course_id, "productId": product_id},
            session=session,
        )
        if enroll and find_enrollment(session, profile, course_id) is None:
            add_enrollment(store, session, profile, course_id)
        return purchase
