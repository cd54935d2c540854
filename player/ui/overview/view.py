"""The course overview: what the course is, the learner's progress, and the way in.

Hook points for later changes (kept visible in code, hidden on screen until wired):
- ``buy_requested(course_id)`` and ``buy_button``: the Buy flow comes with the sync work; call
  ``set_buy_available(True)`` once it is wired. Until then a locked course says "Connect to buy".
- ``export_requested(course_id)`` and ``export_button``: the PDF / LMS export; call
  ``set_export_available(True)`` once wired (the export services do their own access checks).
  Kiosk mode calls ``set_export_allowed(False)``: no Export button then, whatever is wired.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QDateTime, QLocale, Qt, QTimeZone, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from player.i18n import _, ngettext
from player.services.access import format_price
from player.services.learn import LOCKED, NOT_DOWNLOADED, SIGN_IN, CourseSummary
from player.services.reading import CourseDetails
from player.timeutil import parse_rfc3339
from player.ui.overview.lessons import LessonList


def format_date(text: str | None) -> str:
    if not text:
        return ""
    try:
        moment = parse_rfc3339(text)
    except ValueError:
        return text
    stamp = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()), QTimeZone.utc())
    locale = QLocale()
    # the locale's long date without the weekday ("5 October 2026", "5. Oktober 2026")
    pattern = re.sub(r"d{4}\W*", "", locale.dateFormat(QLocale.FormatType.LongFormat)).strip()
    return locale.toString(stamp.date(), pattern or "yyyy-MM-dd")


def format_language(code: str | None) -> str:
    if not code:
        return ""
    locale = QLocale(code)
    if locale.language() == QLocale.Language.C:
        return code
    name = QLocale.languageToString(locale.language())
    return f"{name} ({code})"


class CourseOverview(QWidget):
    """Shows one ``CourseDetails``; every action leaves as a signal carrying the course id."""

    back_requested = Signal()
    enroll_requested = Signal(str)
    lesson_requested = Signal(str, int)
    buy_requested = Signal(str)  # hook: wired by the sync work (see module docstring)
    export_requested = Signal(str)  # hook: wired by the export work
    remove_requested = Signal(str)  # delete its stored packages (after the window asks)
    download_requested = Signal(str)  # a course the learner removed: wanted back

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("courseOverview")
        self.details: CourseDetails | None = None
        self._buy_available = False
        self._export_available = False
        self._export_allowed = True
        self._remove_allowed = True

        self.back_button = QPushButton(_("‹ All courses"), self)
        self.back_button.setObjectName("overviewBack")
        self.back_button.setAccessibleName(_("Back to all courses"))
        self.back_button.setFlat(True)
        self.back_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.back_button.clicked.connect(self.back_requested)
        self.back_button.hide()

        self.title_label = QLabel(self)
        self.title_label.setObjectName("overviewTitle")
        self.title_label.setWordWrap(True)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        title_font = QFont(self.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.6)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.title_label.setAccessibleName(_("Course title"))

        self.meta_label = self._plain_label("overviewMeta", _("Course details"))
        self.summary_label = self._plain_label("overviewSummary", _("Course summary"))

        # locked (paid, not bought): the price and how to buy
        self.locked_frame = QFrame(self)
        self.locked_frame.setObjectName("overviewLocked")
        self.locked_frame.setFrameShape(QFrame.Shape.StyledPanel)
        self.price_label = self._plain_label("overviewPrice", _("Price"), self.locked_frame)
        bold = QFont(self.price_label.font())
        bold.setBold(True)
        self.price_label.setFont(bold)
        self.locked_label = self._plain_label(
            "overviewLockedText", _("Why this course is locked"), self.locked_frame
        )
        self.buy_button = QPushButton(_("Buy…"), self.locked_frame)
        self.buy_button.setObjectName("overviewBuy")
        self.buy_button.setAccessibleName(_("Buy this course"))
        self.buy_button.clicked.connect(self._on_buy)
        self.buy_button.hide()
        locked_layout = QVBoxLayout(self.locked_frame)
        locked_layout.addWidget(self.price_label)
        locked_layout.addWidget(self.locked_label)
        locked_layout.addWidget(self.buy_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.notice_label = self._plain_label("overviewNotice", _("Notice"))

        self.progress_label = self._plain_label("overviewProgress", _("Your progress"))
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("overviewProgressBar")
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setFixedHeight(6)
        self.progress_bar.setAccessibleName(_("Lessons completed"))

        self.enroll_button = QPushButton(_("Enroll"), self)
        self.enroll_button.setObjectName("overviewEnroll")
        self.enroll_button.setAccessibleName(_("Enroll in this course"))
        self.enroll_button.clicked.connect(self._on_enroll)
        self.start_button = QPushButton(_("Start"), self)
        self.start_button.setObjectName("overviewStart")
        self.start_button.setAccessibleName(_("Start with the first lesson"))
        self.start_button.clicked.connect(self._on_start)
        self.continue_button = QPushButton(_("Continue"), self)
        self.continue_button.setObjectName("overviewContinue")
        self.continue_button.setAccessibleName(_("Continue with the next lesson not completed"))
        self.continue_button.clicked.connect(self._on_continue)
        self.export_button = QPushButton(_("Export…"), self)
        self.export_button.setObjectName("overviewExport")
        self.export_button.setAccessibleName(_("Export this course"))
        self.export_button.clicked.connect(self._on_export)
        self.export_button.hide()
        self.download_button = QPushButton(_("Download"), self)
        self.download_button.setObjectName("overviewDownload")
        self.download_button.setAccessibleName(_("Download this course again"))
        self.download_button.clicked.connect(self._on_download)
        self.download_button.hide()
        self.remove_button = QPushButton(_("Remove from this computer…"), self)
        self.remove_button.setObjectName("overviewRemove")
        self.remove_button.setAccessibleName(_("Remove this course from this computer"))
        self.remove_button.setAccessibleDescription(
            _("Deletes its lessons here; your progress, notes and bookmarks stay")
        )
        self.remove_button.clicked.connect(self._on_remove)
        self.remove_button.hide()
        self.actions_row = QHBoxLayout()
        self.actions_row.setSpacing(8)
        for button in (
            self.enroll_button,
            self.start_button,
            self.continue_button,
            self.export_button,
            self.download_button,
        ):
            self.actions_row.addWidget(button)
        self.actions_row.addStretch(1)
        self.actions_row.addWidget(self.remove_button)

        self.lessons_heading = QLabel(_("Lessons"), self)
        self.lessons_heading.setObjectName("overviewLessonsHeading")
        heading_font = QFont(self.font())
        heading_font.setBold(True)
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.15)
        self.lessons_heading.setFont(heading_font)
        self.lessons = LessonList(self)
        self.lessons.lesson_activated.connect(self._on_lesson)

        self.placeholder = QLabel(_("Choose a course from the list."), self)
        self.placeholder.setObjectName("overviewPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 12, 20, 12)
        layout.setSpacing(8)
        layout.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.title_label)
        layout.addWidget(self.meta_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.locked_frame)
        layout.addWidget(self.notice_label)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress_bar)
        layout.addLayout(self.actions_row)
        layout.addSpacing(4)
        layout.addWidget(self.lessons_heading)
        layout.addWidget(self.lessons, 1)
        layout.addWidget(self.placeholder, 1)
        self.filler = QWidget(self)  # takes the free space when there is no lesson list
        layout.addWidget(self.filler, 1)
        self.clear()

    def _plain_label(self, name: str, accessible: str, parent: QWidget | None = None) -> QLabel:
        label = QLabel(parent or self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setAccessibleName(accessible)
        return label

    # --- hooks for later changes ------------------------------------------------------------

    def set_buy_available(self, available: bool) -> None:
        """Show the Buy button on locked courses (wired by the sync work)."""
        self._buy_available = available
        self._refresh_buttons()

    def set_export_allowed(self, allowed: bool) -> None:
        """False in kiosk mode: no export, even once the export work is wired."""
        self._export_allowed = allowed
        self._refresh_buttons()

    def set_remove_allowed(self, allowed: bool) -> None:
        """False in kiosk mode: a learner of the lab does not delete its courses."""
        self._remove_allowed = allowed
        self._refresh_buttons()

    def set_export_available(self, available: bool) -> None:
        """Show the Export button on courses the learner may export (bought or enrolled)."""
        self._export_available = available
        self._refresh_buttons()

    # --- showing ------------------------------------------------------------------------------

    @property
    def course_id(self) -> str | None:
        return self.details.summary.course_id if self.details else None

    def set_narrow(self, narrow: bool) -> None:
        self.back_button.setVisible(narrow)

    def clear(self) -> None:
        """Show nothing of any learner (no course chosen, or switching learner)."""
        self.details = None
        for widget in self._course_widgets():
            widget.hide()
        self.lessons.clear()
        self.title_label.clear()
        self.placeholder.show()
        self._refresh_buttons()

    def show_loading(self, summary: CourseSummary) -> None:
        """Show what the catalog already knows while the course loads."""
        self.details = None
        self.placeholder.hide()
        self.lessons.clear()
        self._show_header(summary)
        for widget in (
            self.locked_frame,
            self.notice_label,
            self.progress_label,
            self.progress_bar,
            self.lessons_heading,
            self.lessons,
        ):
            widget.hide()
        self.notice_label.setText(_("Loading…"))
        self.notice_label.show()
        self._refresh_buttons()

    def show_course(self, details: CourseDetails) -> None:
        same_course = self.course_id == details.summary.course_id
        self.details = details
        summary = details.summary
        self.placeholder.hide()
        self._show_header(summary)
        access = summary.access

        if summary.state == LOCKED:
            price = format_price(access.product) if access.product else ""
            self.price_label.setText(_("Paid course · {price}").format(price=price))
            self.locked_label.setText(
                _(
                    "Buy this course to open its lessons. Connect to buy: buying needs your "
                    "organisation's server; the lessons then work offline."
                )
            )
            self.locked_frame.show()
        else:
            self.locked_frame.hide()

        if summary.state == SIGN_IN:
            self.notice_label.setText(
                _(
                    "This course comes from {server}. Sign in with your account of that server "
                    "(File → Sign in to a server…) to open it: it opens once that server "
                    "enrolled you or you bought it."
                ).format(server=access.server)
            )
            self.notice_label.show()
        elif summary.state == NOT_DOWNLOADED and summary.removed:
            self.notice_label.setText(
                _(
                    "You removed this course from this computer; sync does not download it "
                    "again until you ask. Your progress, notes and bookmarks are kept."
                )
            )
            self.notice_label.show()
        elif summary.state == NOT_DOWNLOADED:
            self.notice_label.setText(
                _("This course has not been downloaded yet. Connect and sync to download it.")
            )
            self.notice_label.show()
        elif summary.state != LOCKED and not access.entitled and not access.paid:
            self.notice_label.setText(
                _("Free course: read it as a preview, or enroll to keep track of your progress.")
            )
            self.notice_label.show()
        else:
            self.notice_label.hide()

        count = len(details.package.lessons) if details.package else summary.lesson_count
        done = details.progress.completed_count
        show_progress = summary.state != LOCKED and (access.entitled or done > 0)
        self.progress_label.setText(
            ngettext(
                "{done} of {count} lesson completed", "{done} of {count} lessons completed", count
            ).format(done=done, count=count)
        )
        self.progress_bar.setRange(0, max(1, count))
        self.progress_bar.setValue(min(done, count))
        self.progress_label.setVisible(show_progress)
        self.progress_bar.setVisible(show_progress)

        if details.package is not None:
            if not same_course:
                self.lessons.setCurrentRow(-1)
            self.lessons.set_lessons(details.package, details.progress.completed)
            self.lessons_heading.setText(
                ngettext("{n} lesson", "{n} lessons", count).format(n=count)
            )
            self.lessons_heading.show()
            self.lessons.show()
        else:
            self.lessons.clear()
            self.lessons_heading.setVisible(summary.state == LOCKED and count > 0)
            self.lessons_heading.setText(
                ngettext(
                    "{n} lesson, open after buying", "{n} lessons, open after buying", count
                ).format(n=count)
            )
            self.lessons.hide()
        self._refresh_buttons()

    def _show_header(self, summary: CourseSummary) -> None:
        self.title_label.setText(summary.title)
        self.title_label.show()
        parts = [_("Version {n}").format(n=summary.version)]
        published = format_date(summary.published_at)
        if published:
            parts.append(_("Published {date}").format(date=published))
        language = format_language(summary.language)
        if language:
            parts.append(_("Language: {language}").format(language=language))
        if summary.unsigned:
            parts.append(_("Unsigned: its server does not sign its courses"))
        self.meta_label.setText(" · ".join(parts))
        self.meta_label.show()
        self.summary_label.setText(summary.summary)
        self.summary_label.setVisible(bool(summary.summary))

    def _course_widgets(self) -> list[QWidget]:
        return [
            self.title_label,
            self.meta_label,
            self.summary_label,
            self.locked_frame,
            self.notice_label,
            self.progress_label,
            self.progress_bar,
            self.enroll_button,
            self.start_button,
            self.continue_button,
            self.export_button,
            self.lessons_heading,
            self.lessons,
        ]

    def _refresh_buttons(self) -> None:
        self.filler.setVisible(self.lessons.isHidden() and self.placeholder.isHidden())
        details = self.details
        if details is None:
            for button in (
                self.enroll_button,
                self.start_button,
                self.continue_button,
                self.export_button,
                self.download_button,
                self.remove_button,
            ):
                button.hide()
            self.buy_button.hide()
            return
        summary = details.summary
        access = summary.access
        readable = summary.state not in (LOCKED, NOT_DOWNLOADED) and details.package is not None
        started = details.progress.completed_count > 0 or details.resume is not None
        show_enroll = summary.state not in (LOCKED, SIGN_IN) and not access.entitled
        show_start = readable and not started
        show_continue = readable and started
        self.enroll_button.setVisible(show_enroll)
        self.start_button.setVisible(show_start)
        self.continue_button.setVisible(show_continue)
        if started:
            nxt = self._continue_index(details)
            self.continue_button.setText(_("Continue: lesson {n}").format(n=nxt + 1))
        # exporting needs a purchase or an enrollment (the export guard), not just a preview
        exportable = readable and access.entitled
        self.export_button.setVisible(
            self._export_available and self._export_allowed and exportable
        )
        self.buy_button.setVisible(self._buy_available and summary.state == LOCKED)
        self.download_button.setVisible(summary.removed and not summary.stored)
        # a lab server's course shown as "sign in to open" is not the learner's to remove
        self.remove_button.setVisible(
            self._remove_allowed and summary.stored and summary.state != SIGN_IN
        )
        primary = (
            self.continue_button
            if show_continue
            else self.enroll_button
            if show_enroll
            else self.start_button
        )
        for button in (self.enroll_button, self.start_button, self.continue_button):
            button.setDefault(button is primary)

    # --- actions ------------------------------------------------------------------------------

    def _on_enroll(self) -> None:
        if self.course_id:
            self.enroll_requested.emit(self.course_id)

    def _on_start(self) -> None:
        if self.course_id:
            self.lesson_requested.emit(self.course_id, 0)

    def _on_continue(self) -> None:
        if self.details is not None:
            self.lesson_requested.emit(self.course_id, self._continue_index(self.details))

    @staticmethod
    def _continue_index(details: CourseDetails) -> int:
        """Where the learner left the course (the last lesson opened); without that, the first
        lesson not completed."""
        resume = details.resume
        count = details.progress.lesson_count or (
            len(details.package.lessons) if details.package else 0
        )
        if resume is not None and 0 <= resume.lesson_idx < max(count, 1):
            return resume.lesson_idx
        return details.progress.next_lesson()

    def _on_lesson(self, index: int) -> None:
        if self.course_id:
            self.lesson_requested.emit(self.course_id, index)

    def _on_buy(self) -> None:
        if self.course_id:
            self.buy_requested.emit(self.course_id)

    def _on_download(self) -> None:
        if self.course_id:
            self.download_requested.emit(self.course_id)

    def _on_remove(self) -> None:
        if self.course_id:
            self.remove_requested.emit(self.course_id)

    def _on_export(self) -> None:
        if self.course_id:
            self.export_requested.emit(self.course_id)
