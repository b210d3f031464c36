"""The plan panel: status, critical banner, summary, warnings, alternatives and the day tabs.

It shows what the engine computed and formats it; it never calculates. An alternative's button
emits :attr:`PlanView.alternative_chosen`; the window decides what applying it means.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ivig_desktop.engine.risk_factors import Severity
from ivig_desktop.ui import lazy
from ivig_desktop.ui.critical import CriticalBanner, critical_warnings
from ivig_desktop.ui.lazy import display as d

if TYPE_CHECKING:
    from PySide6.QtWidgets import QTableView

    from ivig_desktop.engine.plan import DayPlan, Plan
    from ivig_desktop.ui.models import ScheduleModel

SEVERITY_MARK = {Severity.CRITICAL: "✖ CRITICAL", Severity.CAUTION: "⚠ CAUTION", Severity.INFO: "• info"}
_SEVERITY_COLOUR = {Severity.CRITICAL: "#b00020", Severity.CAUTION: "#8a5a00", Severity.INFO: "#1f4e79"}


def vials_text(day: DayPlan) -> str:
    return ", ".join(f"{c.count} × {d.fmt(c.vial.size, 'dose')}" for c in day.pick.counts) or "—"


class PlanView(QWidget):
    alternative_chosen = Signal(object)  # engine.plan.Alternative

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Plan status")
        # Outside every scroll area and outside the body that greys out while recomputing.
        self.critical_banner = CriticalBanner()
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
        self.day_views: list[QTableView] = []  # made with the first plan (_set_days)
        self.day_labels: list[QLabel] = []
        self.day_pages: list[QWidget] = []

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.status)
        outer.addWidget(self.critical_banner)
        self.body = QWidget()
        rl = QVBoxLayout(self.body)
        rl.setContentsMargins(0, 0, 0, 0)
        # On a short screen the plan scrolls (vertically) instead of squeezing the summary
        # into clipped lines and the schedule into two rows; on a tall one it fills the height
        # and the schedule takes what the window gains.
        self.scroller = QScrollArea()
        self.scroller.setWidget(self.body)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setAccessibleName("Plan")
        outer.addWidget(self.scroller, 1)
        rl.addWidget(self.summary)
        warn_label = QLabel("Warnings, most se&vere first:")
        warn_label.setBuddy(self.warnings)
        rl.addWidget(warn_label)
        rl.addWidget(self.warnings, 2)
        rl.addWidget(QLabel("Safer alternatives:"))
        rl.addWidget(self.alternatives_box)
        sched_label = QLabel("Schedu&le:")
        sched_label.setBuddy(self.days_tabs)
        rl.addWidget(sched_label)
        rl.addWidget(self.days_tabs, 5)  # the schedule takes what the window gains
        # Never squeezed below a readable size: a few warnings, a day's line and a few steps.
        lines = self.warnings.fontMetrics().lineSpacing()
        self.warnings.setMinimumHeight(5 * lines)
        self.days_tabs.setMinimumHeight(14 * lines)

    def stale(self) -> None:
        """The plan no longer matches the form: say so, grey the figures, until the recompute."""
        self.status.setText("Recalculating…")
        self.body.setEnabled(False)

    def show_plan(self, plan: Plan | None, errors: dict[str, str], *, h12: bool) -> None:
        # The Qt namespace costs ~20 ms to build, html and the item types a few: first needed here,
        # after the paint.
        from html import escape

        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QListWidgetItem

        self.body.setEnabled(True)
        self.warnings.clear()
        for b in self.alternative_buttons:
            # Off screen at once: deleteLater alone leaves stale buttons until the event loop runs.
            b.hide()
            self.alternatives_layout.removeWidget(b)
            b.setParent(None)
            b.deleteLater()
        self.alternative_buttons = []
        self.critical_banner.show_plan(plan)
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
            self._set_days(None, [], h12=h12)
            return
        p = plan.patient
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        n_critical = len(critical_warnings(plan))
        self.status.setText(
            f"<b>Plan is current, with {n_critical} CRITICAL warning{'s' if n_critical > 1 else ''}: "
            "act before it is used.</b>"
            if n_critical
            else "<b>Plan is current.</b>"
        )
        crcl = plan.crcl
        crcl_text = (
            f"{crcl.label} {d.number(crcl.value.m_as('mL/min'), 0)} {crcl.unit_text} ({crcl.basis})"
            if crcl is not None and crcl.value is not None
            else "CrCl not calculated"
        )
        policies = "; ".join(  # by the policy's name, not its id (issue 13: human words)
            f"{r.name} {d.fmt(r.weight, 'weight')} ({r.basis}), "
            f"{d.fmt(r.course_dose, 'dose') if r.course_dose is not None else '—'}"
            if r.weight is not None
            else f"{r.name} not applicable"
            for r in plan.policy_comparison
        )
        day = plan.days[0]
        self.summary.setText(
            f"<b>Dosing weight {d.fmt(plan.dosing.weight, 'weight')}</b> ({plan.dosing.basis}): "
            f"{plan.dosing.reason}. Policy: {plan.dosing.policy.name}.<br>"
            f"{d.body_size(p)}; {crcl_text}.<br>"
            f"<b>Course {d.fmt(plan.course_dose, 'dose')}</b> "
            f"({d.fmt(plan.course_dose_per_kg, 'dose_per_kg')}) over {len(plan.days)} day(s); "
            f"<b>per day {d.fmt(day.dose, 'dose')}</b> "
            f"(prescribed {d.fmt(day.prescribed, 'dose')}): {vials_text(day)}.<br>"
            f"<b>Volume per day {d.fmt(day.volume, 'volume')}</b> "
            f"({d.fmt(day.volume_per_kg, 'volume_per_kg')} of {d.fmt(plan.volume_weight, 'weight')}) "
            f"of {plan.product.name}; "
            f"<b>time per day {d.duration(day.schedule.duration)}</b>; "
            f"rate weight {d.fmt(plan.rate_weight, 'weight')}; "
            f"maximum {d.fmt(plan.ladder.ceiling, 'dose_rate')}; start: {escape(plan.start.reason)}.<br>"
            f"<b>Dose:</b> {escape(d.dose_statement(plan))}.<br>"
            f"<b>Policies side by side:</b> {escape(policies)}.<br>"
            f"<b>Entered:</b> {escape('; '.join(lazy.inputs.echo_lines(plan)))}."
        )
        for w in plan.warnings:
            item = QListWidgetItem(f"{SEVERITY_MARK[w.severity]}: {w.message}")  # words, not the code
            item.setData(Qt.ItemDataRole.UserRole, w.code)  # the code, for tests and screen readers
            item.setToolTip(w.message)
            item.setForeground(QColor(_SEVERITY_COLOUR[w.severity]))
            self.warnings.addItem(item)
        if plan.warnings:
            # The most severe in view after every recompute, whatever the list was scrolled to.
            worst = max(range(len(plan.warnings)), key=lambda i: (plan.warnings[i].severity, -i))
            self.warnings.scrollToItem(self.warnings.item(worst), QListWidget.ScrollHint.PositionAtTop)
        for alt in plan.alternatives:
            b = QPushButton(  # two lines, so a long description does not widen the panel
                f"{alt.description}:\n{d.fmt(alt.volume_per_day, 'volume')}/day, "
                f"{d.duration(alt.duration_per_day)}/day\n"
                + "; ".join(
                    [f"resolves {c}" for c in alt.resolves]
                    + [f"does not resolve {c}" for c in alt.unresolved]
                )
            )
            b.setAccessibleName(f"Apply alternative: {alt.description}")
            b.setToolTip(alt.effect)
            b.clicked.connect(lambda _=False, a=alt: self.alternative_chosen.emit(a))
            self.alternatives_layout.addWidget(b)
            self.alternative_buttons.append(b)
        self._set_days(plan, list(plan.days), h12=h12)

    def day_text(self, plan: Plan, day: DayPlan, *, h12: bool) -> str:
        """One day's line above its table: what to give, which vials, when it starts and ends."""
        sched = day.schedule
        elapsed = not plan.clock_given
        start = d.clock(sched.start, sched.start, elapsed=elapsed, h12=h12)
        end = d.end_clock(sched.end, sched.start, elapsed=elapsed, h12=h12)
        return (
            f"<b>Day {day.day} of {len(plan.days)}: give {d.fmt(day.dose, 'dose')}</b> = "
            f"{d.fmt(day.volume, 'volume')}. <b>Vials:</b> {vials_text(day)}. "
            f"Start {start}, <b>end {end}</b> ({d.duration(sched.duration)})."
        )

    def _set_days(self, plan: Plan | None, days: list, *, h12: bool) -> None:
        elapsed = plan is not None and not plan.clock_given
        from PySide6.QtWidgets import QHeaderView, QTableView  # not needed before the first plan

        from ivig_desktop.ui.models import ScheduleModel

        while len(self.day_models) < len(days):
            model = ScheduleModel(self)
            view = QTableView()
            view.setModel(model)
            view.setAccessibleName(f"Day {len(self.day_models) + 1} schedule")
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            # Columns as wide as their figures: a stretched last column put the running total
            # far from the rest of its row on a wide screen.
            view.horizontalHeader().setStretchLastSection(False)
            view.verticalHeader().setVisible(False)
            label = QLabel()
            label.setWordWrap(True)
            label.setAccessibleName(f"Day {len(self.day_models) + 1}: dose, vials and times")
            page = QWidget(self.days_tabs)  # owned by Qt from the start, tab or not
            page.hide()
            pl = QVBoxLayout(page)
            pl.setContentsMargins(2, 2, 2, 2)
            pl.addWidget(label)
            pl.addWidget(view, 1)
            self.day_models.append(model)
            self.day_views.append(view)
            self.day_labels.append(label)
            self.day_pages.append(page)
        while self.days_tabs.count() > len(days):
            self.days_tabs.removeTab(self.days_tabs.count() - 1)
        for i, day in enumerate(days):
            assert plan is not None
            self.day_models[i].set_day(day, elapsed=elapsed, h12=h12)
            self.day_labels[i].setText(self.day_text(plan, day, h12=h12))
            if self.days_tabs.count() <= i:
                self.days_tabs.addTab(self.day_pages[i], f"Day {day.day}")
        for model in self.day_models[len(days) :]:
            model.set_day(None)
