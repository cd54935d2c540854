"""Runs searches for the search page and opens what the learner picks.

The search runs through the window's ``TaskRunner`` (its read lane, off the UI thread); a
result that arrives after the learner typed more is dropped. Opening a lesson hit asks the
window to open the lesson, then marks the matches in the reader once that lesson is shown
(scrolled to the first). The controller gets what it needs as callables, not the window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtWidgets import QWidget

from player.services.handles import Profile, Store
from player.ui.search.view import SearchView
from player.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the search service (index, renderer) loads on the first search
    from player.services.access import LabServer
    from player.services.search import SearchHit, SearchResults


@dataclass(frozen=True, slots=True)
class WindowHooks:
    profile: Callable[[], Profile | None]
    current_page: Callable[[], QWidget | None]
    show_page: Callable[[QWidget], None]
    open_course: Callable[[str], None]
    open_lesson: Callable[[str, int], None]
    mark_matches: Callable[[str, list[str]], int]  # in the lesson shown: text, folded words


class SearchController(QObject):
    def __init__(
        self,
        view: SearchView,
        store: Store,
        tasks: TaskRunner,
        hooks: WindowHooks,
        lesson_shown: SignalInstance,
        lab: Callable[[], LabServer | None] = lambda: None,
    ) -> None:
        """``lab``: the lab policy's server now (its courses are found by their title)."""
        super().__init__(view)
        self.lab = lab
        self.view = view
        self.store = store
        self.tasks = tasks
        self.hooks = hooks
        self._request: str | None = None
        self._previous: QWidget | None = None
        self._pending: tuple[str, int, str, list[str]] | None = None
        view.query_changed.connect(self.run)
        view.hit_activated.connect(self.open_hit)
        view.back_requested.connect(self.leave)
        lesson_shown.connect(self._on_lesson_shown)

    def show(self) -> None:
        """Ctrl+K: the search page, its field focused and selected."""
        if self.hooks.profile() is None:
            return
        current = self.hooks.current_page()
        if current is not None and current is not self.view:
            self._previous = current
            self.hooks.show_page(self.view)
        self.view.focus_field()

    def leave(self) -> None:
        """Esc: back to the page shown before the search."""
        if self._previous is not None:
            self.hooks.show_page(self._previous)
            self._previous.setFocus()

    def forget(self) -> None:
        """The learner changed: nothing of the previous learner's search stays."""
        self._request = None
        self._pending = None
        self._previous = None
        self.view.clear()

    def run(self, text: str) -> None:
        profile = self.hooks.profile()
        self._request = text
        if profile is None or not text.strip():
            self.view.show_results(None)
            return

        lab = self.lab()

        def done(results: SearchResults) -> None:
            if self._request == text:
                self.view.show_results(results)

        def find(_job: object) -> SearchResults:
            from player.services.search import search

            return search(self.store, profile, text, lab=lab)

        self.tasks.read(find, done)

    def open_hit(self, hit: SearchHit, text: str) -> None:
        if hit.lesson_index is None or hit.title_only:
            self._pending = None
            self.hooks.open_course(hit.course_id)
            return
        results = self.view.results
        pieces = list(results.pieces) if results is not None else []
        self._pending = (hit.course_id, hit.lesson_index, text, pieces)
        self.hooks.open_lesson(hit.course_id, hit.lesson_index)

    def _on_lesson_shown(self, course_id: str, index: int) -> None:
        pending, self._pending = self._pending, None
        if pending is not None and pending[:2] == (course_id, index):
            self.hooks.mark_matches(pending[2], pending[3])
