"""Endpoints for progress (single, batch, per course, since a cursor) and audit events.

Merge rule: per (user, course, lessonIdx) the event with the latest ``occurredAt`` wins; on a tie
the one received later wins. An older event is acknowledged ("stale") and changes nothing. A
``clientEventId`` already held for the user is a "duplicate" and changes nothing. Rejected events
are not remembered, so the same event can be sent again once the learner is enrolled.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from .common import (
    ApiError,
    Response,
    bad_request,
    format_time,
    from_micros,
    json_response,
    optional_str,
    parse_json_object,
    parse_time,
    require_bool,
    require_int,
    require_str,
    to_micros,
)
from .context import Caller, Context, Request
from .db import Database
from .learn import has_access

MAX_EVENTS = 500
PROGRESS_COUNTER = "progress"


@dataclass(frozen=True)
class ProgressEvent:
    course_id: str
    lesson_idx: int
    completed: bool
    client_event_id: str | None
    occurred_at: int | None  # microseconds, None: use the receive time


def parse_event(data: Any, ids_required: bool) -> ProgressEvent:
    if not isinstance(data, dict):
        raise bad_request("A progress event must be a JSON object.")
    if ids_required:
        client_event_id: str | None = require_str(data, "clientEventId")
        occurred_raw = data.get("occurredAt")
        if occurred_raw is None:
            raise bad_request("occurredAt is required")
    else:
        client_event_id = optional_str(data, "clientEventId")
        occurred_raw = data.get("occurredAt")
    occurred = None if occurred_raw is None else to_micros(parse_time(occurred_raw, "occurredAt"))
    return ProgressEvent(
        course_id=require_str(data, "courseId"),
        lesson_idx=require_int(data, "lessonIdx"),
        completed=require_bool(data, "completed"),
        client_event_id=client_event_id,
        occurred_at=occurred,
    )


def _row(conn: sqlite3.Connection, user_id: str, course_id: str, idx: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM progress WHERE user_id = ? AND course_id = ? AND lesson_idx = ?",
        (user_id, course_id, idx),
    ).fetchone()
    return row


def apply_event(
    db: Database, conn: sqlite3.Connection, caller: Caller, event: ProgressEvent
) -> tuple[str, sqlite3.Row | None]:
    """Merge one event; ("applied" | "stale" | "duplicate", current row). Raises ApiError
    (before writing anything) when the event is rejected."""
    if event.client_event_id is not None:
        seen = conn.execute(
            "SELECT 1 FROM progress_events WHERE user_id = ? AND client_event_id = ?",
            (caller.id, event.client_event_id),
        ).fetchone()
        if seen is not None:
            return "duplicate", _row(conn, caller.id, event.course_id, event.lesson_idx)
    if not has_access(conn, caller.id, event.course_id):
        raise ApiError(403, "NOT_ENROLLED", "Enroll in this course to record progress.")
    now = db.now_micros()
    occurred = now if event.occurred_at is None else event.occurred_at
    current = _row(conn, caller.id, event.course_id, event.lesson_idx)
    if current is None or occurred >= current["occurred_at"]:
        status = "applied"
        conn.execute(
            "INSERT OR REPLACE INTO progress (user_id, course_id, lesson_idx, completed,"
            " occurred_at, updated_at, change_seq) VALUES (?,?,?,?,?,?,?)",
            (
                caller.id,
                event.course_id,
                event.lesson_idx,
                int(event.completed),
                occurred,
                now,
                db.next_counter(conn, PROGRESS_COUNTER),
            ),
        )
    else:
        status = "stale"
    if event.client_event_id is not None:
        conn.execute(
            "INSERT INTO progress_events (user_id, client_event_id, received_at) VALUES (?,?,?)",
            (caller.id, event.client_event_id, now),
        )
    return status, _row(conn, caller.id, event.course_id, event.lesson_idx)


def _row_json(row: sqlite3.Row, with_course: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"courseId": row["course_id"]} if with_course else {}
    out["lessonIdx"] = row["lesson_idx"]
    out["completed"] = bool(row["completed"])
    out["updatedAt"] = format_time(from_micros(row["updated_at"]))
    return out


def post_progress(ctx: Context, caller: Caller, req: Request) -> Response:
    event = parse_event(parse_json_object(req.body), ids_required=not ctx.settings.seed_mode)
    with ctx.db.transaction() as conn:
        _status, row = apply_event(ctx.db, conn, caller, event)
    if row is None:  # a duplicate of an event whose row is gone; answer with the event itself
        return json_response(
            200,
            {
                "courseId": event.course_id,
                "lessonIdx": event.lesson_idx,
                "completed": event.completed,
                "updatedAt": format_time(ctx.db.clock()),
            },
        )
    return json_response(200, _row_json(row))


def _event_list(req: Request) -> list[Any]:
    data = parse_json_object(req.body)
    events = data.get("events")
    if not isinstance(events, list):
        raise bad_request("events must be a list")
    if len(events) > MAX_EVENTS:
        raise bad_request(f"At most {MAX_EVENTS} events per request.")
    return events


def post_progress_batch(ctx: Context, caller: Caller, req: Request) -> Response:
    events = _event_list(req)
    results: list[dict[str, Any]] = []
    with ctx.db.transaction() as conn:
        for raw in events:
            raw_id = raw.get("clientEventId") if isinstance(raw, dict) else None
            result: dict[str, Any] = {"clientEventId": raw_id if isinstance(raw_id, str) else None}
            try:
                status, _ = apply_event(ctx.db, conn, caller, parse_event(raw, True))
                result["status"] = status
            except ApiError as exc:
                result["status"] = "rejected"
                result["error"] = {"code": exc.code, "message": exc.message}
            results.append(result)
    return json_response(200, {"results": results})


def course_progress(ctx: Context, caller: Caller, req: Request) -> Response:
    with ctx.db.transaction() as conn:
        rows = conn.execute(
            "SELECT * FROM progress WHERE user_id = ? AND course_id = ? ORDER BY lesson_idx",
            (caller.id, req.params[0]),
        ).fetchall()
    return json_response(200, [_row_json(r, with_course=False) for r in rows])


_CURSOR = re.compile(r"c([0-9]{1,18})")


def progress_since(ctx: Context, caller: Caller, req: Request) -> Response:
    """Rows changed after the cursor. The cursor is an opaque string ("c" + a change counter
    shared by all users, so it only ever grows)."""
    since_values = req.query.get("since") or [""]
    since_text = since_values[0]
    since = 0
    if since_text:
        match = _CURSOR.fullmatch(since_text)
        if match is None:
            raise bad_request("since must be a cursor from an earlier answer")
        since = int(match.group(1))
    with ctx.db.transaction() as conn:
        rows = conn.execute(
            "SELECT * FROM progress WHERE user_id = ? AND change_seq > ? ORDER BY change_seq",
            (caller.id, since),
        ).fetchall()
        cursor = max(since, ctx.db.counter(conn, PROGRESS_COUNTER))
    return json_response(200, {"items": [_row_json(r) for r in rows], "cursor": f"c{cursor}"})


def _audit_event(raw: Any) -> tuple[str, str, str | None, str | None, str, str | None]:
    if not isinstance(raw, dict):
        raise bad_request("An audit event must be a JSON object.")
    metadata = raw.get("metadata", {})
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise bad_request("metadata must be an object")
    occurred = optional_str(raw, "occurredAt")
    if occurred is not None:
        parse_time(occurred, "occurredAt")
    return (
        require_str(raw, "id"),
        require_str(raw, "action"),
        optional_str(raw, "entityType"),
        optional_str(raw, "entityId"),
        json.dumps(metadata, ensure_ascii=False),
        occurred,
    )


def post_audit(ctx: Context, caller: Caller, req: Request) -> Response:
    events = [_audit_event(raw) for raw in _event_list(req)]
    accepted: list[str] = []
    with ctx.db.transaction() as conn:
        now = ctx.db.now_micros()
        for event_id, action, entity_type, entity_id, metadata, occurred in events:
            conn.execute(
                "INSERT OR IGNORE INTO audit_events (id, user_id, tenant_id, action, entity_type,"
                " entity_id, metadata, occurred_at, received_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    event_id,
                    caller.id,
                    caller.tenant_id,
                    action,
                    entity_type,
                    entity_id,
                    metadata,
                    occurred,
                    now,
                ),
            )
            if event_id not in accepted:
                accepted.append(event_id)
    return json_response(200, {"accepted": accepted})
