"""Clinician overrides at engine level: each needs a reason, takes effect, and is reported in
the plan's warnings, the export, the text report and the printed HTML."""

from __future__ import annotations

import pytest

from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.export import plan_to_dict
from ivig_desktop.engine.overrides import KINDS, MIN_REASON, Override, check_overrides
from ivig_desktop.engine.risk import Severity
from ivig_desktop.report.html import render_html
from ivig_desktop.report.text import render_text
from tests.helpers import patient, plan

HEAVY_MAN = {"pt": patient(100, 175, "male", 50)}
VOLUME_CASE = {"pt": patient(80, 175, "female", 78), "risks": frozenset({"heart-failure"})}
RATE_CASE = {"risks": frozenset({"diabetes"})}


def _warnings(p, code: str) -> list:
    return [w for w in p.warnings if w.code == code]


# -- reasons and kinds -----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("reason", ["", "  ", "ok", "\t\n  ab  \n", "abcd"])
def test_an_override_without_a_real_reason_is_refused(kind: str, reason: str) -> None:
    with pytest.raises(InputError) as err:
        plan("octagam-10", "itp", overrides=(Override(kind, reason),))
    assert err.value.field == "override reason"
    assert kind in err.value.message and f"at least {MIN_REASON} characters" in err.value.message


def test_a_reason_of_exactly_the_minimum_length_is_accepted() -> None:
    assert check_overrides((Override("rate-cap", "x" * MIN_REASON),))["rate-cap"].reason == "x" * MIN_REASON
    with pytest.raises(InputError):
        check_overrides((Override("rate-cap", " " + "x" * (MIN_REASON - 1) + " "),))


def test_reason_whitespace_is_normalised() -> None:
    checked = check_overrides((Override("dose-limit", "  protocol\n  14,\thaem  "),))
    assert checked["dose-limit"].reason == "protocol 14, haem"


@pytest.mark.parametrize("kind", ["", "rate_cap", "ignore-everything", "RATE-CAP"])
def test_an_unknown_kind_is_refused(kind: str) -> None:
    with pytest.raises(InputError) as err:
        plan(overrides=(Override(kind, "a perfectly good reason"),))
    assert err.value.field == "override"
    assert "is not one of" in err.value.message and "actual-weight" in err.value.message


def test_the_same_kind_twice_is_refused() -> None:
    with pytest.raises(InputError) as err:
        plan(overrides=(Override("rate-cap", "first reason"), Override("rate-cap", "second reason")))
    assert err.value.field == "override"
    assert "given twice" in err.value.message


# -- actual weight ---------------------------------------------------------------------------------
def test_actual_weight_override_doses_on_actual_weight_and_says_why() -> None:
    normal = plan("privigen", "pid", **HEAVY_MAN)
    assert normal.dosing.basis == "adjusted"
    assert normal.dosing.weight.m_as("kg") == pytest.approx(82.3, abs=0.05)
    assert not any("OVERRIDE" in w.message for w in normal.warnings)
    over = plan(
        "privigen", "pid", overrides=(Override("actual-weight", "haematology consultant asked"),), **HEAVY_MAN
    )
    assert over.dosing.weight.m_as("kg") == 100
    assert over.dosing.basis == "actual"
    assert "haematology consultant asked" in over.dosing.reason
    assert over.rate_weight.m_as("kg") == 100
    assert over.course_dose.m_as("g") == pytest.approx(100 * normal.course_dose_per_kg.m_as("g/kg"))
    (w,) = [w for w in _warnings(over, "dosing-weight") if "OVERRIDE" in w.message]
    assert w.severity == Severity.CAUTION
    assert "OVERRIDE actual-weight" in w.message and "haematology consultant asked" in w.message
    assert "82.3 kg" in w.message


def test_actual_weight_override_when_the_policy_already_uses_actual_weight_only_notes_it() -> None:
    p = plan("privigen", "pid", pt=patient(70, 175), overrides=(Override("actual-weight", "just in case"),))
    assert p.dosing.basis == "actual" and p.dosing.weight.m_as("kg") == 70
    notes = [w for w in _warnings(p, "dosing-weight") if "not needed" in w.message]
    assert len(notes) == 1 and notes[0].severity == Severity.INFO and "just in case" in notes[0].message
    assert not any("OVERRIDE actual-weight" in w.message for w in p.warnings)


# -- dose limit ------------------------------------------------------------------------------------
def test_dose_limit_override_allows_a_dose_above_the_hard_limit_with_a_critical_warning() -> None:
    with pytest.raises(InputError) as err:
        plan(dose="3 g/kg", days=2)
    assert err.value.field == "dose" and "hard limit" in err.value.message
    p = plan(dose="3 g/kg", days=2, overrides=(Override("dose-limit", "protocol 2026-14 (Kawasaki)"),))
    assert p.course_dose_per_kg.m_as("g/kg") == pytest.approx(3)
    (w,) = [w for w in _warnings(p, "dose-limit") if "OVERRIDE" in w.message]
    assert w.severity == Severity.CRITICAL
    assert "OVERRIDE dose-limit" in w.message and "protocol 2026-14 (Kawasaki)" in w.message
    assert p.warnings[0].severity == Severity.CRITICAL  # most severe first


def test_dose_limit_override_below_the_limit_adds_no_warning() -> None:
    p = plan(dose="2 g/kg", days=2, overrides=(Override("dose-limit", "not actually needed"),))
    assert not any("OVERRIDE" in w.message for w in p.warnings)
    assert not any(w.severity == Severity.CRITICAL for w in _warnings(p, "dose-limit"))


