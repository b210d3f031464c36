"""The main window driven like a user: what it shows must be what the engine computes."""

from __future__ import annotations

from html import escape

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from ivig_desktop import __version__
from ivig_desktop.engine import display as d
from ivig_desktop.engine.patient import Patient, Sex
from ivig_desktop.engine.plan import make_plan
from ivig_desktop.engine.units import Q_
from ivig_desktop.store.plan_file import load_plan_inputs
from ivig_desktop.ui.main_window import VERIFY_TEXT
from tests.gui.driver import (
    CASES,
    ITP_70,
    PID_100,
    VOLUME_LOAD,
    WAIT_MS,
    Case,
    all_rows,
    choose,
    column,
    expected_rows,
    table,
    type_case,
    visible_day_tables,
    wait_for_plan,
    wait_settled,
    warning_codes,
)

LEFT = Qt.MouseButton.LeftButton


def retype(qtbot, edit, text: str) -> None:
    """Select everything in a line edit and type over it, as a user would."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)


def erase(qtbot, edit) -> None:
    """Select everything in a line edit and delete it with Backspace."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    assert edit.text() == ""


def assert_no_plan_shown(w) -> None:
    assert w.plan is None
    assert "No plan" in w.status.text()
    assert w.days_tabs.count() == 0
    assert all_rows(w.day_models) == 0, "a stale schedule is still in a day model"
    assert w.warnings.count() == 0
    assert w.alternative_buttons == []
    for action in (w.preview_action, w.print_action, w.pdf_action):
        assert not action.isEnabled()


# -- an empty window ----------------------------------------------------------------------------
def test_new_window_has_no_plan_and_asks_for_the_fields(window, tmp_path):
    assert_no_plan_shown(window)
    # Nothing typed yet: the status asks for the fields, no field is shouted at in red.
    assert "to complete" in window.status.text()
    assert window.patient_form.weight.error.text() == ""
    # Asking for a printout without a plan marks every missing field in place.
    assert not window.export_pdf(tmp_path / "none.pdf")
    assert "is empty" in window.patient_form.weight.error.text()
    assert "is not chosen" in window.patient_form.sex_field.error.text()
    assert "is not chosen" in window.order_form.product_field.error.text()
    assert not (tmp_path / "none.pdf").exists()


def test_verify_banner_is_shown(window):
    banners = [lab for lab in window.findChildren(QLabel) if lab.text() == VERIFY_TEXT]
    assert len(banners) == 1
    assert banners[0].isVisible()
    assert "independently checked" in banners[0].text()


# -- plans against the engine -------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_window_shows_the_engine_plan(qtbot, window, case: Case):
    type_case(qtbot, window, case)
    wait_for_plan(qtbot, window)
    expected = case.plan()

    assert "Plan is current" in window.status.text()
    assert len(window.plan.days) == len(expected.days)
    assert window.days_tabs.count() == len(expected.days)
    assert [window.days_tabs.tabText(i) for i in range(window.days_tabs.count())] == [
        f"Day {n + 1}" for n in range(len(expected.days))
    ]
    for i in range(len(expected.days)):
        model = window.day_models[i]
        assert model.rowCount() == len(expected.days[i].schedule.steps)
        assert model.columnCount() == 6
        assert table(model) == expected_rows(expected, i), f"day {i + 1}"

    assert warning_codes(window) == [wn.code for wn in expected.warnings]
    assert [window.warnings.item(i).toolTip() for i in range(window.warnings.count())] == [
        wn.message for wn in expected.warnings
    ]
    assert len(window.alternative_buttons) == len(expected.alternatives)
    for button, alt in zip(window.alternative_buttons, expected.alternatives, strict=True):
        assert alt.description in button.text()
        assert d.fmt(alt.volume_per_day, "volume") in button.text()

    summary = window.summary.text()
    day = expected.days[0]
    assert d.fmt(expected.dosing.weight, "weight") in summary
    assert d.fmt(day.volume, "volume") in summary
    assert d.fmt(expected.course_dose, "dose") in summary
    assert d.duration(day.schedule.duration) in summary
    # The policies side by side by their names, not their ids (issue 13: human words).
    side_by_side = summary.split("<b>Policies side by side:</b> ")[1].split(".<br>")[0].split("; ")
    assert len(side_by_side) == len(expected.policy_comparison)
    for shown, row in zip(side_by_side, expected.policy_comparison, strict=True):
        assert shown.startswith(f"{escape(row.name)} ") and not shown.startswith(f"{row.policy} "), shown
    for action in (window.preview_action, window.print_action, window.pdf_action):
        assert action.isEnabled()


