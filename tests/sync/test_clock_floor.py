"""Break 5: turning the clock back extends no offline lease (real HTTP, an injected clock).

The server's ``Date``/``issuedAt`` and the latest local time seen make a floor of trusted time
(``player.services.clock``); the tests turn the computer's clock back by passing ``now`` (what the
clock reads) and by replacing the client's clock during a sync.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from player.errors import LeaseExpired
from player.services import clock
from player.services.access import check_read, course_access
from player.services.learn import LearnService
from player.store.db import Store
from player.store.models import EntitlementLease, Profile
from player.timeutil import utcnow
from tests.server.app import ContractServer
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
        floor = clock.read(session).floor
    assert floor is not None and abs((floor - utcnow()).total_seconds()) < 120

    courses = {c.course_id: c for c in LearnService(store, ana.profile).list_courses()}
    assert courses[PAID].access.can_read
    with store.read() as session:
        reading = clock.read(session, utcnow() - timedelta(hours=1))
    assert reading.went_back and reading.now >= floor
