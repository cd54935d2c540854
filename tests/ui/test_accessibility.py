"""Every control has an accessible name; the tab order moves from the filter to the list."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QLineEdit,
    QProgressBar,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from player.ui.shell.main_window import MainWindow
from tests.ui.helpers import open_lesson

CONTROLS = (QAbstractButton, QLineEdit, QAbstractItemView, QTextEdit, QProgressBar)


def _unnamed(window: MainWindow) -> list[str]:
    missing = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or isinstance(widget, QAbstractSlider):
            continue
        if widget.parent() is not None and type(widget.parent()).__name__ in (
            "QScrollBar",
            "QLineEdit",
        ):
            continue  # parts Qt builds inside its own widgets (clear button, scroll arrows)
        if widget.objectName().startswith("qt_"):
            continue
        if not widget.accessibleName():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def test_every_control_has_an_accessible_name(qtbot: QtBot, window: MainWindow) -> None:
    open_lesson(qtbot, window, "git-basics", 0)
    assert _unnamed(window) == []


def _next_tab_stop(widget: QWidget) -> QWidget:
    candidate = widget.nextInFocusChain()
    while candidate is not None and not (
        candidate.focusPolicy().value & Qt.FocusPolicy.TabFocus.value
        and candidate.isVisible()
        and candidate.isEnabled()
    ):
        candidate = candidate.nextInFocusChain()
    assert candidate is not None
    return candidate


def test_tab_order(qtbot: QtBot, window: MainWindow) -> None:
    assert _next_tab_stop(window.catalog.filter_edit) is window.catalog.view
    open_lesson(qtbot, window, "git-basics", 1)
    reader = window.reader
    assert _next_tab_stop(reader.browser) is reader.prev_button
    assert _next_tab_stop(reader.prev_button) is reader.complete_button
    assert _next_tab_stop(reader.complete_button) is reader.next_button
