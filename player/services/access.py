"""Who may see and open which course: origins, entitlements and the guards.

Every course lives in one world: a server's (``server`` = that server's origin, one tenant of it)
or the machine's (``server`` = "", courses imported from a file or bundled with the player).

- A learner sees their own server and tenant's courses and the machine's; never another
  server's, whatever its tenant ids.
- A server's course opens only with the learner's enrollment or purchase from that server; a paid
  one, once the server has issued an offline lease, only until the lease ends. "Free" means that
  enrolling needs no purchase, not that anyone may read it.
- A course imported from a file is readable by every learner of the machine; its progress stays on
  the machine (enrolling in one, for progress and export, is recorded on the machine only). It
  never stands in for a server's course with the same id: a plain ``COURSE_ID``
  means the learner's server course when their server has one, ``file:COURSE_ID`` the file.

- On a machine whose lab policy names a server (``LabServer``), that server's courses stored on
  the machine (downloaded or imported from a bundle) are shown to every learner, the guest
  included; a learner who is not of that server (and tenant) sees them as "sign in to open"
  (``CourseAccess.sign_in``) and never opens them.

- The lease is judged on the trusted time (``player.services.clock``): when the computer's clock
  reads earlier than a time already seen, leases count as expired until the next sync.

Every entry point (reader, command line, export, search, bundle) uses ``course_access`` and the
``check_*`` functions below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from player.errors import (
    CourseNotFound,
    LeaseExpired,
    NotEnrolled,
    PurchaseRequired,
    SignInToOpen,
)
from player.i18n import _
from player.origin import LOCAL
from player.services.clock import ClockReading
from player.services.clock import read as read_clock
from player.services.summaries import (
    FILE_PREFIX,
    CourseAccess,
    CourseKey,
    LabServer,
    format_price,
)
from player.store.models import (
    CatalogEntry,
    Enrollment,
    EntitlementLease,
    Product,
    Profile,
    Purchase,
    StoredPackage,
)

if TYPE_CHECKING:
    from player.store.db import Store


@dataclass(slots=True)
class AccessSnapshot:
    """Everything access decisions need for one learner, loaded in a few queries."""

    profile: Profile
    products: dict[str, Product] = field(default_factory=dict)
    purchased: set[str] = field(default_factory=set)
    enrolled: set[str] = field(default_factory=set)
    enrolled_files: set[str] = field(default_factory=set)
    lease_expired: bool = False
    clock: ClockReading | None = None

    @classmethod
    def load(
        cls, session: Session, profile: Profile, now: datetime | None = None
    ) -> AccessSnapshot:
        """``now``: what the computer's clock reads (default: the real clock)."""
        snapshot = cls(profile)
        snapshot.enrolled_files = set(
            session.exec(
                select(Enrollment.courseId).where(
                    Enrollment.server == LOCAL, Enrollment.userId == profile.id
                )
            )
        )
        if profile.server == LOCAL:  # the guest: only the machine's courses
            return snapshot
        for product in session.exec(
            select(Product).where(
                Product.server == profile.server,
                Product.tenantId == profile.tenantId,
                col(Product.active).is_(True),
            )
        ):
            snapshot.products.setdefault(product.courseId, product)
        snapshot.purchased = set(
            session.exec(
                select(Purchase.courseId).where(
                    Purchase.server == profile.server,
                    Purchase.userId == profile.userId,
                    Purchase.tenantId == profile.tenantId,
                )
            )
        )
        snapshot.enrolled = set(
            session.exec(
                select(Enrollment.courseId).where(
                    Enrollment.server == profile.server,
                    Enrollment.userId == profile.userId,
                    Enrollment.tenantId == profile.tenantId,
                )
            )
        )
        lease = session.get(EntitlementLease, (profile.server, profile.userId))
        if lease is not None and lease.tenantId == profile.tenantId:
            reading = read_clock(session, now, profile.server)
            if reading.went_back:
                snapshot.lease_expired = True
                snapshot.clock = reading
            else:
                snapshot.lease_expired = _utc(lease.validUntil) <= reading.now
        return snapshot

    def access(self, course_id: str, title: str, server: str | None = None) -> CourseAccess:
        """Access to a course of the learner's server (``server`` None) or of ``server``."""
        world = self.profile.server if server is None else server
        if world == LOCAL or world != self.profile.server:
            enrolled = course_id in self.enrolled_files
            return CourseAccess(course_id, title, None, False, enrolled, False, server=LOCAL)
        return CourseAccess(
            course_id=course_id,
            title=title,
            product=self.products.get(course_id),
            purchased=course_id in self.purchased,
            enrolled=course_id in self.enrolled,
            lease_expired=self.lease_expired,
            server=world,
            clock=self.clock,
        )


