"""The main window: type a patient and an order, see the plan at once, by keyboard.

Every edit restarts a short timer; when it fires the whole plan is recomputed by the engine.
While any field is invalid, the fields are marked in place and no plan is shown: the last
valid plan is never left on screen as if it were current.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QPaintEvent, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ivig_desktop.engine.errors import DataError, InputError
from ivig_desktop.engine.overrides import check_overrides
from ivig_desktop.engine.risk_factors import Severity
from ivig_desktop.ui import lazy, names
from ivig_desktop.ui.forms import Marked, OrderForm, OverridesForm, PatientForm, RiskForm, require_choice
from ivig_desktop.ui.lazy import display as d
from ivig_desktop.ui.lazy import quantities as fields
from ivig_desktop.ui.preferences import Preferences
from ivig_desktop.ui.wheel_guard import guard_tree

if TYPE_CHECKING:
    from ivig_desktop.engine.patient import Patient
    from ivig_desktop.engine.plan import Alternative, Catalogue, Order, Plan
    from ivig_desktop.engine.settings import SiteSettings
    from ivig_desktop.store.history import History
    from ivig_desktop.ui.models import ScheduleModel

VERIFY_TEXT = "⚠ Verify: every plan must be independently checked by a second clinician before it is used."
_SEVERITY_MARK = {Severity.CRITICAL: "✖ CRITICAL", Severity.CAUTION: "⚠ CAUTION", Severity.INFO: "• info"}
_SEVERITY_COLOUR = {Severity.CRITICAL: "#b00020", Severity.CAUTION: "#8a5a00", Severity.INFO: "#1f4e79"}
RECOMPUTE_DELAY_MS = 120
_NOT_YET_FILLED = ("is empty", "is not chosen")
FIRST_RECOMPUTE_FALLBACK_MS = 250
_DOSE_UNITS = {"gram / kilogram": "g/kg", "milligram / kilogram": "mg/kg", "gram": "g"}


def _plain(value: float) -> str:
    """A number to put back into a field: no thousands separator, which the parser refuses."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def _paint_banner(label: QLabel, background: str, text: str, *, bold: bool) -> None:
    """Colours by palette, not style sheet: no style-sheet engine is needed before the first paint."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(background))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(text))
    label.setPalette(palette)
    label.setAutoFillBackground(True)
    label.setMargin(6)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)


def settings_from_preferences(base: SiteSettings, prefs: Preferences) -> SiteSettings:
    """The site settings with the user's preferences applied (the one place they meet)."""
    q_, limit = lazy.units.Q_, lazy.settings.VolumeLimit
    return replace(
        base,
        rounding_tolerance=prefs.get("rounding_tolerance_percent") / 100,
        pump_resolution=q_(prefs.get("pump_resolution_ml_h"), "mL/h"),
        standard_volume=limit(
            q_(prefs.get("standard_volume_ml"), "mL"),
            q_(prefs.get("standard_volume_ml_per_kg"), "mL/kg"),
            base.standard_volume.reason,
        ),
        strict_volume=limit(
            q_(prefs.get("strict_volume_ml"), "mL"),
            q_(prefs.get("strict_volume_ml_per_kg"), "mL/kg"),
            base.strict_volume.reason,
        ),
    )


