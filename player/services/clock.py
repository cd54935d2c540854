"""A floor of trusted time, so that turning the computer's clock back neither extends an offline
lease nor resets the export rate limit.

The store keeps one ``TrustedFloor`` row per server (its origin) and one for the computer's own
clock (``LOCAL``), so that a wrong ``Date`` from one server moves no other server's floor and not
the local one:

- at every sync that reaches a server, that server's time (the later of its ``Date`` header and
  the entitlements' ``issuedAt``) becomes its **floor**, and the difference between the server's
  time and the computer's becomes its **offset** (``note_server_time``). The server is the
  authority for its own world: a sync also undoes a clock that had been set forward;
- between syncs, the computer's clock corrected by a server's offset is that server's **trusted
  time** (the local row has no offset); each reading later than a floor raises it
  (``note_local_time``: at start-up, at each sync and export);
- a reading earlier than the floor by more than ``TOLERANCE`` means the clock went back: until the
  next sync, that server's offline leases count as expired and the export rate limit counts from
  the floor (``ClockReading.went_back``, ``ClockReading.now``). A server's leases and exports use
  its floor; imported files use the local one. A server without a row yet (never synced) uses
  the local floor.

Every function takes the computer's clock reading as ``now`` (``None``: ``utcnow()``), so tests
inject the clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from player.errors import StoreBusy, StoreFull, StoreUnwritable
from player.i18n import _
from player.origin import LOCAL
from player.store.db import Store
from player.store.models import TrustedFloor
from player.timeutil import utcnow

log = logging.getLogger(__name__)

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


def read(session: Session, now: datetime | None = None, server: str = LOCAL) -> ClockReading:
    """The trusted time of ``server``'s world (``LOCAL``: the computer's own clock, for imported
    files) for the computer's clock reading ``now`` (nothing is written)."""
    return _reading(_row(session, server), _utc(now))


def read_store(store: Store, now: datetime | None = None, server: str = LOCAL) -> ClockReading:
    with store.read() as session:
        return read(session, now, server)


def note_local_time(session: Session, now: datetime | None = None) -> ClockReading:
    """Read the clock and raise every floor to it, each corrected by its server's offset (in the
    caller's write transaction); returns the local reading. A floor the clock reads earlier than
    stays where it is."""
    local = _utc(now)
    rows = {row.server: row for row in session.exec(select(TrustedFloor))}
    if LOCAL not in rows:
        session.add(TrustedFloor(server=LOCAL, floor=local, updatedAt=local))
    for row in rows.values():
        reading = _reading(row, local)
        trusted = local + _offset(row)
        if not reading.went_back and trusted > _utc(row.floor):
            row.floor = trusted
            row.updatedAt = local
            session.add(row)
    return _reading(rows.get(LOCAL), local)


def note_local_time_in(store: Store, now: datetime | None = None) -> ClockReading:
    """``note_local_time`` in its own transaction, written only when a floor moves by ``STEP``
    or more (a command that only reads stays a reader)."""
    local = _utc(now)
    with store.read() as session:
        rows = list(session.exec(select(TrustedFloor)))
    moves = not any(row.server == LOCAL for row in rows)
    for row in rows:
        reading = _reading(row, local)
        if reading.went_back:
            log.warning(
                "the clock reads %s, earlier than the trusted floor %s of %s",
                local,
                row.floor,
                row.server or "this computer",
            )
        elif local + _offset(row) >= _utc(row.floor) + STEP:
            moves = True
    local_reading = _reading(next((r for r in rows if r.server == LOCAL), None), local)
    if not moves:
        return local_reading
    try:
        with store.write() as session:
            return note_local_time(session, local)
    except (SQLAlchemyError, StoreFull, StoreBusy, StoreUnwritable) as error:
        # e.g. a full disk: the command itself reports what fails
        log.warning("could not keep the trusted time: %s", error)
        return local_reading


def note_server_time(
    session: Session, server: str, server_time: datetime, now: datetime | None = None
) -> ClockReading:
    """The server ``server`` (its origin) said the time is ``server_time`` when the computer's
    clock read ``now``: that becomes the server's floor and its offset is re-anchored (in the
    caller's write transaction). No other server's floor and not the local one moves."""
    told = _utc(server_time)
    local = _utc(now)
    row = session.get(TrustedFloor, server)
    if row is None:
        row = TrustedFloor(server=server, floor=told, updatedAt=local)
    elif row.serverTime is not None and told < _utc(row.serverTime) - TOLERANCE:
        log.info("%s's time %s is earlier than one seen before (%s)", server, told, row.serverTime)
    offset = (told - local).total_seconds()
    if abs(offset) > TOLERANCE.total_seconds():
        log.warning("this computer's clock is %.0f s off the time of %s", -offset, server)
    row.floor = told
    row.serverTime = told
    row.offsetSeconds = offset
    row.updatedAt = local
    session.add(row)
    return _reading(row, local)


# --- helpers ---------------------------------------------------------------------------------


def _row(session: Session, server: str) -> TrustedFloor | None:
    """``server``'s floor; a server never synced (no row yet) counts on the local floor."""
    row = session.get(TrustedFloor, server)
    if row is None and server != LOCAL:
        row = session.get(TrustedFloor, LOCAL)
    return row


def _reading(row: TrustedFloor | None, local: datetime) -> ClockReading:
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


def _offset(row: TrustedFloor | None) -> timedelta:
    return timedelta(seconds=row.offsetSeconds) if row is not None else timedelta(0)


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return utcnow()
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _show(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
