"""Learners are locked: acting as a learner who has a server account needs their password.

- Each server sign-in keeps a salted PBKDF2 verifier of the password (``remember``, called by
  ``player.sync.server_signin.sign_in``; ``player.passwords``, as the lab sign-in does), never the
  password itself.
- In the window, switching to such a learner asks for the password, checked offline against the
  verifier (``unlock``), unless that learner chose "don't ask on this computer" for themselves
  (``set_ask``, which itself needs their password), and may take that back (``ask_again``:
  File → Ask for my password on this computer). The guest has no server account, so nothing
  of a signed-in learner is ever reachable as the guest.
- Buying always needs the password, in the window and on the command line (``confirm``), whatever
  "don't ask" says.
- Other commands of the command line act as the owner of the operating-system account and stay
  unlocked, so that scripts keep working.

A learner who signed in before this store version has no verifier yet: unlocking them asks for a
new server sign-in (``LearnerLocked``), which keeps one.
"""

from __future__ import annotations

import logging

from player import passwords
from player.errors import LearnerLocked, WrongCredentials
from player.i18n import _
from player.store.db import Store
from player.store.models import LearnerLock, Profile
from player.timeutil import utcnow

log = logging.getLogger(__name__)

ITERATIONS = passwords.DEFAULT_ITERATIONS
"""PBKDF2 rounds for a new verifier (tests lower it with MIN_ITERATIONS)."""
MIN_ITERATIONS = 200_000
"""A stored verifier with fewer rounds is not accepted (treated as none)."""


def is_locked_kind(profile: Profile) -> bool:
    """Whether acting as ``profile`` can need a password: a learner with a server account."""
    return not profile.isGuest and bool(profile.serverUrl)


def remember(store: Store, profile: Profile, password: str) -> None:
    """Keep a verifier of ``password`` for ``profile`` (after the server accepted it); the
    learner's "don't ask" choice stays as it was."""
    if not is_locked_kind(profile) or not password:
        return
    verifier = passwords.make_verifier(password, iterations=ITERATIONS)
    with store.write() as session:
        row = session.get(LearnerLock, profile.id)
        if row is None:
            row = LearnerLock(profileId=profile.id, verifier=verifier, updatedAt=utcnow())
        else:
            row.verifier = verifier
            row.updatedAt = utcnow()
        session.add(row)


def needs_password(store: Store, profile: Profile) -> bool:
    """Whether switching to ``profile`` in the window asks for their password."""
    if not is_locked_kind(profile):
        return False
    with store.read() as session:
        row = session.get(LearnerLock, profile.id)
    return row is None or row.ask


def has_verifier(store: Store, profile: Profile) -> bool:
    with store.read() as session:
        return session.get(LearnerLock, profile.id) is not None


def unlock(store: Store, profile: Profile, password: str) -> None:
    """Check ``password`` for ``profile`` offline; ``WrongCredentials`` when it is not theirs,
    ``LearnerLocked`` when this computer keeps nothing to check it against."""
    if not is_locked_kind(profile):
        return
    with store.read() as session:
        row = session.get(LearnerLock, profile.id)
    if row is None:
        raise _no_verifier(profile)
    try:
        right = passwords.check_verifier(row.verifier, password, min_iterations=MIN_ITERATIONS)
    except passwords.VerifierFormatError as error:
        log.warning("the lock verifier of %s is unusable (%s)", profile.id, error.problem)
        raise _no_verifier(profile) from None
    if not right:
        log.info("wrong password for %s", profile.id)
        raise WrongCredentials()


def confirm(store: Store, profile: Profile, password: str | None) -> None:
    """Before a purchase: always the password, "don't ask" or not."""
    if not password:
        raise LearnerLocked(
            _("Buying needs {name}'s password. Nothing was bought.").format(
                name=profile.displayName
            )
        )
    unlock(store, profile, password)


def set_ask(store: Store, profile: Profile, password: str, ask: bool) -> None:
    """The learner's own choice for this computer: ask for their password when someone switches
    to them (``ask``) or not. Needs their password; changes nothing for any other learner."""
    unlock(store, profile, password)
    with store.write() as session:
        row = session.get(LearnerLock, profile.id)
        if row is None:  # unlock found it a moment ago; forgotten meanwhile
            raise _no_verifier(profile)
        row.ask = ask
        row.updatedAt = utcnow()
        session.add(row)
    log.info("%s: ask for the password on this computer: %s", profile.id, ask)


def ask_again(store: Store, profile: Profile) -> None:
    """``profile`` takes back "don't ask on this computer": switching to them asks for their
    password again. It only makes them safer, so it needs no password; the window offers it to
    the acting learner only, for themselves. Changes nothing for any other learner."""
    if not is_locked_kind(profile):
        return
    with store.write() as session:
        row = session.get(LearnerLock, profile.id)
        if row is None or row.ask:  # no verifier yet: switching to them asks already
            return
        row.ask = True
        row.updatedAt = utcnow()
        session.add(row)
    log.info("%s: ask for the password on this computer again", profile.id)


def forget(store: Store, profile_id: str) -> None:
    with store.write() as session:
        row = session.get(LearnerLock, profile_id)
        if row is not None:
            session.delete(row)


def _no_verifier(profile: Profile) -> LearnerLocked:
    return LearnerLocked(
        _(
            "{name}'s password cannot be checked on this computer yet. Sign in to the course "
            "server again as {name} (File → Sign in to a server…, or “course-player signin”)."
        ).format(name=profile.displayName)
    )
