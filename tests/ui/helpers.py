"""Small helpers that act on the window the way a person would (clicks, keys)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot
from sqlmodel import select

from player.store.db import Store
from player.store.models import StoredPackage
from player.ui.shell.main_window import MainWindow


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    assert button.isVisible(), f"{button.objectName()} is not visible"
    assert button.isEnabled(), f"{button.objectName()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def click_course(qtbot: QtBot, window: MainWindow, course_id: str) -> None:
    panel = window.catalog
    row = panel.model.row_of(course_id)
    assert row >= 0, f"{course_id} is not in the catalog"
    index = panel.proxy.mapFromSource(panel.model.index(row, 0))
    assert index.isValid(), f"{course_id} is filtered out"
    panel.view.scrollTo(index)
    rect = panel.view.visualRect(index)
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def open_lesson(qtbot: QtBot, window: MainWindow, course_id: str, index: int) -> None:
    click_course(qtbot, window, course_id)
    assert window.overview.course_id == course_id
    lessons = window.overview.lessons
    rect = lessons.visualRect(lessons.model().index(index, 0))
    qtbot.mouseClick(lessons.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.content.currentWidget() is window.reader
    assert window.reader.lesson is not None and window.reader.lesson.index == index


def stored_rows(store: Store) -> list[tuple[str, int, str, str]]:
    with store.read() as session:
        rows = session.exec(select(StoredPackage)).all()
    return sorted((r.courseId, r.version, r.sha256, r.tenantKey) for r in rows)
