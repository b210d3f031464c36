"""One day's titrated rate schedule: rate ladder, pump rates, step volumes and clock times.

The pump rate of every step is the label dose rate × rate weight ÷ concentration, rounded
*down* to the pump's resolution, so no programmed rate exceeds what the label (or an at-risk
cap) allows. The last step runs only as long as the remaining volume needs, so step volumes
add up to the day's volume and the end time is true.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.formulary import Titration
from ivig_desktop.engine.units import (
    MG_PER_KG_MIN,
    MIN,
    MIN_PER_H,
    ML,
    ML_PER_H,
    Q_,
    Quantity,
    cache_by_identity,
    floor_to_step,
    mag,
    pump_rate,
)


@dataclass(frozen=True, slots=True)
class Rung:
    """One rate of the ladder and how long it is held before the next (None: until done)."""

    dose_rate: Quantity
    hold: Quantity | None


@dataclass(frozen=True, slots=True)
class Ladder:
    rungs: tuple[Rung, ...]
    ceiling: Quantity
    """The highest dose rate this ladder may reach (label max, or a lower cap)."""
    start_skipped: bool
    step_source: str
    strict: bool = False
    """The ceiling is a "less than" limit (Octagam 5 %: "less than 0.07 mL/kg/min"): the top
    pump rate is set one pump step below a rate that would reach it."""


@dataclass(frozen=True, slots=True)
class Step:
    offset: Quantity
    """Start, as time since the infusion began."""
    duration: Quantity
    dose_rate: Quantity
    """Dose rate the programmed pump rate actually delivers (≤ the ladder's rung)."""
    rate: Quantity
    volume: Quantity
    cumulative_volume: Quantity


@dataclass(frozen=True)
class DaySchedule:
    """A day's steps. Kept as numbers in fixed units (min, mg/kg/min, mL/h, mL) and turned into
    Quantities on first use, so alternatives that need only the duration stay cheap."""

    rows: tuple[tuple[float, float, float, float, float, float], ...]
    """(offset min, duration min, dose rate mg/kg/min, rate mL/h, volume mL, cumulative mL)"""
    start: datetime
    minutes: float

    @cached_property
    def steps(self) -> tuple[Step, ...]:
        return tuple(
            Step(
                Q_(offset, MIN),
                Q_(minutes, MIN),
                Q_(dose_rate, MG_PER_KG_MIN),
                Q_(rate, ML_PER_H),
                Q_(volume, ML),
                Q_(cumulative, ML),
            )
            for offset, minutes, dose_rate, rate, volume, cumulative in self.rows
        )

    @property
    def duration(self) -> Quantity:
        return Q_(self.minutes, MIN)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)

    def clock(self, step: Step) -> datetime:
        return self.start + timedelta(minutes=float(step.offset.m_as(MIN)))

    def moved(self, start: datetime) -> DaySchedule:
        """The same steps on another day (a course repeats a day's schedule at the same clock time)."""
        return DaySchedule(self.rows, start, self.minutes)

    @property
    def peak_rate(self) -> Quantity:
        return Q_(max(r[3] for r in self.rows), ML_PER_H)


#: Upper bound on the rungs of one ladder. Label ladders have 4 to 9 rungs; the bound keeps a
#: hostile increment (1e-7 mg/kg/min) or start/maximum ratio from building millions of steps.
MAX_RUNGS = 100


@cache_by_identity
def _label_rates(titration: Titration) -> tuple[tuple[float, ...], float, float | None]:
    """The label's own rungs in mg/kg/min (list, doubling or increment), the label maximum,
    and the rate later infusions may start at. Cached: a titration never changes once loaded.

    The number of rungs is worked out before any is built and refused above :data:`MAX_RUNGS`.
    """
    top = mag(titration.max_rate, MG_PER_KG_MIN)
    start = mag(titration.start_rate, MG_PER_KG_MIN)
    if titration.escalation == "list":
        rates = [mag(r, MG_PER_KG_MIN) for r in titration.rates]
        needed = len(rates)
    else:
        if titration.escalation == "doubling":
            step = None
            needed = 1 if top <= start else math.ceil(math.log2(top / start)) + 1
        else:
            assert titration.increment is not None
            step = mag(titration.dose_rate(titration.increment), MG_PER_KG_MIN)
            needed = (
                1 if top <= start else (math.ceil((top - start) / step) + 1 if step > 0 else MAX_RUNGS + 1)
            )
    if needed > MAX_RUNGS:
        raise InputError(
            "titration",
            f"the {titration.indication} rates from {start:g} to {top:g} mg/kg/min would need "
            f"{needed:,} steps (bound {MAX_RUNGS}); check the formulary's start, increment and maximum",
        )
    if titration.escalation != "list":
        rates = [start]
        while True:
            nxt = rates[-1] * 2 if step is None else rates[-1] + step
            if nxt >= top * (1 - 1e-9):
                break
            rates.append(nxt)
        if rates[-1] < top:
            rates.append(top)
    later = (
        mag(titration.dose_rate(titration.subsequent_start), MG_PER_KG_MIN)
        if titration.subsequent_start is not None
        else None
    )
    return tuple(rates), top, later


