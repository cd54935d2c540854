"""Routing and bearer authentication: request in, ``Response`` out (no sockets here)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from . import learn, notes, progress
from .common import ApiError, Response
from .context import Caller, Context, Request

log = logging.getLogger(__name__)

Endpoint = Callable[[Context, Caller, Request], Response]

#: ``None`` in a pattern is one non-empty path parameter.
Pattern = tuple[str | None, ...]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: Pattern
    endpoint: Endpoint
    #: Marked *(seed)* in the contract: also served in seed mode.
    seed: bool


X = None  # a path parameter in the patterns below
ROUTES: tuple[Route, ...] = (
    Route("GET", ("api", "auth", "me"), learn.me, True),
    Route("GET", ("api", "learn", "courses"), learn.list_courses, True),
    Route("GET", ("api", "learn", "courses", X), learn.get_course, True),
    Route("GET", ("api", "learn", "courses", X, "lessons", X), learn.get_lesson, True),
    Route("GET", ("api", "learn", "entitlements"), learn.entitlements, False),
    Route("GET", ("api", "store", "products"), learn.list_products, True),
    Route("POST", ("api", "store", "purchase"), learn.purchase, True),
    Route("POST", ("api", "learn", "enroll"), learn.enroll, True),
    Route("POST", ("api", "learn", "progress"), progress.post_progress, True),
    Route("POST", ("api", "learn", "progress", "batch"), progress.post_progress_batch, False),
    Route("GET", ("api", "learn", "progress", X), progress.course_progress, True),
    Route("GET", ("api", "learn", "progress"), progress.progress_since, False),
    Route("POST", ("api", "audit", "events"), progress.post_audit, False),
    Route("POST", ("api", "learn", "notes", "batch"), notes.post_notes_batch, False),
    Route("GET", ("api", "learn", "notes"), notes.notes_since, False),
)
TOKEN_PATH = ("api", "auth", "token")
KEYS_PATH = ("api", "learn", "keys")


def _match(route: Route, method: str, segments: list[str]) -> list[str] | None:
    if route.method != method or len(route.pattern) != len(segments):
        return None
    params: list[str] = []
    for expected, actual in zip(route.pattern, segments, strict=True):
        if expected is None:
            if not actual:
                return None
            params.append(actual)
        elif expected != actual:
            return None
    return params


def authenticate(ctx: Context, req: Request) -> Caller:
    header = req.header("Authorization") or ""
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "UNAUTHENTICATED", "Please sign in.")
    now = ctx.db.now_micros()
    with ctx.db.transaction() as conn:
        row = conn.execute(
            "SELECT u.id, u.name, u.tenant_id, t.expires_at, t.revoked FROM tokens t"
            " JOIN users u ON u.id = t.user_id WHERE t.token = ?",
            (token.strip(),),
        ).fetchone()
    if row is None or row["revoked"] or now >= row["expires_at"]:
        raise ApiError(401, "UNAUTHENTICATED", "Your session has ended. Please sign in again.")
    return Caller(row["id"], row["name"], row["tenant_id"])


def dispatch(ctx: Context, req: Request) -> Response:
    """Answer one request; every failure becomes the contract's error body."""
    try:
        if req.method == "POST" and tuple(req.segments) == TOKEN_PATH:
            return learn.issue_token(ctx, req)
        if req.method == "GET" and tuple(req.segments) == KEYS_PATH:
            return learn.public_keys(ctx, req)
        for route in ROUTES:
            params = _match(route, req.method, req.segments)
            if params is None:
                continue
            if ctx.settings.seed_mode and not route.seed:
                break
            req.params = params
            caller = authenticate(ctx, req)
            return route.endpoint(ctx, caller, req)
        raise ApiError(404, "NOT_FOUND", "No such endpoint.")
    except ApiError as exc:
        return exc.to_response()
    except Exception:
        log.exception("contract server failed on %s %s", req.method, req.path)
        return ApiError(500, "INTERNAL", "The server failed.").to_response()
