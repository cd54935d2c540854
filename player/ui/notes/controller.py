"""View → Notes & bookmarks: opens the window, fills it off the UI thread, opens a chosen lesson.

The controller asks the main window for three callables only (``NotesListHooks``, as the search
page's ``WindowHooks``): who is learning, whether a course is on this computer, and showing a
lesson with its course chosen in the catalog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from player.i18n import _
from player.services import notes
from player.services.handles import Profile, Store
from player.ui.notes.view import NotesListDialog
from player.ui.shell.error_dialogs import show_status
from player.ui.tasks import TaskRunner


@dataclass(frozen=True, slots=True)
class NotesListHooks:
    """What the notes list asks of the window."""

    profile: Callable[[], Profile | None]
    has_course: Callable[[str], bool]
    reveal_lesson: Callable[[str, int], None]  # choose the course in the catalog, open the lesson


class NotesListController(QObject):
    """The "Notes & bookmarks" window of one main window (``parent``); ``dialog`` while open."""

    def __init__(
        self, parent: QWidget, store: Store, tasks: TaskRunner, hooks: NotesListHooks
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self._store = store
        self._tasks = tasks
        self._hooks = hooks
        self.dialog: NotesListDialog | None = None

    def show(self) -> None:
        """The learner's notes across courses; choosing one opens it."""
        if self._hooks.profile() is None:
            return
        if self.dialog is None:
            self.dialog = NotesListDialog(self._parent)
            self.dialog.lesson_requested.connect(self.open_lesson)
        self.dialog.show()
        self.dialog.raise_()
        self.refresh()

    def refresh(self) -> None:
        """Read the notes again when the window shows (a note was added, changed or removed)."""
        dialog, profile, store = self.dialog, self._hooks.profile(), self._store
        if dialog is None or profile is None or not dialog.isVisible():
            return
        self._tasks.read(lambda _job: notes.list_notes(store, profile), dialog.set_items)

    def open_lesson(self, course_id: str, index: int) -> None:
        if not self._hooks.has_course(course_id):
            show_status(
                self._parent,
                _(
                    "That course is not on this computer any more. Import it or download it "
                    "again: your notes are kept."
                ),
            )
            return
        self._hooks.reveal_lesson(course_id, index)
        if self.dialog is not None:
            self.dialog.close()

    def forget(self) -> None:
        """The learner changed: nothing of the last one's notes stays open."""
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
