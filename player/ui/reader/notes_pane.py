"""The reader's notes pane: the learner's notes on the open lesson and its bookmark.

The pane shows what it is given (``show_notes``) and says what the learner asked for through
signals; ``player.ui.reader.notes_controller`` runs the service calls off the UI thread. Typing is
saved a moment after the learner stops (and when another note or lesson is chosen), never on every
key. A text over the limit is not saved: the pane says so until it is shortened.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from player.i18n import _
from player.services.notes import MAX_NOTE_CHARS, LessonNotes, NoteItem

SAVE_DELAY_MS = 800


class NotesPane(QWidget):
    note_added = Signal(str, int, str)  # course id, lesson index, text
    note_edited = Signal(str, str)  # note id, text
    note_deleted = Signal(str)  # note id
    bookmark_toggled = Signal(str, int, bool)  # course id, lesson index, on

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notesPane")
        self.setAccessibleName(_("Notes"))
        self._lesson: tuple[str, int] | None = None
        self._notes: list[NoteItem] = []
        self._current: str | None = None  # the note in the editor (None: a new one)
        self._saved_text = ""
        self._adding = False  # an add is on its way: its id comes with ``note_saved``

        title = QLabel(_("Notes"), self)
        title.setObjectName("notesTitle")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.bookmark_button = QPushButton(_("☆ Bookmark"), self)
        self.bookmark_button.setObjectName("notesBookmark")
        self.bookmark_button.setCheckable(True)
        self.bookmark_button.setAccessibleName(_("Bookmark this lesson (Ctrl+D)"))
        self.bookmark_button.clicked.connect(self._on_bookmark_clicked)
        header = QHBoxLayout()
        header.addWidget(title, 1)
        header.addWidget(self.bookmark_button)

        self.list = QListWidget(self)
        self.list.setObjectName("notesList")
        self.list.setAccessibleName(_("Notes on this lesson"))
        self.list.setMaximumHeight(110)
        # a long first line ends in "…" (the whole note is its tooltip), not a scroll bar
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("notesEditor")
        self.editor.setAccessibleName(_("Note text"))
        self.editor.setPlaceholderText(_("Write a note on this lesson…"))
        self.editor.setTabChangesFocus(True)
        self.editor.textChanged.connect(self._on_text_changed)
        self.counter = QLabel(self)
        self.counter.setObjectName("notesCounter")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.counter.setWordWrap(True)
        self.new_button = QPushButton(_("New note"), self)
        self.new_button.setObjectName("notesNew")
        self.new_button.setAccessibleName(_("New note on this lesson"))
        self.new_button.clicked.connect(self.new_note)
        self.delete_button = QPushButton(_("Delete"), self)
        self.delete_button.setObjectName("notesDelete")
        self.delete_button.setAccessibleName(_("Delete this note"))
        self.delete_button.clicked.connect(self._on_delete)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.addLayout(header)
        layout.addWidget(self.list)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.counter)
        layout.addLayout(buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.save_now)
        self.clear()

    # --- showing ------------------------------------------------------------------------------

    @property
    def lesson(self) -> tuple[str, int] | None:
        return self._lesson

    @property
    def current_note_id(self) -> str | None:
        return self._current

    def show_notes(self, notes: LessonNotes) -> None:
        """The stored notes of a lesson (after opening it, or after a change elsewhere)."""
        same = self._lesson == (notes.course_id, notes.lesson_idx)
        if not same:
            self.save_now()
        self._lesson = (notes.course_id, notes.lesson_idx)
        self._notes = list(notes.notes)
        self.set_bookmarked(notes.bookmarked)
        keep = self._current if same else None
        if keep is None and not (same and self._adding) and self._notes:
            keep = self._notes[-1].id
        self._fill_list(keep)
        if not same or (keep is not None and keep != self._current):
            self._edit(next((n for n in self._notes if n.id == keep), None))
        self.setEnabled(True)

    def set_bookmarked(self, on: bool) -> None:
        self.bookmark_button.setChecked(on)
        self.bookmark_button.setText(_("★ Bookmarked") if on else _("☆ Bookmark"))
        self.bookmark_button.setAccessibleDescription(
            _("This lesson is bookmarked; press to remove the bookmark")
            if on
            else _("Bookmark this lesson")
        )

    def clear(self) -> None:
        """Nothing shown (no lesson, or the learner changed); pending typing is dropped."""
        self._timer.stop()
        self._lesson = None
        self._notes = []
        self._current = None
        self._adding = False
        self.list.clear()
        self._set_editor_text("")
        self.set_bookmarked(False)
        self.setEnabled(False)

    def note_saved(self, item: NoteItem) -> None:
        """A save finished: a new note now has its id (later typing edits it)."""
        if self._lesson != (item.course_id, item.lesson_idx):
            return
        if self._adding and self._current is None:
            self._adding = False
            self._current = item.id
        if all(n.id != item.id for n in self._notes):
            self._notes.append(item)
        else:
            self._notes = [item if n.id == item.id else n for n in self._notes]
        self._fill_list(self._current)
        if self.editor.toPlainText() != self._saved_text:
            self._timer.start()  # typed on while it was saved

    def save_failed(self) -> None:
        self._adding = False

    # --- editing ------------------------------------------------------------------------------

    def new_note(self) -> None:
        if self._lesson is None:
            return
        self.save_now()
        self._edit(None)
        self.list.blockSignals(True)
        self.list.clearSelection()
        self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        self.editor.setFocus()

    def save_now(self) -> None:
        """Save the editor's text if it changed (the timer, or leaving the note)."""
        self._timer.stop()
        text = self.editor.toPlainText()
        if self._lesson is None or text == self._saved_text or len(text) > MAX_NOTE_CHARS:
            return
        if self._current is None:
            if not text.strip() or self._adding:
                return
            self._adding = True
            self._saved_text = text
            self.note_added.emit(self._lesson[0], self._lesson[1], text)
        else:
            self._saved_text = text
            self.note_edited.emit(self._current, text)

    def toggle_bookmark(self) -> None:
        if self._lesson is not None and self.isEnabled():
            self.bookmark_button.click()

    def _on_bookmark_clicked(self, checked: bool) -> None:
        if self._lesson is None:
            return
        self.set_bookmarked(checked)
        self.bookmark_toggled.emit(self._lesson[0], self._lesson[1], checked)

    def _on_delete(self) -> None:
        self._timer.stop()
        note_id = self._current
        if note_id is None:
            self._set_editor_text("")
            return
        self._notes = [n for n in self._notes if n.id != note_id]
        self._fill_list(None)
        self._edit(self._notes[-1] if self._notes else None)
        self.note_deleted.emit(note_id)

    def _on_text_changed(self) -> None:
        length = len(self.editor.toPlainText())
        locale = QLocale()  # digit grouping as the learner's language writes it
        n, limit = locale.toString(length), locale.toString(MAX_NOTE_CHARS)
        if length > MAX_NOTE_CHARS:
            self.counter.setText(
                _(
                    "{n} of {limit} characters: too long to save. Shorten the note; "
                    "the saved version is kept."
                ).format(n=n, limit=limit)
            )
            self._timer.stop()
            return
        self.counter.setText(
            _("{n} of {limit} characters").format(n=n, limit=limit)
            if length > MAX_NOTE_CHARS * 9 // 10
            else ""
        )
        if self._lesson is not None and self.editor.toPlainText() != self._saved_text:
            self._timer.start()

    def _on_current_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is None:
            return
        note_id = current.data(Qt.ItemDataRole.UserRole)
        if note_id == self._current:
            return
        self.save_now()
        self._edit(next((n for n in self._notes if n.id == note_id), None))

    def _edit(self, note: NoteItem | None) -> None:
        self._current = note.id if note is not None else None
        self._adding = False
        self._set_editor_text(note.text if note is not None else "")
        self.delete_button.setEnabled(True)

    def _set_editor_text(self, text: str) -> None:
        self._saved_text = text
        self.editor.blockSignals(True)
        self.editor.setPlainText(text)
        self.editor.blockSignals(False)
        self.counter.setText("")

    def _fill_list(self, select: str | None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for note in self._notes:
            item = QListWidgetItem(note.first_line or _("(empty note)"), self.list)
            item.setData(Qt.ItemDataRole.UserRole, note.id)
            item.setToolTip(note.text[:500])
            if note.id == select:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.list.setVisible(bool(self._notes))
