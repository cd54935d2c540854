"""Finding in the open lesson: the find bar (Ctrl+F) and the highlighting of matches.

Matches are found in the document's raw text with the search's own folding
(``player.search.fold``: case and accents ignored), so what the search found is what the reader
marks. Every match gets a soft background, the current one a strong one; the view scrolls to the
current match. The lesson's HTML is never changed: the marks are extra selections of the view.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTextBrowser,
    QTextEdit,
    QToolButton,
    QWidget,
)

from player.i18n import _
from player.search.fold import find_spans, find_text

MATCH = QColor(255, 230, 120)
CURRENT = QColor(255, 160, 60)
MATCH_TEXT = QColor(0, 0, 0)


class LessonHighlighter(QObject):
    """Marks spans of a ``QTextBrowser``'s document and walks through them."""

    changed = Signal(int, int)  # current (0-based, -1 for none), count

    def __init__(self, browser: QTextBrowser) -> None:
        super().__init__(browser)
        self.browser = browser
        self.spans: list[tuple[int, int]] = []
        self.current = -1

    def find(self, needle: str) -> int:
        """Mark every place ``needle`` occurs (Ctrl+F); go to the first. Returns the count."""
        return self._set(find_text(self._text(), needle))

    def mark_words(self, pieces: list[str]) -> int:
        """Mark the words a search matched (folded pieces); go to the first."""
        return self._set(find_spans(self._text(), pieces))

    def clear(self) -> None:
        self.spans = []
        self.current = -1
        self.browser.setExtraSelections([])
        self.changed.emit(-1, 0)

    def next(self) -> None:
        if self.spans:
            self._go((self.current + 1) % len(self.spans))

    def previous(self) -> None:
        if self.spans:
            self._go((self.current - 1) % len(self.spans))

    def _text(self) -> str:
        # The raw text keeps one character per document position (paragraph separators and
        # object characters included), so a span in it is a span of the document.
        return self.browser.document().toRawText()

    def _set(self, spans: list[tuple[int, int]]) -> int:
        self.spans = spans
        self.current = -1
        if spans:
            self._go(0)
        else:
            self.browser.setExtraSelections([])
            self.changed.emit(-1, 0)
        return len(spans)

    def _go(self, index: int) -> None:
        self.current = index
        document = self.browser.document()
        selections = []
        for number, (start, end) in enumerate(self.spans):
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(document)
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selection.format.setBackground(CURRENT if number == index else MATCH)
            selection.format.setForeground(MATCH_TEXT)
            selections.append(selection)
        self.browser.setExtraSelections(selections)
        start, end = self.spans[index]
        cursor = QTextCursor(document)
        cursor.setPosition(start)
        self.browser.setTextCursor(cursor)
        self.browser.ensureCursorVisible()
        self.changed.emit(index, len(self.spans))


class _FindField(QLineEdit):
    """The find text: Enter finds the next match, Shift+Enter the previous, Esc closes."""

    next_requested = Signal()
    previous_requested = Signal()
    close_requested = Signal()

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            event.accept()  # Esc closes the bar; it does not leave the lesson
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.previous_requested.emit()
            else:
                self.next_requested.emit()
            return
        if key == Qt.Key.Key_Escape:
            self.close_requested.emit()
            return
        super().keyPressEvent(event)


class FindBar(QWidget):
    """Find in lesson: a field, the match count, previous and next, close."""

    def __init__(self, browser: QTextBrowser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self.highlighter = LessonHighlighter(browser)
        self.field = _FindField(self)
        self.field.setObjectName("findField")
        self.field.setPlaceholderText(_("Find in lesson"))
        self.field.setAccessibleName(_("Find in lesson"))
        self.count_label = QLabel(self)
        self.count_label.setObjectName("findCount")
        self.count_label.setAccessibleName(_("Matches"))
        self.previous_button = self._button("‹", _("Previous match (Shift+Enter)"), "findPrevious")
        self.next_button = self._button("›", _("Next match (Enter)"), "findNext")
        self.close_button = self._button("✕", _("Close the find bar (Esc)"), "findClose")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 12, 0)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.close_button)

        self.field.textChanged.connect(self._on_text_changed)
        self.field.next_requested.connect(self.highlighter.next)
        self.field.previous_requested.connect(self.highlighter.previous)
        self.field.close_requested.connect(self.close_bar)
        self.previous_button.clicked.connect(self.highlighter.previous)
        self.next_button.clicked.connect(self.highlighter.next)
        self.close_button.clicked.connect(self.close_bar)
        self.highlighter.changed.connect(self._show_count)
        self.hide()

    def _button(self, text: str, tip: str, name: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setAutoRaise(True)
        return button

    def open_bar(self) -> None:
        """Show the bar with the field focused, its text selected (Ctrl+F)."""
        self.show()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()
        if self.field.text():
            self.highlighter.find(self.field.text())

    def show_search(self, text: str, pieces: list[str]) -> int:
        """After a search: the bar shows the learner's words, their matches marked."""
        self.field.blockSignals(True)
        self.field.setText(text)
        self.field.blockSignals(False)
        self.show()
        return self.highlighter.mark_words(pieces)

    def close_bar(self) -> None:
        had_focus = self.field.hasFocus()
        self.highlighter.clear()
        self.hide()
        if had_focus:
            self.highlighter.browser.setFocus(Qt.FocusReason.OtherFocusReason)

    def lesson_changed(self) -> None:
        """A new lesson: its matches of the bar's text when the bar is open, else no marks."""
        if not self.isHidden() and self.field.text().strip():
            self.highlighter.find(self.field.text())
        else:
            self.highlighter.clear()

    def _on_text_changed(self, text: str) -> None:
        if text.strip():
            self.highlighter.find(text)
        else:
            self.highlighter.clear()

    def _show_count(self, current: int, count: int) -> None:
        if not self.field.text().strip():
            self.count_label.clear()
        elif count == 0:
            self.count_label.setText(_("No matches"))
        else:
            self.count_label.setText(_("{n} of {count}").format(n=current + 1, count=count))
        self.previous_button.setEnabled(count > 1)
        self.next_button.setEnabled(count > 1)
