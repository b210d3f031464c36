"""Drive the main window like a user, and build what the engine says the window must show."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QScrollArea

from ivig_desktop.engine import display as d
from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.plan import Order, Plan, make_plan
from ivig_desktop.engine.units import Q_

#: Recompute is debounced; generous so a slow CI machine does not fail a test (no timing asserted).
WAIT_MS = 5000


@dataclass(frozen=True)
class Case:
    """One patient and order, as typed into the window and as given to the engine."""

    name: str
    kg: float
    cm: float
    sex: str
    age: float
    product: str
    indication: str
    scr: float | None = None
    risks: tuple[str, ...] = ()
    start: str | None = None
    age_unit: str = "year"

    def patient(self) -> Patient:
        return Patient(
            Q_(self.kg, "kg"),
            Q_(self.cm, "cm"),
            Sex(self.sex),
            Q_(self.age, self.age_unit),
            Q_(self.scr, "mg/dL") if self.scr is not None else None,
        )

    def order(self) -> Order:
        hh, mm = (int(x) for x in self.start.split(":")) if self.start else (None, None)
        return Order(
            product=self.product,
            indication=self.indication,
            start=time(hh, mm) if hh is not None else None,  # type: ignore[arg-type]
            risks=frozenset(self.risks),
        )

    def plan(self) -> Plan:
        return make_plan(self.patient(), self.order())


ITP_70 = Case("itp-70kg-octagam10", 70, 175, "male", 50, "octagam-10", "itp", start="08:00")
VOLUME_LOAD = Case(
    "itp-80kg-78y-octagam5-heart-failure",
    80,
    170,
    "female",
    78,
    "octagam-5",
    "itp",
    scr=1.4,
    risks=("heart-failure",),
)
PID_100 = Case("pid-100kg-privigen", 100, 180, "male", 45, "privigen", "pid", start="22:30")
KAWASAKI_CHILD = Case(
    "kawasaki-20kg-child-gamunex",
    20,
    112,
    "female",
    5,
    "gamunex-c",
    "kawasaki",
    risks=("diabetes",),
    start="14:15",
)
CASES = (ITP_70, VOLUME_LOAD, PID_100, KAWASAKI_CHILD)


def _number(x: float) -> str:
    return d.number(x, 4)


def choose(combo, data) -> None:
    """Select a combo item by its data, as a user picking it from the list would."""
    i = combo.findData(data)
    assert i >= 0, f"{data!r} is not offered by {combo.accessibleName()}"
    combo.setCurrentIndex(i)


def click_in_view(qtbot, widget) -> None:
    """Scroll the widget into view (as a user would) and click it with the mouse."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if parent is not None:
        parent.ensureWidgetVisible(widget)
    # A check box is as wide as its column but only its box and text take a click: aim at the box.
    pos = QPoint(min(8, widget.width() - 1), widget.height() // 2)
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)


def type_case(qtbot, w, case: Case) -> None:
    """Type the case into the window field by field (keystrokes for text, choices for combos)."""
    pf, of = w.patient_form, w.order_form
    qtbot.keyClicks(pf.weight.edit, _number(case.kg))
    qtbot.keyClicks(pf.height.edit, _number(case.cm))
    choose(pf.sex, case.sex)
    qtbot.keyClicks(pf.age.edit, _number(case.age))
    choose(pf.age.unit, case.age_unit)
    if case.scr is not None:
        qtbot.keyClicks(pf.scr.edit, _number(case.scr))
    choose(of.indication, case.indication)
    choose(of.product, case.product)
    for risk in case.risks:
        click_in_view(qtbot, w.risk_form.boxes[risk])
        assert w.risk_form.boxes[risk].isChecked()
    if case.start:
        qtbot.keyClicks(of.start, case.start)


def wait_for_plan(qtbot, w) -> None:
    """Let the debounce timer fire; a plan must then be on screen."""
    qtbot.waitUntil(lambda: not w.timer.isActive() and w.plan is not None, timeout=WAIT_MS)


def wait_settled(qtbot, w) -> None:
    qtbot.waitUntil(lambda: not w.timer.isActive(), timeout=WAIT_MS)


def expected_rows(plan: Plan, day: int, *, h12: bool = False) -> list[list[str]]:
    """The step table of one day as display formatting of the engine's steps gives it."""
    sched = plan.days[day].schedule
    return [
        [
            d.clock(sched.clock(s), sched.start, elapsed=not plan.clock_given, h12=h12),
            d.duration(s.duration),
            d.number(s.dose_rate.m_as("mg/kg/min"), 2),
            d.number(s.rate.m_as("mL/h"), 1),
            d.number(s.volume.m_as("mL"), 1),
            d.number(s.cumulative_volume.m_as("mL"), 1),
        ]
        for s in sched.steps
    ]


def table(model) -> list[list[str]]:
    """Every cell text of a table model, row by row."""
    return [
        [model.data(model.index(r, c), Qt.ItemDataRole.DisplayRole) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def column(model, col: int) -> list[str]:
    return [row[col] for row in table(model)]


def warning_codes(w) -> list[str]:
    return [w.warnings.item(i).data(Qt.ItemDataRole.UserRole) for i in range(w.warnings.count())]


def visible_day_tables(w) -> list[list[list[str]]]:
    """The step tables on the day tabs (only the tabs that exist)."""
    return [table(w.day_models[i]) for i in range(w.days_tabs.count())]


def all_rows(models: Iterable) -> int:
    return sum(m.rowCount() for m in models)
