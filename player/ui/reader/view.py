"""The lesson reader: the lesson text with Previous / Next, Mark complete and zoom.

The reader only shows what it is given (``show_lesson``) and says what the learner asked for
through signals; the main window loads lessons and writes progress.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from player.i18n import _
from player.services.reading import LessonView
from player.settings import TEXT_ZOOMS, nearest
from player.ui.reader.browser import LessonBrowser
from player.ui.reader.find import FindBar
from player.ui.reader.notes_pane import NotesPane

_LEARNER_INPUT = (
    QEvent.Type.Wheel,
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.TouchBegin,
)
POSITION_SAVE_MS = 1500  # the reading position is saved this long after scrolling stops
READING_SCALE = 1.15  # the lesson text is a little larger than the interface
ZOOM_DEFAULT = 100


class ElidedLabel(QLabel):
    """A one-line label that elides its text to the width it gets (keeps narrow layouts narrow)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        super().setText(
            metrics.elidedText(self._full, Qt.TextElideMode.ElideRight, max(0, self.width()))
        )


class ReaderView(QWidget):
    back_requested = Signal()
    lesson_requested = Signal(str, int)  # course id, lesson index
    completion_requested = Signal(str, int, bool)  # the Mark complete toggle
    finished_reading = Signal(str, int)  # Next pressed at the end of a lesson (auto-complete)
    zoom_changed = Signal(int)
    link_refused = Signal(str)
    position_changed = Signal(str, int, float)  # course, lesson, how far down (0.0-1.0)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        zoom: int = ZOOM_DEFAULT,
        zoom_choices: tuple[int, ...] = TEXT_ZOOMS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("lessonReader")
        self.lesson: LessonView | None = None
        self._choices = tuple(sorted(zoom_choices)) or TEXT_ZOOMS
        self._zoom = nearest(self._choices, zoom)

        self.back_button = QPushButton(_("‹ Course"), self)
        self.back_button.setObjectName("readerBack")
        self.back_button.setAccessibleName(_("Back to the course overview"))
        self.back_button.setFlat(True)
        self.back_button.clicked.connect(self.back_requested)
        self.course_label = ElidedLabel(self)
        self.course_label.setObjectName("readerCourse")
        self.course_label.setAccessibleName(_("Course"))
        self.position_label = QLabel(self)
        self.position_label.setObjectName("readerPosition")
        self.position_label.setAccessibleName(_("Position in the course"))
        self.position_label.setAlignment(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )
        self.notes_button = QPushButton(_("Notes"), self)
        self.notes_button.setObjectName("readerNotes")
        self.notes_button.setCheckable(True)
        self.notes_button.setFlat(True)
        self.notes_button.setAccessibleName(_("Show or hide your notes (Ctrl+Shift+N)"))
        self.notes_button.toggled.connect(self.set_notes_visible)
        header = QHBoxLayout()
        header.setContentsMargins(8, 4, 12, 0)
        header.addWidget(self.back_button)
        header.addWidget(self.course_label, 1)
        header.addWidget(self.position_label)
        header.addWidget(self.notes_button)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("readerSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.browser = LessonBrowser(self.splitter)
        self.browser.setAccessibleName(_("Lesson text"))
        self.browser.page_past_end.connect(self.go_next)
        self.browser.page_before_start.connect(self.go_previous)
        self.browser.link_refused.connect(self.link_refused)
        self.notes_pane = NotesPane(self.splitter)
        self.notes_pane.setMinimumWidth(200)
        self.notes_pane.hide()
        self.splitter.addWidget(self.browser)
        self.splitter.addWidget(self.notes_pane)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        # The reading position is saved a moment after scrolling stops, never on every event.
        self._position_timer = QTimer(self)
        self._position_timer.setSingleShot(True)
        self._position_timer.setInterval(POSITION_SAVE_MS)
        self._position_timer.timeout.connect(self._say_position)
        self._pending_position: float | None = None
        self._restored_value = -1
        # Opened from a search: the current match stays in view while the lesson settles (it
        # replaces the saved reading position) until the learner scrolls.
        self._follow_match = False
        scroll = self.browser.verticalScrollBar()
        scroll.valueChanged.connect(self._on_scrolled)
        scroll.rangeChanged.connect(lambda _low, _high: self._apply_pending_position())
        scroll.rangeChanged.connect(lambda _low, _high: self._keep_match_in_view())
        for watched in (self.browser, self.browser.viewport(), scroll):
            watched.installEventFilter(self)
        self.find_bar = FindBar(self.browser, self)

        self.prev_button = QPushButton(_("‹ Previous"), self)
        self.prev_button.setObjectName("readerPrevious")
        self.prev_button.setAccessibleName(_("Previous lesson"))
        self.prev_button.clicked.connect(self.go_previous)
        self.complete_button = QPushButton(_("Mark complete"), self)
        self.complete_button.setObjectName("readerComplete")
        self.complete_button.setCheckable(True)
        self.complete_button.setAccessibleName(_("Mark this lesson complete"))
        self.complete_button.clicked.connect(self._on_complete_clicked)
        self.next_button = QPushButton(_("Next ›"), self)
        self.next_button.setObjectName("readerNext")
        self.next_button.setAccessibleName(_("Next lesson"))
        self.next_button.clicked.connect(self.go_next)
        footer = QHBoxLayout()
        footer.setContentsMargins(8, 4, 8, 8)
        footer.addWidget(self.prev_button)
        footer.addStretch(1)
        footer.addWidget(self.complete_button)
        footer.addStretch(1)
        footer.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.find_bar)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(footer)

        self.previous_action = self._action(
            _("Previous lesson"), ["Alt+Left", "Ctrl+["], self.go_previous
        )
        self.next_action = self._action(_("Next lesson"), ["Alt+Right", "Ctrl+]"], self.go_next)
        self.back_action = self._action(_("Back to the course"), ["Esc"], self.back_requested.emit)
        self.find_action = self._action(_("Find in lesson"), ["Ctrl+F"], self.find_bar.open_bar)
        self.find_next_action = self._action(
            _("Next match"), ["F3"], self.find_bar.highlighter.next
        )
        self.find_previous_action = self._action(
            _("Previous match"), ["Shift+F3"], self.find_bar.highlighter.previous
        )
        self.bookmark_action = self._action(
            _("Bookmark this lesson"), ["Ctrl+D"], self.notes_pane.toggle_bookmark
        )
        self.notes_action = self._action(
            _("Show or hide your notes"), ["Ctrl+Shift+N"], self.notes_button.toggle
        )
        self.setTabOrder(self.back_button, self.browser)
        self.setTabOrder(self.browser, self.prev_button)
        self.setTabOrder(self.prev_button, self.complete_button)
        self.setTabOrder(self.complete_button, self.next_button)
        self.setTabOrder(self.next_button, self.notes_button)
        self._apply_zoom()
        self.clear()

    def _action(self, text: str, keys: list[str], slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    # --- showing ------------------------------------------------------------------------------

    def show_lesson(self, lesson: LessonView) -> None:
        same_lesson = (
            self.lesson is not None
            and self.lesson.course_id == lesson.course_id
            and self.lesson.index == lesson.index
            and self.lesson.dark == lesson.dark
        )
        if not same_lesson:
            self.flush_position()
        self.lesson = lesson
        if not same_lesson:
            self._pending_position = None
            self._follow_match = False
            self.browser.show_lesson(lesson.package, lesson.html)
            self.find_bar.lesson_changed()
            if lesson.position > 0:
                self._pending_position = lesson.position
                self._apply_pending_position()
        self.course_label.set_full_text(lesson.package.title)
        self.position_label.setText(
            _("Lesson {n} of {count}").format(n=lesson.index + 1, count=lesson.lesson_count)
        )
        self._refresh_controls()

    def clear(self) -> None:
        """Forget the lesson and the view's history (switching learner)."""
        self._position_timer.stop()  # the learner changed: nothing more is saved for them
        self._pending_position = None
        self._follow_match = False
        self.lesson = None
        self.find_bar.close_bar()
        self.notes_pane.clear()
        self.browser.clear_lesson()
        self.course_label.set_full_text("")
        self.position_label.clear()
        self._refresh_controls()

    def _refresh_controls(self) -> None:
        lesson = self.lesson
        has_prev = lesson is not None and lesson.index > 0
        has_next = lesson is not None and lesson.index + 1 < lesson.lesson_count
        self.prev_button.setEnabled(has_prev)
        self.previous_action.setEnabled(has_prev)
        self.next_button.setEnabled(has_next)
        self.next_action.setEnabled(has_next)
        self.complete_button.setEnabled(lesson is not None)
        completed = lesson is not None and lesson.completed
        self.complete_button.setChecked(completed)
        self.complete_button.setText(_("✓ Completed") if completed else _("Mark complete"))
        self.complete_button.setAccessibleDescription(
            _("This lesson is marked complete; press to undo")
            if completed
            else _("Mark this lesson complete")
        )

    # --- the reading position ---------------------------------------------------------------

    def reading_position(self) -> float:
        scroll = self.browser.verticalScrollBar()
        return scroll.value() / scroll.maximum() if scroll.maximum() > 0 else 0.0

    def flush_position(self) -> None:
        """Say where the learner is now, if they scrolled since it was last said."""
        if self._position_timer.isActive():
            self._position_timer.stop()
            self._say_position()

    def _say_position(self) -> None:
        lesson = self.lesson
        if lesson is not None:
            self.position_changed.emit(lesson.course_id, lesson.index, self.reading_position())

    def _on_scrolled(self, value: int) -> None:
        if self._pending_position is not None:
            if value != self._restored_value:  # the text view re-laid itself out: again
                QTimer.singleShot(0, self._apply_pending_position)
            return
        if self._follow_match:  # the text view re-laid itself out: the match back in view
            QTimer.singleShot(0, self._keep_match_in_view)
        if self.lesson is not None and not self._position_timer.isActive():
            self._position_timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The learner's own scrolling (wheel, keys, mouse) ends restoring the saved position."""
        if event.type() in _LEARNER_INPUT:
            self._pending_position = None
            self._follow_match = False
        return super().eventFilter(watched, event)

    def _apply_pending_position(self) -> None:
        """Scroll to the saved position; again whenever the text's height changes while the
        lesson settles (images fitted, the window resized) until the learner scrolls."""
        scroll = self.browser.verticalScrollBar()
        if self._pending_position is None or scroll.maximum() <= 0:
            return
        self._restored_value = round(self._pending_position * scroll.maximum())
        scroll.setValue(self._restored_value)

    def set_notes_visible(self, visible: bool) -> None:
        """Show or hide the notes pane (the Notes button, Ctrl+Shift+N)."""
        if self.notes_button.isChecked() != visible:
            self.notes_button.setChecked(visible)  # comes back here through ``toggled``
            return
        if not visible:
            self.notes_pane.save_now()
        self.notes_pane.setVisible(visible)
        if visible:
            self.notes_pane.editor.setFocus()

    def show_search_matches(self, text: str, pieces: list[str]) -> int:
        """Mark what a search found in the lesson shown and scroll to the first match: the
        lesson opens there, not at the saved reading position."""
        self._pending_position = None
        count = self.find_bar.show_search(text, pieces)
        self._follow_match = count > 0
        return count

    def _keep_match_in_view(self) -> None:
        if self._follow_match:
            self.browser.ensureCursorVisible()  # the find bar put the cursor on the match

    # --- navigation ---------------------------------------------------------------------------

    def go_previous(self) -> None:
        lesson = self.lesson
        if lesson is not None and lesson.index > 0:
            self.lesson_requested.emit(lesson.course_id, lesson.index - 1)

    def go_next(self) -> None:
        lesson = self.lesson
        if lesson is None or lesson.index + 1 >= lesson.lesson_count:
            return
        if lesson.entitled and not lesson.completed and self.browser.at_bottom():
            self.finished_reading.emit(lesson.course_id, lesson.index)
        self.lesson_requested.emit(lesson.course_id, lesson.index + 1)

    def _on_complete_clicked(self, checked: bool) -> None:
        lesson = self.lesson
        if lesson is None:
            return
        self._refresh_controls()  # the stored state decides; the result will update it
        self.completion_requested.emit(lesson.course_id, lesson.index, checked)

    # --- zoom: the text size of the settings (``Settings.text_zoom``) ---------------------

    @property
    def zoom(self) -> int:
        return self._zoom

    @property
    def zoom_choices(self) -> tuple[int, ...]:
        return self._choices

    def set_zoom_choices(self, choices: tuple[int, ...]) -> None:
        """The sizes zoom steps through (a lab policy may allow only a few); snaps the zoom."""
        self._choices = tuple(sorted(choices)) or TEXT_ZOOMS
        self.set_zoom(self._zoom)

    def set_zoom(self, percent: int) -> None:
        percent = nearest(self._choices, percent)
        if percent == self._zoom:
            return
        self._zoom = percent
        self._apply_zoom()
        self.zoom_changed.emit(percent)

    def zoom_in(self) -> None:
        larger = [size for size in self._choices if size > self._zoom]
        if larger:
            self.set_zoom(larger[0])

    def zoom_out(self) -> None:
        smaller = [size for size in self._choices if size < self._zoom]
        if smaller:
            self.set_zoom(smaller[-1])

    def zoom_reset(self) -> None:
        self.set_zoom(ZOOM_DEFAULT)

    def _apply_zoom(self) -> None:
        base = QApplication.font().pointSizeF()
        font = QFont(self.browser.font())
        font.setPointSizeF(max(4.0, base * READING_SCALE * self._zoom / 100))
        self.browser.setFont(font)
