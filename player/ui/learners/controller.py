"""Who is learning: the start, the learner chooser, switching, and a locked learner's password.

``LearnerController`` drives the learner chooser and ``UnlockDialog``; what it asks of the window
is ``LearnerHost`` (``MainWindow`` is one). It never imports the window: making a learner the
current one (``host.set_profile``) and showing the main area or the chooser page stay the
window's, since they touch every screen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from player.errors import PlayerError
from player.services import learner_lock, profiles
from player.services.handles import Profile, Store
from player.ui.learners.chooser import LearnerChooser
from player.ui.learners.unlock import UnlockDialog
from player.ui.shell.error_dialogs import show_error
from player.ui.tasks import Job, TaskRunner

if TYPE_CHECKING:
    from player.ui.kiosk.controller import KioskController

log = logging.getLogger(__name__)


class LearnerHost(Protocol):
    """What choosing a learner asks of the window (``MainWindow`` is one)."""

    @property
    def store(self) -> Store: ...

    @property
    def tasks(self) -> TaskRunner: ...

    @property
    def profile(self) -> Profile | None:
        """The current learner, if any."""

    @property
    def kiosk(self) -> bool: ...

    @property
    def kiosk_mode(self) -> KioskController | None:
        """Its lab account sign-in replaces the list of names in kiosk mode."""

    @property
    def learner_chooser(self) -> LearnerChooser: ...

    def set_profile(self, profile: Profile) -> None:
        """Make ``profile`` the learner (every view of the previous one cleared)."""

    def show_learner_page(self) -> None:
        """Put the learner chooser on the screen."""

    def show_main_area(self) -> None:
        """Back to the catalog and the course (the learner did not change)."""

    def show_catalog_loading(self) -> None:
        """The catalog says it is loading (the first start)."""


class LearnerController(QObject):
    """The learner flow of one window (``parent``: dialogs go over it)."""

    def __init__(self, host: LearnerHost, *, parent: QWidget) -> None:
        super().__init__(parent)
        self._host = host
        self._parent = parent
        self.unlock_dialog: UnlockDialog | None = None
        host.learner_chooser.profile_chosen.connect(self.choose)
        host.learner_chooser.cancelled.connect(host.show_main_area)

    def _kiosk(self) -> KioskController | None:
        return self._host.kiosk_mode if self._host.kiosk else None

    def start(self, profile_id: str | None = None) -> None:
        """Choose the learner (asking when several share this computer, and always in kiosk
        mode) and fill the catalog. The store work runs on the write lane: the first start
        creates the guest."""
        kiosk = self._kiosk()
        if profile_id is not None and kiosk is not None and kiosk.account_sign_in is not None:
            log.info("kiosk: learners sign in with their password; --profile is ignored")
            profile_id = None
        if kiosk is not None and profile_id is None:
            self.show_chooser(cancellable=False)  # always asks; the page shows at once
            return
        self._host.show_catalog_loading()
        if profile_id is None:
            self._choose_first()
            return
        # ``--profile NAME``: as when switching, a learner with a server account gives their
        # password first (unless they chose "don't ask"); the learner chooser stays behind the
        # dialog, so cancelling leaves nobody's courses on the screen
        self.show_chooser(cancellable=False)
        self.choose(profile_id, lane=self._host.tasks.write)  # after the guest is made

    def _choose_first(self) -> None:
        host = self._host

        def chosen(learners: profiles.Learners) -> None:
            if len(learners.known) > 1:
                self._fill(learners, cancellable=False)
                host.show_learner_page()
            else:
                host.set_profile(learners.known[0])  # the guest, on a first start

        store = host.store
        host.tasks.write(lambda _job: profiles.learners(store), chosen)

    def show_chooser(self, *, cancellable: bool) -> None:
        """The learner chooser: shown at once, filled once the learners are read (on the write
        lane: the first start creates the guest)."""
        kiosk = self._kiosk()
        if kiosk is not None and kiosk.account_sign_in is not None:
            kiosk.fill_learner_chooser([])  # a user name and password form: no names to read
        else:
            store = self._host.store
            self._host.tasks.write(
                lambda _job: profiles.learners(store),
                lambda learners: self._fill(learners, cancellable=cancellable),
            )
        self._host.show_learner_page()

    def _fill(self, learners: profiles.Learners, *, cancellable: bool) -> None:
        kiosk = self._kiosk()
        if kiosk is not None:
            kiosk.fill_learner_chooser(learners.known)
        else:
            profile = self._host.profile
            current = profile.id if profile else learners.last.id
            self._host.learner_chooser.set_profiles(
                learners.known, current=current, cancellable=cancellable
            )

    def switch(self) -> None:
        """File → Switch learner."""
        self.show_chooser(cancellable=self._host.profile is not None)

    def choose(self, profile_id: str, lane: Callable[..., object] | None = None) -> None:
        """A learner picked on the learner chooser: one with a server account gives their password
        first, unless they chose "don't ask on this computer" (``player.services.learner_lock``)."""
        host = self._host
        store = host.store

        def read(_job: Job) -> tuple[Profile, bool]:
            profile = profiles.get_profile(store, profile_id)
            return profile, learner_lock.needs_password(store, profile)

        def chosen(answer: tuple[Profile, bool]) -> None:
            profile, locked = answer
            current = host.profile
            if current is not None and profile.id == current.id:
                host.show_main_area()
                return
            if locked:
                self._ask_password(profile)
                return
            host.set_profile(profile)

        (lane or host.tasks.read)(read, chosen)

    def _ask_password(self, profile: Profile) -> None:
        if self.unlock_dialog is not None:
            self.unlock_dialog.reject()
        dialog = UnlockDialog(profile, self._parent)
        self.unlock_dialog = dialog
        host = self._host

        def finished(_code: int) -> None:  # accepted, cancelled or closed
            if self.unlock_dialog is dialog:
                self.unlock_dialog = None
            dialog.deleteLater()

        def checked(_result: None) -> None:
            if not dialog.isVisible():
                return  # cancelled while the password was being checked
            dialog.accept()
            host.set_profile(profile)

        def refused(error: BaseException) -> None:
            if isinstance(error, PlayerError):
                dialog.show_problem(str(error))
            else:
                dialog.close()
                show_error(self._parent, error)

        def submitted(password: str, dont_ask: bool) -> None:
            store = host.store

            def check(_job: Job) -> None:
                if dont_ask:
                    learner_lock.set_ask(store, profile, password, ask=False)
                else:
                    learner_lock.unlock(store, profile, password)

            host.tasks.write(check, checked, refused)

        dialog.submitted.connect(submitted)
        dialog.finished.connect(finished)
        dialog.open()
