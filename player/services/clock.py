"""A floor of trusted time, so that turning the computer's clock back neither extends an offline
lease nor resets the export rate limit.

The store keeps one ``TrustedTime`` row:

- at every sync that reaches a server, the server's time (the later of its ``Date`` header and
  the entitlements' ``issuedAt``) becomes the **floor**, and the difference between the server's
  time and the computer's becomes the **offset** (``note_server_time``). The server is the
  authority: a sync also undoes a clock that had been set forward;
- between syncs, the computer's clock corrected by that offset is the **trusted time**; each
  reading later than the floor raises it (``note_local_time``: at start-up, at each export);
- a reading earlier than the floor by more than ``TOLERANCE`` means the clock went back: until the
  next sync, offline leases count as expired and the export rate limit counts from the floor
  (``ClockReading.went_back``, ``ClockReading.now``).

Every function takes the computer's clock reading as ``now`` (``None``: ``utcnow()``), so tests
inject the clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from player.errors import StoreBusy, StoreFull, StoreUnwritable
from player.i18n import _
from player.store.db import Store
from player.store.models import TrustedTime
from player.timeutil import utcnow

log = logging.getLogger(__name__)

ROW_ID = 1
TOLERANCE = timedelta(minutes=2)
"""A reading this much earlier than the floor is still taken as the same time (small clock
corrections, the server's ``Date`` having whole seconds)."""
STEP = timedelta(minutes=1)
"""``note_local_time`` writes only when the floor moves by at least this much."""


@dataclass(frozen=True, slots=True)
class ClockReading:
    local: datetime
    """What the computer's clock reads (aware UTC)."""
    now: datetime
    """The trusted time: ``local`` corrected by the last sync's offset, never earlier than the
    floor. Leases and the export rate limit use this."""
    floor: datetime | None
    """The latest trusted time seen; None before the first reading was kept."""
    went_back: bool
    """The clock reads earlier than the floor: leases count as expired until the next sync."""

    def explain(self) -> str:
        """For a learner: why offline access is paused (only meaningful when ``went_back``)."""
        return _(
            "This computer's clock reads {local}, which is earlier than a time it has already "
            "seen ({floor}). Until the next sync, offline access to paid courses is paused and "
            "the export limit counts from {floor}. Set the clock right, then sync."
        ).format(local=_show(self.local), floor=_show(self.floor or self.now))


def read(session: Session, now: datetime | None = None) -> ClockReading:
    """The trusted time for the computer's clock reading ``now`` (nothing is written)."""
    return _reading(session.get(TrustedTime, ROW_ID), _utc(now))


def read_store(store: Store, now: datetime | None = None) -> ClockReading:
    with store.read() as session:
        return read(session, now)


def note_local_time(session: Session, now: datetime | None = None) -> ClockReading:
    """Read the clock and raise the floor to it (in the caller's write transaction). A clock
    that went back leaves the floor where it is."""
    row = session.get(TrustedTime, ROW_ID)
    reading = _reading(row, _utc(now))
    trusted = reading.local + _offset(row)
    if row is None:
        session.add(TrustedTime(id=ROW_ID, floor=trusted, updatedAt=reading.local))
    elif not reading.went_back and trusted > _utc(row.floor):
        row.floor = trusted
        row.updatedAt = reading.local
        session.add(row)
    return reading


def note_local_time_in(store: Store, now: datetime | None = None) -> ClockReading:
    """``note_local_time`` in its own transaction, written only when the floor moves by
    ``STEP`` or more (a command that only reads stays a reader)."""
    with store.read() as session:
        row = session.get(TrustedTime, ROW_ID)
        reading = _reading(row, _utc(now))
    if row is not None and (
        reading.went_back or reading.local + _offset(row) < _utc(row.floor) + STEP
    ):
        if reading.went_back:
            log.warning(
                "the clock reads %s, earlier than the trusted floor %s", reading.local, row.floor
            )
        return reading
    try:
        with store.write() as session:
            return note_local_time(session, now)
    except (SQLAlchemyError, StoreFull, StoreBusy, StoreUnwritable) as error:
        # e.g. a full disk: the command itself reports what fails
        log.warning("could not keep the trusted time: %s", error)
        return reading


def note_server_time(
    session: Session, server_time: datetime, now: datetime | None = None
) -> ClockReading:
    """A server said the time is ``server_time`` when the computer's clock read ``now``: the
    server's time becomes the floor and the offset is re-anchored (in the caller's write
    transaction)."""
    server = _utc(server_time)
    local = _utc(now)
    row = session.get(TrustedTime, ROW_ID)
    if row is None:
        row = TrustedTime(id=ROW_ID, floor=server, updatedAt=local)
    elif row.serverTime is not None and server < _utc(row.serverTime) - TOLERANCE:
        log.info(
            "the server's time %s is earlier than one seen before (%s)", server, row.serverTime
        )
    offset = (server - local).total_seconds()
    if abs(offset) > TOLERANCE.total_seconds():
        log.warning("this computer's clock is %.0f s off the server's", -offset)
    row.floor = server
    row.serverTime = server
    row.offsetSeconds = offset
    row.updatedAt = local
    session.add(row)
    return _reading(row, local)


# --- helpers ---------------------------------------------------------------------------------


def _reading(row: TrustedTime | None, local: datetime) -> ClockReading:
    if row is None:
        return ClockReading(local=local, now=local, floor=None, went_back=False)
    floor = _utc(row.floor)
    trusted = local + _offset(row)
    return ClockReading(
        local=local,
        now=max(trusted, floor),
        floor=floor,
        went_back=trusted < floor - TOLERANCE,
    )


def _offset(row: TrustedTime | None) -> timedelta:
    return timedelta(seconds=row.offsetSeconds) if row is not None else timedelta(0)


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return utcnow()
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _show(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
