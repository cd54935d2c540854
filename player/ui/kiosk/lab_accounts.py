"""Kiosk sign-in with a user name and password, when the lab's policy names a server.

``LabAccountSignIn`` connects the learner chooser's ``account_form`` to the core's
``player.services.lab_accounts.lab_sign_in``, run on the window's network lane
(``player.ui.tasks``): online with the policy's server, offline against the verifier cached at
the learner's last online sign-in on this machine. On success the learner becomes current
(``signed_in_as``, the window's ``set_profile``) and ``signed_in(LabSignIn)`` is emitted (``SyncWiring`` starts a
sync after an online sign-in); on failure the form says why and keeps the user name only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from player.errors import PlayerError
from player.i18n import _
from player.policy import LabPolicy
from player.services import lab_accounts
from player.services.handles import Profile, Store
from player.services.lab_accounts import LabSignIn, OnlineAnswer
from player.sync import server_signin
from player.sync.tokens import TokenStore, default_tokens
from player.ui.learners.account_form import AccountForm
from player.ui.shell.error_dialogs import show_status
from player.ui.tasks import Job, TaskRunner

log = logging.getLogger(__name__)


class LabAccountSignIn(QObject):
    """Signs learners in with the learner chooser's form; one per kiosk window with a server."""

    signed_in = Signal(object)  # LabSignIn (no bare bool in a signal: see ui/sync/controller.py)

    def __init__(
        self,
        form: AccountForm,
        policy: LabPolicy,
        *,
        store: Store,
        tasks: TaskRunner,
        signed_in_as: Callable[[Profile], None],
        parent: QWidget,
        tokens: TokenStore = default_tokens,
        iterations: int = lab_accounts.VERIFIER_ITERATIONS,
    ) -> None:
        """``form``: the learner chooser's user name and password form; ``tasks``: the window's
        runner (the sign-in runs on its network lane); ``signed_in_as(profile)``: makes the
        learner current; ``parent``: where status messages show."""
        super().__init__(parent)
        self.window = parent
        self.store = store
        self.tasks = tasks
        self.signed_in_as = signed_in_as
        self.policy = policy
        #: The token store of the window's sync (``SyncWiring`` sets its own).
        self.tokens = tokens
        self.iterations = iterations
        self.form = form
        self.form.submitted.connect(self.submit)

    def submit(self, username: str, password: str) -> None:
        """Sign ``username`` in (off the UI thread); the form shows the outcome."""
        if self.form.busy:
            return
        store = self.store
        policy = self.policy
        tokens = self.tokens
        iterations = self.iterations

        def online(server_url: str, user: str, secret: str) -> OnlineAnswer:
            return server_signin.sign_in(store, server_url, user, secret, tokens=tokens)

        def forget_token(profile: Profile) -> None:
            server_signin.sign_out(profile, tokens=tokens)

        def work(_job: Job) -> LabSignIn:
            return lab_accounts.lab_sign_in(
                store,
                policy,
                username,
                password,
                sign_in=online,
                sign_out=forget_token,
                iterations=iterations,
            )

        self.form.set_busy(True)
        self.tasks.network(work, self._succeeded, self._failed)

    def _succeeded(self, result: LabSignIn) -> None:
        self.form.reset()
        self.signed_in_as(result.profile)
        if not result.online:
            show_status(
                self.window,
                _(
                    "Signed in without a connection to the course server. Your progress is "
                    "kept on this computer and uploaded at the next sync."
                ),
            )
        elif result.warning:
            show_status(self.window, result.warning)
        self.signed_in.emit(result)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, PlayerError):
            message = str(error)
        else:
            log.error("kiosk sign-in failed unexpectedly", exc_info=error)
            message = _("Signing in failed unexpectedly. Try again, or ask the lab's technician.")
        self.form.show_problem(message)
