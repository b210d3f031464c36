"""What follows from a product, a course and a rate ceiling: each day's vials, the ladder, the schedules.

One value in (:class:`LayoutRequest`), one value out (:class:`Layout`). The plan lays itself out
once; each alternative lays out the same request with one thing changed (product, days or
maximum rate), so what an alternative shows is what applying it would give.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ivig_desktop.engine.display import number
from ivig_desktop.engine.formulary import AtRiskCap, Product, Titration
from ivig_desktop.engine.overrides import Override
from ivig_desktop.engine.regimens import Regimen
from ivig_desktop.engine.risk import RiskProfile
from ivig_desktop.engine.schedule import DaySchedule, Ladder, build_ladder, schedule_day
from ivig_desktop.engine.settings import SiteSettings
from ivig_desktop.engine.units import MG_PER_KG_MIN, ML, Quantity
from ivig_desktop.engine.vials import VialPick, pick_course

#: Day 1 of an undated plan: clock arithmetic needs a date; an undated printout shows only times.
DAY_ONE = date(2000, 1, 1)


def day_start(clock: time | None, day: int, first_date: date | None = None) -> datetime:
    """Day ``day`` of the course starts ``day - 1`` calendar days after the first infusion."""
    return datetime.combine((first_date or DAY_ONE) + timedelta(days=day - 1), clock or time(0, 0))


@dataclass(frozen=True, slots=True)
class LayoutRequest:
    """Everything a layout needs, in one value."""

    product: Product
    regimen: Regimen | None
    risk: RiskProfile
    overrides: Mapping[str, Override]
    max_rate: Quantity | None
    """A lower maximum dose rate chosen by the prescriber."""
    subsequent: bool
    """Start at the product's subsequent-infusion rate (tolerated before, no start-low reason)."""
    course: Quantity
    n_days: int
    weight: Quantity
    settings: SiteSettings
    clock: time | None
    first_date: date | None = None


@dataclass(frozen=True, slots=True)
class RateCeiling:
    """The rate the ladder may reach when it is below the label maximum, and why."""

    rate: Quantity | None
    reason: str
    strict: bool = False


@dataclass(frozen=True, slots=True)
class Layout:
    titration: Titration
    titration_note: str
    off_label: bool
    ceiling: RateCeiling
    unapplied_caps: tuple[tuple[AtRiskCap, tuple[str, ...]], ...]
    """At-risk caps that match the patient but were not applied (unverified, or overridden)."""
    picks: tuple[VialPick, ...]
    volumes: tuple[Quantity, ...]
    ladder: Ladder
    schedules: tuple[DaySchedule, ...]

    @property
    def max_volume(self) -> Quantity:
        return max(self.volumes)

    @property
    def longest(self) -> Quantity:
        return max(s.duration for s in self.schedules)


def choose_titration(product: Product, regimen: Regimen | None) -> tuple[Titration, str, bool]:
    """The label titration to use, a note on why, and whether the use is off-label."""
    if regimen is not None and regimen.titration in product.titrations:
        assert regimen.titration is not None
        return product.titrations[regimen.titration], f"{product.name} label, {regimen.titration}", False
    # Off-label: the product's most cautious labelled titration (lowest maximum, then lowest start).
    slowest = min(product.titrations.values(), key=lambda t: (t.max_rate.m, t.start_rate.m, t.indication))
    why = (
        f"no {product.name} label rates for {regimen.name}" if regimen is not None else "no indication chosen"
    )
    return (
        slowest,
        f"{why}: using its {slowest.indication} rates (lowest labelled maximum)",
        (regimen is not None),
    )


def lay_out(req: LayoutRequest) -> Layout:
    product, regimen, weight = req.product, req.regimen, req.weight
    titration, titration_note, off_label = choose_titration(product, regimen)
    # Rate ceiling: label max, lowered by numeric at-risk caps, a prescriber's cap, or the
    # regimen's fixed infusion time; each lowering is reported by the checks.
    caps: list[tuple[Quantity, str, bool]] = []
    unapplied: list[tuple[AtRiskCap, tuple[str, ...]]] = []
    for cap in product.caps:
        hit = tuple(k for k in cap.risks if k in req.risk.kinds)
        if not hit:
            continue
        if cap.provenance.verified and "rate-cap" not in req.overrides:
            caps.append(
                (
                    cap.rate,
                    f"{product.name} label cap for {' and '.join(hit)} risk ({cap.provenance.source})",
                    cap.strict,
                )
            )
        else:
            unapplied.append((cap, hit))
    if req.max_rate is not None:
        caps.append((req.max_rate.to(MG_PER_KG_MIN), "maximum rate chosen by the prescriber", False))
    s = req.settings
    picks = pick_course(req.course, req.n_days, product.vials, s.rounding_tolerance, s.vial_rule)
    # A balanced course has at most two distinct picks: convert each once.
    by_pick: dict[int, Quantity] = {}
    for p in picks:
        if id(p) not in by_pick:
            by_pick[id(p)] = (p.dose / product.conc).to(ML)
    volumes = tuple(by_pick[id(p)] for p in picks)
    if regimen is not None and regimen.infusion_hours is not None:
        shortest = regimen.infusion_hours[0]
        fixed = (max(volumes) / shortest * product.conc / weight).to(MG_PER_KG_MIN)
        caps.append(
            (
                fixed,
                f"{regimen.name}: infused over "
                f"{number(shortest.m, 1)}–{number(regimen.infusion_hours[1].m, 1)} h",
                False,
            )
        )
    low = min(caps, key=lambda c: (c[0].m, not c[2])) if caps else None
    ceiling = RateCeiling(low[0], low[1], low[2]) if low else RateCeiling(None, "")
    ladder = build_ladder(
        titration,
        subsequent=req.subsequent,
        cap=ceiling.rate,
        default_step=s.default_step_minutes,
        strict=ceiling.strict,
    )
    # Days with the same volume share one schedule (only the date moves).
    by_volume: dict[float, DaySchedule] = {}
    schedules = []
    for d, volume in enumerate(volumes, start=1):
        key = float(volume.m_as(ML))
        first = by_volume.get(key)
        if first is None:
            first = schedule_day(
                volume,
                weight,
                product.conc,
                ladder,
                s.pump_resolution,
                day_start(req.clock, d, req.first_date),
            )
            by_volume[key] = first
            schedules.append(first)
        else:
            schedules.append(first.moved(day_start(req.clock, d, req.first_date)))
    return Layout(
        titration,
        titration_note,
        off_label,
        ceiling,
        tuple(unapplied),
        picks,
        volumes,
        ladder,
        tuple(schedules),
    )
