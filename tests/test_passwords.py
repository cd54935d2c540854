"""Salted PBKDF2 verifiers (player/passwords.py), shared by the exit PIN and the lab sign-in."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from player import passwords
from player.passwords import VerifierFormatError, check_verifier, make_verifier, parse_verifier

FAST = 1_000  # the format allows any count; the callers set their own minimum


def test_the_format_and_a_fresh_salt_each_time() -> None:
    first, second = (
        make_verifier("s3cret", iterations=FAST),
        make_verifier("s3cret", iterations=FAST),
    )
    assert re.fullmatch(r"pbkdf2_sha256\$1000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}", first)
    assert first != second
    assert "s3cret" not in first


def test_it_is_pbkdf2_hmac_sha256_of_the_utf8_text() -> None:
    salt = b"0123456789abcdef"
    value = make_verifier("pässwort", iterations=FAST, salt=salt)
    digest = hashlib.pbkdf2_hmac("sha256", "pässwort".encode(), salt, FAST, 32)
    assert value.endswith("$" + base64.b64encode(digest).decode())


def test_the_default_is_slow_enough() -> None:
    assert passwords.DEFAULT_ITERATIONS >= 600_000


def test_check_accepts_only_the_secret() -> None:
    value = make_verifier("pw-ana", iterations=FAST)
    assert check_verifier(value, "pw-ana", min_iterations=FAST)
    assert not check_verifier(value, "pw-an", min_iterations=FAST)
    assert not check_verifier(value, "PW-ANA", min_iterations=FAST)
    assert not check_verifier(value, "", min_iterations=FAST)


def test_composed_and_decomposed_text_are_the_same_secret() -> None:
    value = make_verifier("Caf\u00e9", iterations=FAST)
    assert check_verifier(value, "Cafe\u0301", min_iterations=FAST)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("2468", passwords.FORM),
        ("sha1$1000$c2FsdA==$aGFzaA==", passwords.FORM),
        ("pbkdf2_sha256$many$c2FsdHNhbHQ=$aGFzaA==", passwords.ITERATIONS_NOT_A_NUMBER),
        ("pbkdf2_sha256$1000$not base64!$###", passwords.NOT_BASE64),
        ("pbkdf2_sha256$1000$c2FsdA==$aGFzaA==", passwords.WRONG_LENGTH),
    ],
)
def test_malformed_values_are_refused_with_a_reason(value: str, problem: str) -> None:
    with pytest.raises(VerifierFormatError) as caught:
        parse_verifier(value, min_iterations=FAST)
    assert caught.value.problem == problem
    with pytest.raises(VerifierFormatError):
        check_verifier(value, "2468", min_iterations=FAST)


def test_too_few_iterations_are_refused() -> None:
    value = make_verifier("pw-ana", iterations=FAST)
    with pytest.raises(VerifierFormatError) as caught:
        check_verifier(value, "pw-ana", min_iterations=FAST + 1)
    assert caught.value.problem == passwords.TOO_FEW_ITERATIONS
    assert caught.value.iterations == FAST
