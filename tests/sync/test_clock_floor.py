"""Break 5: turning the clock back extends no offline lease (real HTTP, an injected clock).

The server's ``Date``/``issuedAt`` and the latest local time seen make a floor of trusted time
(``player.services.clock``); the tests turn the computer's clock back by passing ``now`` (what the
clock reads) and by replacing the client's clock during a sync.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from player.errors import LeaseExpired
from player.services import clock
from player.services.access import check_read, course_access
from player.services.learn import LearnService
from player.store.db import Store
from player.store.models import EntitlementLease, Profile, TrustedFloor
from player.timeutil import utcnow
from tests.server.app import ContractServer
from tests.server.fixtures import MakeServer
from tests.sync.conftest import SignInAs
from tests.sync.test_engine import PAID, entitle_ana


def open_paid(store: Store, profile: Profile, now: datetime) -> None:
    """Raise unless ``profile`` may open the paid course while the computer's clock reads ``now``."""
    with store.read() as session:
        check_read(course_access(session, profile, PAID, now))


def lease_until(store: Store, user_id: str, server: str) -> object:
    with store.read() as session:
        lease = session.get(EntitlementLease, (server, user_id))
        assert lease is not None
        return lease.validUntil


def test_a_clock_turned_back_after_a_sync_closes_paid_courses_until_the_next_sync(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    assert ana.sync().delivered
    now = utcnow()
    open_paid(store, ana.profile, now)  # the lease runs 14 days

    # Three days back: still inside the lease by the clock, but earlier than the server's time.
    back = now - timedelta(days=3)
    with pytest.raises(LeaseExpired) as refused:
        open_paid(store, ana.profile, back)
    message = str(refused.value)
    assert "clock reads" in message and "earlier than a time it has already seen" in message
    assert "sync" in message
    assert back.strftime("%Y-%m-%d") in message and now.strftime("%Y-%m-%d") in message
    # A small correction of the clock (a minute) is not a clock turned back.
    open_paid(store, ana.profile, now - timedelta(minutes=1))

    # The next sync re-anchors the trusted time on the server's: the course opens again, even
    # with the computer's clock still three days behind.
    ana.client.clock = lambda: utcnow() - timedelta(days=3)
    assert ana.sync().delivered
    open_paid(store, ana.profile, utcnow() - timedelta(days=3))


def test_setting_the_clock_back_before_a_sync_does_not_stretch_the_lease(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    """Clock 30 days back, sync, go offline: the 14-day lease still ends 14 real days later."""
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    ana.client.clock = lambda: utcnow() - timedelta(days=30)
    assert ana.sync().delivered
    local = utcnow() - timedelta(days=30)

    open_paid(store, ana.profile, local + timedelta(days=13))
    # 20 days on the computer's clock: before validUntil as the clock reads, but 20 real days
    # after the server issued a 14-day lease.
    until = lease_until(store, ana.user_id, ana.profile.server)
    assert until > local + timedelta(days=20)  # type: ignore[operator]
    with pytest.raises(LeaseExpired) as refused:
        open_paid(store, ana.profile, local + timedelta(days=20))
    assert "offline access" in str(refused.value)


def test_the_catalog_shows_a_paid_course_locked_while_the_clock_is_behind(
    contract_server: ContractServer, sign_in_as: SignInAs, store: Store
) -> None:
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    assert ana.sync().delivered
    with store.read() as session:
        floor = clock.read(session, server=ana.profile.server).floor
    assert floor is not None and abs((floor - utcnow()).total_seconds()) < 120

    courses = {c.course_id: c for c in LearnService(store, ana.profile).list_courses()}
    assert courses[PAID].access.can_read
    with store.read() as session:
        reading = clock.read(session, utcnow() - timedelta(hours=1), ana.profile.server)
    assert reading.went_back and reading.now >= floor


def _floors(store: Store) -> dict[str, datetime]:
    with store.read() as session:
        return {
            row.server: row.floor.replace(tzinfo=UTC) for row in session.exec(select(TrustedFloor))
        }


def _near(a: datetime, b: datetime, seconds: float = 120) -> bool:
    return abs((a - b).total_seconds()) < seconds


def test_a_wrong_date_from_one_server_moves_no_other_floor(
    contract_server: ContractServer,
    make_server: MakeServer,
    sign_in_as: SignInAs,
    store: Store,
) -> None:
    """Server B's clock is a year ahead: its entitlements' ``issuedAt`` becomes B's floor only.
    Server A's paid course opens as before (with one floor, A's 14-day lease had expired), its
    lease still ends on time, and the local floor stays."""
    skew = timedelta(days=365)
    entitle_ana(contract_server)
    ana = sign_in_as(contract_server, "ana")
    assert ana.sync().delivered
    clock.note_local_time_in(store)
    before = _floors(store)
    assert set(before) == {"", ana.profile.server}

    wrong = make_server(standard=True, clock=lambda: utcnow() + skew)
    ben = sign_in_as(wrong, "ben")
    assert ben.sync().delivered
    after = _floors(store)
    # only the local readings of the sync moved them (seconds), not B's year
    assert _near(after[""], before[""]) and _near(after[ana.profile.server], utcnow())
    assert _near(after[ben.profile.server], utcnow() + skew)

    now = utcnow()
    open_paid(store, ana.profile, now)
    with pytest.raises(LeaseExpired):  # the 14-day lease ends 14 days on, not a year off
        open_paid(store, ana.profile, now + timedelta(days=20))
    with store.read() as session:
        assert not clock.read(session, now).went_back
        assert not clock.read(session, now, ana.profile.server).went_back


def test_a_local_reading_raises_every_floor_and_a_server_never_synced_counts_on_the_local_one(
    store: Store,
) -> None:
    now = utcnow()
    with store.write() as session:
        clock.note_server_time(session, "https://a.example", now + timedelta(hours=1), now)
    clock.note_local_time_in(store, now + timedelta(days=1))
    floors = _floors(store)
    # the local floor is the clock's reading; A's is the clock corrected by A's offset
    assert _near(floors[""], now + timedelta(days=1), 1)
    assert _near(floors["https://a.example"], now + timedelta(days=1, hours=1), 1)
    with store.read() as session:
        assert clock.read(session, now, "https://never-synced.example").went_back
        assert clock.read(session, now + timedelta(days=1), "https://never-synced.example").floor
