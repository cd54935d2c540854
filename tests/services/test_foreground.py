"""player.foreground: background steps wait while the learner waits for a read."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from player import foreground

BLOCKED_CHECKS = 5  # join() timeouts through which a paused thread must still be waiting


@pytest.fixture(autouse=True)
def nothing_held() -> Iterator[None]:
    assert not foreground.held()
    yield
    assert not foreground.held(), "a test left the foreground held"


def start_pausing(result: list[bool], max_seconds: float = 120.0) -> threading.Thread:
    thread = threading.Thread(target=lambda: result.append(foreground.pause(max_seconds)))
    thread.start()
    return thread


def wait_until_pausing(thread: threading.Thread, count: int = 1) -> None:
    for _ in range(2000):
        if foreground.pausing() >= count:
            return
        thread.join(0.01)
    pytest.fail("the background thread never paused")


def test_pause_returns_at_once_when_nothing_is_held() -> None:
    assert foreground.pause(max_seconds=120.0) is False
    assert foreground.pausing() == 0


def test_a_held_foreground_keeps_background_steps_waiting_until_released() -> None:
    release = foreground.hold()
    result: list[bool] = []
    thread = start_pausing(result)
    try:
        wait_until_pausing(thread)
        for _ in range(BLOCKED_CHECKS):
            thread.join(0.02)
            assert thread.is_alive() and result == []
    finally:
        release()
    thread.join(30)
    assert not thread.is_alive()
    assert result == [True]
    assert foreground.pausing() == 0


def test_every_hold_must_end_before_the_background_goes_on() -> None:
    first, second = foreground.hold(), foreground.hold()
    result: list[bool] = []
    thread = start_pausing(result)
    try:
        wait_until_pausing(thread)
        first()
        first()  # a second call changes nothing: the other hold still stands
        assert foreground.held()
        thread.join(0.05)
        assert thread.is_alive()
    finally:
        second()
    thread.join(30)
    assert result == [True] and not foreground.held()


def test_a_pause_never_waits_longer_than_its_limit() -> None:
    release = foreground.hold()
    try:
        result: list[bool] = []
        thread = start_pausing(result, max_seconds=0.01)
        thread.join(30)
        assert not thread.is_alive() and result == [True]  # waited, then went on while held
    finally:
        release()


def test_foreground_work_never_waits_for_itself() -> None:
    release = foreground.hold()
    try:
        with foreground.running():
            assert foreground.pause(max_seconds=120.0) is False
        result: list[bool] = []
        thread = start_pausing(result)  # another thread is not foreground work
        wait_until_pausing(thread)
    finally:
        release()
    thread.join(30)
    assert result == [True]
