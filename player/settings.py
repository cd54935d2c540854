"""The one typed settings object: what a person may change in the settings dialog.

Stored as JSON in the user config directory (``config.user_config_dir() / "settings.json"``),
written atomically. A lab policy (``player.policy``) wins over the stored values: ``with_policy``
returns the settings in force, with ``locked`` naming the fields the policy fixes (the dialog shows
them disabled). Saving settings in force keeps the person's own values of locked fields, so taking
a machine out of a lab gives each person their settings back.

A settings file that cannot be read is not an error a person can fix: the player logs it and uses
the defaults (or the default of the one bad field).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from player import config
from player.policy import (
    TEXT_SIZE_MAX,
    TEXT_SIZE_MIN,
    LabPolicy,
    language_supported,
    url_problem,
)

log = logging.getLogger(__name__)

SETTINGS_FILE_NAME = "settings.json"
THEMES = ("system", "light", "dark")
TEXT_ZOOM_STEP = 10
TEXT_ZOOMS = tuple(range(TEXT_SIZE_MIN, TEXT_SIZE_MAX + 1, TEXT_ZOOM_STEP))
"""The text sizes (percent) offered when no policy restricts them: 50 to 300 in steps of 10."""
DEFAULT_SYNC_INTERVAL_MINUTES = 10
STORED_FIELDS = ("server_url", "sync_interval_minutes", "text_zoom", "theme", "language")


@dataclass
class Settings:
    server_url: str = ""
    """The course server; "" until someone signs in or a policy names it."""
    sync_interval_minutes: int = DEFAULT_SYNC_INTERVAL_MINUTES
    text_zoom: int = 100
    """Text size in percent of the normal size; one of ``text_zoom_choices``."""
    theme: str = "system"
    """One of ``THEMES``: "system" (follow the desktop), "light" or "dark"."""
    language: str = ""
    """UI language code ("de"); "" follows the system."""

    # Not stored: what the policy in force decides.
    text_zoom_choices: tuple[int, ...] = field(default=TEXT_ZOOMS, compare=False)
    locked: frozenset[str] = field(default=frozenset(), compare=False)
    """Fields the lab policy fixes; the settings dialog shows them read-only."""
    hidden_values: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The person's own values of locked fields, written back by ``save``."""

    # --- files ---------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """The stored settings; defaults for a missing file, an unreadable one or a bad field."""
        target = path or settings_path()
        try:
            data = json.loads(target.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            log.warning("settings %s unreadable (%s); using the defaults", target, error)
            return cls()
        if not isinstance(data, dict):
            log.warning("settings %s is not a JSON object; using the defaults", target)
            return cls()
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        defaults = cls()
        values: dict[str, Any] = {}
        for name in STORED_FIELDS:
            if name not in data:
                continue
            value = data[name]
            if _valid(name, value):
                values[name] = value
            else:
                log.warning(
                    "setting %s=%r is not valid; using %r", name, value, getattr(defaults, name)
                )
        unknown = set(data) - set(STORED_FIELDS)
        if unknown:
            log.info("ignoring unknown settings (from a newer version?): %s", sorted(unknown))
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """The stored fields, with the person's own values where a policy hides them."""
        out = {name: getattr(self, name) for name in STORED_FIELDS}
        for name in self.locked:
            out[name] = self.hidden_values.get(name, out[name])
        return out

    def save(self, path: Path | None = None) -> None:
        """Write atomically: a crash leaves the old file or the new one, never half of one."""
        target = path or settings_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"
        handle, temp = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        log.info("settings saved to %s", target)

    # --- the policy ------------------------------------------------------------------------------

    def with_policy(self, policy: LabPolicy | None) -> Settings:
        """The settings in force: the policy's values win over the person's.

        Server, sync interval and language become ``locked``; the text size stays the person's
        choice among the policy's ``text_sizes`` (snapped to the nearest one).
        """
        if policy is None:
            return self
        overrides: dict[str, Any] = {}
        if policy.server_url is not None:
            overrides["server_url"] = policy.server_url
        if policy.sync_interval_minutes is not None:
            overrides["sync_interval_minutes"] = policy.sync_interval_minutes
        if policy.language is not None:
            overrides["language"] = policy.language
        hidden = {name: getattr(self, name) for name in overrides}
        hidden.update(self.hidden_values)  # applied twice: keep the person's real values
        choices = policy.text_sizes or self.text_zoom_choices
        zoom = nearest(choices, self.text_zoom) if policy.text_sizes else self.text_zoom
        return dataclasses.replace(
            self,
            text_zoom=zoom,
            text_zoom_choices=choices,
            locked=self.locked | frozenset(overrides),
            hidden_values=hidden,
            **overrides,
        )

    def effective_language(self) -> str:
        """The language to install: the chosen one, else the system's ("" when unknown)."""
        return self.language or system_language()


def settings_path() -> Path:
    return config.user_config_dir() / SETTINGS_FILE_NAME


def nearest(choices: tuple[int, ...], value: int) -> int:
    """The choice closest to ``value`` (the smaller one on a tie)."""
    return min(choices, key=lambda choice: (abs(choice - value), choice))


def system_language() -> str:
    """The language of the environment as gettext reads it ("de" from LANG=de_DE.UTF-8)."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            code = value.split(":")[0].split(".")[0].split("@")[0]
            return "" if code in ("C", "POSIX") else code
    return ""


def _valid(name: str, value: Any) -> bool:
    if name == "server_url":
        return isinstance(value, str) and (value == "" or url_problem(value) is None)
    if name == "sync_interval_minutes":
        return type(value) is int and 1 <= value <= 24 * 60
    if name == "text_zoom":
        return type(value) is int and TEXT_SIZE_MIN <= value <= TEXT_SIZE_MAX
    if name == "theme":
        return value in THEMES
    if name == "language":
        return isinstance(value, str) and (value == "" or language_supported(value))
    return False
