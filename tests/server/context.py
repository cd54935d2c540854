"""What an endpoint gets: the server's state and settings, the caller and the request."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message

from .db import Database
from .faults import Faults
from .signing import Signer

DEFAULT_LEASE_SECONDS = 14 * 24 * 3600
DEFAULT_TOKEN_TTL_SECONDS = 8 * 3600


@dataclass
class Settings:
    """Behaviour switches; mutable so a running server can be retuned by a test."""

    seed_mode: bool = False
    lease_seconds: float = DEFAULT_LEASE_SECONDS
    token_ttl_seconds: float = DEFAULT_TOKEN_TTL_SECONDS


@dataclass
class Context:
    db: Database
    faults: Faults
    settings: Settings
    signer: Signer = field(default_factory=Signer)


@dataclass(frozen=True)
class Caller:
    """The user the bearer token belongs to; the only source of user and tenant."""

    id: str
    name: str
    tenant_id: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "tenantId": self.tenant_id}


@dataclass
class Request:
    method: str
    #: The path as sent (still percent-encoded), without the query string.
    path: str
    #: The path's segments after ``/``, each percent-decoded.
    segments: list[str]
    query: dict[str, list[str]]
    headers: Message
    body: bytes = b""
    params: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return None if value is None else str(value)
