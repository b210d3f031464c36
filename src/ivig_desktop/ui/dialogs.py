"""Preferences and About. Dialogs open with ``open()`` and report through their signals."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ivig_desktop import __version__
from ivig_desktop.engine.errors import DataError, InputError
from ivig_desktop.engine.formulary import load_formulary
from ivig_desktop.engine.plan import Catalogue
from ivig_desktop.engine.quantities import parse_number
from ivig_desktop.ui.preferences import CHOICES, DEFAULTS, Preferences
from ivig_desktop.ui.wheel_guard import guard_tree

_NUMBERS = {
    "pump_resolution_ml_h": ("Pump rate &resolution (mL/h):", 0.001, 10.0),
    "rounding_tolerance_percent": ("Vial rounding &tolerance (%):", 0.0, 50.0),
    "standard_volume_ml": ("Standard volume limit (m&L/day):", 1.0, 20000.0),
    "standard_volume_ml_per_kg": ("Standard volume limit (mL/&kg/day):", 0.1, 500.0),
    "strict_volume_ml": ("Strict volume limit (mL/da&y):", 1.0, 20000.0),
    "strict_volume_ml_per_kg": ("Strict volume limit (mL/k&g/day):", 0.1, 500.0),
}
_CHOICE_LABELS = {
    "weight_unit": "&Weight unit:",
    "height_unit": "&Height unit:",
    "scr_unit": "&Creatinine unit:",
    "paper": "&Paper size:",
}


def _reasons() -> dict[str, str]:
    """Why each site limit has its default: the reasons kept beside them in site_settings.toml."""
    from ivig_desktop.engine.settings import bundled_settings

    site = bundled_settings()
    return {
        "pump_resolution_ml_h": site.reasons["pump_resolution"],
        "rounding_tolerance_percent": site.reasons["rounding_tolerance"],
        "standard_volume_ml": site.standard_volume.reason,
        "standard_volume_ml_per_kg": "See the standard daily volume limit.",
        "strict_volume_ml": site.strict_volume.reason,
        "strict_volume_ml_per_kg": "See the strict daily volume limit.",
    }


class PreferencesDialog(QDialog):
    """Edits the preferences; nothing is saved until every field is valid."""

    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.prefs = prefs
        form = QFormLayout()
        self.choices: dict[str, QComboBox] = {}
        for key, label in _CHOICE_LABELS.items():
            box = QComboBox()
            box.addItems(list(CHOICES[key]))
            box.setCurrentText(prefs.get(key))
            box.setAccessibleName(label.replace("&", "").rstrip(":"))
            form.addRow(label, box)
            self.choices[key] = box
        self.clock_24h = QCheckBox("&24-hour clock")
        self.clock_24h.setChecked(prefs.get("clock_24h"))
        form.addRow("", self.clock_24h)
        self.numbers: dict[str, QLineEdit] = {}
        self.help: dict[str, QLabel] = {}  # the default and its reason under each limit
        reasons = _reasons()
        for key, (label, _, _) in _NUMBERS.items():
            edit = QLineEdit(f"{prefs.get(key):g}")
            edit.setAccessibleName(label.replace("&", "").rstrip(":"))
            form.addRow(label, edit)
            self.numbers[key] = edit
            why = QLabel(f"Default {DEFAULTS[key]:g}. {reasons.get(key, '')}".strip())
            why.setWordWrap(True)
            why.setStyleSheet("color: #444;")  # the default size: help that can be read
            edit.setToolTip(why.text())
            edit.setAccessibleDescription(why.text())
            form.addRow("", why)
            self.help[key] = why
        self.formulary = QLineEdit(prefs.get("site_formulary"))
        self.formulary.setPlaceholderText("bundled formulary")
        self.formulary.setAccessibleName("Site formulary file")
        self.database = QLineEdit(prefs.get("database_url"))
        self.database.setPlaceholderText("this workstation's own history file")
        self.database.setAccessibleName("Clinic database URL")
        self.database.setToolTip("postgresql://login@server/database: the clinic's shared history")
        database_label = QLabel("Clinic &database:")
        database_label.setBuddy(self.database)
        # One row for both files, so the dialog still fits a 1366 × 768 screen.
        files = QWidget()
        files_row = QHBoxLayout(files)
        files_row.setContentsMargins(0, 0, 0, 0)
        files_row.addWidget(self.formulary, 1)
        self.browse = QPushButton("&Browse…")
        self.browse.setAccessibleName("Browse for the site formulary file")
        self.browse.clicked.connect(self.browse_formulary)
        files_row.addWidget(self.browse)
        files_row.addWidget(database_label)
        files_row.addWidget(self.database, 1)
        formulary_label = QLabel("Site &formulary file:")
        formulary_label.setBuddy(self.formulary)
        form.addRow(formulary_label, files)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        restore = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.clicked.connect(self.restore_defaults)
        # The help under each limit is read in full: the fields scroll (vertically) inside a
        # dialog as tall as the help needs, up to nine tenths of the screen. Laid out directly,
        # the dialog opened at its size hint and cut each help text to a line and a half.
        body = QWidget()
        body.setLayout(form)
        self.scroller = QScrollArea()
        self.scroller.setWidget(body)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        lay = QVBoxLayout(self)
        lay.addWidget(self.scroller, 1)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        guard_tree(self)
        self._fit_to_screen(body)

    def _fit_to_screen(self, body: QWidget) -> None:
        screen = (self.parentWidget() or self).screen().availableGeometry()
        width = min(900, screen.width() * 9 // 10)
        margins = self.layout().contentsMargins()
        bar = self.scroller.verticalScrollBar().sizeHint().width()
        inner = width - margins.left() - margins.right() - bar
        needed = (
            body.heightForWidth(inner)
            + self.buttons.sizeHint().height()
            + margins.top()
            + margins.bottom()
            + 2 * self.layout().spacing()
        )
        self.resize(width, min(needed, screen.height() * 9 // 10))

    def browse_formulary(self) -> None:
        """Choose the site formulary file in a file dialog (starting where the current one is)."""
        from PySide6.QtWidgets import QFileDialog

        current = self.formulary.text().strip()
        start = str(Path(current).parent) if current else ""
        name, _ = QFileDialog.getOpenFileName(self, "Site formulary file", start, "Formulary (*.toml)")
        if name:
            self.formulary.setText(name)

    def restore_defaults(self) -> None:
        for key, box in self.choices.items():
            box.setCurrentText(DEFAULTS[key])
        self.clock_24h.setChecked(DEFAULTS["clock_24h"])
        for key, edit in self.numbers.items():
            edit.setText(f"{DEFAULTS[key]:g}")
        self.formulary.setText(DEFAULTS["site_formulary"])
        self.database.setText(DEFAULTS["database_url"])

    def _validated(self) -> dict[str, object]:
        values: dict[str, object] = {k: b.currentText() for k, b in self.choices.items()}
        values["clock_24h"] = self.clock_24h.isChecked()
        for key, edit in self.numbers.items():
            label, low, high = _NUMBERS[key]
            name = label.replace("&", "").rstrip(":")
            try:
                value = parse_number(edit.text(), name)
            except InputError as exc:
                raise ValueError(str(exc)) from None
            if not low <= value <= high:
                raise ValueError(f"{name}: {value:g} is outside {low:g}–{high:g}")
            values[key] = value
        site = self.formulary.text().strip()
        if site:
            try:
                load_formulary(Path(site))
            except DataError as exc:
                raise ValueError(f"Site formulary file: {exc}") from None
        values["site_formulary"] = site
        url = self.database.text().strip()
        if url:
            from ivig_desktop.store.database import StoreError, parse_url

            try:
                parse_url(url)  # the form only: the server may be away just now
            except StoreError as exc:
                raise ValueError(f"Clinic database: {exc}") from None
        values["database_url"] = url
        return values

    def save(self) -> None:
        try:
            values = self._validated()
        except ValueError as exc:
            self.error.setText(f"⚠ {exc}")
            return
        for key, value in values.items():
            self.prefs.set(key, value)
        self.accept()


def about_text(cat: Catalogue) -> str:
    form = cat.formulary
    sources = "".join(
        f"<li>{p.name}: concentration [{p.concentration.provenance.evidence}] "
        f"{p.concentration.provenance.source}</li>"
        for p in form.products.values()
    )
    return (
        f"<p><b>ivig_desktop {__version__}</b></p>"
        f"<p>Formulary revision: {form.revision}<br>File: {form.source}<br>"
        f"Regimens: {cat.regimens.revision}<br>Site settings: {cat.settings.revision}</p>"
        f"<p><b>Every plan must be independently checked by a second clinician before use.</b> "
        "Label figures carry their evidence tag, source and date in the formulary file.</p>"
        f"<ul>{sources}</ul>"
    )
