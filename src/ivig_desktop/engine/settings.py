"""Site settings: limits no label gives, each with its visible default and reason.

Read from ``resources/site_settings.toml`` or a site's own file; the window's Preferences
build a modified copy with :func:`dataclasses.replace`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ivig_desktop import resources
from ivig_desktop.engine import datafile
from ivig_desktop.engine.units import G_PER_KG, MIN, ML, ML_PER_H, ML_PER_KG, YEAR, Quantity


@dataclass(frozen=True, slots=True)
class VolumeLimit:
    per_day: Quantity
    per_kg: Quantity
    reason: str


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
    reasons: dict[str, str] = field(default_factory=dict, compare=False)


def _limit(r: datafile.Record, key: str) -> VolumeLimit:
    sub = r.child(key)
    return VolumeLimit(
        sub.quantity("per_day", "[length] ** 3").to(ML),
        sub.quantity("per_kg", "[length] ** 3 / [mass]").to(ML_PER_KG),
        sub.str("reason"),
    )


def load_settings(path: Path | None = None) -> SiteSettings:
    path = path or resources.path("site_settings.toml")
    top = datafile.Record(datafile.load(path), str(path), "")
    tol = top.child("rounding_tolerance")
    if tol.str("unit") != "percent":
        raise tol.error("unit", "must be 'percent'")
    tolerance = tol.number("value")
    if not 0 <= tolerance < 100:
        raise tol.error("value", "must be from 0 up to (not including) 100 percent")
    limits = top.child("volume_limit")
    strict_when = top.child("strict_volume_when")
    renal = top.child("renal_insufficiency")
    thromb = top.child("thrombosis_age")
    reasons = {
        "rounding_tolerance": tol.str("reason"),
        "pump_resolution": top.child("pump_resolution").str("reason"),
        "default_step_minutes": top.child("default_step_minutes").str("reason"),
        "max_course_dose": top.child("max_course_dose").str("reason"),
        "strict_crcl_below": strict_when.child("crcl_below").str("reason"),
        "strict_age_above": strict_when.child("age_above").str("reason"),
        "renal_crcl_below": renal.child("crcl_below").str("reason"),
        "thrombosis_age_above": thromb.child("age_above").str("reason"),
    }
    return SiteSettings(
        revision=top.str("revision"),
        rounding_tolerance=tolerance / 100,
        pump_resolution=top.child("pump_resolution").quantity_here("[length] ** 3 / [time]").to(ML_PER_H),
        default_step_minutes=top.child("default_step_minutes").quantity_here("[time]").to(MIN),
        max_course_dose=top.child("max_course_dose").quantity_here("[mass] / [mass]").to(G_PER_KG),
        standard_volume=_limit(limits, "standard"),
        strict_volume=_limit(limits, "strict"),
        strict_crcl_below=strict_when.quantity("crcl_below", "[length] ** 3 / [time]"),
        strict_age_above=strict_when.quantity("age_above", "[time]").to(YEAR),
        renal_crcl_below=renal.quantity("crcl_below", "[length] ** 3 / [time]"),
        thrombosis_age_above=thromb.quantity("age_above", "[time]").to(YEAR),
        reasons=reasons,
    )


@cache
def bundled_settings() -> SiteSettings:
    return load_settings()
