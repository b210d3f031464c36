"""Input forms: patient, risk factors and order. Text goes through the engine's parser.

No spin box is used for a clinical value: a QDoubleSpinBox silently drops the keystroke that
would exceed its range (600 → 60), a 10-fold error path (engineering-anchors §5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.risk_factors import RISK_FACTORS
from ivig_desktop.ui import lazy

if TYPE_CHECKING:
    from ivig_desktop.engine.units import Quantity

ERROR_STYLE = "QLineEdit, QComboBox { border: 2px solid #b00020; }"
ERROR_LABEL_STYLE = "color: #b00020;"


def add_row(form: QFormLayout, text: str, field: Marked) -> None:
    """A labelled row whose mnemonic focuses the editor itself: a label's shortcut ignores the
    focus proxy of a container that cannot take focus."""
    form.addRow(text, field)
    label = form.labelForField(field)
    if isinstance(label, QLabel):
        label.setBuddy(field.editor)


class FieldError(QLabel):
    """The engine's message under a field, with a warning sign so colour is not the only cue."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.hide()

    def show_error(self, message: str | None) -> None:
        if message:
            # Styled on first use: a style sheet on every field at start-up costs start-up time.
            if not self.styleSheet():
                self.setStyleSheet(ERROR_LABEL_STYLE)
            self.setText(f"⚠ {message}")
            self.show()
        else:
            self.clear()
            self.hide()


class Marked(QWidget):
    """An input widget (with optional unit box) and its in-place error line."""

    changed = Signal()

    def __init__(self, editor: QWidget, unit: QComboBox | None = None) -> None:
        super().__init__()
        self.editor = editor
        self.unit = unit
        self._error: FieldError | None = None
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(editor, 1)
        if unit is not None:
            row.addWidget(unit)
        self._column = QVBoxLayout(self)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._column.addLayout(row)
        self.setFocusProxy(editor)
        # A field nobody has filled in yet is not an error to shout about: "is empty" shows
        # only once it was edited, or when the user asks for something that needs a plan.
        self.touched = False
        if isinstance(editor, QLineEdit):
            editor.textChanged.connect(self._touch)
        elif isinstance(editor, QComboBox):
            editor.currentIndexChanged.connect(self._touch)

    def _touch(self) -> None:
        self.touched = True

    @property
    def error(self) -> FieldError:
        """The error line under the field, made when first needed: two dozen hidden labels
        need not be built before the window first paints."""
        if self._error is None:
            self._error = FieldError(self)
            self._column.addWidget(self._error)
        return self._error

    def mark(self, message: str | None) -> None:
        if message or self._error is not None:
            self.error.show_error(message)
        if message or self.editor.styleSheet():
            self.editor.setStyleSheet(ERROR_STYLE if message else "")
        self.editor.setAccessibleDescription(message or "")


class QuantityField(Marked):
    """Free-text quantity: a unit typed in the text wins; else the unit box's unit applies.

    ``spec`` names the engine's FieldSpec (quantities.WEIGHT, ...), looked up when a value is
    read, so building the form needs no unit system.
    """

    def __init__(
        self,
        spec: str,
        units: list[tuple[str, str]],
        accessible: str,
        placeholder: str = "",
    ) -> None:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.setAccessibleName(accessible)
        box = None
        if units:
            box = QComboBox()
            for label, canonical in units:
                box.addItem(label, canonical)
            box.setAccessibleName(f"{accessible} unit")
        super().__init__(edit, box)
        self.spec = spec
        self.edit = edit
        edit.textChanged.connect(self.changed)
        if box is not None:
            box.setToolTip("Unit for a number typed without one; a unit typed in the text wins.")
            box.currentIndexChanged.connect(self.changed)
            edit.textChanged.connect(self._follow_typed_unit)

    def typed_unit(self) -> str | None:
        """The unit written in the text (its registry name), or None for a bare number or text
        the parser refuses (the error says why)."""
        text = self.edit.text()
        if not any(ch.isalpha() or ch == "µ" for ch in text):
            return None
        try:
            q = lazy.quantities.parse_quantity(text, getattr(lazy.quantities, self.spec), default_unit=None)
        except InputError:
            return None
        return str(q.units)

    def _follow_typed_unit(self) -> None:
        """One truth per quantity: while the text carries a unit the box shows that unit (or
        nothing, for a unit it does not list) and is disabled; for a bare number it is the
        default unit, shown and editable."""
        box = self.unit
        assert box is not None
        carries = any(ch.isalpha() or ch == "µ" for ch in self.edit.text())
        if carries:
            if box.isEnabled():  # the default the user chose, given back when the unit is erased
                self._default_index = box.currentIndex()
            unit = self.typed_unit()
            i = box.findData(unit) if unit is not None else -1
            if i >= 0:
                box.blockSignals(True)
                box.setCurrentIndex(i)
                box.blockSignals(False)
        elif not box.isEnabled() and self._default_index >= 0:
            box.blockSignals(True)
            box.setCurrentIndex(self._default_index)
            box.blockSignals(False)
        box.setEnabled(not carries)

    _default_index = -1

    def value(self, required: bool = True) -> Quantity | None:
        text = self.edit.text()
        if not text.strip() and not required:
            return None
        unit = self.unit.currentData() if self.unit is not None else None
        spec = getattr(lazy.quantities, self.spec)
        return lazy.quantities.parse_quantity(text, spec, default_unit=unit)

    def set_unit(self, label: str) -> None:
        if self.unit is not None:
            i = self.unit.findText(label)
            if i >= 0:
                self.unit.setCurrentIndex(i)


