"""Paints one catalog row: title, "3 of 8 lessons" with a thin progress bar, a state badge."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from player.services.summaries import LOCKED, NOT_DOWNLOADED, SIGN_IN, CourseSummary
from player.ui.catalog.model import SUMMARY_ROLE, badge_text, progress_text

PAD_X = 12
PAD_Y = 8
GAP = 3
BAR_HEIGHT = 4
BADGE_PAD_X = 7


class CatalogDelegate(QStyledItemDelegate):
    """A custom painter, not a widget per row: the view stays instant with 10,000 rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    @staticmethod
    def _fonts(base: QFont) -> tuple[QFont, QFont, QFont]:
        title = QFont(base)
        title.setBold(True)
        title.setPointSizeF(base.pointSizeF() * 1.05)
        small = QFont(base)
        small.setPointSizeF(base.pointSizeF() * 0.9)
        badge = QFont(small)
        badge.setBold(True)
        return title, small, badge

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        title, small, _badge = self._fonts(option.font)
        height = (
            PAD_Y
            + QFontMetrics(title).height()
            + GAP
            + QFontMetrics(small).height()
            + GAP
            + BAR_HEIGHT
            + PAD_Y
        )
        return QSize(200, height)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        course = index.data(SUMMARY_ROLE)
        if not isinstance(course, CourseSummary):
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        painter.save()
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)

        rect: QRect = opt.rect
        palette: QPalette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        text_color = palette.color(text_role)
        muted = QColor(text_color)
        muted.setAlphaF(0.72)
        title_font, small_font, badge_font = self._fonts(opt.font)
        title_fm, small_fm, badge_fm = (
            QFontMetrics(title_font),
            QFontMetrics(small_font),
            QFontMetrics(badge_font),
        )
        left = rect.left() + PAD_X
        right = rect.right() - PAD_X
        top = rect.top() + PAD_Y

        # the badge, right-aligned on the title line
        badge = badge_text(course)
        badge_width = 0
        if badge:
            badge_width = badge_fm.horizontalAdvance(badge) + 2 * BADGE_PAD_X
            badge_rect = QRectF(
                right - badge_width + 1,
                top + (title_fm.height() - badge_fm.height() - 2) / 2,
                badge_width,
                badge_fm.height() + 2,
            )
            fill, ink = _badge_colors(course, palette)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(badge_rect, badge_rect.height() / 2, badge_rect.height() / 2)
            painter.setFont(badge_font)
            painter.setPen(ink)
            painter.drawText(badge_rect, Qt.AlignmentFlag.AlignCenter, badge)
            badge_width += 8

        # the title, elided before the badge
        painter.setFont(title_font)
        painter.setPen(text_color)
        title_width = max(0, right - left - badge_width)
        title = title_fm.elidedText(course.title, Qt.TextElideMode.ElideRight, title_width)
        painter.drawText(
            QRect(left, top, title_width, title_fm.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            title,
        )

        # "3 of 8 lessons"
        top += title_fm.height() + GAP
        painter.setFont(small_font)
        painter.setPen(muted)
        line = small_fm.elidedText(progress_text(course), Qt.TextElideMode.ElideRight, right - left)
        painter.drawText(
            QRect(left, top, right - left, small_fm.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            line,
        )

        # the thin progress bar, once the learner has started or enrolled
        top += small_fm.height() + GAP
        if course.lesson_count and (course.completed or course.access.entitled):
            track = QRectF(left, top, right - left, BAR_HEIGHT)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            track_color = QColor(text_color)
            track_color.setAlphaF(0.15)
            painter.setBrush(track_color)
            painter.drawRoundedRect(track, BAR_HEIGHT / 2, BAR_HEIGHT / 2)
            fraction = min(1.0, course.completed / course.lesson_count)
            if fraction > 0:
                done = QRectF(track)
                done.setWidth(max(BAR_HEIGHT, track.width() * fraction))
                if opt.direction == Qt.LayoutDirection.RightToLeft:
                    done.moveRight(track.right())
                bar_color = (
                    palette.color(QPalette.ColorRole.HighlightedText)
                    if selected
                    else palette.color(QPalette.ColorRole.Highlight)
                )
                painter.setBrush(bar_color)
                painter.drawRoundedRect(done, BAR_HEIGHT / 2, BAR_HEIGHT / 2)
        painter.restore()


def _badge_colors(course: CourseSummary, palette: QPalette) -> tuple[QColor, QColor]:
    dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
    if course.state == LOCKED:
        return (
            (QColor("#5a4212"), QColor("#ffd88a"))
            if dark
            else (
                QColor("#fdecc8"),
                QColor("#7a4b00"),
            )
        )
    if course.state in (NOT_DOWNLOADED, SIGN_IN) or (course.unsigned and not course.completed):
        return (
            (QColor("#3a3f47"), QColor("#c9ced6"))
            if dark
            else (
                QColor("#e5e7eb"),
                QColor("#374151"),
            )
        )
    return (
        (QColor("#1d4429"), QColor("#9be3b0"))
        if dark
        else (
            QColor("#dcf3e3"),
            QColor("#1d6b36"),
        )
    )
