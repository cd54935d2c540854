"""Small helpers for tests that talk to a ContractServer over HTTP."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from .app import ContractServer
from .seeding import STANDARD_USERS

BASE_TIME = datetime(2026, 10, 1, 12, 0, 0, tzinfo=UTC)


def signin(server: ContractServer, username: str, password: str | None = None) -> httpx.Client:
    """An httpx client with a fresh bearer token of ``username`` (standard password if None).
    The caller closes it (use ``with``)."""
    if password is None:
        password = STANDARD_USERS[username][0]
    answer = httpx.post(
        f"{server.url}/api/auth/token",
        json={"username": username, "password": password, "deviceName": "test"},
    )
    answer.raise_for_status()
    token = answer.json()["token"]
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})


def at(minutes: float) -> str:
    """An RFC 3339 time ``minutes`` after 2026-10-01T12:00:00Z."""
    moment = BASE_TIME + timedelta(minutes=minutes)
    return moment.isoformat().replace("+00:00", "Z")


def progress_event(
    course_id: str,
    lesson_idx: int,
    completed: bool = True,
    minutes: float = 0,
    client_event_id: str | None = None,
) -> dict[str, Any]:
    """A full-mode progress body (with clientEventId and occurredAt)."""
    return {
        "courseId": course_id,
        "lessonIdx": lesson_idx,
        "completed": completed,
        "clientEventId": client_event_id or str(uuid.uuid4()),
        "occurredAt": at(minutes),
    }
