"""The patient as entered, and the body-size figures derived from it.

Formulas are the ones the dosing-weight policies cite (clinical-anchors §1.1 and §7):
Devine ideal body weight, adjusted body weight IBW + 0.4 × (actual − IBW), BMI, and
Cockcroft–Gault creatinine clearance with the weight rule stated beside its result.
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
        cm = float(self.height.m_as(CM))
        # Devine: 50 kg (male) or 45.5 kg (female) + 2.3 kg per inch over 60 in. Height is
        # converted exactly (1 in = 2.54 cm); BloodSTAR's 0.393701 in/cm differs by 3 in 10^7.
        over_in = (cm - DEVINE_BASE_HEIGHT.m_as(CM)) / INCH_CM
        base = 50.0 if self.sex is Sex.MALE else 45.5
        object.__setattr__(self, "_kg", float(self.actual_weight.m_as(KG)))
        object.__setattr__(self, "_cm", cm)
        object.__setattr__(self, "_years", float(self.age.m_as(YEAR)))
        object.__setattr__(self, "_ibw_kg", base + 2.3 * over_in)

    @property
    def bmi(self) -> Quantity:
        return Q_(self._kg / (self._cm / 100) ** 2, KG_PER_M2)

    @property
    def ideal_weight(self) -> Quantity:
        """Devine ideal body weight (see __post_init__ for the formula)."""
        return Q_(self._ibw_kg, KG)

    @property
    def adjusted_weight(self) -> Quantity:
        return Q_(self._ibw_kg + ADJUSTMENT_FACTOR * (self._kg - self._ibw_kg), KG)

    @property
    def percent_of_ideal(self) -> float:
        """Actual weight as a percentage of ideal: a ratio, so dimensionless by nature."""
        return self._kg / self._ibw_kg * 100

    @property
    def is_short_for_devine(self) -> bool:
        """Below 60 in the formula extrapolates (1e-9 cm slack: 60 in is 152.39999999999998 cm)."""
        return self._cm < DEVINE_BASE_HEIGHT.m_as(CM) - 1e-9

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


def creatinine_clearance(patient: Patient) -> CreatinineClearance | None:
    """Cockcroft–Gault, with the weight rule pharmot's pharmacist calculator uses.

    Actual weight below ideal → actual; more than 30 % over ideal → adjusted; otherwise
    ideal. Under 18 years the adult formula is not used and no value is given.
    """
    if patient.serum_creatinine is None:
        return None
    if patient.age_years < 18:
        return CreatinineClearance(
            None, None, "not calculated: Cockcroft–Gault is an adult formula (age < 18 y)"
        )
    ibw = patient.ideal_weight
    actual = Q_(patient.weight_kg, KG)
    if ibw.m <= 0 or actual.m < ibw.m:
        weight, basis = actual, "actual weight (actual is below ideal)"
    elif patient.percent_of_ideal > 130:
        weight, basis = patient.adjusted_weight, "adjusted weight (actual > 130 % of ideal)"
    else:
        weight, basis = ibw, "ideal weight"
    scr = serum_creatinine_mg_dl(patient.serum_creatinine).m
    value = (140 - patient.age_years) * float(weight.m_as(KG)) / (72 * scr)
    if patient.sex is Sex.FEMALE:
        value *= 0.85
        basis += ", × 0.85 female"
    return CreatinineClearance(Q_(value, "mL/min"), weight, f"Cockcroft–Gault, {basis}")
