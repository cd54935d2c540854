"""The settings in force for the window: File → Settings…, applying them, saving them.

``Preferences`` holds the core ``Settings`` (the one source of truth for the text size, the
theme and the language; ``player.settings``). The reader's zoom is ``Settings.text_zoom``: a
zoom from the View menu is saved like a choice in the dialog. The text size and the theme apply
at once; a new language when the player starts again (``app.run`` installs it).

In kiosk mode the dialog offers the text size only, and nothing is saved: a learner's text size
lasts for their session, and the next learner starts from the machine's (``session_ended``).

``Preferences`` asks the window for three things only (``PreferencesHost``: kiosk mode, the
reader, reopening a lesson); ``parent`` is the window as a widget, for the dialogs.
"""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from player.i18n import _
from player.services import storage
from player.services.handles import Profile, Store
from player.settings import Settings
from player.ui.reader.view import ReaderView
from player.ui.settings.dialog import SettingsDialog
from player.ui.shell import theme
from player.ui.shell.error_dialogs import show_status
from player.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


class PreferencesHost(Protocol):
    """What applying the settings asks of the window (``MainWindow`` is one)."""

    @property
    def kiosk(self) -> bool:
        """Kiosk mode: the dialog offers the text size only, and nothing is saved."""

    @property
    def reader(self) -> ReaderView:
        """Where the text size applies."""

    def open_lesson(self, course_id: str, index: int) -> None:
        """Show a lesson again (in the new colours)."""

    @property
    def store(self) -> Store:
        """Read for the storage list (never opened here: ``storage.usage`` does)."""

    @property
    def profile(self) -> Profile | None:
        """Whose courses the storage list shows."""

    @property
    def tasks(self) -> TaskRunner:
        """Its pool runs the storage list's read (tests run it in place)."""


class Preferences(QObject):
    applied = Signal()

    def __init__(self, host: PreferencesHost, settings: Settings, *, parent: QWidget) -> None:
        super().__init__(parent)
        self._host = host
        self._window = parent
        self.settings = settings
        self._machine_zoom = settings.text_zoom
        self.dialog: SettingsDialog | None = None
        self._storage_tasks: TaskRunner | None = None

    # --- the dialog ------------------------------------------------------------------------------

    def open_dialog(self) -> SettingsDialog:
        """The settings dialog, window-modal (``open``, not ``exec``): applied when accepted."""
        if self.dialog is not None:
            self.dialog.reject()
        dialog = SettingsDialog(self.settings, self._window, kiosk=self._host.kiosk)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._on_accepted(dialog))
        dialog.finished.connect(lambda _result: self._forget(dialog))
        self.dialog = dialog
        dialog.open()
        self._load_storage(dialog)
        return dialog

    def _load_storage(self, dialog: SettingsDialog) -> None:
        """Fill the dialog's storage list on the read lane (as ``course-player storage``)."""
        host = self._host
        section, profile, store = dialog.storage, host.profile, host.store
        if section is None or profile is None:
            return
        # the dialog is the context: once it is closed, no result reaches it
        runner = self._storage_tasks = TaskRunner(dialog, pool=host.tasks.pool)
        runner.read(lambda _job: storage.usage(store, profile), section.show_usage)

    def _forget(self, dialog: SettingsDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _on_accepted(self, dialog: SettingsDialog) -> None:
        chosen = dialog.chosen()
        if chosen is None:
            return
        self.apply(chosen)
        if dialog.language_changed():
            show_status(
                self._window, _("The new language is used when you start the player again.")
            )

    # --- applying --------------------------------------------------------------------------------

    def apply(self, settings: Settings) -> None:
        """Use ``settings`` now (text size, theme) and save them (not in kiosk mode)."""
        previous = self.settings
        self.settings = settings
        reader = self._host.reader
        reader.set_zoom_choices(settings.text_zoom_choices)
        reader.set_zoom(settings.text_zoom)
        if not self._host.kiosk:
            self._machine_zoom = settings.text_zoom
            self.save()
        if settings.theme != previous.theme:
            self.apply_theme()
        self.applied.emit()

    def zoom_changed(self, percent: int) -> None:
        """The reader's zoom changed (View menu, keys, the dialog): it is the text size."""
        if percent == self.settings.text_zoom:
            return
        self.settings.text_zoom = percent
        if not self._host.kiosk:
            self._machine_zoom = percent
            self.save()
        show_status(self._window, _("Text size {percent}%").format(percent=percent), 2000)

    def session_ended(self) -> None:
        """Kiosk: the next learner starts from the machine's text size."""
        self._host.reader.set_zoom(self._machine_zoom)

    def apply_theme(self) -> None:
        """Colours as the settings say (or as the system says); the open lesson re-rendered."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply_theme(app, theme.theme_choice(self.settings))
        lesson = self._host.reader.lesson
        if lesson is not None:
            self._host.open_lesson(lesson.course_id, lesson.index)

    def system_colours_changed(self) -> None:
        if self.settings.theme == "system":
            self.apply_theme()

    def save(self) -> bool:
        """Write the settings file (atomically); a warning when it cannot be written."""
        try:
            self.settings.save()
        except OSError as error:
            log.warning("settings not saved: %s", error)
            QMessageBox.warning(
                self._window,
                _("Course Player"),
                _(
                    "The settings could not be saved ({reason}). They apply until the player "
                    "is closed."
                ).format(reason=error.strerror or error),
            )
            return False
        return True
