"""File → Ask for my password on this computer: the learner's own way back from "don't ask".

A learner with a server account may tick "Don't ask for my password on this computer" in the
unlock dialog; this checkable action shows their choice and changes it, for the current learner
only (the window's acting learner, who is unlocked: they gave their password or chose not to be
asked):

- ticking it (ask again) only makes switching to them safer, so it needs nothing more
  (``player.services.learner_lock.ask_again``);
- unticking it (stop asking) needs their password, checked offline as the unlock dialog does
  (``learner_lock.set_ask``), so that nobody else at the keyboard can switch their lock off.

The action is hidden for the guest and for learners without a server account (nothing to ask),
and in kiosk mode (every session there signs in with a password anyway). The store work runs on
the window's task helper; a result that arrives after the learner changed is dropped by it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from player.errors import PlayerError
from player.i18n import _
from player.services import learner_lock
from player.services.handles import Profile, Store
from player.ui.learners.unlock import UnlockDialog
from player.ui.shell.error_dialogs import show_error, show_status
from player.ui.tasks import Job, TaskRunner


class AskPasswordControl(QObject):
    """The checkable action; ``refresh()`` after the learner changed."""

    def __init__(
        self,
        parent: QWidget,
        menu: QMenu,
        before: QAction | None,
        *,
        store: Store,
        tasks: TaskRunner,
        current: Callable[[], Profile | None],
        kiosk: Callable[[], bool],
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self._store = store
        self._tasks = tasks
        self._current = current
        self._kiosk = kiosk
        self.dialog: UnlockDialog | None = None
        self.action = QAction(_("&Ask for my password on this computer"), parent)
        self.action.setObjectName("askPasswordAction")
        self.action.setCheckable(True)
        self.action.setVisible(False)
        self.action.toggled.connect(self._on_toggled)
        if before is not None:
            menu.insertAction(before, self.action)
        else:
            menu.addAction(self.action)

    def refresh(self) -> None:
        """Show the current learner's choice (read off the UI thread), or hide the action."""
        profile = self._current()
        if profile is None or self._kiosk() or not learner_lock.is_locked_kind(profile):
            self.action.setVisible(False)
            return
        store = self._store

        def shown(ask: bool) -> None:
            if self._same(profile):
                self._show(ask)
                self.action.setVisible(True)

        self._tasks.read(lambda _job: learner_lock.needs_password(store, profile), shown)

    def _same(self, profile: Profile) -> bool:
        current = self._current()
        return current is not None and current.id == profile.id

    def _show(self, ask: bool) -> None:
        self.action.blockSignals(True)
        self.action.setChecked(ask)
        self.action.blockSignals(False)

    def _on_toggled(self, ask: bool) -> None:
        profile = self._current()
        if profile is None or not learner_lock.is_locked_kind(profile):
            return
        if ask:
            self._ask_again(profile)
        else:
            self._show(True)  # stays on until the password is given
            self._confirm_stop(profile)

    def _ask_again(self, profile: Profile) -> None:
        store = self._store

        def done(_result: None) -> None:
            show_status(
                self._parent,
                _("Switching to {name} asks for the password again.").format(
                    name=profile.displayName
                ),
            )

        def failed(error: BaseException) -> None:
            self.refresh()
            show_error(self._parent, error)

        self._tasks.write(lambda _job: learner_lock.ask_again(store, profile), done, failed)

    def _confirm_stop(self, profile: Profile) -> None:
        if self.dialog is not None:
            self.dialog.reject()
        dialog = UnlockDialog(profile, self._parent, stop_asking=True)
        self.dialog = dialog
        store = self._store

        def finished(_code: int) -> None:
            if self.dialog is dialog:
                self.dialog = None
            dialog.deleteLater()

        def checked(_result: None) -> None:
            if dialog.isVisible():
                dialog.accept()
            if self._same(profile):
                self._show(False)

        def refused(error: BaseException) -> None:
            if isinstance(error, PlayerError):
                dialog.show_problem(str(error))
            else:
                dialog.close()
                show_error(self._parent, error)

        def submitted(password: str, _dont_ask: bool) -> None:
            def stop(_job: Job) -> None:
                learner_lock.set_ask(store, profile, password, ask=False)

            self._tasks.write(stop, checked, refused)

        dialog.submitted.connect(submitted)
        dialog.finished.connect(finished)
        dialog.open()