def test_octagam10_itp_70kg_rates_by_hand(qtbot, window):
    """1, 2, 4, 8, 12 mg/kg/min × 70 kg ÷ 100 mg/mL × 60 = 42, 84, 168, 336, 504 mL/h."""
    type_case(qtbot, window, ITP_70)
    wait_for_plan(qtbot, window)
    for model in window.day_models[:2]:
        assert column(model, 3) == ["42", "84", "168", "336", "504"]
        assert column(model, 2) == ["1", "2", "4", "8", "12"]
        assert column(model, 0) == ["08:00", "08:30", "09:00", "09:30", "10:00"]
        # 2 g/kg × 70 kg over 2 days at 10 %: 700 mL a day; 30-min steps then the remainder.
        assert column(model, 4) == ["21", "42", "84", "168", "385"]
        assert column(model, 5) == ["21", "63", "147", "315", "700"]
        assert column(model, 1) == ["30 min"] * 4 + ["46 min"]
    assert window.days_tabs.count() == 2


def test_no_start_time_gives_elapsed_times_and_late_start_rolls_past_midnight(qtbot, window):
    type_case(qtbot, window, PID_100)
    wait_for_plan(qtbot, window)
    starts = column(window.day_models[0], 0)
    assert starts[0] == "22:30"
    assert starts[-1].endswith("(+1 d)")
    erase(qtbot, window.order_form.start)
    wait_for_plan(qtbot, window)
    starts = column(window.day_models[0], 0)
    assert starts[0] == "+0:00"
    assert all(s.startswith("+") for s in starts)


def test_fewer_days_removes_tabs_and_rows(qtbot, window):
    type_case(qtbot, window, ITP_70)
    wait_for_plan(qtbot, window)
    assert window.days_tabs.count() == 2
    retype(qtbot, window.order_form.days, "1")
    wait_for_plan(qtbot, window)
    assert window.days_tabs.count() == 1
    assert window.day_models[1].rowCount() == 0
    assert len(window.plan.days) == 1
    # A single day then carries the whole course: 1400 mL.
    assert column(window.day_models[0], 5)[-1] == "1,400"


# -- invalid input ------------------------------------------------------------------------------
def test_invalid_weight_is_marked_and_no_stale_plan_is_shown(qtbot, window):
    type_case(qtbot, window, ITP_70)
    wait_for_plan(qtbot, window)
    assert all_rows(window.day_models) > 0
    weight = window.patient_form.weight

    retype(qtbot, weight.edit, "70 m")
    wait_settled(qtbot, window)
    assert_no_plan_shown(window)
    assert weight.error.isVisible()
    text = weight.error.text()
    assert "weight" in text
    assert "not a unit of weight" in text
    assert weight.edit.styleSheet() != ""
    assert "not a unit of weight" in weight.edit.accessibleDescription()
    assert "1 field(s)" in window.status.text()
    # Only the bad field is marked.
    for other in (window.patient_form.height, window.patient_form.age):
        assert not other.error.isVisible()
        assert other.edit.styleSheet() == ""

    qtbot.keyClick(weight.edit, Qt.Key.Key_Backspace)
    qtbot.keyClick(weight.edit, Qt.Key.Key_Backspace)
    assert weight.edit.text() == "70"
    wait_for_plan(qtbot, window)
    assert not weight.error.isVisible()
    assert weight.error.text() == ""
    assert weight.edit.styleSheet() == ""
    assert weight.edit.accessibleDescription() == ""
    assert "Plan is current" in window.status.text()
    assert visible_day_tables(window) == [expected_rows(ITP_70.plan(), i) for i in range(2)]


@pytest.mark.parametrize(
    ("typed", "field", "needle"),
    [
        ("abc", "weight", "no number"),
        ("0", "weight", "greater than zero"),
        ("-70", "weight", "greater than zero"),
        ("400", "weight", ""),
        ("7*10", "weight", "expression"),
        ("5 ft", "weight", "not a unit of weight"),
    ],
)
def test_bad_weight_texts_are_refused_in_place(qtbot, window, typed, field, needle):
    type_case(qtbot, window, ITP_70)
    wait_for_plan(qtbot, window)
    retype(qtbot, window.patient_form.weight.edit, typed)
    wait_settled(qtbot, window)
    assert_no_plan_shown(window)
    assert window.patient_form.weight.error.isVisible()
    assert needle in window.patient_form.weight.error.text()


