"""The plan as a document: its title, unsaved changes asked about, confirmations, last folder,
remembered geometry, and undo/redo of order changes including applying an alternative."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ivig_desktop.ui.document import PlanDocument
from ivig_desktop.ui.main_window import MainWindow
from tests.gui.driver import ITP_70, VOLUME_LOAD, type_case, wait_for_plan, wait_settled


def _answer(window, button: QMessageBox.StandardButton) -> None:
    box = window.discard_question
    assert box is not None and box.isVisible()
    box.button(button).click()


def test_the_document_knows_its_name_and_unsaved_state():
    doc = PlanDocument()
    doc.reset({"weight": ""})
    assert not doc.modified and doc.title() == "Untitled plan[*] — IVIG infusion planner"
    doc.update({"weight": "80"})
    assert doc.modified
    doc.saved(Path("/tmp/a.ivig"))
    assert not doc.modified and doc.title().startswith("a.ivig[*]")
    doc.update({"weight": "81"})
    assert doc.modified


def test_title_shows_the_file_and_an_unsaved_marker(qtbot, window, tmp_path):
    assert window.windowTitle() == "Untitled plan[*] — IVIG infusion planner"
    assert not window.isWindowModified()
    type_case(qtbot, window, ITP_70)
    wait_for_plan(qtbot, window)
    assert window.isWindowModified()
    assert window.save_plan(tmp_path / "mrs-a.ivig")
    assert window.windowTitle().startswith("mrs-a.ivig[*]")
    assert not window.isWindowModified()
    assert window.statusBar().currentMessage() == f"Saved to {tmp_path / 'mrs-a.ivig'}."
    window.patient_form.weight.edit.setText("71")
    assert window.isWindowModified()


def test_new_with_unsaved_changes_asks_and_cancel_keeps_everything(qtbot, window):
    type_case(qtbot, window, ITP_70)
    wait_for_plan(qtbot, window)
    assert window.new_plan() is False
    _answer(window, QMessageBox.StandardButton.Cancel)
    assert window.patient_form.weight.edit.text() == "70"
    assert window.plan is not None


def test_new_with_unsaved_changes_can_save_first(qtbot, window, tmp_path, monkeypatch):
    type_case(qtbot, window, ITP_70)
    wait_for_plan(qtbot, window)
    target = tmp_path / "kept.ivig"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.new_plan()
    _answer(window, QMessageBox.StandardButton.Save)
    assert target.exists()
    wait_settled(qtbot, window)
    assert window.patient_form.weight.edit.text() == ""
    assert window.current_path is None


def test_open_over_unsaved_changes_asks_first(qtbot, window, tmp_path):
    type_case(qtbot, window, ITP_70)
    wait_for_plan(qtbot, window)
    path = tmp_path / "a.ivig"
    assert window.save_plan(path)
    window.patient_form.weight.edit.setText("90")
    assert window.open_plan(path) is False  # waits for the answer
    assert window.patient_form.weight.edit.text() == "90"
    _answer(window, QMessageBox.StandardButton.Discard)
    assert window.patient_form.weight.edit.text() == "70 kg"  # the reopened text carries its unit
    assert not window.isWindowModified()
    assert window.statusBar().currentMessage() == f"Opened {path}."


def test_closing_with_unsaved_changes_asks_and_cancel_keeps_the_window(qtbot, window):
    type_case(qtbot, window, ITP_70)
    wait_for_plan(qtbot, window)
    assert window.close() is False
    assert window.isVisible()
    _answer(window, QMessageBox.StandardButton.Cancel)
    assert window.isVisible()
    window.close()
    _answer(window, QMessageBox.StandardButton.Discard)
    assert not window.isVisible()


def test_export_is_confirmed_and_dialogs_start_in_the_last_folder(qtbot, window, tmp_path, monkeypatch):
    type_case(qtbot, window, ITP_70)
    wait_for_plan(qtbot, window)
    folder = tmp_path / "ward 7"
    folder.mkdir()
    starts: list[str] = []

    def save_dialog(parent, title, start, filter_):
        starts.append(start)
        return str(folder / "out.pdf"), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    assert window.export_pdf() is True
    assert (folder / "out.pdf").exists()
    assert window.statusBar().currentMessage() == f"PDF written to {folder / 'out.pdf'}."
    window.save_plan(ask=True)
    assert starts[0] == "ivig-schedule.pdf"
    assert starts[1] == str(folder / "plan.ivig")  # the folder used last


def test_geometry_is_remembered(qtbot, prefs, history):
    w = MainWindow(prefs, history)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.resize(780, 540)  # within the offscreen screen (800 × 600): restoreGeometry keeps it on screen
    w.close()
    again = MainWindow(prefs, history)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (780, 540)


def _volume_load(qtbot, window):
    type_case(qtbot, window, VOLUME_LOAD)
    wait_for_plan(qtbot, window)
    assert window.plan.alternatives
    qtbot.waitUntil(lambda: all(b.isVisible() for b in window.alternative_buttons))


def test_applying_an_alternative_can_be_undone_and_redone(qtbot, window):
    _volume_load(qtbot, window)
    before_days, before_product = window.order_form.days.text(), window.order_form.product.currentData()
    before_volume = window.plan.days[0].volume
    alt = next(a for a in window.plan.alternatives if a.kind == "product")
    button = next(b for b in window.alternative_buttons if "10 %" in b.text())
    button.click()
    wait_for_plan(qtbot, window)
    assert window.order_form.product.currentData() == alt.order.product
    assert window.undo_action.isEnabled()
    assert window.undo_action.text().startswith("&Undo Apply alternative")
    window.undo_action.trigger()
    wait_for_plan(qtbot, window)
    assert window.order_form.product.currentData() == before_product
    assert window.order_form.days.text() == before_days
    assert window.plan.days[0].volume == before_volume
    window.redo_action.trigger()
    wait_for_plan(qtbot, window)
    assert window.order_form.product.currentData() == alt.order.product
    # Half the volume of the same grams, within a vial (each product rounds to its own vial sizes and
    # days of a balanced course may differ by a vial, issue 12).
    assert window.plan.max_day_volume.m_as("mL") == pytest.approx(alt.volume_per_day.m_as("mL"))
    assert window.plan.days[0].volume.m_as("mL") == pytest.approx(before_volume.m_as("mL") / 2, rel=0.1)


def test_typed_edits_undo_one_pause_at_a_time(qtbot, window):
    type_case(qtbot, window, ITP_70)
    wait_for_plan(qtbot, window)
    window.patient_form.weight.edit.setText("75")
    wait_for_plan(qtbot, window)
    assert window.plan.patient.actual_weight.m_as("kg") == 75
    window.undo_action.trigger()
    wait_for_plan(qtbot, window)
    assert window.patient_form.weight.edit.text() == "70"
    assert window.plan.patient.actual_weight.m_as("kg") == 70


def test_building_the_lower_forms_later_changes_nothing(qtbot, prefs, history):
    """The order details and risk factors are built after the first paint (or when first used):
    their defaults count as saved, whatever was typed elsewhere before they existed."""
    w = MainWindow(prefs, history)
    qtbot.addWidget(w)
    assert w.entry._lower is None  # not shown yet: not built
    w.patient_form.weight.edit.setText("70")
    w.sync_document()
    assert w.document.modified
    assert w.details_form.edits["first_date"].text()  # built now, dated today
    assert not w.risk_form.boxes["heart-failure"].isChecked()
    w.patient_form.weight.edit.setText("")
    w.sync_document()
    assert not w.document.modified  # back to the new plan as it started
    assert "details.edits.first_date" in w.document.state