def _server_packages(profile: Profile) -> ColumnElement[bool]:
    return and_(
        col(StoredPackage.server) == profile.server,
        col(StoredPackage.tenantKey) == profile.tenantId,
    )


def visible_packages(session: Session, profile: Profile) -> list[StoredPackage]:
    """Stored packages the learner may see: the machine's, and their own server tenant's."""
    query = select(StoredPackage).where(StoredPackage.server == LOCAL)
    result = list(session.exec(query))
    if profile.server != LOCAL:
        result.extend(session.exec(select(StoredPackage).where(_server_packages(profile))))
    return result


class PackageRow(NamedTuple):
    """The columns of a visible stored package that listing and search need (no ORM object)."""

    id: int
    server: str
    courseId: str
    version: int
    title: str


def visible_package_rows(session: Session, profile: Profile) -> list[PackageRow]:
    """``visible_packages`` as plain rows: the same rule, without building an ORM object each
    (a search reads them for every query, over every stored version)."""
    columns = (
        col(StoredPackage.id),
        col(StoredPackage.server),
        col(StoredPackage.courseId),
        col(StoredPackage.version),
        col(StoredPackage.title),
    )
    rule = col(StoredPackage.server) == LOCAL
    if profile.server != LOCAL:
        rule = or_(rule, _server_packages(profile))
    rows = session.connection().execute(sa_select(*columns).where(rule)).all()
    return [PackageRow._make(row) for row in rows]


def lab_packages(
    session: Session, profile: Profile, lab: LabServer | None, course_id: str | None = None
) -> list[StoredPackage]:
    """The lab server's stored packages a learner who is not of that server (and tenant) sees
    as "sign in to open"; empty without a lab server or for its own learners."""
    if lab is None or lab.server == LOCAL:
        return []
    query = select(StoredPackage).where(StoredPackage.server == lab.server)
    if course_id is not None:
        query = query.where(StoredPackage.courseId == course_id)
    if lab.tenant is not None:
        query = query.where(StoredPackage.tenantKey == lab.tenant)
    if profile.server == lab.server:  # their own tenant's courses are theirs, not the lab's
        query = query.where(StoredPackage.tenantKey != profile.tenantId)
    return list(session.exec(query))


def lab_access(course_id: str, title: str, server: str) -> CourseAccess:
    """A lab server's course for a learner without an account there: shown, never opened."""
    return CourseAccess(course_id, title, None, False, False, False, server=server, sign_in=True)


def latest_visible(session: Session, profile: Profile) -> dict[CourseKey, StoredPackage]:
    """The newest stored version of each course the learner may see (``visible_packages``)."""
    latest: dict[CourseKey, StoredPackage] = {}
    for package in visible_packages(session, profile):
        key = CourseKey(package.server, package.courseId)
        current = latest.get(key)
        if current is None or package.version > current.version:
            latest[key] = package
    return latest


def catalog_entry(session: Session, profile: Profile, course_id: str) -> CatalogEntry | None:
    """What the learner's server (and tenant) offers as ``course_id``, if anything."""
    return session.exec(
        select(CatalogEntry).where(
            CatalogEntry.server == profile.server,
            CatalogEntry.tenantId == profile.tenantId,
            CatalogEntry.courseId == course_id,
        )
    ).first()