def test_decimal_comma_is_accepted(qtbot, window):
    case = ITP_70
    type_case(qtbot, window, case)
    retype(qtbot, window.patient_form.weight.edit, "70,5")
    wait_for_plan(qtbot, window)
    assert window.patient_form.weight.unit.currentText() == "kg"
    assert window.plan.patient.actual_weight.m_as("kg") == pytest.approx(70.5)
    assert not window.patient_form.weight.error.isVisible()


def test_typed_unit_wins_over_the_unit_box(qtbot, window):
    type_case(qtbot, window, ITP_70)
    retype(qtbot, window.patient_form.weight.edit, "154 lb")
    wait_for_plan(qtbot, window)
    # One truth (issue 13): the unit box follows the typed unit and is disabled while the text
    # carries one; it can no longer say kg beside "154 lb".
    unit = window.patient_form.weight.unit
    assert unit.currentText() == "lb" and not unit.isEnabled()
    assert window.plan.patient.actual_weight.m_as("lb") == pytest.approx(154)
    assert window.plan.patient.actual_weight.m_as("kg") == pytest.approx(69.853, abs=1e-3)
    engine = make_plan(Patient(Q_(154, "lb"), Q_(175, "cm"), Sex.MALE, Q_(50, "year")), ITP_70.order())
    assert table(window.day_models[0]) == expected_rows(engine, 0)


def test_erasing_the_typed_unit_gives_the_box_back_as_the_default(qtbot, window):
    type_case(qtbot, window, ITP_70)
    unit = window.patient_form.weight.unit
    retype(qtbot, window.patient_form.weight.edit, "154 lb")
    assert unit.currentText() == "lb" and not unit.isEnabled()
    retype(qtbot, window.patient_form.weight.edit, "80")
    assert unit.currentText() == "kg" and unit.isEnabled()
    wait_for_plan(qtbot, window)
    assert window.plan.patient.actual_weight.m_as("kg") == pytest.approx(80)


def test_unit_box_applies_to_a_bare_number(qtbot, window):
    type_case(qtbot, window, ITP_70)
    wait_for_plan(qtbot, window)
    choose(window.patient_form.weight.unit, "pound")
    wait_for_plan(qtbot, window)
    assert window.plan.patient.actual_weight.m_as("lb") == pytest.approx(70)


def test_status_says_recalculating_before_the_timer_fires(qtbot, window):
    type_case(qtbot, window, ITP_70)
    wait_for_plan(qtbot, window)
    assert "Plan is current" in window.status.text()
    qtbot.keyClick(window.patient_form.weight.edit, Qt.Key.Key_Backspace)
    # No event loop has run: the debounce timer has not fired yet.
    assert window.timer.isActive()
    assert "Recalculating" in window.status.text()
    assert "Plan is current" not in window.status.text()
    wait_settled(qtbot, window)
    assert "Recalculating" not in window.status.text()


def test_save_during_debounce_does_not_save_the_stale_plan(qtbot, window, tmp_path):
    """The form shows 60 kg; a save before the timer fires must not write the 70 kg plan."""
    type_case(qtbot, window, ITP_70)
    wait_for_plan(qtbot, window)
    retype(qtbot, window.patient_form.weight.edit, "60")
    assert window.timer.isActive()
    target = tmp_path / "quick.ivig"
    saved = window.save_plan(target)  # e.g. Ctrl+S pressed within the debounce delay
    if saved:
        patient, _, doc = load_plan_inputs(target)
        assert patient.actual_weight.m_as("kg") == pytest.approx(60), "the stale 70 kg plan was saved"
        assert doc["results"]["dosing_weight"]["magnitude"] == pytest.approx(60)
    else:
        assert not target.exists()


# -- alternatives -------------------------------------------------------------------------------
def _volume_load_window(qtbot, window):
    type_case(qtbot, window, VOLUME_LOAD)
    wait_for_plan(qtbot, window)
    plan = window.plan
    assert "volume-load" in warning_codes(window)
    assert len(window.alternative_buttons) == len(plan.alternatives) >= 2
    # New buttons are shown by the event loop (Qt shows a widget added to a shown layout just after).
    qtbot.waitUntil(lambda: all(b.isVisible() for b in window.alternative_buttons), timeout=WAIT_MS)
    assert all(b.isEnabled() for b in window.alternative_buttons)
    return plan


