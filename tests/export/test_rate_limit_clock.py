"""Break 5: turning the clock back does not reopen the export rate limit (an injected clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from player.errors import RateLimited
from player.export import export_course
from player.services import clock
from player.store.db import Store
from player.store.models import ExportRecord, Profile

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
COURSE = "git-basics"


def records(store: Store) -> list[datetime]:
    with store.read() as session:
        stamps = session.exec(select(ExportRecord.createdAt)).all()
    return [t if t.tzinfo else t.replace(tzinfo=UTC) for t in stamps]


def test_exports_made_with_the_clock_turned_back_count_from_the_floor(
    store: Store, learner: Profile, tmp_path: Path
) -> None:
    clock.note_local_time_in(store, T0)  # e.g. the player ran at T0
    back = T0 - timedelta(days=1)
    for i in range(3):  # the clock was turned back a day, then three exports
        export_course(store, learner, COURSE, "pdf", tmp_path / f"{i}.pdf", now=back)
    assert records(store) == [T0] * 3  # stamped with the floor, not the day before

    # The clock set right again: the three exports are still inside the 10-minute window.
    with pytest.raises(RateLimited) as refused:
        export_course(
            store, learner, COURSE, "lms", tmp_path / "4.zip", now=T0 + timedelta(minutes=1)
        )
    assert refused.value.retry_after == 9 * 60
    assert not (tmp_path / "4.zip").exists()


def test_the_refusal_says_the_clock_is_behind_and_counts_from_the_floor(
    store: Store, learner: Profile, tmp_path: Path
) -> None:
    for i in range(3):
        export_course(store, learner, COURSE, "pdf", tmp_path / f"{i}.pdf", now=T0)
    with pytest.raises(RateLimited) as refused:
        export_course(store, learner, COURSE, "pdf", tmp_path / "x.pdf", now=T0 - timedelta(days=1))
    # Counted from the floor (T0), not from a day earlier: ten minutes, not a day and ten.
    assert refused.value.retry_after == 10 * 60
    message = str(refused.value)
    assert "clock reads 2026-02-28 12:00 UTC" in message and "2026-03-01 12:00 UTC" in message
    # Ten minutes after the floor on a clock still a day behind: the floor has not moved, so the
    # export is still refused; it is the next sync that re-anchors the time.
    with pytest.raises(RateLimited):
        export_course(
            store,
            learner,
            COURSE,
            "pdf",
            tmp_path / "y.pdf",
            now=T0 - timedelta(days=1, minutes=-11),
        )
