"""Safer versions of the same course, offered only when a warning asks for one.

A warning names the kinds of alternative that may clear it (``Warning.remedies``): the volume
load asks for a 10 % product or more days, an at-risk patient with no numeric label cap asks for
a lower maximum rate. Each alternative is the same order with one thing changed, planned in full
(without alternatives or a policy comparison of its own; the plan lends it the dosing weight,
renal function and risks, which one change cannot alter), so what it shows is what applying it
gives. It states in data (``resolves``, ``unresolved``) and in words whether it clears each
warning that called for it, and is dropped when it changes nothing (same volume per day and same
time per day).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ivig_desktop.engine.display import number
from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.units import KG, MG_PER_KG_MIN, MIN, ML, ML_PER_KG, Q_, Quantity

if TYPE_CHECKING:
    from ivig_desktop.engine.plan import Catalogue, Order, Plan


@dataclass(frozen=True, slots=True)
class Alternative:
    kind: str
    """product, days or rate."""
    description: str
    order: Order
    volume_per_day: Quantity
    volume_per_kg: Quantity
    duration_per_day: Quantity
    days: int
    resolves: tuple[str, ...] = ()
    """Codes of the warnings that called for it and are gone when it is applied."""
    unresolved: tuple[str, ...] = ()
    """Codes of the warnings that called for it and remain when it is applied."""
    effect: str = ""
    """The same, in words."""


def _calling(plan: Plan) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for w in plan.warnings:
        if w.remedies:
            out[w.code] = out.get(w.code, frozenset()) | w.remedies
    return out


def _summary(message: str) -> str:
    return message.split(". ")[0].rstrip(".")


def find(plan: Plan, cat: Catalogue, make: Callable[[Order], Plan]) -> tuple[Alternative, ...]:
    """The alternatives ``plan``'s warnings ask for; ``make`` plans a changed order for the same
    patient, exactly as ``make_plan(plan.patient, order, cat, alternatives=False, compare=False)``."""
    calling = _calling(plan)
    if not calling:
        return ()
    kinds = frozenset().union(*calling.values())
    order = plan.order
    n = len(plan.days)
    # The same course as a per-kg course (not per day), with the maximum as the dose rate applied.
    per_kg_order = replace(order, dose=plan.course_dose_per_kg, dose_per_day=False, days=n)
    volume = plan.max_day_volume.m_as(ML)
    duration = max(d.schedule.minutes for d in plan.days)
    out: list[Alternative] = []

    def add(kind: str, text: str, new_order: Order) -> None:
        try:
            new = make(new_order)
        except InputError:
            return
        new_volume = new.max_day_volume
        new_minutes = max(d.schedule.minutes for d in new.days)
        if abs(new_volume.m_as(ML) - volume) < 1e-6 and abs(new_minutes - duration) < 1e-6:
            return  # changes nothing
        asked = [code for code, fix in calling.items() if kind in fix]
        left = {w.code: w for w in new.warnings if w.remedies}
        resolves = tuple(c for c in asked if c not in left)
        unresolved = tuple(c for c in asked if c in left)
        words = [f"resolves {c}" for c in resolves] + [
            f"does not resolve {c} ({_summary(left[c].message)})" for c in unresolved
        ]
        heaviest = max(new.days, key=lambda d: d.schedule.rows[-1][5])  # the day's total mL
        out.append(
            Alternative(
                kind,
                text,
                new_order,
                new_volume,
                heaviest.volume_per_kg,
                Q_(new_minutes, MIN),
                len(new.days),
                resolves,
                unresolved,
                "; ".join(words),
            )
        )

    if "product" in kinds and plan.product.percent < 10:
        wanted = plan.regimen.titration if plan.regimen else None
        tens = [p for p in cat.formulary.products.values() if p.percent >= 10 and p.vials]
        labelled = [p for p in tens if wanted in p.titrations] or tens
        labelled.sort(key=lambda p: (p.manufacturer != plan.product.manufacturer, p.name))
        if labelled:
            alt_p = labelled[0]
            add(
                "product",
                f"Same course with {alt_p.name} ({number(alt_p.percent, 1)} %): half the volume",
                replace(per_kg_order, product=alt_p.id),
            )
    if "days" in kinds:
        limit = plan.volume_limit
        weight = plan.volume_weight.m_as(KG)
        reg = plan.regimen
        max_days = max(reg.days_range[1] if reg and reg.days_range else n + 1, n + 1)
        for days in range(n + 1, max_days + 1):
            vol = volume * n / days
            if days == max_days or (
                vol <= limit.per_day.m_as(ML) and vol / weight <= limit.per_kg.m_as(ML_PER_KG)
            ):
                add("days", f"Same course over {days} days", replace(per_kg_order, days=days))
                break
    if "rate" in kinds:
        rungs = [r.dose_rate for r in plan.ladder.rungs[:-1]]
        if rungs:
            lower = rungs[-1].to(MG_PER_KG_MIN)
            add("rate", f"Lower maximum rate {number(lower.m, 2)} mg/kg/min", replace(order, max_rate=lower))
    return tuple(out)
