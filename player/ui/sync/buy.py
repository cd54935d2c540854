"""The Buy flow: confirm with the price, buy off the UI thread, then let the window refresh.

``BuyFlow.buy(course_id)`` asks "Buy “Title” for 49.00 EUR?"; on Yes it calls the core
``player.sync.purchase.buy`` in the background (online only, never queued; a retry after a lost
answer never buys twice) and emits ``bought(course_id)``; the window then refreshes its catalog.
Errors go through ``show_error``; a 401 is passed on as ``sign_in_required``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from player.errors import CourseNotFound, ServerUnavailable, SignInRequired
from player.i18n import _
from player.services import commerce
from player.services.access import course_access, format_price
from player.store.db import Store
from player.store.models import Profile
from player.sync.purchase import BuyResult, buy
from player.sync.signin import open_client
from player.sync.tokens import TokenStore, default_tokens
from player.ui.errors import show_error, show_status
from player.ui.tasks import Pool, TaskHandle, run_in_background

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
        self._pool = pool
        self.client_options = dict(client_options or {})
        self._handle: TaskHandle | None = None
        self.last_result: BuyResult | None = None

    @property
    def busy(self) -> bool:
        return self._handle is not None and not self._handle.done

    def confirm_text(self, course_id: str) -> str | None:
        """The question to ask, or None when the course is not for sale to this learner."""
        profile = self._profile()
        if profile is None:
            return None
        product = commerce.product_for_course(self.store, profile, course_id)
        if product is None:
            return None
        try:
            with self.store.read() as session:
                title = course_access(session, profile, course_id).title
        except CourseNotFound:
            title = course_id
        return _(
            "Buy “{title}” for {price}?\n\nThe purchase is made on your organisation's server "
            "now; the course is downloaded right after."
        ).format(title=title, price=format_price(product))

    def buy(self, course_id: str) -> bool:
        """Ask, then buy in the background; False when nothing was started."""
        profile = self._profile()
        if self.busy or profile is None:
            return False
        if not profile.serverUrl:
            QMessageBox.warning(
                self.parent_widget, _("Buy"), _("Sign in to your course server to buy courses.")
            )
            return False
        question = self.confirm_text(course_id)
        if question is None:
            QMessageBox.warning(
                self.parent_widget,
                _("Buy"),
                _("This course is not for sale in your organisation's store. Sync and try again."),
            )
            return False
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Buy course"),
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self.parent_widget,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        if box.exec() != QMessageBox.StandardButton.Yes:
            return False

        def work() -> BuyResult:
            with open_client(profile, tokens=self.tokens, **self.client_options) as client:
                return buy(self.store, profile, client, course_id)

        self._handle = run_in_background(
            work, self._succeeded, self._failed, pool=self._pool, context=self
        )
        return True

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
