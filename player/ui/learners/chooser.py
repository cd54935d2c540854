"""Choose who is learning: this machine's learners, or the guest.

No password is asked or stored here: a learner who signed in to a server once is remembered on this
machine. Hook point: the server sign-in form comes with the sync work; it connects to
``sign_in_requested`` and calls ``set_sign_in_available(True)`` to show the button.

In kiosk mode with a lab policy naming a server, the page shows ``account_form`` instead
(``show_account_form``): a user name and a password, no list of learners, no guest. Each
learner proves who they are every session (``player.ui.kiosk.lab_accounts``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from player.i18n import _
from player.services.handles import Profile
from player.ui.learners.account_form import AccountForm

PROFILE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
WHERE_ROLE = Qt.ItemDataRole.UserRole + 2
AVATAR = 36
ROW_PAD = 10
MAX_VISIBLE_ROWS = 6


def where(profile: Profile) -> str:
    """Where a learner's courses come from: "north.example.org · t-north" or this computer."""
    if profile.isGuest:
        return _("Courses on this computer only")
    host = urlsplit(profile.serverUrl or "").netloc or profile.serverUrl or ""
    return _("{server} · {tenant}").format(server=host, tenant=profile.tenantId)


def describe(profile: Profile) -> str:
    """One line about a learner, for screen readers and tooltips."""
    return _("{name}, {where}").format(name=profile.displayName, where=where(profile))


def initials(name: str) -> str:
    parts = [p for p in name.split() if p]
    letters = "".join(p[0] for p in parts[:2]) or "?"
    return letters.upper()


