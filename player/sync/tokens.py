"""Sign-in tokens: kept with ``keyring`` (service ``course-player:<server URL>``, user = user id).

A token is never written to the database or a plain file. Where no keyring backend works (a
headless Linux box, a locked-down kiosk: ``keyring.backends.fail``, ``NoKeyringError`` and other
``KeyringError``), the token is kept in this process's memory only and ``warning`` says so once.
"""

from __future__ import annotations

import logging
import threading

import keyring
import keyring.errors

from player.i18n import _
from player.sync.client import normalize_url

log = logging.getLogger(__name__)

SERVICE_PREFIX = "course-player:"

# What a broken or missing backend may raise besides KeyringError (dbus, file permissions...).
_BACKEND_ERRORS: tuple[type[Exception], ...] = (keyring.errors.KeyringError, RuntimeError, OSError)


def service_name(server_url: str) -> str:
    return SERVICE_PREFIX + normalize_url(server_url)


def no_keyring_message() -> str:
    return _(
        "This computer has no password store (keyring) the player can use, so your sign-in is "
        "kept only until the player closes. You will be asked to sign in again next time."
    )


class TokenStore:
    """Tokens per (server, user): keyring first, this process's memory as the fallback."""

    def __init__(self) -> None:
        self._memory: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()
        self._warned = False
        #: Set once a keyring operation failed in this process (the UI and CLI show it once).
        self.keyring_unavailable = False

    def save(self, server_url: str, user: str, token: str) -> bool:
        """Keep ``token``; True when it is in the keyring, False when in memory only."""
        key = (service_name(server_url), user)
        with self._lock:
            self._memory[key] = token  # also a cache in front of the keyring
        try:
            keyring.set_password(key[0], key[1], token)
        except _BACKEND_ERRORS as error:
            self._fallback("save", error)
            return False
        return True

    def take_warning(self) -> str | None:
        """The "no keyring" message, the first time it is asked for after a fallback."""
        with self._lock:
            if not self.keyring_unavailable or self._warned:
                return None
            self._warned = True
        return no_keyring_message()

    def load(self, server_url: str, user: str) -> str | None:
        key = (service_name(server_url), user)
        with self._lock:
            cached = self._memory.get(key)
        if cached is not None:
            return cached
        try:
            token = keyring.get_password(key[0], key[1])
        except _BACKEND_ERRORS as error:
            self._fallback("load", error)
            return None
        if token:
            with self._lock:
                self._memory[key] = token
        return token or None

    def forget(self, server_url: str, user: str) -> None:
        """Drop the token (sign-out, or the server said it is no longer valid)."""
        key = (service_name(server_url), user)
        with self._lock:
            self._memory.pop(key, None)
        try:
            keyring.delete_password(key[0], key[1])
        except keyring.errors.PasswordDeleteError:
            pass
        except _BACKEND_ERRORS as error:
            self._fallback("delete", error)

    def clear_memory(self) -> None:
        """Forget the in-memory copies (tests; a process that wants to re-read the keyring)."""
        with self._lock:
            self._memory.clear()

    def _fallback(self, operation: str, error: Exception) -> None:
        if not self.keyring_unavailable:
            log.warning("keyring unavailable (%s): %s; tokens stay in memory", operation, error)
        self.keyring_unavailable = True


#: The process's token store (the window and the command line share it).
default_tokens = TokenStore()
