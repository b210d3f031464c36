"""patient.py: BMI, Devine IBW, adjusted weight, % of ideal and Cockcroft–Gault, by hand."""

from __future__ import annotations

import pytest

from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.patient import Patient, Sex, creatinine_clearance
from ivig_desktop.engine.units import Q_
from tests.helpers import patient


def test_male_70kg_175cm() -> None:
    pt = patient(kg=70, cm=175, sex="male", age=50, scr=1.0)
    # height 175 / 2.54 = 68.8976 in; IBW = 50 + 2.3 × 8.8976 = 70.4646 kg
    assert pt.ideal_weight.m_as("kg") == pytest.approx(70.464567, abs=1e-6)
    # BMI = 70 / 1.75² = 22.8571
    assert pt.bmi.m_as("kg/m**2") == pytest.approx(22.857143, abs=1e-6)
    # adjusted = 70.4646 + 0.4 × (70 − 70.4646) = 70.2787
    assert pt.adjusted_weight.m_as("kg") == pytest.approx(70.278740, abs=1e-6)
    # 70 / 70.4646 × 100 = 99.34 %
    assert pt.percent_of_ideal == pytest.approx(99.3407, abs=1e-4)
    crcl = creatinine_clearance(pt)
    assert crcl is not None and crcl.value is not None
    # actual 70 < IBW 70.46, so actual weight: (140 − 50) × 70 / (72 × 1.0) = 6300 / 72 = 87.5
    assert crcl.weight is not None and crcl.weight.m_as("kg") == pytest.approx(70.0)
    assert crcl.value.m_as("mL/min") == pytest.approx(87.5)
    assert "actual weight" in crcl.basis


def test_female_100kg_160cm_uses_adjusted_weight_for_crcl() -> None:
    pt = patient(kg=100, cm=160, sex="female", age=60, scr=1.2)
    # 160 / 2.54 = 62.9921 in; IBW = 45.5 + 2.3 × 2.9921 = 52.3819 kg
    assert pt.ideal_weight.m_as("kg") == pytest.approx(52.381890, abs=1e-6)
    assert pt.bmi.m_as("kg/m**2") == pytest.approx(39.0625)  # 100 / 1.6²
    # adjusted = 52.3819 + 0.4 × 47.6181 = 71.4291
    assert pt.adjusted_weight.m_as("kg") == pytest.approx(71.429134, abs=1e-6)
    assert pt.percent_of_ideal == pytest.approx(190.9057, abs=1e-4)  # 100 / 52.3819
    crcl = creatinine_clearance(pt)
    assert crcl is not None and crcl.value is not None
    # 190.9 % > 130 % → adjusted: (140 − 60) × 71.4291 / (72 × 1.2) × 0.85 = 66.1381 × 0.85 = 56.2174
    assert crcl.weight is not None and crcl.weight.m_as("kg") == pytest.approx(71.429134, abs=1e-6)
    assert crcl.value.m_as("mL/min") == pytest.approx(56.217374, abs=1e-5)
    assert "adjusted weight" in crcl.basis
    assert "0.85 female" in crcl.basis


def test_male_80kg_180cm_uses_ideal_weight_for_crcl() -> None:
    pt = patient(kg=80, cm=180, sex="male", age=40, scr=0.9)
    # 180 / 2.54 = 70.8661 in; IBW = 50 + 2.3 × 10.8661 = 74.9921 kg
    assert pt.ideal_weight.m_as("kg") == pytest.approx(74.992126, abs=1e-6)
    assert pt.bmi.m_as("kg/m**2") == pytest.approx(24.691358, abs=1e-6)  # 80 / 1.8²
    # adjusted = 74.9921 + 0.4 × 5.0079 = 76.9953
    assert pt.adjusted_weight.m_as("kg") == pytest.approx(76.995276, abs=1e-6)
    assert pt.percent_of_ideal == pytest.approx(106.6779, abs=1e-4)
    crcl = creatinine_clearance(pt)
    assert crcl is not None and crcl.value is not None
    # 100 % ≤ 106.7 % ≤ 130 % → ideal: (140 − 40) × 74.9921 / (72 × 0.9) = 7499.21 / 64.8 = 115.7286
    assert crcl.weight is not None and crcl.weight.m_as("kg") == pytest.approx(74.992126, abs=1e-6)
    assert crcl.value.m_as("mL/min") == pytest.approx(115.728589, abs=1e-5)
    assert crcl.basis == "Cockcroft–Gault, ideal weight"


def test_creatinine_in_umol_per_litre() -> None:
    pt = Patient(Q_(60, "kg"), Q_(165, "cm"), Sex.FEMALE, Q_(30, "year"), Q_(88.4, "umol/L"))
    # IBW = 45.5 + 2.3 × (64.9606 − 60) = 56.9094 kg; 105.4 % of ideal → ideal weight.
    # SCr 88.4 µmol/L = 0.99998 mg/dL; (140 − 30) × 56.9094 / (72 × 0.99998) × 0.85 = 73.9047
    crcl = creatinine_clearance(pt)
    assert crcl is not None and crcl.value is not None
    assert crcl.value.m_as("mL/min") == pytest.approx(73.904662, abs=1e-5)


