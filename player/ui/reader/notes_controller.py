"""Runs the notes pane's requests through the window's background helper.

The controller gets what it needs (the pane, the window's ``TaskRunner``, the store and a way to
ask who the learner is), not the window. Writes go to the one-thread writer; their results come
back to the pane. Work started for one learner never reaches the pane after the learner changed
(the ``TaskRunner`` drops it).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from player.services import notes
from player.services.handles import Profile, Store
from player.services.notes import LessonNotes, NoteItem
from player.ui.reader.notes_pane import NotesPane
from player.ui.tasks import TaskRunner


class NotesController(QObject):
    changed = Signal()  # a note or bookmark of the learner was written (the list view refreshes)

    def __init__(
        self,
        pane: NotesPane,
        tasks: TaskRunner,
        store: Store,
        learner: Callable[[], Profile | None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        super().__init__(pane)
        self.pane = pane
        self._tasks = tasks
        self._store = store
        self._learner = learner
        self._on_error = on_error
        self._wanted: tuple[str, int] | None = None
        pane.note_added.connect(self.add)
        pane.note_edited.connect(self.edit)
        pane.note_deleted.connect(self.delete)
        pane.bookmark_toggled.connect(self.set_bookmark)

    def load(self, course_id: str, index: int) -> None:
        profile, store = self._learner(), self._store
        if profile is None:
            return

        self._wanted = (course_id, index)

        def done(result: LessonNotes) -> None:
            if self._wanted == (course_id, index):  # not a lesson the learner has since left
                self.pane.show_notes(result)

        self._tasks.read(lambda _job: notes.lesson_notes(store, profile, course_id, index), done)

    def forget(self) -> None:
        """The learner changed or the reader closed: nothing loading reaches the pane."""
        self._wanted = None
        self.pane.clear()

    def add(self, course_id: str, index: int, text: str) -> None:
        profile, store = self._learner(), self._store
        if profile is None:
            return
        self._tasks.write(
            lambda _job: notes.add_note(store, profile, course_id, index, text),
            self._saved,
            self._failed,
        )

    def edit(self, note_id: str, text: str) -> None:
        profile, store = self._learner(), self._store
        if profile is None:
            return
        self._tasks.write(
            lambda _job: notes.edit_note(store, profile, note_id, text),
            self._saved,
            self._failed,
        )

    def delete(self, note_id: str) -> None:
        profile, store = self._learner(), self._store
        if profile is None:
            return
        self._tasks.write(
            lambda _job: notes.delete_note(store, profile, note_id),
            lambda _item: self.changed.emit(),
            self._failed,
        )

    def set_bookmark(self, course_id: str, index: int, on: bool) -> None:
        profile, store = self._learner(), self._store
        if profile is None:
            return

        def failed(error: BaseException) -> None:
            self._failed(error)
            self.load(course_id, index)  # show the stored state again

        self._tasks.write(
            lambda _job: notes.set_bookmark(store, profile, course_id, index, on),
            lambda _changed: self.changed.emit(),
            failed,
        )

    def _saved(self, item: NoteItem) -> None:
        self.pane.note_saved(item)
        self.changed.emit()

    def _failed(self, error: BaseException) -> None:
        self.pane.save_failed()
        self._on_error(error)
