"""What every sub-command needs: the store, the acting learner, the settings and lab policy."""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import OperationalError

from player import config, i18n
from player.errors import StoreBusy, StoreFull, StoreUnwritable
from player.policy import LabPolicy, load_policy
from player.services import clock, profiles
from player.settings import Settings
from player.store.db import Store
from player.store.models import Profile

if TYPE_CHECKING:
    from player.services.access import LabServer

log = logging.getLogger(__name__)


@dataclass
class Context:
    store: Store
    profile_id: str | None
    settings: Settings = field(default_factory=Settings)
    """The settings in force: the person's, with the lab policy's values on top."""
    policy: LabPolicy | None = None
    """The lab provisioning file (``--config`` or the site file), None when there is none."""
    kiosk: bool = False
    """``--kiosk`` or the policy's ``kiosk.enabled``."""

    @classmethod
    def open(cls, args: argparse.Namespace) -> Context:
        """Read the settings and the policy (a malformed policy raises ConfigError), then open
        the store. Commands that must work with a broken policy set ``skip_policy``."""
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
        store = Store(config.data_dir(args.data_dir))
        if policy is not None and policy.public_keys:  # pinned before any sign-in
            from player.services import keys  # signatures (cryptography): only when pinning

            keys.pin_policy_keys(store, policy.server_url, policy.public_keys)
        try:
            clock.note_local_time_in(store)  # the floor of trusted time (player.services.clock)
        except (OperationalError, StoreFull, StoreBusy, StoreUnwritable) as error:
            # a full disk, a busy or read-only store: the command says so when it writes
            log.warning("could not record the local time: %s", error)
        return cls(
            store=store,
            profile_id=args.profile,
            settings=settings,
            policy=policy,
            kiosk=kiosk,
        )

    @property
    def lab(self) -> LabServer | None:
        """The server the lab policy names: its courses on this machine are listed for every
        learner (``player.services.access.LabServer``)."""
        from player.services.access import LabServer

        return LabServer.from_policy(self.policy)

    def refuse_sign_in(self, course_id: str) -> None:
        """A command on a course of the lab's server that this learner sees as "sign in to
        open" ends with that message (status 3), not with "no such course"."""
        if self.policy is None or not self.policy.server_url:
            return
        from player.services.access import refuse_sign_in

        refuse_sign_in(self.store, self.profile, course_id, self.lab)

    @cached_property
    def profile(self) -> Profile:
        """``--profile``, else the machine's last learner, else the guest."""
        if self.profile_id:
            return profiles.get_profile(self.store, self.profile_id)
        return profiles.last_used(self.store)
