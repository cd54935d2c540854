"""Signing in to a course server, and opening a client for a signed-in learner."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from player.errors import ServerKeyChanged, SignInRequired, SyncError
from player.i18n import _
from player.package.signature import PublishedKey
from player.services import keys, learner_lock, profiles
from player.store.db import Store
from player.store.models import Profile, Tenant
from player.sync.client import ApiClient, normalize_url
from player.sync.tokens import TokenStore, default_tokens

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SignInResult:
    profile: Profile
    #: False when no keyring works: the token lives in this process only.
    token_saved: bool
    #: A message to show once (no keyring), else None.
    warning: str | None
    expires_at: datetime | None


def device_name() -> str:
    """The name the server shows for this machine (``deviceName``): its host name."""
    try:
        return socket.gethostname() or "Course Player"
    except OSError:
        return "Course Player"


def sign_in(
    store: Store,
    server_url: str,
    username: str,
    password: str,
    *,
    tokens: TokenStore = default_tokens,
    client: ApiClient | None = None,
) -> SignInResult:
    """``POST /api/auth/token``; on success record the learner and keep the token.

    Wrong credentials raise ``SignInRequired`` with a message saying so; no connection raises
    ``ServerUnavailable``. The password is never stored; a salted verifier of it is
    (``player.services.learner_lock``), so that the window can check it offline.
    """
    url = normalize_url(server_url)
    own = client is None
    api = client or ApiClient(url)
    try:
        answer = api.sign_in(username.strip(), password, device_name())
        published = _published_keys(api)
    finally:
        if own:
            api.close()
    user = answer.user
    profile = profiles.upsert_server_profile(
        store,
        user_id=user.id,
        name=user.name,
        tenant_id=user.tenant_id,
        server_url=url,
        username=username.strip(),
    )
    with store.write() as session:
        tenant = session.get(Tenant, (profile.server, user.tenant_id))
        if tenant is not None and tenant.serverUrl != url:
            tenant.serverUrl = url
            session.add(tenant)
    if published is not False:
        _pin_keys(store, url, published)
    learner_lock.remember(store, profile, password)  # the window unlocks them offline with it
    saved = tokens.save(url, user.id, answer.token)
    log.info(
        "signed in as %s (%s) at %s; token in keyring: %s", user.id, user.tenant_id, url, saved
    )
    return SignInResult(
        profile=profile,
        token_saved=saved,
        warning=tokens.take_warning(),
        expires_at=answer.expires_at,
    )


def _published_keys(api: ApiClient) -> list[PublishedKey] | Literal[False] | None:
    """The server's signing keys (None: it does not sign); False when they could not be read
    now (the next sync asks again)."""
    try:
        return api.keys()
    except SyncError as error:
        log.info("signing keys not read at sign-in: %s", error)
        return False


def _pin_keys(store: Store, url: str, published: list[PublishedKey] | None) -> None:
    """The first sign-in to a server pins its keys (unless the lab policy pinned them)."""
    try:
        keys.check_published(store, url, published)
    except ServerKeyChanged as error:  # the sync that follows stops with this message
        log.warning("signing key of %s changed: %s", url, error)


def open_client(
    profile: Profile, *, tokens: TokenStore = default_tokens, **client_options: Any
) -> ApiClient:
    """A client for the learner's server with their stored token; ``SignInRequired`` without."""
    if profile.isGuest or not profile.serverUrl:
        raise SyncError(
            "auth",
            _(
                "The guest works on this computer only. Sign in to a course server to sync "
                "(“course-player sync --server URL --user NAME”)."
            ),
        )
    token = tokens.load(profile.serverUrl, profile.userId)
    if token is None:
        raise SignInRequired(
            _("Sign in to {server} to sync; everything you did offline is kept.").format(
                server=profile.serverUrl
            )
        )
    return ApiClient(profile.serverUrl, token, **client_options)


def sign_out(profile: Profile, *, tokens: TokenStore = default_tokens) -> None:
    """Forget the learner's token on this machine (their data stays)."""
    if profile.serverUrl:
        tokens.forget(profile.serverUrl, profile.userId)
