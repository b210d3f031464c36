"""One day's titrated rate schedule: rate ladder, pump rates, step volumes and clock times.

The pump rate of every step is the label dose rate × rate weight ÷ concentration, rounded
*down* to the pump's resolution, so no programmed rate exceeds what the label (or an at-risk
cap) allows. The last step runs only as long as the remaining volume needs, so step volumes
add up to the day's volume and the end time is true.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.formulary import Titration
from ivig_desktop.engine.units import (
    MG_PER_KG_MIN,
    MIN,
    ML,
    ML_PER_H,
    Q_,
    Quantity,
    floor_to_step,
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


@dataclass(frozen=True, slots=True)
class DaySchedule:
    steps: tuple[Step, ...]
    start: datetime
    duration: Quantity

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=float(self.duration.m_as(MIN)))

    def clock(self, step: Step) -> datetime:
        return self.start + timedelta(minutes=float(step.offset.m_as(MIN)))

    @property
    def peak_rate(self) -> Quantity:
        return max(s.rate for s in self.steps)


def build_ladder(
    titration: Titration,
    *,
    start_low: bool,
    cap: Quantity | None,
    default_step: Quantity,
) -> Ladder:
    """The dose rates to step through, in mg/kg/min, capped at ``cap`` when given."""
    top = titration.max_rate
    if titration.escalation == "list":
        rates = list(titration.rates)
    else:
        rates = [titration.start_rate]
        grow = (
            (lambda r: r * 2)
            if titration.escalation == "doubling"
            else (lambda r: r + titration.dose_rate(titration.increment))  # type: ignore[arg-type]
        )
        while True:
            nxt = grow(rates[-1])
            if nxt >= top * (1 - 1e-9):
                break
            rates.append(nxt)
        if rates[-1] < top:
            rates.append(top)
    skipped = False
    if not start_low and titration.subsequent_start is not None:
        later = titration.dose_rate(titration.subsequent_start)
        kept = [r for r in rates if r >= later * (1 - 1e-9)]
        skipped = len(kept) < len(rates)
        rates = kept if kept else [later]
    ceiling = top if cap is None or cap >= top else cap
    if ceiling < top:
        rates = [r for r in rates if r < ceiling * (1 - 1e-9)]
        rates.append(ceiling)
    step = titration.step_minutes or default_step
    source = "label/protocol interval" if titration.step_minutes is not None else "site default interval"
    first = titration.start_minutes or step
    rungs = tuple(
        Rung(r.to(MG_PER_KG_MIN), None if i == len(rates) - 1 else (first if i == 0 else step))
        for i, r in enumerate(rates)
    )
    return Ladder(rungs, ceiling.to(MG_PER_KG_MIN), skipped, source)


def schedule_day(
    volume: Quantity,
    weight: Quantity,
    concentration: Quantity,
    ladder: Ladder,
    pump_resolution: Quantity,
    start: datetime,
) -> DaySchedule:
    total = volume.to(ML)
    steps: list[Step] = []
    elapsed = Q_(0.0, MIN)
    given = Q_(0.0, ML)
    for rung in ladder.rungs:
        rate = floor_to_step(pump_rate(rung.dose_rate, weight, concentration), pump_resolution)
        if rate.m <= 0:
            raise InputError(
                "weight",
                f"at {weight.m_as('kg'):g} kg the pump rate for "
                f"{rung.dose_rate.m_as(MG_PER_KG_MIN):g} mg/kg/min is below the pump "
                f"resolution {pump_resolution.m_as(ML_PER_H):g} mL/h",
            )
        delivered = (rate * concentration / weight).to(MG_PER_KG_MIN)
        remaining = total - given
        step_volume = (rate * rung.hold).to(ML) if rung.hold is not None else None
        if step_volume is None or step_volume >= remaining:
            duration = (remaining / rate).to(MIN)
            steps.append(Step(elapsed, duration, delivered, rate, remaining, total))
            elapsed = elapsed + duration
            break
        assert rung.hold is not None
        given = given + step_volume
        steps.append(Step(elapsed, rung.hold.to(MIN), delivered, rate, step_volume, given))
        elapsed = elapsed + rung.hold
    return DaySchedule(tuple(steps), start, elapsed.to(MIN))
