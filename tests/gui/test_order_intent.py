"""Choosing an indication never overwrites a typed dose or days without asking.

A mouse-wheel notch over the indication list used to turn a typed 1 g/kg × 1 day into CIDP
loading's 2 g/kg × 2 days (80 g became 160 g) with no word.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.gui.driver import ITP_70, choose, type_case, wait_for_plan


def _answer(window, text: str) -> None:
    box = window.regimen_question
    assert box is not None and box.isVisible()
    button = next(b for b in box.buttons() if b.text().replace("&", "").startswith(text))
    button.click()


def test_regimen_values_are_replaced_by_the_next_regimen_without_asking(qtbot, window):
    of = window.order_form
    choose(of.indication, "itp")
    assert (of.dose.text(), of.days.text()) == ("2 g/kg", "2")
    choose(of.indication, "cidp-maintenance")
    assert (of.dose.text(), of.days.text()) == ("1 g/kg", "1")
    assert window.regimen_question is None


@pytest.fixture
def typed_order(qtbot, window):
    """ITP 70 kg with the dose typed over: 1 g/kg in 1 day (70 g)."""
    type_case(qtbot, window, ITP_70)
    of = window.order_form
    of.dose.setText("1 g/kg")
    of.days.setText("1")
    wait_for_plan(qtbot, window)
    assert window.plan.course_dose.m_as("g") == pytest.approx(70)
    return window


def test_an_indication_change_keeps_a_typed_dose_until_the_user_says(qtbot, typed_order):
    w = typed_order
    of = w.order_form
    choose(of.indication, "cidp-loading")
    box = w.regimen_question
    assert isinstance(box, QMessageBox)
    assert "1 g/kg over 1 day(s)" in box.text() and "2 g/kg over 2 day(s)" in box.text()
    # While the question is open the typed figures stand, and so does the plan made from them.
    assert (of.dose.text(), of.days.text()) == ("1 g/kg", "1")
    wait_for_plan(qtbot, w)
    assert w.plan.course_dose.m_as("g") == pytest.approx(70)
    assert len(w.plan.days) == 1
    _answer(w, "Keep")
    assert (of.dose.text(), of.days.text()) == ("1 g/kg", "1")
    wait_for_plan(qtbot, w)
    assert w.plan.course_dose.m_as("g") == pytest.approx(70)


def test_an_indication_change_replaces_a_typed_dose_when_asked_to(qtbot, typed_order):
    w = typed_order
    of = w.order_form
    choose(of.indication, "cidp-loading")
    _answer(w, "Use")
    assert (of.dose.text(), of.days.text()) == ("2 g/kg", "2")
    wait_for_plan(qtbot, w)
    assert w.plan.course_dose.m_as("g") == pytest.approx(140)  # 2 g/kg × 70 kg, by hand
    assert len(w.plan.days) == 2


def test_a_typed_days_alone_is_also_kept(qtbot, window):
    of = window.order_form
    choose(of.indication, "itp")
    of.days.setText("5")
    choose(of.indication, "kawasaki")
    assert of.days.text() == "5"
    assert window.regimen_question is not None and window.regimen_question.isVisible()
    _answer(window, "Keep")
    assert (of.dose.text(), of.days.text()) == ("2 g/kg", "5")
