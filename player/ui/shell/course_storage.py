"""Remove a course from this computer, and ask for a removed server course again.

``CourseStorage`` gets what it needs (a parent for its question, the window's ``TaskRunner``,
the store, who the learner is) and talks back by signals: ``changed`` (the catalog should be
loaded again) and ``download_requested`` (a removed course is wanted back: sync, when wired,
fetches it now; otherwise the next sync does). The store work runs on the write lane; errors
reach the runner's one error function; a cancelled question changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from player.i18n import _
from player.services import storage
from player.services.handles import Profile, Store
from player.services.learn import CourseSummary
from player.ui.settings.storage import format_size
from player.ui.shell.error_dialogs import show_status
from player.ui.tasks import TaskRunner


class CourseStorage(QObject):
    changed = Signal(str)  # the course id: stored packages removed, or asked for again
    download_requested = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        tasks: TaskRunner,
        store: Store,
        profile: Callable[[], Profile | None],
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self.tasks = tasks
        self.store = store
        self._profile = profile

    @staticmethod
    def confirm_text(course: CourseSummary) -> str:
        return _(
            "Remove “{title}” from this computer?\n\nIts lessons are deleted here to free "
            "space. Your progress, notes and bookmarks stay: they are there again when you "
            "import or download the course again."
        ).format(title=course.title)

    def remove(self, course: CourseSummary) -> bool:
        """Ask, then delete the course's stored packages; False when nothing was started."""
        profile = self._profile()
        if profile is None or not course.stored:
            return False
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Remove course"),
            self.confirm_text(course),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self._parent,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        if box.exec() != QMessageBox.StandardButton.Yes:
            return False
        store = self.store

        def done(removed: storage.Removed) -> None:
            show_status(
                self._parent,
                _("“{title}” was removed from this computer ({size} freed).").format(
                    title=removed.title, size=format_size(removed.freed_bytes)
                ),
            )
            self.changed.emit(course.course_id)

        self.tasks.write(lambda _job: storage.remove_course(store, profile, course.course_id), done)
        return True

    def download(self, course: CourseSummary) -> bool:
        """A removed server course is wanted again: the next sync downloads it."""
        profile = self._profile()
        if profile is None or not course.removed:
            return False
        store = self.store

        def done(_asked: bool) -> None:
            show_status(
                self._parent,
                _("“{title}” will be downloaded at the next sync.").format(title=course.title),
            )
            self.changed.emit(course.course_id)
            self.download_requested.emit(course.course_id)

        self.tasks.write(
            lambda _job: storage.request_download(store, profile, course.course_id), done
        )
        return True
