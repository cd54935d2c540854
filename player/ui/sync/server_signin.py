"""The server sign-in dialog: server address, user name, password.

Sign-in runs on the network lane (``player.ui.tasks``). On success the dialog emits ``signed_in(SignInResult)`` and
closes; a wrong password or an unreachable server is shown in the dialog, which stays open. The
password is never stored (the token goes to the keyring). When no keyring works, the result's
warning is shown once.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from player.errors import PlayerError
from player.i18n import _
from player.services.handles import Store
from player.sync.client import insecure_url_warning, normalize_url
from player.sync.server_signin import SignInResult, sign_in
from player.sync.tokens import TokenStore, default_tokens
from player.ui.tasks import Pool, TaskHandle, TaskRunner

log = logging.getLogger(__name__)


class ServerSignInDialog(QDialog):
    signed_in = Signal(object)  # SignInResult

    def __init__(
        self,
        store: Store,
        *,
        server_url: str = "",
        username: str = "",
        server_locked: bool = False,
        username_locked: bool = False,
        message: str = "",
        tokens: TokenStore = default_tokens,
        pool: Pool | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("syncSignInDialog")
        self.setWindowTitle(_("Sign in to your course server"))
        self.store = store
        self.tokens = tokens
        self.tasks = TaskRunner(self, pool=pool)
        self._handle: TaskHandle | None = None
        self._busy = False
        self.result_value: SignInResult | None = None

        self.intro = QLabel(
            message
            or _(
                "Sign in once to download your courses and keep your progress in step. "
                "Your password is not stored on this computer."
            ),
            self,
        )
        self.intro.setWordWrap(True)
        self.server_edit = QLineEdit(server_url, self)
        self.server_edit.setObjectName("serverEdit")
        self.server_edit.setPlaceholderText("https://learn.example.org")
        self.server_edit.setAccessibleName(_("Server address"))
        self.server_edit.setReadOnly(server_locked)
        self.user_edit = QLineEdit(username, self)
        self.user_edit.setObjectName("userEdit")
        self.user_edit.setAccessibleName(_("User name"))
        self.user_edit.setReadOnly(username_locked)
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName(_("Password"))
        self.error_label = QLabel(self)
        self.error_label.setObjectName("signInError")
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName(_("Sign-in problem"))
        self.error_label.hide()
        self.insecure_label = QLabel(self)
        self.insecure_label.setObjectName("insecureServerWarning")
        self.insecure_label.setWordWrap(True)
        self.insecure_label.setAccessibleName(_("Connection not encrypted"))
        self.insecure_label.hide()

        form = QFormLayout()
        form.addRow(_("&Server:"), self.server_edit)
        form.addRow(_("&User name:"), self.user_edit)
        form.addRow(_("&Password:"), self.password_edit)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.sign_in_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText(_("Sign in"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.insecure_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        for edit in (self.server_edit, self.user_edit, self.password_edit):
            edit.textChanged.connect(self._update_button)
        self.server_edit.textChanged.connect(self._update_insecure_warning)
        self._update_button()
        self._update_insecure_warning()
        first_empty = next(
            (e for e in (self.server_edit, self.user_edit) if not e.text().strip()),
            self.password_edit,
        )
        first_empty.setFocus()

    @property
    def busy(self) -> bool:
        return self._busy

    def submit(self) -> None:
        """Sign in with what was typed (off the UI thread)."""
        if self.busy or not self.sign_in_button.isEnabled():
            return
        server = self.server_edit.text().strip()
        user = self.user_edit.text().strip()
        password = self.password_edit.text()
        self._set_busy(True)
        store, tokens = self.store, self.tokens
        self._handle = self.tasks.network(
            lambda _job: sign_in(store, server, user, password, tokens=tokens),
            self._succeeded,
            self._failed,
        )

    def _succeeded(self, result: SignInResult) -> None:
        self._set_busy(False)
        self.result_value = result
        self.password_edit.clear()
        if result.warning:
            QMessageBox.information(self.parentWidget() or self, _("Sign-in"), result.warning)
        self.signed_in.emit(result)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, PlayerError):
            message = str(error)
        else:
            log.error("sign-in failed unexpectedly", exc_info=error)
            message = _("Signing in failed unexpectedly. Check the server address and try again.")
        self.error_label.setText(message)
        self.error_label.show()
        self.password_edit.selectAll()
        self.password_edit.setFocus()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for edit in (self.user_edit, self.password_edit):
            edit.setEnabled(not busy)
        self.server_edit.setEnabled(not busy)
        self.sign_in_button.setText(_("Signing in…") if busy else _("Sign in"))
        self._update_button()

    def _update_button(self) -> None:
        filled = all(
            e.text().strip() for e in (self.server_edit, self.user_edit, self.password_edit)
        )
        self.sign_in_button.setEnabled(filled and not self.busy)

    def _update_insecure_warning(self) -> None:
        """Warn before the password is sent unencrypted to another computer (http://)."""
        try:
            warning = insecure_url_warning(normalize_url(self.server_edit.text()))
        except PlayerError:  # not an address (yet): the sign-in itself says what is wrong
            warning = None
        self.insecure_label.setText(warning or "")
        self.insecure_label.setVisible(bool(warning))

    def reject(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        super().reject()
