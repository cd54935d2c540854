"""Fusion style with a light or a dark palette that follows the system's colour scheme."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from player.settings import Settings


def theme_choice(settings: Settings | None) -> bool | None:
    """The settings' theme as ``apply_theme`` takes it: None follows the system."""
    if settings is None or settings.theme not in ("light", "dark"):
        return None
    return settings.theme == "dark"


def system_prefers_dark() -> bool:
    """Whether the platform asks for dark colours (Qt 6.5+: ``QStyleHints.colorScheme``)."""
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    if scheme is None:  # pragma: no cover - older Qt
        return False
    return bool(scheme() == Qt.ColorScheme.Dark)


def apply_theme(app: QApplication, dark: bool | None = None) -> bool:
    """Use Fusion and the light or dark palette (``None``: follow the system). Returns ``dark``."""
    if dark is None:
        dark = system_prefers_dark()
    style = QStyleFactory.create("Fusion")
    if style is not None and app.style().name().lower() != "fusion":
        app.setStyle(style)
    app.setPalette(dark_palette() if dark else light_palette())
    app.setProperty("coursePlayerDark", dark)
    return dark


def is_dark(app: QApplication | None = None) -> bool:
    """Whether the palette in use is the dark one."""
    app = app or QApplication.instance()  # type: ignore[assignment]
    if app is None:
        return False
    value = app.property("coursePlayerDark")
    if isinstance(value, bool):
        return value
    return app.palette().color(QPalette.ColorRole.Window).lightness() < 128


def light_palette() -> QPalette:
    p = QPalette()
    _set(p, QPalette.ColorRole.Window, "#f4f5f7")
    _set(p, QPalette.ColorRole.WindowText, "#1d2127")
    _set(p, QPalette.ColorRole.Base, "#ffffff")
    _set(p, QPalette.ColorRole.AlternateBase, "#eef0f3")
    _set(p, QPalette.ColorRole.ToolTipBase, "#ffffdc")
    _set(p, QPalette.ColorRole.ToolTipText, "#1d2127")
    _set(p, QPalette.ColorRole.PlaceholderText, "#6b7280")
    _set(p, QPalette.ColorRole.Text, "#1d2127")
    _set(p, QPalette.ColorRole.Button, "#eceef1")
    _set(p, QPalette.ColorRole.ButtonText, "#1d2127")
    _set(p, QPalette.ColorRole.BrightText, "#ffffff")
    _set(p, QPalette.ColorRole.Highlight, "#2563eb")
    _set(p, QPalette.ColorRole.HighlightedText, "#ffffff")
    _set(p, QPalette.ColorRole.Link, "#1d4ed8")
    _set(p, QPalette.ColorRole.LinkVisited, "#6d28d9")
    _set(p, QPalette.ColorRole.Light, "#ffffff")
    _set(p, QPalette.ColorRole.Midlight, "#e3e6ea")
    _set(p, QPalette.ColorRole.Mid, "#c4c9d0")
    _set(p, QPalette.ColorRole.Dark, "#9aa1ab")
    _set(p, QPalette.ColorRole.Shadow, "#6b7280")
    _disabled(p, "#9aa1ab")
    return p


def dark_palette() -> QPalette:
    p = QPalette()
    _set(p, QPalette.ColorRole.Window, "#1f2227")
    _set(p, QPalette.ColorRole.WindowText, "#e6e8eb")
    _set(p, QPalette.ColorRole.Base, "#16181c")
    _set(p, QPalette.ColorRole.AlternateBase, "#24282e")
    _set(p, QPalette.ColorRole.ToolTipBase, "#2b3038")
    _set(p, QPalette.ColorRole.ToolTipText, "#e6e8eb")
    _set(p, QPalette.ColorRole.PlaceholderText, "#8b929c")
    _set(p, QPalette.ColorRole.Text, "#e6e8eb")
    _set(p, QPalette.ColorRole.Button, "#2b3038")
    _set(p, QPalette.ColorRole.ButtonText, "#e6e8eb")
    _set(p, QPalette.ColorRole.BrightText, "#ffffff")
    _set(p, QPalette.ColorRole.Highlight, "#3b82f6")
    _set(p, QPalette.ColorRole.HighlightedText, "#ffffff")
    _set(p, QPalette.ColorRole.Link, "#7fb0ff")
    _set(p, QPalette.ColorRole.LinkVisited, "#c4a5ff")
    _set(p, QPalette.ColorRole.Light, "#3a404a")
    _set(p, QPalette.ColorRole.Midlight, "#30353d")
    _set(p, QPalette.ColorRole.Mid, "#262a30")
    _set(p, QPalette.ColorRole.Dark, "#121417")
    _set(p, QPalette.ColorRole.Shadow, "#000000")
    _disabled(p, "#6b717b")
    return p


def _set(palette: QPalette, role: QPalette.ColorRole, color: str) -> None:
    palette.setColor(role, QColor(color))


def _disabled(palette: QPalette, color: str) -> None:
    group = QPalette.ColorGroup.Disabled
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(group, role, QColor(color))
