"""weight_policy.py: every bundled policy, its triggers, its exclusions and its reason in words."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivig_desktop.engine.errors import DataError, InputError
from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.units import Q_
from ivig_desktop.engine.weight_policy import (
    DosingWeight,
    bundled_policies,
    dosing_weight,
    load_policies,
)
from tests.helpers import patient

# Patients used below, with their figures worked by hand (Devine, BMI, 0.4 adjustment):
# OBESE   male 120 kg 175 cm: IBW 70.4646, adjusted 70.4646 + 0.4 × 49.5354 = 90.2787,
#         BMI 120 / 3.0625 = 39.18, 170.3 % of ideal.
# NORMAL  male 70 kg 175 cm: IBW 70.4646, adjusted 70.2787 (> actual 70), BMI 22.86.
# ONT_M   male 80 kg 175 cm: BMI 26.12, 113.5 % of ideal (no BMI or % trigger);
#         adjusted 70.4646 + 0.4 × 9.5354 = 74.2787.
# PCT_F   female 80 kg 165 cm: IBW 45.5 + 2.3 × 4.9606 = 56.9094, BMI 29.38,
#         140.6 % of ideal, adjusted 56.9094 + 0.4 × 23.0906 = 66.1457.
OBESE_ADJ = 90.278740
OBESE_IBW = 70.464567


def _dw(pt: Patient, policy: str, indication: str | None = None) -> DosingWeight:
    return dosing_weight(pt, bundled_policies()[policy], indication)


def obese(**kw: object) -> Patient:
    return patient(kg=120, cm=175, sex="male", age=50, **kw)  # type: ignore[arg-type]


def pregnant_95kg(pre: float | None = 80) -> Patient:
    # female 95 kg 165 cm: BMI 95 / 2.7225 = 34.89; adjusted 56.9094 + 0.4 × 38.0906 = 72.1457
    return patient(
        kg=95,
        cm=165,
        sex="female",
        age=30,
        pregnant=True,
        pre_pregnancy_weight=Q_(pre, "kg") if pre is not None else None,
    )


def test_bundled_policy_ids() -> None:
    expected = {"auto", "actual", "adjusted", "ideal", "australia-2026", "ontario", "uk"}
    assert set(bundled_policies()) == expected


@pytest.mark.parametrize(
    ("policy", "kg", "basis"),
    [
        ("auto", OBESE_ADJ, "adjusted"),
        ("actual", 120.0, "actual"),
        ("adjusted", OBESE_ADJ, "adjusted"),
        ("ideal", OBESE_IBW, "ideal"),
        ("australia-2026", OBESE_ADJ, "adjusted"),
        ("ontario", OBESE_ADJ, "adjusted"),
        ("uk", OBESE_ADJ, "adjusted"),
    ],
)
def test_obese_adult_under_each_policy(policy: str, kg: float, basis: str) -> None:
    dw = _dw(obese(), policy)
    # The dosing weight is the printed weight (issue 12): rounded to 0.1 kg before it is used.
    assert dw.weight.m_as("kg") == pytest.approx(round(kg, 1), abs=1e-12)
    assert dw.basis == basis
    assert dw.policy.id == policy


def test_auto_reason_names_both_triggers_with_their_numbers() -> None:
    dw = _dw(obese(), "auto")
    assert "BMI 39.2 kg/m² is above 30" in dw.reason
    assert "actual weight is 170 % of ideal (above 120 %)" in dw.reason
    assert dw.reason.startswith("Adjusted body weight 90.3 kg")


def test_auto_percent_of_ideal_trigger_alone() -> None:
    dw = _dw(patient(kg=80, cm=165, sex="female"), "auto")
    assert dw.basis == "adjusted"
    assert dw.weight.m_as("kg") == 66.1  # 66.145669 as printed (issue 12: the weight used is the one printed)
    assert "141 % of ideal (above 120 %)" in dw.reason
    assert "BMI" not in dw.reason  # 29.38 is not above 30


def test_auto_without_trigger_uses_actual() -> None:
    dw = _dw(patient(kg=80, cm=175), "auto")  # BMI 26.12, 113.5 % of ideal
    assert dw.basis == "actual"
    assert dw.weight.m_as("kg") == pytest.approx(80.0)
    assert "no trigger of policy 'auto' applies" in dw.reason


@pytest.mark.parametrize("policy", ["auto", "australia-2026", "uk"])
def test_under_18_doses_on_actual(policy: str) -> None:
    dw = _dw(patient(kg=120, cm=175, age=16), policy)
    assert dw.basis == "actual"
    assert dw.weight.m_as("kg") == pytest.approx(120.0)
    assert "age 16.0 y is under 18 y" in dw.reason


def test_ontario_has_no_age_exclusion() -> None:
    # Ontario: children *not meeting the criteria* get actual weight; an obese 16-year-old meets them.
    dw = _dw(patient(kg=120, cm=175, age=16), "ontario")
    assert dw.basis == "adjusted"
    assert dw.weight.m_as("kg") == round(OBESE_ADJ, 1)


def test_ontario_child_not_meeting_height_weight_criteria_gets_actual_weight() -> None:
    # Label audit #16 (2026-12-01): Ontario "If less than 18 years of age and do not meet the dose
    # calculator height and weight criteria … then actual weight = dosing weight". A 12-year-old boy,
    # 150 cm, 70 kg (BMI 31.1 > 30) used to get adjusted weight; 150 < 152.4 cm → actual 70 kg.
    dw = _dw(patient(kg=70, cm=150, age=12), "ontario")
    assert dw.basis == "actual"
    assert dw.weight.m_as("kg") == 70.0
    assert "age 12.0 y is under 18 y and the patient does not meet height ≥ 152.4 cm and weight > 50 kg" in (
        dw.reason
    )


@pytest.mark.parametrize("policy", ["auto", "australia-2026"])
def test_height_below_152_cm_doses_on_actual(policy: str) -> None:
    # female 90 kg 150 cm: BMI 40 would trigger, but height 150 < 152 excludes.
    dw = _dw(patient(kg=90, cm=150, sex="female"), policy)
    assert dw.basis == "actual"
    assert dw.weight.m_as("kg") == pytest.approx(90.0)
    assert "height 150.0 cm is under 152 cm" in dw.reason
    # 152 cm is not under 152, so the policy triggers adjusted weight; but Devine is defined from
    # 152.4 cm (issue 12: no extrapolated IBW), so actual weight is used and the reason says why.
    at = _dw(patient(kg=90, cm=152, sex="female"), policy)
    assert at.basis == "actual"
    assert at.weight.m_as("kg") == 90.0
    assert "adjusted weight not applicable: Devine is defined from 152.4 cm" in at.reason


def test_ontario_bmi_trigger_on_a_short_adult_has_no_devine_weight() -> None:
    # female 90 kg 150 cm, BMI 40: the trigger holds, but Devine does not apply below 152.4 cm
    # (it used to extrapolate IBW 43.3 kg, adjusted 62.0 kg): actual weight, saying why.
    dw = _dw(patient(kg=90, cm=150, sex="female"), "ontario")
    assert dw.basis == "actual"
    assert dw.weight.m_as("kg") == 90.0
    assert "BMI 40.0 kg/m² is above 30" in dw.reason
    assert "not applicable" in dw.reason
    assert "≥ 152.4" not in dw.reason  # the height/weight trigger does not hold at 150 cm


def test_ontario_height_and_weight_trigger_male() -> None:
    dw = _dw(patient(kg=80, cm=175), "ontario")
    assert dw.basis == "adjusted"
    assert dw.weight.m_as("kg") == 74.3  # 74.278740 as printed
    assert "height 175.0 cm ≥ 152.4 cm and weight 80.0 kg > 50 kg (male)" in dw.reason


def test_ontario_height_and_weight_trigger_female_boundaries() -> None:
    # 152.4 cm is "at least 152.4": IBW 45.5, 46 kg > 45.5 → adjusted 45.5 + 0.4 × 0.5 = 45.7.
    dw = _dw(patient(kg=46, cm=152.4, sex="female"), "ontario")
    assert dw.basis == "adjusted"
    assert dw.weight.m_as("kg") == pytest.approx(45.7)
    assert "≥ 152.4 cm and weight 46.0 kg > 45.5 kg (female)" in dw.reason
    # The same height typed as 60 in triggers too.
    sixty = Patient(Q_(46, "kg"), Q_(60, "inch"), Sex.FEMALE, Q_(50, "year"))
    assert _dw(sixty, "ontario").basis == "adjusted"
    # 152.3 cm is below the height limit and BMI 19.8: actual weight.
    assert _dw(patient(kg=46, cm=152.3, sex="female"), "ontario").basis == "actual"
    # 45.5 kg is not above 45.5 kg: no trigger, actual weight.
    below = _dw(patient(kg=45.5, cm=160, sex="female"), "ontario")
    assert below.basis == "actual"
    assert "no trigger of policy 'ontario' applies" in below.reason


@pytest.mark.parametrize(
    ("policy", "chosen", "word"),
    [("adjusted", 70.3, "adjusted"), ("ideal", 70.5, "ideal"), ("australia-2026", 70.3, "adjusted")],
)
def test_never_above_measured_weight(policy: str, chosen: float, word: str) -> None:
    # male 70 kg 175 cm: IBW 70.46 and adjusted 70.28 are both above the actual 70 kg.
    dw = _dw(patient(kg=70, cm=175), policy)
    assert dw.basis == "actual"
    assert dw.weight.m_as("kg") == pytest.approx(70.0)
    assert f"below the {word} weight {chosen:g} kg" in dw.reason


def test_ontario_triggered_but_actual_below_adjusted() -> None:
    # female 50 kg 160 cm: triggers (≥ 152.4 cm, > 45.5 kg) but adjusted 52.3819 + 0.4 × (50 − 52.3819)
    # = 51.4291 > 50, so actual weight.
    dw = _dw(patient(kg=50, cm=160, sex="female"), "ontario")
    assert dw.basis == "actual"
    assert dw.weight.m_as("kg") == pytest.approx(50.0)
    assert "below the adjusted weight 51.4 kg" in dw.reason


def test_ideal_policy_thin_patient_and_devine_below_zero() -> None:
    dw = _dw(patient(kg=55, cm=180), "ideal")  # IBW 74.99 > 55
    assert dw.basis == "actual"
    assert "below the ideal weight 75 kg" in dw.reason
    # 90 cm: Devine would give 50 + 2.3 × (35.433 − 60) = −6.50 kg. Issue 12: no negative or
    # extrapolated figure; the ideal policy doses on actual weight and says why.
    short = _dw(patient(kg=20, cm=90, age=30), "ideal")
    assert short.basis == "actual" and short.weight.m_as("kg") == 20.0
    assert (
        "ideal weight not applicable: Devine is defined from 152.4 cm (60 in); height 90.0 cm" in short.reason
    )


def test_pregnancy_auto_follows_bloodstar_2026_actual_weight() -> None:
    # Label audit #17 (2026-12-01): auto cites BloodSTAR 2026, whose rule is pregnant → actual weight
    # (it used pre-pregnancy weight, Ontario's rule).
    dw = _dw(pregnant_95kg(), "auto")
    assert dw.basis == "actual"
    assert dw.weight.m_as("kg") == 95.0
    assert "the patient is pregnant" in dw.reason
    assert _dw(pregnant_95kg(pre=None), "auto").basis == "actual"  # no pre-pregnancy weight needed


def test_pregnancy_ontario_pre_pregnancy_except_pid() -> None:
    itp = _dw(pregnant_95kg(), "ontario", "itp")
    assert itp.basis == "pre-pregnancy"
    assert itp.weight.m_as("kg") == pytest.approx(80.0)
    pid = _dw(pregnant_95kg(), "ontario", "pid")
    assert pid.basis == "adjusted"
    assert pid.weight.m_as("kg") == 72.1  # 72.145669 as printed
    # PID does not need the pre-pregnancy weight at all.
    assert _dw(pregnant_95kg(pre=None), "ontario", "pid").basis == "adjusted"


def test_pregnancy_australia_uses_actual_weight() -> None:
    dw = _dw(pregnant_95kg(), "australia-2026")
    assert dw.basis == "actual"
    assert dw.weight.m_as("kg") == pytest.approx(95.0)
    assert "the patient is pregnant" in dw.reason


@pytest.mark.parametrize(("policy", "indication"), [("ontario", None), ("ontario", "itp")])
def test_missing_pre_pregnancy_weight_is_an_input_error(policy: str, indication: str | None) -> None:
    with pytest.raises(InputError) as err:
        _dw(pregnant_95kg(pre=None), policy, indication)
    assert err.value.field == "pre-pregnancy weight"
    assert f"policy '{policy}'" in err.value.message


def test_uk_unverified_height_threshold_is_flagged() -> None:
    # female 60 kg 130 cm: BMI 35.5 would trigger; 130 < 132 cm (a BELIEVED threshold) excludes.
    dw = _dw(patient(kg=60, cm=130, sex="female"), "uk")
    assert dw.basis == "actual"
    assert dw.weight.m_as("kg") == pytest.approx(60.0)
    assert "height 130.0 cm is under 132 cm" in dw.reason
    assert "[threshold unverified]" in dw.reason
    assert any("132" in note for note in dw.unverified)
    assert _dw(patient(), "auto").unverified == ()


def test_policy_file_errors_name_file_record_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "policies.toml"
    bad.write_text(
        'revision = "x"\n[[policy]]\nid = "mine"\nname = "n"\nsource = "s"\ndate = "d"\n'
        'use = "adjusted"\nwhen_any = [{ test = "bmi_above" }]\n',
        encoding="utf-8",
    )
    with pytest.raises(DataError) as err:
        load_policies(bad)
    assert str(bad) in str(err.value)
    assert err.value.record == "mine.when_any"
    assert err.value.field == "value"


def test_trigger_thresholds_are_strictly_above() -> None:
    # 152.4 cm male: IBW exactly 50 kg. 60 kg is 120 % of ideal, not above 120 → actual.
    at = _dw(patient(kg=60, cm=152.4), "auto")
    assert at.basis == "actual"
    # 61 kg is 122 %: adjusted 50 + 0.4 × 11 = 54.4 kg.
    over = _dw(patient(kg=61, cm=152.4), "auto")
    assert over.basis == "adjusted"
    assert over.weight.m_as("kg") == pytest.approx(54.4)
    assert "122 % of ideal (above 120 %)" in over.reason
    # Ontario, female 160 cm (IBW 52.3819): 76.8 / 1.6² = 30.0 is not above 30, but the height/weight
    # trigger holds (≥ 152.4 cm, 76.8 > 45.5 kg) → adjusted 52.3819 + 0.4 × (76.8 − 52.3819) = 62.149
    # → 62.1 kg as printed.
    bmi = _dw(patient(kg=76.8, cm=160, sex="female"), "ontario")
    assert bmi.basis == "adjusted"
    assert bmi.weight.m_as("kg") == 62.1
    assert "BMI" not in bmi.reason
