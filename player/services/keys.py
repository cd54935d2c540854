"""The signing keys this machine knows for each server (the contract's "Signed packages").

A server's keys are pinned on this machine: by the lab policy (``[server] public_keys``), at the
first sign-in or sync (trust on first use), or by an administrator (``course-player keys
accept``). From then on every package from that server must verify under one of its pinned keys,
at download and again when opened. A server without signing (404 on the keys route) has no pins:
its courses are marked unsigned.

A new key is pinned by itself only when the old one vouches for it: the server still publishes a
pinned key beside the new one. A key that changes without that stops sync (``ServerKeyChanged``)
until an administrator accepts it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from sqlmodel import Session, select

from player.errors import ServerKeyChanged
from player.i18n import _
from player.origin import LOCAL, normalize_origin
from player.package.signature import PublishedKey, Signature, parse_pinned_key, verify
from player.store.db import Store
from player.store.models import ServerKey, StoredPackage
from player.timeutil import utcnow

log = logging.getLogger(__name__)

POLICY, FIRST_USE, VOUCHED, ADMIN = "policy", "first use", "vouched", "administrator"


def known_keys(session: Session, server: str) -> dict[str, str]:
    """kid → public key (base64) pinned for ``server``; empty when none (an unsigned server)."""
    if server == LOCAL:
        return {}
    rows = session.exec(select(ServerKey).where(ServerKey.server == server)).all()
    return {row.kid: row.publicKey for row in rows}


def list_keys(store: Store) -> list[ServerKey]:
    with store.read() as session:
        return list(session.exec(select(ServerKey).order_by(ServerKey.server, ServerKey.kid)))


def pin_policy_keys(store: Store, server_url: str | None, keys: Sequence[str]) -> None:
    """Pin the keys a lab policy names for its server (``KID:BASE64``), before any sign-in."""
    if not server_url or not keys:
        return
    server = normalize_origin(server_url)
    parsed = [parse_pinned_key(text) for text in keys]
    with store.read() as session:
        current = known_keys(session, server)
    if all(current.get(kid) == key for kid, key in parsed):
        return
    with store.write() as session:
        _pin(session, server, [PublishedKey(k, v) for k, v in parsed], POLICY)


def check_published(store: Store, server_url: str, published: Sequence[PublishedKey] | None) -> str:
    """Compare what the server publishes with what this machine pinned; pin what is trusted.

    Returns "unsigned" (no keys route and nothing pinned), "pinned" or "unchanged". Raises
    ``ServerKeyChanged`` when the server publishes keys of which none is pinned (or a pinned kid
    with another key) while this machine knows keys for it.
    """
    server = normalize_origin(server_url)
    with store.read() as session:
        pinned = known_keys(session, server)
    if not published:
        return "unchanged" if pinned else "unsigned"
    if not pinned:
        with store.write() as session:
            _pin(session, server, published, FIRST_USE)
        log.info("pinned %d key(s) of %s on first use", len(published), server)
        return "pinned"
    conflicting = [k for k in published if k.kid in pinned and pinned[k.kid] != k.public_key]
    vouching = [k for k in published if pinned.get(k.kid) == k.public_key]
    if conflicting or not vouching:
        raise key_changed(server_url)
    new = [k for k in published if k.kid not in pinned]
    if not new:
        return "unchanged"
    with store.write() as session:
        _pin(session, server, new, VOUCHED)
    log.info("pinned %s of %s, vouched for by %s", [k.kid for k in new], server, vouching[0].kid)
    return "pinned"


def accept_keys(store: Store, server_url: str, published: Sequence[PublishedKey]) -> None:
    """An administrator accepts the keys the server publishes now, in place of the pinned ones."""
    server = normalize_origin(server_url)
    with store.write() as session:
        for row in session.exec(select(ServerKey).where(ServerKey.server == server)).all():
            session.delete(row)
        session.flush()
        _pin(session, server, published, ADMIN)


def key_changed(server_url: str) -> ServerKeyChanged:
    return ServerKeyChanged(
        _(
            "The course server {server} now signs its courses with a key this computer does not "
            "know, and none of the keys it knew vouches for it. Sync is stopped so that no "
            "course it cannot trust is stored. Ask your administrator: if the server's key "
            "changed on purpose, they accept it with “course-player keys accept {server}”."
        ).format(server=server_url)
    )


def verify_stored(session: Session, stored: StoredPackage) -> None:
    """Verify a stored package's signature again before it is opened (``SignatureInvalid``).

    A package stored without a signature (from a server without signing, or a file) passes; one
    with a signature must verify under its server's pinned keys."""
    if stored.sigKid is None or stored.sig is None or stored.server == LOCAL:
        return
    verify(
        known_keys(session, stored.server),
        Signature(stored.sigKid, stored.sig),
        course_id=stored.courseId,
        version=stored.version,
        sha256=stored.sha256,
        title=stored.title,
    )


def _pin(session: Session, server: str, keys: Iterable[PublishedKey], source: str) -> None:
    now = utcnow()
    for key in keys:
        row = session.get(ServerKey, (server, key.kid))
        if row is None:
            row = ServerKey(server=server, kid=key.kid, publicKey=key.public_key, pinnedAt=now)
        row.publicKey, row.source, row.pinnedAt = key.public_key, source, now
        session.add(row)
