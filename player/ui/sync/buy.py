"""The Buy flow: confirm with the price, buy off the UI thread, then let the window refresh.

``BuyFlow.buy(course_id)`` reads the offer (``player.services.commerce.offer_for_course``) on the
read lane, asks "Buy “Title” for 49.00 EUR?", then always the learner's password (checked against
the verifier kept at sign-in, ``player.services.learner_lock``); then it calls the core
``player.sync.purchase.buy`` on the network lane (online only, never queued; a retry after a lost
answer never buys twice) and emits ``bought(course_id)``; the window then refreshes its catalog.
Errors go through ``show_error``; a 401 is passed on as ``sign_in_required``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from player.errors import ServerUnavailable, SignInRequired
from player.i18n import _
from player.services import commerce, learner_lock
from player.services.commerce import Offer
from player.services.handles import Profile, Store
from player.sync.purchase import BuyResult, buy
from player.sync.server_signin import open_client
from player.sync.tokens import TokenStore, default_tokens
from player.ui.shell.error_dialogs import show_error, show_status
from player.ui.tasks import Job, Pool, TaskHandle, TaskRunner

log = logging.getLogger(__name__)


class BuyFlow(QObject):
    bought = Signal(str)  # course id, once bought (and, when possible, downloaded)
    sign_in_required = Signal(str)

    def __init__(
        self,
        store: Store,
        profile: Callable[[], Profile | None],
        *,
        parent_widget: QWidget | None = None,
        tokens: TokenStore = default_tokens,
        pool: Pool | None = None,
        client_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parent_widget)
        self.store = store
        self._profile = profile
        self.parent_widget = parent_widget
        self.tokens = tokens
        self.tasks = TaskRunner(self, pool=pool)
        self.client_options = dict(client_options or {})
        self._handle: TaskHandle | None = None
        self.last_result: BuyResult | None = None

    @property
    def busy(self) -> bool:
        """Reading the offer or buying."""
        return self._handle is not None and not self._handle.done

    @staticmethod
    def confirm_text(offer: Offer) -> str:
        """The question to ask before buying."""
        return _(
            "Buy “{title}” for {price}?\n\nThe purchase is made on your organisation's server "
            "now; the course is downloaded right after."
        ).format(title=offer.title, price=offer.price)

    def buy(self, course_id: str) -> bool:
        """Read the offer, ask, then buy, all off the UI thread but the question.

        True while the flow goes on after this call (the offer is still being read) or when it
        started a purchase; False when nothing was bought or started.
        """
        profile = self._profile()
        if self.busy or profile is None:
            return False
        if not profile.serverUrl:
            QMessageBox.warning(
                self.parent_widget, _("Buy"), _("Sign in to your course server to buy courses.")
            )
            return False
        store = self.store
        purchase: list[TaskHandle] = []

        def offered(offer: Offer | None) -> None:
            handle = self._confirm_and_buy(profile, course_id, offer)
            if handle is not None:
                purchase.append(handle)
                self._handle = handle

        self._handle = self.tasks.read(
            lambda _job: commerce.offer_for_course(store, profile, course_id),
            offered,
            self._failed,
        )
        return bool(purchase) or not self._handle.done

    def _confirm_and_buy(
        self, profile: Profile, course_id: str, offer: Offer | None
    ) -> TaskHandle | None:
        if offer is None:
            QMessageBox.warning(
                self.parent_widget,
                _("Buy"),
                _("This course is not for sale in your organisation's store. Sync and try again."),
            )
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Buy course"),
            self.confirm_text(offer),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self.parent_widget,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        if box.exec() != QMessageBox.StandardButton.Yes:
            return None
        password = self.ask_password(profile)
        if password is None:
            return None
        store, tokens, options = self.store, self.tokens, self.client_options

        def work(_job: Job) -> BuyResult:
            learner_lock.confirm(store, profile, password)  # always, "don't ask" or not
            with open_client(profile, tokens=tokens, **options) as client:
                return buy(store, profile, client, course_id)

        return self.tasks.network(work, self._succeeded, self._failed)

    def ask_password(self, profile: Profile) -> str | None:
        """The learner's password for this purchase; None when they cancel (nothing bought)."""
        text, ok = QInputDialog.getText(
            self.parent_widget,
            _("Buy course"),
            _("{name}'s password, to confirm the purchase:").format(name=profile.displayName),
            QLineEdit.EchoMode.Password,
        )
        if not ok:
            return None
        return str(text)

    def _succeeded(self, result: BuyResult) -> None:
        self.last_result = result
        course_id = result.purchase.courseId
        if result.download_error:
            show_status(
                self.parent_widget,
                _("Bought. The course will be downloaded with the next sync ({reason}).").format(
                    reason=result.download_error
                ),
            )
        else:
            show_status(self.parent_widget, _("Bought and downloaded."))
        self.bought.emit(course_id)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, SignInRequired):
            self.sign_in_required.emit(str(error))
            return
        if isinstance(error, ServerUnavailable):
            # Not "quiet" here: the learner pressed Buy and must know it did not go through.
            QMessageBox.warning(self.parent_widget, _("Buy"), str(error))
            return
        show_error(self.parent_widget, error)
