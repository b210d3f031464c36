"""plan.py: dosing weight, course and daily doses, vial rounding per day, refusals, alternatives."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.overrides import Override
from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.plan import Alternative, Plan
from ivig_desktop.engine.risk import Severity
from ivig_desktop.engine.units import Q_
from tests.helpers import patient, plan


def _rates(p: Plan, day: int = 0) -> list[float]:
    return [s.rate.m_as("mL/h") for s in p.days[day].schedule.steps]


def test_default_pid_plan_70_kg() -> None:
    p = plan("privigen", "pid")
    assert p.dosing.weight.m_as("kg") == 70
    assert p.dosing.basis == "actual"
    # 0.4 g/kg × 70 kg = 28 g, one day; rounded to 30 g (10 + 20) = 300 mL.
    assert p.course_dose.m_as("g") == pytest.approx(28)
    assert p.course_dose_per_kg.m_as("g/kg") == pytest.approx(0.4)
    assert len(p.days) == 1
    day = p.days[0]
    assert day.prescribed.m_as("g") == pytest.approx(28)
    assert day.dose.m_as("g") == pytest.approx(30)
    assert day.volume.m_as("mL") == pytest.approx(300)
    assert day.volume_per_kg.m_as("mL/kg") == pytest.approx(4.285714, abs=1e-6)  # 300 / 70
    # 0.5, 1, 2, 4, 8 mg/kg/min × 70 × 0.6 = 21, 42, 84, 168, 336 mL/h
    assert _rates(p) == pytest.approx([21, 42, 84, 168, 336])


def test_obese_patient_is_dosed_and_rated_on_adjusted_weight() -> None:
    p = plan("privigen", "pid", pt=patient(kg=120, cm=175))
    # adjusted = 70.4646 + 0.4 × 49.5354 = 90.2787 kg, used as printed: 90.3 kg (issue 12).
    assert p.dosing.basis == "adjusted"
    assert p.dosing.weight.m_as("kg") == 90.3
    assert p.rate_weight == p.dosing.weight
    # 0.4 × 90.3 = 36.12 g → within 10 % (32.508–39.732 g) the fewest vials is 2: 20 + 10 = 30 g
    # is outside; 20 + 20 = 40 g outside; 40 g (1 vial) outside; so 3 vials: 20 + 10 + 5 = 35 g
    # (|1.12| g) beats 20 + 20... (40, outside) → 35 g (−3.1 %).
    assert p.course_dose.m_as("g") == pytest.approx(36.12)
    assert p.days[0].dose.m_as("g") == 35
    assert p.days[0].volume.m_as("mL") == 350
    # mL/kg on the lower of actual (120) and dosing (90.3) weight: 350 / 90.3 = 3.875969.
    assert p.days[0].volume_per_kg.m_as("mL/kg") == pytest.approx(3.875969, abs=1e-6)
    # Pump rates on 90.3 kg: 0.5 × 90.3 × 0.6 = 27.09 → 27.0; 54.18 → 54.1; 108.36 → 108.3;
    # 216.72 → 216.7; 433.44 → 433.4 (all floored to 0.1 mL/h).
    assert _rates(p) == pytest.approx([27.0, 54.1, 108.3, 216.7, 433.4])


def test_absolute_dose_in_grams() -> None:
    p = plan("privigen", "pid", dose="50 g")
    assert p.course_dose.m_as("g") == 50
    assert p.course_dose_per_kg.m_as("g/kg") == pytest.approx(0.714286, abs=1e-6)  # 50 / 70
    assert p.days[0].dose.m_as("g") == 50  # 40 + 10
    assert p.days[0].volume.m_as("mL") == 500


def test_dose_in_mg_per_kg() -> None:
    p = plan("privigen", "pid", dose="500 mg/kg")
    assert p.course_dose.m_as("g") == pytest.approx(35)  # 0.5 × 70
    assert p.days[0].dose.m_as("g") == 35  # exact: 20 + 10 + 5


def test_course_split_over_days() -> None:
    # 2 g/kg × 70 kg = 140 g over 4 days = 35 g/day, exact in whole vials (20 + 10 + 5).
    p = plan("privigen", "itp", dose="2 g/kg", days=4)
    assert [d.day for d in p.days] == [1, 2, 3, 4]
    assert all(d.prescribed.m_as("g") == pytest.approx(35) for d in p.days)
    assert all(d.volume.m_as("mL") == pytest.approx(350) for d in p.days)
    assert p.total_dose.m_as("g") == pytest.approx(140)
    assert p.total_volume.m_as("mL") == pytest.approx(1400)
    assert p.max_day_volume.m_as("mL") == pytest.approx(350)
    # Each day starts at the same clock time on the next date.
    assert [d.schedule.start for d in p.days] == [datetime(2000, 1, n, 8, 0) for n in (1, 2, 3, 4)]


def test_regimen_days_and_rounding_per_day() -> None:
    # GBS: 2 g/kg over 5 days = 0.4 g/kg/day = 28 g/day → 30 g/day of Privigen (+7.1 %).
    p = plan("privigen", "gbs")
    assert len(p.days) == 5
    assert p.course_dose.m_as("g") == pytest.approx(140)
    assert all(d.prescribed.m_as("g") == pytest.approx(28) for d in p.days)
    assert all(d.dose.m_as("g") == 30 for d in p.days)
    assert p.total_dose.m_as("g") == 150  # 5 × 30
    # ITP regimen default: 2 g/kg over 2 days = 70 g/day = 30 + 30 + 10 of Octagam 10 %.
    itp = plan("octagam-10", "itp")
    assert len(itp.days) == 2
    assert itp.days[0].dose.m_as("g") == 70
    assert itp.days[0].pick.vial_total == 3


def test_no_start_time_gives_elapsed_times() -> None:
    p = plan("privigen", "pid", start=None)
    assert not p.clock_given
    assert p.days[0].schedule.start == datetime(2000, 1, 1, 0, 0)
    assert plan("privigen", "pid", start=time(9, 15)).days[0].schedule.start == datetime(2000, 1, 1, 9, 15)


def test_hard_dose_limit_refuses_the_plan() -> None:
    with pytest.raises(InputError) as err:
        plan("privigen", "pid", dose="3 g/kg")
    assert err.value.field == "dose"
    assert "3 g/kg of dosing weight is above the site's hard limit of 2.4 g/kg" in err.value.message


def test_hard_dose_limit_override_is_a_critical_warning() -> None:
    p = plan("privigen", "pid", dose="3 g/kg", overrides=(Override("dose-limit", "specialist order"),))
    assert p.course_dose.m_as("g") == pytest.approx(210)  # 3 × 70
    crit = [w for w in p.warnings if w.code == "dose-limit" and w.severity is Severity.CRITICAL]
    assert len(crit) == 1
    assert "OVERRIDE dose-limit: 3 g/kg" in crit[0].message
    assert "specialist order" in crit[0].message


def test_regimen_without_a_dose_needs_one() -> None:
    with pytest.raises(InputError) as err:
        plan("gammagard-liquid", "mmn")
    assert err.value.field == "dose"
    assert "(the reference gives 0.5–2.4 g/kg)" in err.value.message
    with pytest.raises(InputError) as days:
        plan("gammagard-liquid", "mmn", dose="1 g/kg")
    assert days.value.field == "days"


def test_other_order_errors() -> None:
    with pytest.raises(InputError) as err:
        plan("privigen", None)
    assert err.value.field == "dose"
    with pytest.raises(InputError) as err:
        plan("privigen", "pid", start_low=frozenset({"yesterday"}))
    assert err.value.field == "start low"
    with pytest.raises(InputError) as err:
        plan("privigen", "pid", max_rate=Q_(2, "mL/h"))
    assert err.value.field == "max-rate"  # the field the window and the CLI call it
    with pytest.raises(InputError) as err:
        plan("privigen", "pid", weight_policy="nope")
    assert err.value.field == "weight policy"
    with pytest.raises(InputError) as err:
        plan("privigen", "pid", overrides=(Override("dose-limit", "ok"),))  # reason too short
    assert err.value.field == "override reason"


def test_prescriber_maximum_rate() -> None:
    p = plan("privigen", "pid", max_rate=Q_(2, "mg/kg/min"))
    assert p.ladder.ceiling.m_as("mg/kg/min") == pytest.approx(2)
    assert _rates(p) == pytest.approx([21, 42, 84])  # 0.5, 1, 2 mg/kg/min at 70 kg
    msg = next(w.message for w in p.warnings if w.code == "rate-capped")
    assert "Maximum rate 2 mg/kg/min (84 mL/h at 70 kg)" in msg


def test_octagam_10_at_risk_ladder_never_exceeds_3_3() -> None:
    p = plan("octagam-10", "itp", risks=frozenset({"renal-insufficiency"}))
    assert [r.dose_rate.m_as("mg/kg/min") for r in p.ladder.rungs] == pytest.approx([1, 2, 3.3])
    assert max(s.dose_rate.m_as("mg/kg/min") for s in p.days[0].schedule.steps) <= 3.3 + 1e-9
    assert "rate-capped" in {w.code for w in p.warnings}


def _alt(p: Plan, kind: str) -> Alternative:
    found = [a for a in p.alternatives if a.kind == kind]
    assert len(found) == 1, [a.kind for a in p.alternatives]
    return found[0]


def test_alternatives_for_volume_load() -> None:
    p = plan("octagam-5", "itp", risks=frozenset({"heart-failure"}))
    day = p.days[0]
    assert day.volume.m_as("mL") == pytest.approx(1400)  # 70 g at 50 mg/mL
    assert any(w.code == "volume-load" and w.severity is Severity.CRITICAL for w in p.warnings)
    # Issue 12: alternatives only when a warning asks; the volume load asks for a 10 % product or
    # more days (a lower rate changes no volume, so it is not offered for it).
    assert {a.kind for a in p.alternatives} == {"product", "days"}

    product = _alt(p, "product")
    assert product.order.product == "octagam-10"  # same maker first, a 10 % product
    assert product.volume_per_day.m_as("mL") == pytest.approx(700)  # half of 1400
    assert product.volume_per_kg.m_as("mL/kg") == pytest.approx(10)
    assert product.days == 2

    days = _alt(p, "days")
    # 3 days would be 933 mL/day (> 700); 4 days = 35 g/day = 700 mL, within the strict limit.
    assert days.days == 4
    assert days.order.days == 4
    assert days.volume_per_day.m_as("mL") == pytest.approx(700)
    assert days.volume_per_day < day.volume
    # Each says whether it clears the warning that called for it.
    assert product.resolves == ("volume-load",) and days.resolves == ("volume-load",)
    assert product.effect == "resolves volume-load"


def test_rate_alternative_when_an_at_risk_patient_has_no_numeric_cap() -> None:
    # Privigen, 70 y (renal and thrombotic risk by age): no numeric label cap, so the rate-capped
    # caution asks for a lower maximum rate. 28 g → 30 g = 300 mL; ladder 0.5, 1, 2, 4, 8 mg/kg/min
    # = 21, 42, 84, 168, 336 mL/h, 30 min each.
    p = plan("privigen", "pid", pt=patient(age=70))
    day = p.days[0]
    # 10.5 + 21 + 42 + 84 = 157.5 mL in 120 min; 142.5 mL at 336 mL/h = 25.446 min → 145.446 min.
    assert day.schedule.duration.m_as("min") == pytest.approx(120 + 142.5 / 336 * 60)

    assert [a.kind for a in p.alternatives] == ["rate"]
    rate = _alt(p, "rate")
    # The next-lower maximum is 4 mg/kg/min: 10.5 + 21 + 42 = 73.5 mL in 90 min; 226.5 mL at
    # 168 mL/h = 80.893 min → 170.893 min.
    assert rate.order.max_rate is not None
    assert rate.order.max_rate.m_as("mg/kg/min") == pytest.approx(4)
    assert rate.volume_per_day.m_as("mL") == pytest.approx(300)
    assert rate.duration_per_day.m_as("min") == pytest.approx(90 + 226.5 / 168 * 60)
    assert rate.duration_per_day > day.schedule.duration
    assert rate.resolves == ("rate-capped",)


def test_no_alternatives_without_volume_or_renal_warning() -> None:
    assert plan("privigen", "pid").alternatives == ()


def test_kawasaki_child_runs_at_least_10_hours() -> None:
    # 2 g/kg × 20 kg = 40 g = one 40 g vial = 400 mL. Regimen: over 10–12 h, so the rate is capped
    # at 400 mL / 10 h = 40 mL/h = 40 × 100 mg/mL ÷ 20 kg ÷ 60 = 3.333 mg/kg/min.
    p = plan("privigen", "kawasaki", pt=patient(kg=20, cm=110, age=4))
    assert p.dosing.weight.m_as("kg") == 20
    assert p.course_dose.m_as("g") == pytest.approx(40)
    assert p.days[0].volume.m_as("mL") == pytest.approx(400)
    assert p.ladder.ceiling.m_as("mg/kg/min") == pytest.approx(3.333333, abs=1e-6)
    # itp ladder 0.5, 1, 2 then the cap: 6, 12, 24, 40 mL/h. 3 + 6 + 12 = 21 mL in 90 min;
    # 379 mL at 40 mL/h = 9.475 h; 10.975 h in all.
    assert _rates(p) == pytest.approx([6, 12, 24, 40])
    hours = p.days[0].schedule.duration.m_as("h")
    assert hours == pytest.approx(10.975)
    assert 10 <= hours <= 12


def test_vial_tie_in_a_typed_course_dose_follows_the_rule() -> None:
    # CIDP maintenance 1.15 g/kg × 50 kg = 57.5 g in one day. Privigen 55 g (40 + 10 + 5) and
    # 60 g (40 + 20) are equally near (±2.5 g, 4.3 %); fewest vials decides: 60 g in 2 vials.
    p = plan("privigen", "cidp-maintenance", dose="1.15 g/kg", days=1, pt=patient(kg=50, cm=165))
    assert p.days[0].prescribed.m_as("g") == pytest.approx(57.5)
    assert p.days[0].dose.m_as("g") == 60
    assert p.days[0].pick.vial_total == 2
    assert p.days[0].volume.m_as("mL") == 600


def test_same_patient_in_pounds_gives_the_same_plan() -> None:
    def both(kg: float, product: str, indication: str, dose: str) -> tuple[Plan, Plan]:
        in_kg = plan(product, indication, dose=dose, days=1, pt=patient(kg=kg))
        pounds = Patient(Q_(kg / 0.45359237, "lb"), Q_(175, "cm"), Sex.MALE, Q_(50, "year"))
        return in_kg, plan(product, indication, dose=dose, days=1, pt=pounds)

    a, b = both(70, "privigen", "pid", "0.4 g/kg")  # 28 g → 30 g either way
    assert b.days[0].dose.m_as("g") == a.days[0].dose.m_as("g") == 30
    assert _rates(b) == pytest.approx(_rates(a))
    # 31 kg = 68.343 lb; 0.5 g/kg = 15.5 g of Octagam 10 %, a tie between 15 g (10 + 5) and 16 g
    # (10 + 2 + 2 + 2): 15 g in 2 vials, whichever unit the weight was typed in.
    a, b = both(31, "octagam-10", "itp", "0.5 g/kg")
    assert a.days[0].dose.m_as("g") == 15
    assert b.days[0].dose.m_as("g") == 15
    assert b.days[0].pick.vial_total == a.days[0].pick.vial_total == 2


def test_off_label_uses_the_most_cautious_labelled_titration() -> None:
    # Gamunex-C: PI and ITP start at 1 mg/kg/min, CIDP at 2; all reach 8. Kawasaki is off-label,
    # so the first step must be the lower start, 1 mg/kg/min (20 kg × 0.01 mL/kg/min × 60 = 12 mL/h).
    p = plan("gamunex-c", "kawasaki", pt=patient(20, 112, "female", 5))
    assert p.titration.start_rate.m_as("mg/kg/min") == pytest.approx(1)
    assert p.days[0].schedule.steps[0].rate.m_as("mL/h") == pytest.approx(12)
    assert any(w.code == "off-label" for w in p.warnings)
