"""Sync screens: the sign-in dialog, the sync controller, the status area, the Buy flow."""

from player.ui.sync.buy import BuyFlow
from player.ui.sync.controller import SyncController
from player.ui.sync.details_dialog import SyncDetailsDialog
from player.ui.sync.server_signin import ServerSignInDialog
from player.ui.sync.status_widget import SyncStatusWidget

__all__ = [
    "BuyFlow",
    "ServerSignInDialog",
    "SyncController",
    "SyncDetailsDialog",
    "SyncStatusWidget",
]
