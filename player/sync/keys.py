"""The first step of a sync: what keys does the server sign with, and do we trust them?

``GET /api/learn/keys`` (no sign-in needed). The first answer pins the keys (trust on first use)
unless the lab policy pinned them before; later answers may add a key only while a trusted key is
still published beside it. A key change nobody vouches for raises ``ServerKeyChanged``, which
stops the sync (``player.services.keys``).
"""

from __future__ import annotations

import logging

from player.i18n import _
from player.services import keys
from player.sync.report import CATALOG
from player.sync.run import Run

log = logging.getLogger(__name__)


def pull_keys(run: Run) -> None:
    run.progress(CATALOG, 0, 1, _("Checking the server's signing keys"))
    published = run.client.keys()
    state = keys.check_published(run.store, run.profile.serverUrl or "", published)
    log.info("signing keys of %s: %s", run.profile.server, state)
