"""Shared pieces of the contract server: errors, responses, times, JSON and body checks."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Clock = Callable[[], datetime]

#: The error code the server uses for a status when nothing more specific applies.
DEFAULT_CODES: dict[int, str] = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    413: "PAYLOAD_TOO_LARGE",
    429: "RATE_LIMITED",
    500: "INTERNAL",
    502: "BAD_GATEWAY",
    503: "UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


class ApiError(Exception):
    """An answer with the contract's error body ``{"error": {"code", "message"}}``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def to_response(self) -> Response:
        return json_response(
            self.status,
            {"error": {"code": self.code, "message": self.message}},
            headers=self.headers,
        )


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BAD_REQUEST", message)


@dataclass
class Response:
    """What the handler writes: status, body bytes and extra headers."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "application/json"
    #: True for a 200 carrying a CoursePackage (counted in ``bodies_sent``).
    is_package: bool = False


def json_response(status: int, obj: Any, headers: Mapping[str, str] | None = None) -> Response:
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status=status, body=body, headers=dict(headers or {}))


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_time(moment: datetime) -> str:
    """RFC 3339 in UTC with ``Z``; milliseconds only when there are any."""
    moment = moment.astimezone(UTC)
    if moment.microsecond:
        text = moment.isoformat(timespec="milliseconds")
    else:
        text = moment.isoformat(timespec="seconds")
    return text.replace("+00:00", "Z")


def parse_time(text: object, field_name: str) -> datetime:
    """Parse an RFC 3339 time with an explicit offset (``Z`` or ``+hh:mm``) into UTC."""
    if not isinstance(text, str) or "T" not in text.upper():
        raise bad_request(f"{field_name} must be an RFC 3339 date-time")
    try:
        moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"{field_name} must be an RFC 3339 date-time") from None
    if moment.tzinfo is None:
        raise bad_request(f"{field_name} needs a time zone (use Z)")
    return moment.astimezone(UTC)


def to_micros(moment: datetime) -> int:
    """A sortable integer for a time (microseconds since the epoch)."""
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    return datetime.fromtimestamp(micros // 1_000_000, UTC).replace(microsecond=micros % 1_000_000)


def parse_json_object(body: bytes) -> dict[str, Any]:
    """The request body as a JSON object, or 400."""
    try:
        data = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise bad_request("The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise bad_request("The body must be a JSON object.")
    return data


def require_str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise bad_request(f"{key} must be a non-empty string")
    return value


def optional_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise bad_request(f"{key} must be a non-empty string when given")
    return value


def require_int(data: Mapping[str, Any], key: str, minimum: int = 0) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise bad_request(f"{key} must be an integer >= {minimum}")
    return value


def require_bool(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key)
    if not isinstance(value, bool):
        raise bad_request(f"{key} must be true or false")
    return value
