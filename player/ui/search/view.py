"""The search page: one field for every course, the results grouped by course.

The page only shows: it emits ``query_changed`` (after a short pause in typing) and
``hit_activated``; the window runs ``player.services.search.search`` in the background and hands
the results back with ``show_results``. Keyboard: Ctrl+K (the window) focuses the field, Down or
Tab goes to the results, arrows move, Enter opens, Esc goes back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from player.i18n import _, ngettext
from player.ui.search.delegate import HIT_ROLE, ResultDelegate

if TYPE_CHECKING:  # the search service (index, renderer) loads on the first search
    from player.services.search import SearchHit, SearchResults

TYPING_PAUSE_MS = 200


class SearchView(QWidget):
    query_changed = Signal(str)
    hit_activated = Signal(object, str)  # SearchHit, the query text
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchView")
        self.results: SearchResults | None = None
        self.field = QLineEdit(self)
        self.field.setObjectName("searchField")
        self.field.setPlaceholderText(_("Search all courses"))
        self.field.setAccessibleName(_("Search all courses"))
        self.field.setClearButtonEnabled(True)
        self.status = QLabel(self)
        self.status.setObjectName("searchStatus")
        self.status.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("searchResults")
        self.tree.setAccessibleName(_("Search results"))
        self.tree.setHeaderHidden(True)
        self.tree.header().setAccessibleName(_("Search results"))
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        self.tree.setUniformRowHeights(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setItemDelegate(ResultDelegate(self.tree))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addWidget(self.field)
        layout.addWidget(self.status)
        layout.addWidget(self.tree, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self._emit_query)
        self.field.textChanged.connect(lambda _text: self._timer.start())
        self.field.returnPressed.connect(self._on_return)
        self.field.installEventFilter(self)
        self.tree.installEventFilter(self)
        self.tree.itemActivated.connect(self._on_item_activated)
        self.show_results(None)

    # --- what the window calls ----------------------------------------------------------------

    def focus_field(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def query(self) -> str:
        return self.field.text()

    def clear(self) -> None:
        """Forget the query and the results (switching learner)."""
        self._timer.stop()
        self.field.blockSignals(True)
        self.field.clear()
        self.field.blockSignals(False)
        self.show_results(None)

    def show_results(self, results: SearchResults | None) -> None:
        """Show ``results`` (None: nothing searched yet); stale results are the window's job."""
        self.results = results
        self.tree.clear()
        if results is None or not self.field.text().strip():
            self.status.setText(_("Type words to find in every course: titles and lesson text."))
            return
        groups = results.by_course()
        if not groups:
            self.status.setText(
                _("Nothing found for “{query}”. Try fewer or shorter words.").format(
                    query=results.text.strip()
                )
            )
            return
        hits = len(results.hits)
        self.status.setText(
            ngettext("{n} result", "{n} results", hits).format(n=hits)
            + " · "
            + ngettext("{n} course", "{n} courses", len(groups)).format(n=len(groups))
        )
        for group in groups:
            first = group[0]
            course = QTreeWidgetItem(self.tree, [first.course_title])
            course.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading: not selectable
            font = course.font(0)
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 1.1)
            course.setFont(0, font)
            for hit in group:
                item = QTreeWidgetItem(course, [_hit_title(hit)])
                item.setData(0, HIT_ROLE, hit)
                item.setToolTip(0, hit.snippet.text)
                item.setData(0, Qt.ItemDataRole.AccessibleTextRole, _accessible(hit))
            course.setExpanded(True)
        first_item = self._first_hit_item()
        if first_item is not None:
            self.tree.setCurrentItem(first_item)

    def _first_hit_item(self) -> QTreeWidgetItem | None:
        top = self.tree.topLevelItem(0)
        return top.child(0) if top is not None and top.childCount() else None

    # --- keyboard -----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        key = event.key()
        if event.type() == QEvent.Type.ShortcutOverride and key == Qt.Key.Key_Escape:
            event.accept()  # Esc leaves the search page (not the reader's "back")
            return True
        if event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        if key == Qt.Key.Key_Escape:
            self.back_requested.emit()
            return True
        if watched is self.field and key == Qt.Key.Key_Down:
            self._focus_results()
            return True
        if watched is self.tree and key == Qt.Key.Key_Up and self._at_first_hit():
            self.field.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return super().eventFilter(watched, event)

    def _at_first_hit(self) -> bool:
        current = self.tree.currentItem()
        return current is not None and current is self._first_hit_item()

    def _focus_results(self) -> None:
        first_item = self._first_hit_item()
        if self.tree.currentItem() is None and first_item is not None:
            self.tree.setCurrentItem(first_item)
        if self.tree.currentItem() is not None:
            self.tree.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_return(self) -> None:
        """Enter in the field: search now, or open the first result when it is current."""
        if self._timer.isActive():
            self._timer.stop()
            self._emit_query()
            return
        item = self.tree.currentItem() or self._first_hit_item()
        if item is not None:
            self._on_item_activated(item)

    def _emit_query(self) -> None:
        self.query_changed.emit(self.field.text())

    def _on_item_activated(self, item: QTreeWidgetItem) -> None:
        from player.services.search import SearchHit

        hit = item.data(0, HIT_ROLE)
        if isinstance(hit, SearchHit):
            self.hit_activated.emit(hit, self.field.text())


def _hit_title(hit: SearchHit) -> str:
    if hit.lesson_index is None:
        return _("Course: {title}").format(title=hit.course_title)
    return _("Lesson {n}: {title}").format(n=hit.lesson_index + 1, title=hit.lesson_title)


def _accessible(hit: SearchHit) -> str:
    text = f"{_hit_title(hit)}. {hit.snippet.text}"
    if hit.title_only:
        text += " " + _("(found by its title; open the course to see how to get it)")
    return text
