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
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote, urlsplit

import httpx

from player.errors import (
    ConfigError,
    ServerAnswerInvalid,
    ServerRefused,
    ServerUnavailable,
    SignInRequired,
)
from player.i18n import _
from player.safe_text import one_line
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
#: Seconds for one request's whole answer, headers and body (docs/limits.md): a server that
#: drips its answer a byte at a time never holds a sync for longer than this.
REQUEST_DEADLINE = 300.0
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
    """``https://learn.example.org/`` → ``https://learn.example.org`` (a bare host gets https).

    An address with a user name or password in it (``https://ana:secret@host``) is refused: it
    would be stored, logged and shown; the user name goes in its own field, the password is
    asked for."""
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        has_credentials = "@" in parts.netloc
        scheme_ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        has_credentials, scheme_ok = False, False
    if has_credentials:
        raise ConfigError(
            _(
                "The server address must not contain a user name or password (“name:password@”). "
                "Give the address alone, and your user name in its own field; the password is "
                "asked for."
            )
        )
    if not scheme_ok:
        raise ConfigError(
            _("“{url}” is not a server address. Give one like https://learn.example.org.").format(
                url=one_line(url, limit=200)
            )
        )
    return text.rstrip("/")


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def insecure_url_warning(url: str) -> str | None:
    """A warning when ``url`` sends the password unencrypted to another computer (plain
    ``http://`` to a host that is not this machine), else None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() != "http" or host in LOCAL_HOSTS or host.endswith(".localhost"):
        return None
    return _(
        "The connection to {host} is not encrypted (http://, not https://): your password and "
        "your progress can be read on the network. Ask your course provider for the https:// "
        "address."
    ).format(host=one_line(host, limit=200))


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
        request_deadline: float = REQUEST_DEADLINE,
    ) -> None:
        self.base_url = normalize_url(base_url)
        self.token = token
        self.request_deadline = request_deadline
        #: ``time.monotonic()`` after which no request is started or waited for (the sync's
        #: total deadline; None: only each request's own deadline applies).
        self.deadline: float | None = None
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.requests_made = 0
        self._count_lock = threading.Lock()
        #: True when the last request got an HTTP answer, False when it could not reach the server.
        self.reached_server: bool | None = None
        self.missing: set[str] = set()
        #: The server's time from the latest answer's ``Date`` header, and the computer's clock
        #: when that answer arrived (for the floor of trusted time, ``player.services.clock``).
        self.server_time: datetime | None = None
        self.server_time_seen_at: datetime | None = None
        #: The computer's clock (tests replace it to turn the clock back).
        self.clock: Callable[[], datetime] = _local_now
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

    def _note_date(self, header: str | None) -> None:
        moment = _http_date(header)
        if moment is None:
            return
        with self._count_lock:
            if self.server_time is None or moment >= self.server_time:
                self.server_time = moment
                self.server_time_seen_at = self.clock()

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
        until = self._until()
        request = self._http.build_request(
            method,
            path,
            content=content,
            headers=all_headers,
            params=params,
            timeout=self._bounded_timeout(until),
        )
        with self._count_lock:
            self.requests_made += 1
        try:
            response = self._http.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            self.reached_server = False
            log.info("%s %s: cannot connect: %s", method, path, one_line(error, limit=300))
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
            raw = _read_limited(response, limit, until)
        except httpx.TimeoutException as error:
            raise _broken(
                method, path, error, _("The course server did not answer in time.")
            ) from error
        except httpx.TransportError as error:
            raise _broken(
                method, path, error, _("The connection to the course server broke.")
            ) from error
        except _TooSlow as error:
            raise _broken(
                method,
                path,
                error,
                _("The course server did not finish its answer in time."),
            ) from None
        finally:
            response.close()
        self.reached_server = True
        self._note_date(response.headers.get("Date"))
        status = response.status_code
        if 200 <= status < 300 or (accept_304 and status == 304):
            return response, raw
        code, message = _error_body(raw, status)
        # Only the status and the server's code are logged: a server's message may echo the
        # request (a password, a token), and its text is the server's, not ours.
        log.info("%s %s → %d %s", method, path, status, one_line(code, limit=60))
        if not auth:
            # An answer to the sign-in itself: never show or keep the server's text, which may
            # echo the password that was sent.
            message = _("The server refused the sign-in ({status}).").format(status=status)
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

    def _until(self) -> float:
        """The moment (monotonic) by which this request's whole answer must be in; a request
        past the sync's deadline is not sent at all."""
        now = time.monotonic()
        until = now + self.request_deadline
        if self.deadline is not None:
            if self.deadline <= now:
                raise ServerUnavailable(
                    "server",
                    _(
                        "The sync ran out of time before this request. Everything is kept; the "
                        "next sync carries on."
                    ),
                )
            until = min(until, self.deadline)
        return until

    def _bounded_timeout(self, until: float) -> httpx.Timeout:
        """The client's timeouts, none longer than the time left until ``until``."""
        left = max(0.05, until - time.monotonic())

        def cap(value: float | None) -> float:
            return left if value is None else min(value, left)

        t = self._timeout
        return httpx.Timeout(
            connect=cap(t.connect), read=cap(t.read), write=cap(t.write), pool=cap(t.pool)
        )


class _TooSlow(Exception):
    """The answer did not arrive whole before its deadline."""


def _local_now() -> datetime:
    return datetime.now(UTC)


def _http_date(value: str | None) -> datetime | None:
    """An HTTP ``Date`` header as aware UTC, None when absent or malformed."""
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _broken(method: str, path: str, error: Exception, message: str) -> ServerUnavailable:
    log.info("%s %s: %s (%s)", method, path, message, one_line(error, limit=300))
    return ServerUnavailable(
        "server", message + " " + _("Everything is kept; the player will try again later.")
    )


def _read_limited(response: httpx.Response, limit: int, until: float) -> bytes:
    """The answer's body: at most ``limit`` bytes, all of it before ``until`` (monotonic).

    The read timeout bounds each wait for the next bytes; ``until`` bounds the whole body, so a
    server that drips one byte at a time is given up on at its deadline."""
    if time.monotonic() > until:
        raise _TooSlow("the headers came after the deadline")
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
        if time.monotonic() > until:
            raise _TooSlow(f"{size} bytes received when the deadline passed")
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
        one_line(code, limit=60) if isinstance(code, str) and code else f"HTTP_{status}",
        # The server's words, on one line, without control characters, and bounded: they are
        # shown, printed and kept with the refused item.
        one_line(message, limit=500)
        if isinstance(message, str) and message.strip()
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
