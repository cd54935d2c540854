"""Package signing for the contract server (the contract's "Signed packages").

Off by default (a server of the seed design has no keys route); ``ContractServer.enable_signing``
turns it on, ``rotate_key`` publishes a new key beside the old one (or instead of it), and the
fault ``Faults.sign_wrong(course_id)`` signs other bytes than the ones served.
"""

from __future__ import annotations

import base64
import threading

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def signed_message(course_id: str, version: int, sha256: str) -> bytes:
    return f"coursepackage:v1\n{course_id}\n{int(version)}\n{sha256.lower()}".encode()


class Signer:
    """The server's keys: the one that signs, and every key published on the keys route."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, Ed25519PrivateKey] = {}
        self._published: list[str] = []
        self.active: str | None = None

    @property
    def enabled(self) -> bool:
        return self.active is not None

    def add_key(self, kid: str, *, keep_old: bool = True) -> str:
        """Sign with a new key ``kid`` from now on; return its public key (base64). Without
        ``keep_old`` the earlier keys are no longer published."""
        with self._lock:
            self._keys[kid] = Ed25519PrivateKey.generate()
            if not keep_old:
                self._published.clear()
            self._published.append(kid)
            self.active = kid
            return self._public(kid)

    def unpublish(self, kid: str) -> None:
        with self._lock:
            self._published = [k for k in self._published if k != kid]

    def public_key(self, kid: str) -> str:
        with self._lock:
            return self._public(kid)

    def keys_json(self) -> list[dict[str, str]]:
        with self._lock:
            return [
                {"kid": kid, "alg": "Ed25519", "publicKey": self._public(kid)}
                for kid in self._published
            ]

    def sign(self, course_id: str, version: int, sha256: str) -> dict[str, str]:
        with self._lock:
            if self.active is None:
                raise RuntimeError("signing is off")
            sig = self._keys[self.active].sign(signed_message(course_id, version, sha256))
            return {"kid": self.active, "sig": base64.b64encode(sig).decode()}

    def _public(self, kid: str) -> str:
        raw = self._keys[kid].public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode()