class PatientForm(QGroupBox):
    changed = Signal()

    def __init__(self) -> None:
        super().__init__("Patient")
        form = QFormLayout(self)
        self.weight = QuantityField(
            "WEIGHT", [("kg", "kilogram"), ("lb", "pound")], "Actual weight", "e.g. 70"
        )
        self.height = QuantityField(
            "HEIGHT", [("cm", "centimeter"), ("in", "inch")], "Height", "e.g. 175 or 5 ft 9 in"
        )
        self.sex = QComboBox()
        self.sex.addItem("— choose —", None)
        self.sex.addItem("Male", "male")
        self.sex.addItem("Female", "female")
        self.sex.setAccessibleName("Sex")
        self.sex_field = Marked(self.sex)
        self.age = QuantityField(
            "AGE",
            [("years", "year"), ("months", "month"), ("weeks", "week"), ("days", "day")],
            "Age",
            "e.g. 54, 8 months or 10 days",
        )
        self.scr = QuantityField(
            "SERUM_CREATININE",
            [("mg/dL", "milligram / deciliter"), ("µmol/L", "micromole / liter")],
            "Serum creatinine (optional)",
            "optional",
        )
        self.pregnant = QCheckBox("Preg&nant")
        self.pregnant.setAccessibleName("Pregnant")
        self.pre_pregnancy = QuantityField(
            "PRE_PREGNANCY_WEIGHT",
            [("kg", "kilogram"), ("lb", "pound")],
            "Pre-pregnancy weight",
            "when pregnant",
        )
        self.pre_pregnancy.setEnabled(False)
        add_row(form, "&Weight:", self.weight)
        add_row(form, "Hei&ght:", self.height)
        add_row(form, "Se&x:", self.sex_field)
        add_row(form, "&Age:", self.age)
        add_row(form, "Serum &creatinine:", self.scr)
        form.addRow("", self.pregnant)
        add_row(form, "P&re-pregnancy weight:", self.pre_pregnancy)
        for f in (self.weight, self.height, self.age, self.scr, self.pre_pregnancy):
            f.changed.connect(self.changed)
        self.sex.currentIndexChanged.connect(self.changed)
        self.pregnant.toggled.connect(self.pre_pregnancy.setEnabled)
        self.pregnant.toggled.connect(self.changed)


class RiskForm(QGroupBox):
    changed = Signal()

    GROUPS = (
        ("renal", "Renal"),
        ("thrombotic", "Thrombotic"),
        ("cardiac", "Cardiac"),
        ("product", "Product-related"),
    )

    def __init__(self) -> None:
        super().__init__("Risk factors")
        grid = QGridLayout(self)
        self.boxes: dict[str, QCheckBox] = {}
        for col, (group, title) in enumerate(self.GROUPS):
            box = QGroupBox(title)
            lay = QVBoxLayout(box)
            for rf in RISK_FACTORS:
                if rf.group != group:
                    continue
                cb = QCheckBox(rf.label)
                cb.setAccessibleName(f"{title} risk: {rf.label}")
                cb.toggled.connect(self.changed)
                lay.addWidget(cb)
                self.boxes[rf.id] = cb
            lay.addStretch(1)
            # One column: the form stays narrow enough for a 1024-pixel screen beside the plan.
            grid.addWidget(box, col, 0)

    def selected(self) -> frozenset[str]:
        return frozenset(k for k, cb in self.boxes.items() if cb.isChecked())


