"""The catalog as a Qt model: one row per ``CourseSummary``, filtered by a proxy.

No widget per row: the view paints rows with ``CatalogDelegate``, so 10,000 courses fill and filter
in milliseconds. The filter is a case-insensitive substring match on title and course id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from player.i18n import _, ngettext
from player.services.summaries import (
    FILE_PREFIX,
    LOCKED,
    NOT_DOWNLOADED,
    SIGN_IN,
    CourseSummary,
    format_price,
)

SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1
COURSE_ID_ROLE = Qt.ItemDataRole.UserRole + 2
FILTER_ROLE = Qt.ItemDataRole.UserRole + 3

_Index = QModelIndex | QPersistentModelIndex


def progress_text(course: CourseSummary) -> str:
    """The progress line: "3 of 8 lessons" once the learner has started (or enrolled), else "8 lessons"."""
    if course.state == NOT_DOWNLOADED and course.lesson_count == 0:
        return _("Version {n}").format(n=course.version)  # the badge says "Not downloaded"
    if course.completed or course.access.entitled:
        return ngettext(
            "{done} of {count} lesson", "{done} of {count} lessons", course.lesson_count
        ).format(done=course.completed, count=course.lesson_count)
    return ngettext("{count} lesson", "{count} lessons", course.lesson_count).format(
        count=course.lesson_count
    )


def badge_text(course: CourseSummary) -> str:
    """The state badge: "Locked · 49.00 EUR", "Not downloaded", "Sign in to open",
    "Completed", or nothing; "Unsigned" for a course of a server that does not sign its courses;
    an imported file that shares its id with a server's course says so ("Imported file ·
    x.json")."""
    state = _state_badge(course)
    if course.unsigned:
        state = f"{state} · {_('Unsigned')}" if state else _("Unsigned")
    if course.is_file and course.course_id.startswith(FILE_PREFIX):
        label = (
            _("Imported file · {name}").format(name=course.source)
            if course.source
            else _("Imported file")
        )
        return f"{label} · {state}" if state else label
    return state


def _state_badge(course: CourseSummary) -> str:
    if course.state == LOCKED:
        product = course.access.product
        if product is not None:
            return _("Locked · {price}").format(price=format_price(product))
        return _("Locked")
    if course.state == NOT_DOWNLOADED:
        return _("Not downloaded")
    if course.state == SIGN_IN:
        return _("Sign in to open")
    if course.lesson_count and course.completed >= course.lesson_count:
        return _("Completed")
    return ""


def accessible_text(course: CourseSummary) -> str:
    parts = [course.title, progress_text(course)]
    badge = badge_text(course)
    if badge:
        parts.append(badge)
    return ", ".join(parts)


class CatalogModel(QAbstractListModel):
    """The learner's visible courses, in the order the read service gives (by title)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._courses: list[CourseSummary] = []
        self._filter_keys: list[str] = []
        self._rows: dict[str, int] = {}

    # --- filling -----------------------------------------------------------------------------

    def set_courses(self, courses: Sequence[CourseSummary]) -> None:
        self.beginResetModel()
        self._courses = list(courses)
        self._filter_keys = [f"{c.title}\n{c.course_id}" for c in self._courses]
        self._rows = {c.course_id: row for row, c in enumerate(self._courses)}
        self.endResetModel()

    def clear(self) -> None:
        self.set_courses([])

    def update_course(self, course: CourseSummary) -> None:
        """Replace one course's summary (after enrolling or marking a lesson complete)."""
        row = self._rows.get(course.course_id)
        if row is None:
            return
        self._courses[row] = course
        self._filter_keys[row] = f"{course.title}\n{course.course_id}"
        index = self.index(row, 0)
        self.dataChanged.emit(index, index)

    # --- reading -----------------------------------------------------------------------------

    def course(self, course_id: str) -> CourseSummary | None:
        row = self._rows.get(course_id)
        return self._courses[row] if row is not None else None

    def row_of(self, course_id: str) -> int:
        return self._rows.get(course_id, -1)

    def courses(self) -> list[CourseSummary]:
        return list(self._courses)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._courses)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = index.row()
        if role == FILTER_ROLE:
            return self._filter_keys[row]
        course = self._courses[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return course.title
        if role == SUMMARY_ROLE:
            return course
        if role == COURSE_ID_ROLE:
            return course.course_id
        if role == Qt.ItemDataRole.ToolTipRole:
            return course.summary or course.title
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return accessible_text(course)
        return None


class CatalogFilter(QSortFilterProxyModel):
    """Case-insensitive substring filter on title and course id; keeps the source order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setFilterRole(FILTER_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(False)
