"""Preferences: the dialog saves only valid values, they survive a restart with their types,
and the window uses them at once."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QWidget

from ivig_desktop.engine.plan import make_plan
from ivig_desktop.ui.dialogs import PreferencesDialog
from ivig_desktop.ui.preferences import DEFAULTS, Preferences
from tests.gui.driver import (
    VOLUME_LOAD,
    Case,
    column,
    expected_rows,
    table,
    type_case,
    wait_for_plan,
)

ROOT = Path(__file__).resolve().parents[2]
LEFT = Qt.MouseButton.LeftButton
OK = QDialogButtonBox.StandardButton.Ok
RESTORE = QDialogButtonBox.StandardButton.RestoreDefaults


@pytest.fixture
def dialog(qtbot, window) -> PreferencesDialog:
    dlg = PreferencesDialog(window.prefs, window)
    dlg.open()
    qtbot.waitExposed(dlg)
    return dlg


def test_dialog_shows_the_stored_values(qtbot, prefs, window):
    prefs.set("weight_unit", "lb")
    prefs.set("clock_24h", False)
    prefs.set("pump_resolution_ml_h", 0.5)
    dlg = PreferencesDialog(prefs, window)
    assert dlg.choices["weight_unit"].currentText() == "lb"
    assert not dlg.clock_24h.isChecked()
    assert dlg.numbers["pump_resolution_ml_h"].text() == "0.5"
    assert dlg.numbers["rounding_tolerance_percent"].text() == "10"


def test_save_persists_typed_values(qtbot, prefs, prefs_path, dialog):
    dialog.choices["weight_unit"].setCurrentText("lb")
    dialog.choices["paper"].setCurrentText("Letter")
    dialog.clock_24h.setChecked(False)
    dialog.numbers["pump_resolution_ml_h"].clear()
    qtbot.keyClicks(dialog.numbers["pump_resolution_ml_h"], "1")
    dialog.numbers["standard_volume_ml"].setText("1000")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.error.text() == ""
    assert prefs_path.exists()
    fresh = Preferences(prefs_path)
    assert fresh.get("weight_unit") == "lb"
    assert fresh.get("paper") == "Letter"
    assert fresh.get("clock_24h") is False
    assert fresh.get("pump_resolution_ml_h") == 1.0
    assert isinstance(fresh.get("pump_resolution_ml_h"), float)
    assert fresh.get("standard_volume_ml") == 1000.0
    assert fresh.problems == []


def test_clock_can_be_switched_back_on(qtbot, prefs, window):
    for on in (False, True):
        dlg = PreferencesDialog(prefs, window)
        dlg.clock_24h.setChecked(on)
        dlg.save()
        assert dlg.result() == QDialog.DialogCode.Accepted
        assert Preferences(prefs.path).get("clock_24h") is on


def test_ok_button_saves(qtbot, prefs, dialog):
    dialog.choices["height_unit"].setCurrentText("in")
    dialog.numbers["rounding_tolerance_percent"].setText("5,5")
    qtbot.mouseClick(dialog.buttons.button(OK), LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not dialog.isVisible()
    assert prefs.get("height_unit") == "in"
    assert prefs.get("rounding_tolerance_percent") == pytest.approx(5.5)


@pytest.mark.parametrize(
    ("key", "typed", "needle"),
    [
        ("pump_resolution_ml_h", "abc", "not a number"),
        ("pump_resolution_ml_h", "-1", "not a number"),
        ("pump_resolution_ml_h", "0", "outside"),
        ("pump_resolution_ml_h", "", "not a number"),
        ("pump_resolution_ml_h", "nan", ""),
        ("rounding_tolerance_percent", "60", "outside"),
        ("strict_volume_ml_per_kg", "1e9", "not a number"),
        ("strict_volume_ml_per_kg", "100000", "outside"),
    ],
)
def test_bad_number_is_refused_and_nothing_is_saved(qtbot, prefs, prefs_path, dialog, key, typed, needle):
    dialog.choices["weight_unit"].setCurrentText("lb")  # a valid change in the same dialog
    dialog.numbers[key].setText(typed)
    qtbot.mouseClick(dialog.buttons.button(OK), LEFT)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.isVisible()
    error = dialog.error.text()
    assert error.startswith("⚠")
    assert needle in error
    label = dialog.numbers[key].accessibleName()
    assert label in error, "the error must name the field"
    assert Preferences(prefs_path).all() == DEFAULTS
    assert prefs.get("weight_unit") == "kg"


def test_thousands_comma_is_not_read_as_a_decimal_comma(qtbot, prefs, dialog):
    """'1,000' mL/day is one thousand or refused as ambiguous (as the engine's parser does), never 1 mL."""
    dialog.numbers["standard_volume_ml"].setText("1,000")
    dialog.save()
    if dialog.result() == QDialog.DialogCode.Accepted:
        assert prefs.get("standard_volume_ml") == 1000.0, "'1,000' mL/day was saved as 1 mL/day"
    else:
        assert "standard volume limit" in dialog.error.text().lower()
        assert prefs.get("standard_volume_ml") == DEFAULTS["standard_volume_ml"]


def test_missing_site_formulary_file_is_refused(qtbot, prefs, dialog, tmp_path):
    dialog.formulary.setText(str(tmp_path / "nope.toml"))
    dialog.save()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "Site formulary file" in dialog.error.text()
    assert prefs.get("site_formulary") == ""


def test_restore_defaults_in_the_dialog(qtbot, prefs, window):
    prefs.set("weight_unit", "lb")
    prefs.set("clock_24h", False)
    prefs.set("pump_resolution_ml_h", 1.0)
    prefs.set("strict_volume_ml", 500.0)
    dlg = PreferencesDialog(prefs, window)
    dlg.open()
    qtbot.waitExposed(dlg)
    qtbot.mouseClick(dlg.buttons.button(RESTORE), LEFT)
    assert dlg.choices["weight_unit"].currentText() == "kg"
    assert dlg.clock_24h.isChecked()
    assert dlg.numbers["pump_resolution_ml_h"].text() == "0.1"
    assert dlg.numbers["strict_volume_ml"].text() == "700"
    assert prefs.get("weight_unit") == "lb", "restoring in the dialog saves nothing until OK"
    dlg.save()
    assert Preferences(prefs.path).all() == DEFAULTS


def test_restore_defaults_on_the_store(prefs, prefs_path):
    prefs.set("paper", "Letter")
    prefs.set("standard_volume_ml_per_kg", 15.0)
    assert prefs.all() != DEFAULTS
    prefs.restore_defaults()
    assert Preferences(prefs_path).all() == DEFAULTS


def test_preferences_refuse_wrong_types_and_keys(prefs):
    with pytest.raises(TypeError):
        prefs.set("clock_24h", "yes")
    with pytest.raises(TypeError):
        prefs.set("pump_resolution_ml_h", "1")
    with pytest.raises(ValueError, match="weight_unit"):
        prefs.set("weight_unit", "stone")
    with pytest.raises(KeyError):
        prefs.get("colour")
    with pytest.raises(KeyError):
        prefs.set("colour", "red")
    assert prefs.all() == DEFAULTS


_READ_IN_CHILD = """
import json, sys
from pathlib import Path
from ivig_desktop.ui.preferences import Preferences
p = Preferences(Path(sys.argv[1]))
print(json.dumps({"values": p.all(), "problems": p.problems}))
"""


def _read_in_fresh_process(path: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(
        [sys.executable, "-c", _READ_IN_CHILD, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_preferences_survive_a_restart_with_their_types(prefs, prefs_path):
    written = {
        "weight_unit": "lb",
        "height_unit": "in",
        "scr_unit": "µmol/L",
        "clock_24h": False,
        "pump_resolution_ml_h": 1.0,
        "rounding_tolerance_percent": 0.0,
        "standard_volume_ml": 1200.0,
        "standard_volume_ml_per_kg": 17.5,
        "strict_volume_ml": 650.0,
        "strict_volume_ml_per_kg": 9.0,
        "paper": "Letter",
        "recent_files": "/a/b.ivig\n/c/d.ivig",
    }
    for key, value in written.items():
        prefs.set(key, value)
    got = _read_in_fresh_process(prefs_path)
    assert got["problems"] == []
    values = got["values"]
    assert values == {**DEFAULTS, **written}
    for key, default in DEFAULTS.items():
        assert type(values[key]) is type(default), key
    assert values["clock_24h"] is False


def test_true_survives_a_restart_as_a_bool(prefs, prefs_path):
    prefs.set("clock_24h", False)
    prefs.set("clock_24h", True)
    values = _read_in_fresh_process(prefs_path)["values"]
    assert values["clock_24h"] is True


def test_unusable_stored_values_fall_back_and_are_shown(qtbot, prefs_path, history):
    from ivig_desktop.ui.main_window import MainWindow

    prefs_path.write_text("[General]\npump_resolution_ml_h=abc\nweight_unit=stone\nstrict_volume_ml=-5\n")
    prefs = Preferences(prefs_path)
    assert prefs.get("pump_resolution_ml_h") == DEFAULTS["pump_resolution_ml_h"]
    assert prefs.get("weight_unit") == "kg"
    assert prefs.get("strict_volume_ml") == DEFAULTS["strict_volume_ml"]
    w = MainWindow(prefs, history)
    qtbot.addWidget(w)
    w.show()
    assert w.problem_banner.isVisible()
    for key in ("pump_resolution_ml_h", "weight_unit", "strict_volume_ml"):
        assert key in w.problem_banner.text()
    assert w.patient_form.weight.unit.currentText() == "kg"


# -- the window after the dialog ----------------------------------------------------------------
def test_window_uses_saved_preferences(qtbot, window):
    case = Case(VOLUME_LOAD.name, 80, 170, "female", 78, "octagam-5", "itp", 1.4, ("heart-failure",), "20:00")
    type_case(qtbot, window, case)
    window.patient_form.weight.edit.setText("80 kg")  # typed unit: unaffected by the unit preference
    wait_for_plan(qtbot, window)
    rates = column(window.day_models[0], 3)
    assert any(float(r.replace(",", "")) % 1 for r in rates), "precondition: 0.1 mL/h rates"
    assert column(window.day_models[0], 0)[0] == "20:00"

    window.open_preferences()
    dlg = window._prefs_dialog
    assert dlg.isVisible()
    dlg.choices["weight_unit"].setCurrentText("lb")
    dlg.clock_24h.setChecked(False)
    dlg.numbers["pump_resolution_ml_h"].setText("1")
    qtbot.mouseClick(dlg.buttons.button(OK), LEFT)  # accepted → reload_preferences()
    wait_for_plan(qtbot, window)

    # A field that holds a value keeps its unit (a typed 80 never silently becomes 80 lb);
    # empty fields take the new default unit.
    assert window.patient_form.weight.unit.currentText() == "kg"
    assert window.patient_form.pre_pregnancy.unit.currentText() == "lb"
    assert window.plan.patient.actual_weight.m_as("kg") == pytest.approx(80)
    rates = column(window.day_models[0], 3)
    assert rates
    for r in rates:
        assert float(r.replace(",", "")) % 1 == 0, f"{r} mL/h is not a multiple of 1 mL/h"
    assert window.catalogue.settings.pump_resolution.m_as("mL/h") == 1.0
    expected = make_plan(case.patient(), case.order(), window.catalogue)
    for i in range(len(expected.days)):
        assert table(window.day_models[i]) == expected_rows(expected, i, h12=True)
    assert column(window.day_models[0], 0)[0] == "8:00 PM"


def test_reload_preferences_changes_the_shown_plan(qtbot, prefs, window):
    type_case(qtbot, window, VOLUME_LOAD)
    wait_for_plan(qtbot, window)
    before = table(window.day_models[0])
    prefs.set("pump_resolution_ml_h", 1.0)
    window.reload_preferences()
    assert window.plan is not None
    after = table(window.day_models[0])
    assert [r[3] for r in after] == ["41", "82", "165", "272"]
    assert after != before


def test_site_formulary_can_be_chosen_with_browse(qtbot, prefs, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from ivig_desktop.ui.dialogs import PreferencesDialog

    chosen = tmp_path / "site.toml"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(chosen), "Formulary (*.toml)"))
    dlg = PreferencesDialog(prefs, window)
    qtbot.addWidget(dlg)
    dlg.browse.click()
    assert dlg.formulary.text() == str(chosen)


#: How a file section or data key reads: "clinical-anchors §1.4", "products.md", "[volume_limit]",
#: "see volume_limit", "READ-partial". Help text names sources by title, in clinical words.
_FILE_SECTION = re.compile(
    r"§|\.md\b|clinical-anchors|\[[a-z_.]+\]|\b[a-z]+_[a-z_]+\b|\bREAD(-\w+)?\b|NOT FOUND"
)


def _shown_help(dlg: PreferencesDialog) -> list[str]:
    texts = [label.text() for label in dlg.findChildren(QLabel) if label.text()]
    for widget in dlg.findChildren(QWidget):
        texts += [t for t in (widget.toolTip(), widget.accessibleDescription()) if t]
    return texts


def test_preferences_help_names_sources_in_clinical_words(qtbot, dialog):
    shown = _shown_help(dialog)
    for edit in dialog.numbers.values():  # under each limit, and as its tooltip and description
        assert edit.toolTip().startswith("Default ") and edit.toolTip() in shown
        assert edit.accessibleDescription() == edit.toolTip()
    offending = [t for t in shown if _FILE_SECTION.search(t)]
    assert offending == [], offending
    standard = dialog.numbers["standard_volume_ml"].toolTip()
    # Every figure and its source kept: the Gammaplex 5 % label's 20 mL/kg, 1400 mL for 70 kg.
    assert "No guideline or product label read gives a daily IVIG volume limit" in standard
    assert "20 mL/kg/day" in standard and "Gammaplex 5 % ITP" in standard and "1400 mL" in standard
    strict = dialog.numbers["strict_volume_ml"].toolTip()
    assert "ACR guidance on MIS-C" in strict and "10 mL/kg/day" in strict and "700 mL" in strict
    tolerance = dialog.numbers["rounding_tolerance_percent"].toolTip()
    assert tolerance.startswith("Default 10.") and "not confirmed for IVIG" in tolerance


def test_every_site_setting_reason_reads_as_clinical_words():
    """The reasons are shown (Preferences' help, weight-check warnings): none cites a file section."""
    import tomllib

    data = tomllib.loads((ROOT / "resources" / "site_settings.toml").read_text("utf-8"))
    reasons: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "reason":
                    reasons.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    assert len(reasons) >= 15  # every table's reason, the child bands' too
    offending = [r for r in reasons if _FILE_SECTION.search(r)]
    assert offending == [], offending


def test_preferences_help_is_read_in_full_within_the_screen(qtbot, dialog):
    """Each limit's help is shown whole (it was cut to a line and a half), and the dialog stays
    within the screen: what does not fit scrolls."""
    qtbot.waitUntil(lambda: all(h.height() >= h.heightForWidth(h.width()) for h in dialog.help.values()))
    screen = dialog.screen().availableGeometry()
    assert dialog.height() <= screen.height() and dialog.width() <= screen.width()
    assert dialog.scroller.horizontalScrollBar().maximum() == 0
    for key, label in dialog.help.items():
        assert label.text() == dialog.numbers[key].toolTip()
        dialog.scroller.ensureWidgetVisible(label)
        top_left = label.mapTo(dialog.scroller.viewport(), label.rect().topLeft())
        assert top_left.y() >= 0 and top_left.y() + label.height() <= dialog.scroller.viewport().height(), key
