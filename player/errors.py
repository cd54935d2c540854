"""The error hierarchy of the core.

Every message is written for a learner: it says what happened and what to do next. The UI shows
``str(error)``; the command line prints it to stderr. Nothing here imports Qt.
"""

from __future__ import annotations

from player.i18n import _


class PlayerError(Exception):
    """Base of every error the player reports to a person."""

    code = "PLAYER_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --- course packages -------------------------------------------------------------------------


class PackageError(PlayerError):
    """A course file or a downloaded package cannot be used."""

    code = "BAD_PACKAGE"


class SignatureInvalid(PackageError):
    """A package from a signing server that does not verify under the keys this machine knows
    for it: treated as not published (never stored; what was stored is kept)."""

    code = "BAD_SIGNATURE"


class BundleError(PackageError):
    """A course bundle that cannot be written or imported (nothing of it is stored)."""

    code = "BAD_BUNDLE"


class NotJson(PackageError):
    code = "NOT_JSON"


class InvalidPackage(PackageError):
    code = "INVALID_PACKAGE"


class UnsupportedSchema(PackageError):
    code = "UNSUPPORTED_SCHEMA"


class NotPublished(PackageError):
    code = "NOT_PUBLISHED"


class ChecksumMismatch(PackageError):
    code = "CHECKSUM_MISMATCH"


class PackageTooLarge(PackageError):
    """A package beyond one of the limits in ``player.package.limits`` (size, lessons, blocks…)."""

    code = "PACKAGE_TOO_LARGE"


class PackageConflict(PackageError):
    """A package id already stored with different bytes: packages are immutable."""

    code = "PACKAGE_CONFLICT"


# --- the local store -------------------------------------------------------------------------


class StoreError(PlayerError):
    """The local store cannot be used as it is; nothing was changed. The message names the file
    and says what to do (``docs/store.md``: back-up copy, integrity check, starting fresh)."""

    code = "STORE_ERROR"

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message)
        self.path = path


class StoreDamaged(StoreError):
    """The store file is not a whole SQLite database (truncated, overwritten, empty)."""

    code = "STORE_DAMAGED"


class StoreUnwritable(StoreError):
    """The store file or its folder cannot be written (permissions, a read-only disk)."""

    code = "STORE_READ_ONLY"


class StoreFull(StoreError):
    """The disk holding the store is full."""

    code = "STORE_FULL"


class StoreBusy(StoreError):
    """Another program held the store's write lock for too long."""

    code = "STORE_BUSY"


class StoreTooNew(StoreError):
    """The store was written by a newer Course Player."""

    code = "STORE_TOO_NEW"


# --- reading ---------------------------------------------------------------------------------


class CourseNotFound(PlayerError):
    code = "NOT_FOUND"

    def __init__(self, course_id: str) -> None:
        super().__init__(
            _(
                "There is no course “{id}” on this computer. Check the id with "
                "“course-player list”, import the course file, or sync with your server."
            ).format(id=course_id)
        )
        self.course_id = course_id


class CourseNotDownloaded(PlayerError):
    code = "NOT_DOWNLOADED"

    def __init__(self, title: str) -> None:
        super().__init__(
            _(
                "“{title}” is in your catalog but has not been downloaded yet. "
                "Connect to the network and sync to download it."
            ).format(title=title)
        )


class LessonNotFound(PlayerError):
    code = "LESSON_NOT_FOUND"

    def __init__(self, title: str, index: int, count: int) -> None:
        super().__init__(
            _("“{title}” has no lesson {index}: its lessons are numbered 0 to {last}.").format(
                title=title, index=index, last=count - 1
            )
        )
        self.index = index
        self.count = count


# --- learner state and access ----------------------------------------------------------------


class AccessDenied(PlayerError):
    code = "FORBIDDEN"


class PurchaseRequired(AccessDenied):
    code = "PURCHASE_REQUIRED"


class NotEnrolled(AccessDenied):
    code = "NOT_ENROLLED"


class CrossTenant(AccessDenied):
    code = "CROSS_TENANT"


class LeaseExpired(AccessDenied):
    code = "LEASE_EXPIRED"


class SignInToOpen(AccessDenied):
    """A course of the lab's server, shown to every learner of the machine: only a learner of
    that server with their own enrollment or purchase opens it."""

    code = "SIGN_IN_TO_OPEN"


class ProfileNotFound(PlayerError):
    code = "PROFILE_NOT_FOUND"


# --- notes and bookmarks ---------------------------------------------------------------------


class NoteTooLong(PlayerError):
    code = "NOTE_TOO_LONG"

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(
            _(
                "This note is {length} characters long; a note holds at most {limit}. "
                "Shorten it, or split it into two notes. Nothing was saved."
            ).format(length=f"{length:,}", limit=f"{limit:,}")
        )
        self.length = length
        self.limit = limit


