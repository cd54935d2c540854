"""The user-name-and-password form of the learner chooser (kiosk mode with a server policy).

A thin form: it emits ``submitted(username, password)`` and shows what it is told (busy, a
problem). The check itself is ``player.services.lab_accounts``, run by ``player.ui.kiosk.lab_accounts``.
It starts empty and is emptied again after every sign-in and sign-out (``reset``), so nothing
says who signed in last.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from player.i18n import _


class AccountForm(QWidget):
    submitted = Signal(str, str)  # user name, password

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accountForm")
        self._busy = False

        self.user_edit = QLineEdit(self)
        self.user_edit.setObjectName("accountUser")
        self.user_edit.setAccessibleName(_("User name"))
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("accountPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName(_("Password"))
        self.error_label = QLabel(self)
        self.error_label.setObjectName("accountError")
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName(_("Sign-in problem"))
        self.error_label.hide()
        self.sign_in_button = QPushButton(_("Sign in"), self)
        self.sign_in_button.setObjectName("accountSignIn")
        self.sign_in_button.setAccessibleName(_("Sign in"))
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.submit)

        form = QFormLayout()
        form.addRow(_("&User name:"), self.user_edit)
        form.addRow(_("&Password:"), self.password_edit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)

        self.user_edit.returnPressed.connect(self.password_edit.setFocus)
        self.password_edit.returnPressed.connect(self.submit)
        for edit in (self.user_edit, self.password_edit):
            edit.textChanged.connect(self._update_button)
        self.setTabOrder(self.user_edit, self.password_edit)
        self.setTabOrder(self.password_edit, self.sign_in_button)
        self._update_button()

    @property
    def busy(self) -> bool:
        return self._busy

    def submit(self) -> None:
        if self._busy or not self.sign_in_button.isEnabled():
            return
        self.error_label.hide()
        self.submitted.emit(self.user_edit.text().strip(), self.password_edit.text())

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.user_edit.setEnabled(not busy)
        self.password_edit.setEnabled(not busy)
        self.sign_in_button.setText(_("Signing in…") if busy else _("Sign in"))
        self._update_button()

    def show_problem(self, message: str) -> None:
        """Say what went wrong; the password is cleared, the user name kept."""
        self.set_busy(False)
        self.password_edit.clear()
        self.error_label.setText(message)
        self.error_label.show()
        self.password_edit.setFocus()

    def reset(self) -> None:
        """Empty: no user name, no password, no problem shown."""
        self.set_busy(False)
        self.user_edit.clear()
        self.password_edit.clear()
        self.error_label.clear()
        self.error_label.hide()

    def focus_first(self) -> None:
        (self.password_edit if self.user_edit.text() else self.user_edit).setFocus()

    def _update_button(self) -> None:
        filled = bool(self.user_edit.text().strip() and self.password_edit.text())
        self.sign_in_button.setEnabled(filled and not self._busy)
