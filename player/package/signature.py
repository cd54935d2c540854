"""Package signatures (the contract's "Signed packages"): Ed25519 over a short, fixed message.

The signed message is ``coursepackage:v1\\n{courseId}\\n{version}\\n{sha256}``: a valid signature
proves that the server holding the key published these exact bytes as this course and version,
wherever the bytes travelled afterwards. Keys are 32-byte raw Ed25519 public keys, written in the
lab policy and in the store as ``KID:BASE64``.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from player.errors import SignatureInvalid
from player.i18n import _


@dataclass(frozen=True, slots=True)
class PublishedKey:
    """A key as the server's keys route publishes it."""

    kid: str
    public_key: str  # base64 of the 32 raw bytes


@dataclass(frozen=True, slots=True)
class Signature:
    kid: str
    sig: str  # base64 of the 64-byte signature


def signed_message(course_id: str, version: int, sha256: str) -> bytes:
    return f"coursepackage:v1\n{course_id}\n{int(version)}\n{sha256.lower()}".encode()


def decode_key(public_key: str) -> bytes:
    """The 32 raw bytes of a base64 public key; ``ValueError`` when it is not one."""
    try:
        raw = base64.b64decode(public_key.strip(), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64") from error
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return raw


def parse_pinned_key(text: str) -> tuple[str, str]:
    """``"KID:BASE64"`` → (kid, base64); ``ValueError`` when malformed."""
    kid, sep, key = text.partition(":")
    if not sep or not kid.strip():
        raise ValueError("expected KID:BASE64")
    decode_key(key)
    return kid.strip(), key.strip()


def parse_header(value: str) -> Signature | None:
    """``X-Package-Signature: KID:BASE64`` → a Signature (None when malformed)."""
    kid, sep, sig = value.strip().partition(":")
    if not sep or not kid or not sig:
        return None
    return Signature(kid, sig)


def verify(
    keys: dict[str, str],
    signature: Signature | None,
    *,
    course_id: str,
    version: int,
    sha256: str,
    title: str = "",
) -> None:
    """Raise ``SignatureInvalid`` unless ``signature`` verifies under one of ``keys`` (kid →
    base64 public key). ``title`` names the course in the message ("" when the caller does)."""
    name = _("“{title}”").format(title=title) if title else _("This course")
    if signature is None:
        raise SignatureInvalid(
            _(
                "{name} came without a signature from a server that signs its courses, so it "
                "was not stored. The copy you had is kept."
            ).format(name=name)
        )
    key = keys.get(signature.kid)
    if key is None:
        raise SignatureInvalid(
            _(
                "{name} is signed with a key this computer does not know ({kid}), so it was "
                "not stored. The copy you had is kept."
            ).format(name=name, kid=signature.kid)
        )
    try:
        raw_sig = base64.b64decode(signature.sig, validate=True)
        Ed25519PublicKey.from_public_bytes(decode_key(key)).verify(
            raw_sig, signed_message(course_id, version, sha256)
        )
    except (InvalidSignature, ValueError, binascii.Error) as error:
        raise SignatureInvalid(
            _(
                "{name} (version {version}) does not carry a valid signature of its server: "
                "it may have been altered, so it is not used. Sync again, or ask your course "
                "provider."
            ).format(name=name, version=version)
        ) from error