class MainWindow(QMainWindow):
    plan_changed = Signal()

    def __init__(self, prefs: Preferences | None = None, history: History | None = None) -> None:
        super().__init__()
        self.prefs = prefs or Preferences()
        self._history = history
        self.current_path: Path | None = None
        self.saved_changes: list[str] = []
        self.show_all_errors = False
        self.setWindowTitle("IVIG infusion planner")
        self.plan: Plan | None = None
        self.catalogue_error: str | None = None
        # The engine (pint and the data files) loads on the first recompute, just after the
        # window is shown; the choice lists come straight from the data files.
        self._catalogue: Catalogue | None = None

        self.patient_form = PatientForm()
        self.risk_form = RiskForm()
        self.overrides_form = OverridesForm()
        self.order_form = OrderForm(
            names.regimens(), names.products(self.prefs.get("site_formulary")), names.policies()
        )
        self._apply_unit_preferences()

        inputs = QWidget()
        il = QVBoxLayout(inputs)
        il.addWidget(self.patient_form)
        il.addWidget(self.order_form)
        il.addWidget(self.risk_form)
        il.addWidget(self.overrides_form)
        il.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(inputs)
        scroll.setWidgetResizable(True)
        scroll.setAccessibleName("Patient and order")

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Plan status")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Plan summary")
        self.warnings = QListWidget()
        self.warnings.setWordWrap(True)
        self.warnings.setAccessibleName("Warnings, most severe first")
        self.alternatives_box = QWidget()
        self.alternatives_layout = QVBoxLayout(self.alternatives_box)
        self.alternatives_layout.setContentsMargins(0, 0, 0, 0)
        self.alternative_buttons: list[QPushButton] = []
        self.days_tabs = QTabWidget()
        self.days_tabs.setAccessibleName("Schedule per day")
        self.day_models: list[ScheduleModel] = []
        self.day_views: list[QTableView] = []

        results = QWidget()
        rl = QVBoxLayout(results)
        rl.addWidget(self.status)
        self.plan_view = QWidget()
        pl = QVBoxLayout(self.plan_view)
        pl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.plan_view, 1)
        rl = pl
        rl.addWidget(self.summary)
        warn_label = QLabel("Warnings, most se&vere first:")
        warn_label.setBuddy(self.warnings)
        rl.addWidget(warn_label)
        rl.addWidget(self.warnings, 2)
        alt_label = QLabel("Safer alternatives:")
        rl.addWidget(alt_label)
        rl.addWidget(self.alternatives_box)
        sched_label = QLabel("Schedu&le:")
        sched_label.setBuddy(self.days_tabs)
        rl.addWidget(sched_label)
        rl.addWidget(self.days_tabs, 3)

        splitter = QSplitter()
        splitter.addWidget(scroll)
        splitter.addWidget(results)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)

        banner = QLabel(VERIFY_TEXT)
        banner.setWordWrap(True)
        _paint_banner(banner, "#fff4ce", "#5c3c00", bold=True)
        banner.setAccessibleName("Verification reminder")
        self.problem_banner = QLabel()
        self.problem_banner.setWordWrap(True)
        _paint_banner(self.problem_banner, "#fde7e9", "#b00020", bold=False)
        self.problem_banner.hide()
        central = QWidget()
        cl = QVBoxLayout(central)
        cl.addWidget(banner)
        cl.addWidget(self.problem_banner)
        cl.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self._shortcuts: list[tuple[QAction, str]] = []
        self._build_menus()
        guard_tree(self)  # every choice list and number box: the wheel changes it only when focused

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(RECOMPUTE_DELAY_MS)
        self.timer.timeout.connect(self.recompute)
        for form in (self.patient_form, self.risk_form, self.order_form, self.overrides_form):
            form.changed.connect(self.schedule_recompute)
        # What the last regimen choice put into dose and days: values still equal to these are
        # the regimen's, not typed, and may be replaced by the next regimen's without asking.
        self._prefilled: tuple[str, str] = ("", "")
        self._filling = False  # set_inputs writes the form: no prefill, no question
        self.regimen_question = None
        self.order_form.indication.currentIndexChanged.connect(self._prefill_regimen)
        self.resize(1280, 720)
        self._show_problems()
        self.status.setText("Enter the patient and the order; the plan appears when they are complete.")
        # The first recompute (which loads the engine) waits for the first paint, so the window
        # appears without waiting for the unit system; showEvent arms a fallback.
        self._painted = False
        self._first = QTimer(self)
        self._first.setSingleShot(True)
        self._first.timeout.connect(self.recompute)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._painted and not self._first.isActive():
            self._first.start(FIRST_RECOMPUTE_FALLBACK_MS)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self, self._install_shortcuts)
            if self.plan is None:
                self._first.start(0)

    def _install_shortcuts(self) -> None:
        """Standard key sequences, set after the first paint: resolving them makes PySide6 build
        its key enums (~30 ms), which need not delay the window's appearance."""
        for action, key in self._shortcuts:
            action.setShortcut(getattr(QKeySequence.StandardKey, key))
        self._shortcuts.clear()

    @property
    def history(self) -> History:
        if self._history is None:
            self._history = lazy.history.History()
        return self._history

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self._catalogue = self._load_catalogue()
            self._show_problems()
        return self._catalogue

    # -- set-up ---------------------------------------------------------------------------------
    def _load_catalogue(self) -> Catalogue:
        base = lazy.plan.bundled_catalogue()
        cat = lazy.plan.Catalogue(
            base.formulary, base.regimens, base.policies, settings_from_preferences(base.settings, self.prefs)
        )
        site = self.prefs.get("site_formulary")
        if site:
            try:
                cat = replace(cat, formulary=lazy.formulary.load_formulary(Path(site)))
            except DataError as exc:
                self.catalogue_error = f"Site formulary not used, so no plan is made: {exc}"
        return cat

    def _refresh_products(self) -> None:
        """The product list of the formulary now in use, keeping the current choice if it is there."""
        combo = self.order_form.product
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("— choose —", None)
        for p in self.catalogue.formulary.products.values():
            combo.addItem(p.name, p.id)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    def _apply_unit_preferences(self) -> None:
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

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.file_menu = file_menu
        self.preview_action = QAction("Print pre&view…", self)
        self.preview_action.triggered.connect(self.print_preview)
        self.print_action = QAction("&Print…", self)
        self._shortcuts.append((self.print_action, "Print"))
        self.print_action.triggered.connect(self.print_plan)
        self.pdf_action = QAction("&Export PDF…", self)
        self.pdf_action.triggered.connect(lambda: self.export_pdf())
        for action in (self.preview_action, self.print_action, self.pdf_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        new_action = QAction("&New", self)
        self._shortcuts.append((new_action, "New"))
        new_action.triggered.connect(self.new_plan)
        open_action = QAction("&Open…", self)
        self._shortcuts.append((open_action, "Open"))
        open_action.triggered.connect(lambda: self.open_plan())
        self.save_action = QAction("&Save", self)
        self._shortcuts.append((self.save_action, "Save"))
        self.save_action.triggered.connect(lambda: self.save_plan())
        self.save_as_action = QAction("Save &As…", self)
        self._shortcuts.append((self.save_as_action, "SaveAs"))
        self.save_as_action.triggered.connect(lambda: self.save_plan(ask=True))
        self.recent_menu = file_menu.addMenu("&Recent")
        history_action = QAction("&History…", self)
        history_action.triggered.connect(self.open_history)
        file_menu.insertActions(
            self.preview_action, [new_action, open_action, self.save_action, self.save_as_action]
        )
        file_menu.insertMenu(self.preview_action, self.recent_menu)
        file_menu.insertAction(self.preview_action, history_action)
        file_menu.insertSeparator(self.preview_action)
        self._fill_recent()
        quit_action = QAction("&Quit", self)
        self._shortcuts.append((quit_action, "Quit"))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        edit = bar.addMenu("&Edit")
        prefs = QAction("&Preferences…", self)
        self._shortcuts.append((prefs, "Preferences"))
        prefs.triggered.connect(self.open_preferences)
        edit.addAction(prefs)
        formulary = QAction("Site &formulary…", self)
        formulary.triggered.connect(self.open_formulary_editor)
        edit.addAction(formulary)
        help_menu = bar.addMenu("&Help")
        about = QAction("&About", self)
        about.triggered.connect(self.open_about)
        help_menu.addAction(about)

    def _show_problems(self) -> None:
        notes = list(self.prefs.problems)
        if self.saved_changes:
            notes.append(
                "Recomputed with the current formulary and settings; changed since saved: "
                + "; ".join(self.saved_changes)
            )
        if self.catalogue_error:
            notes.insert(0, self.catalogue_error)
        self.problem_banner.setText("\n".join(f"⚠ {n}" for n in notes))
        self.problem_banner.setVisible(bool(notes))

    # -- live recompute -------------------------------------------------------------------------
    def schedule_recompute(self) -> None:
        # The current plan is stale from the first keystroke: say so before the timer fires.
        if self.plan is not None:
            self.status.setText("Recalculating…")
            self.plan_view.setEnabled(False)  # greyed: not current until the recompute
        self.timer.start()

    def _regimen_texts(self, rid: str | None) -> tuple[str, str]:
        """Dose and days as the regimen ``rid`` fills them in (empty for none)."""
        if rid is None:
            return "", ""
        try:
            reg = self.catalogue.regimens.get(rid)
        except InputError:  # an unknown regimen is reported by the recompute
            return "", ""
        dose = f"{d.number(reg.course_dose.m_as('g/kg'), 3)} g/kg" if reg.course_dose else ""
        return dose, str(reg.days) if reg.days is not None else ""

    def _prefill_regimen(self) -> None:
        """Fill dose and days from the chosen regimen, but never over what the user typed.

        They are filled only when empty or still holding the previous regimen's values;
        otherwise the user is asked, and until they say so the typed values stay.
        """
        if self._filling:
            return
        of = self.order_form
        rid = of.indication.currentData()
        previous = self._prefilled
        new = self._regimen_texts(rid)
        self._prefilled = new
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
            parent=self,
        )
        use = box.addButton("&Use the regimen's", QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton("&Keep what was typed", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.finished.connect(lambda _=0: self._put_regimen(new) if box.clickedButton() is use else None)
        box.open()
        self.regimen_question = box

    def _fields(self) -> dict[str, Marked]:
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
        }

    def _read(self, errors: dict[str, str]) -> tuple[Patient, Order] | None:
        pf, of = self.patient_form, self.order_form

        def take(name: str, fn):
            try:
                return fn()
            except InputError as exc:
                errors.setdefault(exc.field if exc.field in self._fields() else name, exc.message)
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
        dose = take("dose", lambda: text_or_none(of.dose, lambda t: fields.parse_quantity(t, fields.DOSE)))
        days = take("days", lambda: text_or_none(of.days, fields.parse_days))
        start = take("start", lambda: text_or_none(of.start, fields.parse_clock))
        max_rate = take(
            "max-rate", lambda: text_or_none(of.max_rate, lambda t: fields.parse_quantity(t, fields.MAX_RATE))
        )
        overrides = self.overrides_form.selected()
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
            where = (
                "sex" if exc.field == "pregnant" else exc.field if exc.field in self._fields() else "weight"
            )
            errors[where] = f"pregnant {exc.message}" if exc.field == "pregnant" else exc.message
            patient = None
        if patient is None:
            return None
        order = lazy.plan.Order(
            product=product,  # type: ignore[arg-type]
            indication=of.indication.currentData(),
            dose=dose,
            days=days,
            weight_policy=of.policy.currentData(),
            start=start,
            start_low=of.start_low(),
            risks=self.risk_form.selected(),
            max_rate=max_rate,
            overrides=overrides,
        )
        return patient, order

    def recompute(self) -> None:
        """Read every field, mark the bad ones, and show a fresh plan or none at all."""
        self.timer.stop()
        self._first.stop()
        catalogue = self.catalogue  # loads the engine on first use
        errors: dict[str, str] = {}
        plan: Plan | None = None
        if self.catalogue_error:
            errors["_"] = self.catalogue_error
        else:
            inputs = self._read(errors)
            if inputs is not None:
                try:
                    plan = lazy.plan.make_plan(inputs[0], inputs[1], catalogue)
                except InputError as exc:
                    errors[exc.field if exc.field in self._fields() else "_"] = exc.message
        for name, widget in self._fields().items():
            message = errors.get(name)
            if message in _NOT_YET_FILLED and not (widget.touched or self.show_all_errors):
                message = None
            widget.mark(message)
        self.plan = plan
        self.plan_view.setEnabled(True)
        for action in (self.preview_action, self.print_action, self.pdf_action):
            action.setEnabled(plan is not None)
        self._show_plan(plan, errors)
        self.plan_changed.emit()

    # -- results --------------------------------------------------------------------------------
    def _show_plan(self, plan: Plan | None, errors: dict[str, str]) -> None:
        # The Qt namespace costs ~20 ms to materialise; it is first needed here, after the paint.
        from PySide6.QtCore import Qt

        self.warnings.clear()
        for b in self.alternative_buttons:
            # Off screen at once: deleteLater alone leaves stale buttons until the event loop runs.
            b.hide()
            self.alternatives_layout.removeWidget(b)
            b.setParent(None)
            b.deleteLater()
        self.alternative_buttons = []
        if plan is None:
            n = len([k for k in errors if k != "_"])
            other = errors.get("_")
            text = f"No plan yet: {n} field(s) to complete or correct." if n else "No plan."
            if other:
                text += f" {other}"
            self.status.setText(f"<b>⚠ {text}</b>")
            self.summary.setText(
                "Complete or correct the marked fields; the plan appears when they are valid."
            )
            self._set_days([])
            return
        p = plan.patient
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setText("<b>Plan is current.</b>")
        crcl = plan.crcl
        crcl_text = (
            f"CrCl {d.fmt(crcl.value, 'crcl')} ({crcl.basis})"
            if crcl is not None and crcl.value is not None
            else "CrCl not calculated"
        )
        day = plan.days[0]
        vials = ", ".join(f"{c.count} × {d.fmt(c.vial.size, 'dose')}" for c in day.pick.counts) or "—"
        self.summary.setText(
            f"<b>Dosing weight {d.fmt(plan.dosing.weight, 'weight')}</b> ({plan.dosing.basis}): "
            f"{plan.dosing.reason}. Policy: {plan.dosing.policy.name}.<br>"
            f"{d.body_size(p)}; {crcl_text}.<br>"
            f"<b>Course {d.fmt(plan.course_dose, 'dose')}</b> "
            f"({d.fmt(plan.course_dose_per_kg, 'dose_per_kg')}) over {len(plan.days)} day(s); "
            f"<b>per day {d.fmt(day.dose, 'dose')}</b> "
            f"(prescribed {d.fmt(day.prescribed, 'dose')}): {vials}.<br>"
            f"<b>Volume per day {d.fmt(day.volume, 'volume')}</b> "
            f"({d.fmt(day.volume_per_kg, 'volume_per_kg')}) of {plan.product.name}; "
            f"<b>time per day {d.duration(day.schedule.duration)}</b>; "
            f"rate weight {d.fmt(plan.rate_weight, 'weight')}; "
            f"maximum {d.fmt(plan.ladder.ceiling, 'dose_rate')}."
        )
        for w in plan.warnings:
            item = QListWidgetItem(f"{_SEVERITY_MARK[w.severity]} — {w.code}: {w.message}")
            item.setData(Qt.ItemDataRole.UserRole, w.code)  # the code, for tests and screen readers
            item.setToolTip(w.message)
            item.setForeground(QColor(_SEVERITY_COLOUR[w.severity]))
            self.warnings.addItem(item)
        for alt in plan.alternatives:
            b = QPushButton(
                f"{alt.description}: {d.fmt(alt.volume_per_day, 'volume')}/day, "
                f"{d.duration(alt.duration_per_day)}/day"
            )
            b.setAccessibleName(f"Apply alternative: {alt.description}")
            b.clicked.connect(lambda _=False, a=alt: self.apply_alternative(a))
            self.alternatives_layout.addWidget(b)
            self.alternative_buttons.append(b)
        self._set_days(list(plan.days))

    def _set_days(self, days: list) -> None:
        h12 = not self.prefs.get("clock_24h")
        elapsed = self.plan is not None and not self.plan.clock_given
        from ivig_desktop.ui.models import ScheduleModel  # not needed before the first plan

        while len(self.day_models) < len(days):
            model = ScheduleModel(self)
            view = QTableView()
            view.setModel(model)
            view.setAccessibleName(f"Day {len(self.day_models) + 1} schedule")
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            view.verticalHeader().setVisible(False)
            self.day_models.append(model)
            self.day_views.append(view)
        while self.days_tabs.count() > len(days):
            self.days_tabs.removeTab(self.days_tabs.count() - 1)
        for i, day in enumerate(days):
            self.day_models[i].set_day(day, elapsed=elapsed, h12=h12)
            title = f"Day {day.day}"
            if self.days_tabs.count() <= i:
                self.days_tabs.addTab(self.day_views[i], title)
        for model in self.day_models[len(days) :]:
            model.set_day(None)

    def apply_alternative(self, alt: Alternative) -> None:
        """Put the alternative's order into the form; the recompute follows from the edits."""
        of = self.order_form
        o: Order = alt.order
        if o.product != (of.product.currentData() or ""):
            of.product.setCurrentIndex(of.product.findData(o.product))
        if o.dose is not None:
            of.dose.setText(f"{_plain(o.dose.m_as('g/kg'))} g/kg")
        if o.days is not None:
            of.days.setText(str(o.days))
        if o.max_rate is not None:
            of.max_rate.setText(f"{_plain(o.max_rate.m_as('mg/kg/min'))} mg/kg/min")
        self.recompute()

    # -- printing -------------------------------------------------------------------------------
    def _printer(self):
        from PySide6.QtPrintSupport import QPrinter

        from ivig_desktop.report.printing import page_layout

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(page_layout(self.prefs.get("paper")))
        return printer

    def _print(self, printer) -> None:
        self._paint(printer)
        if self.plan is not None:
            self._record("print", self.current_path.name if self.current_path else "")

    def _paint(self, printer) -> None:
        from datetime import datetime

        from ivig_desktop.report.printing import paint_plan

        if self.plan is not None:
            paint_plan(self.plan, printer, printed_at=datetime.now(), h12=not self.prefs.get("clock_24h"))

    def _current_plan(self) -> Plan | None:
        """The plan for what the form shows now: a pending recompute runs first, so a save or a
        printout right after a keystroke never carries the previous plan."""
        if self.timer.isActive() or self._first.isActive():
            self.recompute()
        if self.plan is None and not self.show_all_errors:
            self.show_all_errors = True  # the user asked for a plan: mark every missing field
            self.recompute()
        return self.plan

    def print_preview(self):
        from PySide6.QtPrintSupport import QPrintPreviewDialog

        if self._current_plan() is None:
            return None
        # The dialog keeps only a pointer to the printer: hold it, or Qt paints a freed object.
        self._preview_printer = self._printer()
        dlg = QPrintPreviewDialog(self._preview_printer, self)
        dlg.paintRequested.connect(self._paint)
        dlg.open()
        self._preview = dlg
        return dlg

    def print_plan(self):
        from PySide6.QtPrintSupport import QPrintDialog
        from PySide6.QtWidgets import QDialog

        if self._current_plan() is None:
            return None
        printer = self._print_printer = self._printer()
        dlg = QPrintDialog(printer, self)
        # PySide6's QPrintDialog.open() wants (receiver, member) and its accepted signal is
        # overloaded: use QDialog's own open() and the finished(int) result instead.
        dlg.finished.connect(
            lambda result: self._print(printer) if result == int(QDialog.DialogCode.Accepted) else None
        )
        QDialog.open(dlg)
        self._print_dialog = dlg
        return dlg

    def export_pdf(self, path: Path | None = None) -> bool:
        """Write the current plan as PDF; without ``path`` ask for one. True when written."""
        from PySide6.QtWidgets import QFileDialog

        from ivig_desktop.report.printing import write_pdf

        if self._current_plan() is None:
            return False
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "Export PDF", "ivig-schedule.pdf", "PDF (*.pdf)")
            if not name:
                return False
            path = Path(name)
        try:
            write_pdf(self.plan, path, paper=self.prefs.get("paper"), h12=not self.prefs.get("clock_24h"))
            self._record("export-pdf", str(path))
        except InputError as exc:
            self._error("PDF not written", str(exc))
            return False
        return True

    # -- plan files, recent files and history --------------------------------------------------
    def _error(self, title: str, text: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Critical, title, text, parent=self)
        box.open()
        self.last_error = box

    def _record(self, action: str, label: str) -> None:
        """Append to the history; a failure is shown, never hidden (the file itself is written)."""
        if self.plan is None:
            return
        import sqlite3

        try:
            self.history.record(self.plan, action, label)
        except (lazy.history.HistoryError, OSError, sqlite3.Error) as exc:
            self._error("History not recorded", f"The {action} happened but was not recorded: {exc}")

    def new_plan(self) -> None:
        self.current_path = None
        self.saved_changes = []
        self.show_all_errors = False
        self.set_inputs(None, None)
        for widget in self._fields().values():
            widget.touched = False
        self.recompute()

    def set_inputs(self, patient: Patient | None, order: Order | None) -> None:
        """Fill the form from a patient and an order (or clear it); the plan follows."""
        self._filling = True
        try:
            self._fill(patient, order)
        finally:
            self._filling = False
        self._prefilled = self._regimen_texts(order.indication if order else None)
        self.recompute()

    def _fill(self, patient: Patient | None, order: Order | None) -> None:
        pf, of = self.patient_form, self.order_form

        def put(field, q) -> None:
            if q is None:
                field.edit.setText("")
                return
            i = field.unit.findData(str(q.units)) if field.unit is not None else -1
            if i >= 0:
                field.unit.setCurrentIndex(i)
                field.edit.setText(_plain(float(q.m)))
            else:  # a unit the box does not offer (1.75 m): the typed unit wins over the box
                field.edit.setText(f"{_plain(float(q.m))} {lazy.plan_file.abbreviation(str(q.units))}")

        put(pf.weight, patient.actual_weight if patient else None)
        put(pf.height, patient.height if patient else None)
        pf.sex.setCurrentIndex(pf.sex.findData(patient.sex.value) if patient else 0)
        put(pf.age, patient.age if patient else None)
        put(pf.scr, patient.serum_creatinine if patient else None)
        pf.pregnant.setChecked(bool(patient and patient.pregnant))
        put(pf.pre_pregnancy, patient.pre_pregnancy_weight if patient else None)
        of.indication.setCurrentIndex(max(0, of.indication.findData(order.indication)) if order else 0)
        of.dose.setText(
            f"{_plain(float(order.dose.m))} {_DOSE_UNITS[str(order.dose.units)]}"
            if order and order.dose is not None
            else ""
        )
        of.days.setText(str(order.days) if order and order.days is not None else "")
        of.product.setCurrentIndex(max(0, of.product.findData(order.product)) if order else 0)
        of.policy.setCurrentIndex(max(0, of.policy.findData(order.weight_policy if order else "auto")))
        of.start.setText(order.start.strftime("%H:%M") if order and order.start else "")
        of.first.setChecked(bool(order and "first-infusion" in order.start_low))
        of.over8.setChecked(bool(order and "over-8-weeks" in order.start_low))
        of.switch.setChecked(bool(order and "product-switch" in order.start_low))
        for rid, cb in self.risk_form.boxes.items():
            cb.setChecked(bool(order and rid in order.risks))
        of.max_rate.setText(
            f"{_plain(order.max_rate.m_as('mg/kg/min'))} mg/kg/min" if order and order.max_rate else ""
        )
        self.overrides_form.set_overrides(order.overrides if order else ())

    def open_plan(self, path: Path | None = None) -> bool:
        """Open a plan file; on any problem show why and change nothing."""
        from PySide6.QtWidgets import QFileDialog

        if path is None:
            name, _ = QFileDialog.getOpenFileName(self, "Open plan", "", "IVIG plans (*.ivig)")
            if not name:
                return False
            path = Path(name)
        try:
            patient, order, doc = lazy.plan_file.load_plan_inputs(path)
            self._check_known(order)
        except InputError as exc:
            self._error("Plan not opened", str(exc))
            return False
        self.current_path = path
        self.set_inputs(patient, order)
        self.saved_changes = (
            lazy.plan_file.changes(doc.get("results"), self.plan) if self.plan is not None else []
        )
        self._remember_recent(path)
        self._show_problems()
        return True

    def _check_known(self, order: Order) -> None:
        """Refuse what the form could not show: an unknown risk factor or product would
        otherwise be dropped silently and the plan made without it."""
        from ivig_desktop.engine.risk_factors import RISK_IDS

        unknown = sorted(r for r in order.risks if r not in RISK_IDS)
        if unknown:
            raise InputError("risk", f"'{unknown[0]}' is not a known risk factor")
        self.catalogue.formulary.product(order.product)
        if order.indication is not None:
            self.catalogue.regimens.get(order.indication)
        self.catalogue.policy(order.weight_policy)

    def save_plan(self, path: Path | None = None, *, ask: bool = False) -> bool:
        from PySide6.QtWidgets import QFileDialog

        from ivig_desktop.store.plan_file import SUFFIX, save_plan

        if self._current_plan() is None:
            self._error("Nothing to save", "The plan is not complete: correct the marked fields first.")
            return False
        target = path or (None if ask else self.current_path)
        if target is None:
            name, _ = QFileDialog.getSaveFileName(self, "Save plan", "plan.ivig", "IVIG plans (*.ivig)")
            if not name:
                return False
            target = Path(name if name.endswith(SUFFIX) else name + SUFFIX)
        try:
            save_plan(self.plan, target)
        except InputError as exc:
            self._error("Plan not saved", str(exc))
            return False
        self.current_path = target
        self.saved_changes = []
        self._record("save", str(target))
        self._remember_recent(target)
        self._show_problems()
        return True

    def _remember_recent(self, path: Path) -> None:
        recent = [p for p in self.prefs.get("recent_files").split("\n") if p and p != str(path)]
        self.prefs.set("recent_files", "\n".join([str(path), *recent][:8]))
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for i, name in enumerate(p for p in self.prefs.get("recent_files").split("\n") if p):
            action = self.recent_menu.addAction(f"&{i + 1} {name}")
            action.triggered.connect(lambda _=False, n=name: self.open_plan(Path(n)))
        self.recent_menu.setEnabled(bool(self.recent_menu.actions()))

    def _reopen_record(self, entry_id: int) -> None:
        try:
            patient, order = self.history.inputs(entry_id)
            self._check_known(order)
        except (InputError, lazy.history.HistoryError) as exc:
            self._error("Record not reopened", str(exc))
            return
        self.set_inputs(patient, order)

    def open_history(self):
        from ivig_desktop.ui.history_dialog import HistoryDialog

        dlg = HistoryDialog(self.history, self)
        dlg.chosen.connect(self._reopen_record)
        dlg.open()
        self._history_dialog = dlg
        return dlg

    # -- dialogs --------------------------------------------------------------------------------
    def open_preferences(self) -> None:
        from ivig_desktop.ui.dialogs import PreferencesDialog

        dlg = PreferencesDialog(self.prefs, self)
        dlg.accepted.connect(self.reload_preferences)
        dlg.open()
        self._prefs_dialog = dlg

    def open_formulary_editor(self):
        from ivig_desktop.ui.formulary_editor import FormularyEditor

        site = self.prefs.get("site_formulary")
        dlg = FormularyEditor(Path(site) if site else None, self)
        dlg.finished.connect(lambda _=0: self.reload_preferences())
        dlg.open()
        self._formulary_editor = dlg
        return dlg

    def reload_preferences(self) -> None:
        self.prefs.problems.clear()
        self.catalogue_error = None
        self._catalogue = self._load_catalogue()
        self._refresh_products()
        self._apply_unit_preferences()
        self._show_problems()
        self.recompute()

    def open_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from ivig_desktop.ui.dialogs import about_text

        box = QMessageBox(
            QMessageBox.Icon.Information, "About ivig_desktop", about_text(self.catalogue), parent=self
        )
        box.open()
        self._about = box
