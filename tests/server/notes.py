"""Endpoints for a learner's notes and bookmarks (not in the seed: 404 in seed mode).

Merge rule: per (user, note id) the write with the latest ``updatedAt`` wins; an older or equal
one is acknowledged as "stale" and changes nothing. A deletion is a write with ``deleted: true``
(a tombstone), returned by ``GET /api/learn/notes`` like any other write so that it reaches the
learner's other machines. An invalid note is "rejected" (``BAD_REQUEST``) without stopping the
others. Lesson indexes and course ids are not checked against the packages.
"""

from __future__ import annotations

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
    parse_json_object,
    parse_time,
    require_bool,
    require_int,
    require_str,
    to_micros,
)
from .context import Caller, Context, Request

MAX_NOTES = 500
MAX_TEXT = 20_000
KINDS = ("note", "bookmark")
NOTES_COUNTER = "notes"


@dataclass(frozen=True)
class NoteWrite:
    id: str
    course_id: str
    lesson_idx: int
    kind: str
    text: str
    updated_at: int  # microseconds
    deleted: bool


def parse_note(data: Any) -> NoteWrite:
    if not isinstance(data, dict):
        raise bad_request("A note must be a JSON object.")
    kind = require_str(data, "kind")
    if kind not in KINDS:
        raise bad_request("kind must be note or bookmark")
    text = data.get("text", "")
    if not isinstance(text, str):
        raise bad_request("text must be a string")
    if len(text) > MAX_TEXT:
        raise bad_request(f"text is longer than {MAX_TEXT} characters")
    return NoteWrite(
        id=require_str(data, "id"),
        course_id=require_str(data, "courseId"),
        lesson_idx=require_int(data, "lessonIdx"),
        kind=kind,
        text=text,
        updated_at=to_micros(parse_time(data.get("updatedAt"), "updatedAt")),
        deleted=require_bool(data, "deleted"),
    )


def apply_note(ctx: Context, conn: sqlite3.Connection, caller: Caller, note: NoteWrite) -> str:
    current = conn.execute(
        "SELECT updated_at FROM notes WHERE user_id = ? AND id = ?", (caller.id, note.id)
    ).fetchone()
    if current is not None and note.updated_at <= current["updated_at"]:
        return "stale"
    conn.execute(
        "INSERT OR REPLACE INTO notes (user_id, id, course_id, lesson_idx, kind, text,"
        " updated_at, deleted, change_seq) VALUES (?,?,?,?,?,?,?,?,?)",
        (
            caller.id,
            note.id,
            note.course_id,
            note.lesson_idx,
            note.kind,
            note.text,
            note.updated_at,
            int(note.deleted),
            ctx.db.next_counter(conn, NOTES_COUNTER),
        ),
    )
    return "applied"


def note_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "courseId": row["course_id"],
        "lessonIdx": row["lesson_idx"],
        "kind": row["kind"],
        "text": row["text"],
        "updatedAt": format_time(from_micros(row["updated_at"])),
        "deleted": bool(row["deleted"]),
    }


def post_notes_batch(ctx: Context, caller: Caller, req: Request) -> Response:
    data = parse_json_object(req.body)
    raw_notes = data.get("notes")
    if not isinstance(raw_notes, list):
        raise bad_request("notes must be a list")
    if len(raw_notes) > MAX_NOTES:
        raise bad_request(f"At most {MAX_NOTES} notes per request.")
    results: list[dict[str, Any]] = []
    with ctx.db.transaction() as conn:
        for raw in raw_notes:
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            result: dict[str, Any] = {"id": raw_id if isinstance(raw_id, str) else None}
            try:
                result["status"] = apply_note(ctx, conn, caller, parse_note(raw))
            except ApiError as exc:
                result["status"] = "rejected"
                result["error"] = {"code": exc.code, "message": exc.message}
            results.append(result)
    return json_response(200, {"results": results})


_CURSOR = re.compile(r"n([0-9]{1,18})")


def notes_since(ctx: Context, caller: Caller, req: Request) -> Response:
    """The caller's notes written after the cursor (``n`` + a change counter), tombstones too."""
    since_text = (req.query.get("since") or [""])[0]
    since = 0
    if since_text:
        match = _CURSOR.fullmatch(since_text)
        if match is None:
            raise bad_request("since must be a cursor from an earlier answer")
        since = int(match.group(1))
    with ctx.db.transaction() as conn:
        rows = conn.execute(
            "SELECT * FROM notes WHERE user_id = ? AND change_seq > ? ORDER BY change_seq",
            (caller.id, since),
        ).fetchall()
        cursor = max(since, ctx.db.counter(conn, NOTES_COUNTER))
    return json_response(200, {"items": [note_json(r) for r in rows], "cursor": f"n{cursor}"})
