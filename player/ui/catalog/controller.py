"""The catalog flow: loading the catalog (the first start's samples too), choosing a course in it,
and Remove from this computer… / Download of a removed course (``CourseStorage``).

``CatalogController`` asks the window for ``CatalogHost`` (``MainWindow`` is one) and never
imports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtWidgets import QWidget

from player.policy import LabPolicy
from player.services import reading
from player.services.access import LabServer
from player.services.handles import Profile, Store
from player.services.learn import CourseSummary
from player.ui.catalog.panel import CatalogPanel
from player.ui.overview.controller import choose_quietly
from player.ui.overview.view import CourseOverview
from player.ui.reader.view import ReaderView
from player.ui.shell.course_storage import CourseStorage
from player.ui.tasks import Job, TaskRunner


class CatalogHost(Protocol):
    """What the catalog flow asks of the window (``MainWindow`` is one)."""

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
        """Cleared when its course is removed from this computer."""

    @property
    def narrow(self) -> bool:
        """The catalog is a page of the content area (``layout.py``)."""

    @property
    def catalog_loaded(self) -> SignalInstance: ...

    @property
    def download_requested(self) -> SignalInstance:
        """A removed course is wanted back: sync fetches it."""

    def current_page(self) -> QWidget | None:
        """The page the content area shows."""

    def show_page(self, page: QWidget) -> None: ...

    def open_course(self, course_id: str) -> None: ...

    def reopen_left_open(self) -> None:
        """Back to the course and lesson the learner left open."""


class CatalogController(QObject):
    """The catalog flow of one window (``parent``: dialogs go over it)."""

    def __init__(self, host: CatalogHost, *, samples_dir: Path | None, parent: QWidget) -> None:
        super().__init__(parent)
        self._host = host
        self._samples_dir = samples_dir
        self.storage = CourseStorage(parent, host.tasks, host.store, lambda: host.profile)
        self.storage.changed.connect(self._on_storage_changed)
        self.storage.download_requested.connect(host.download_requested)
        host.catalog.course_selected.connect(self._on_selected)
        host.catalog.course_activated.connect(self._on_activated)
        host.catalog.remove_requested.connect(self.remove)
        host.overview.back_requested.connect(self.show_page)
        host.overview.remove_requested.connect(self.remove)
        host.overview.download_requested.connect(self.download)

    def refresh(
        self, *, select: str | None = None, install_samples: bool = False, reopen: bool = False
    ) -> None:
        """Load the catalog; ``reopen``: then go back to the course and lesson the learner left
        open (``player.services.resume``)."""
        host = self._host
        profile = host.profile
        if profile is None:
            return
        catalog, overview, store = host.catalog, host.overview, host.store
        catalog.set_loading()
        samples = self._samples_dir if install_samples else None

        lab = LabServer.from_policy(host.policy)  # its courses show for every learner

        def load(_job: Job) -> list[CourseSummary]:
            return reading.install_samples_and_load_catalog(store, profile, samples, lab)

        def done(courses: list[CourseSummary]) -> None:
            catalog.set_courses(courses)
            target = select or overview.course_id
            if target is not None:
                choose_quietly(catalog, target)
            if select is not None:
                if catalog.model.course(select) is None and overview.course_id == select:
                    overview.clear()  # removed from this computer, and not offered
                host.open_course(select)
            elif reopen:
                host.reopen_left_open()
            host.catalog_loaded.emit()

        # installing the samples writes the store: the write lane; a plain refresh only reads
        (host.tasks.write if samples is not None else host.tasks.read)(load, done)

    def _on_selected(self, course_id: str) -> None:
        if not self._host.narrow:
            self._host.open_course(course_id)

    def _on_activated(self, course_id: str) -> None:
        host = self._host
        if host.narrow or host.current_page() is not host.overview:
            host.open_course(course_id)

    def open_from_search(self, course_id: str) -> None:
        self._host.catalog.select_course(course_id)
        self._host.open_course(course_id)

    def show_page(self) -> None:
        """The catalog as a page (narrow layout: the overview's Back)."""
        host = self._host
        if host.narrow:
            host.show_page(host.catalog)
            host.catalog.view.setFocus()

    def remove(self, course_id: str) -> None:
        """Remove… in the course's menu or on its page: ask, then delete its stored packages."""
        summary = self._host.catalog.model.course(course_id)
        if summary is not None:
            self.storage.remove(summary)

    def download(self, course_id: str) -> None:
        """Download on the page of a course the learner removed: the next sync fetches it."""
        summary = self._host.catalog.model.course(course_id)
        if summary is not None:
            self.storage.download(summary)

    def _on_storage_changed(self, course_id: str) -> None:
        host = self._host
        lesson = host.reader.lesson
        if lesson is not None and lesson.course_id == course_id:
            host.reader.clear()  # its lessons are gone from this computer
            host.show_page(host.overview)
        self.refresh(select=course_id)
