"""The contract's HTTP client: one ``httpx.Client`` (keep-alive), typed answers, typed errors.

Error mapping (the contract's "Conventions"):

- no connection, a timeout, an answer cut short, 5xx, 429 → ``ServerUnavailable`` (try later;
  ``retry_after`` from the ``Retry-After`` header);
- 401 → ``SignInRequired``;
- any other 4xx → ``ServerRefused`` (a final answer for that request, with the server's code);
- an answer that is not what the contract says → ``ServerAnswerInvalid``.

Endpoints an older ("seed") server lacks answer 404; the client remembers them in ``missing`` so
the engine falls back once per client instead of once per sync.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import httpx

from player.errors import ServerAnswerInvalid, ServerRefused, ServerUnavailable, SignInRequired
from player.i18n import _
from player.sync.wire import (
    BatchResult,
    CatalogCourse,
    EnrollmentInfo,
    Entitlements,
    NoteResult,
    NotesPage,
    PackageAnswer,
    ProductInfo,
    ProgressPage,
    ProgressRow,
    PurchaseInfo,
    TokenAnswer,
    User,
    items,
    obj,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MAX_PACKAGE_BYTES = 64 * 1024 * 1024
MAX_JSON_BYTES = 64 * 1024 * 1024
USER_AGENT = "course-player-sync/1"

# Endpoints a seed server may lack (remembered in ``ApiClient.missing``).
ENTITLEMENTS, PROGRESS_SINCE, PROGRESS_BATCH, AUDIT, NOTES = (
    "entitlements",
    "progress-since",
    "progress-batch",
    "audit",
    "notes",
)


def normalize_url(url: str) -> str:
    """``https://learn.example.org/`` → ``https://learn.example.org`` (a bare host gets https)."""
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    return text.rstrip("/")


def course_path(course_id: str) -> str:
    return f"/api/learn/courses/{quote(course_id, safe='')}"


