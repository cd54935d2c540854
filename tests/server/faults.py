"""Fault injection for the contract server.

Count-based faults (``fail_next``, ``delay_next``, ``cut_body_next``, ``malformed_json_next``,
``drip_next``) are
consumed one per matching request, in the order they were armed. Without a ``path_prefix`` they
never touch ``/api/auth/...``, so a client can still sign in while faults are armed; give a
prefix under ``/api/auth`` to aim at sign-in itself. Prefixes match the raw request path (as
sent, percent-encoded, without the query string), the same text ``server.requests`` records.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

AUTH_PREFIX = "/api/auth/"


@dataclass
class _Rule:
    kind: str
    remaining: int
    path_prefix: str | None
    method: str | None
    status: int = 500
    retry_after: float | None = None
    seconds: float = 0.0
    chunk: int = 1
    echo: bool = False
    message: str | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.path_prefix is None:
            return not path.startswith(AUTH_PREFIX)
        return path.startswith(self.path_prefix)


@dataclass
class Plan:
    """The faults one request drew."""

    delay: float = 0.0
    fail_status: int | None = None
    retry_after: float | None = None
    echo: bool = False
    message: str | None = None
    cut_body: bool = False
    malformed_json: bool = False
    #: Drip the body: (bytes per write, seconds between writes), or None.
    drip: tuple[int, float] | None = None


class Faults:
    """Thread-safe switches a test flips on a running server (``server.faults``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self._bad_sha: set[str] = set()
        self._sign_wrong: set[str] = set()
        self._token_countdown: int | None = None

    # -- arming ---------------------------------------------------------------------------------

    def fail_next(
        self,
        n: int = 1,
        status: int = 500,
        retry_after: float | None = None,
        path_prefix: str | None = None,
        method: str | None = None,
        echo: bool = False,
        message: str | None = None,
    ) -> None:
        """The next ``n`` matching requests answer ``status`` with the contract's error body,
        WITHOUT being applied. ``retry_after`` (seconds) sets a ``Retry-After`` header; a 429
        always carries one (1 s when not given). ``echo``: the error's message repeats the
        request's body (a careless server that echoes what it got, password included);
        ``message`` replaces the error's message (control characters and all)."""
        self._add(
            _Rule(
                "fail",
                n,
                path_prefix,
                method,
                status=status,
                retry_after=retry_after,
                echo=echo,
                message=message,
            )
        )

    def delay_next(
        self, n: int, seconds: float, path_prefix: str | None = None, method: str | None = None
    ) -> None:
        """Sleep ``seconds`` before handling each of the next ``n`` matching requests. The
        request is then handled normally, even if the client gave up meanwhile."""
        self._add(_Rule("delay", n, path_prefix, method, seconds=seconds))

    def cut_body_next(
        self, n: int = 1, path_prefix: str | None = None, method: str | None = None
    ) -> None:
        """Apply the next ``n`` matching requests, then send the headers (full Content-Length),
        half the body, and close the connection: the client sees an incomplete read."""
        self._add(_Rule("cut", n, path_prefix, method))

    def malformed_json_next(
        self, n: int = 1, path_prefix: str | None = None, method: str | None = None
    ) -> None:
        """Apply the next ``n`` matching requests but answer 200 with a body that is not JSON."""
        self._add(_Rule("malformed", n, path_prefix, method))

    def drip_next(
        self,
        n: int = 1,
        interval: float = 0.05,
        chunk: int = 1,
        path_prefix: str | None = None,
        method: str | None = None,
    ) -> None:
        """Apply the next ``n`` matching requests, send the headers (full Content-Length) at
        once, then the body ``chunk`` bytes at a time, one write every ``interval`` seconds (a
        server that is alive but hopelessly slow: every read gets some bytes, so a read
        timeout never fires). Stops when the client hangs up or the server stops."""
        self._add(_Rule("drip", n, path_prefix, method, seconds=interval, chunk=max(1, chunk)))

    def sign_wrong(self, course_id: str) -> None:
        """From now on, sign other bytes than the ones served for ``course_id``."""
        with self._lock:
            self._sign_wrong.add(course_id)

    def is_sign_wrong(self, course_id: str) -> bool:
        with self._lock:
            return course_id in self._sign_wrong

    def bad_sha(self, course_id: str) -> None:
        """Serve that course's package with one byte altered (same length) while the catalog's
        sha256 and the ETag stay the real ones, until ``clear()``."""
        with self._lock:
            self._bad_sha.add(course_id)

    def expire_token_after(self, n_requests: int) -> None:
        """Let ``n_requests`` more non-auth requests through, then revoke every token that
        exists at that moment (the next request and later ones with them get 401)."""
        with self._lock:
            self._token_countdown = n_requests

    def clear(self) -> None:
        """Disarm everything, ``bad_sha`` included."""
        with self._lock:
            self._rules.clear()
            self._bad_sha.clear()
            self._sign_wrong.clear()
            self._token_countdown = None

    def pending(self) -> int:
        """How many count-based faults are still armed (sum of remaining counts)."""
        with self._lock:
            return sum(rule.remaining for rule in self._rules)

    # -- used by the server ---------------------------------------------------------------------

    def _add(self, rule: _Rule) -> None:
        if rule.remaining < 0:
            raise ValueError("n must be >= 0")
        if rule.remaining:
            with self._lock:
                self._rules.append(rule)

    def draw(self, method: str, path: str) -> Plan:
        """Consume the faults this request matches (at most one of each kind)."""
        plan = Plan()
        with self._lock:
            taken: set[str] = set()
            for rule in self._rules:
                if rule.kind in taken or not rule.matches(method, path):
                    continue
                taken.add(rule.kind)
                rule.remaining -= 1
                if rule.kind == "fail":
                    plan.fail_status = rule.status
                    plan.retry_after = rule.retry_after
                    plan.echo = rule.echo
                    plan.message = rule.message
                elif rule.kind == "delay":
                    plan.delay = rule.seconds
                elif rule.kind == "cut":
                    plan.cut_body = True
                elif rule.kind == "drip":
                    plan.drip = (rule.chunk, rule.seconds)
                else:
                    plan.malformed_json = True
            self._rules = [rule for rule in self._rules if rule.remaining > 0]
        if plan.fail_status == 429 and plan.retry_after is None:
            plan.retry_after = 1
        return plan

    def tick_token_countdown(self, path: str) -> bool:
        """Count one request; True when every token must be revoked now."""
        if path.startswith(AUTH_PREFIX):
            return False
        with self._lock:
            if self._token_countdown is None:
                return False
            if self._token_countdown > 0:
                self._token_countdown -= 1
                return False
            self._token_countdown = None
            return True

    def is_bad_sha(self, course_id: str) -> bool:
        with self._lock:
            return course_id in self._bad_sha


_TITLE_VALUE = re.compile(rb'"title"\s*:\s*"')


def alter_one_byte(body: bytes) -> bytes:
    """The same bytes with exactly one changed, keeping the length and, where possible, valid
    JSON with the same meaning (so only a checksum can tell)."""
    if not body:
        return body
    swap = {b"\n": b" ", b" ": b"\n", b"\t": b" ", b"\r": b" "}
    last = body[-1:]
    if last in swap:
        return body[:-1] + swap[last]
    match = _TITLE_VALUE.search(body)
    if match:
        for pos in range(match.end(), len(body)):
            char = body[pos : pos + 1]
            if char == b'"':
                break
            if char.isalpha():
                return body[:pos] + char.swapcase() + body[pos + 1 :]
    return body[:-1] + bytes([body[-1] ^ 0x01])
