"""Salted, slow hashes of secrets: the kiosk's exit PIN and the lab's offline sign-in verifiers.

One format for both, ``pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>``: PBKDF2-HMAC-SHA256
(``hashlib.pbkdf2_hmac``) over the NFKC-normalized UTF-8 text, a fresh random 16-byte salt per
hash, a 32-byte digest. ``make_verifier`` makes one, ``check_verifier`` compares in constant time
(``hmac.compare_digest``). The secret itself is never kept.

``parse_verifier`` raises ``VerifierFormatError`` with a ``problem`` code; the caller words the
message (``player.policy`` for a provisioning file, the lab sign-in logs and refuses).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass

SCHEME = "pbkdf2_sha256"
DEFAULT_ITERATIONS = 600_000
"""PBKDF2-SHA256 rounds for a new hash (OWASP's 2023 figure); about half a second to check."""
SALT_BYTES = 16
HASH_BYTES = 32
MIN_SALT_BYTES = 8

# VerifierFormatError.problem
FORM, ITERATIONS_NOT_A_NUMBER, TOO_FEW_ITERATIONS, NOT_BASE64, WRONG_LENGTH = (
    "form",
    "iterations-not-a-number",
    "too-few-iterations",
    "not-base64",
    "wrong-length",
)


class VerifierFormatError(ValueError):
    """A stored hash that is not in the format; ``problem`` is one of the codes above."""

    def __init__(self, problem: str, iterations: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.iterations = iterations


@dataclass(frozen=True)
class Verifier:
    iterations: int
    salt: bytes
    digest: bytes


def _normalize(secret: str) -> bytes:
    return unicodedata.normalize("NFKC", secret).encode("utf-8")


def _derive(secret: str, salt: bytes, iterations: int, length: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", _normalize(secret), salt, iterations, length)


def make_verifier(
    secret: str, *, iterations: int = DEFAULT_ITERATIONS, salt: bytes | None = None
) -> str:
    """``pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>`` for ``secret``, with a fresh salt."""
    if iterations < 1:
        raise ValueError("iterations must be positive")
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = _derive(secret, salt, iterations, HASH_BYTES)
    encode = base64.b64encode
    return f"{SCHEME}${iterations}${encode(salt).decode()}${encode(digest).decode()}"


def parse_verifier(value: str, *, min_iterations: int) -> Verifier:
    """The parts of a stored hash; ``VerifierFormatError`` when it is not in the format or
    has fewer than ``min_iterations`` rounds."""
    parts = value.split("$")
    if len(parts) != 4 or parts[0] != SCHEME:
        raise VerifierFormatError(FORM)
    _scheme, rounds, salt_text, digest_text = parts
    if not rounds.isdigit():
        raise VerifierFormatError(ITERATIONS_NOT_A_NUMBER)
    iterations = int(rounds)
    if iterations < min_iterations:
        raise VerifierFormatError(TOO_FEW_ITERATIONS, iterations)
    try:
        salt = base64.b64decode(salt_text, validate=True)
        digest = base64.b64decode(digest_text, validate=True)
    except (binascii.Error, ValueError):
        raise VerifierFormatError(NOT_BASE64, iterations) from None
    if len(salt) < MIN_SALT_BYTES or len(digest) != HASH_BYTES:
        raise VerifierFormatError(WRONG_LENGTH, iterations)
    return Verifier(iterations, salt, digest)


def check_verifier(value: str, secret: str, *, min_iterations: int) -> bool:
    """Whether ``secret`` is the one ``value`` was made from (constant-time comparison).

    ``VerifierFormatError`` when ``value`` is malformed: the caller decides whether that is a
    refusal (it always should be) and what to log.
    """
    parsed = parse_verifier(value, min_iterations=min_iterations)
    digest = _derive(secret, parsed.salt, parsed.iterations, len(parsed.digest))
    return hmac.compare_digest(digest, parsed.digest)
