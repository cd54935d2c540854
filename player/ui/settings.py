"""The UI's remembered state (window geometry, splitter, reader zoom) in one typed object.

Stored with ``QSettings`` in INI format under organisation "CoursePlayer", application
"course-player". Tests point the INI location at a temporary folder with ``QSettings.setPath``
so they never write into the real home configuration.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "CoursePlayer"
APPLICATION = "course-player"

ZOOM_DEFAULT = 100
ZOOM_MIN = 50
ZOOM_MAX = 300
ZOOM_STEP = 10


def _settings() -> QSettings:
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )


class UiSettings:
    """Typed access to the remembered UI state, each value with its declared default."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._qs = settings or _settings()

    @property
    def reader_zoom(self) -> int:
        """The reader's zoom in percent (``ZOOM_MIN`` … ``ZOOM_MAX``)."""
        return clamp_zoom(_int(self._qs.value("reader/zoom", ZOOM_DEFAULT), ZOOM_DEFAULT))

    @reader_zoom.setter
    def reader_zoom(self, percent: int) -> None:
        self._qs.setValue("reader/zoom", clamp_zoom(percent))
        self._qs.sync()

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


def clamp_zoom(percent: int) -> int:
    return max(ZOOM_MIN, min(ZOOM_MAX, percent))


def _int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


def _bytes(value: object) -> QByteArray | None:
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    if isinstance(value, bytes) and value:
        return QByteArray(value)
    return None
