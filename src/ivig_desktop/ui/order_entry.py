"""The order form: patient, order, risk factors and overrides in one scrolling column.

It reads the fields into the engine's Patient and Order (through the engine's parser), marks
the fields an error names, fills itself from a saved plan, and hands its whole state out and
back as plain data (for the document's saved/unsaved test and for undo).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.overrides import check_overrides
from ivig_desktop.ui import lazy
from ivig_desktop.ui.forms import Marked, OrderForm, OverridesForm, PatientForm, RiskForm, require_choice
from ivig_desktop.ui.lazy import display as d
from ivig_desktop.ui.lazy import quantities as fields
from ivig_desktop.ui.order_details_form import OrderDetailsForm

if TYPE_CHECKING:
    from ivig_desktop.engine.patient import Patient
    from ivig_desktop.engine.plan import Catalogue, Order
    from ivig_desktop.ui.preferences import Preferences

#: Form state: every input widget's text, choice or tick, by a stable key (plain data).
FormState = dict[str, Any]


def plain(value: float) -> str:
    """A number to put back into a field: no thousands separator, which the parser refuses."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


class OrderEntry(QScrollArea):
    changed = Signal()

    def __init__(
        self,
        prefs: Preferences,
        catalogue: Callable[[], Catalogue],
        regimens: dict[str, str],
        products: dict[str, str],
        policies: dict[str, str],
        *,
        defer_lower: bool = False,
    ) -> None:
        """``defer_lower``: build the order details and risk factors (below the first screenful)
        only when first used or when :meth:`complete` is called, after the window's first paint."""
        super().__init__()
        self.prefs = prefs
        self._catalogue = catalogue
        self.patient_form = PatientForm()
        # Built at once although it sits at the bottom: the widest form sets the column's width,
        # which must not change once the window is on screen.
        self.overrides_form = OverridesForm()
        self.order_form = OrderForm(regimens, products, policies)
        self._lower: tuple[OrderDetailsForm, RiskForm] | None = None
        #: Told the state of the order details and risk factors when they are built (their
        #: defaults: nothing typed there yet), so the document and undo can count them as saved.
        self.lower_built: Callable[[FormState], None] | None = None
        inputs = QWidget()
        self._column = il = QVBoxLayout(inputs)
        for form in (self.patient_form, self.order_form, self.overrides_form):
            il.addWidget(form)
            form.changed.connect(self.changed)
        il.addStretch(1)
        shrink = QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        for combo in (self.order_form.indication, self.order_form.product, self.order_form.policy):
            # Long names (weight policies) must not widen the form past a small screen; the open
            # list still shows them in full.
            combo.setSizeAdjustPolicy(shrink)
            combo.setMinimumContentsLength(22)
        self.setWidget(inputs)
        self.setWidgetResizable(True)
        self.setAccessibleName("Patient and order")
        self.apply_unit_preferences()
        # What the last regimen choice put into dose and days: values still equal to these are
        # the regimen's, not typed, and may be replaced by the next regimen's without asking.
        self.prefilled: tuple[str, str] = ("", "")
        self.filling = False  # the form is being written by the program: no prefill, no question
        self.regimen_question = None
        self.order_form.indication.currentIndexChanged.connect(self._prefill_regimen)
        if not defer_lower:
            self.complete()

    # -- the forms below the first screenful ------------------------------------------------------
    @property
    def details_form(self) -> OrderDetailsForm:
        return self.complete()[0]

    @property
    def risk_form(self) -> RiskForm:
        return self.complete()[1]

    def complete(self) -> tuple[OrderDetailsForm, RiskForm]:
        """Build the order details and risk factors if not yet built, between the order and the
        overrides, in the tab order after Max rate."""
        if self._lower is not None:
            return self._lower
        details, risk = OrderDetailsForm(), RiskForm()
        self._lower = (details, risk)
        for i, form in enumerate((details, risk)):
            self._column.insertWidget(2 + i, form)
            form.changed.connect(self.changed)
        ov = self.overrides_form
        keys = [*details.edits.values(), *risk.boxes.values()]
        keys += [w for kind in ov.boxes for w in (ov.boxes[kind], ov.reasons[kind])]
        previous: QWidget = self.order_form.max_rate
        for widget in keys:
            QWidget.setTabOrder(previous, widget)
            previous = widget
        if self.lower_built is not None:
            self.lower_built(self._state_of(("details", details), ("risk", risk)))
        return self._lower

    # -- preferences and formulary ---------------------------------------------------------------
    def apply_unit_preferences(self) -> None:
        """Default units for empty fields only: a typed 70 must never turn from kg into lb."""
        pf = self.patient_form
        for field, key in (
            (pf.weight, "weight_unit"),
            (pf.pre_pregnancy, "weight_unit"),
            (pf.height, "height_unit"),
            (pf.scr, "scr_unit"),
        ):
            if not field.edit.text().strip():
                field.set_unit(self.prefs.get(key))

    def refresh_products(self, catalogue: Catalogue) -> None:
        """The product list of the formulary now in use, keeping the current choice if it is there."""
        combo = self.order_form.product
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("— choose —", None)
        for p in catalogue.formulary.products.values():
            combo.addItem(p.name, p.id)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    # -- regimen prefill -------------------------------------------------------------------------
    def regimen_texts(self, rid: str | None) -> tuple[str, str]:
        """Dose and days as the regimen ``rid`` fills them in (empty for none)."""
        if rid is None:
            return "", ""
        try:
            reg = self._catalogue().regimens.get(rid)
        except InputError:  # an unknown regimen is reported by the recompute
            return "", ""
        dose = f"{d.number(reg.course_dose.m_as('g/kg'), 3)} g/kg" if reg.course_dose else ""
        return dose, str(reg.days) if reg.days is not None else ""

    def _prefill_regimen(self) -> None:
        """Fill dose and days from the chosen regimen, but never over what the user typed.

        They are filled only when empty or still holding the previous regimen's values;
        otherwise the user is asked, and until they say so the typed values stay.
        """
        if self.filling:
            return
        of = self.order_form
        rid = of.indication.currentData()
        previous = self.prefilled
        new = self.regimen_texts(rid)
        self.prefilled = new
        if rid is None:
            return
        typed = (of.dose.text().strip(), of.days.text().strip())
        if all(t in ("", p) for t, p in zip(typed, previous, strict=True)):
            self._put_regimen(new)
            return
        if typed == new:
            return
        self._ask_regimen(of.indication.currentText(), typed, new)

    def _put_regimen(self, texts: tuple[str, str]) -> None:
        of = self.order_form
        of.dose.setText(texts[0])
        of.days.setText(texts[1])

    def _ask_regimen(self, name: str, typed: tuple[str, str], new: tuple[str, str]) -> None:
        from PySide6.QtWidgets import QMessageBox

        def says(pair: tuple[str, str]) -> str:
            dose = pair[0] or "no dose"
            days = f"{pair[1]} day(s)" if pair[1] else "no days"
            return f"{dose} over {days}"

        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Replace the typed dose?",
            f"The order has a typed dose: {says(typed)}.\n\n"
            f"{name} is usually {says(new)}.\n\n"
            "Replace the typed dose and days with the regimen's, or keep what was typed?",
            parent=self.window(),
        )
        use = box.addButton("&Use the regimen's", QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton("&Keep what was typed", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.finished.connect(lambda _=0: self._put_regimen(new) if box.clickedButton() is use else None)
        box.open()
        self.regimen_question = box

    # -- reading ---------------------------------------------------------------------------------
    def fields(self) -> dict[str, Marked]:
        """Every marked field by the name engine errors use for it (InputError.field)."""
        pf, of = self.patient_form, self.order_form
        return {
            "weight": pf.weight,
            "height": pf.height,
            "sex": pf.sex_field,
            "age": pf.age,
            "serum creatinine": pf.scr,
            "pre-pregnancy weight": pf.pre_pregnancy,
            "indication": of.indication_field,
            "dose": of.dose_field,
            "days": of.days_field,
            "product": of.product_field,
            "weight policy": of.policy_field,
            "start": of.start_field,
            "max-rate": of.max_rate_field,
            **{f"override:{k}": m for k, m in self.overrides_form.fields.items()},
            **self.details_form.fields,
        }

    def field_for(self, engine_field: str) -> str:
        """Which marked field an engine error belongs under (InputError.field); "_" when none
        does (the message then goes to the plan status)."""
        known = self.fields()
        if engine_field in known:
            return engine_field
        if engine_field == "pregnant":
            return "sex"  # decided together with sex; the tick has no error line of its own
        if engine_field == "start low":
            return "start"
        if engine_field == "override":
            ticked = [f"override:{k}" for k, cb in self.overrides_form.boxes.items() if cb.isChecked()]
            return ticked[0] if ticked else "_"
        return "_"

    def read(self, errors: dict[str, str]) -> tuple[Patient, Order] | None:
        """The patient and order the form shows, or None with each problem in ``errors``."""
        pf, of = self.patient_form, self.order_form
        known = self.fields()

        def take(name: str, fn):
            try:
                return fn()
            except InputError as exc:
                errors.setdefault(exc.field if exc.field in known else name, exc.message)
                return None

        def text_or_none(edit: QLineEdit, parse):
            return parse(edit.text()) if edit.text().strip() else None

        weight = take("weight", pf.weight.value)
        height = take("height", pf.height.value)
        sex = take("sex", lambda: lazy.patient.Sex(require_choice(pf.sex, "sex")))
        age = take("age", pf.age.value)
        scr = take("serum creatinine", lambda: pf.scr.value(required=False))
        pregnant = pf.pregnant.isChecked()
        ppw = (
            take("pre-pregnancy weight", lambda: pf.pre_pregnancy.value(required=False)) if pregnant else None
        )
        product = take("product", lambda: require_choice(of.product, "product"))
        dose_entry = take("dose", lambda: text_or_none(of.dose, fields.parse_dose))
        days = take("days", lambda: text_or_none(of.days, fields.parse_days))
        start = take("start", lambda: text_or_none(of.start, fields.parse_clock))
        max_rate = take(
            "max-rate", lambda: text_or_none(of.max_rate, lambda t: fields.parse_quantity(t, fields.MAX_RATE))
        )
        overrides = self.overrides_form.selected()
        details = take("date", self.details_form.details)
        for o in overrides:
            try:
                check_overrides((o,))
            except InputError as exc:
                errors[f"override:{o.kind}"] = exc.message
        if errors:
            return None
        try:
            patient = lazy.patient.Patient(weight, height, sex, age, scr, pregnant, ppw)  # type: ignore[arg-type]
        except InputError as exc:
            # "pregnant" has no error line of its own: its message goes under Sex, where it is decided.
            where = "sex" if exc.field == "pregnant" else exc.field if exc.field in known else "weight"
            errors[where] = f"pregnant {exc.message}" if exc.field == "pregnant" else exc.message
            return None
        order = lazy.plan.Order(
            product=product,  # type: ignore[arg-type]
            indication=of.indication.currentData(),
            dose=dose_entry[0] if dose_entry else None,
            dose_per_day=bool(dose_entry and dose_entry[1]),
            days=days,
            weight_policy=of.policy.currentData(),
            start=start,
            start_low=of.start_low(),
            subsequent_infusion=of.tolerated.isChecked(),
            risks=self.risk_form.selected(),
            max_rate=max_rate,
            overrides=overrides,
            details=details,
        )
        return patient, order

    # -- writing ---------------------------------------------------------------------------------
    def fill(self, patient: Patient | None, order: Order | None) -> None:
        """Fill the form from a patient and an order (or clear it), with no prefill or question."""
        self.filling = True
        try:
            self._fill(patient, order)
        finally:
            self.filling = False
        self.prefilled = self.regimen_texts(order.indication if order else None)

    def _fill(self, patient: Patient | None, order: Order | None) -> None:
        pf, of = self.patient_form, self.order_form

        def put(field, q) -> None:
            if q is None:
                field.edit.setText("")
                return
            # The text carries its unit ("80 kg"): a reopened plan shows what was typed, and the
            # unit box follows the text.
            field.edit.setText(f"{plain(float(q.m))} {lazy.plan_file.abbreviation(str(q.units))}")

        put(pf.weight, patient.actual_weight if patient else None)
        put(pf.height, patient.height if patient else None)
        pf.sex.setCurrentIndex(pf.sex.findData(patient.sex.value) if patient else 0)
        put(pf.age, patient.age if patient else None)
        put(pf.scr, patient.serum_creatinine if patient else None)
        pf.pregnant.setChecked(bool(patient and patient.pregnant))
        put(pf.pre_pregnancy, patient.pre_pregnancy_weight if patient else None)
        of.indication.setCurrentIndex(max(0, of.indication.findData(order.indication)) if order else 0)
        of.dose.setText(
            fields.dose_text(order.dose, order.dose_per_day) if order and order.dose is not None else ""
        )
        of.days.setText(str(order.days) if order and order.days is not None else "")
        of.product.setCurrentIndex(max(0, of.product.findData(order.product)) if order else 0)
        of.policy.setCurrentIndex(max(0, of.policy.findData(order.weight_policy if order else "auto")))
        of.start.setText(order.start.strftime("%H:%M") if order and order.start else "")
        of.first.setChecked(bool(order and "first-infusion" in order.start_low))
        of.over8.setChecked(bool(order and "over-8-weeks" in order.start_low))
        of.switch.setChecked(bool(order and "product-switch" in order.start_low))
        of.tolerated.setChecked(bool(order and order.subsequent_infusion))
        for rid, cb in self.risk_form.boxes.items():
            cb.setChecked(bool(order and rid in order.risks))
        of.max_rate.setText(fields.entered_text(order.max_rate) if order and order.max_rate else "")
        self.overrides_form.set_overrides(order.overrides if order else ())
        if order is None:
            self.details_form.reset()  # a new plan: dated today
        else:
            self.details_form.set_details(order.details)

    def apply_order(self, order: Order) -> None:
        """Put an engine order (an alternative) into the order fields it changes."""
        of = self.order_form
        self.filling = True
        try:
            if order.product != (of.product.currentData() or ""):
                of.product.setCurrentIndex(of.product.findData(order.product))
            if order.dose is not None:
                of.dose.setText(f"{plain(order.dose.m_as('g/kg'))} g/kg")
            if order.days is not None:
                of.days.setText(str(order.days))
            if order.max_rate is not None:
                of.max_rate.setText(f"{plain(order.max_rate.m_as('mg/kg/min'))} mg/kg/min")
        finally:
            self.filling = False

    # -- state as plain data (saved/unsaved, undo) -----------------------------------------------
    def _widgets(self) -> dict[str, QWidget]:
        """Every input widget of the forms built so far (see :meth:`complete`)."""
        forms: list[tuple[str, QWidget]] = [("patient", self.patient_form), ("order", self.order_form)]
        if self._lower is not None:
            forms.append(("risk", self._lower[1]))
        forms.append(("override", self.overrides_form))
        if self._lower is not None:
            forms.append(("details", self._lower[0]))
        return self._widgets_of(*forms)

    @staticmethod
    def _widgets_of(*forms: tuple[str, QWidget]) -> dict[str, QWidget]:
        out: dict[str, QWidget] = {}
        for prefix, form in forms:
            for name, value in vars(form).items():
                if isinstance(value, QLineEdit | QComboBox | QCheckBox):
                    out[f"{prefix}.{name}"] = value
                elif hasattr(value, "edit") and hasattr(value, "unit") and not isinstance(value, dict):
                    out[f"{prefix}.{name}"] = value.edit
                    if value.unit is not None:
                        out[f"{prefix}.{name}.unit"] = value.unit
                elif isinstance(value, dict):
                    for key, widget in value.items():
                        if isinstance(widget, QLineEdit | QCheckBox):
                            out[f"{prefix}.{name}.{key}"] = widget
        return out

    def state(self) -> FormState:
        return self._state_from(self._widgets())

    def _state_of(self, *forms: tuple[str, QWidget]) -> FormState:
        return self._state_from(self._widgets_of(*forms))

    @staticmethod
    def _state_from(widgets: dict[str, QWidget]) -> FormState:
        state: FormState = {}
        for key, w in widgets.items():
            if isinstance(w, QLineEdit):
                state[key] = w.text()
            elif isinstance(w, QComboBox):
                state[key] = w.currentData() if w.currentData() is not None else w.currentText()
            elif isinstance(w, QCheckBox):
                state[key] = w.isChecked()
        return state

    def set_state(self, state: FormState) -> None:
        """Put a state back (undo/redo), without prefill or questions."""
        self.filling = True
        try:
            for key, w in self._widgets().items():
                if key not in state:
                    continue
                value = state[key]
                if isinstance(w, QLineEdit) and w.text() != value:
                    w.setText(value)
                elif isinstance(w, QComboBox):
                    i = w.findData(value)
                    if i < 0:
                        i = w.findText(str(value))
                    if i >= 0 and i != w.currentIndex():
                        w.setCurrentIndex(i)
                elif isinstance(w, QCheckBox) and w.isChecked() != value:
                    w.setChecked(value)
        finally:
            self.filling = False
        self.prefilled = self.regimen_texts(self.order_form.indication.currentData())
