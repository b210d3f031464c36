"""The risk screen: which boxed-warning and product risks apply, and what they do to a plan.

Risk factor lists are the class boxed warning's (products.md §0.2); the numbers behind
"age greater than 65" are label text, the others (renal insufficiency by CrCl, "advanced
age", the stricter volume limit) are site settings with their reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from ivig_desktop.engine.patient import CreatinineClearance, Patient
from ivig_desktop.engine.settings import SiteSettings, VolumeLimit
from ivig_desktop.engine.units import Q_, YEAR


class Severity(IntEnum):
    INFO = 0
    CAUTION = 1
    CRITICAL = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Warning:
    code: str
    severity: Severity
    message: str


@dataclass(frozen=True, slots=True)
class RiskFactor:
    id: str
    label: str
    group: str


#: Inputs of the risk screen, grouped as the window shows them.
RISK_FACTORS: tuple[RiskFactor, ...] = (
    RiskFactor("renal-insufficiency", "Pre-existing renal insufficiency", "renal"),
    RiskFactor("diabetes", "Diabetes mellitus", "renal"),
    RiskFactor("volume-depletion", "Volume depletion", "renal"),
    RiskFactor("sepsis", "Sepsis", "renal"),
    RiskFactor("paraproteinemia", "Paraproteinemia", "renal"),
    RiskFactor("nephrotoxic-drugs", "Known nephrotoxic drugs", "renal"),
    RiskFactor("immobilisation", "Prolonged immobilisation", "thrombotic"),
    RiskFactor("hypercoagulable", "Hypercoagulable condition", "thrombotic"),
    RiskFactor("prior-thrombosis", "History of venous or arterial thrombosis", "thrombotic"),
    RiskFactor("estrogens", "Use of estrogens", "thrombotic"),
    RiskFactor("central-catheter", "Indwelling central vascular catheter", "thrombotic"),
    RiskFactor("hyperviscosity", "Hyperviscosity", "thrombotic"),
    RiskFactor("cardiovascular-risk", "Cardiovascular risk factors", "thrombotic"),
    RiskFactor("heart-failure", "Heart failure / reduced cardiac function", "cardiac"),
    RiskFactor("iga-deficiency", "IgA deficiency with antibodies against IgA", "product"),
    RiskFactor("fructose-intolerance", "Hereditary fructose intolerance", "product"),
    RiskFactor("hyperprolinaemia", "Hyperprolinaemia", "product"),
    RiskFactor("maltose-meter", "Glucose monitored by a maltose-sensitive meter", "product"),
    RiskFactor("corn-allergy", "Hypersensitivity to corn", "product"),
)
RISK_IDS = frozenset(r.id for r in RISK_FACTORS)
_LABELS = {r.id: r.label for r in RISK_FACTORS}

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
        v = crcl.value.m_as("mL/min")
        if crcl.value < settings.renal_crcl_below:
            renal.append(f"CrCl {v:.0f} mL/min < {settings.renal_crcl_below.m:g} (site setting)")
        if crcl.value < settings.strict_crcl_below:
            strict.append(f"CrCl {v:.0f} mL/min < {settings.strict_crcl_below.m:g}")
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
