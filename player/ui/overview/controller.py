"""The course flow: opening a course on the overview, enrolling, and showing a course's new state
everywhere it appears (catalog, overview, reader).

``CourseController`` asks the window for ``CourseHost`` (``MainWindow`` is one) and never imports
it. Results of a course opened before another was asked for are dropped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtWidgets import QWidget

from player.i18n import _
from player.policy import LabPolicy
from player.services import reading
from player.services.access import LabServer
from player.services.handles import Profile, Store
from player.services.reading import CourseDetails
from player.ui.catalog.panel import CatalogPanel
from player.ui.overview.view import CourseOverview
from player.ui.reader.view import ReaderView
from player.ui.shell.error_dialogs import show_status
from player.ui.tasks import TaskRunner


class CourseHost(Protocol):
    """What the course flow asks of the window (``MainWindow`` is one)."""

    @property
    def store(self) -> Store: ...

    @property
    def tasks(self) -> TaskRunner: ...

    @property
    def profile(self) -> Profile | None: ...

    @property
    def policy(self) -> LabPolicy | None:
        """A lab's server courses show for every learner."""

    @property
    def catalog(self) -> CatalogPanel: ...

    @property
    def overview(self) -> CourseOverview: ...

    @property
    def reader(self) -> ReaderView:
        """A lesson it shows gets its course's new progress."""

    @property
    def course_shown(self) -> SignalInstance:
        """Emitted with the course's id once its overview shows."""

    def show_page(self, page: QWidget) -> None:
        """Put ``page`` (the overview) in the content area."""


def choose_quietly(catalog: CatalogPanel, course_id: str) -> None:
    """Choose a course in the catalog without opening it (it shows where a page belongs)."""
    catalog.blockSignals(True)
    catalog.select_course(course_id)
    catalog.blockSignals(False)


class CourseController(QObject):
    """The course flow of one window (``parent``: status messages go to it)."""

    def __init__(self, host: CourseHost, *, parent: QWidget) -> None:
        super().__init__(parent)
        self._host = host
        self._parent = parent
        self.request: str | None = None  # the course last asked for

    def forget(self) -> None:
        """The learner changed: nothing asked for before reaches the overview."""
        self.request = None

    def open(self, course_id: str) -> None:
        host = self._host
        summary = host.catalog.model.course(course_id)
        profile = host.profile
        if summary is None or profile is None:
            return
        store = host.store
        self.request = course_id
        if host.overview.course_id != course_id:
            host.overview.show_loading(summary)
        host.show_page(host.overview)

        def done(details: CourseDetails) -> None:
            if self.request == course_id:
                self.apply_details(details)
                host.course_shown.emit(course_id)

        lab = LabServer.from_policy(host.policy)
        host.tasks.read(
            lambda job: reading.load_course(store, profile, summary, job.progress, lab),
            done,
            message=_("Opening “{title}”…").format(title=summary.title),
        )

    def apply_details(self, details: CourseDetails) -> None:
        """Show a course's new state everywhere it appears: catalog, overview, reader."""
        host = self._host
        summary = details.summary
        host.catalog.update_course(summary)
        if self.request == summary.course_id or host.overview.course_id == summary.course_id:
            host.overview.show_course(details)
        lesson = host.reader.lesson
        if lesson is not None and lesson.course_id == summary.course_id:
            host.reader.show_lesson(
                dataclasses.replace(lesson, summary=summary, progress=details.progress)
            )

    def enroll(self, course_id: str, then: Callable[[], None] | None = None) -> None:
        host = self._host
        summary = host.catalog.model.course(course_id)
        profile = host.profile
        if summary is None or profile is None:
            return
        store = host.store

        def done(details: CourseDetails) -> None:
            self.apply_details(details)
            show_status(
                self._parent, _("You are enrolled in “{title}”.").format(title=summary.title)
            )
            if then is not None:
                then()

        host.tasks.write(lambda _job: reading.enroll(store, profile, summary), done)
