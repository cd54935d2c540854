"""The window's remembered state (geometry, splitter, sidebar) in one typed object.

Only how the window was left lives here. What a person chooses (text size, theme, language,
server, sync interval) is the core ``player.settings.Settings``, the one source of truth, edited
in the settings dialog.

Stored with ``QSettings`` in INI format under organisation "CoursePlayer", application
"course-player". Tests point the INI location at a temporary folder with ``QSettings.setPath``
so they never write into the real home configuration.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "CoursePlayer"
APPLICATION = "course-player"


def _settings() -> QSettings:
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )


class WindowState:
    """Typed access to the remembered window state, each value with its declared default."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._qs = settings or _settings()

    @property
    def window_geometry(self) -> QByteArray | None:
        return _bytes(self._qs.value("window/geometry"))

    @window_geometry.setter
    def window_geometry(self, value: QByteArray) -> None:
        self._qs.setValue("window/geometry", value)

    @property
    def splitter_state(self) -> QByteArray | None:
        return _bytes(self._qs.value("window/splitter"))

    @splitter_state.setter
    def splitter_state(self, value: QByteArray) -> None:
        self._qs.setValue("window/splitter", value)

    @property
    def sidebar_visible(self) -> bool:
        value = self._qs.value("window/sidebar", True)
        return value not in (False, "false", "0", 0)

    @sidebar_visible.setter
    def sidebar_visible(self, visible: bool) -> None:
        self._qs.setValue("window/sidebar", visible)

    def sync(self) -> None:
        self._qs.sync()


def _bytes(value: object) -> QByteArray | None:
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    if isinstance(value, bytes) and value:
        return QByteArray(value)
    return None
