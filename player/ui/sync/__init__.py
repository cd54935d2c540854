"""Sync screens: the sign-in dialog, the sync controller, the status area, the Buy flow."""

from player.ui.sync import emitfix

emitfix.install()  # before any of these widgets emits a signal (see emitfix)

from player.ui.sync.buy import BuyFlow  # noqa: E402
from player.ui.sync.controller import SyncController  # noqa: E402
from player.ui.sync.details_dialog import SyncDetailsDialog  # noqa: E402
from player.ui.sync.signin_dialog import SignInDialog  # noqa: E402
from player.ui.sync.status_widget import SyncStatusWidget  # noqa: E402

__all__ = ["BuyFlow", "SignInDialog", "SyncController", "SyncDetailsDialog", "SyncStatusWidget"]
