"""The wide and the narrow layout of the main window.

Wide (``NARROW_WIDTH`` and more): the catalog is the splitter's left pane, the content stack
(overview | reader) its right pane, and View → Show sidebar hides or shows the catalog.
Narrow: the catalog moves into the content stack as its first page, one page at a time
(catalog → overview → reader), and the sidebar action is disabled.

``WindowLayout`` owns that move and the splitter's remembered state; the window calls
``update()`` on every resize.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QSplitter, QStackedWidget, QWidget

if TYPE_CHECKING:
    from player.ui.catalog.panel import CatalogPanel
    from player.ui.overview.view import CourseOverview

NARROW_WIDTH = 600
SIDEBAR_WIDTH = 320


def restore_sizes(window: QWidget, splitter: QSplitter, state: QByteArray | None) -> None:
    """The splitter's sizes from the last run (``state``), else the defaults: the sidebar
    ``SIDEBAR_WIDTH`` wide. The window's frame uses it before ``WindowLayout`` exists."""
    if state is None or not splitter.restoreState(state):
        width = max(window.width(), NARROW_WIDTH)
        splitter.setSizes([SIDEBAR_WIDTH, width - SIDEBAR_WIDTH])


class WindowLayout:
    """Moves the catalog between the splitter (wide) and the content stack (narrow)."""

    def __init__(
        self,
        window: QWidget,
        *,
        splitter: QSplitter,
        content: QStackedWidget,
        catalog: CatalogPanel,
        home: CourseOverview,
        sidebar_action: QAction,
    ) -> None:
        self._window = window
        self._splitter = splitter
        self._content = content
        self._catalog = catalog
        self._home = home  # the content page shown when the catalog leaves the stack
        self._sidebar_action = sidebar_action
        self._narrow = False
        self._wide_state: QByteArray | None = None

    @property
    def narrow(self) -> bool:
        return self._narrow

    def restore(self, state: QByteArray | None) -> None:
        """Restore the splitter (sizes from the last run, else the defaults), then the mode."""
        restore_sizes(self._window, self._splitter, state)
        self._wide_state = state
        self.update()

    def splitter_state(self) -> QByteArray | None:
        """The wide splitter's state, to remember (also while the window is narrow)."""
        return self._wide_state if self._narrow else self._splitter.saveState()

    def set_sidebar_visible(self, visible: bool) -> None:
        if not self._narrow:
            self._catalog.setVisible(visible)

    def first_page(self) -> QWidget:
        """The page a fresh learner starts on: the catalog when narrow, else the overview."""
        return self._catalog if self._narrow else self._home

    def update(self) -> bool:
        """Switch mode when the width crossed ``NARROW_WIDTH``; True when it switched."""
        narrow = self._window.width() < NARROW_WIDTH
        if narrow == self._narrow:
            return False
        self._narrow = narrow
        if narrow:
            self._wide_state = self._splitter.saveState()
            showing_nothing = self._home.course_id is None
            self._content.insertWidget(0, self._catalog)
            self._catalog.show()
            if showing_nothing:
                self._content.setCurrentWidget(self._catalog)
        else:
            on_catalog = self._content.currentWidget() is self._catalog
            self._content.removeWidget(self._catalog)
            self._splitter.insertWidget(0, self._catalog)
            self._catalog.setVisible(self._sidebar_action.isChecked())
            restore_sizes(self._window, self._splitter, self._wide_state)
            if on_catalog:
                self._content.setCurrentWidget(self._home)
        return True
