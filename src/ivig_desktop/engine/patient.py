"""The patient as entered, and the body-size figures derived from it.

Formulas are the ones the dosing-weight policies cite (clinical-anchors §1.1 and §7):
Devine ideal body weight, adjusted body weight IBW + 0.4 × (actual − IBW) (factor 0.4 as
nba.gov.au: "DDW = IBW + 0.4 x (actual body weight in kg – IBW)"), BMI, and Cockcroft–Gault
creatinine clearance with the weight rule stated beside its result. Devine starts at 60 in
(152.4 cm): below it there is no ideal or adjusted weight ("not applicable", never an
extrapolated or negative figure). Under 18 years the bedside Schwartz eGFR replaces
Cockcroft–Gault.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ivig_desktop.engine import quantities as fields
from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.units import (
    CM,
    INCH,
    KG,
    KG_PER_M2,
    ML_PER_MIN,
    Q_,
    YEAR,
    Quantity,
    serum_creatinine_mg_dl,
)


class Sex(StrEnum):
    """Sex as the Devine and Cockcroft–Gault formulas use it."""

    MALE = "male"
    FEMALE = "female"

    @classmethod
    def parse(cls, text: str) -> Sex:
        key = (text or "").strip().lower()
        for sex in cls:
            if key in (sex.value, sex.value[0]):
                return sex
        raise InputError("sex", f"'{text}' is not male or female (M/F)")


#: Adjusted body weight takes 40 % of the excess over ideal (BloodSTAR DDW, UK, US order set).
ADJUSTMENT_FACTOR = 0.4
#: Devine starts at 60 in (152.4 cm); below it the formula extrapolates.
DEVINE_BASE_HEIGHT = Q_(60, INCH)
INCH_CM = float(Q_(1, INCH).m_as(CM))
_DEVINE_BASE_CM = float(DEVINE_BASE_HEIGHT.m_as(CM))


@dataclass(frozen=True, slots=True)
class Patient:
    actual_weight: Quantity
    height: Quantity
    sex: Sex
    age: Quantity
    serum_creatinine: Quantity | None = None
    pregnant: bool = False
    pre_pregnancy_weight: Quantity | None = None

    # Derived figures are computed once, in fixed units, when the patient is made: the
    # live window recomputes the plan on every keystroke.
    _kg: float = field(init=False, repr=False, compare=False)
    _cm: float = field(init=False, repr=False, compare=False)
    _years: float = field(init=False, repr=False, compare=False)
    _ibw_kg: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fields.WEIGHT.check(self.actual_weight)
        fields.HEIGHT.check(self.height)
        fields.AGE.check(self.age)
        if not isinstance(self.sex, Sex):
            raise InputError("sex", f"'{self.sex}' is not male or female")
        if self.serum_creatinine is not None:
            fields.SERUM_CREATININE.check(self.serum_creatinine)
        if self.pregnant and self.sex is Sex.MALE:
            raise InputError("pregnant", "is ticked for a male patient")
        if self.pre_pregnancy_weight is not None:
            if not self.pregnant:
                raise InputError("pre-pregnancy weight", "was given but the patient is not marked pregnant")
            fields.PRE_PREGNANCY_WEIGHT.check(self.pre_pregnancy_weight)
        cm = round(float(self.height.m_as(CM)), 6)
        # Devine: 50 kg (male) or 45.5 kg (female) + 2.3 kg per inch over 60 in. Height is
        # converted exactly (1 in = 2.54 cm); BloodSTAR's 0.393701 in/cm differs by 3 in 10^7.
        over_in = (cm - DEVINE_BASE_HEIGHT.m_as(CM)) / INCH_CM
        base = 50.0 if self.sex is Sex.MALE else 45.5
        # Rounded to the milligram: the same weight typed in lb or kg is then the same number
        # (154.3235835 lb is 70.00000000000001 kg after conversion), and every comparison with
        # a threshold gives the same answer for both.
        object.__setattr__(self, "_kg", round(float(self.actual_weight.m_as(KG)), 6))
        object.__setattr__(self, "_cm", cm)
        object.__setattr__(self, "_years", float(self.age.m_as(YEAR)))
        object.__setattr__(self, "_ibw_kg", base + 2.3 * over_in)

    @property
    def bmi(self) -> Quantity:
        return Q_(self._kg / (self._cm / 100) ** 2, KG_PER_M2)

    @property
    def devine_applies(self) -> bool:
        """Devine is defined from 60 in (152.4 cm; 1e-9 cm slack: 60 in is 152.39999999999998 cm)."""
        return self._cm >= _DEVINE_BASE_CM - 1e-9

    @property
    def devine_note(self) -> str:
        return f"not applicable: Devine is defined from 152.4 cm (60 in); height {self._cm:.1f} cm"

    @property
    def ideal_weight(self) -> Quantity | None:
        """Devine ideal body weight (see __post_init__); None below 152.4 cm."""
        return Q_(self._ibw_kg, KG) if self.devine_applies else None

    @property
    def adjusted_weight(self) -> Quantity | None:
        """IBW + 0.4 × (actual − IBW); None where Devine does not apply."""
        if not self.devine_applies:
            return None
        return Q_(self._ibw_kg + ADJUSTMENT_FACTOR * (self._kg - self._ibw_kg), KG)

    @property
    def percent_of_ideal(self) -> float | None:
        """Actual weight as a percentage of ideal: a ratio, so dimensionless by nature."""
        return self._kg / self._ibw_kg * 100 if self.devine_applies else None

    @property
    def is_short_for_devine(self) -> bool:
        return not self.devine_applies

    @property
    def is_child(self) -> bool:
        """Under 18 years: the age every policy and the renal formulas treat as paediatric."""
        return self._years < 18

    @property
    def age_years(self) -> float:
        return self._years

    @property
    def weight_kg(self) -> float:
        return self._kg

    @property
    def height_cm(self) -> float:
        return self._cm


@dataclass(frozen=True, slots=True)
class CreatinineClearance:
    value: Quantity | None
    weight: Quantity | None
    basis: str
    formula: str = "cockcroft-gault"
    """``cockcroft-gault`` (CrCl, mL/min) or ``schwartz`` (bedside eGFR, mL/min per 1.73 m²)."""

    @property
    def label(self) -> str:
        return "eGFR" if self.formula == "schwartz" else "CrCl"

    @property
    def unit_text(self) -> str:
        return "mL/min/1.73 m²" if self.formula == "schwartz" else "mL/min"


#: Bedside Schwartz (CKiD, Schwartz GJ et al., J Am Soc Nephrol 2009;20:629–637):
#: eGFR (mL/min/1.73 m²) = 0.413 × height (cm) ÷ serum creatinine (mg/dL). pharmot's calculator
#: uses Schwartz under 18 years (clinical-anchors §2); the constant is the one issue 12 gives.
SCHWARTZ_K = 0.413


def creatinine_clearance(patient: Patient) -> CreatinineClearance | None:
    """Cockcroft–Gault for adults, with the weight rule pharmot's pharmacist calculator uses;
    the bedside Schwartz eGFR under 18 years (Cockcroft–Gault is an adult formula).

    Adults: actual weight below ideal (or no ideal weight under 152.4 cm) → actual; more than
    30 % over ideal → adjusted; otherwise ideal.
    """
    if patient.serum_creatinine is None:
        return None
    scr = serum_creatinine_mg_dl(patient.serum_creatinine).m
    if patient.is_child:
        value = SCHWARTZ_K * patient.height_cm / scr
        return CreatinineClearance(
            Q_(value, ML_PER_MIN),
            None,
            f"bedside Schwartz eGFR, 0.413 × {patient.height_cm:.1f} cm ÷ {scr:.2f} mg/dL, "
            "mL/min/1.73 m² (age < 18 y: Cockcroft–Gault is an adult formula)",
            "schwartz",
        )
    ibw = patient.ideal_weight
    actual = Q_(patient.weight_kg, KG)
    adjusted = patient.adjusted_weight
    pct = patient.percent_of_ideal
    if ibw is None:
        weight, basis = actual, "actual weight (no ideal weight under 152.4 cm)"
    elif actual.m < ibw.m:
        weight, basis = actual, "actual weight (actual is below ideal)"
    elif pct is not None and pct > 130 and adjusted is not None:
        weight, basis = adjusted, "adjusted weight (actual > 130 % of ideal)"
    else:
        weight, basis = ibw, "ideal weight"
    value = (140 - patient.age_years) * float(weight.m_as(KG)) / (72 * scr)
    if patient.sex is Sex.FEMALE:
        value *= 0.85
        basis += ", × 0.85 female"
    return CreatinineClearance(Q_(value, ML_PER_MIN), weight, f"Cockcroft–Gault, {basis}")
