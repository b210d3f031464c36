"""Saved plans, history and the site formulary editor, driven through the window's own methods."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableWidgetItem

from ivig_desktop.engine.export import plan_to_dict
from ivig_desktop.engine.formulary import load_formulary
from ivig_desktop.ui.formulary_editor import FormularyEditor


def _fill(w) -> None:
    pf, of = w.patient_form, w.order_form
    pf.weight.edit.setText("70")
    pf.height.edit.setText("175")
    pf.sex.setCurrentIndex(pf.sex.findData("male"))
    pf.age.edit.setText("50")
    of.indication.setCurrentIndex(of.indication.findData("itp"))
    of.product.setCurrentIndex(of.product.findData("octagam-10"))
    of.start.setText("08:00")
    w.risk_form.boxes["diabetes"].setChecked(True)
    w.recompute()


def test_save_new_open_round_trip_and_history(window, history, tmp_path: Path) -> None:
    _fill(window)
    before = plan_to_dict(window.plan)
    path = tmp_path / "a.ivig"
    assert window.save_plan(path)
    assert path.exists()
    assert [(e.action, e.label) for e in history.search()] == [("save", str(path))]
    window.new_plan()
    assert window.plan is None and window.patient_form.weight.edit.text() == ""
    assert window.open_plan(path)
    assert plan_to_dict(window.plan) == before
    assert window.saved_changes == []
    assert any(str(path) in a.text() for a in window.recent_menu.actions())


def test_corrupt_file_changes_nothing(window, tmp_path: Path) -> None:
    _fill(window)
    before = plan_to_dict(window.plan)
    bad = tmp_path / "bad.ivig"
    bad.write_text('{"format": "ivig_desktop plan", "schema": 1, "inputs": {', encoding="utf-8")
    assert not window.open_plan(bad)
    assert "not complete, valid JSON" in window.last_error.text()
    assert plan_to_dict(window.plan) == before


def test_save_right_after_a_keystroke_saves_the_new_numbers(window, tmp_path: Path) -> None:
    _fill(window)
    window.patient_form.weight.edit.setText("60")  # timer pending, plan greyed
    assert window.timer.isActive()
    path = tmp_path / "b.ivig"
    assert window.save_plan(path)
    from ivig_desktop.store.plan_file import load_plan_inputs

    pt, _, _ = load_plan_inputs(path)
    assert pt.actual_weight.m_as("kg") == 60


def test_override_in_the_window_needs_a_reason(window) -> None:
    _fill(window)
    assert window.plan.ladder.ceiling.m_as("mg/kg/min") == pytest.approx(3.3)
    ov = window.overrides_form
    ov.boxes["rate-cap"].setChecked(True)
    window.recompute()
    assert window.plan is None
    assert ov.fields["rate-cap"].error.isVisibleTo(window)
    assert "needs a typed reason" in ov.fields["rate-cap"].error.text()
    ov.reasons["rate-cap"].setText("tolerated 8 mg/kg/min at the last infusions")
    window.recompute()
    assert window.plan.ladder.ceiling.m_as("mg/kg/min") == pytest.approx(12)
    assert window.pdf_action.isEnabled()


def test_history_window_reopens_a_record(window, history, tmp_path: Path) -> None:
    _fill(window)
    assert window.export_pdf(tmp_path / "s.pdf")
    before = plan_to_dict(window.plan)
    window.new_plan()
    dlg = window.open_history()
    assert dlg.table.rowCount() == 1 and dlg.table.item(0, 3).text() == "Exported as PDF"
    dlg.table.selectRow(0)
    dlg.open_selected()
    assert plan_to_dict(window.plan) == before


@pytest.mark.parametrize(
    ("table", "row", "col", "text", "needle"),
    [
        ("vials", 0, 0, "-5", "[privigen.vials[1]] size: must be greater than zero"),
        ("vials", 0, 0, "abc", "privigen vials[1] size: 'abc' is not a number"),
        ("vials", 0, 1, "60", "[privigen.vials[1]] volume: 60 mL does not match 5 g"),
        ("rates", 0, 1, "9", "[privigen.indications.pid] start: is above max"),
        ("rates", 0, 2, "kg", "privigen pid start unit: 'kg' is not one of"),
    ],
)
def test_formulary_editor_refuses_each_invalid_edit(
    qtbot, tmp_path: Path, table, row, col, text, needle
) -> None:
    editor = FormularyEditor(None)
    qtbot.addWidget(editor)
    assert editor.copy_to(tmp_path / "copy.toml")  # the bundled formulary is read-only (issue 13)
    getattr(editor, table).setItem(row, col, QTableWidgetItem(text))
    target = tmp_path / "site.toml"
    assert not editor.save(target)
    assert needle in editor.message.text()
    assert not target.exists()


def test_formulary_editor_saves_a_valid_edit(qtbot, tmp_path: Path) -> None:
    editor = FormularyEditor(None)
    qtbot.addWidget(editor)
    assert editor.copy_to(tmp_path / "copy.toml")  # the bundled formulary is read-only (issue 13)
    editor.vials.insertRow(editor.vials.rowCount())
    last = editor.vials.rowCount() - 1
    editor.vials.setItem(last, 0, QTableWidgetItem("2.5"))
    editor.vials.setItem(last, 1, QTableWidgetItem("25"))
    target = tmp_path / "site.toml"
    assert editor.save(target)
    form = load_formulary(target)
    sizes = {v.size.m_as("g"): v.provenance.evidence for v in form.products["privigen"].vials}
    assert sizes[2.5] == "site" and sizes[5.0] != "site"
    assert form.revision.startswith("site ")
    reopened = FormularyEditor(target)
    qtbot.addWidget(reopened)
    assert reopened.revision.text() == form.revision


def test_standard_shortcuts_are_set_once_the_window_has_painted(qtbot, window) -> None:
    from PySide6.QtGui import QKeySequence

    qtbot.waitUntil(lambda: not window._shortcuts, timeout=5000)
    assert window.save_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Save)
    assert window.print_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Print)
    assert not window.save_action.shortcut().isEmpty()


def test_pregnancy_for_a_male_patient_is_marked_under_sex(window) -> None:
    _fill(window)
    window.patient_form.pregnant.setChecked(True)
    window.recompute()
    assert window.plan is None
    assert "pregnant is ticked for a male patient" in window.patient_form.sex_field.error.text()
    assert window.patient_form.weight.error.text() == ""
