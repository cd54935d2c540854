"""``ContractServer``: the project's own implementation of the server contract.

A real HTTP server on a loopback port with its own SQLite file, for the player's sync tests and
for demos. See docs/test-server.md.
"""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple, Self

from .common import Clock, utc_now
from .context import (
    DEFAULT_LEASE_SECONDS,
    DEFAULT_TOKEN_TTL_SECONDS,
    Context,
    Settings,
)
from .db import Database
from .faults import Faults
from .handler import ContractHTTPServer


class ServedRequest(NamedTuple):
    """One answered request, as ``server.requests`` lists it (compares equal to a 3-tuple)."""

    method: str
    path: str
    status: int


class ContractServer:
    """Start with ``start()`` (or ``with``), seed with the methods below, stop with ``stop()``."""

    def __init__(
        self,
        db_path: str | Path,
        *,
        seed_mode: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        token_ttl_seconds: float = DEFAULT_TOKEN_TTL_SECONDS,
        clock: Clock = utc_now,
    ) -> None:
        self.db = Database(db_path, clock=clock)
        self.faults = Faults()
        self.settings = Settings(
            seed_mode=seed_mode,
            lease_seconds=lease_seconds,
            token_ttl_seconds=token_ttl_seconds,
        )
        self._ctx = Context(db=self.db, faults=self.faults, settings=self.settings)
        self._address = (host, port)
        self._http: ContractHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._log_lock = threading.Lock()
        self._requests: list[ServedRequest] = []
        self._bodies_sent = 0

    # -- life cycle -----------------------------------------------------------------------------

    def start(self) -> Self:
        if self._http is not None:
            raise RuntimeError("the server is already running")
        self._stopping.clear()
        self.db.reopen()
        self._http = ContractHTTPServer(self._address, self._ctx, self._stopping, self._served)
        # A restart (stop, then start) comes back on the same port, so clients keep their URL.
        self._address = (self._address[0], int(self._http.server_address[1]))
        self._thread = threading.Thread(
            target=self._http.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"contract-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, hang up on open connections and close the database. Idempotent; a
        later ``start()`` serves the same data on the same port again."""
        http, self._http = self._http, None
        if http is not None:
            self._stopping.set()
            http.shutdown()
            http.close_connections()
            http.server_close()
            if self._thread is not None:
                self._thread.join(timeout=10)
            self._thread = None
        self.db.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._http is None:
            raise RuntimeError("the server is not running")
        return int(self._http.server_address[1])

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:53411`` (no trailing slash)."""
        return f"http://{self._address[0]}:{self.port}"

    @property
    def seed_mode(self) -> bool:
        return self.settings.seed_mode

    # -- seeding (no HTTP) ----------------------------------------------------------------------

    def add_tenant(self, tenant_id: str, name: str) -> None:
        self.db.add_tenant(tenant_id, name)

    # -- signing (the contract's "Signed packages"; off unless enabled) ----------------------------

    def enable_signing(self, kid: str = "k1") -> str:
        """Sign every package with a new key ``kid``; return its public key (base64)."""
        return self._ctx.signer.add_key(kid)

    def rotate_key(self, kid: str, *, keep_old: bool = True) -> str:
        """Sign with a new key from now on. ``keep_old``: the old key stays published beside it
        (it vouches for the new one); otherwise only the new key is published."""
        return self._ctx.signer.add_key(kid, keep_old=keep_old)

    def public_key(self, kid: str) -> str:
        return self._ctx.signer.public_key(kid)

    def pinned_key(self, kid: str) -> str:
        """``KID:BASE64``, as a lab policy pins it."""
        return f"{kid}:{self.public_key(kid)}"

    def add_user(
        self, username: str, password: str, tenant_id: str, name: str | None = None
    ) -> str:
        """Create a user of an existing tenant; return the user id."""
        return self.db.add_user(username, password, tenant_id, name)

    def publish(self, package_bytes: bytes, tenant_id: str) -> str:
        """Store a CoursePackage byte for byte for a tenant; return its SHA-256 (hex).
        courseId, version, status and title come from the JSON; only the highest PUBLISHED
        version of a course is served. Re-publishing the same version and status replaces it."""
        return self.db.publish(package_bytes, tenant_id)

    def add_product(
        self,
        product_id: str,
        tenant_id: str,
        course_id: str,
        price_cents: int = 4900,
        currency: str = "EUR",
        active: bool = True,
    ) -> None:
        self.db.add_product(product_id, tenant_id, course_id, price_cents, currency, active)

    def add_enrollment(self, user_id: str, course_id: str) -> str:
        """Enroll (idempotent); return the enrollment id."""
        return self.db.add_enrollment(user_id, course_id)

    def add_purchase(self, user_id: str, product_id: str) -> str:
        """Record a purchase (and its enrollment); return the purchase id."""
        return self.db.add_purchase(user_id, product_id)

    def expire_tokens(self, user_id: str | None = None) -> None:
        """Revoke every token of the user (of everyone when None): later calls get 401."""
        self.db.revoke_tokens(user_id)

    def set_token_ttl(self, seconds: float) -> None:
        """Lifetime of tokens issued from now on (0: they are expired at once)."""
        self.settings.token_ttl_seconds = seconds

    def set_lease(self, seconds: float) -> None:
        """Offline lease added to ``issuedAt`` for ``validUntil`` in entitlements."""
        self.settings.lease_seconds = seconds

    # -- read-back for assertions ---------------------------------------------------------------

    def user_id(self, username: str) -> str:
        return self.db.user_id(username)

    def progress_rows(self, user_id: str) -> list[dict[str, Any]]:
        """[{courseId, lessonIdx, completed, occurredAt, updatedAt}] by course and lesson."""
        return self.db.progress_rows(user_id)

    def notes(self, user_id: str) -> list[dict[str, Any]]:
        """[{id, courseId, lessonIdx, kind, text, updatedAt, deleted}] in order of last change
        (tombstones included)."""
        return self.db.note_rows(user_id)

    def enrollments(self, user_id: str) -> list[dict[str, Any]]:
        """[{id, courseId, createdAt}] in creation order."""
        return self.db.enrollments(user_id)

    def purchases(self, user_id: str) -> list[dict[str, Any]]:
        """[{id, userId, productId, courseId, createdAt, idempotencyKey}] in creation order."""
        return self.db.purchases(user_id)

    def audit_events(self, user_id: str | None = None) -> list[dict[str, Any]]:
        """[{id, userId, tenantId, action, entityType, entityId, metadata, occurredAt,
        receivedAt}] in arrival order."""
        return self.db.audit_events(user_id)

    @property
    def requests(self) -> list[ServedRequest]:
        """A copy of (method, raw path without query, status) for every answered request."""
        with self._log_lock:
            return list(self._requests)

    def reset_requests(self) -> None:
        """Forget the request log and the ``bodies_sent`` count."""
        with self._log_lock:
            self._requests.clear()
            self._bodies_sent = 0

    @property
    def bodies_sent(self) -> int:
        """Complete CoursePackage bodies served (200 on GET /api/learn/courses/{id})."""
        with self._log_lock:
            return self._bodies_sent

    def _served(self, method: str, path: str, status: int, package_body: bool) -> None:
        with self._log_lock:
            self._requests.append(ServedRequest(method, path, status))
            if package_body:
                self._bodies_sent += 1