def build_ladder(
    titration: Titration,
    *,
    subsequent: bool = False,
    cap: Quantity | None,
    default_step: Quantity,
    strict: bool = False,
) -> Ladder:
    """The dose rates to step through, in mg/kg/min, capped at ``cap`` when given.

    The ladder starts at the label's initial rate. Only ``subsequent`` (the order says the
    patient has tolerated this product before, and no start-low reason applies) lets a product
    with a faster subsequent-infusion start (Gammaplex 10 %) skip its lowest rungs.
    """
    label, top, later = _label_rates(titration)
    rates = list(label)
    skipped = False
    if subsequent and later is not None:
        kept = [r for r in rates if r >= later * (1 - 1e-9)]
        skipped = len(kept) < len(rates)
        rates = kept if kept else [later]
    cap_value = mag(cap, MG_PER_KG_MIN) if cap is not None else None
    ceiling = top if cap_value is None or cap_value >= top else cap_value
    if ceiling < top:
        rates = [r for r in rates if r < ceiling * (1 - 1e-9)]
        rates.append(ceiling)
    step = titration.step_minutes or default_step
    source = "label/protocol interval" if titration.step_minutes is not None else "site default interval"
    first = titration.start_minutes or step
    rungs = tuple(
        Rung(Q_(r, MG_PER_KG_MIN), None if i == len(rates) - 1 else (first if i == 0 else step))
        for i, r in enumerate(rates)
    )
    return Ladder(rungs, Q_(ceiling, MG_PER_KG_MIN), skipped, source, strict and ceiling < top)


def schedule_day(
    volume: Quantity,
    weight: Quantity,
    concentration: Quantity,
    ladder: Ladder,
    pump_resolution: Quantity,
    start: datetime,
) -> DaySchedule:
    # The unit system gives the pump rate for 1 mg/kg/min at this weight and concentration once;
    # the loop then scales plain numbers in fixed units (mL/h, min, mL), since it runs on every
    # keystroke in the window, several times per plan (alternatives).
    per_dose_rate = pump_rate(Q_(1.0, MG_PER_KG_MIN), weight, concentration)
    ml_h_per_dose_rate = mag(per_dose_rate, ML_PER_H)
    total = mag(volume, ML)
    strict_top = mag(ladder.ceiling, MG_PER_KG_MIN) if ladder.strict else None
    step_ml_h = mag(pump_resolution, ML_PER_H)
    rows: list[tuple[float, float, float, float, float, float]] = []
    elapsed = 0.0
    given = 0.0
    for rung in ladder.rungs:
        exact = Q_(ml_h_per_dose_rate * mag(rung.dose_rate, MG_PER_KG_MIN), ML_PER_H)
        rate = mag(floor_to_step(exact, pump_resolution), ML_PER_H)
        if strict_top is not None and rate / ml_h_per_dose_rate >= strict_top * (1 - 1e-9):
            rate -= step_ml_h
        if rate <= 0:
            raise InputError(
                "weight",
                f"at {weight.m_as('kilogram'):g} kg the pump rate for "
                f"{rung.dose_rate.m_as(MG_PER_KG_MIN):g} mg/kg/min is below the pump resolution "
                f"{pump_resolution.m_as(ML_PER_H):g} mL/h",
            )
        delivered = rate / ml_h_per_dose_rate
        remaining = total - given
        hold = mag(rung.hold, MIN) if rung.hold is not None else None
        step_volume = rate * hold / MIN_PER_H if hold is not None else None
        if step_volume is None or step_volume >= remaining:
            minutes = remaining / rate * MIN_PER_H
            rows.append((elapsed, minutes, delivered, rate, remaining, total))
            elapsed += minutes
            break
        assert hold is not None
        given += step_volume
        rows.append((elapsed, hold, delivered, rate, step_volume, given))
        elapsed += hold
    return DaySchedule(tuple(rows), start, elapsed)
