"""What a start reads before the store: the settings in force, the lab policy, kiosk mode.

Apart from ``context`` (which opens the store) so that the window can paint its frame before
the store layer is imported (``player.ui.shell.app.run``)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from player import config, i18n
from player.policy import LabPolicy, load_policy
from player.settings import Settings


@dataclass(frozen=True)
class Start:
    settings: Settings
    """The settings in force: the person's, with the lab policy's values on top."""
    policy: LabPolicy | None
    """The lab provisioning file (``--config`` or the site file), None when there is none."""
    kiosk: bool
    """``--kiosk`` or the policy's ``kiosk.enabled``."""


def read_start(args: argparse.Namespace) -> Start:
    """Read the settings and the policy (a malformed policy raises ConfigError) and install
    the language. Commands that must work with a broken policy set ``skip_policy``."""
    user = Settings.load()
    locale_dir = config.resources_dir() / "locale"
    i18n.install(user.effective_language(), locale_dir)
    policy: LabPolicy | None = None
    if not getattr(args, "skip_policy", False):
        path = getattr(args, "config", None)
        policy = load_policy(Path(path).expanduser() if path else None)
    settings = user.with_policy(policy)
    if settings.language != user.language:
        i18n.install(settings.effective_language(), locale_dir)
    kiosk = bool(getattr(args, "kiosk", False)) or (policy is not None and policy.kiosk.enabled)
    return Start(settings, policy, kiosk)
