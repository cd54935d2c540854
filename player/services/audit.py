"""Audit events: an ``AuditLog`` row plus an outbox event for upload.

``log_audit_event`` never raises into the operation it records: inside a caller's transaction it
writes under a SAVEPOINT, so a failure rolls back only the audit rows and is logged.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlmodel import Session

from player.services import outbox
from player.store.db import Store
from player.store.models import AuditLog, Profile
from player.timeutil import to_rfc3339, utcnow

log = logging.getLogger(__name__)

PURCHASE_CREATE = "PURCHASE_CREATE"
ENROLLMENT_CREATE = "ENROLLMENT_CREATE"
EXPORT_PDF = "EXPORT_PDF"
EXPORT_LMS = "EXPORT_LMS"
EXPORT_DENIED = "EXPORT_DENIED"
PROGRESS_SYNC_REJECTED = "PROGRESS_SYNC_REJECTED"
PURCHASE_FAILED = "PURCHASE_FAILED"


def log_audit_event(
    store: Store,
    actor: Profile,
    action: str,
    entity_type: str,
    entity_id: str,
    metadata: dict[str, Any],
    *,
    session: Session | None = None,
    now: datetime | None = None,
) -> str | None:
    """Record an audit event; return its id, or None when it could not be written (logged)."""
    try:
        if session is not None:
            with session.begin_nested():
                return _write(session, actor, action, entity_type, entity_id, metadata, now)
        with store.write() as own:
            return _write(own, actor, action, entity_type, entity_id, metadata, now)
    except Exception:
        log.exception(
            "audit event %s for %s %s could not be recorded", action, entity_type, entity_id
        )
        return None


def _write(
    session: Session,
    actor: Profile,
    action: str,
    entity_type: str,
    entity_id: str,
    metadata: dict[str, Any],
    now: datetime | None,
) -> str:
    moment = now or utcnow()
    event_id = outbox.new_event_id()
    meta = {"tenantId": actor.tenantId, **metadata}
    session.add(
        AuditLog(
            id=event_id,
            server=actor.server,
            actorId=actor.userId,
            tenantId=actor.tenantId,
            action=action,
            entityType=entity_type,
            entityId=entity_id,
            meta=meta,
            occurredAt=moment,
        )
    )
    outbox.enqueue(
        session,
        actor,
        "audit",
        {
            "id": event_id,
            "action": action,
            "entityType": entity_type,
            "entityId": entity_id,
            "metadata": meta,
            "occurredAt": to_rfc3339(moment),
        },
        client_event_id=event_id,
        now=moment,
    )
    session.flush()
    return event_id
