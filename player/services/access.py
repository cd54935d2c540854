"""Who may see and open which course: tenant scoping, entitlements and the guards.

- A course from a server's catalog belongs to that tenant; learners of other tenants never see it.
- A course imported from a file (or bundled) belongs to the machine; every learner sees it.
- A visible course that an active product of the learner's tenant sells is *paid*: it opens only
  with a purchase or an enrollment of that learner in that tenant, and, once the server has issued
  an offline lease, only until the lease ends. Any other visible course is *free*: it can be read
  as a preview; progress and export need an enrollment.
- The lease is judged on the trusted time (``player.services.clock``): when the computer's clock
  reads earlier than a time already seen, leases count as expired until the next sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from player.errors import CourseNotFound, LeaseExpired, NotEnrolled, PurchaseRequired
from player.i18n import _
from player.services.clock import ClockReading
from player.services.clock import read as read_clock
from player.store.db import Store
from player.store.models import (
    CatalogEntry,
    Enrollment,
    EntitlementLease,
    Product,
    Profile,
    Purchase,
    StoredPackage,
)


@dataclass(frozen=True, slots=True)
class CourseAccess:
    course_id: str
    title: str
    product: Product | None
    purchased: bool
    enrolled: bool
    lease_expired: bool
    clock: ClockReading | None = None
    """The trusted-time reading when the computer's clock went back (the lease's reason)."""

    @property
    def paid(self) -> bool:
        return self.product is not None

    @property
    def entitled(self) -> bool:
        """``has_learner_access``: a purchase or an enrollment in the learner's tenant."""
        return self.purchased or self.enrolled

    @property
    def can_read(self) -> bool:
        if not self.paid:
            return True
        return self.entitled and not self.lease_expired


@dataclass(slots=True)
class AccessSnapshot:
    """Everything access decisions need for one learner, loaded in a few queries."""

    profile: Profile
    products: dict[str, Product] = field(default_factory=dict)
    purchased: set[str] = field(default_factory=set)
    enrolled: set[str] = field(default_factory=set)
    lease_expired: bool = False
    clock: ClockReading | None = None

    @classmethod
    def load(
        cls, session: Session, profile: Profile, now: datetime | None = None
    ) -> AccessSnapshot:
        """``now``: what the computer's clock reads (default: the real clock)."""
        snapshot = cls(profile)
        for product in session.exec(
            select(Product).where(
                Product.tenantId == profile.tenantId, col(Product.active).is_(True)
            )
        ):
            snapshot.products.setdefault(product.courseId, product)
        snapshot.purchased = set(
            session.exec(
                select(Purchase.courseId).where(
                    Purchase.userId == profile.userId, Purchase.tenantId == profile.tenantId
                )
            )
        )
        snapshot.enrolled = set(
            session.exec(
                select(Enrollment.courseId).where(
                    Enrollment.userId == profile.userId, Enrollment.tenantId == profile.tenantId
                )
            )
        )
        lease = session.get(EntitlementLease, profile.userId)
        if lease is not None and lease.tenantId == profile.tenantId:
            reading = read_clock(session, now)
            if reading.went_back:
                snapshot.lease_expired = True
                snapshot.clock = reading
            else:
                snapshot.lease_expired = _utc(lease.validUntil) <= reading.now
        return snapshot

    def access(self, course_id: str, title: str) -> CourseAccess:
        return CourseAccess(
            course_id=course_id,
            title=title,
            product=self.products.get(course_id),
            purchased=course_id in self.purchased,
            enrolled=course_id in self.enrolled,
            lease_expired=self.lease_expired,
            clock=self.clock,
        )


def visible_packages(session: Session, profile: Profile) -> list[StoredPackage]:
    """Stored packages the learner may see: the machine's, and their own tenant's."""
    query = select(StoredPackage).where(
        (StoredPackage.tenantKey == "") | (StoredPackage.tenantKey == profile.tenantId)
    )
    return list(session.exec(query))


def catalog_entries(session: Session, profile: Profile) -> list[CatalogEntry]:
    return list(session.exec(select(CatalogEntry).where(CatalogEntry.tenantId == profile.tenantId)))


def course_access(
    session: Session, profile: Profile, course_id: str, now: datetime | None = None
) -> CourseAccess:
    """The learner's access to one course; ``CourseNotFound`` when it is not visible to them.
    ``now``: what the computer's clock reads (default: the real clock)."""
    title = _visible_title(session, profile, course_id)
    if title is None:
        raise CourseNotFound(course_id)
    return AccessSnapshot.load(session, profile, now).access(course_id, title)


def has_learner_access(store: Store, profile: Profile, course_id: str) -> bool:
    """A purchase OR an enrollment of this learner for this course, in the learner's tenant."""
    with store.read() as session:
        try:
            return course_access(session, profile, course_id).entitled
        except CourseNotFound:
            return False


def check_read(access: CourseAccess) -> None:
    """Raise unless the learner may open the course's content (free preview or entitled)."""
    if access.can_read:
        return
    if access.entitled and access.lease_expired and access.clock is not None:
        raise LeaseExpired(
            _("“{title}” cannot be opened offline now.").format(title=access.title)
            + " "
            + access.clock.explain()
        )
    if access.entitled and access.lease_expired:
        raise LeaseExpired(
            _(
                "Your offline access to “{title}” has ended. Connect to the network and sync "
                "once to keep reading it."
            ).format(title=access.title)
        )
    raise _purchase_required(access)


def check_enrolled(access: CourseAccess) -> None:
    """Raise unless the learner holds a purchase or an enrollment (progress, export)."""
    if access.entitled:
        if access.paid and access.lease_expired:
            check_read(access)
        return
    if access.paid:
        raise _purchase_required(access)
    raise NotEnrolled(
        _("You are not enrolled in “{title}”. Enroll in the course first (it is free).").format(
            title=access.title
        )
    )


def format_price(product: Product) -> str:
    return f"{product.priceCents / 100:.2f} {product.currency}"


def _purchase_required(access: CourseAccess) -> PurchaseRequired:
    price = format_price(access.product) if access.product else ""
    return PurchaseRequired(
        _(
            "“{title}” is a paid course ({price}). Buy it to open its lessons: connect to the "
            "network and press Buy on the course page, or run “course-player buy {id}”."
        ).format(title=access.title, price=price, id=access.course_id)
    )


def latest_visible_package(
    session: Session, profile: Profile, course_id: str
) -> StoredPackage | None:
    """The newest stored version of a course that the learner may see (machine's or tenant's)."""
    return session.exec(
        select(StoredPackage)
        .where(
            StoredPackage.courseId == course_id,
            (StoredPackage.tenantKey == "") | (StoredPackage.tenantKey == profile.tenantId),
        )
        .order_by(col(StoredPackage.version).desc())
    ).first()


def _visible_title(session: Session, profile: Profile, course_id: str) -> str | None:
    package = latest_visible_package(session, profile, course_id)
    if package is not None:
        return package.title
    entry = session.exec(
        select(CatalogEntry).where(
            CatalogEntry.tenantId == profile.tenantId, CatalogEntry.courseId == course_id
        )
    ).first()
    return entry.title if entry is not None else None


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
