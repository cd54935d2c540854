"""The outbox: operations recorded offline, kept until the server has acknowledged them.

Writers add rows inside their own transaction, so an operation and its outbox row are stored
together or not at all. Sync reads them in order of creation and marks them; nothing deletes them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from player.store.db import Store
from player.store.models import Outbox, Profile
from player.timeutil import utcnow

KINDS = ("enrollment", "progress", "audit", "note")
PENDING, SENT, REJECTED = "pending", "sent", "rejected"


def new_event_id() -> str:
    return str(uuid.uuid4())


def enqueue(
    session: Session,
    profile: Profile,
    kind: str,
    payload: dict[str, Any],
    *,
    client_event_id: str | None = None,
    now: datetime | None = None,
) -> Outbox:
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind!r}")
    row = Outbox(
        kind=kind,
        server=profile.server,
        profileId=profile.id,
        userId=profile.userId,
        payload=payload,
        clientEventId=client_event_id or new_event_id(),
        createdAt=now or utcnow(),
    )
    session.add(row)
    return row


def counts(store: Store, profile: Profile) -> dict[str, int]:
    """How many of the learner's items are pending, sent and rejected."""
    with store.read() as session:
        rows = session.exec(
            select(Outbox.state, func.count())
            .where(Outbox.profileId == profile.id)
            .group_by(col(Outbox.state))
        ).all()
    result = {PENDING: 0, SENT: 0, REJECTED: 0}
    result.update({state: int(n) for state, n in rows})
    return result


def items(store: Store, profile: Profile, *states: str, limit: int = 1000) -> list[Outbox]:
    """The learner's items in the given states (all when none), oldest first."""
    with store.read() as session:
        query = select(Outbox).where(Outbox.profileId == profile.id)
        if states:
            query = query.where(col(Outbox.state).in_(states))
        return list(session.exec(query.order_by(col(Outbox.id)).limit(limit)))


# --- used by sync: claiming and marking rows -------------------------------------------------


def due_items(
    session: Session, profile: Profile, kind: str, now: datetime, *, limit: int | None = None
) -> list[Outbox]:
    """The learner's pending items of ``kind`` whose next attempt is due, oldest first."""
    query = (
        select(Outbox)
        .where(
            Outbox.profileId == profile.id,
            Outbox.kind == kind,
            Outbox.state == PENDING,
            (col(Outbox.nextAttemptAt).is_(None)) | (col(Outbox.nextAttemptAt) <= now),
        )
        .order_by(col(Outbox.id))
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query))


def mark_sent(session: Session, ids: Sequence[int], now: datetime) -> None:
    """The server acknowledged these items (call inside the write that records the answer)."""
    if ids:
        session.exec(
            update(Outbox)
            .where(col(Outbox.id).in_(list(ids)), col(Outbox.state) == PENDING)
            .values(state=SENT, sentAt=now, lastError=None, nextAttemptAt=None)
        )


def mark_rejected(session: Session, row_id: int, message: str, now: datetime) -> None:
    """A final refusal: the item is kept, with the server's reason, and never sent again."""
    session.exec(
        update(Outbox)
        .where(col(Outbox.id) == row_id, col(Outbox.state) == PENDING)
        .values(state=REJECTED, lastError=message, sentAt=now, nextAttemptAt=None)
    )


def schedule_retry(
    session: Session, ids: Sequence[int], next_attempt_at: datetime, error: str
) -> None:
    """A transient failure: count the attempt and wait until ``next_attempt_at``."""
    if ids:
        session.exec(
            update(Outbox)
            .where(col(Outbox.id).in_(list(ids)), col(Outbox.state) == PENDING)
            .values(
                attempts=col(Outbox.attempts) + 1,
                nextAttemptAt=next_attempt_at,
                lastError=error,
            )
        )
