"""The lesson flow: opening a lesson (also previous and next), marking it complete (and enrolling
first when asked), back to the overview, and going back to what the learner left open.

``LessonController`` asks the window for ``LessonHost`` (``MainWindow`` is one) and never imports
it; where the learner is goes to ``ResumeRecorder`` (``resume.py``). Results of a lesson opened
before another was asked for are dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtWidgets import QMainWindow, QWidget

from player.errors import NotEnrolled
from player.i18n import _
from player.services import reading
from player.services.handles import Profile, Store
from player.services.reading import CourseDetails, LessonView
from player.services.resume import LeftOpen
from player.ui.catalog.panel import CatalogPanel
from player.ui.overview.controller import choose_quietly
from player.ui.overview.view import CourseOverview
from player.ui.reader.notes_controller import NotesController
from player.ui.reader.resume import ResumeRecorder
from player.ui.reader.view import ReaderView
from player.ui.shell import theme
from player.ui.shell.error_dialogs import ask_to_enroll, show_error, show_status
from player.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


class LessonHost(Protocol):
    """What the lesson flow asks of the window (``MainWindow`` is one)."""

    @property
    def store(self) -> Store: ...

    @property
    def tasks(self) -> TaskRunner: ...

    @property
    def profile(self) -> Profile | None: ...

    @property
    def catalog(self) -> CatalogPanel: ...

    @property
    def overview(self) -> CourseOverview: ...

    @property
    def reader(self) -> ReaderView: ...

    @property
    def notes(self) -> NotesController:
        """The lesson's notes pane: filled when a lesson shows."""

    @property
    def kiosk(self) -> bool:
        """Links to web pages do not open in kiosk mode: the message says so."""

    @property
    def lesson_shown(self) -> SignalInstance:
        """Emitted with the course's id and the lesson's index once a lesson shows."""

    def show_page(self, page: QWidget) -> None:
        """Put ``page`` (the reader, the overview) in the content area."""

    def open_course(self, course_id: str) -> None: ...

    def enroll(self, course_id: str, then: Callable[[], None] | None = None) -> None: ...

    def apply_details(self, details: CourseDetails) -> None:
        """Show a course's new state everywhere it appears."""


class LessonController(QObject):
    """The lesson flow of one window (``parent``: dialogs go over it)."""

    def __init__(self, host: LessonHost, *, parent: QMainWindow) -> None:
        super().__init__(parent)
        self._host = host
        self._parent = parent
        self.request: tuple[str, int] | None = None  # the lesson last asked for
        self.resume = ResumeRecorder(host.store, host.tasks, lambda: host.profile)
        reader = host.reader
        reader.back_requested.connect(self.back_to_overview)
        reader.lesson_requested.connect(self.open)
        reader.completion_requested.connect(self.set_completed)
        reader.finished_reading.connect(self._on_finished_reading)
        reader.position_changed.connect(self.resume.position)
        reader.link_refused.connect(self._on_link_refused)
        reader.browser.highlighted.connect(self._on_link_hovered)

    def forget(self) -> None:
        """The learner changed: nothing asked for before reaches the reader."""
        self.request = None

    def open(self, course_id: str, index: int) -> None:
        host = self._host
        summary = host.catalog.model.course(course_id)
        profile = host.profile
        if summary is None or profile is None:
            return
        store = host.store
        dark = theme.is_dark()
        self.request = (course_id, index)

        def done(lesson: LessonView) -> None:
            if self.request != (course_id, index):
                return
            # the catalog is updated by writes only (apply_details): a read that started
            # before a write finished must not put an older count back
            host.reader.show_lesson(lesson)
            host.notes.load(course_id, index)
            self.resume.opened(course_id, index)
            host.show_page(host.reader)
            host.reader.browser.setFocus()
            host.lesson_shown.emit(course_id, index)

        def failed(error: BaseException) -> None:
            if self.request == (course_id, index):
                self.request = None
            show_error(self._parent, error)

        host.tasks.read(
            lambda job: reading.load_lesson(store, profile, summary, index, dark, job.progress),
            done,
            failed,
            message=_("Opening lesson {n}…").format(n=index + 1),
        )

    def reveal(self, course_id: str, index: int) -> None:
        """Open a lesson from search or the notes list, its course chosen in the catalog."""
        choose_quietly(self._host.catalog, course_id)
        self.open(course_id, index)

    def reopen_left_open(self) -> None:
        """Back to the course and lesson the learner left open (``player.services.resume``)."""
        host = self._host

        def done(left: LeftOpen | None) -> None:
            if left is None or host.catalog.model.course(left.course_id) is None:
                return
            choose_quietly(host.catalog, left.course_id)
            host.open_course(left.course_id)
            if left.lesson_idx is not None:
                self.open(left.course_id, left.lesson_idx)

        self.resume.left_open(done)

    def back_to_overview(self) -> None:
        host = self._host
        host.reader.flush_position()
        lesson = host.reader.lesson
        if lesson is not None:
            self.resume.opened(lesson.course_id, None)
        if lesson is not None and host.overview.course_id != lesson.course_id:
            choose_quietly(host.catalog, lesson.course_id)
            host.open_course(lesson.course_id)
        host.show_page(host.overview)

    def set_completed(
        self, course_id: str, index: int, completed: bool, *, quiet: bool = False
    ) -> None:
        host = self._host
        summary = host.catalog.model.course(course_id)
        profile = host.profile
        if summary is None or profile is None:
            return
        store = host.store

        def failed(error: BaseException) -> None:
            if quiet:
                log.info("lesson not marked complete: %s", error)
            elif isinstance(error, NotEnrolled):
                if ask_to_enroll(self._parent, error):  # the question shows the message
                    host.enroll(
                        course_id,
                        then=lambda: self.set_completed(course_id, index, completed),
                    )
            else:
                show_error(self._parent, error)

        host.tasks.write(
            lambda _job: reading.set_completed(store, profile, summary, index, completed),
            host.apply_details,
            failed,
        )

    def _on_finished_reading(self, course_id: str, index: int) -> None:
        self.set_completed(course_id, index, True, quiet=True)

    def _on_link_refused(self, _url: str) -> None:
        if self._host.kiosk:
            message = _("Links to web pages and other programs do not open on this computer.")
        else:
            message = _("This link was not opened: only web and e-mail links open from a lesson.")
        show_status(self._parent, message)

    def _on_link_hovered(self, url: Any) -> None:
        text = url.toString() if hasattr(url, "toString") else str(url)
        if text:
            self._parent.statusBar().showMessage(text, 4000)
        else:
            self._parent.statusBar().clearMessage()