def test_more_days_alternative_applies_itself(qtbot, window):
    before = _volume_load_window(qtbot, window)
    alt = next(a for a in before.alternatives if a.kind == "days")
    button = next(b for b in window.alternative_buttons if "days" in b.text())
    assert alt.days != len(before.days)
    qtbot.mouseClick(button, LEFT)
    wait_for_plan(qtbot, window)
    assert window.order_form.days.text() == str(alt.days)
    after = window.plan
    assert len(after.days) == alt.days
    assert window.days_tabs.count() == alt.days
    # Days of a balanced course may differ by a vial (issue 12); the alternative shows the largest day.
    assert after.max_day_volume < before.max_day_volume
    assert after.max_day_volume.m_as("mL") == pytest.approx(alt.volume_per_day.m_as("mL"))
    assert after.total_dose.m_as("g") == pytest.approx(before.total_dose.m_as("g"), rel=0.1)
    assert after.product.id == before.product.id
    assert column(window.day_models[0], 5)[-1] == d.number(after.days[0].volume.m_as("mL"), 1)


def test_ten_percent_alternative_applies_itself(qtbot, window):
    before = _volume_load_window(qtbot, window)
    alt = next(a for a in before.alternatives if a.kind == "product")
    button = next(b for b in window.alternative_buttons if "10 %" in b.text())
    qtbot.mouseClick(button, LEFT)
    wait_for_plan(qtbot, window)
    pid = window.order_form.product.currentData()
    assert pid == alt.order.product
    assert window.catalogue.formulary.product(pid).percent == 10
    after = window.plan
    assert after.product.id == pid
    assert len(after.days) == len(before.days)
    # Half the volume of the same grams; each product rounds to its own vials (issue 12: days of a
    # course may differ by a vial), so within one vial of half.
    assert after.max_day_volume.m_as("mL") == pytest.approx(before.max_day_volume.m_as("mL") / 2, rel=0.1)
    assert after.max_day_volume.m_as("mL") == pytest.approx(alt.volume_per_day.m_as("mL"))


def test_alternative_buttons_go_when_the_plan_goes(qtbot, window):
    _volume_load_window(qtbot, window)
    old = list(window.alternative_buttons)
    erase(qtbot, window.patient_form.age.edit)
    wait_settled(qtbot, window)
    assert_no_plan_shown(window)
    assert all(not shiboken6.isValid(b) or not b.isVisible() for b in old)


# -- indication prefill -------------------------------------------------------------------------
def test_choosing_itp_fills_dose_and_days(qtbot, window):
    of = window.order_form
    assert of.dose.text() == ""
    choose(of.indication, "itp")
    assert of.dose.text() == "2 g/kg"
    assert of.days.text() == "2"
    choose(of.indication, "pid")
    assert of.dose.text() == "0.4 g/kg"
    assert of.days.text() == "1"


def test_choosing_mmn_leaves_dose_empty_and_marks_it(qtbot, window):
    case = Case("mmn", 70, 175, "male", 50, "gammagard-liquid", "itp")
    type_case(qtbot, window, case)
    wait_for_plan(qtbot, window)
    of = window.order_form
    choose(of.indication, "mmn")
    assert of.dose.text() == ""
    wait_settled(qtbot, window)
    assert_no_plan_shown(window)
    assert of.dose_field.error.isVisible()
    assert "dose" in of.dose_field.error.text().lower()
    assert of.dose.styleSheet() != ""
    assert of.dose.accessibleDescription() != ""
    # Typing a dose (and days) brings the plan back and clears the mark.
    qtbot.keyClicks(of.dose, "1 g/kg")
    retype(qtbot, of.days, "2")
    wait_for_plan(qtbot, window)
    assert not of.dose_field.error.isVisible()
    assert of.dose.styleSheet() == ""
    assert window.plan.course_dose.m_as("g") == pytest.approx(70)


# -- help ---------------------------------------------------------------------------------------
def test_about_shows_version_and_formulary_revision(qtbot, window):
    about = next(
        a
        for m in window.menuBar().actions()
        if m.menu() is not None
        for a in m.menu().actions()
        if a.text().replace("&", "") == "About"
    )
    about.trigger()
    box = window._about
    assert box.isVisible()
    text = box.text()
    assert __version__ in text
    assert window.catalogue.formulary.revision
    assert window.catalogue.formulary.revision in text
    assert "independently checked" in text
    box.close()


def test_new_clears_the_form_and_the_plan(qtbot, window):
    type_case(qtbot, window, ITP_70)
    wait_for_plan(qtbot, window)
    # The typed plan is unsaved: New asks first (issue 13), and Discard goes ahead.
    assert window.new_plan() is False
    from PySide6.QtWidgets import QMessageBox

    box = window.discard_question
    box.button(QMessageBox.StandardButton.Discard).click()
    wait_settled(qtbot, window)
    assert window.patient_form.weight.edit.text() == ""
    assert window.order_form.product.currentData() is None
    assert not any(cb.isChecked() for cb in window.risk_form.boxes.values())
    assert_no_plan_shown(window)
