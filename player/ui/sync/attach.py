"""Wire the sync screens into the main window: status area, Sync now, server sign-in, Buy.

Kept out of ``main_window.py`` so the window stays a thin controller and tests of the window
alone need no server; ``player.ui.shell.app.run`` attaches sync to the real window. The wiring
asks the window for what ``SyncHost`` names; ``parent`` is the window as a widget (the menu
actions' shortcuts, the dialogs).
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from player.i18n import _
from player.services.handles import Profile, Store
from player.settings import Settings
from player.sync.tokens import TokenStore, default_tokens
from player.ui.kiosk.controller import KioskController
from player.ui.learners.chooser import LearnerChooser
from player.ui.overview.view import CourseOverview
from player.ui.shell.menus import MenuActions
from player.ui.sync.buy import BuyFlow
from player.ui.sync.controller import SyncController
from player.ui.sync.server_signin import ServerSignInDialog
from player.ui.sync.status_widget import SyncStatusWidget
from player.ui.tasks import Pool


class SyncHost(Protocol):
    """What sync asks of the window (``MainWindow`` is one)."""

    @property
    def store(self) -> Store: ...

    @property
    def settings(self) -> Settings:
        """The settings in force: the sync interval, the server to offer."""

    @property
    def profile(self) -> Profile | None:
        """The learner who syncs, if any."""

    @property
    def kiosk(self) -> bool: ...

    @property
    def kiosk_mode(self) -> KioskController | None:
        """Its lab account sign-in gets sync's token store; a sync follows an online sign-in."""

    @property
    def menus(self) -> MenuActions:
        """Sync now and Sign in to a server go into the File menu."""

    @property
    def overview(self) -> CourseOverview:
        """Its Buy button."""

    @property
    def download_requested(self) -> SignalInstance:
        """A course the learner removed is wanted back (Download on its page): sync now."""

    @property
    def learner_chooser(self) -> LearnerChooser:
        """Its "sign in to a server" button."""

    @property
    def profile_changed(self) -> SignalInstance: ...

    @property
    def signed_out(self) -> SignalInstance: ...

    @property
    def settings_applied(self) -> SignalInstance: ...

    def add_status_widget(self, widget: QWidget) -> None:
        """The sync status goes into the status bar."""

    def refresh_catalog(self, *, select: str | None = None) -> None:
        """After a sync or a purchase: the catalog again, ``select`` chosen."""

    def set_profile(self, profile: Profile) -> None:
        """After a server sign-in: that learner is the current one."""


class SyncWiring(QObject):
    """Everything sync adds to one main window; lives as long as the window."""

    def __init__(
        self,
        window: SyncHost,
        *,
        parent: QMainWindow,
        pool: Pool | None = None,
        tokens: TokenStore = default_tokens,
    ) -> None:
        super().__init__(parent)
        self.window = window
        self.parent_window = parent
        self.pool = pool
        self.tokens = tokens
        self.controller = SyncController(
            window.store,
            interval_minutes=window.settings.sync_interval_minutes,
            tokens=tokens,
            pool=pool,
            parent=self,
        )
        self.status = SyncStatusWidget(self.controller, parent)
        window.add_status_widget(self.status)
        self.buy_flow = BuyFlow(
            window.store, lambda: window.profile, parent_widget=parent, tokens=tokens, pool=pool
        )
        self.dialog: ServerSignInDialog | None = None

        self.controller.finished.connect(self._refresh)
        self.controller.sign_in_required.connect(self.open_sign_in)
        self.buy_flow.bought.connect(lambda course_id: window.refresh_catalog(select=course_id))
        self.buy_flow.sign_in_required.connect(self.open_sign_in)
        window.overview.buy_requested.connect(self.buy_flow.buy)
        window.download_requested.connect(lambda _course_id: self.controller.sync_now())
        window.overview.set_buy_available(True)
        window.learner_chooser.sign_in_requested.connect(lambda: self.open_sign_in(""))
        window.learner_chooser.set_sign_in_available(True)
        window.profile_changed.connect(lambda _id: self.controller.set_profile(window.profile))
        window.signed_out.connect(lambda: self.controller.set_profile(None))
        window.settings_applied.connect(
            lambda: self.controller.set_interval(window.settings.sync_interval_minutes)
        )
        parent.destroyed.connect(self.controller.cancel)

        menu = window.menus.file_menu
        self.sync_action = QAction(_("S&ync now"), parent)
        self.sync_action.setShortcut(QKeySequence("F5"))
        self.sync_action.triggered.connect(self.controller.sync_now)
        self.server_action = QAction(_("Sign in to a se&rver…"), parent)
        self.server_action.triggered.connect(lambda: self.open_sign_in(""))
        first = menu.actions()[0]  # sync goes first in the File menu
        menu.insertActions(first, [self.sync_action, self.server_action])
        menu.insertSeparator(first)
        parent.addAction(self.sync_action)
        self._attach_kiosk_sign_in()
        if window.profile is not None:
            self.controller.set_profile(window.profile)

    def _attach_kiosk_sign_in(self) -> None:
        """Kiosk mode with a server policy: learners sign in on the learner chooser's form
        (``player.ui.kiosk.lab_accounts``) with this wiring's tokens; a sync follows an online sign-in.
        The File menu's server sign-in is hidden while kiosk mode lasts."""
        kiosk = self.window.kiosk_mode
        flow = kiosk.account_sign_in if kiosk is not None else None
        if kiosk is None or flow is None:
            return
        flow.tokens = self.tokens
        flow.signed_in.connect(self._kiosk_signed_in)
        self.server_action.setVisible(not self.window.kiosk)
        kiosk.left.connect(lambda: self.server_action.setVisible(True))

    def _kiosk_signed_in(self, result: object) -> None:
        if getattr(result, "online", False):
            self.controller.sync_now()

    def _refresh(self, _report: object) -> None:
        if self.window.profile is not None:
            self.window.refresh_catalog(select=self.window.overview.course_id)

    def open_sign_in(self, message: str = "") -> ServerSignInDialog:
        """Ask for the server, user name and password; on success the learner becomes current."""
        if self.dialog is not None and self.dialog.isVisible():
            return self.dialog
        profile = self.window.profile
        settings = self.window.settings
        # in kiosk mode a sign-in again (expired token) is for the learner at the keyboard only
        same_learner = self.window.kiosk and profile is not None and bool(profile.serverUrl)
        self.dialog = ServerSignInDialog(
            self.window.store,
            server_url=(
                profile.serverUrl if profile and profile.serverUrl else settings.server_url
            ),
            username=(profile.username or "") if profile else "",
            server_locked=same_learner or "server_url" in settings.locked,
            username_locked=same_learner,
            message=message,
            tokens=self.tokens,
            pool=self.pool,
            parent=self.parent_window,
        )
        self.dialog.signed_in.connect(self._signed_in)
        self.dialog.open()
        return self.dialog

    def _signed_in(self, result: object) -> None:
        profile = getattr(result, "profile", None)
        if profile is None:
            return
        current = self.window.profile
        if self.window.kiosk and current is not None and profile.id != current.id:
            QMessageBox.warning(
                self.parent_window,
                _("Sign in"),
                _("Only the learner who is signed in can sign in again here. Sign out first."),
            )
            return
        self.window.set_profile(profile)
        self.controller.set_profile(profile)
        self.controller.sync_now()
