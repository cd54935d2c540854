"""Signing a learner in on a lab machine: kiosk mode with a lab policy that names a server.

There, picking a remembered learner from a list would let anyone continue as anyone else, so a
learner proves who they are at every session, with their user name and password:

- **online**: the server checks the password (``sign_in``, in the window
  ``player.sync.server_signin.sign_in`` against ``policy.server_url``). When the policy names a tenant,
  the learner must belong to it; otherwise their new token is dropped (``sign_out``) and the
  sign-in refused (``CrossTenant``). On success an offline verifier of the password is kept:
  ``OfflineCredential``, a salted PBKDF2 hash (``player.passwords``), never the password;
- **offline** (no connection, a timeout, a failing server; not a 401, which is a wrong
  password): the password is checked against that verifier. A learner who never signed in online
  on this machine cannot sign in offline (``FirstSignInNeedsNetwork``);
- a wrong password, online or offline, is ``WrongCredentials``, which does not say whether the
  user exists.

``lab_sign_in`` takes the sign-in and sign-out as callables, so the core needs no network code
here and the tests call it with a real server or a stand-in that raises ``ServerUnavailable``.
Outside kiosk mode, or with a policy without a server, none of this is used (``applies``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlmodel import col, delete, select

from player import passwords
from player.errors import (
    ConfigError,
    CrossTenant,
    FirstSignInNeedsNetwork,
    ServerUnavailable,
    SignInRefused,
    SignInRequired,
    WrongCredentials,
)
from player.i18n import _
from player.policy import LabPolicy
from player.store.db import Store
from player.store.models import LearnerLock, OfflineCredential, Profile
from player.timeutil import utcnow

log = logging.getLogger(__name__)

VERIFIER_ITERATIONS = passwords.DEFAULT_ITERATIONS
"""PBKDF2 rounds for a new verifier (600,000)."""
MIN_VERIFIER_ITERATIONS = 200_000
"""A stored verifier with fewer rounds is not accepted (treated as no verifier)."""


class OnlineAnswer(Protocol):
    """What a successful online sign-in gives (``player.sync.server_signin.SignInResult`` fits)."""

    @property
    def profile(self) -> Profile: ...

    @property
    def warning(self) -> str | None: ...


OnlineSignIn = Callable[[str, str, str], OnlineAnswer]
"""``sign_in(server_url, username, password)``: raises ``SignInRequired`` for wrong credentials
and ``ServerUnavailable`` when the server cannot be reached."""

SignOut = Callable[[Profile], None]
"""Drop the learner's token on this machine (``player.sync.server_signin.sign_out``)."""


@dataclass(frozen=True)
class LabSignIn:
    profile: Profile
    #: True: the server checked the password; False: the offline verifier did.
    online: bool
    #: A message to show once (e.g. no keyring), else None.
    warning: str | None = None


def server_key(url: str) -> str:
    """The server address as credentials are filed under (no trailing slash)."""
    return url.strip().rstrip("/")


def unreachable(error: ServerUnavailable) -> bool:
    """The server could not check the password: no connection, a timeout, a broken connection,
    a failing server (5xx, 408). Not 429: the server is refusing more attempts for now, and the
    offline check must not be a way around that."""
    return error.status is None or error.status >= 500 or error.status == 408


def lab_sign_in(
    store: Store,
    policy: LabPolicy,
    username: str,
    password: str,
    *,
    sign_in: OnlineSignIn,
    sign_out: SignOut,
    iterations: int = VERIFIER_ITERATIONS,
) -> LabSignIn:
    """Sign ``username`` in with ``password``: online when the server answers, else offline.

    Raises ``WrongCredentials``, ``FirstSignInNeedsNetwork``, ``CrossTenant`` (a learner of
    another tenant than the policy's), ``SignInRefused`` (the server refuses more attempts for
    now), or the server's final refusal (``ServerRefused``, ``ServerAnswerInvalid``).
    """
    if not policy.server_url:
        raise ConfigError(_("The lab's policy names no course server to sign in with."))
    server = server_key(policy.server_url)
    username = username.strip()
    if not username or not password:
        raise WrongCredentials()
    known = profile_ids(store)
    try:
        answer = sign_in(server, username, password)
    except SignInRequired:
        log.info("lab sign-in refused by the server (wrong user name or password)")
        _forget_if_stale(store, server, username, password)
        raise WrongCredentials() from None
    except ServerUnavailable as error:
        if not unreachable(error):
            log.info("lab sign-in: the server refuses more attempts for now (%s)", error.status)
            raise SignInRefused(
                _(
                    "The course server is not accepting more sign-ins right now. Wait a minute "
                    "and try again."
                )
            ) from None
        log.info("lab sign-in: server unreachable (%s); checking the offline verifier", error)
        profile = check_offline(store, server, username, password)
        if policy.tenant_id and profile.tenantId != policy.tenant_id:
            raise wrong_tenant(policy) from None
        log.info("lab sign-in: %s signed in offline", profile.id)
        return LabSignIn(profile=profile, online=False)
    profile = answer.profile
    refuse_other_tenant(store, policy, profile, known, sign_out)
    remember_password(store, profile, server, username, password, iterations=iterations)
    log.info("lab sign-in: %s signed in online", profile.id)
    return LabSignIn(profile=profile, online=True, warning=answer.warning)