class OrderForm(QGroupBox):
    changed = Signal()

    def __init__(self, regimens: dict[str, str], products: dict[str, str], policies: dict[str, str]) -> None:
        super().__init__("Order")
        form = QFormLayout(self)
        self.indication = QComboBox()
        self.indication.addItem("— none —", None)
        for rid, name in regimens.items():
            self.indication.addItem(name, rid)
        self.indication.setAccessibleName("Indication")
        self.indication_field = Marked(self.indication)
        self.dose = QLineEdit()
        self.dose.setPlaceholderText("course 2 g/kg or 35 g; daily 1 g/kg/day")
        self.dose.setAccessibleName("Dose: a course (2 g/kg) or daily (1 g/kg/day)")
        self.dose_field = Marked(self.dose)
        self.days = QLineEdit()
        self.days.setPlaceholderText("whole days")
        self.days.setAccessibleName("Number of infusion days")
        self.days_field = Marked(self.days)
        self.product = QComboBox()
        self.product.addItem("— choose —", None)
        for pid, name in products.items():
            self.product.addItem(name, pid)
        self.product.setAccessibleName("Product")
        self.product_field = Marked(self.product)
        self.policy = QComboBox()
        for pid, name in policies.items():
            self.policy.addItem(name, pid)
        self.policy.setAccessibleName("Dosing weight policy")
        self.policy_field = Marked(self.policy)
        self.first = QCheckBox("Fir&st infusion")
        self.over8 = QCheckBox("> &8 weeks since last")
        self.switch = QCheckBox("Prod&uct switch")
        for cb in (self.first, self.over8, self.switch):
            cb.setAccessibleName(f"Start low: {cb.text().replace('&', '')}")
        self.tolerated = QCheckBox("Tolerated before")
        self.tolerated.setToolTip(
            "Subsequent infusion: the patient has tolerated this product before, so a label's faster "
            "subsequent-infusion start may apply (never with a start-low reason)"
        )
        self.tolerated.setAccessibleName(
            "Subsequent infusion: the patient has tolerated this product; a label's faster start may apply"
        )
        start_low = QWidget()
        sl = QVBoxLayout(start_low)  # stacked: narrow enough for a small screen
        sl.setContentsMargins(0, 0, 0, 0)
        for cb in (self.first, self.over8, self.switch):
            sl.addWidget(cb)
        self.start = QLineEdit()
        self.start.setPlaceholderText("HH:MM or HHMM (optional)")
        self.start.setAccessibleName("Start time, 24-hour HH:MM")
        self.start_field = Marked(self.start)
        self.max_rate = QLineEdit()
        self.max_rate.setPlaceholderText("mg/kg/min or mL/kg/min (optional)")
        self.max_rate.setAccessibleName("Lower maximum rate in mg/kg/min or mL/kg/min")
        self.max_rate_field = Marked(self.max_rate)
        add_row(form, "&Indication:", self.indication_field)
        add_row(form, "&Dose:", self.dose_field)
        add_row(form, "Da&ys:", self.days_field)
        add_row(form, "&Product:", self.product_field)
        add_row(form, "Weight p&olicy:", self.policy_field)
        form.addRow("Start low:", start_low)
        form.addRow("", self.tolerated)
        add_row(form, "S&tart time:", self.start_field)
        add_row(form, "&Max rate:", self.max_rate_field)
        for w in (self.dose, self.days, self.start, self.max_rate):
            w.textChanged.connect(self.changed)
        for c in (self.indication, self.product, self.policy):
            c.currentIndexChanged.connect(self.changed)
        for cb in (self.first, self.over8, self.switch, self.tolerated):
            cb.toggled.connect(self.changed)

    def start_low(self) -> frozenset[str]:
        pairs = (
            ("first-infusion", self.first),
            ("over-8-weeks", self.over8),
            ("product-switch", self.switch),
        )
        return frozenset(k for k, cb in pairs if cb.isChecked())


def require_choice(combo: QComboBox, field: str) -> str:
    value = combo.currentData()
    if value is None:
        raise InputError(field, "is not chosen")
    return str(value)


class OverridesForm(QGroupBox):
    """Policy and site-limit overrides: a tick and a typed reason each, or no override at all."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__("Overrides (each needs a typed reason)")
        from ivig_desktop.engine.overrides import KINDS

        form = QFormLayout(self)
        self.boxes: dict[str, QCheckBox] = {}
        self.reasons: dict[str, QLineEdit] = {}
        self.fields: dict[str, Marked] = {}
        for kind, text in KINDS.items():
            cb = QCheckBox(text[0].upper() + text[1:])
            cb.setAccessibleName(f"Override: {text}")
            reason = QLineEdit()
            reason.setPlaceholderText("reason (required when ticked)")
            reason.setAccessibleName(f"Reason for override: {text}")
            reason.setEnabled(False)
            marked = Marked(reason)
            cb.toggled.connect(reason.setEnabled)
            cb.toggled.connect(self.changed)
            reason.textChanged.connect(self.changed)
            form.addRow(cb)
            form.addRow("    Reason:", marked)
            self.boxes[kind], self.reasons[kind], self.fields[kind] = cb, reason, marked

    def selected(self) -> tuple:  # tuple[Override, ...]
        from ivig_desktop.engine.overrides import Override

        return tuple(Override(k, self.reasons[k].text()) for k, cb in self.boxes.items() if cb.isChecked())

    def set_overrides(self, overrides: tuple) -> None:
        chosen = {o.kind: o.reason for o in overrides}
        for kind, cb in self.boxes.items():
            cb.setChecked(kind in chosen)
            self.reasons[kind].setText(chosen.get(kind, ""))
