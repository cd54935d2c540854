"""The two values a client of the services holds and hands back to them: the store and the learner.

``Store`` is the handle on the player's database (``player.store.db``): a client passes it to
services and never opens a session on it. ``Profile`` is the acting learner
(``player.store.models``): services take it as "who is asking", never a user id from the caller.

The window (``player/ui/``) imports these two from here, so that it depends on the services only
and never on the store package (the layer table in docs/architecture.md checks it).
"""

from __future__ import annotations

from player.store.db import Store
from player.store.models import Profile

__all__ = ["Profile", "Store"]