def test_dose_limit_override_also_covers_an_absolute_dose() -> None:
    with pytest.raises(InputError):
        plan(dose="250 g", days=3)
    p = plan(dose="250 g", days=3, overrides=(Override("dose-limit", "agreed with haematology"),))
    assert p.course_dose.m_as("g") == pytest.approx(250)


# -- volume limit ----------------------------------------------------------------------------------
def test_volume_limit_override_turns_the_critical_volume_warning_into_a_caution() -> None:
    normal = plan("octagam-5", "itp", **VOLUME_CASE)
    (w,) = _warnings(normal, "volume-load")
    assert w.severity == Severity.CRITICAL and "OVERRIDE" not in w.message
    over = plan(
        "octagam-5",
        "itp",
        overrides=(Override("volume-limit", "cardiology reviewed, on diuretics"),),
        **VOLUME_CASE,
    )
    (w,) = _warnings(over, "volume-load")
    assert w.severity == Severity.CAUTION
    assert "OVERRIDE volume-limit" in w.message and "cardiology reviewed, on diuretics" in w.message
    # The volume itself is the same: the override lifts the limit, not the numbers.
    assert over.days[0].volume == normal.days[0].volume
    assert not any(x.severity == Severity.CRITICAL for x in over.warnings)


def test_volume_limit_override_within_the_limit_says_nothing_of_an_override() -> None:
    p = plan("privigen", "pid", overrides=(Override("volume-limit", "not needed today"),))
    assert not any("OVERRIDE" in w.message for w in p.warnings)


# -- rate cap --------------------------------------------------------------------------------------
def test_rate_cap_override_removes_the_label_cap_with_a_critical_warning() -> None:
    normal = plan("octagam-10", "itp", **RATE_CASE)
    assert normal.ladder.ceiling.m_as("mg/kg/min") == pytest.approx(3.3)
    over = plan(
        "octagam-10", "itp", overrides=(Override("rate-cap", "tolerated 12 before, ID 4411"),), **RATE_CASE
    )
    assert over.ladder.ceiling.m_as("mg/kg/min") == pytest.approx(12)
    assert over.days[0].schedule.duration < normal.days[0].schedule.duration
    crit = [w for w in _warnings(over, "rate-capped") if "OVERRIDE rate-cap" in w.message]
    assert len(crit) == 1 and crit[0].severity == Severity.CRITICAL
    assert "tolerated 12 before, ID 4411" in crit[0].message and "3.3" in crit[0].message


def test_rate_cap_override_keeps_the_prescribers_own_maximum() -> None:
    from ivig_desktop.engine.units import Q_

    p = plan(
        "octagam-10",
        "itp",
        max_rate=Q_(5, "mg/kg/min"),
        overrides=(Override("rate-cap", "label cap lifted, own max kept"),),
        **RATE_CASE,
    )
    assert p.ladder.ceiling.m_as("mg/kg/min") == pytest.approx(5)


# -- reported everywhere ---------------------------------------------------------------------------
def _all_overrides_plan():
    return plan(
        "octagam-5",
        "itp",
        dose="2.6 g/kg",
        days=2,
        pt=patient(100, 175, "female", 78),
        risks=frozenset({"heart-failure", "diabetes"}),
        overrides=(
            Override("actual-weight", "reason AW <team>"),
            Override("dose-limit", "reason DL & co"),
            Override("volume-limit", "reason VL fluids"),
            Override("rate-cap", "reason RC tolerated"),
        ),
    )


def test_overrides_are_in_the_export() -> None:
    p = _all_overrides_plan()
    out = plan_to_dict(p)
    assert out["overrides"] == [
        {"kind": "actual-weight", "reason": "reason AW <team>"},
        {"kind": "dose-limit", "reason": "reason DL & co"},
        {"kind": "volume-limit", "reason": "reason VL fluids"},
        {"kind": "rate-cap", "reason": "reason RC tolerated"},
    ]
    messages = " ".join(w["message"] for w in out["warnings"])
    for kind in KINDS:
        assert f"OVERRIDE {kind}" in messages
    assert plan_to_dict(plan())["overrides"] == []


def test_overrides_are_in_the_text_report() -> None:
    text = render_text(_all_overrides_plan())
    for kind, reason in [
        ("actual-weight", "reason AW <team>"),
        ("dose-limit", "reason DL & co"),
        ("volume-limit", "reason VL fluids"),
        ("rate-cap", "reason RC tolerated"),
    ]:
        line = next(x for x in text.splitlines() if f"OVERRIDE {kind}" in x)
        assert reason in line
    assert "[CRITICAL] dose-limit: OVERRIDE dose-limit" in text
    assert "[CAUTION] volume-load: OVERRIDE volume-limit" in text


def test_overrides_are_in_the_printed_html_and_escaped() -> None:
    html = render_html(_all_overrides_plan())
    for kind in KINDS:
        assert f"OVERRIDE {kind}" in html
    assert "reason AW &lt;team&gt;" in html and "<team>" not in html
    assert "reason DL &amp; co" in html
    assert "<b>CRITICAL</b> dose-limit: OVERRIDE dose-limit" in html
    assert "<b>CRITICAL</b> rate-capped: OVERRIDE rate-cap" in html
    assert "<b>CAUTION</b> volume-load: OVERRIDE volume-limit" in html
