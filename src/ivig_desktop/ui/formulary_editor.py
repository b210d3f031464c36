"""Site formulary editor: view the bundled formulary, copy it to a site file, edit products,
vial sizes and rate limits, and save only after the whole file validates.
"""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ivig_desktop.engine.errors import DataError, InputError
from ivig_desktop.store import site_formulary

_RATE_UNITS = ("mg/kg/min", "mL/kg/min", "mL/kg/h")


class EditError(ValueError):
    """A cell that is not a number, named by product and field."""


def _number(text: str, where: str) -> float:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise EditError(f"{where}: '{text}' is not a number") from None
    return int(value) if value.is_integer() else value


class FormularyEditor(QDialog):
    def __init__(self, path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Site formulary")
        self.path = path
        self.data: dict[str, Any] = (
            site_formulary.read_data(path)
            if path is not None and path.exists()
            else site_formulary.bundled_data()
        )
        self.current: int | None = None

        self.file_label = QLabel()
        self.revision = QLineEdit(str(self.data.get("revision", "")))
        self.revision.setAccessibleName("Formulary revision")
        self.products = QListWidget()
        self.products.setAccessibleName("Products")
        self.name = QLineEdit()
        self.name.setAccessibleName("Product name")
        self.concentration = QLineEdit()
        self.concentration.setAccessibleName("Concentration in mg/mL")
        self.vials = QTableWidget(0, 2)
        self.vials.setHorizontalHeaderLabels(["Size (g)", "Volume (mL)"])
        self.vials.setAccessibleName("Vial sizes")
        add_vial = QPushButton("&Add vial size")
        add_vial.clicked.connect(lambda: self.vials.insertRow(self.vials.rowCount()))
        remove_vial = QPushButton("&Remove vial size")
        remove_vial.clicked.connect(lambda: self.vials.removeRow(max(self.vials.currentRow(), 0)))
        self.rates = QTableWidget(0, 6)
        self.rates.setHorizontalHeaderLabels(
            ["Indication", "Start", "Start unit", "Maximum", "Max unit", "Step (min)"]
        )
        self.rates.setAccessibleName("Infusion rates per indication")
        self.caps = QTableWidget(0, 2)
        self.caps.setHorizontalHeaderLabels(["Risks (renal, thrombosis)", "Cap (mg/kg/min)"])
        self.caps.setAccessibleName("At-risk rate caps")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Validation result")

        form = QFormLayout()
        form.addRow("Re&vision:", self.revision)
        form.addRow("&Name:", self.name)
        form.addRow("&Concentration (mg/mL):", self.concentration)
        vial_buttons = QHBoxLayout()
        vial_buttons.addWidget(add_vial)
        vial_buttons.addWidget(remove_vial)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(QLabel("Vial sizes:"))
        right.addWidget(self.vials)
        right.addLayout(vial_buttons)
        right.addWidget(QLabel("Rates (label unit):"))
        right.addWidget(self.rates)
        right.addWidget(QLabel("Numeric at-risk caps:"))
        right.addWidget(self.caps)
        body = QHBoxLayout()
        body.addWidget(self.products, 1)
        body.addLayout(right, 3)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        validate = self.buttons.addButton("&Validate", QDialogButtonBox.ButtonRole.ActionRole)
        validate.clicked.connect(self.validate)
        self.copy_button = self.buttons.addButton(
            "Cop&y to a site file…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.copy_button.clicked.connect(lambda: self.copy_to())
        self._editable: list[QWidget] = [
            self.revision,
            self.name,
            self.concentration,
            add_vial,
            remove_vial,
        ]
        self.discard_question: Any = None
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.file_label)
        lay.addLayout(body, 1)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)

        for p in self.data.get("product", []):
            self.products.addItem(f"{p.get('id')}: {p.get('name')}")
        self.products.currentRowChanged.connect(self._switch)
        self._show_path()
        self.resize(1100, 700)
        if self.products.count():
            self.products.setCurrentRow(0)
        self._set_editable(self.path is not None)

    # -- read-only bundled formulary, copy to edit, unsaved edits --------------------------------
    @property
    def read_only(self) -> bool:
        return self.path is None

    def _set_editable(self, editable: bool) -> None:
        """The bundled formulary is shown, never edited: every field refuses typing until it is
        copied to a site file."""
        for w in self._editable:
            if isinstance(w, QLineEdit):
                w.setReadOnly(not editable)
            else:
                w.setEnabled(editable)
        triggers = (
            QTableWidget.EditTrigger.DoubleClicked
            | QTableWidget.EditTrigger.EditKeyPressed
            | QTableWidget.EditTrigger.AnyKeyPressed
            if editable
            else QTableWidget.EditTrigger.NoEditTriggers
        )
        for table in (self.vials, self.rates, self.caps):
            table.setEditTriggers(triggers)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(editable)
        self.copy_button.setVisible(not editable)

    def copy_to(self, path: Path | None = None) -> bool:
        """Write the bundled formulary to a site file and edit that copy."""
        target = path
        if target is None:
            from PySide6.QtWidgets import QFileDialog

            name, _ = QFileDialog.getSaveFileName(
                self, "Copy to a site formulary file", "site-formulary.toml", "TOML (*.toml)"
            )
            if not name:
                return False
            target = Path(name)
        try:
            site_formulary.save(copy.deepcopy(self.data), target)
        except (DataError, InputError) as exc:
            self.message.setText(f"⚠ Not copied: {exc}")
            return False
        self.path = target
        self._show_path()
        self._set_editable(True)
        self.message.setText(f"Copied to {target}: edit it here and Save.")
        return True

    def has_unsaved_edits(self) -> bool:
        if self.read_only:
            return False
        try:
            return self._candidate() != self.data
        except EditError:
            return True  # a half-typed figure is an edit too

    def reject(self) -> None:
        """Close; unsaved edits are discarded only when the user says so."""
        if not self.has_unsaved_edits():
            super().reject()
            return
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Unsaved formulary edits",
            "The formulary has edits that are not saved. Discard them?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(
            lambda _=0: (
                QDialog.reject(self)
                if box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Discard
                else None
            )
        )
        box.open()
        self.discard_question = box

    def _show_path(self) -> None:
        self.file_label.setText(
            f"Site file: {self.path}"
            if self.path
            else "Bundled formulary (read-only): copy it to a site file to edit it"
        )

    # -- moving between the table widgets and the data ------------------------------------------
    def _switch(self, row: int) -> None:
        if self.current is not None and self.current != row:
            try:
                self.apply_edits()
            except EditError as exc:
                self.message.setText(f"⚠ {exc}")
                self.products.blockSignals(True)
                self.products.setCurrentRow(self.current)
                self.products.blockSignals(False)
                return
        self.current = row
        self._load(self.data["product"][row])

    def _load(self, p: dict[str, Any]) -> None:
        self.name.setText(str(p.get("name", "")))
        self.concentration.setText(f"{p['concentration']['value']:g}" if "concentration" in p else "")
        vials = p.get("vials", [])
        self.vials.setRowCount(len(vials))
        for r, v in enumerate(vials):
            self.vials.setItem(r, 0, QTableWidgetItem(f"{v.get('size')}"))
            self.vials.setItem(r, 1, QTableWidgetItem(f"{v.get('volume')}"))
        inds = p.get("indications", {})
        self.rates.setRowCount(len(inds))
        for r, (ind, t) in enumerate(inds.items()):
            step = t.get("step_minutes", {}).get("value", "")
            for c, text in enumerate(
                (ind, t["start"]["value"], t["start"]["unit"], t["max"]["value"], t["max"]["unit"], step)
            ):
                item = QTableWidgetItem(f"{text}")
                self.rates.setItem(r, c, item)
        caps = p.get("at_risk_caps", [])
        self.caps.setRowCount(len(caps))
        for r, cap in enumerate(caps):
            self.caps.setItem(r, 0, QTableWidgetItem(", ".join(cap.get("risks", []))))
            self.caps.setItem(r, 1, QTableWidgetItem(f"{cap['rate']['value']}"))

    def _cell(self, table: QTableWidget, r: int, c: int) -> str:
        item = table.item(r, c)
        return item.text() if item is not None else ""

    def apply_edits(self) -> None:
        """Copy the widgets into the product's data; changed figures get site provenance."""
        if self.current is None:
            return
        p = self.data["product"][self.current]
        pid = p.get("id", f"product {self.current + 1}")
        site = site_formulary.site_provenance()
        name = self.name.text().strip()
        if not name:
            raise EditError(f"{pid} name: is empty")
        p["name"] = name
        conc = _number(self.concentration.text(), f"{pid} concentration")
        if conc != p["concentration"]["value"]:
            p["concentration"] = {"value": conc, "unit": "mg/mL", **site}
        old_vials = {(v.get("size"), v.get("volume")): v for v in p.get("vials", [])}
        vials = []
        for r in range(self.vials.rowCount()):
            size = _number(self._cell(self.vials, r, 0), f"{pid} vials[{r + 1}] size")
            volume = _number(self._cell(self.vials, r, 1), f"{pid} vials[{r + 1}] volume")
            vials.append(old_vials.get((size, volume)) or {"size": size, "volume": volume, **site})
        p["vials"] = vials
        inds = p.get("indications", {})
        for r in range(self.rates.rowCount()):
            ind = self._cell(self.rates, r, 0)
            if ind not in inds:
                raise EditError(f"{pid} rates row {r + 1}: indication '{ind}' cannot be renamed here")
            t = inds[ind]
            for key, vc, uc in (("start", 1, 2), ("max", 3, 4)):
                value = _number(self._cell(self.rates, r, vc), f"{pid} {ind} {key}")
                unit = self._cell(self.rates, r, uc).strip()
                if unit not in _RATE_UNITS:
                    raise EditError(
                        f"{pid} {ind} {key} unit: '{unit}' is not one of {', '.join(_RATE_UNITS)}"
                    )
                if value != t[key]["value"] or unit != t[key]["unit"]:
                    t[key] = {"value": value, "unit": unit, **site}
                    if t.get("escalation") == "list":
                        # A fixed rung list no longer matches new limits: step by doubling.
                        t["escalation"] = "doubling"
                        t.pop("rates", None)
            step_text = self._cell(self.rates, r, 5).strip()
            old_step = t.get("step_minutes", {}).get("value")
            if not step_text:
                t.pop("step_minutes", None)
            else:
                step = _number(step_text, f"{pid} {ind} step minutes")
                if step != old_step:
                    t["step_minutes"] = {"value": step, **site}
        caps = p.get("at_risk_caps", [])
        new_caps = []
        for r in range(self.caps.rowCount()):
            risks = [x.strip() for x in self._cell(self.caps, r, 0).split(",") if x.strip()]
            value = _number(self._cell(self.caps, r, 1), f"{pid} at_risk_caps[{r + 1}] rate")
            old = caps[r] if r < len(caps) else None
            if old is not None and old.get("risks") == risks and old["rate"]["value"] == value:
                new_caps.append(old)
            else:
                new_caps.append({"risks": risks, "rate": {"value": value, "unit": "mg/kg/min"}, **site})
        p["at_risk_caps"] = new_caps
        self.data["revision"] = self.revision.text().strip()

    # -- validation and saving ------------------------------------------------------------------
    def _candidate(self) -> dict[str, Any]:
        """The data with the on-screen edits applied, on a copy: a refused edit changes nothing."""
        kept = self.data
        self.data = copy.deepcopy(kept)
        try:
            self.apply_edits()
            return self.data
        finally:
            self.data = kept

    def validate(self) -> bool:
        try:
            candidate = self._candidate()
            site_formulary.validate(candidate, str(self.path or "site formulary"))
        except (EditError, DataError) as exc:
            self.message.setText(f"⚠ Not valid: {exc}")
            return False
        self.message.setText("Valid: every product passes the formulary checks.")
        return True

    def save(self, path: Path | None = None) -> bool:
        """Validate everything first; an invalid formulary writes nothing. The bundled formulary
        is read-only: it is copied to a site file first (copy_to), then edited."""
        if self.read_only:
            self.message.setText("⚠ The bundled formulary is read-only: copy it to a site file to edit it.")
            return False
        target = path or self.path
        if target is None:
            from PySide6.QtWidgets import QFileDialog

            name, _ = QFileDialog.getSaveFileName(
                self, "Save site formulary", "site-formulary.toml", "TOML (*.toml)"
            )
            if not name:
                return False
            target = Path(name)
        try:
            candidate = self._candidate()
            if not self.revision.text().strip() or candidate.get(
                "revision"
            ) == site_formulary.bundled_data().get("revision"):
                candidate["revision"] = f"site {date.today().isoformat()}"
            site_formulary.save(copy.deepcopy(candidate), target)
        except (EditError, DataError, InputError) as exc:
            self.message.setText(f"⚠ Not saved: {exc}")
            return False
        self.data = candidate
        self.revision.setText(str(candidate["revision"]))
        self.path = target
        self._show_path()
        self.message.setText(
            f"Saved to {target}. Choose it under Preferences → Site formulary file to use it."
        )
        return True
