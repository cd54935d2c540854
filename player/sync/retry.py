"""Retrying a whole sync within a bounded time (the command line's provisioning mode).

Built on tenacity: an attempt is retried while its report says something may still get through
(a transient failure, items waiting), or when it raised ``ServerUnavailable``. The wait before
the next attempt is the longest of: the time until the earliest waiting item is due (the
per-item backoff, which already honours ``Retry-After``), the server's ``Retry-After``, and the
same exponential backoff with jitter as the outbox's (``player/sync/backoff.py``) counted in
attempts of this loop, so failures outside the outbox (a failing catalog, no network) are not
retried every second and thirty lab machines do not retry in step. Tenacity stops before a wait
would run past ``max_wait``. Final answers (rejections) are never retried.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import datetime

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
)

from player.errors import ServerUnavailable
from player.sync.backoff import Backoff
from player.sync.report import SyncReport
from player.timeutil import utcnow

log = logging.getLogger(__name__)


def needs_another_try(report: SyncReport) -> bool:
    return not report.cancelled and (
        report.incomplete or report.events_waiting > 0 or report.online is False
    )


def wait_seconds(
    report: SyncReport | None,
    error: BaseException | None,
    min_wait: float,
    now: datetime | None = None,
) -> float:
    """How long to wait before the next attempt."""
    wait = min_wait
    if isinstance(error, ServerUnavailable) and error.retry_after is not None:
        wait = max(wait, error.retry_after)
    if report is not None:
        if report.retry_after is not None:
            wait = max(wait, report.retry_after)
        if report.next_attempt_at is not None:
            wait = max(wait, (report.next_attempt_at - (now or utcnow())).total_seconds())
    return wait


def sync_until_delivered(
    attempt: Callable[[], SyncReport],
    *,
    max_wait: float,
    min_wait: float = 1.0,
    backoff: Backoff | None = None,
    rng: random.Random | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] = utcnow,
    timer: Callable[[], float] = time.monotonic,
    on_retry: Callable[[float, SyncReport | None, BaseException | None], None] | None = None,
) -> SyncReport:
    """Run ``attempt`` until everything is delivered or finally answered, or until waiting
    longer would pass ``max_wait`` seconds; return the last report. The last attempt's
    ``ServerUnavailable`` is raised when no attempt produced a report. ``sleep``, ``clock``
    and ``timer`` (seconds, for the bound) are injectable so tests can run the loop without
    waiting."""
    schedule = backoff or Backoff()
    started = timer()

    def wait(state: RetryCallState) -> float:
        outcome = state.outcome
        report = None
        error = None
        if outcome is not None:
            if outcome.failed:
                error = outcome.exception()
            else:
                report = outcome.result()
        spread = schedule.delay(state.attempt_number, rng=rng)
        return max(spread, wait_seconds(report, error, min_wait, clock()))

    def stop(state: RetryCallState) -> bool:
        return (timer() - started) + state.upcoming_sleep >= max_wait

    def before_sleep(state: RetryCallState) -> None:
        if on_retry is None or state.outcome is None:
            return
        seconds = state.next_action.sleep if state.next_action else 0.0
        if state.outcome.failed:
            on_retry(seconds, None, state.outcome.exception())
        else:
            on_retry(seconds, state.outcome.result(), None)

    def give_up(state: RetryCallState) -> SyncReport:
        assert state.outcome is not None
        result: SyncReport = state.outcome.result()  # re-raises the last error, if any
        return result

    retrying = Retrying(
        stop=stop,
        wait=wait,
        retry=retry_if_result(needs_another_try) | retry_if_exception_type(ServerUnavailable),
        sleep=sleep,
        before_sleep=before_sleep,
        retry_error_callback=give_up,
        reraise=True,
    )
    report: SyncReport = retrying(attempt)
    return report
