"""The main window: catalog sidebar, a stack with the course overview and the lesson reader.

Structure::

    QMainWindow
      central: QStackedWidget  root
        ├─ LearnerChooser  who is learning (start with several learners; File → Switch learner)
        └─ QSplitter           splitter
             ├─ CatalogPanel   catalog (moves into ``content`` below NARROW_WIDTH: layout.py)
             └─ QStackedWidget content: CourseOverview | ReaderView (| CatalogPanel when narrow)
      status bar: messages · task progress · ``sync_status_area`` (hook) · the learner's name
                  (· Sign out, in kiosk mode)

The window is built in two steps. ``MainWindow()`` is the frame: title, geometry, menus (the
entries that need the screens disabled), status bar, the splitter with the catalog painting
placeholder rows; its module imports nothing of the store layer, so ``player.ui.shell.app`` paints
it before sqlalchemy and the store's tables load. ``attach(store)`` then imports and builds the
screens and their flows and enables the menus; ``MainWindow(store)`` (the tests) does both.

The window is a thin controller: screens emit what the learner asked for, and each flow lives in
its screen's package, asking the window only for a small ``Protocol`` (the window is each host):
``learners.controller.LearnerController`` (``LearnerHost``: start, chooser, switching, a locked
learner's password), ``catalog.controller.CatalogController`` (``CatalogHost``: loading, choosing,
Remove…/Download), ``overview.controller.CourseController`` (``CourseHost``: opening a course,
enrolling), ``reader.controller.LessonController`` (``LessonHost``: lessons, previous/next, mark
complete, resume through ``reader.resume.ResumeRecorder``). Work runs through the window's
``TaskRunner`` (``player.ui.tasks``: read, write and network lanes; one writer); results of work
started before the learner changed are dropped.

``self.settings``: the core ``Settings`` in force (``ui/settings/preferences.py``; File →
Settings…); ``self.ui_state``: the window's geometry only (``window_state.py``). Kiosk mode:
``ui/kiosk/``; the wide/narrow switch: layout.py; File → Import…: importer.py; the status bar:
statusbar.py.

Hook points for later changes:
- Buy, Sync now, the sync status and the server sign-in: ``player.ui.sync.attach.SyncWiring``
  (attached by ``player.ui.shell.app.run``) uses the hooks below.
- Sync status: put a widget in the status bar with ``self.add_status_widget(widget)`` (it goes into
  ``self.sync_status_area``, left of the learner's name). ``signed_out`` says when a learner's
  session ended (kiosk): forget what the widget shows of them.
- Export: wired here (``export_course`` → ``player.ui.export``); never in kiosk mode.
- Server sign-in: ``self.learner_chooser.sign_in_requested``;
  ``self.learner_chooser.set_sign_in_available(True)``; after a sign-in, ``self.set_profile(profile)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from player.i18n import _
from player.policy import LabPolicy
from player.settings import Settings
from player.ui.catalog.panel import CatalogPanel
from player.ui.shell.error_dialogs import show_error
from player.ui.shell.layout import NARROW_WIDTH, restore_sizes
from player.ui.shell.menus import MenuActions, add_action, build_menus
from player.ui.shell.statusbar import StatusArea
from player.ui.shell.window_state import WindowState
from player.ui.tasks import Pool, TaskRunner

if TYPE_CHECKING:  # built by attach(), after the frame has painted
    from player.services.handles import Profile, Store
    from player.services.reading import CourseDetails
    from player.ui.catalog.controller import CatalogController
    from player.ui.kiosk.controller import KioskController
    from player.ui.learners.ask_password import AskPasswordControl
    from player.ui.learners.chooser import LearnerChooser
    from player.ui.learners.controller import LearnerController
    from player.ui.notes.controller import NotesListController
    from player.ui.overview.controller import CourseController
    from player.ui.overview.view import CourseOverview
    from player.ui.reader.controller import LessonController
    from player.ui.reader.notes_controller import NotesController
    from player.ui.reader.view import ReaderView
    from player.ui.search.controller import SearchController
    from player.ui.search.view import SearchView
    from player.ui.settings.preferences import Preferences
    from player.ui.shell.layout import WindowLayout

log = logging.getLogger(__name__)

__all__ = ["NARROW_WIDTH", "MainWindow"]

DEFAULT_SIZE = (1100, 720)


class MainWindow(QMainWindow):
    profile_changed = Signal(str)
    signed_out = Signal()  # a learner's session ended (kiosk): nothing of them is shown now
    catalog_loaded = Signal()
    course_shown = Signal(str)
    download_requested = Signal(str)  # a removed course wanted back: sync fetches it (attach.py)
    lesson_shown = Signal(str, int)
    settings_applied = Signal()

    def __init__(
        self,
        store: Store | None = None,
        *,
        samples_dir: Path | None = None,
        pool: Pool | None = None,
        settings: Settings | None = None,
        policy: LabPolicy | None = None,
        ui_state: WindowState | None = None,
        follow_system_theme: bool = True,
        kiosk: bool = False,
    ) -> None:
        """The window's frame (menus, status bar, the catalog waiting for its rows); with a
        ``store``, everything else too (``attach``). Without one, the frame can be shown and
        painted before the store layer is imported (``player.ui.shell.app``), and ``attach``
        builds the screens once the store is open."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.profile: Profile | None = None
        self.policy = policy
        self._settings = settings if settings is not None else Settings.load().with_policy(policy)
        self._follow_system_theme = follow_system_theme
        self._kiosk_asked = kiosk
        self.attached = False
        self.ui_state = ui_state or WindowState()
        self.status_area = StatusArea(self)
        self.task_progress = self.status_area.task_progress
        self.sync_status_area = self.status_area.sync_area
        self.learner_label = self.status_area.learner_label
        self.tasks = TaskRunner(
            self,
            pool=pool,
            track=self.task_progress.track,
        )
        self.kiosk_mode: KioskController | None = None

        self.setWindowTitle(_("Course Player"))
        self.setMinimumSize(320, 360)

        self.catalog = CatalogPanel(self)
        self.catalog.setAccessibleName(_("Catalog"))
        self.catalog.set_loading()  # placeholder rows until the store answers
        self.content = QStackedWidget(self)
        self.content.setObjectName("content")
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.catalog)
        self.splitter.addWidget(self.content)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.catalog.setMinimumWidth(220)
        self.root = QStackedWidget(self)
        self.root.setObjectName("root")
        self.root.addWidget(self.splitter)
        self.setCentralWidget(self.root)
        self._build_menus()
        geometry = self.ui_state.window_geometry
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*DEFAULT_SIZE)
        # the sidebar as wide as it will be (WindowLayout.restore), so nothing moves at attach
        restore_sizes(self, self.splitter, self.ui_state.splitter_state)
        if self.width() < NARROW_WIDTH:  # narrow: the catalog alone, as it will be
            self.content.hide()
        if store is not None:
            self.attach(store, samples_dir=samples_dir)

    def attach(self, store: Store, *, samples_dir: Path | None = None) -> None:
        """Build the screens and their flows on ``store`` (imported here: the store layer
        loads after the frame's first paint), then enable the menus."""
        from player.services.access import LabServer
        from player.ui.catalog.controller import CatalogController
        from player.ui.kiosk.controller import KioskController
        from player.ui.learners.ask_password import AskPasswordControl
        from player.ui.learners.chooser import LearnerChooser
        from player.ui.learners.controller import LearnerController
        from player.ui.notes.controller import NotesListController, NotesListHooks
        from player.ui.overview.controller import CourseController
        from player.ui.overview.view import CourseOverview
        from player.ui.reader.controller import LessonController
        from player.ui.reader.notes_controller import NotesController
        from player.ui.reader.view import ReaderView
        from player.ui.search.controller import SearchController, WindowHooks
        from player.ui.search.view import SearchView
        from player.ui.settings.preferences import Preferences
        from player.ui.shell.layout import WindowLayout

        assert not self.attached, "attach() runs once"
        self.store = store
        self.preferences: Preferences = Preferences(self, self._settings, parent=self)

        # --- screens
        self.learner_chooser: LearnerChooser = LearnerChooser(self)
        self.overview: CourseOverview = CourseOverview(self)
        self.overview.setAccessibleName(_("Course overview"))
        self.overview.enroll_requested.connect(self.enroll)
        self.overview.lesson_requested.connect(self.open_lesson)
        self.overview.export_requested.connect(self.export_course)
        self.overview.set_export_available(True)  # kiosk mode hides it (set_export_allowed)
        self.reader: ReaderView = ReaderView(
            self, zoom=self.settings.text_zoom, zoom_choices=self.settings.text_zoom_choices
        )
        self.reader.setAccessibleName(_("Lesson reader"))
        self.courses: CourseController = CourseController(self, parent=self)
        self.lessons: LessonController = LessonController(self, parent=self)
        self.catalog_flow: CatalogController = CatalogController(
            self, samples_dir=samples_dir, parent=self
        )
        self.reader.zoom_changed.connect(self.preferences.zoom_changed)
        self.notes: NotesController = NotesController(
            self.reader.notes_pane,
            self.tasks,
            self.store,
            lambda: self.profile,
            lambda error: show_error(self, error),
        )
        self.notes_list: NotesListController = NotesListController(
            self,
            self.store,
            self.tasks,
            NotesListHooks(
                profile=lambda: self.profile,
                has_course=lambda course_id: self.catalog.model.course(course_id) is not None,
                reveal_lesson=self.lessons.reveal,
            ),
        )
        self.notes.changed.connect(self.notes_list.refresh)
        self.learners: LearnerController = LearnerController(self, parent=self)

        self.search_view: SearchView = SearchView(self)
        self.search_view.setAccessibleName(_("Search"))
        self.content.addWidget(self.overview)
        self.content.addWidget(self.reader)
        self.content.addWidget(self.search_view)
        self.root.insertWidget(0, self.learner_chooser)
        self.root.setCurrentWidget(self.splitter)

        self.ask_password: AskPasswordControl = AskPasswordControl(
            self,
            self.menus.file_menu,
            self.menus.settings_action,
            store=store,
            tasks=self.tasks,
            current=lambda: self.profile,
            kiosk=lambda: self.kiosk,
        )
        self.search: SearchController = SearchController(
            self.search_view,
            store,
            self.tasks,
            WindowHooks(
                profile=lambda: self.profile,
                current_page=self.content.currentWidget,
                show_page=self.content.setCurrentWidget,
                open_course=self.catalog_flow.open_from_search,
                open_lesson=self.lessons.reveal,
                mark_matches=self.reader.show_search_matches,
            ),
            self.lesson_shown,
            lab=lambda: LabServer.from_policy(self.policy),
        )
        self.content.show()
        self.layout_mode: WindowLayout = WindowLayout(
            self,
            splitter=self.splitter,
            content=self.content,
            catalog=self.catalog,
            home=self.overview,
            sidebar_action=self.sidebar_action,
        )
        self.layout_mode.restore(self.ui_state.splitter_state)
        self.overview.set_narrow(self.narrow)
        if self._follow_system_theme:
            hints = QGuiApplication.styleHints()
            if hasattr(hints, "colorSchemeChanged"):
                hints.colorSchemeChanged.connect(self.preferences.system_colours_changed)
        if self._kiosk_asked:
            self.kiosk_mode = KioskController(self, self.policy, parent=self)
        self.attached = True
        for action in self._store_actions:
            action.setEnabled(True)
        self.refresh_learner_actions()

    def export_course(self, course_id: str) -> None:
        """Export… on the overview: the dialog runs the guarded export off the UI thread."""
        from player.ui.export import open_export_dialog

        open_export_dialog(self, course_id, parent=self)

    # --- menus -------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        """Every menu entry, in the frame; those that need the screens are enabled by
        ``attach``."""
        self.menus: MenuActions = build_menus(
            self,
            import_course=self.import_course,
            switch_learner=self.switch_learner,
            open_settings=lambda: self.preferences.open_dialog(),
            zoom_in=lambda: self.reader.zoom_in(),
            zoom_out=lambda: self.reader.zoom_out(),
            zoom_reset=lambda: self.reader.zoom_reset(),
            toggle_sidebar=self._on_sidebar_toggled,
            about=self.about,
        )
        self.import_action = self.menus.import_action
        self.switch_action = self.menus.switch_action
        self.settings_action = self.menus.settings_action
        self.quit_action = self.menus.quit_action
        self.zoom_in_action = self.menus.zoom_in_action
        self.zoom_out_action = self.menus.zoom_out_action
        self.zoom_reset_action = self.menus.zoom_reset_action
        self.sidebar_action: QAction = self.menus.sidebar_action
        self.search_action = add_action(
            self,
            self.menus.view_menu,
            _("&Search all courses…"),
            lambda: self.search.show(),
            ["Ctrl+K"],
        )
        self.menus.view_menu.addSeparator()
        self.notes_list_action = add_action(
            self,
            self.menus.view_menu,
            _("&Notes && bookmarks…"),
            lambda: self.notes_list.show(),
            ["Ctrl+Shift+M"],
        )
        self.sidebar_action.setChecked(self.ui_state.sidebar_visible)
        self.catalog.setVisible(self.ui_state.sidebar_visible)
        self._store_actions = [
            self.import_action,
            self.switch_action,
            self.settings_action,
            self.zoom_in_action,
            self.zoom_out_action,
            self.zoom_reset_action,
            self.sidebar_action,
            self.search_action,
            self.notes_list_action,
        ]
        for action in self._store_actions:
            action.setEnabled(False)

    # --- hooks ---------------------------------------------------------------------------------

    def add_status_widget(self, widget: QWidget) -> None:
        """Put a widget (e.g. the sync status) in the status bar, left of the learner's name."""
        self.status_area.add_sync_widget(widget)

    @property
    def settings(self) -> Settings:
        """The settings in force (``player.settings.Settings``; File → Settings…)."""
        return self.preferences.settings if self.attached else self._settings

    @property
    def shown_course(self) -> CourseDetails | None:
        """The course the overview shows (its details), if any."""
        return self.overview.details

    def set_kiosk_limits(self, on: bool) -> None:
        """Kiosk mode (``KioskController``): no web links from lessons, no Export, no Remove
        (a lab's courses stay for every learner)."""
        self.reader.browser.allow_external_links = not on
        self.overview.set_export_allowed(not on)
        self.overview.set_remove_allowed(not on)
        self.catalog.remove_allowed = not on

    @property
    def kiosk(self) -> bool:
        """Kiosk mode is on (until the technician leaves it with the PIN)."""
        return self.kiosk_mode is not None and self.kiosk_mode.active

    def show_window(self) -> None:
        """Show the window: full screen in kiosk mode."""
        if self.kiosk or (self._kiosk_asked and not self.attached):
            self.showFullScreen()
        else:
            self.show()

    # --- learners -----------------------------------------------------------------------------

    def start(self, profile_id: str | None = None) -> None:
        """Choose the learner and fill the catalog (``LearnerController.start``)."""
        self.learners.start(profile_id)

    def show_learner_chooser(self, *, cancellable: bool) -> None:
        self.learners.show_chooser(cancellable=cancellable)

    def switch_learner(self) -> None:
        self.learners.switch()

    def show_learner_page(self) -> None:
        self.root.setCurrentWidget(self.learner_chooser)
        self.refresh_learner_actions()

    def show_catalog_loading(self) -> None:
        self.catalog.set_loading()

    def set_profile(self, profile: Profile) -> None:
        """Make ``profile`` the learner: every view of the previous learner is cleared first."""
        self._forget_learner()
        self.profile = profile
        self.setWindowTitle(_("Course Player — {name}").format(name=profile.displayName))
        self.learner_label.setText(profile.displayName)
        self.show_main_area()
        self.ask_password.refresh()
        from player.services import profiles

        self.tasks.write(lambda _job: profiles.touch(self.store, profile), lambda _result: None)
        self.refresh_catalog(install_samples=True, reopen=True)
        self.profile_changed.emit(profile.id)

    def sign_out(self) -> None:
        """End the learner's session: dialogs closed, every view of them cleared, then the
        learner chooser. Nothing is deleted: their queued progress waits in the outbox."""
        from player.ui.kiosk.controller import close_open_dialogs

        close_open_dialogs(keep=self)
        self._forget_learner()
        self.profile = None
        if self.kiosk:
            self.preferences.session_ended()
            self.statusBar().clearMessage()
        self.setWindowTitle(_("Course Player"))
        self.learner_label.clear()
        self.ask_password.refresh()
        self.show_learner_chooser(cancellable=False)
        self.signed_out.emit()

    def _forget_learner(self) -> None:
        """Drop running work and clear every view (nothing of the learner stays visible)."""
        self.tasks.reset()  # nothing started for the previous learner reaches the views
        self.courses.forget()
        self.lessons.forget()
        self.notes.forget()
        self.notes_list.forget()
        self.catalog.clear()
        self.overview.clear()
        self.reader.clear()
        self.search.forget()
        self.statusBar().clearMessage()
        self.content.setCurrentWidget(self.layout_mode.first_page())

    def show_main_area(self) -> None:
        if self.profile is None:
            return
        self.root.setCurrentWidget(self.splitter)
        self.refresh_learner_actions()

    def refresh_learner_actions(self) -> None:
        """Enable what needs a learner on the main area; no Import in kiosk mode."""
        learning = self.profile is not None and self.root.currentWidget() is self.splitter
        self.import_action.setEnabled(learning and not self.kiosk)
        self.import_action.setVisible(not self.kiosk)
        self.sidebar_action.setEnabled(learning and not self.layout_mode.narrow)

    # --- catalog ------------------------------------------------------------------------------

    def refresh_catalog(
        self, *, select: str | None = None, install_samples: bool = False, reopen: bool = False
    ) -> None:
        """Load the catalog (``CatalogController.refresh``)."""
        self.catalog_flow.refresh(select=select, install_samples=install_samples, reopen=reopen)

    def current_page(self) -> QWidget | None:
        return self.content.currentWidget()

    def reopen_left_open(self) -> None:
        self.lessons.reopen_left_open()

    # --- course overview ----------------------------------------------------------------------

    def open_course(self, course_id: str) -> None:
        self.courses.open(course_id)

    def apply_details(self, details: CourseDetails) -> None:
        self.courses.apply_details(details)

    def enroll(self, course_id: str, then: Callable[[], None] | None = None) -> None:
        self.courses.enroll(course_id, then)

    # --- reader -------------------------------------------------------------------------------

    def open_lesson(self, course_id: str, index: int) -> None:
        self.lessons.open(course_id, index)

    def set_lesson_completed(
        self, course_id: str, index: int, completed: bool, *, quiet: bool = False
    ) -> None:
        self.lessons.set_completed(course_id, index, completed, quiet=quiet)

    def show_page(self, page: QWidget) -> None:
        self.content.setCurrentWidget(page)

    # --- import -------------------------------------------------------------------------------

    def import_course(self) -> None:
        from player.ui.shell import importer

        importer.choose_and_import(self, parent=self)

    def import_path(self, path: Path) -> None:
        from player.ui.shell import importer

        importer.import_path(self, path, parent=self)

    # --- layout -------------------------------------------------------------------------------

    @property
    def narrow(self) -> bool:
        return self.layout_mode.narrow

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.attached:  # the frame alone has no layout mode yet
            self._update_layout_mode()

    def _update_layout_mode(self) -> None:
        if self.layout_mode.update():
            self.overview.set_narrow(self.narrow)
            self.refresh_learner_actions()

    def _on_sidebar_toggled(self) -> None:
        visible = self.sidebar_action.isChecked()
        self.ui_state.sidebar_visible = visible
        self.layout_mode.set_sidebar_visible(visible)

    def save_window_state(self) -> None:
        if self.kiosk:  # full screen: not the size to come back to
            return
        self.ui_state.window_geometry = self.saveGeometry()
        state = self.layout_mode.splitter_state() if self.attached else None
        if state is not None:
            self.ui_state.splitter_state = state
        self.ui_state.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.kiosk_mode is not None and not self.kiosk_mode.allow_close():
            event.ignore()
            return
        self.save_window_state()
        if self.attached:
            self.reader.flush_position()
            self.reader.notes_pane.save_now()
        self.tasks.cancel_all()
        super().closeEvent(event)

    # --- about --------------------------------------------------------------------------------

    def about(self) -> None:
        QMessageBox.about(
            self,
            _("About Course Player"),
            _(
                "Course Player reads published courses on your computer, with or without a "
                "network. Your progress stays on this computer until it is synced."
            ),
        )
