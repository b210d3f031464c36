"""The window's "Order details" form: today as the first date, the same fields and checks as the
command line, kept in the plan file, refilled on open, and printed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ivig_desktop.engine.order_details import OrderDetails
from ivig_desktop.store.history import History
from ivig_desktop.store.plan_file import load_plan_inputs
from ivig_desktop.ui.main_window import MainWindow
from ivig_desktop.ui.preferences import Preferences
from tests.gui.driver import ITP_70, type_case, wait_for_plan, wait_settled


@pytest.fixture
def w(qtbot, tmp_path: Path) -> MainWindow:
    win = MainWindow(Preferences(tmp_path / "p.ini"), History(tmp_path / "h.sqlite3"))
    qtbot.addWidget(win)
    return win


def test_a_new_plan_is_dated_today(qtbot, w: MainWindow) -> None:
    assert w.details_form.edits["first_date"].text() == date.today().isoformat()
    type_case(qtbot, w, ITP_70)
    wait_for_plan(qtbot, w)
    assert w.plan is not None and w.plan.dated
    assert [d.schedule.start.date().toordinal() for d in w.plan.days] == [
        date.today().toordinal(),
        date.today().toordinal() + 1,
    ]


def test_typed_details_reach_the_plan(qtbot, w: MainWindow) -> None:
    type_case(qtbot, w, ITP_70)
    f = w.details_form.edits
    f["first_date"].setText("2026-12-01")
    qtbot.keyClicks(f["patient_name"], "Jane Doe")
    qtbot.keyClicks(f["mrn"], "MRN-0042")
    qtbot.keyClicks(f["date_of_birth"], "1954-03-09")
    qtbot.keyClicks(f["allergies"], "penicillin")
    qtbot.keyClicks(f["prescriber"], "Dr A. Smith")
    wait_for_plan(qtbot, w)
    assert w.plan.order.details == OrderDetails(
        first_date=date(2026, 12, 1),
        patient_name="Jane Doe",
        mrn="MRN-0042",
        date_of_birth=date(1954, 3, 9),
        allergies="penicillin",
        prescriber="Dr A. Smith",
    )


def test_a_bad_date_is_marked_on_its_field_and_no_plan_is_shown(qtbot, w: MainWindow) -> None:
    type_case(qtbot, w, ITP_70)
    w.details_form.edits["date_of_birth"].setText("09/03/1954")
    wait_settled(qtbot, w)
    w.recompute()
    assert w.plan is None
    err = w.details_form.fields["date of birth"].error
    assert err.isVisibleTo(w) and "YYYY-MM-DD" in err.text()
    w.details_form.edits["date_of_birth"].setText("1954-03-09")
    wait_for_plan(qtbot, w)
    assert not err.isVisibleTo(w)


def test_details_are_saved_and_refilled_on_open(qtbot, w: MainWindow, tmp_path: Path) -> None:
    type_case(qtbot, w, ITP_70)
    w.details_form.edits["first_date"].setText("2026-12-01")
    w.details_form.edits["infusion_site"].setText("left forearm")
    wait_for_plan(qtbot, w)
    path = tmp_path / "a.ivig"
    assert w.save_plan(path)
    saved = load_plan_inputs(path)[1].details
    assert saved == OrderDetails(first_date=date(2026, 12, 1), infusion_site="left forearm")
    w.new_plan()
    assert w.details_form.edits["infusion_site"].text() == ""
    assert w.details_form.edits["first_date"].text() == date.today().isoformat()
    assert w.open_plan(path)
    assert w.details_form.edits["first_date"].text() == "2026-12-01"
    assert w.details_form.edits["infusion_site"].text() == "left forearm"
    assert w.details_form.edits["patient_name"].text() == ""
