"""The main window's menus and their shortcuts.

Later changes add their entries to the menus kept here (e.g. "Sync now" in ``file_menu``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from player.i18n import _

Key = QKeySequence.StandardKey | str


@dataclass(frozen=True, slots=True)
class MenuActions:
    file_menu: QMenu
    view_menu: QMenu
    help_menu: QMenu
    import_action: QAction
    switch_action: QAction
    settings_action: QAction
    quit_action: QAction
    zoom_in_action: QAction
    zoom_out_action: QAction
    zoom_reset_action: QAction
    sidebar_action: QAction
    about_action: QAction


def shortcuts(keys: list[Key]) -> list[QKeySequence]:
    """The key sequences for ``keys`` (standard keys expand to the platform's), no duplicates."""
    sequences: list[QKeySequence] = []
    for key in keys:
        expanded = (
            QKeySequence.keyBindings(key)
            if isinstance(key, QKeySequence.StandardKey)
            else [QKeySequence(key)]
        )
        for sequence in expanded:
            if sequence not in sequences:
                sequences.append(sequence)
    return sequences


def add_action(
    window: QMainWindow,
    menu: QMenu,
    text: str,
    slot: Callable[[], object],
    keys: list[Key] | None = None,
) -> QAction:
    action = QAction(text, window)
    if keys:
        action.setShortcuts(shortcuts(keys))
    action.triggered.connect(lambda _checked=False: slot())
    menu.addAction(action)
    window.addAction(action)  # shortcuts work while the menu bar is hidden too
    return action


def build_menus(
    window: QMainWindow,
    *,
    import_course: Callable[[], object],
    switch_learner: Callable[[], object],
    open_settings: Callable[[], object],
    zoom_in: Callable[[], object],
    zoom_out: Callable[[], object],
    zoom_reset: Callable[[], object],
    toggle_sidebar: Callable[[], object],
    about: Callable[[], object],
) -> MenuActions:
    """File → Import…, Switch learner…, Settings…, Quit; View → zoom, sidebar; Help → About."""
    bar = window.menuBar()
    file_menu = bar.addMenu(_("&File"))
    import_action = add_action(
        window, file_menu, _("&Import…"), import_course, [QKeySequence.StandardKey.Open]
    )
    switch_action = add_action(
        window, file_menu, _("&Switch learner…"), switch_learner, ["Ctrl+Shift+L"]
    )
    settings_action = add_action(
        window,
        file_menu,
        _("S&ettings…"),
        open_settings,
        [QKeySequence.StandardKey.Preferences, "Ctrl+,"],
    )
    settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
    file_menu.addSeparator()
    quit_action = add_action(
        window, file_menu, _("&Quit"), window.close, [QKeySequence.StandardKey.Quit, "Ctrl+Q"]
    )
    quit_action.setMenuRole(QAction.MenuRole.QuitRole)

    view_menu = bar.addMenu(_("&View"))
    zoom_in_action = add_action(window, view_menu, _("Zoom &in"), zoom_in, ["Ctrl+=", "Ctrl++"])
    zoom_out_action = add_action(window, view_menu, _("Zoom &out"), zoom_out, ["Ctrl+-"])
    zoom_reset_action = add_action(window, view_menu, _("&Reset zoom"), zoom_reset, ["Ctrl+0"])
    view_menu.addSeparator()
    sidebar_action = add_action(
        window, view_menu, _("Show side&bar"), toggle_sidebar, ["Ctrl+Shift+B"]
    )
    sidebar_action.setCheckable(True)

    help_menu = bar.addMenu(_("&Help"))
    about_action = add_action(window, help_menu, _("&About Course Player"), about)
    about_action.setMenuRole(QAction.MenuRole.AboutRole)
    return MenuActions(
        file_menu=file_menu,
        view_menu=view_menu,
        help_menu=help_menu,
        import_action=import_action,
        switch_action=switch_action,
        settings_action=settings_action,
        quit_action=quit_action,
        zoom_in_action=zoom_in_action,
        zoom_out_action=zoom_out_action,
        zoom_reset_action=zoom_reset_action,
        sidebar_action=sidebar_action,
        about_action=about_action,
    )
