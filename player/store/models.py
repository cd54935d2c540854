"""Every table of the local store, in one module (SQLModel's layout).

Field names follow the server's Prisma models and the contract (camelCase columns). A new table or
column is added by a migration step in ``player.store.migrations``, never by editing an old step.

Every record that comes from a server carries ``server``: that server's normalized origin
(``player.origin``). Ids from a server (tenant, user, course, product…) are unique only within it,
so keys and queries always include ``server``. The machine's own records (courses imported from
files and everything of the guest) have ``server == ""``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

# --- packages --------------------------------------------------------------------------------


class PackageBlob(SQLModel, table=True):
    """The exact bytes of a CoursePackage, addressed by their SHA-256; never updated."""

    sha256: str = Field(primary_key=True, max_length=64)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sizeBytes: int


class StoredPackage(SQLModel, table=True):
    """One published version of a course that is on this machine.

    ``server`` is "" and ``tenantId`` None for a package imported from a file (it belongs to the
    machine and every learner on it sees it); otherwise the server and tenant whose catalog it
    came from.
    """

    __table_args__ = (UniqueConstraint("courseId", "version", "server", "tenantKey"),)

    id: int | None = Field(default=None, primary_key=True)
    packageId: str = Field(index=True)
    courseId: str = Field(index=True, max_length=200)
    version: int
    sha256: str = Field(foreign_key="packageblob.sha256", max_length=64)
    title: str
    summary: str = ""
    language: str | None = None
    publishedAt: str | None = None
    lessonCount: int
    origin: str  # "file" | "server" | "bundled"
    server: str = Field(default="", index=True)
    tenantId: str | None = Field(default=None, index=True)
    tenantKey: str = ""  # tenantId or "" (SQLite unique constraints ignore NULLs)
    storedAt: datetime
    sourceName: str | None = None  # where an imported file came from (its file name)
    # The server's signature (store version 9): kid and base64; None = unsigned (a file, or a
    # server without signing). Verified at download and again when opened.
    sigKid: str | None = None
    sig: str | None = None


class CatalogEntry(SQLModel, table=True):
    """A course a tenant's server offers (from ``GET /api/learn/courses``), downloaded or not."""

    __table_args__ = (UniqueConstraint("server", "tenantId", "courseId"),)

    id: int | None = Field(default=None, primary_key=True)
    server: str = ""
    tenantId: str = Field(index=True)
    courseId: str = Field(max_length=200)
    title: str
    version: int
    sha256: str | None = None
    sizeBytes: int | None = None
    updatedAt: str | None = None
    seenAt: datetime


# --- people and tenants ----------------------------------------------------------------------


class Tenant(SQLModel, table=True):
    server: str = Field(default="", primary_key=True)
    id: str = Field(primary_key=True)
    name: str = ""
    serverUrl: str | None = None


class Profile(SQLModel, table=True):
    """A learner known on this machine. No password is ever stored; tokens live in keyring.

    A profile is one account of one server (``server``, ``userId``); the guest has ``server == ""``.
    """

    id: str = Field(primary_key=True)  # "guest", or "<userId>@<server host>"
    server: str = Field(default="", index=True)
    userId: str = Field(index=True)
    displayName: str
    tenantId: str
    serverUrl: str | None = None
    username: str | None = None
    isGuest: bool = False
    createdAt: datetime
    lastUsedAt: datetime | None = None


# --- store and entitlements ------------------------------------------------------------------


class Product(SQLModel, table=True):
    server: str = Field(default="", primary_key=True)
    id: str = Field(primary_key=True)
    tenantId: str = Field(index=True)
    courseId: str = Field(index=True)
    priceCents: int
    currency: str
    active: bool = True


class Purchase(SQLModel, table=True):
    server: str = Field(default="", primary_key=True)
    id: str = Field(primary_key=True)
    userId: str = Field(index=True)
    tenantId: str
    productId: str
    courseId: str = Field(index=True)
    createdAt: datetime


class Enrollment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("server", "userId", "courseId"),)

    server: str = Field(default="", primary_key=True)
    id: str = Field(primary_key=True)
    userId: str = Field(index=True)
    tenantId: str
    courseId: str = Field(index=True)
    createdAt: datetime
    origin: str = "local"  # "local" (made offline, queued) | "server"


class EntitlementLease(SQLModel, table=True):
    """The offline lease from ``GET /api/learn/entitlements``: paid content opens until ``validUntil``."""

    server: str = Field(default="", primary_key=True)
    userId: str = Field(primary_key=True)
    tenantId: str
    issuedAt: datetime
    validUntil: datetime


# --- progress --------------------------------------------------------------------------------


