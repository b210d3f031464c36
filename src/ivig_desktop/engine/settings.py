"""Site settings: limits no label gives, each with its visible default and reason.

Read from ``resources/site_settings.toml`` or a site's own file; the window's Preferences
build a modified copy with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ivig_desktop import resources
from ivig_desktop.engine import data_bounds, datafile
from ivig_desktop.engine import quantities as fields
from ivig_desktop.engine.units import (
    CM,
    G_PER_KG,
    KG,
    KG_PER_M2,
    MIN,
    ML,
    ML_PER_H,
    ML_PER_KG,
    YEAR,
    Quantity,
)

#: The whole-vial rules a site may choose (engine/vials.py).
VIAL_RULES = ("fewest-vials", "nearest")


@dataclass(frozen=True, slots=True)
class VolumeLimit:
    per_day: Quantity
    per_kg: Quantity
    reason: str


@dataclass(frozen=True, slots=True)
class Range:
    """A site's plausible (or possible) range for one figure, with the reason it is a site choice."""

    low: Quantity
    high: Quantity
    reason: str

    def holds(self, value: Quantity) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True, slots=True)
class ChildBand:
    """Weight and height bands for children younger than ``age_below`` (and older than the band before)."""

    age_below: Quantity
    weight: Range
    height: Range


@dataclass(frozen=True, slots=True)
class Plausibility:
    adult_bmi: Range
    possible_bmi: Range
    child: tuple[ChildBand, ...]
    far_dose_factor: float
    far_volume_fraction: float

    def band(self, age: Quantity) -> ChildBand | None:
        return next((b for b in self.child if age < b.age_below), None)


@dataclass(frozen=True, slots=True)
class SiteSettings:
    revision: str
    rounding_tolerance: float
    pump_resolution: Quantity
    default_step_minutes: Quantity
    max_course_dose: Quantity
    standard_volume: VolumeLimit
    strict_volume: VolumeLimit
    strict_crcl_below: Quantity
    strict_age_above: Quantity
    renal_crcl_below: Quantity
    thrombosis_age_above: Quantity
    vial_rule: str = "fewest-vials"
    plausibility: Plausibility | None = None
    reasons: dict[str, str] = field(default_factory=dict, compare=False)


def _limit(r: datafile.Record, key: str) -> VolumeLimit:
    sub = r.child(key)
    sub.only("per_day", "per_kg", "reason")
    sub.child("per_day").only("value", "unit")
    sub.child("per_kg").only("value", "unit")
    return VolumeLimit(
        sub.quantity("per_day", "[length] ** 3").to(ML),
        sub.quantity("per_kg", "[length] ** 3 / [mass]").to(ML_PER_KG),
        sub.str("reason"),
    )


def _setting(r: datafile.Record, key: str) -> datafile.Record:
    """The table ``key`` of a settings file: a value, its unit and the reason for it."""
    sub = r.child(key)
    sub.only("value", "unit", "reason")
    return sub


def _age(r: datafile.Record, key: str) -> Quantity:
    """An age threshold, within the ages the age field accepts."""
    age = r.quantity(key, "[time]").to(YEAR)
    high = fields.AGE.high
    if high is not None and age.m > high:
        raise r.error(key, f"{age.m:g} years is above {high:g} years, the oldest age the age field accepts")
    return age


def _range(r: datafile.Record, key: str, dimension: str, unit: object, reason: str | None = None) -> Range:
    sub = r.child(key)
    sub.only("low", "high", "unit") if reason is not None else sub.only("low", "high", "unit", "reason")
    u = sub.str("unit")
    low = datafile.Record({"value": sub.number("low"), "unit": u}, r.source, sub.record)
    high = datafile.Record({"value": sub.number("high"), "unit": u}, r.source, sub.record)
    lo = low.quantity_here(dimension, field=key).to(unit)
    hi = high.quantity_here(dimension, field=key).to(unit)
    if lo >= hi:
        raise sub.error("low", "must be below high")
    return Range(lo, hi, reason if reason is not None else sub.str("reason"))


def _plausibility(top: datafile.Record) -> Plausibility:
    """Plausible and possible body figures and how far outside a dose or volume is 'far': all
    site choices (no source gives them), each with its reason."""
    pl = top.child("plausibility")
    pl.only("adult_bmi", "possible_bmi", "far_dose_factor", "far_volume_fraction", "child")
    bands = []
    for i, raw in enumerate(pl.list("child")):
        b = datafile.Record(raw, pl.source, f"plausibility.child[{i + 1}]")
        b.only("age_below", "weight", "height", "reason")
        why = b.str("reason")
        bands.append(
            ChildBand(
                _age(b, "age_below"),
                _range(b, "weight", "[mass]", KG, why),
                _range(b, "height", "[length]", CM, why),
            )
        )
    if any(b.age_below <= a.age_below for a, b in itertools.pairwise(bands)):
        raise pl.error("child", "bands must be listed by rising age_below")
    factor = pl.child("far_dose_factor")
    factor.only("value", "reason")
    far = factor.number("value")
    if far <= 1:
        raise factor.error("value", "must be above 1 (a factor outside the usual range)")
    vol = _setting(pl, "far_volume_fraction")
    if vol.str("unit") != "percent":
        raise vol.error("unit", "must be 'percent'")
    frac = vol.number("value")
    if not 0 <= frac <= 100:
        raise vol.error("value", "must be from 0 to 100 percent")
    return Plausibility(
        _range(pl, "adult_bmi", "[mass] / [length] ** 2", KG_PER_M2),
        _range(pl, "possible_bmi", "[mass] / [length] ** 2", KG_PER_M2),
        tuple(bands),
        far,
        frac / 100,
    )


