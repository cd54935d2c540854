"""The settings dialog: server, sync interval, text size, theme and the language of the window;
below them, the storage each course takes on this computer (``storage.py``, filled by the owner).

It edits a copy of the core ``Settings`` (the one source of truth) and hands it back with
``chosen()``; the window applies and saves it. Fields a lab policy fixes (``Settings.locked``)
are shown disabled, with a tooltip saying so. In kiosk mode only the text size is offered.
The text size and the theme apply at once; the language when the player starts again.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from player.i18n import _
from player.policy import MAX_MINUTES, available_languages, url_problem
from player.settings import Settings
from player.ui.settings.storage import StorageSection

# Each language's name in that language (an endonym is never translated).
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}


def language_name(code: str) -> str:
    if code in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[code]
    name = QLocale(code).nativeLanguageName()
    return name[:1].upper() + name[1:] if name else code


def policy_locked_text() -> str:
    return _("Set by your lab's policy")


class SettingsDialog(QDialog):
    """``exec()``, then ``chosen()`` when accepted. ``kiosk``: the text size only."""

    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        kiosk: bool = False,
        languages: list[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(_("Text size") if kiosk else _("Settings"))
        self.setModal(True)
        self._settings = settings
        self._kiosk = kiosk
        self._chosen: Settings | None = None

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)

        self.server_edit = QLineEdit(settings.server_url, self)
        self.server_edit.setObjectName("settingsServer")
        self.server_edit.setPlaceholderText("https://learn.example.org")
        self.server_edit.setAccessibleName(_("Course server"))
        self.server_edit.setAccessibleDescription(
            _("The address of your organisation's course server")
        )
        self.server_edit.textChanged.connect(self._clear_problem)

        self.interval_spin = QSpinBox(self)
        self.interval_spin.setObjectName("settingsSyncInterval")
        self.interval_spin.setRange(1, MAX_MINUTES)
        self.interval_spin.setValue(settings.sync_interval_minutes)
        self.interval_spin.setSuffix(_(" min"))
        self.interval_spin.setAccessibleName(_("Minutes between automatic syncs"))

        self.zoom_combo = QComboBox(self)
        self.zoom_combo.setObjectName("settingsTextSize")
        self.zoom_combo.setAccessibleName(_("Text size of lessons"))
        for size in settings.text_zoom_choices:
            self.zoom_combo.addItem(_("{percent} %").format(percent=size), size)
        self._select(self.zoom_combo, settings.text_zoom)

        self.theme_combo = QComboBox(self)
        self.theme_combo.setObjectName("settingsTheme")
        self.theme_combo.setAccessibleName(_("Colours"))
        self.theme_combo.addItem(_("Follow the system"), "system")
        self.theme_combo.addItem(_("Light"), "light")
        self.theme_combo.addItem(_("Dark"), "dark")
        self._select(self.theme_combo, settings.theme)

        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("settingsLanguage")
        self.language_combo.setAccessibleName(_("Language of the window"))
        self.language_combo.addItem(_("Follow the system"), "")
        codes = languages if languages is not None else available_languages()
        if settings.language and settings.language not in codes:
            codes = [*codes, settings.language]
        for code in codes:
            self.language_combo.addItem(language_name(code), code)
        self._select(self.language_combo, settings.language)
        self.language_note = QLabel(
            _("A new language is used when you start the player again."), self
        )
        self.language_note.setObjectName("settingsLanguageNote")
        self.language_note.setWordWrap(True)
        self.language_note.setAccessibleName(_("About the language"))

        self.locked_note = QLabel(
            _("Greyed-out settings are set by your lab's policy and cannot be changed here."),
            self,
        )
        self.locked_note.setObjectName("settingsLockedNote")
        self.locked_note.setWordWrap(True)
        self.locked_note.setAccessibleName(_("About greyed-out settings"))

        self.problem_label = QLabel(self)
        self.problem_label.setObjectName("settingsProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setAccessibleName(_("Problem"))
        self.problem_label.setStyleSheet("color: #c62828;")
        self.problem_label.hide()

        self.rows: dict[str, QWidget] = {}
        if not kiosk:
            self._add_row(form, "server_url", _("Course &server:"), self.server_edit)
            self._add_row(form, "sync_interval_minutes", _("S&ync every:"), self.interval_spin)
        self._add_row(form, "text_zoom", _("&Text size:"), self.zoom_combo)
        if not kiosk:
            self._add_row(form, "theme", _("&Colours:"), self.theme_combo)
            self._add_row(form, "language", _("&Language:"), self.language_combo)
            form.addRow("", self.language_note)
        for widget in (
            self.server_edit,
            self.interval_spin,
            self.theme_combo,
            self.language_combo,
            self.language_note,
        ):
            widget.setVisible(not kiosk)  # not in the form: hidden, or they would float

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.setObjectName("settingsButtons")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setAccessibleName(_("Save the settings"))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName(_("Close without saving"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        self.storage: StorageSection | None = None if kiosk else StorageSection(self)

        self.locked_note.setVisible(any(self.is_locked(name) for name in self.rows))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.locked_note)
        layout.addWidget(self.problem_label)
        if self.storage is not None:
            layout.addWidget(self.storage, 1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440 if not kiosk else 300)

    # --- building ------------------------------------------------------------------------------

    def _add_row(self, form: QFormLayout, name: str, text: str, field: QWidget) -> None:
        label = QLabel(text, self)
        label.setBuddy(field)
        form.addRow(label, field)
        self.rows[name] = field
        if name in self._settings.locked:
            for widget in (label, field):
                widget.setEnabled(False)
                widget.setToolTip(policy_locked_text())
            field.setAccessibleDescription(policy_locked_text())

    @staticmethod
    def _select(combo: QComboBox, value: object) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(max(0, index))

    # --- results -------------------------------------------------------------------------------

    def is_locked(self, name: str) -> bool:
        field = self.rows.get(name)
        return field is not None and not field.isEnabled()

    def chosen(self) -> Settings | None:
        """The settings as accepted; None while the dialog is open or when it was cancelled."""
        return self._chosen

    def _collect(self) -> Settings:
        settings = self._settings
        values: dict[str, Any] = {"text_zoom": int(self.zoom_combo.currentData())}
        if not self._kiosk:
            values.update(
                server_url=self.server_edit.text().strip().rstrip("/"),
                sync_interval_minutes=self.interval_spin.value(),
                theme=str(self.theme_combo.currentData()),
                language=str(self.language_combo.currentData()),
            )
        for name in settings.locked:  # never changed here, whatever a widget holds
            values.pop(name, None)
        return dataclasses.replace(settings, **values)

    def accept(self) -> None:
        chosen = self._collect()
        if "server_url" not in chosen.locked and chosen.server_url:
            problem = url_problem(chosen.server_url)
            if problem:
                self._show_problem(_("Course server: {problem}.").format(problem=problem))
                self.server_edit.setFocus()
                return
        self._chosen = chosen
        super().accept()

    def language_changed(self) -> bool:
        """Whether the accepted settings name another language (it applies after a restart)."""
        return self._chosen is not None and self._chosen.language != self._settings.language

    def _show_problem(self, text: str) -> None:
        self.problem_label.setText(text)
        self.problem_label.show()

    def _clear_problem(self) -> None:
        self.problem_label.hide()