class LessonProgress(SQLModel, table=True):
    """A lesson's state for a learner. ``server`` is the course's world: the learner's server (with
    the server's ``userId``) or "" for a course imported from a file (with the profile id as
    ``userId``, kept on this machine only)."""

    __table_args__ = (UniqueConstraint("server", "userId", "courseId", "lessonIdx"),)

    id: int | None = Field(default=None, primary_key=True)
    server: str = ""
    userId: str = Field(index=True)
    courseId: str = Field(index=True)
    lessonIdx: int
    completed: bool = False
    updatedAt: datetime  # when the learner did it (the event's occurredAt), for the merge rule


# --- audit, outbox, sync, exports ------------------------------------------------------------


class AuditLog(SQLModel, table=True):
    id: str = Field(primary_key=True)  # uuid, also the server's idempotency id
    server: str = ""
    actorId: str = Field(index=True)
    tenantId: str | None = None
    action: str = Field(index=True)
    entityType: str
    entityId: str
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column("metadata", JSON))
    occurredAt: datetime


class Outbox(SQLModel, table=True):
    """An operation recorded offline, waiting for upload. Rows are never deleted by sync."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True)  # "enrollment" | "progress" | "audit"
    server: str = ""
    profileId: str = Field(index=True)
    userId: str
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    clientEventId: str = Field(unique=True)
    createdAt: datetime
    attempts: int = 0
    nextAttemptAt: datetime | None = None
    state: str = Field(default="pending", index=True)  # "pending" | "sent" | "rejected"
    lastError: str | None = None
    sentAt: datetime | None = None


class SyncState(SQLModel, table=True):
    profileId: str = Field(primary_key=True)
    server: str = ""
    progressCursor: str | None = None
    lastSuccessAt: datetime | None = None
    lastAttemptAt: datetime | None = None
    lastError: str | None = None


class ExportRecord(SQLModel, table=True):
    """A produced export, for the rate limit (kept across restarts)."""

    id: int | None = Field(default=None, primary_key=True)
    server: str = ""  # the course's world, as in LessonProgress
    userId: str = Field(index=True)
    courseId: str = Field(index=True)
    format: str
    createdAt: datetime = Field(index=True)


# --- sync bookkeeping (store version 2) ------------------------------------------------------


class PendingPurchase(SQLModel, table=True):
    """An ``Idempotency-Key`` for a purchase request, stored BEFORE the request is sent.

    It is reused for every retry until an answer arrives, so a lost answer never buys twice;
    the row is deleted once the server has answered (success or a final refusal).
    """

    idempotencyKey: str = Field(primary_key=True)
    profileId: str = Field(index=True)
    productId: str
    courseId: str
    createdAt: datetime


class DownloadIssue(SQLModel, table=True):
    """Why a catalog course is not on this machine for a learner, kept between syncs.

    ``kind`` is "forbidden" (the server refused the download: not entitled; retried once the
    learner is enrolled or the version changes) or "failed" (a damaged or refused download;
    retried at every sync). Cleared when the download succeeds.
    """

    profileId: str = Field(primary_key=True)
    courseId: str = Field(primary_key=True, max_length=200)
    kind: str
    version: int
    message: str = ""
    at: datetime


# --- lab sign-in (store version 3) -----------------------------------------------------------


class OfflineCredential(SQLModel, table=True):
    """What lets a learner sign in on a kiosk machine while the server cannot be reached.

    Written only in kiosk mode with a lab policy naming a server, after the learner's last
    successful online sign-in on this machine (``player.services.lab_accounts``). ``verifier`` is a
    salted PBKDF2 hash of the password (``player.passwords``), never the password itself.
    """

    __table_args__ = (UniqueConstraint("serverUrl", "username"),)

    profileId: str = Field(primary_key=True)
    username: str
    serverUrl: str
    verifier: str
    updatedAt: datetime


# --- notes, bookmarks and resume (store version 4) -------------------------------------------


class LessonNote(SQLModel, table=True):
    """A learner's note or bookmark on a lesson (``player.services.notes``).

    Keyed by the learner profile (which belongs to one server account) and the client-made uuid
    that is also the note's id on the server. A deletion keeps the row as a tombstone
    (``deleted``) so that it reaches the learner's other machines; the latest ``updatedAt`` wins.
    """

    profileId: str = Field(primary_key=True)
    id: str = Field(primary_key=True, max_length=64)
    courseId: str = Field(index=True, max_length=200)
    lessonIdx: int
    kind: str  # "note" | "bookmark"
    text: str = ""
    updatedAt: datetime
    deleted: bool = False
    createdAt: datetime


class NotesSyncState(SQLModel, table=True):
    """Per learner: the cursor of ``GET /api/learn/notes`` and whether the server lacks it."""

    profileId: str = Field(primary_key=True)
    cursor: str | None = None
    unsupportedAt: datetime | None = None  # the server answered 404 (a seed-design server)


class ResumePoint(SQLModel, table=True):
    """Per learner and course: the last lesson opened and the reading position in it."""

    profileId: str = Field(primary_key=True)
    courseId: str = Field(primary_key=True, max_length=200)
    lessonIdx: int
    position: float = 0.0  # how far down the lesson, 0.0 (top) to 1.0 (end)
    updatedAt: datetime


class OpenLesson(SQLModel, table=True):
    """Per learner: the course (and lesson) the window showed when it was last left; None after
    the learner went back to the catalog. The next start of the window reopens it."""

    profileId: str = Field(primary_key=True)
    courseId: str = Field(max_length=200)
    lessonIdx: int | None = None
    updatedAt: datetime


class RemovedCourse(SQLModel, table=True):
    """A server course the learner removed from this machine: sync does not download it again
    until asked (``course-player sync --download``, Download on the course page)."""

    server: str = Field(default="", primary_key=True)
    tenantKey: str = Field(primary_key=True)
    courseId: str = Field(primary_key=True, max_length=200)
    removedAt: datetime


# --- trusted time (store version 5) ----------------------------------------------------------


class TrustedTime(SQLModel, table=True):
    """The machine's one floor of trusted time of store versions 5 to 9; one row, ``id`` 1.
    Version 10 copies it into ``TrustedFloor`` (one floor per server) and drops the table; the
    model stays only for the version 5 step.

    ``floor`` is the latest time this machine has seen, on the clock as corrected by the last
    sync: the server's ``Date``/``issuedAt`` at that sync, or a later local reading. ``offsetSeconds``
    is the server's time minus the computer's at the last sync.
    """

    id: int = Field(default=1, primary_key=True)
    floor: datetime
    offsetSeconds: float = 0.0
    serverTime: datetime | None = None
    updatedAt: datetime


# --- full-text search (store version 7) ------------------------------------------------------


class SearchDoc(SQLModel, table=True):
    """One searchable document: a course (``lessonIdx`` -1: title, summary) or one of its lessons.

    Written with the package (``player.search.index``), never updated; deleted with its
    ``storedpackage`` row by a trigger. The FTS5 tables ``searchwords`` (unicode61) and
    ``searchgrams`` (trigram) index ``title`` and ``body``, and ``gramsTitle`` and ``gramsBody``
    (only the words of scripts written without spaces); ``searchwords`` reads ``foldTitle`` and
    ``foldBody`` instead where they are set (the view ``searchwordtext``, store version 11); see
    ``player.store.migrations`` and ``docs/search.md``.
    """

    id: int | None = Field(default=None, primary_key=True)
    packageRowId: int = Field(index=True)  # storedpackage.id
    courseId: str = Field(max_length=200)
    lessonIdx: int
    title: str
    # The words of title and body written without spaces (CJK, Thai…), before the long body so
    # that reading them never walks the body's overflow pages.
    gramsTitle: str = ""
    gramsBody: str = ""
    # The title and body folded for the word index (``player.search.fold.folded_copy``), only
    # where unicode61 cannot fold them itself (Greek accents, Cyrillic ё…); NULL: indexed as is.
    foldTitle: str | None = None
    body: str
    foldBody: str | None = None


# --- learner locks (store version 8) ---------------------------------------------------------


class LearnerLock(SQLModel, table=True):
    """What lets the window check a learner's password offline before acting as them
    (``player.services.learner_lock``): a salted PBKDF2 verifier (``player.passwords``) kept at
    each server sign-in, never the password, and the learner's own "don't ask on this computer".
    """

    profileId: str = Field(primary_key=True)
    verifier: str
    ask: bool = True
    updatedAt: datetime


# --- signing keys (store version 9) ----------------------------------------------------------


class ServerKey(SQLModel, table=True):
    """A server's package-signing key this machine trusts (``player.services.keys``).

    ``source``: "policy" (pinned by the lab policy), "first use" (the first sign-in or sync),
    "vouched" (published beside a key already trusted), "administrator" (``keys accept``).
    """

    server: str = Field(primary_key=True)
    kid: str = Field(primary_key=True)
    publicKey: str
    source: str = ""
    pinnedAt: datetime


# --- trusted time per server (store version 10) ----------------------------------------------


class TrustedFloor(SQLModel, table=True):
    """A floor of trusted time (``player.services.clock``): one row per server (its origin) and
    one for this computer's own clock (``server`` ""), so that one server's wrong ``Date`` moves
    no other server's floor and not the local one.

    ``floor`` is the latest time seen for that world: the server's ``Date``/``issuedAt`` at its
    last sync, or a later local reading corrected by ``offsetSeconds`` (the server's time minus
    the computer's at that sync; always 0 for the local row).
    """

    server: str = Field(primary_key=True)
    floor: datetime
    offsetSeconds: float = 0.0
    serverTime: datetime | None = None
    updatedAt: datetime