def load_settings(path: Path | None = None) -> SiteSettings:
    path = path or resources.path("site_settings.toml")
    top = datafile.Record(datafile.load(path), str(path), "")
    top.only(
        "revision",
        "rounding_tolerance",
        "pump_resolution",
        "default_step_minutes",
        "max_course_dose",
        "volume_limit",
        "strict_volume_when",
        "renal_insufficiency",
        "thrombosis_age",
        "vial_rule",
        "plausibility",
    )
    tol = _setting(top, "rounding_tolerance")
    if tol.str("unit") != "percent":
        raise tol.error("unit", "must be 'percent'")
    tolerance = tol.number("value")
    lowest, highest, why = data_bounds.TOLERANCE_PERCENT
    if not lowest <= tolerance <= highest:
        raise tol.error("value", f"{tolerance:g} % is outside {lowest:g}–{highest:g} %: {why}")
    limits = top.child("volume_limit")
    limits.only("standard", "strict")
    strict_when = top.child("strict_volume_when")
    strict_when.only("crcl_below", "age_above")
    renal = top.child("renal_insufficiency")
    renal.only("crcl_below")
    thromb = top.child("thrombosis_age")
    thromb.only("age_above")
    for table, key in ((strict_when, "crcl_below"), (strict_when, "age_above"), (renal, "crcl_below")):
        _setting(table, key)
    _setting(thromb, "age_above")
    reasons = {
        "rounding_tolerance": tol.str("reason"),
        "pump_resolution": _setting(top, "pump_resolution").str("reason"),
        "default_step_minutes": _setting(top, "default_step_minutes").str("reason"),
        "max_course_dose": _setting(top, "max_course_dose").str("reason"),
        "strict_crcl_below": strict_when.child("crcl_below").str("reason"),
        "strict_age_above": strict_when.child("age_above").str("reason"),
        "renal_crcl_below": renal.child("crcl_below").str("reason"),
        "thrombosis_age_above": thromb.child("age_above").str("reason"),
        "vial_rule": top.child("vial_rule").str("reason"),
        "far_dose_factor": top.child("plausibility").child("far_dose_factor").str("reason"),
        "far_volume_fraction": top.child("plausibility").child("far_volume_fraction").str("reason"),
    }
    rule_table = top.child("vial_rule")
    rule_table.only("value", "reason")
    rule = rule_table.str("value")
    if rule not in VIAL_RULES:
        raise rule_table.error("value", f"'{rule}' is not one of {', '.join(VIAL_RULES)}")
    pump = top.child("pump_resolution").quantity_here("[length] ** 3 / [time]", field="pump_resolution")
    coarsest = data_bounds.PUMP_RESOLUTION.high
    assert coarsest is not None
    if pump > coarsest:
        raise top.error(
            "pump_resolution",
            f"{pump.m_as(ML_PER_H):g} mL/h is coarser than {coarsest.m:g} mL/h: "
            f"{data_bounds.PUMP_RESOLUTION.reason}",
        )
    step = top.child("default_step_minutes").quantity_here("[time]", field="default_step_minutes").to(MIN)
    longest = data_bounds.STEP_MINUTES.high
    assert longest is not None
    if step > longest:
        raise top.error(
            "default_step_minutes",
            f"{step.m:g} min is above {longest.m:g} min: {data_bounds.STEP_MINUTES.reason}",
        )
    standard, strict = _limit(limits, "standard"), _limit(limits, "strict")
    for part, word in (("per_day", "mL"), ("per_kg", "mL/kg")):
        if getattr(strict, part) > getattr(standard, part):
            raise limits.error(
                f"strict.{part}",
                f"{getattr(strict, part).m:g} {word} is above the standard limit "
                f"{getattr(standard, part).m:g} {word}; the strict limit must not allow more",
            )
    return SiteSettings(
        revision=top.str("revision"),
        rounding_tolerance=tolerance / 100,
        pump_resolution=pump.to(ML_PER_H),
        default_step_minutes=step,
        max_course_dose=top.child("max_course_dose")
        .quantity_here("[mass] / [mass]", field="max_course_dose")
        .to(G_PER_KG),
        standard_volume=standard,
        strict_volume=strict,
        strict_crcl_below=strict_when.quantity("crcl_below", "[length] ** 3 / [time]"),
        strict_age_above=_age(strict_when, "age_above"),
        renal_crcl_below=renal.quantity("crcl_below", "[length] ** 3 / [time]"),
        thrombosis_age_above=_age(thromb, "age_above"),
        vial_rule=rule,
        plausibility=_plausibility(top),
        reasons=reasons,
    )


@cache
def bundled_settings() -> SiteSettings:
    return load_settings()