def test_bedside_schwartz_under_18_and_nothing_without_creatinine() -> None:
    # Issue 12: under 18 the bedside Schwartz eGFR replaces Cockcroft–Gault (an adult formula):
    # 0.413 × 170 cm ÷ 1.0 mg/dL = 70.21 mL/min/1.73 m².
    crcl = creatinine_clearance(patient(kg=50, cm=170, age=17, scr=1.0))
    assert crcl is not None and crcl.value is not None
    assert crcl.formula == "schwartz" and crcl.label == "eGFR"
    assert crcl.value.m_as("mL/min") == pytest.approx(70.21)
    assert crcl.weight is None
    assert crcl.basis.startswith("bedside Schwartz eGFR")
    assert "age < 18" in crcl.basis
    # A 4-year-old, 104 cm, SCr 35 µmol/L = 35 / 88.4 = 0.395928 mg/dL:
    # 0.413 × 104 / 0.395928 = 108.484 mL/min/1.73 m².
    child = creatinine_clearance(
        Patient(Q_(17, "kg"), Q_(104, "cm"), Sex.FEMALE, Q_(4, "year"), Q_(35, "umol/L"))
    )
    assert child is not None and child.value is not None
    assert child.value.m_as("mL/min") == pytest.approx(0.413 * 104 / (35 / 88.4), rel=1e-4)
    assert child.value.m_as("mL/min") == pytest.approx(108.48, abs=0.01)
    # 18 years exactly is an adult: (140 − 18) × 50 / 72 = 84.7222 (50 kg < IBW 65.9 → actual)
    adult = creatinine_clearance(patient(kg=50, cm=170, age=18, scr=1.0))
    assert adult is not None and adult.value is not None
    assert adult.value.m_as("mL/min") == pytest.approx(84.722222, abs=1e-5)
    assert creatinine_clearance(patient()) is None


def test_devine_base_height_and_inches() -> None:
    # At exactly 60 in the increment is zero: IBW 50 kg (male), 45.5 kg (female).
    assert patient(cm=152.4, sex="male").ideal_weight.m_as("kg") == pytest.approx(50.0)
    assert patient(cm=152.4, sex="female").ideal_weight.m_as("kg") == pytest.approx(45.5)
    # Height typed in inches: 69 in → 50 + 2.3 × 9 = 70.7 kg; height_cm = 175.26.
    pt = Patient(Q_(70, "kg"), Q_(69, "inch"), Sex.MALE, Q_(40, "year"))
    assert pt.ideal_weight.m_as("kg") == pytest.approx(70.7)
    assert pt.height_cm == pytest.approx(175.26)
    # Weight typed in pounds: 154 lb = 69.8532 kg, BMI = 69.8532 / 1.7526² = 69.8532 / 3.0716 = 22.7416
    lb = Patient(Q_(154, "lb"), Q_(69, "inch"), Sex.MALE, Q_(40, "year"))
    assert lb.weight_kg == pytest.approx(69.853225, abs=1e-6)
    assert lb.bmi.m_as("kg/m**2") == pytest.approx(22.741591, abs=1e-5)
    # Below 60 in Devine does not apply (issue 12): no ideal or adjusted weight (it used to
    # extrapolate 45.5 + 2.3 × (59.0551 − 60) = 43.3268 kg for 150 cm, and −6.5 kg for a 95 cm child).
    short = patient(kg=90, cm=150, sex="female")
    assert short.ideal_weight is None and short.adjusted_weight is None and short.percent_of_ideal is None
    assert "not applicable" in short.devine_note
    assert short.is_short_for_devine
    assert patient(cm=152.3).is_short_for_devine


def test_exactly_60_inches_is_not_short_for_devine() -> None:
    # Devine starts at 60 in = 152.4 cm; a patient of exactly that height is not below it
    # (their IBW increment is exactly 0, see test_devine_base_height_and_inches).
    assert not Patient(Q_(70, "kg"), Q_(60, "inch"), Sex.MALE, Q_(40, "year")).is_short_for_devine
    assert not patient(cm=152.5).is_short_for_devine
    assert not patient(cm=152.4).is_short_for_devine


def test_patient_validation() -> None:
    with pytest.raises(InputError) as err:
        patient(kg=400)
    assert err.value.field == "weight"
    with pytest.raises(InputError) as err:
        patient(cm=300)
    assert err.value.field == "height"
    with pytest.raises(InputError) as err:
        patient(pre_pregnancy_weight=Q_(60, "kg"))
    assert err.value.field == "pre-pregnancy weight"
    assert "not marked pregnant" in err.value.message
    with pytest.raises(InputError) as err:
        patient(sex="female", pregnant=True, pre_pregnancy_weight=Q_(500, "kg"))
    assert err.value.field == "pre-pregnancy weight"
    with pytest.raises(InputError) as err:
        patient(scr=30.0)
    assert err.value.field == "serum creatinine"


@pytest.mark.parametrize(("text", "sex"), [("M", Sex.MALE), ("male", Sex.MALE), (" f ", Sex.FEMALE)])
def test_sex_parse(text: str, sex: Sex) -> None:
    assert Sex.parse(text) is sex


def test_sex_parse_rejects() -> None:
    with pytest.raises(InputError) as err:
        Sex.parse("x")
    assert err.value.field == "sex"


def test_crcl_between_100_and_130_percent_of_ideal_uses_ideal_weight() -> None:
    # male 88 kg 175 cm: 88 / 70.4646 = 124.9 % of ideal (not above 130) → ideal weight.
    # (140 − 60) × 70.4646 / (72 × 1.0) = 5637.17 / 72 = 78.2940 mL/min
    crcl = creatinine_clearance(patient(kg=88, cm=175, age=60, scr=1.0))
    assert crcl is not None and crcl.value is not None
    assert crcl.value.m_as("mL/min") == pytest.approx(78.293963, abs=1e-5)
    assert crcl.basis == "Cockcroft–Gault, ideal weight"