class ApiClient:
    """A client of one server. Thread-safe for concurrent requests (httpx.Client is)."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        max_connections: int = 8,
    ) -> None:
        self.base_url = normalize_url(base_url)
        self.token = token
        self.requests_made = 0
        self._count_lock = threading.Lock()
        #: True when the last request got an HTTP answer, False when it could not reach the server.
        self.reached_server: bool | None = None
        self.missing: set[str] = set()
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
        )

    # -- life cycle -----------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- auth -----------------------------------------------------------------------------------

    def sign_in(self, username: str, password: str, device_name: str) -> TokenAnswer:
        answer = self._json(
            "POST",
            "/api/auth/token",
            body={"username": username, "password": password, "deviceName": device_name},
            auth=False,
            unauthorized=_("Wrong user name or password."),
        )
        token = TokenAnswer.from_json(answer)
        self.token = token.token
        return token

    def me(self) -> User:
        return User.from_json(self._json("GET", "/api/auth/me"))

    # -- content --------------------------------------------------------------------------------

    def courses(self) -> list[CatalogCourse]:
        return [
            CatalogCourse.from_json(c)
            for c in items(self._json("GET", "/api/learn/courses"), "courses")
        ]

    def course_package(self, course_id: str, etag: str | None = None) -> PackageAnswer:
        headers = {"If-None-Match": f'"{etag}"'} if etag else None
        response, body = self._send(
            "GET",
            course_path(course_id),
            headers=headers,
            limit=MAX_PACKAGE_BYTES,
            accept_304=True,
        )
        tag = response.headers.get("ETag")
        if tag:
            tag = tag.removeprefix("W/").strip('"')
        if response.status_code == 304:
            return PackageAnswer(status=304, body=None, etag=tag)
        return PackageAnswer(status=response.status_code, body=body, etag=tag)

    def entitlements(self) -> Entitlements:
        return Entitlements.from_json(self._json("GET", "/api/learn/entitlements"))

    # -- store ----------------------------------------------------------------------------------

    def products(self) -> list[ProductInfo]:
        return [
            ProductInfo.from_json(p)
            for p in items(self._json("GET", "/api/store/products"), "products")
        ]

    def purchase(self, product_id: str, idempotency_key: str) -> PurchaseInfo:
        answer = self._json(
            "POST",
            "/api/store/purchase",
            body={"productId": product_id},
            headers={"Idempotency-Key": idempotency_key},
        )
        return PurchaseInfo.from_json(answer)

    # -- enrollment and progress ----------------------------------------------------------------

    def enroll(self, course_id: str) -> EnrollmentInfo:
        return EnrollmentInfo.from_json(
            self._json("POST", "/api/learn/enroll", body={"courseId": course_id})
        )

    def post_progress(self, event: Mapping[str, Any]) -> ProgressRow:
        answer = self._json("POST", "/api/learn/progress", body=dict(event))
        return ProgressRow.from_json(answer, course_id=str(event.get("courseId")))

    def progress_batch(self, events: Iterable[Mapping[str, Any]]) -> list[BatchResult]:
        answer = obj(
            self._json("POST", "/api/learn/progress/batch", body={"events": list(events)}),
            "batch answer",
        )
        return [BatchResult.from_json(r) for r in items(answer.get("results"), "results")]

    def course_progress(self, course_id: str) -> list[ProgressRow]:
        answer = self._json("GET", f"/api/learn/progress/{quote(course_id, safe='')}")
        return [ProgressRow.from_json(r, course_id=course_id) for r in items(answer, "progress")]

    def progress_since(self, cursor: str | None) -> ProgressPage:
        params = {"since": cursor} if cursor else None
        return ProgressPage.from_json(self._json("GET", "/api/learn/progress", params=params))

    # -- notes and bookmarks --------------------------------------------------------------------

    def notes_batch(self, notes: Iterable[Mapping[str, Any]]) -> list[NoteResult]:
        answer = obj(
            self._json("POST", "/api/learn/notes/batch", body={"notes": list(notes)}),
            "notes answer",
        )
        return [NoteResult.from_json(r) for r in items(answer.get("results"), "results")]

    def notes_since(self, cursor: str | None) -> NotesPage:
        params = {"since": cursor} if cursor else None
        return NotesPage.from_json(self._json("GET", "/api/learn/notes", params=params))

    # -- audit ----------------------------------------------------------------------------------

    def audit_events(self, events: Iterable[Mapping[str, Any]]) -> list[str]:
        answer = obj(
            self._json("POST", "/api/audit/events", body={"events": list(events)}), "audit answer"
        )
        return [str(i) for i in items(answer.get("accepted"), "accepted") if isinstance(i, str)]

    # -- plumbing -------------------------------------------------------------------------------

    def _json(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        auth: bool = True,
        unauthorized: str | None = None,
    ) -> Any:
        _response, raw = self._send(
            method,
            path,
            body=body,
            headers=headers,
            params=params,
            auth=auth,
            unauthorized=unauthorized,
            limit=MAX_JSON_BYTES,
        )
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            log.warning("%s %s: the answer is not JSON", method, path)
            raise ServerAnswerInvalid(
                _(
                    "The server sent an answer the player does not understand (not JSON). "
                    "Sync again later."
                )
            ) from None

    def _send(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        auth: bool = True,
        unauthorized: str | None = None,
        limit: int,
        accept_304: bool = False,
    ) -> tuple[httpx.Response, bytes]:
        all_headers = dict(headers or {})
        if auth:
            if not self.token:
                raise SignInRequired(_("Sign in to sync with your course server."))
            all_headers["Authorization"] = f"Bearer {self.token}"
        content = None
        if body is not None:
            content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        request = self._http.build_request(
            method, path, content=content, headers=all_headers, params=params
        )
        with self._count_lock:
            self.requests_made += 1
        try:
            response = self._http.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            self.reached_server = False
            log.info("%s %s: cannot connect: %s", method, path, error)
            raise ServerUnavailable(
                "offline",
                _(
                    "The course server cannot be reached. Check the network connection; "
                    "everything you do is kept and will be uploaded later."
                ),
            ) from error
        except httpx.TimeoutException as error:
            self.reached_server = True
            raise _broken(
                method, path, error, _("The course server did not answer in time.")
            ) from error
        except httpx.TransportError as error:
            self.reached_server = True
            raise _broken(
                method, path, error, _("The connection to the course server broke.")
            ) from error
        try:
            raw = _read_limited(response, limit)
        except httpx.TimeoutException as error:
            raise _broken(
                method, path, error, _("The course server did not answer in time.")
            ) from error
        except httpx.TransportError as error:
            raise _broken(
                method, path, error, _("The connection to the course server broke.")
            ) from error
        finally:
            response.close()
        self.reached_server = True
        status = response.status_code
        if 200 <= status < 300 or (accept_304 and status == 304):
            return response, raw
        code, message = _error_body(raw, status)
        log.info("%s %s → %d %s: %s", method, path, status, code, message)
        if status == 401:
            raise SignInRequired(unauthorized)
        if status >= 500 or status in (408, 429):
            raise ServerUnavailable(
                "server",
                _("The course server is busy or failing ({status}); trying again later.").format(
                    status=status
                ),
                status=status,
                retry_after=_retry_after(response.headers.get("Retry-After")),
            )
        raise ServerRefused(message, status=status, error_code=code)


def _broken(method: str, path: str, error: Exception, message: str) -> ServerUnavailable:
    log.info("%s %s: %s (%s)", method, path, message, error)
    return ServerUnavailable(
        "server", message + " " + _("Everything is kept; the player will try again later.")
    )


def _read_limited(response: httpx.Response, limit: int) -> bytes:
    length = response.headers.get("Content-Length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise ServerAnswerInvalid(_("The server's answer is too large to be a course."))
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise ServerAnswerInvalid(_("The server's answer is too large to be a course."))
        chunks.append(chunk)
    return b"".join(chunks)


def _error_body(raw: bytes, status: int) -> tuple[str, str]:
    """The contract's ``{"error": {"code", "message"}}``, tolerating anything else."""
    try:
        data = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        data = None
    error = data.get("error") if isinstance(data, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return (
        code if isinstance(code, str) and code else f"HTTP_{status}",
        message
        if isinstance(message, str) and message
        else _("The server refused the request ({status}).").format(status=status),
    )


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - datetime.now(UTC)).total_seconds()
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)
