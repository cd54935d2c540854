"""The "Notes & bookmarks" window: every note and bookmark of the learner, grouped by course.

It shows what it is given (``set_items``); choosing an entry (double-click, Enter) asks for that
lesson with ``lesson_requested``. The main window loads the list off the UI thread, refreshes it
after the learner writes a note, and closes it when the learner changes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from player.i18n import _, pgettext
from player.services.notes import BOOKMARK, NoteItem

COURSE_ROLE = Qt.ItemDataRole.UserRole
INDEX_ROLE = Qt.ItemDataRole.UserRole + 1


class NotesListDialog(QDialog):
    lesson_requested = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notesListDialog")
        self.setWindowTitle(_("Notes & bookmarks"))
        self.resize(560, 420)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("notesTree")
        self.tree.setAccessibleName(_("Your notes and bookmarks"))
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([_("Lesson"), pgettext("a learner's own note", "Note")])
        self.tree.setColumnWidth(0, 220)
        self.tree.itemActivated.connect(self._on_activated)
        self.empty_label = QLabel(
            _(
                "No notes or bookmarks yet. Open a lesson and press Ctrl+D to bookmark it, or "
                "write in its notes pane (Ctrl+Shift+N)."
            ),
            self,
        )
        self.empty_label.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.set_items([])

    def set_items(self, items: list[NoteItem]) -> None:
        self.tree.clear()
        courses: dict[str, QTreeWidgetItem] = {}
        for item in items:
            parent = courses.get(item.course_id)
            if parent is None:
                parent = QTreeWidgetItem(self.tree, [item.course_title, ""])
                parent.setData(0, COURSE_ROLE, item.course_id)
                parent.setFirstColumnSpanned(True)
                courses[item.course_id] = parent
            lesson = _("Lesson {n}").format(n=item.lesson_idx + 1)
            if item.lesson_title:
                lesson = f"{lesson}: {item.lesson_title}"
            text = _("★ Bookmark") if item.kind == BOOKMARK else (item.first_line or "…")
            row = QTreeWidgetItem(parent, [lesson, text])
            row.setData(0, COURSE_ROLE, item.course_id)
            row.setData(0, INDEX_ROLE, item.lesson_idx)
            row.setToolTip(1, item.text[:500] if item.kind != BOOKMARK else text)
        self.tree.expandAll()
        self.empty_label.setVisible(not items)
        if items:
            first = self.tree.topLevelItem(0)
            child = first.child(0) if first is not None else None
            if child is not None:
                self.tree.setCurrentItem(child)

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        index = item.data(0, INDEX_ROLE)
        if index is None:
            return
        self.lesson_requested.emit(str(item.data(0, COURSE_ROLE)), int(index))