def refuse_other_tenant(
    store: Store, policy: LabPolicy, profile: Profile, known: set[str], sign_out: SignOut
) -> None:
    """After an online sign-in: a learner of another tenant than the policy's is signed out,
    forgotten if this machine did not know them before (``known``, from ``profile_ids``), and
    refused with ``CrossTenant``."""
    if not policy.tenant_id or profile.tenantId == policy.tenant_id:
        return
    log.warning(
        "sign-in: %s belongs to tenant %s, not the policy's %s; refused",
        profile.id,
        profile.tenantId,
        policy.tenant_id,
    )
    sign_out(profile)
    if profile.id not in known:  # leave no trace of a learner this machine is not for
        _delete_profile(store, profile.id)
    raise wrong_tenant(policy)


def profile_ids(store: Store) -> set[str]:
    """The ids of the learners this machine knows."""
    with store.read() as session:
        return set(session.exec(select(Profile.id)))


def remember_password(
    store: Store,
    profile: Profile,
    server_url: str,
    username: str,
    password: str,
    *,
    iterations: int = VERIFIER_ITERATIONS,
) -> None:
    """Keep an offline verifier of ``password`` for ``profile`` (after an online success)."""
    verifier = passwords.make_verifier(password, iterations=iterations)
    server = server_key(server_url)
    with store.write() as session:
        session.exec(  # the user name may have belonged to another account before
            delete(OfflineCredential)
            .where(col(OfflineCredential.serverUrl) == server)
            .where(col(OfflineCredential.username) == username)
            .where(col(OfflineCredential.profileId) != profile.id)
        )
        row = session.get(OfflineCredential, profile.id)
        if row is None:
            row = OfflineCredential(
                profileId=profile.id,
                username=username,
                serverUrl=server,
                verifier=verifier,
                updatedAt=utcnow(),
            )
        else:
            row.username = username
            row.serverUrl = server
            row.verifier = verifier
            row.updatedAt = utcnow()
        session.add(row)


def check_offline(store: Store, server_url: str, username: str, password: str) -> Profile:
    """The learner whose offline verifier ``password`` matches; ``FirstSignInNeedsNetwork`` when
    ``username`` never signed in online here, ``WrongCredentials`` when it does not match."""
    row = _credential(store, server_key(server_url), username.strip())
    if row is None:
        raise FirstSignInNeedsNetwork()
    try:
        right = passwords.check_verifier(
            row.verifier, password, min_iterations=MIN_VERIFIER_ITERATIONS
        )
    except passwords.VerifierFormatError as error:
        log.warning("offline verifier of %s is unusable (%s); ignoring it", row.profileId, error)
        raise FirstSignInNeedsNetwork() from None
    if not right:
        log.info("lab sign-in offline: wrong password")
        raise WrongCredentials()
    with store.read() as session:
        profile = session.get(Profile, row.profileId)
    if profile is None:
        raise FirstSignInNeedsNetwork()
    return profile


def forget_offline_credential(store: Store, profile_id: str) -> None:
    with store.write() as session:
        session.exec(
            delete(OfflineCredential).where(col(OfflineCredential.profileId) == profile_id)
        )


# --- helpers ---------------------------------------------------------------------------------


def _credential(store: Store, server: str, username: str) -> OfflineCredential | None:
    with store.read() as session:
        return session.exec(
            select(OfflineCredential)
            .where(col(OfflineCredential.serverUrl) == server)
            .where(col(OfflineCredential.username) == username)
        ).first()


def _forget_if_stale(store: Store, server: str, username: str, password: str) -> None:
    """The server refused a password the offline verifier still accepts: it was changed (or the
    account closed), so the old one must stop working offline. A wrong guess changes nothing."""
    row = _credential(store, server, username)
    if row is None:
        return
    try:
        stale = passwords.check_verifier(
            row.verifier, password, min_iterations=MIN_VERIFIER_ITERATIONS
        )
    except passwords.VerifierFormatError:
        stale = True
    if stale:
        log.info("lab sign-in: the offline verifier of %s is out of date; removed", row.profileId)
        forget_offline_credential(store, row.profileId)


def wrong_tenant(policy: LabPolicy) -> CrossTenant:
    """The refusal for a learner of another tenant than the policy's."""
    return CrossTenant(
        _(
            "This computer is for the learners of “{tenant}” only, and your account is not "
            "one of them. Ask your teacher or the lab's technician."
        ).format(tenant=policy.tenant_id)
    )


def _delete_profile(store: Store, profile_id: str) -> None:
    with store.write() as session:
        lock = session.get(LearnerLock, profile_id)
        if lock is not None:
            session.delete(lock)
        row = session.get(Profile, profile_id)
        if row is not None:
            session.delete(row)
