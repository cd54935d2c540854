"""The lessons of a course on its overview: number or check mark, title, time, objectives."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QListView,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from player.i18n import _, ngettext
from player.package import CoursePackage

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
PAD_X = 10
PAD_Y = 8
MARK = 24  # diameter of the number / check-mark circle
GAP = 10
WRAP = int(Qt.TextFlag.TextWordWrap)


@dataclass(frozen=True, slots=True)
class LessonRow:
    index: int
    title: str
    minutes: int | None
    objectives: tuple[str, ...]
    completed: bool

    def meta(self) -> str:
        if self.minutes is None:
            return ""
        return ngettext("{n} minute", "{n} minutes", self.minutes).format(n=self.minutes)

    def accessible(self) -> str:
        parts = [_("Lesson {n}: {title}").format(n=self.index + 1, title=self.title)]
        if self.completed:
            parts.append(_("completed"))
        if self.minutes is not None:
            parts.append(self.meta())
        return ", ".join(parts)


def _fonts(base: QFont) -> tuple[QFont, QFont]:
    title = QFont(base)
    title.setBold(True)
    small = QFont(base)
    small.setPointSizeF(base.pointSizeF() * 0.9)
    return title, small


class _LessonDelegate(QStyledItemDelegate):
    def __init__(self, view: LessonList) -> None:
        super().__init__(view)
        self._view = view

    def _text_width(self) -> int:
        return max(120, self._view.viewport().width() - 2 * PAD_X - MARK - GAP - 4)

    def _layout(self, row: LessonRow, base: QFont) -> tuple[int, int, list[int]]:
        title_font, small_font = _fonts(base)
        width = self._text_width()
        bounds = QRect(0, 0, width, 100_000)
        title_h = QFontMetrics(title_font).boundingRect(bounds, WRAP, row.title).height()
        small = QFontMetrics(small_font)
        meta_h = small.height() if row.meta() else 0
        objective_hs = [
            small.boundingRect(QRect(0, 0, width - 14, 100_000), WRAP, text).height()
            for text in row.objectives
        ]
        return title_h, meta_h, objective_hs

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        row = index.data(ROW_ROLE)
        if not isinstance(row, LessonRow):
            return super().sizeHint(option, index)
        title_h, meta_h, objective_hs = self._layout(row, option.font)
        height = title_h + (meta_h + 2 if meta_h else 0) + sum(h + 2 for h in objective_hs)
        return QSize(self._text_width(), max(MARK, height) + 2 * PAD_Y)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        row = index.data(ROW_ROLE)
        if not isinstance(row, LessonRow):
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        painter.save()
        if widget is not None:
            widget.style().drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget
            )
        rect: QRect = opt.rect
        palette: QPalette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        ink = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        muted = QColor(ink)
        muted.setAlphaF(0.7)
        title_font, small_font = _fonts(opt.font)
        title_h, meta_h, objective_hs = self._layout(row, opt.font)

        # the mark: a filled circle with a check, or an outlined circle with the number
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        circle = QRectF(rect.left() + PAD_X, rect.top() + PAD_Y, MARK, MARK)
        accent = palette.color(QPalette.ColorRole.Highlight)
        if row.completed:
            fill = QColor("#1f9d55") if not selected else QColor(ink)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawEllipse(circle)
            pen = QPen(QColor("#ffffff") if not selected else accent, 2.4)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            x, y = circle.left(), circle.top()
            painter.drawPolyline(
                [
                    QPointF(x + MARK * 0.28, y + MARK * 0.52),
                    QPointF(x + MARK * 0.44, y + MARK * 0.68),
                    QPointF(x + MARK * 0.74, y + MARK * 0.34),
                ]
            )
        else:
            painter.setPen(QPen(muted, 1.4))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(circle.adjusted(0.7, 0.7, -0.7, -0.7))
            painter.setFont(small_font)
            painter.setPen(ink)
            painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, str(row.index + 1))

        # the text column
        left = int(circle.right()) + GAP
        width = self._text_width()
        top = rect.top() + PAD_Y
        painter.setFont(title_font)
        painter.setPen(ink)
        painter.drawText(QRect(left, top, width, title_h), WRAP, row.title)
        top += title_h
        painter.setFont(small_font)
        painter.setPen(muted)
        if meta_h:
            top += 2
            painter.drawText(QRect(left, top, width, meta_h), 0, row.meta())
            top += meta_h
        for text, height in zip(row.objectives, objective_hs, strict=True):
            top += 2
            painter.drawText(QRect(left, top, 12, height), 0, "•")
            painter.drawText(QRect(left + 14, top, width - 14, height), WRAP, text)
            top += height
        painter.restore()


class LessonList(QListWidget):
    """``lesson_activated(index)`` on a click or Enter."""

    lesson_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonList")
        self.setItemDelegate(_LessonDelegate(self))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.setAccessibleName(_("Lessons"))
        self.clicked.connect(self._activate)
        self.activated.connect(self._activate)

    def set_lessons(self, package: CoursePackage, completed: frozenset[int]) -> None:
        current = self.currentRow()
        self.clear()
        for lesson in package.lessons:
            row = LessonRow(
                index=lesson.index,
                title=lesson.title,
                minutes=lesson.estimated_minutes,
                objectives=tuple(t for t in lesson.objectives if t.strip()),
                completed=lesson.index in completed,
            )
            item = QListWidgetItem(row.title)
            item.setData(ROW_ROLE, row)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, row.accessible())
            item.setToolTip(row.accessible())
            self.addItem(item)
        if 0 <= current < self.count():
            self.setCurrentRow(current)

    def rows(self) -> list[LessonRow]:
        result = []
        for i in range(self.count()):
            row = self.item(i).data(ROW_ROLE)
            if isinstance(row, LessonRow):
                result.append(row)
        return result

    def _activate(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if isinstance(row, LessonRow):
            self.lesson_activated.emit(row.index)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.scheduleDelayedItemsLayout()
