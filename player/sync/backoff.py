"""When to try an item again after a transient failure.

The schedule is stored per outbox row (``attempts``, ``nextAttemptAt``), so it survives restarts;
that makes it a small pure function rather than an in-process retry loop. Exponential growth with
"equal jitter" (half fixed, half random) keeps many lab machines from retrying in step, and a
server's ``Retry-After`` is always honoured as the minimum.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Backoff:
    """``base`` seconds after the first failure, doubling, at most ``cap`` seconds."""

    base: float = 5.0
    cap: float = 15 * 60.0

    def delay(
        self, attempts: int, retry_after: float | None = None, rng: random.Random | None = None
    ) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt (1 for the first)."""
        ceiling = min(self.cap, self.base * (2 ** max(0, min(attempts, 40) - 1)))
        chooser = rng or random
        wait = ceiling / 2 + chooser.uniform(0, ceiling / 2)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return wait

    def next_attempt(
        self,
        now: datetime,
        attempts: int,
        retry_after: float | None = None,
        rng: random.Random | None = None,
    ) -> datetime:
        return now + timedelta(seconds=self.delay(attempts, retry_after, rng))
