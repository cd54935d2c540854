"""Kiosk mode: full screen, one learner after the other, no way out without the technician's PIN.

- ``IdleWatcher``: an application-wide event filter restarts two single-shot timers on every
  mouse, key, wheel, touch or tablet event; ``warned`` fires when the learner has been idle for
  the policy's warning time, ``timed_out`` at the idle timeout (one minute later by default).
- ``IdleWarning``: the non-modal "you will be signed out" box with a countdown.
- ``KioskController``: switches the window into kiosk mode (full screen, no Import, Quit,
  Switch learner, file dialogs or web links; settings show the text size only; a Sign out
  button), ends an idle session (``MainWindow.sign_out``: every view of the learner cleared, open
  dialogs closed, the learner chooser; their queued progress stays in the outbox), refuses to close
  the window, and leaves kiosk mode with File → Leave kiosk mode… or Ctrl+Alt+Q after the PIN.
  With a lab policy naming a server, the learner chooser asks for a user name and password
  (``player.ui.kiosk.lab_accounts``) instead of listing the machine's learners.

The controller does not know the main window's class: it asks what it needs of a ``KioskHost``
(the learner side: who is signed in, the learner chooser, sign out, the limits kiosk mode puts
on the screens) and uses its ``parent`` window as a widget only (status bar, shortcuts, full
screen). ``MainWindow`` is both.

``--kiosk`` without a policy PIN (``kiosk.pin_hash``) is for trying the mode out: leaving needs no
PIN and the window closes normally (docs/kiosk.md).
"""

from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QAction, QKeySequence, QMouseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from player.i18n import _, ngettext
from player.policy import KioskPolicy, LabPolicy, verify_pin
from player.services.handles import Profile, Store
from player.ui.learners.chooser import LearnerChooser
from player.ui.shell.error_dialogs import show_status
from player.ui.shell.menus import MenuActions
from player.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from player.ui.kiosk.lab_accounts import LabAccountSignIn

log = logging.getLogger(__name__)

LEAVE_SHORTCUT = "Ctrl+Alt+Q"

ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.MouseMove,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.KeyPress,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
    }
)


class IdleWatcher(QObject):
    """Says when nobody touched the application for ``warning_ms``, then for ``timeout_ms``.

    ``start()`` installs the event filter and starts counting, ``stop()`` removes both. Any
    activity restarts the count; activity after the warning emits ``resumed``. A mouse-move
    event without movement (window systems send them when a window appears under the pointer,
    e.g. the warning itself) is not activity.
    """

    warned = Signal()
    resumed = Signal()
    timed_out = Signal()

    def __init__(self, warning_ms: int, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._warning = QTimer(self)
        self._warning.setSingleShot(True)
        self._warning.timeout.connect(self._on_warning)
        self._timeout = QTimer(self)
        self._timeout.setSingleShot(True)
        self._timeout.timeout.connect(self._on_timeout)
        self._running = False
        self._warned = False
        self._deadline = 0.0
        self._pointer: QPointF | None = None
        self.set_intervals(warning_ms, timeout_ms)

    def set_intervals(self, warning_ms: int, timeout_ms: int) -> None:
        """Warn after ``warning_ms`` idle, end after ``timeout_ms`` (tests use short ones)."""
        self._warning.setInterval(max(0, min(warning_ms, timeout_ms)))
        self._timeout.setInterval(max(1, timeout_ms))
        if self._running:
            self.reset()

    @property
    def running(self) -> bool:
        return self._running

    @property
    def warning_ms(self) -> int:
        return self._warning.interval()

    @property
    def timeout_ms(self) -> int:
        return self._timeout.interval()

    @property
    def warning_shown(self) -> bool:
        return self._warned

    def seconds_left(self) -> int:
        """Whole seconds until the timeout (rounded up)."""
        return max(0, math.ceil(self._deadline - time.monotonic()))

    def start(self) -> None:
        if not self._running:
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self)
            self._running = True
        self.reset()

    def stop(self) -> None:
        if self._running:
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
        self._running = False
        self._warning.stop()
        self._timeout.stop()
        self._warned = False

    def reset(self) -> None:
        """Activity: count again from zero (and take the warning back)."""
        self._warning.start()
        self._timeout.start()
        self._deadline = time.monotonic() + self._timeout.interval() / 1000
        if self._warned:
            self._warned = False
            self.resumed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._running and event.type() in ACTIVITY_EVENTS and self._moved(event):
            self.reset()
        return False

    def _moved(self, event: QEvent) -> bool:
        """False for a mouse move to where the pointer already was; True for anything else."""
        if event.type() != QEvent.Type.MouseMove or not isinstance(event, QMouseEvent):
            return True
        where = event.globalPosition()
        if where == self._pointer:
            return False
        self._pointer = where
        return True

    def _on_warning(self) -> None:
        if self._running and not self._warned:
            self._warned = True
            self.warned.emit()

    def _on_timeout(self) -> None:
        if self._running:
            self._warned = False
            self._warning.stop()
            self.timed_out.emit()


