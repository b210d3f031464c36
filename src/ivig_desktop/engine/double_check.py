"""Independent double check: the figures of two plans of one order, compared one by one.

ISMP: a second clinician re-enters the order from the prescription without seeing the first
result (clinical-anchors §3.2), and the two calculations are compared. This module holds the
comparison only. Each plan is reduced to the figures that reach the patient, *as they are
printed* (engine.display), so two entries that print the same (80 kg, or 176.37 lb read as
80 kg) match, and any figure a nurse would read differently is a difference with both values
in words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ivig_desktop.engine import display as d
from ivig_desktop.engine.plan import DayPlan, Plan
from ivig_desktop.engine.start_rate import START_LOW_REASONS
from ivig_desktop.engine.units import Quantity

#: What a figure reads as when one plan has it and the other has not (e.g. a sixth step).
ABSENT = "none"


@dataclass(frozen=True, slots=True)
class Figure:
    """One compared figure: ``key`` is what is compared, ``words`` what a person is shown
    (the same, or with the unit as typed beside it: "176.37 lb (80 kg)")."""

    field: str
    key: str
    words: str


@dataclass(frozen=True, slots=True)
class Difference:
    """A figure the two plans print differently: the first plan's value and the checker's."""

    field: str
    plan: str
    check: str

    def sentence(self) -> str:
        return f"{self.field}: plan {self.plan}; check {self.check}"


@dataclass(frozen=True, slots=True)
class Comparison:
    differences: tuple[Difference, ...]
    fields: int
    """How many figures were compared (both plans' fields together)."""

    @property
    def matched(self) -> bool:
        return not self.differences

    @property
    def result(self) -> str:
        return "match" if self.matched else "mismatch"


def _same(field: str, text: str) -> Figure:
    return Figure(field, text, text)


def _typed(q: Quantity, kind: str) -> Figure:
    """Compared in the printed fixed unit; shown with the unit the clinician typed when it differs."""
    fixed = d.fmt(q, kind)
    typed = f"{d.number(float(q.m), 3)} {q.units:~}"
    return Figure("", fixed, fixed if typed == fixed else f"{typed} ({fixed})")


def _product(plan: Plan) -> str:
    p = plan.product
    return p.name if "%" in p.name else f"{p.name} {d.number(p.percent, 1)} %"


def _names(items: Iterable[str]) -> str:
    return ", ".join(sorted(items)) or ABSENT


def plan_figures(plan: Plan) -> tuple[Figure, ...]:
    """Every figure of ``plan`` that reaches the patient, in the order a sheet is read.

    Day-by-day figures are named "day N …"; :func:`compare` folds days that differ alike.
    """
    p, o = plan.patient, plan.order
    out: list[Figure] = []

    def add(field: str, fig: Figure | str) -> None:
        out.append(_same(field, fig) if isinstance(fig, str) else Figure(field, fig.key, fig.words))

    add("weight", _typed(p.actual_weight, "weight"))
    add("height", _typed(p.height, "height"))
    add("sex", p.sex.value)
    add("age", f"{d.number(p.age_years, 1)} y")
    add("serum creatinine", _typed(p.serum_creatinine, "creatinine") if p.serum_creatinine else ABSENT)
    add("pregnant", "yes" if p.pregnant else "no")
    if p.pre_pregnancy_weight is not None:
        add("pre-pregnancy weight", _typed(p.pre_pregnancy_weight, "weight"))
    add("product", _product(plan))
    add("indication", plan.regimen.name if plan.regimen else "no indication")
    add("dosing weight", d.fmt(plan.dosing.weight, "weight"))
    add("dosing weight basis", plan.dosing.basis)
    add("course dose", d.fmt(plan.course_dose, "dose"))
    add("course dose per kg", d.fmt(plan.course_dose_per_kg, "dose_per_kg"))
    add("days", f"{len(plan.days)} day" + ("s" if len(plan.days) != 1 else ""))
    add("start low", _names(START_LOW_REASONS.get(r, r) for r in o.start_low))
    add("risk factors", _names(o.risks))
    add("overrides", _names(x.kind for x in o.overrides))
    add("prescriber's maximum rate", d.fmt(o.max_rate, "dose_rate") if o.max_rate is not None else ABSENT)
    add("maximum dose rate (caps applied)", d.fmt(plan.ladder.ceiling, "dose_rate"))
    add("warnings", _names({f"{w.code} ({w.severity.label})" for w in plan.warnings}))
    for day in plan.days:
        out.extend(_day_figures(plan, day))
    return tuple(out)


def _day_figures(plan: Plan, day: DayPlan) -> list[Figure]:
    sched = day.schedule
    elapsed = not plan.clock_given
    vials = ", ".join(f"{c.count} × {d.fmt(c.vial.size, 'dose')}" for c in day.pick.counts)
    at = f"day {day.day} "
    rows = [
        (at + "daily dose prescribed", d.fmt(day.prescribed, "dose")),
        (at + "daily dose given", d.fmt(day.dose, "dose")),
        (at + "vials", vials or "no vial sizes in formulary"),
        (at + "volume", f"{d.fmt(day.volume, 'volume')} ({d.fmt(day.volume_per_kg, 'volume_per_kg')})"),
        (at + "steps", f"{len(sched.steps)} step" + ("s" if len(sched.steps) != 1 else "")),
    ]
    for n, s in enumerate(sched.steps, 1):
        step = f"{at}step {n} "
        rows += [
            (step + "start", d.clock(sched.clock(s), sched.start, elapsed=elapsed)),
            (step + "dose rate", d.fmt(s.dose_rate, "dose_rate")),
            (step + "pump rate", d.fmt(s.rate, "rate")),
            (step + "duration", d.duration(s.duration)),
        ]
    rows += [
        (at + "end", d.clock(sched.end, sched.start, elapsed=elapsed)),
        (at + "infusion time", d.duration(sched.duration)),
    ]
    return [_same(f, t) for f, t in rows]


def _day_of(field: str) -> tuple[int | None, str]:
    """("day 3 step 1 start") → (3, "step 1 start"); (None, field) for course figures."""
    head, _, rest = field.partition(" ")
    if head == "day":
        number, _, rest = rest.partition(" ")
        if number.isdigit():
            return int(number), rest
    return None, field


def _days_label(days: list[int]) -> str:
    if len(days) == 1:
        return f"day {days[0]}"
    if days == list(range(days[0], days[-1] + 1)):
        return f"days {days[0]}–{days[-1]}"
    return "days " + ", ".join(map(str, days))


def compare_figures(plan: Iterable[Figure], check: Iterable[Figure]) -> Comparison:
    """The differences between two figure lists, in the first list's order, then the check's.

    A difference that recurs unchanged on several days (every day of a course is the same
    steps) is reported once, naming the days.
    """
    first = {f.field: f for f in plan}
    second = {f.field: f for f in check}
    order = list(first) + [k for k in second if k not in first]
    raw: list[tuple[str, str, str]] = []
    for name in order:
        a, b = first.get(name), second.get(name)
        if a is not None and b is not None and a.key == b.key:
            continue
        raw.append((name, a.words if a else ABSENT, b.words if b else ABSENT))
    # A course figure is a Difference in place; a day figure a key whose days gather.
    days_of: dict[tuple[str, str, str], list[int]] = {}
    slots: list[Difference | tuple[str, str, str]] = []
    for name, a_words, b_words in raw:
        day, rest = _day_of(name)
        if day is None:
            slots.append(Difference(name, a_words, b_words))
            continue
        key = (rest, a_words, b_words)
        if key not in days_of:
            days_of[key] = []
            slots.append(key)
        days_of[key].append(day)
    out = [
        s if isinstance(s, Difference) else Difference(f"{_days_label(days_of[s])} {s[0]}", s[1], s[2])
        for s in slots
    ]
    return Comparison(tuple(out), len(order))


def compare(plan: Plan, check: Plan) -> Comparison:
    """Compare the first clinician's plan with the checker's re-entry of the same order."""
    return compare_figures(plan_figures(plan), plan_figures(check))


def same_person(a: str, b: str) -> bool:
    """Names compare on their letters and digits only: "J. Smith", "j smith" and "JSmith" are one
    person (initials for a full name cannot be told apart, so each clinician types theirs)."""

    def letters(name: str) -> str:
        return "".join(ch for ch in name.casefold() if ch.isalnum())

    return letters(a) == letters(b)
