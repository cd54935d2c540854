"""What every sub-command needs: the store, the acting learner, the settings and lab policy."""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.exc import OperationalError

from player import config
from player.cli.startup import read_start
from player.errors import StoreBusy, StoreFull, StoreUnwritable
from player.policy import LabPolicy
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
        """Read the settings and the policy (``player.cli.startup``), then open the store."""
        start = read_start(args)
        return cls(
            store=open_store(args, start.policy),
            profile_id=args.profile,
            settings=start.settings,
            policy=start.policy,
            kiosk=start.kiosk,
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


def open_store(args: argparse.Namespace, policy: LabPolicy | None) -> Store:
    """The store of ``--data-dir`` (or the platform's), with the policy's keys pinned and the
    local time noted as the floor of trusted time."""
    store = Store(config.data_dir(args.data_dir))
    if policy is not None and policy.public_keys:  # pinned before any sign-in
        from player.services import keys  # signatures (cryptography): only when pinning

        keys.pin_policy_keys(store, policy.server_url, policy.public_keys)
    try:
        clock.note_local_time_in(store)  # the floor of trusted time (player.services.clock)
    except (OperationalError, StoreFull, StoreUnwritable, StoreBusy) as error:
        # a full disk, a busy or read-only store: the command says so when it writes
        log.warning("could not record the local time: %s", error)
    return store