class IdleWarning(QDialog):
    """Non-modal: "You will be signed out in 60 seconds — move the mouse or press a key to stay."""

    def __init__(self, watcher: IdleWatcher, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("idleWarning")
        self.setWindowTitle(_("Are you still there?"))
        self.setModal(False)
        self._watcher = watcher
        self.label = QLabel(self)
        self.label.setObjectName("idleWarningText")
        self.label.setWordWrap(True)
        self.label.setAccessibleName(_("Sign-out warning"))
        self.stay_button = QPushButton(_("Stay signed in"), self)
        self.stay_button.setObjectName("idleWarningStay")
        self.stay_button.setAccessibleName(_("Stay signed in"))
        self.stay_button.clicked.connect(watcher.reset)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.stay_button, QDialogButtonBox.ButtonRole.AcceptRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)
        self.setMinimumWidth(380)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.refresh)

    def refresh(self) -> None:
        seconds = self._watcher.seconds_left()
        self.label.setText(
            ngettext(
                "You will be signed out in {n} second — move the mouse or press a key to stay.",
                "You will be signed out in {n} seconds — move the mouse or press a key to stay.",
                seconds,
            ).format(n=seconds)
        )

    def popup(self) -> None:
        self.refresh()
        self._tick.start()
        self.show()
        self.raise_()

    def dismiss(self) -> None:
        self._tick.stop()
        self.hide()


def close_open_dialogs(keep: QWidget) -> int:
    """Close every dialog, menu and tooltip except ``keep``; how many were closed."""
    closed = 0
    QToolTip.hideText()
    popup = QApplication.activePopupWidget()
    while popup is not None:
        popup.close()
        closed += 1
        following = QApplication.activePopupWidget()
        if following is popup:
            break
        popup = following
    for widget in QApplication.topLevelWidgets():
        if widget is keep or not widget.isVisible():
            continue
        if isinstance(widget, QDialog):
            widget.reject()  # ends a running exec(): its caller sees "cancelled"
            widget.hide()
            closed += 1
        elif isinstance(widget, QMenu):
            widget.close()
            closed += 1
    return closed


class KioskHost(Protocol):
    """What kiosk mode asks of the window it runs in (``MainWindow`` is one)."""

    @property
    def profile(self) -> Profile | None:
        """The learner signed in, if any."""

    @property
    def profile_changed(self) -> SignalInstance:
        """Emitted with the learner's id when a learner signed in."""

    @property
    def signed_out(self) -> SignalInstance:
        """Emitted when a learner's session ended."""

    @property
    def menus(self) -> MenuActions: ...

    @property
    def learner_chooser(self) -> LearnerChooser: ...

    @property
    def store(self) -> Store: ...

    @property
    def tasks(self) -> TaskRunner: ...

    def set_profile(self, profile: Profile) -> None:
        """Make ``profile`` the learner (a lab account signed in)."""

    def sign_out(self) -> None:
        """End the learner's session: every view of them cleared, then the learner chooser."""

    def show_learner_chooser(self, *, cancellable: bool) -> None: ...

    def refresh_learner_actions(self) -> None: ...

    def set_kiosk_limits(self, on: bool) -> None:
        """No web links from lessons, no Export and no Remove while ``on``."""


