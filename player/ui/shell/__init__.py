"""The window's frame: start-up, the main window, menus, status bar, layout, theme, error dialogs."""