class _ProfileDelegate(QStyledItemDelegate):
    """A learner row: a circle with initials, the name, and where the courses come from."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(240, max(AVATAR, 2 * metrics.height() + 4) + 2 * ROW_PAD)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        name = opt.text
        opt.text = ""
        widget = opt.widget
        painter.save()
        if widget is not None:
            widget.style().drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget
            )
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette = opt.palette
        ink = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        muted = QColor(ink)
        muted.setAlphaF(0.72)
        rect = opt.rect
        circle = QRectF(rect.left() + ROW_PAD, rect.center().y() - AVATAR / 2, AVATAR, AVATAR)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        fill = QColor(ink)
        fill.setAlphaF(0.18)
        painter.setBrush(fill)
        painter.drawEllipse(circle)
        bold = QFont(opt.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(ink)
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, initials(name))
        metrics = QFontMetrics(bold)
        left = int(circle.right()) + 12
        width = rect.right() - left - ROW_PAD
        top = rect.center().y() - metrics.height() - 1
        painter.setPen(ink)
        painter.drawText(
            QRect(left, top, width, metrics.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            metrics.elidedText(name, Qt.TextElideMode.ElideRight, width),
        )
        painter.setFont(opt.font)
        painter.setPen(muted)
        detail = str(index.data(WHERE_ROLE) or "")
        painter.drawText(
            QRect(left, rect.center().y() + 2, width, metrics.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            QFontMetrics(opt.font).elidedText(detail, Qt.TextElideMode.ElideRight, width),
        )
        painter.restore()


class LearnerChooser(QWidget):
    profile_chosen = Signal(str)
    cancelled = Signal()
    sign_in_requested = Signal()  # hook: the server sign-in form (sync work)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInPage")
        self._guest_id: str | None = None
        self._server_available = False
        self.account_mode = False

        self.heading = QLabel(_("Who is learning?"), self)
        self.heading.setObjectName("signInHeading")
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setAccessibleName(_("Who is learning?"))
        self.hint = QLabel(self._default_hint(), self)
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName(_("Explanation"))

        self.list = QListWidget(self)
        self.list.setObjectName("signInList")
        self.list.setAccessibleName(_("Learners on this computer"))
        self.list.setSpacing(2)
        self.list.setItemDelegate(_ProfileDelegate(self.list))
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.list.activated.connect(self._on_activated)
        self.list.currentRowChanged.connect(self._update_buttons)
        self.list.itemSelectionChanged.connect(self._update_buttons)

        self.continue_button = QPushButton(_("Continue"), self)
        self.continue_button.setObjectName("signInContinue")
        self.continue_button.setAccessibleName(_("Continue as the chosen learner"))
        self.continue_button.setDefault(True)
        self.continue_button.clicked.connect(self._continue)
        self.guest_button = QPushButton(_("Continue as guest"), self)
        self.guest_button.setObjectName("signInGuest")
        self.guest_button.setAccessibleName(_("Continue as guest"))
        self.guest_button.clicked.connect(self._continue_as_guest)
        self.server_button = QPushButton(_("Sign in to a server…"), self)
        self.server_button.setObjectName("signInServer")
        self.server_button.setAccessibleName(_("Sign in to a server"))
        self.server_button.clicked.connect(self.sign_in_requested)
        self.server_button.hide()
        self.cancel_button = QPushButton(_("Cancel"), self)
        self.cancel_button.setObjectName("signInCancel")
        self.cancel_button.setAccessibleName(_("Cancel and keep the current learner"))
        self.cancel_button.clicked.connect(self.cancelled)
        self.cancel_button.hide()

        buttons = QHBoxLayout()
        buttons.addWidget(self.server_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.guest_button)
        buttons.addWidget(self.continue_button)

        inner = QWidget(self)
        inner.setMaximumWidth(560)
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        column.addWidget(self.heading)
        column.addWidget(self.hint)
        column.addWidget(self.list)
        column.addLayout(buttons)
        self.account_form = AccountForm(inner)
        self.account_form.hide()
        column.addWidget(self.account_form)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(inner, 100)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 24, 16, 16)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.setTabOrder(self.list, self.continue_button)
        self.setTabOrder(self.continue_button, self.guest_button)
        self.setTabOrder(self.guest_button, self.cancel_button)

    def set_sign_in_available(self, available: bool) -> None:
        self._server_available = available
        self.server_button.setVisible(available and not self.account_mode)

    def show_account_form(self) -> None:
        """User name and password instead of the list: no learner's name on the page, no guest,
        the form empty."""
        self.account_mode = True
        self.list.clear()
        self._guest_id = None
        self.account_form.reset()
        for widget in (
            self.list,
            self.continue_button,
            self.guest_button,
            self.server_button,
            self.cancel_button,
        ):
            widget.hide()
        self.account_form.show()
        if self.isVisible():
            self.account_form.focus_first()

    def show_learner_list(self) -> None:
        """The list of this machine's learners (the usual page)."""
        if not self.account_mode:
            return
        self.account_mode = False
        self.account_form.reset()
        self.account_form.hide()
        self.list.show()
        self.continue_button.show()
        self.server_button.setVisible(self._server_available)
        self._update_buttons()

    def set_hint(self, text: str | None) -> None:
        """The line under the heading; None: the usual one."""
        self.hint.setText(text if text is not None else self._default_hint())

    @staticmethod
    def _default_hint() -> str:
        return _(
            "Choose your name to see your own courses and progress. Each learner on this "
            "computer sees only their own."
        )

    def set_profiles(
        self, profiles: list[Profile], *, current: str | None, cancellable: bool
    ) -> None:
        """List ``profiles``; select ``current`` (None: no row chosen yet, as in kiosk mode)."""
        self.show_learner_list()
        self.list.clear()
        self._guest_id = None
        select_row = -1
        for row, profile in enumerate(profiles):
            if profile.isGuest:
                self._guest_id = profile.id
            item = QListWidgetItem(profile.displayName)
            item.setData(PROFILE_ID_ROLE, profile.id)
            item.setData(WHERE_ROLE, where(profile))
            item.setToolTip(describe(profile))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, describe(profile))
            self.list.addItem(item)
            if profile.id == current:
                select_row = row
        self.list.setCurrentRow(select_row)
        if self.list.count():
            rows = min(self.list.count(), MAX_VISIBLE_ROWS)
            row_height = self.list.sizeHintForRow(0) + 2 * self.list.spacing()
            self.list.setFixedHeight(rows * row_height + 2 * self.list.frameWidth() + 2)
        self.cancel_button.setVisible(cancellable)
        self._update_buttons()

    def profile_ids(self) -> list[str]:
        return [str(self.list.item(i).data(PROFILE_ID_ROLE)) for i in range(self.list.count())]

    def choose(self, profile_id: str) -> None:
        self.profile_chosen.emit(profile_id)

    def _chosen_item(self) -> QListWidgetItem | None:
        """The selected learner (the keyboard's current row alone is not a choice)."""
        selected = self.list.selectedItems()
        return selected[0] if selected else None

    def _update_buttons(self) -> None:
        self.continue_button.setEnabled(self._chosen_item() is not None)
        self.guest_button.setVisible(self._guest_id is not None and not self.account_mode)

    def _on_activated(self, index: QModelIndex) -> None:
        profile_id = index.data(PROFILE_ID_ROLE)
        if isinstance(profile_id, str):
            self.profile_chosen.emit(profile_id)

    def _continue(self) -> None:
        item = self._chosen_item()
        if item is not None:
            self.profile_chosen.emit(str(item.data(PROFILE_ID_ROLE)))

    def _continue_as_guest(self) -> None:
        if self._guest_id is not None:
            self.profile_chosen.emit(self._guest_id)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.account_mode:
            self.account_form.focus_first()
        else:
            self.list.setFocus()
