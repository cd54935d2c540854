"""Settings → Storage: what each course's stored packages take on this computer, and the total.

The same figures as ``course-player storage`` (``player.services.storage.usage``), loaded by the
settings' owner on the read lane and handed over with ``show_usage``.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from player.i18n import _, ngettext
from player.services.storage import StorageUsage


def format_size(size: int) -> str:
    """Bytes as the learner's locale writes sizes ("1.4 MB")."""
    return QLocale().formattedDataSize(size, 1, QLocale.DataSizeFormat.DataSizeSIFormat)


class StorageSection(QWidget):
    """A list of the courses (title, size, versions kept), largest first, and the total."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsStorage")
        self.usage: StorageUsage | None = None
        self.heading = QLabel(_("Storage on this computer"), self)
        self.heading.setObjectName("settingsStorageHeading")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("settingsStorageList")
        self.tree.setRootIsDecorated(False)
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([_("Course"), _("Size")])
        self.tree.setAccessibleName(_("Courses stored on this computer"))
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.tree.setMinimumHeight(120)
        self.total_label = QLabel(_("Counting…"), self)
        self.total_label.setObjectName("settingsStorageTotal")
        self.total_label.setWordWrap(True)
        self.total_label.setAccessibleName(_("Total storage"))
        self.hint_label = QLabel(
            _(
                "To free space, remove a course from its menu in the course list (right-click). "
                "Your progress, notes and bookmarks stay."
            ),
            self,
        )
        self.hint_label.setObjectName("settingsStorageHint")
        self.hint_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.total_label)
        layout.addWidget(self.hint_label)

    def show_usage(self, usage: StorageUsage) -> None:
        self.usage = usage
        self.tree.clear()
        for course in usage.courses:
            item = QTreeWidgetItem([course.title, format_size(course.size_bytes)])
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            versions = ", ".join(str(v) for v in course.versions)
            item.setToolTip(
                0,
                ngettext(
                    "Version {versions} kept", "Versions {versions} kept", len(course.versions)
                ).format(versions=versions),
            )
            item.setData(0, Qt.ItemDataRole.UserRole, course.course_id)
            self.tree.addTopLevelItem(item)
        if usage.other_bytes:
            other = QTreeWidgetItem([_("Other learners' courses"), format_size(usage.other_bytes)])
            other.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(other)
        self.total_label.setText(
            ngettext(
                "{count} course, {size} in all",
                "{count} courses, {size} in all",
                len(usage.courses),
            ).format(count=len(usage.courses), size=format_size(usage.total_bytes))
        )