def catalog_entries(session: Session, profile: Profile) -> list[CatalogEntry]:
    """What the learner's server (and tenant) offers; nothing for the guest."""
    if profile.server == LOCAL:
        return []
    return list(
        session.exec(
            select(CatalogEntry).where(
                CatalogEntry.server == profile.server, CatalogEntry.tenantId == profile.tenantId
            )
        )
    )


def catalog_titles(session: Session, profile: Profile) -> dict[tuple[str, str], str]:
    """``catalog_entries`` as (server, course id) → title, without building ORM objects."""
    if profile.server == LOCAL:
        return {}
    rows = session.connection().execute(
        sa_select(
            col(CatalogEntry.server), col(CatalogEntry.courseId), col(CatalogEntry.title)
        ).where(
            col(CatalogEntry.server) == profile.server,
            col(CatalogEntry.tenantId) == profile.tenantId,
        )
    )
    return {(server, course_id): title for server, course_id, title in rows.all()}


def resolve(
    session: Session, profile: Profile, ref: str, lab: LabServer | None = None
) -> CourseKey:
    """The course ``ref`` addresses for this learner; ``CourseNotFound`` when none is visible.

    ``file:ID`` is the imported file; a plain ``ID`` the learner's server course when their
    server has one, else the lab server's (``lab``, shown as "sign in to open"), otherwise the
    imported file.
    """
    if ref.startswith(FILE_PREFIX):
        key = CourseKey(LOCAL, ref[len(FILE_PREFIX) :])
        if _file_title(session, key.course_id) is None:
            raise CourseNotFound(ref)
        return key
    if profile.server != LOCAL and _server_title(session, profile, ref) is not None:
        return CourseKey(profile.server, ref)
    if _lab_title(session, profile, lab, ref) is not None:
        assert lab is not None
        return CourseKey(lab.server, ref, lab=True)
    if _file_title(session, ref) is not None:
        return CourseKey(LOCAL, ref)
    raise CourseNotFound(ref)


def course_access(
    session: Session,
    profile: Profile,
    ref: str,
    now: datetime | None = None,
    lab: LabServer | None = None,
) -> CourseAccess:
    """The learner's access to the course ``ref`` addresses; ``CourseNotFound`` when not visible.
    ``now``: what the computer's clock reads (default: the real clock); ``lab``: the lab
    policy's server, whose courses every learner sees."""
    key = resolve(session, profile, ref, lab)
    if key.lab:
        title = _lab_title(session, profile, lab, key.course_id)
        assert title is not None
        return lab_access(key.course_id, title, key.server)
    if key.is_file:
        title = _file_title(session, key.course_id)
        assert title is not None  # resolve() checked it
        enrolled = session.exec(
            select(Enrollment.id).where(
                Enrollment.server == LOCAL,
                Enrollment.userId == profile.id,
                Enrollment.courseId == key.course_id,
            )
        ).first()
        return CourseAccess(
            key.course_id, title, None, False, enrolled is not None, False, server=LOCAL
        )
    title = _server_title(session, profile, key.course_id)
    assert title is not None
    return AccessSnapshot.load(session, profile, now).access(key.course_id, title)


def refuse_sign_in(store: Store, profile: Profile, ref: str, lab: LabServer | None) -> None:
    """``SignInToOpen`` when ``ref`` addresses a course of the lab's server that this learner
    has no account for (shown to them as "sign in to open"), so that a command on it says so
    instead of "no such course". Anything else is left to the command's own checks."""
    if lab is None:
        return
    with store.read() as session:
        try:
            access = course_access(session, profile, ref, lab=lab)
        except CourseNotFound:
            return
    if access.sign_in:
        raise _sign_in_to_open(access)


