"""Switching to a learner with a server account: their password, checked offline.

``UnlockDialog`` is a thin form: it emits ``submitted(password, dont_ask)`` and shows what it is
told (busy, a problem). With ``stop_asking=True`` it is the same form for the current learner
turning "ask for my password" off (``player.ui.learners.ask_password``), without the checkbox. The check is ``player.services.learner_lock.unlock`` (and ``set_ask`` when
the learner ticks "don't ask on this computer" for themselves), run off the UI thread by the
window (``MainWindow._unlock``).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from player.i18n import _
from player.services.handles import Profile


class UnlockDialog(QDialog):
    submitted = Signal(str, bool)  # password, don't ask on this computer

    def __init__(
        self, profile: Profile, parent: QWidget | None = None, *, stop_asking: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName("unlockDialog")
        self.profile_id = profile.id
        if stop_asking:
            self.setWindowTitle(_("Stop asking for my password"))
            prompt = _(
                "Enter your password, {name}, to stop asking for it on this computer. Anyone "
                "at this computer can then continue as you."
            ).format(name=profile.displayName)
        else:
            self.setWindowTitle(_("Switch learner"))
            prompt = _("Enter {name}'s password to continue as {name}.").format(
                name=profile.displayName
            )
        self.prompt = QLabel(prompt, self)
        self.prompt.setWordWrap(True)
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("unlockPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName(_("Password"))
        self.dont_ask = QCheckBox(_("Don't ask for my password on this computer"), self)
        self.dont_ask.setObjectName("unlockDontAsk")
        self.dont_ask.setVisible(not stop_asking)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("unlockError")
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName(_("Problem"))
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (
            self.prompt,
            self.password_edit,
            self.dont_ask,
            self.error_label,
            self.buttons,
        ):
            layout.addWidget(widget)

    def _submit(self) -> None:
        if not self.password_edit.text():
            self.show_problem(_("Enter the password."))
            return
        self.set_busy(True)
        self.submitted.emit(self.password_edit.text(), self.dont_ask.isChecked())

    def set_busy(self, busy: bool) -> None:
        self.password_edit.setEnabled(not busy)
        self.dont_ask.setEnabled(not busy)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setEnabled(not busy)

    def show_problem(self, message: str) -> None:
        """Show why the password was not accepted; the form is usable again, emptied."""
        self.set_busy(False)
        self.password_edit.clear()
        self.error_label.setText(message)
        self.error_label.show()
        self.password_edit.setFocus()