class KioskController(QObject):
    """Kiosk mode for one window; ``active`` until the technician leaves it with the PIN.

    ``host``: what kiosk mode asks of the window; ``parent``: the window as a widget (the Sign
    out button goes into its status bar, the leave shortcut onto it, dialogs over it)."""

    left = Signal()

    def __init__(self, host: KioskHost, policy: LabPolicy | None, *, parent: QMainWindow) -> None:
        super().__init__(parent)
        self.host = host
        self.window = parent
        self.policy = policy
        kiosk = policy.kiosk if policy is not None else KioskPolicy()
        self.idle = IdleWatcher(
            kiosk.idle_warning_seconds * 1000, kiosk.idle_timeout_seconds * 1000, self
        )
        self.idle.warned.connect(self._on_warned)
        self.idle.resumed.connect(self._on_resumed)
        self.idle.timed_out.connect(self._on_timed_out)
        self.warning = IdleWarning(self.idle, parent)
        self.active = True
        #: The user-name-and-password sign-in, when the policy names a server; else None.
        self.account_sign_in: LabAccountSignIn | None = None
        if policy is not None and policy.server_url:
            # the lab's sign-in talks to its server (httpx, keyring): loaded only for such a lab
            from player.ui.kiosk.lab_accounts import LabAccountSignIn

            self.account_sign_in = LabAccountSignIn(
                host.learner_chooser.account_form,
                policy,
                store=host.store,
                tasks=host.tasks,
                signed_in_as=host.set_profile,
                parent=parent,
            )
        window = parent

        self.sign_out_button = QPushButton(_("Sign out"), window)
        self.sign_out_button.setObjectName("kioskSignOut")
        self.sign_out_button.setAccessibleName(_("Sign out"))
        self.sign_out_button.setAccessibleDescription(
            _("End your session so the next learner starts from the beginning")
        )
        self.sign_out_button.clicked.connect(self.sign_out)
        window.statusBar().addPermanentWidget(self.sign_out_button)

        menu = host.menus.file_menu
        self.sign_out_action = QAction(_("Sign &out"), window)
        self.sign_out_action.triggered.connect(lambda _checked=False: self.sign_out())
        menu.insertAction(host.menus.quit_action, self.sign_out_action)
        self.leave_action = QAction(_("&Leave kiosk mode…"), window)
        self.leave_action.setObjectName("leaveKioskAction")
        self.leave_action.setShortcut(QKeySequence(LEAVE_SHORTCUT))
        self.leave_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.leave_action.triggered.connect(lambda _checked=False: self.request_leave())
        menu.insertAction(host.menus.quit_action, self.leave_action)
        window.addAction(self.leave_action)  # the shortcut works with the menu bar hidden too

        host.profile_changed.connect(self._on_signed_in)
        host.signed_out.connect(self._on_signed_out)
        self._apply(True)
        log.info(
            "kiosk mode on (idle timeout %d s, exit PIN %s)",
            kiosk.idle_timeout_seconds,
            "required" if self.pin_required else "not set",
        )

    # --- the PIN ---------------------------------------------------------------------------------

    @property
    def pin_required(self) -> bool:
        """Whether leaving needs a PIN: only when the policy has one (``--kiosk`` alone: no)."""
        return self.policy is not None and bool(self.policy.kiosk.pin_hash)

    def allow_close(self) -> bool:
        """Whether the window may close now: never in kiosk mode with a PIN."""
        if not self.active or not self.pin_required:
            return True
        show_status(
            self.window, _("This computer is in kiosk mode. Press Sign out when you are done.")
        )
        return False

    def request_leave(self) -> bool:
        """Ask for the technician's PIN and leave kiosk mode when it is right."""
        if not self.active:
            return True
        if self.pin_required:
            pin, ok = QInputDialog.getText(
                self.window,
                _("Leave kiosk mode"),
                _("The technician's PIN:"),
                QLineEdit.EchoMode.Password,
            )
            if not ok or not pin:
                return False
            assert self.policy is not None
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                right = verify_pin(self.policy, pin)
            finally:
                QApplication.restoreOverrideCursor()
            if not right:
                log.warning("wrong PIN to leave kiosk mode")
                QMessageBox.warning(
                    self.window,
                    _("Leave kiosk mode"),
                    _("That PIN is not right. The player stays in kiosk mode."),
                )
                return False
        self.leave()
        return True

    def leave(self) -> None:
        """Normal mode for the rest of this run: menus back, a normal window."""
        log.info("kiosk mode left")
        self.active = False
        self.idle.stop()
        self.warning.dismiss()
        self._apply(False)
        self.window.showNormal()
        show_status(self.window, _("Kiosk mode is off until the player starts again."))
        self.left.emit()

    # --- sessions ------------------------------------------------------------------------------

    def fill_learner_chooser(self, known: list[Profile]) -> None:
        """The learner chooser for the next learner, with nothing that says who learned here last.

        With a server in the lab's policy: an empty user name and password form, no names, no
        guest. Without: the learners by name, none chosen, and the guest."""
        page = self.host.learner_chooser
        if self.account_sign_in is not None:
            page.set_hint(
                _("Sign in with your user name and password. When you are done, press Sign out.")
            )
            page.show_account_form()
            return
        if not self.guest_allowed():
            known = [profile for profile in known if not profile.isGuest]
        known = sorted(known, key=lambda p: (p.isGuest, p.displayName.lower()))
        page.set_hint(
            _("Choose your name to start. When you are done, press Sign out.")
            if known
            else _("Sign in with your account to start.")
        )
        page.set_profiles(known, current=None, cancellable=False)

    def sign_out(self) -> None:
        self.warning.dismiss()
        self.host.sign_out()

    def _on_signed_in(self, _profile_id: str) -> None:
        if self.active:
            self.idle.start()
        self._update_sign_out()

    def _on_signed_out(self) -> None:
        self.idle.stop()
        self.warning.dismiss()
        self._update_sign_out()

    def _on_warned(self) -> None:
        log.info("kiosk: idle, warning the learner")
        self.warning.popup()

    def _on_resumed(self) -> None:
        self.warning.dismiss()

    def _on_timed_out(self) -> None:
        log.info("kiosk: idle timeout, ending the session")
        self.warning.dismiss()
        close_open_dialogs(keep=self.window)
        self.host.sign_out()

    # --- the window's controls -----------------------------------------------------------------

    def _apply(self, on: bool) -> None:
        host = self.host
        menus = host.menus
        for action in (menus.import_action, menus.quit_action, menus.switch_action):
            action.setVisible(not on)
            action.setEnabled(not on)
        if not on:
            host.refresh_learner_actions()
            host.learner_chooser.set_hint(None)
            if host.learner_chooser.account_mode and host.profile is None:
                host.show_learner_chooser(cancellable=False)  # the usual list of learners again
        self.leave_action.setVisible(on)
        self.leave_action.setEnabled(on)
        self._update_sign_out()
        host.set_kiosk_limits(on)

    def _update_sign_out(self) -> None:
        """Sign out is there while a learner is signed in, in kiosk mode."""
        shown = self.active and self.host.profile is not None
        for control in (self.sign_out_action, self.sign_out_button):
            control.setVisible(shown)
            control.setEnabled(shown)

    def _policy_names_server(self) -> bool:
        return self.policy is not None and bool(self.policy.server_url)

    def guest_allowed(self) -> bool:
        """The guest may learn unless the lab's policy names a server (learners sign in there)."""
        return not self.active or not self._policy_names_server()
