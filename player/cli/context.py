"""What every sub-command needs: the store and the acting learner."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from player import config
from player.services import profiles
from player.store.db import Store
from player.store.models import Profile


@dataclass
class Context:
    store: Store
    profile_id: str | None
    settings: Any = None

    @classmethod
    def open(cls, args: argparse.Namespace) -> Context:
        return cls(store=Store(config.data_dir(args.data_dir)), profile_id=args.profile)

    @cached_property
    def profile(self) -> Profile:
        """``--profile``, else the machine's last learner, else the guest."""
        if self.profile_id:
            return profiles.get_profile(self.store, self.profile_id)
        return profiles.last_used(self.store)
