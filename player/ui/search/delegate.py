"""Paints one search result: its title, and the snippet with the matches marked.

The snippet is painted run by run (plain text, never HTML), the matched runs bold on a marker
background, the line elided at the right edge.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from player.search.fold import Snippet

HIT_ROLE = Qt.ItemDataRole.UserRole + 1  # the SearchHit of a result row
PAD_X, PAD_Y, GAP = 10, 5, 2
MARK = QColor(255, 225, 110)
MARK_TEXT = QColor(0, 0, 0)


class ResultDelegate(QStyledItemDelegate):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    @staticmethod
    def _fonts(base: QFont) -> tuple[QFont, QFont]:
        title = QFont(base)
        title.setBold(True)
        bold = QFont(base)
        bold.setBold(True)
        return title, bold

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        if index.data(HIT_ROLE) is None:
            return super().sizeHint(option, index)
        title, _bold = self._fonts(option.font)
        lines = QFontMetrics(title).height() + GAP + QFontMetrics(option.font).height()
        return QSize(200, PAD_Y + lines + PAD_Y)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        hit = index.data(HIT_ROLE)
        if hit is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = opt.palette
        ink = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        title_font, bold = self._fonts(opt.font)
        rect = opt.rect.adjusted(PAD_X, PAD_Y, -PAD_X, -PAD_Y)
        painter.save()
        painter.setPen(ink)
        painter.setFont(title_font)
        metrics = QFontMetrics(title_font)
        title = metrics.elidedText(str(index.data()), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect.x(), rect.y() + metrics.ascent(), title)
        top = rect.y() + metrics.height() + GAP
        self._paint_snippet(painter, hit.snippet, opt.font, bold, rect, top, ink)
        painter.restore()

    @staticmethod
    def _paint_snippet(
        painter: QPainter,
        snippet: Snippet,
        font: QFont,
        bold: QFont,
        rect: QRect,
        top: int,
        ink: QColor,
    ) -> None:
        x, right = rect.x(), rect.right()
        for text, match in snippet.parts:
            if x >= right:
                break
            run_font = bold if match else font
            metrics = QFontMetrics(run_font)
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, right - x)
            width = metrics.horizontalAdvance(shown)
            painter.setFont(run_font)
            if match:
                painter.fillRect(QRect(x, top, width, metrics.height()), MARK)
                painter.setPen(MARK_TEXT)
            else:
                painter.setPen(ink)
            painter.drawText(x, top + metrics.ascent(), shown)
            x += width
