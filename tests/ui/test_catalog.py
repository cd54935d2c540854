"""The catalog model, filter and row painter, also with 10,000 courses."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from player.services.access import CourseAccess
from player.services.learn import LOCKED, NOT_DOWNLOADED, READY, CourseSummary
from player.store.models import Product
from player.ui.catalog.model import badge_text, progress_text
from player.ui.catalog.panel import CatalogPanel


def _course(i: int, *, state: str = READY, completed: int = 0, paid: bool = False) -> CourseSummary:
    product = (
        Product(id=f"p{i}", tenantId="t", courseId=f"c-{i}", priceCents=1990, currency="EUR")
        if paid
        else None
    )
    access = CourseAccess(
        course_id=f"c-{i}",
        title=f"Course {i}",
        product=product,
        purchased=False,
        enrolled=completed > 0,
        lease_expired=False,
    )
    return CourseSummary(
        course_id=f"course-{i:05d}",
        title=f"Topic {i % 97} course number {i}",
        version=1,
        summary="",
        lesson_count=8,
        state=state,
        access=access,
        completed=completed,
    )


def test_texts() -> None:
    assert progress_text(_course(1)) == "8 lessons"
    assert progress_text(_course(1, completed=3)) == "3 of 8 lessons"
    assert badge_text(_course(1)) == ""
    assert badge_text(_course(1, completed=8)) == "Completed"
    assert badge_text(_course(1, state=LOCKED, paid=True)) == "Locked · 19.90 EUR"
    assert badge_text(_course(1, state=NOT_DOWNLOADED)) == "Not downloaded"


def test_ten_thousand_courses_fill_filter_and_paint(qtbot: QtBot) -> None:
    panel = CatalogPanel()
    qtbot.addWidget(panel)
    panel.resize(320, 600)
    panel.show()
    courses = [
        _course(i, completed=i % 9, state=LOCKED if i % 5 == 0 else READY, paid=i % 5 == 0)
        for i in range(10_000)
    ]
    panel.set_courses(courses)
    assert panel.visible_count() == 10_000
    panel.filter_edit.setText("COURSE-0999")  # the id, case-insensitively
    assert panel.visible_count() == 10  # course-09990 … course-09999
    panel.filter_edit.setText("number 1234")
    assert panel.visible_count() == 1
    panel.filter_edit.clear()
    assert panel.visible_count() == 10_000
    image = panel.grab().toImage()
    assert not image.isNull()
    assert panel.select_course("course-05000")
    assert panel.current_course_id() == "course-05000"


def test_loading_shows_placeholder_rows_in_the_list_then_the_courses(qtbot: QtBot) -> None:
    """While the store answers, the list itself is shown with placeholder rows (no message in
    its place that the rows would then push away); then the same list holds the courses."""
    panel = CatalogPanel()
    qtbot.addWidget(panel)
    panel.resize(320, 500)
    panel.show()
    panel.set_loading()
    assert panel.view.isVisible() and panel.view.loading
    assert not panel.empty_label.isVisible()
    assert panel.view.accessibleDescription() == "Loading courses…"
    before = panel.view.geometry()
    image = panel.view.viewport().grab().toImage()
    background = image.pixelColor(image.width() - 2, image.height() - 2)
    assert image.pixelColor(14, 14) != background  # a placeholder bar is painted
    panel.set_courses([_course(i) for i in range(3)])
    assert not panel.view.loading and panel.view.isVisible()
    assert panel.view.geometry() == before  # the list does not move when the rows arrive
    assert panel.model.rowCount() == 3
    panel.set_courses([])
    assert not panel.view.loading and panel.empty_label.isVisible()