def check_read(access: CourseAccess) -> None:
    """Raise unless the learner may open the course's content."""
    if access.can_read:
        return
    if access.sign_in:
        raise _sign_in_to_open(access)
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
    if access.paid:
        raise _purchase_required(access)
    raise _not_enrolled(access)


def check_enrolled(access: CourseAccess) -> None:
    """Raise unless the learner holds a purchase or an enrollment (progress, export).

    For a course imported from a file, the enrollment is the machine's own record.
    """
    if access.sign_in:
        raise _sign_in_to_open(access)
    if access.entitled:
        if access.paid and access.lease_expired:
            check_read(access)
        return
    if access.paid:
        raise _purchase_required(access)
    raise _not_enrolled(access)


def _purchase_required(access: CourseAccess) -> PurchaseRequired:
    price = format_price(access.product) if access.product else ""
    return PurchaseRequired(
        _(
            "“{title}” is a paid course ({price}). Buy it to open its lessons: connect to the "
            "network and press Buy on the course page, or run “course-player buy {id}”."
        ).format(title=access.title, price=price, id=access.course_id)
    )


def _sign_in_to_open(access: CourseAccess) -> SignInToOpen:
    return SignInToOpen(
        _(
            "“{title}” is a course of {server}. Sign in with your account of that server "
            "(Sign in to a server… in the window, or “course-player signin”) to open it; it "
            "opens once that server enrolled you or you bought it."
        ).format(title=access.title, server=access.server)
    )


def _not_enrolled(access: CourseAccess) -> NotEnrolled:
    if access.is_file:
        return NotEnrolled(
            _("You are not enrolled in “{title}”. Enroll in the course first (it is free).").format(
                title=access.title
            )
        )
    return NotEnrolled(
        _(
            "You are not enrolled in “{title}”. Your server opens its courses only to the "
            "learners enrolled in them: enroll first (it is free), with Enroll on the course page "
            "or “course-player enroll {id}”."
        ).format(title=access.title, id=access.course_id)
    )


def latest_package(session: Session, profile: Profile, key: CourseKey) -> StoredPackage | None:
    """The newest stored version of the course ``key`` names, if the learner may see it."""
    if key.lab:  # a lab server's course for a learner without an account there
        return None
    query = select(StoredPackage).where(StoredPackage.courseId == key.course_id)
    if key.is_file:
        query = query.where(StoredPackage.server == LOCAL)
    elif key.server == profile.server:
        query = query.where(_server_packages(profile))
    else:
        return None
    return session.exec(query.order_by(col(StoredPackage.version).desc())).first()


def latest_visible_package(session: Session, profile: Profile, ref: str) -> StoredPackage | None:
    """The newest stored version of the course ``ref`` addresses for the learner."""
    try:
        key = resolve(session, profile, ref)
    except CourseNotFound:
        return None
    return latest_package(session, profile, key)


def _file_title(session: Session, course_id: str) -> str | None:
    package = session.exec(
        select(StoredPackage)
        .where(StoredPackage.courseId == course_id, StoredPackage.server == LOCAL)
        .order_by(col(StoredPackage.version).desc())
    ).first()
    return package.title if package is not None else None


def _lab_title(
    session: Session, profile: Profile, lab: LabServer | None, course_id: str
) -> str | None:
    found = lab_packages(session, profile, lab, course_id)
    return max(found, key=lambda p: p.version).title if found else None


def _server_title(session: Session, profile: Profile, course_id: str) -> str | None:
    package = latest_package(session, profile, CourseKey(profile.server, course_id))
    if package is not None:
        return package.title
    entry = catalog_entry(session, profile, course_id)
    return entry.title if entry is not None else None


def progress_owner(profile: Profile, access: CourseAccess) -> tuple[str, str]:
    """(server, userId) that progress and export rows of this course are kept under: the
    learner's server account, or for a course imported from a file the profile on this machine."""
    if access.is_file:
        return LOCAL, profile.id
    return access.server, profile.userId


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
