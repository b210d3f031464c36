"""The risk screen: which boxed-warning and product risks apply, and what they do to a plan.

Risk factor lists are the class boxed warning's (products.md §0.2); the numbers behind
"age greater than 65" are label text, the others (renal insufficiency by CrCl, "advanced
age", the stricter volume limit) are site settings with their reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivig_desktop.engine.patient import CreatinineClearance, Patient
from ivig_desktop.engine.risk_factors import RISK_FACTORS, RISK_IDS, RiskFactor, Severity, Warning
from ivig_desktop.engine.settings import SiteSettings, VolumeLimit
from ivig_desktop.engine.units import ML_PER_MIN, Q_, YEAR

_LABELS = {r.id: r.label for r in RISK_FACTORS}
__all__ = [
    "RISK_FACTORS",
    "RISK_IDS",
    "RiskFactor",
    "RiskProfile",
    "Severity",
    "Warning",
    "assess",
    "check_factors",
]

#: Boxed warning: "age greater than 65" predisposes to renal dysfunction (all US IVIG labels).
RENAL_AGE_ABOVE = Q_(65, YEAR)


@dataclass(frozen=True, slots=True)
class RiskProfile:
    renal: tuple[str, ...]
    thrombosis: tuple[str, ...]
    strict_volume: tuple[str, ...]
    factors: frozenset[str]

    @property
    def kinds(self) -> frozenset[str]:
        out = set()
        if self.renal:
            out.add("renal")
        if self.thrombosis:
            out.add("thrombosis")
        return frozenset(out)

    def volume_limit(self, settings: SiteSettings) -> VolumeLimit:
        return settings.strict_volume if self.strict_volume else settings.standard_volume


def assess(
    patient: Patient,
    crcl: CreatinineClearance | None,
    factors: frozenset[str],
    settings: SiteSettings,
) -> RiskProfile:
    """Turn the ticked factors plus age and CrCl into reasons, in words, per risk kind."""
    renal = [_LABELS[f].lower() for f in sorted(factors) if _group(f) == "renal"]
    thromb = [_LABELS[f].lower() for f in sorted(factors) if _group(f) == "thrombotic"]
    strict = []
    age = patient.age
    if age > RENAL_AGE_ABOVE:
        renal.append(f"age {patient.age_years:.0f} y > 65 (boxed warning)")
    if age > settings.thrombosis_age_above:
        thromb.append(
            f"age {patient.age_years:.0f} y > {settings.thrombosis_age_above.m:g} "
            "('advanced age', site setting)"
        )
    if age > settings.strict_age_above:
        strict.append(f"age {patient.age_years:.0f} y > {settings.strict_age_above.m:g}")
    if crcl is not None and crcl.value is not None:
        v = crcl.value.m_as(ML_PER_MIN)
        # Under 18 the figure is the bedside Schwartz eGFR (mL/min/1.73 m²), named as such.
        what = f"{crcl.label} {v:.0f} {crcl.unit_text}"
        if crcl.value < settings.renal_crcl_below:
            renal.append(f"{what} < {settings.renal_crcl_below.m:g} (site setting)")
        if crcl.value < settings.strict_crcl_below:
            strict.append(f"{what} < {settings.strict_crcl_below.m:g}")
    if "heart-failure" in factors:
        strict.insert(0, "heart failure / reduced cardiac function")
    return RiskProfile(tuple(renal), tuple(thromb), tuple(strict), factors)


def _group(fid: str) -> str:
    for r in RISK_FACTORS:
        if r.id == fid:
            return r.group
    raise KeyError(fid)


def check_factors(names: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    from ivig_desktop.engine.errors import InputError

    unknown = [n for n in names if n not in RISK_IDS]
    if unknown:
        raise InputError("risk", f"'{unknown[0]}' is not a known risk factor ({', '.join(sorted(RISK_IDS))})")
    return frozenset(names)