class NoteEmpty(PlayerError):
    code = "NOTE_EMPTY"

    def __init__(self) -> None:
        super().__init__(_("A note needs some text. Type the note, then save it."))


class NoteNotFound(PlayerError):
    code = "NOTE_NOT_FOUND"

    def __init__(self, note_id: str) -> None:
        super().__init__(
            _(
                "There is no note “{id}” for this learner. List the notes with "
                "“course-player notes” and use an id from there."
            ).format(id=note_id)
        )
        self.note_id = note_id


# --- export guards ---------------------------------------------------------------------------


class PayloadTooLarge(PlayerError):
    code = "PAYLOAD_TOO_LARGE"

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            _(
                "This course is too large to export: its package is {size} bytes and the limit "
                "is {limit} bytes. Read it in the player instead."
            ).format(size=f"{size:,}", limit=f"{limit:,}")
        )
        self.size = size
        self.limit = limit


class RateLimited(PlayerError):
    code = "RATE_LIMITED"

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            message
            or _(
                "You have exported this course 3 times in the last 10 minutes. "
                "Try again in {n} minute(s)."
            ).format(n=minutes)
        )
        self.retry_after = retry_after


class Cancelled(PlayerError):
    """A long job stopped because the person asked it to; the UI treats it as quiet."""

    code = "CANCELLED"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("Cancelled."))


class ExportError(PlayerError):
    code = "EXPORT_FAILED"


class ExportFileExists(ExportError):
    """``export --all`` would replace a file of the same name; it does only with ``--force``."""

    code = "FILE_EXISTS"


# --- sync ------------------------------------------------------------------------------------


class SyncError(PlayerError):
    """A sync step failed. ``kind`` is one of: offline, auth, server, protocol, rejected, keyring."""

    code = "SYNC_FAILED"

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class SignInRequired(SyncError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            "auth",
            message
            or _(
                "Your sign-in has expired. Sign in again to sync; "
                "everything you did offline is kept and will be uploaded."
            ),
        )


class ServerUnavailable(SyncError):
    """Try again later: no connection, a timeout, a cut answer, 5xx or 429.

    ``kind`` is "offline" when the server could not be reached at all, else "server".
    ``retry_after`` (seconds) is the server's ``Retry-After`` when it sent one.
    """

    code = "SERVER_UNAVAILABLE"

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(kind, message)
        self.status = status
        self.retry_after = retry_after


class ServerKeyChanged(SyncError):
    """The server signs with a key this machine does not know and no known key vouches for it:
    sync stops until an administrator accepts the key (``course-player keys accept``)."""

    code = "KEY_CHANGED"

    def __init__(self, message: str) -> None:
        super().__init__("rejected", message)


class ServerRefused(SyncError):
    """A final 4xx answer (not 401/408/429) for one request; ``error_code`` is the server's."""

    code = "SERVER_REFUSED"

    def __init__(self, message: str, *, status: int, error_code: str) -> None:
        super().__init__("rejected", message)
        self.status = status
        self.error_code = error_code


class ServerAnswerInvalid(SyncError):
    """The server's answer could not be understood (not JSON, missing fields): an error for that
    request only; it is retried later."""

    code = "BAD_ANSWER"

    def __init__(self, message: str) -> None:
        super().__init__("protocol", message)


class PurchaseFailed(PlayerError):
    """The store refused a purchase (unknown or withdrawn product, or another final answer)."""

    code = "PURCHASE_FAILED"


class ConfigError(PlayerError):
    code = "BAD_CONFIG"


class UsageError(PlayerError):
    """The command line was given arguments that do not fit together (exit status 2)."""

    code = "USAGE"


# --- lab sign-in (kiosk machines with a server policy) ---------------------------------------


class SignInRefused(PlayerError):
    """A learner's sign-in on a lab machine was refused; the message says why and what to do."""

    code = "SIGN_IN_REFUSED"


class WrongCredentials(SignInRefused):
    """Wrong user name or password (online or offline); never says which, or whether the user
    exists."""

    code = "WRONG_CREDENTIALS"

    def __init__(self) -> None:
        super().__init__(_("The user name or password is not right."))


class FirstSignInNeedsNetwork(SignInRefused):
    """Offline, and this learner never signed in online on this machine: nothing to check."""

    code = "FIRST_SIGN_IN_NEEDS_NETWORK"

    def __init__(self) -> None:
        super().__init__(
            _(
                "You have not signed in on this computer before. Connect to the network to "
                "sign in the first time."
            )
        )


class LearnerLocked(AccessDenied):
    """Acting as a learner with a server account needs that learner's password on this computer."""

    code = "LEARNER_LOCKED"
