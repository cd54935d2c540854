"""Resume recording: where the learner is in a lesson, and what they left open
(``player.services.resume``), written on the write lane; read back at the next start."""

from __future__ import annotations

from collections.abc import Callable

from player.services import resume
from player.services.handles import Profile, Store
from player.ui.tasks import TaskRunner


class ResumeRecorder:
    """Records and reads back what the current learner (``profile()``) left open."""

    def __init__(
        self, store: Store, tasks: TaskRunner, profile: Callable[[], Profile | None]
    ) -> None:
        self._store = store
        self._tasks = tasks
        self._profile = profile

    def position(self, course_id: str, index: int, position: float) -> None:
        """The reading position in a lesson (the reader's ``position_changed``)."""
        profile, store = self._profile(), self._store
        if profile is not None:
            self._tasks.write(
                lambda _job: resume.record_lesson(store, profile, course_id, index, position),
                lambda _result: None,
            )

    def opened(self, course_id: str | None, index: int | None) -> None:
        """A lesson (``index``) or a course's overview (``index`` None) is what is open now."""
        profile, store = self._profile(), self._store
        if profile is None:
            return
        if index is None or course_id is None:
            self._tasks.write(
                lambda _job: resume.record_course(store, profile, course_id),
                lambda _result: None,
            )
        else:
            self._tasks.write(
                lambda _job: resume.record_lesson(store, profile, course_id, index),
                lambda _result: None,
            )

    def left_open(self, then: Callable[[resume.LeftOpen | None], None]) -> None:
        """Read what the learner left open; ``then`` gets it on the UI thread."""
        profile, store = self._profile(), self._store
        if profile is None:
            return
        self._tasks.read(lambda _job: resume.left_open(store, profile), then)
