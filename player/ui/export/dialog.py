"""Export…: choose a format and a file, then export off the UI thread with progress and Cancel.

The dialog is a thin client of ``player.export.export_course``: the guards (access, size, rate
limit, audit) and the atomic write are the service's. The work runs on the read
lane of ``player.ui.tasks``, not the one writer: an export takes seconds of reading and drawing,
and its only database write (the export record and audit event) is one short transaction that
the store serializes itself. Cancelling sets the task's cancel flag; the service stops at the
next lesson and leaves no file behind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from player.errors import Cancelled, PlayerError
from player.export import RATE_LIMIT, RATE_WINDOW, ExportResult, default_file_name, export_course
from player.i18n import _
from player.services.handles import Profile, Store
from player.ui.shell.error_dialogs import show_error
from player.ui.tasks import Job, Pool, TaskHandle, TaskRunner

log = logging.getLogger(__name__)

FORMATS = ("pdf", "lms")
SUFFIXES = {"pdf": ".pdf", "lms": ".zip"}

# Asks for a file name: (parent, caption, start path, filter) -> chosen path or "" (tests replace it).
SavePrompt = Callable[[QWidget, str, str, str], str]


def ask_save_path(parent: QWidget, caption: str, start: str, name_filter: str) -> str:
    path, _filter = QFileDialog.getSaveFileName(parent, caption, start, name_filter)
    return path


class ExportDialog(QDialog):
    """Export one course as a printable PDF or an LMS (SCORM 1.2) package."""

    exported = Signal(object)  # ExportResult, after the file is in place

    def __init__(
        self,
        store: Store,
        profile: Profile,
        course_id: str,
        title: str,
        version: int,
        parent: QWidget | None = None,
        *,
        pool: Pool | None = None,
        folder: Path | None = None,
        ask_path: SavePrompt = ask_save_path,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle(_("Export “{title}”").format(title=" ".join(title.split())))
        self.setModal(True)
        self.store = store
        self.profile = profile
        self.course_id = course_id
        self.course_title = title
        self.version = version
        self.tasks = TaskRunner(self, pool=pool)
        self._ask_path = ask_path
        self._task: TaskHandle | None = None
        self.result_value: ExportResult | None = None
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        self._folder = folder or Path(documents or Path.home())

        heading = QLabel(_("Save this course as:"), self)
        self.pdf_option = QRadioButton(_("Printable PDF (.pdf)"), self)
        self.pdf_option.setObjectName("exportPdf")
        self.pdf_option.setToolTip(
            _("A book to read or print: contents, every lesson on its own pages, page numbers.")
        )
        self.lms_option = QRadioButton(_("LMS package, SCORM 1.2 (.zip)"), self)
        self.lms_option.setObjectName("exportLms")
        self.lms_option.setToolTip(
            _(
                "A ZIP to import into Moodle, Canvas, Blackboard or another LMS; it also opens as web pages."
            )
        )
        self.formats = QButtonGroup(self)
        self.formats.addButton(self.pdf_option, 0)
        self.formats.addButton(self.lms_option, 1)
        self.pdf_option.setChecked(True)
        self.formats.idToggled.connect(self._on_format_changed)
        self.notes_option = QCheckBox(_("Include my notes after each lesson"), self)
        self.notes_option.setObjectName("exportWithNotes")
        self.notes_option.setToolTip(
            _("Your own notes on each lesson are printed after it. Only in the PDF.")
        )

        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("exportPath")
        self.path_edit.setAccessibleName(_("File to save"))
        self.path_edit.setText(str(self._folder / default_file_name(title, version, "pdf")))
        self.path_edit.textChanged.connect(self._refresh)
        self.choose_button = QPushButton(_("Choose…"), self)
        self.choose_button.setObjectName("exportChoose")
        self.choose_button.setAccessibleName(_("Choose where to save"))
        self.choose_button.clicked.connect(self.choose_path)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.choose_button)

        self.note_label = QLabel(
            _("You can export a course {n} times in {minutes} minutes.").format(
                n=RATE_LIMIT, minutes=int(RATE_WINDOW.total_seconds() // 60)
            ),
            self,
        )
        self.note_label.setObjectName("exportNote")
        self.note_label.setWordWrap(True)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("exportProgress")
        self.progress_bar.setAccessibleName(_("Export progress"))
        self.progress_bar.setRange(0, 0)
        self.progress_bar.hide()
        self.status_label = QLabel(self)
        self.status_label.setObjectName("exportStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)

        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton(
            _("Export"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setObjectName("exportStart")
        self.export_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("exportCancel")
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.pdf_option)
        layout.addWidget(self.lms_option)
        layout.addWidget(self.notes_option)
        layout.addSpacing(6)
        layout.addLayout(path_row)
        layout.addWidget(self.note_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        self._refresh()

    # --- state -------------------------------------------------------------------------------

    @property
    def format(self) -> str:
        return "lms" if self.lms_option.isChecked() else "pdf"

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done

    def path(self) -> Path | None:
        text = self.path_edit.text().strip()
        return Path(text).expanduser() if text else None

    def _refresh(self) -> None:
        running = self.running
        for widget in (self.pdf_option, self.lms_option, self.path_edit, self.choose_button):
            widget.setEnabled(not running)
        self.notes_option.setEnabled(not running and self.format == "pdf")
        self.export_button.setEnabled(not running and self.path() is not None)
        self.progress_bar.setVisible(running)

    def _on_format_changed(self, _id: int, checked: bool) -> None:
        if not checked:
            return
        self._refresh()
        path = self.path()
        if path is not None and path.suffix.lower() in SUFFIXES.values():
            self.path_edit.setText(str(path.with_suffix(SUFFIXES[self.format])))

    def choose_path(self) -> None:
        name_filter = _("PDF files (*.pdf)") if self.format == "pdf" else _("ZIP packages (*.zip)")
        chosen = self._ask_path(self, _("Save the export as"), self.path_edit.text(), name_filter)
        if not chosen:
            return
        path = Path(chosen)
        if not path.suffix:
            path = path.with_suffix(SUFFIXES[self.format])
        self.path_edit.setText(str(path))

    # --- the work ----------------------------------------------------------------------------

    def start(self) -> None:
        """Export to the chosen file in the background."""
        dest = self.path()
        if dest is None or self.running:
            return
        store, profile, course_id, fmt = self.store, self.profile, self.course_id, self.format
        with_notes = fmt == "pdf" and self.notes_option.isChecked()

        def work(job: Job) -> ExportResult:
            return export_course(
                store,
                profile,
                course_id,
                fmt,
                dest,
                on_progress=job.progress,
                cancel=job.cancel_event,
                with_notes=with_notes,
            )

        self.status_label.setText(_("Exporting…"))
        self.progress_bar.setRange(0, 0)
        self._task = self.tasks.read(
            work, self._done, self._failed, on_progress=self._progress, urgent=False
        )
        self._refresh()

    def _progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(done)
        self.status_label.setText(message)

    def _done(self, result: ExportResult) -> None:
        self._task = None
        self.result_value = result
        log.info("exported %s as %s to %s", result.course_id, result.format, result.path)
        self.status_label.setText(_("Saved to {path}").format(path=result.path))
        self._refresh()
        self.exported.emit(result)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._task = None
        self._refresh()
        if isinstance(error, Cancelled):
            self.status_label.setText(_("Export cancelled. Nothing was saved."))
            return
        self.status_label.setText(
            str(error) if isinstance(error, PlayerError) else _("The export failed.")
        )
        show_error(self, error)

    def cancel(self) -> None:
        """Stop a running export (the dialog stays open), or close the dialog."""
        if self.running and self._task is not None:
            self._task.cancel()
            self.status_label.setText(_("Cancelling…"))
            return
        self.reject()

    # --- closing while running cancels -------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.running:
            self.cancel()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running and self._task is not None:
            self._task.cancel()
        super().closeEvent(event)
