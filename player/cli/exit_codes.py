"""The command line's exit statuses, and the one place a typed error becomes one.

Stable (documented in ``docs/cli.md``); scripts branch on them:

==  ===============================================================================
0   done
1   an error (the message on stderr says what happened and what to do)
2   usage: a wrong or missing argument
3   refused by a guard: no access, not published, a bad checksum or signature, a
    wrong password, a locked learner
4   rate-limited: ``retry after N s`` on stderr says how long to wait
5   too large
75  temporary failure (EX_TEMPFAIL): the server cannot be reached or is busy; try later
==  ===============================================================================

130 is an interrupt (Ctrl+C) and 141 a reader that stopped reading (``| head``), as the shell's
own tools report them.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable

from player.errors import (
    AccessDenied,
    ChecksumMismatch,
    NotPublished,
    PackageTooLarge,
    PayloadTooLarge,
    PlayerError,
    RateLimited,
    ServerRefused,
    ServerUnavailable,
    SignInRefused,
    UsageError,
)

OK = 0
ERROR = 1
USAGE = 2
REFUSED = 3
RATE_LIMITED = 4
TOO_LARGE = 5
TEMPORARY = 75
INTERRUPTED = 130
BROKEN_PIPE = 141


#: The typed errors, most specific first; the first the error is an instance of wins.
_BY_TYPE: tuple[tuple[type[PlayerError], int], ...] = (
    (UsageError, USAGE),
    (RateLimited, RATE_LIMITED),
    (PayloadTooLarge, TOO_LARGE),
    (PackageTooLarge, TOO_LARGE),
    (AccessDenied, REFUSED),
    (NotPublished, REFUSED),
    (ChecksumMismatch, REFUSED),
    (SignInRefused, REFUSED),
)


def exit_code(error: BaseException) -> int:
    """The exit status for ``error`` (any exception; a non-PlayerError is ERROR)."""
    if isinstance(error, ServerUnavailable):
        return RATE_LIMITED if error.status == 429 else TEMPORARY
    if isinstance(error, ServerRefused):
        if error.status == 413:
            return TOO_LARGE
        if error.status == 403:  # the server's own access guard
            return REFUSED
        return ERROR
    for kind, code in _BY_TYPE:
        if isinstance(error, kind):
            return code
    return ERROR


def retry_after(error: BaseException) -> int | None:
    """Whole seconds to wait before trying again, when the error says (rate limit, 429)."""
    seconds: float | None = None
    if isinstance(error, RateLimited):
        seconds = error.retry_after
    elif isinstance(error, ServerUnavailable) and error.status == 429:
        seconds = error.retry_after if error.retry_after is not None else 1.0
    if seconds is None:
        return None
    return max(1, math.ceil(seconds))


def combined(codes: Iterable[int]) -> int:
    """One status for several items (``import A B``, ``export --all``): OK when none failed,
    the failures' status when they all agree, else ERROR."""
    failures = {code for code in codes if code != OK}
    if not failures:
        return OK
    if len(failures) == 1:
        return failures.pop()
    return ERROR


def report(error: PlayerError, prefix: str = "") -> int:
    """Print ``error`` for a person to stderr, and ``retry after N s`` when it says how long to
    wait; return its exit status."""
    print(f"course-player: {prefix}{error}", file=sys.stderr)
    seconds = retry_after(error)
    if seconds is not None:
        print(f"course-player: retry after {seconds} s", file=sys.stderr)
    return exit_code(error)
