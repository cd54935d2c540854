"""What the window shows of a course, as plain values without the store: the learner's access
(``CourseAccess``), the catalog's row (``CourseSummary``) and its states, where a course lives
(``CourseKey``), the lab's server (``LabServer``).

Kept apart from ``access`` and ``learn`` (which compute them from the store, and re-export them)
so that the window's first screen can be built and painted before sqlmodel and the store's tables
are imported (issue 13: the frame paints first, the catalog fills when the store answers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from player.origin import LOCAL, normalize_origin

if TYPE_CHECKING:
    from player.policy import LabPolicy
    from player.services.clock import ClockReading
    from player.store.models import Product

FILE_PREFIX = "file:"


READY, LOCKED, NOT_DOWNLOADED = "ready", "locked", "not downloaded"
SIGN_IN = "sign in to open"
"""A course of the lab's server for a learner without an account there (``LabServer``)."""


@dataclass(frozen=True, slots=True)
class LabServer:
    """The server (and tenant) a lab policy names: its courses stored on this machine are shown
    to every learner, with their state."""

    server: str
    tenant: str | None = None

    @classmethod
    def from_policy(cls, policy: LabPolicy | None) -> LabServer | None:
        if policy is None or not policy.server_url:
            return None
        return cls(normalize_origin(policy.server_url), policy.tenant_id)


@dataclass(frozen=True, slots=True)
class CourseKey:
    """Where a course lives: ``server`` ("" for an imported file) and its id there. ``lab``: a
    course of the lab's server that the learner sees without an account there."""

    server: str
    course_id: str
    lab: bool = False

    @property
    def is_file(self) -> bool:
        return self.server == LOCAL

    @property
    def ref(self) -> str:
        """The id that always addresses this course: ``file:ID`` for a file, else ``ID``."""
        return FILE_PREFIX + self.course_id if self.is_file else self.course_id


@dataclass(frozen=True, slots=True)
class CourseAccess:
    course_id: str
    title: str
    product: Product | None
    purchased: bool
    enrolled: bool
    lease_expired: bool
    server: str = LOCAL
    clock: ClockReading | None = None
    """The trusted-time reading when the computer's clock went back (the lease's reason)."""
    sign_in: bool = False
    """A course of the lab's server the learner has no account for: shown, never opened."""

    @property
    def key(self) -> CourseKey:
        return CourseKey(self.server, self.course_id, self.sign_in)

    @property
    def is_file(self) -> bool:
        return self.server == LOCAL

    @property
    def ref(self) -> str:
        return self.key.ref

    @property
    def paid(self) -> bool:
        return self.product is not None

    @property
    def entitled(self) -> bool:
        """A purchase or an enrollment of the learner, from the course's server."""
        return self.purchased or self.enrolled

    @property
    def locked(self) -> bool:
        """Shown as locked: a paid course the learner may not open (a free one they have not
        enrolled in is not locked: enrolling opens it)."""
        return self.paid and not self.can_read

    @property
    def can_read(self) -> bool:
        if self.sign_in:
            return False
        if self.is_file:  # readable by every learner of the machine
            return True
        return self.entitled and not (self.paid and self.lease_expired)


@dataclass(frozen=True, slots=True)
class CourseSummary:
    course_id: str  # the id that addresses the course (``file:ID`` where both exist)
    title: str
    version: int
    summary: str
    lesson_count: int
    state: str  # READY | LOCKED | NOT_DOWNLOADED | SIGN_IN
    access: CourseAccess
    completed: int = 0
    language: str | None = None
    published_at: str | None = None
    newer_version: int | None = None  # offered by the server but not downloaded yet
    source: str | None = None  # an imported file: where it came from (its file name)
    signed: bool = False  # stored with its server's signature (False: a file, or unsigned)
    stored: bool = True  # its package is on this computer (False: offered by the server only)
    removed: bool = False  # the learner removed it here: sync leaves it until they ask again

    @property
    def paid(self) -> bool:
        return self.access.paid

    @property
    def unsigned(self) -> bool:
        """A server's course without a signature: its server does not sign its packages."""
        return not self.is_file and not self.signed

    @property
    def sign_in(self) -> bool:
        """A course of the lab's server the learner has no account for (shown, never opened)."""
        return self.access.sign_in

    @property
    def is_file(self) -> bool:
        """Imported from a file (or bundled): the machine's, not a server's."""
        return self.access.is_file


def format_price(product: Product) -> str:
    return f"{product.priceCents / 100:.2f} {product.currency}"
