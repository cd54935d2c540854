"""The catalog sidebar: a filter field above a list of courses."""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPoint,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import QFontMetrics, QKeyEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QMenu, QVBoxLayout, QWidget

from player.i18n import _
from player.services.summaries import SIGN_IN, CourseSummary
from player.ui.catalog.delegate import BAR_HEIGHT, GAP, PAD_X, PAD_Y, CatalogDelegate
from player.ui.catalog.model import COURSE_ID_ROLE, CatalogFilter, CatalogModel


class CatalogList(QListView):
    """The catalog's list. While the courses load it paints a few placeholder rows (grey bars
    where titles and progress will be), so the window's first frame already has the catalog's
    shape and nothing jumps when the rows arrive."""

    SKELETON_ROWS = 6

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loading = False

    def set_loading(self, loading: bool) -> None:
        if loading != self.loading:
            self.loading = loading
            self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if not self.loading or (model is not None and model.rowCount() > 0):
            return
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        colour = self.palette().color(QPalette.ColorRole.Text)
        colour.setAlphaF(0.08)
        painter.setBrush(colour)
        line = QFontMetrics(self.font()).height()
        row = PAD_Y + line + GAP + line + GAP + BAR_HEIGHT + PAD_Y
        width = self.viewport().width() - 2 * PAD_X
        for n in range(self.SKELETON_ROWS):
            top = n * row + PAD_Y
            title = width * (0.55 + 0.3 * ((n * 37) % 10) / 10)
            painter.drawRoundedRect(QRectF(PAD_X, top, title, line * 0.8), 3, 3)
            painter.drawRoundedRect(QRectF(PAD_X, top + line + GAP, width * 0.35, line * 0.7), 3, 3)
            painter.drawRoundedRect(QRectF(PAD_X, top + 2 * (line + GAP), width, BAR_HEIGHT), 2, 2)
        painter.end()


class CatalogPanel(QWidget):
    """``course_selected`` follows the current row; ``course_activated`` is a click or Enter."""

    course_selected = Signal(str)
    course_activated = Signal(str)
    remove_requested = Signal(str)  # "Remove from this computer…" in a course's menu

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("catalogPanel")
        self.model = CatalogModel(self)
        self.proxy = CatalogFilter(self)
        self.proxy.setSourceModel(self.model)
        self._loading = False

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("catalogFilter")
        self.filter_edit.setPlaceholderText(_("Filter courses…"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName(_("Filter courses"))
        self.filter_edit.setAccessibleDescription(
            _("Type part of a course title or id to narrow the list")
        )
        self.filter_edit.textChanged.connect(self._on_filter_changed)
        self.filter_edit.installEventFilter(self)

        self.view = CatalogList(self)
        self.view.setObjectName("catalogList")
        self.view.setModel(self.proxy)
        self.view.setItemDelegate(CatalogDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setAccessibleName(_("Courses"))
        self.view.setAccessibleDescription(_("The courses you can read on this computer"))
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.view.clicked.connect(self._on_activated)
        self.view.activated.connect(self._on_activated)
        # the course's menu (right-click, the Menu key, Shift+F10)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._show_menu)
        self.remove_allowed = True  # False in kiosk mode
        self.menu: QMenu | None = None  # the menu last shown (tests answer it)

        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("catalogEmpty")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setContentsMargins(12, 12, 12, 12)
        self.empty_label.setAccessibleName(_("Catalog status"))
        self.empty_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty_label)
        layout.addStretch(0)
        self.setTabOrder(self.filter_edit, self.view)
        self._update_empty()

    # --- data --------------------------------------------------------------------------------

    def set_loading(self) -> None:
        self._loading = True
        self._update_empty()

    def set_courses(self, courses: list[CourseSummary]) -> None:
        self._loading = False
        self.view.set_loading(False)
        self.model.set_courses(courses)
        self._update_empty()

    def clear(self) -> None:
        """Forget everything shown (switching learner): the list and the filter."""
        self.filter_edit.blockSignals(True)
        self.filter_edit.clear()
        self.filter_edit.blockSignals(False)
        self.proxy.setFilterFixedString("")
        self.model.clear()
        self._update_empty()

    def update_course(self, course: CourseSummary) -> None:
        self.model.update_course(course)

    def select_course(self, course_id: str) -> bool:
        """Make ``course_id`` the current row (clearing a filter that hides it)."""
        row = self.model.row_of(course_id)
        if row < 0:
            return False
        proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not proxy_index.isValid():
            self.filter_edit.clear()
            proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.view.selectionModel().setCurrentIndex(
            proxy_index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.view.scrollTo(proxy_index)
        return True

    def current_course_id(self) -> str | None:
        index = self.view.currentIndex()
        value = index.data(COURSE_ID_ROLE) if index.isValid() else None
        return value if isinstance(value, str) else None

    def visible_count(self) -> int:
        return self.proxy.rowCount()

    # --- events ------------------------------------------------------------------------------

    def _on_filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._update_empty()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        course_id = current.data(COURSE_ID_ROLE) if current.isValid() else None
        if isinstance(course_id, str):
            self.course_selected.emit(course_id)

    def _on_activated(self, index: QModelIndex) -> None:
        course_id = index.data(COURSE_ID_ROLE)
        if isinstance(course_id, str):
            self.course_activated.emit(course_id)

    def course_menu(self, course_id: str) -> QMenu:
        """The menu of one course: Remove from this computer… (for a course stored here)."""
        menu = QMenu(self)
        menu.setObjectName("catalogCourseMenu")
        remove = menu.addAction(_("Remove from this computer…"))
        remove.setObjectName("catalogRemove")
        summary = self.model.course(course_id)
        remove.setEnabled(
            self.remove_allowed
            and summary is not None
            and summary.stored
            and summary.state != SIGN_IN  # a lab server's course: not the learner's
        )
        remove.triggered.connect(lambda _checked=False: self.remove_requested.emit(course_id))
        return menu

    def _show_menu(self, position: QPoint) -> None:
        index = self.view.indexAt(position)
        if not index.isValid():
            index = self.view.currentIndex()
        course_id = index.data(COURSE_ID_ROLE) if index.isValid() else None
        if not isinstance(course_id, str):
            return
        self.menu = self.course_menu(course_id)
        self.menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.menu.popup(self.view.viewport().mapToGlobal(position))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.filter_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Down and self.proxy.rowCount():
                self.view.setFocus()
                if not self.view.currentIndex().isValid():
                    self.view.setCurrentIndex(self.proxy.index(0, 0))
                return True
            if event.key() == Qt.Key.Key_Escape and self.filter_edit.text():
                self.filter_edit.clear()
                return True
        return super().eventFilter(watched, event)

    def _update_empty(self) -> None:
        loading = self._loading and self.model.rowCount() == 0
        self.view.set_loading(loading)
        if loading:  # the list paints placeholder rows; the words are for screen readers
            self.view.setAccessibleDescription(_("Loading courses…"))
            self.empty_label.hide()
            self.view.show()
            return
        self.view.setAccessibleDescription(_("The courses you can read on this computer"))
        if self.model.rowCount() == 0:
            message = _("No courses yet. Import a course file with File → Import…")
        elif self.proxy.rowCount() == 0:
            message = _("No course matches “{text}”.").format(text=self.filter_edit.text().strip())
        else:
            message = ""
        self.empty_label.setText(message)
        self.empty_label.setVisible(bool(message))
        self.view.setVisible(not message or self.proxy.rowCount() > 0)
