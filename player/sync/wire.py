"""Typed answers of the server contract (``docs/contract/README.md``), parsed defensively.

Every ``from_json`` accepts unknown fields (kept out, never rejected) and raises
``ServerAnswerInvalid`` when a field the player needs is missing or has the wrong type, so a
malformed answer is an error for that one request, never a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from player.errors import ServerAnswerInvalid
from player.i18n import _
from player.timeutil import parse_rfc3339

# --- field readers ---------------------------------------------------------------------------


def _bad(what: str) -> ServerAnswerInvalid:
    return ServerAnswerInvalid(
        _(
            "The server sent an answer the player does not understand ({what}). Sync again later."
        ).format(what=what)
    )


def obj(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _bad(_("{what} is not an object").format(what=what))
    return value


def items(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise _bad(_("{what} is not a list").format(what=what))
    return value


def req_str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise _bad(_("“{key}” is missing").format(key=key))
    return value


def opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad(_("“{key}” is not text").format(key=key))
    return value or None


def req_int(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(_("“{key}” is not a whole number").format(key=key))
    return value


def opt_int(data: Mapping[str, Any], key: str) -> int | None:
    return None if data.get(key) is None else req_int(data, key)


def req_bool(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key)
    if not isinstance(value, bool):
        raise _bad(_("“{key}” is not true or false").format(key=key))
    return value


def req_time(data: Mapping[str, Any], key: str) -> datetime:
    text = req_str(data, key)
    try:
        return parse_rfc3339(text)
    except ValueError:
        raise _bad(_("“{key}” is not a date and time").format(key=key)) from None


def opt_time(data: Mapping[str, Any], key: str) -> datetime | None:
    return None if data.get(key) is None else req_time(data, key)


# --- answers ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class User:
    id: str
    name: str
    tenant_id: str

    @classmethod
    def from_json(cls, value: Any) -> User:
        data = obj(value, "user")
        return cls(
            id=req_str(data, "id"),
            name=opt_str(data, "name") or req_str(data, "id"),
            tenant_id=req_str(data, "tenantId"),
        )


@dataclass(frozen=True, slots=True)
class TokenAnswer:
    token: str
    expires_at: datetime | None
    user: User

    @classmethod
    def from_json(cls, value: Any) -> TokenAnswer:
        data = obj(value, "token answer")
        return cls(
            token=req_str(data, "token"),
            expires_at=opt_time(data, "expiresAt"),
            user=User.from_json(data.get("user")),
        )


@dataclass(frozen=True, slots=True)
class CatalogCourse:
    id: str
    title: str
    version: int
    sha256: str | None = None
    size_bytes: int | None = None
    updated_at: str | None = None

    @classmethod
    def from_json(cls, value: Any) -> CatalogCourse:
        data = obj(value, "course")
        sha = opt_str(data, "sha256")
        return cls(
            id=req_str(data, "id"),
            title=opt_str(data, "title") or req_str(data, "id"),
            version=req_int(data, "version"),
            sha256=sha.lower() if sha else None,
            size_bytes=opt_int(data, "sizeBytes"),
            updated_at=opt_str(data, "updatedAt"),
        )


@dataclass(frozen=True, slots=True)
class PackageAnswer:
    """``GET /api/learn/courses/{id}``: 200 with the bytes, or 304 (``body`` None)."""

    status: int
    body: bytes | None
    etag: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True, slots=True)
class EnrollmentInfo:
    id: str
    course_id: str
    created_at: datetime | None

    @classmethod
    def from_json(cls, value: Any) -> EnrollmentInfo:
        data = obj(value, "enrollment")
        return cls(
            id=req_str(data, "id"),
            course_id=req_str(data, "courseId"),
            created_at=opt_time(data, "createdAt"),
        )


@dataclass(frozen=True, slots=True)
class PurchaseInfo:
    id: str
    product_id: str
    course_id: str
    created_at: datetime | None

    @classmethod
    def from_json(cls, value: Any) -> PurchaseInfo:
        data = obj(value, "purchase")
        return cls(
            id=req_str(data, "id"),
            product_id=req_str(data, "productId"),
            course_id=req_str(data, "courseId"),
            created_at=opt_time(data, "createdAt"),
        )


@dataclass(frozen=True, slots=True)
class Entitlements:
    user_id: str | None
    tenant_id: str | None
    enrollments: list[EnrollmentInfo]
    purchases: list[PurchaseInfo]
    issued_at: datetime | None
    valid_until: datetime | None

    @classmethod
    def from_json(cls, value: Any) -> Entitlements:
        data = obj(value, "entitlements")
        return cls(
            user_id=opt_str(data, "userId"),
            tenant_id=opt_str(data, "tenantId"),
            enrollments=[
                EnrollmentInfo.from_json(e)
                for e in items(data.get("enrollments", []), "enrollments")
            ],
            purchases=[
                PurchaseInfo.from_json(p) for p in items(data.get("purchases", []), "purchases")
            ],
            issued_at=opt_time(data, "issuedAt"),
            valid_until=opt_time(data, "validUntil"),
        )


@dataclass(frozen=True, slots=True)
class ProductInfo:
    id: str
    tenant_id: str | None
    course_id: str
    price_cents: int
    currency: str
    active: bool

    @classmethod
    def from_json(cls, value: Any) -> ProductInfo:
        data = obj(value, "product")
        active = data.get("active", True)
        return cls(
            id=req_str(data, "id"),
            tenant_id=opt_str(data, "tenantId"),
            course_id=req_str(data, "courseId"),
            price_cents=req_int(data, "priceCents"),
            currency=req_str(data, "currency"),
            active=active if isinstance(active, bool) else True,
        )


@dataclass(frozen=True, slots=True)
class ProgressRow:
    """A server-side progress row (``courseId`` is filled in for the per-course answer)."""

    course_id: str
    lesson_idx: int
    completed: bool
    updated_at: datetime

    @classmethod
    def from_json(cls, value: Any, course_id: str | None = None) -> ProgressRow:
        data = obj(value, "progress row")
        return cls(
            course_id=course_id or req_str(data, "courseId"),
            lesson_idx=req_int(data, "lessonIdx"),
            completed=req_bool(data, "completed"),
            updated_at=req_time(data, "updatedAt"),
        )


@dataclass(frozen=True, slots=True)
class ProgressPage:
    items: list[ProgressRow]
    cursor: str | None

    @classmethod
    def from_json(cls, value: Any) -> ProgressPage:
        data = obj(value, "progress")
        return cls(
            items=[ProgressRow.from_json(r) for r in items(data.get("items"), "items")],
            cursor=opt_str(data, "cursor"),
        )


APPLIED, STALE, DUPLICATE, REJECTED = "applied", "stale", "duplicate", "rejected"
HELD = frozenset({APPLIED, STALE, DUPLICATE})  # the server holds the event


@dataclass(frozen=True, slots=True)
class BatchResult:
    client_event_id: str | None
    status: str
    error_code: str | None = None
    error_message: str | None = None

    @classmethod
    def from_json(cls, value: Any) -> BatchResult:
        data = obj(value, "batch result")
        status = req_str(data, "status")
        if status not in HELD and status != REJECTED:
            raise _bad(_("unknown status “{status}”").format(status=status))
        error = data.get("error")
        code = message = None
        if isinstance(error, Mapping):
            code = opt_str(error, "code")
            message = opt_str(error, "message")
        return cls(
            client_event_id=opt_str(data, "clientEventId"),
            status=status,
            error_code=code,
            error_message=message,
        )


# --- notes and bookmarks ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoteRecord:
    """A note or bookmark as the server holds it (a tombstone when ``deleted``)."""

    id: str
    course_id: str
    lesson_idx: int
    kind: str
    text: str
    updated_at: datetime
    deleted: bool

    @classmethod
    def from_json(cls, value: Any) -> NoteRecord:
        data = obj(value, "note")
        text = data.get("text", "")
        deleted = data.get("deleted", False)
        return cls(
            id=req_str(data, "id"),
            course_id=req_str(data, "courseId"),
            lesson_idx=req_int(data, "lessonIdx"),
            kind=req_str(data, "kind"),
            text=text if isinstance(text, str) else "",
            updated_at=req_time(data, "updatedAt"),
            deleted=deleted is True,
        )


@dataclass(frozen=True, slots=True)
class NotesPage:
    items: list[NoteRecord]
    cursor: str | None

    @classmethod
    def from_json(cls, value: Any) -> NotesPage:
        data = obj(value, "notes")
        return cls(
            items=[NoteRecord.from_json(n) for n in items(data.get("items"), "items")],
            cursor=opt_str(data, "cursor"),
        )


@dataclass(frozen=True, slots=True)
class NoteResult:
    """One entry of the ``POST /api/learn/notes/batch`` answer."""

    id: str | None
    status: str  # APPLIED | STALE | REJECTED
    error_message: str | None = None

    @classmethod
    def from_json(cls, value: Any) -> NoteResult:
        data = obj(value, "note result")
        status = req_str(data, "status")
        if status not in (APPLIED, STALE, REJECTED):
            raise _bad(_("unknown status “{status}”").format(status=status))
        error = data.get("error")
        message = None
        if isinstance(error, Mapping):
            message = opt_str(error, "message") or opt_str(error, "code")
        return cls(id=opt_str(data, "id"), status=status, error_message=message)
