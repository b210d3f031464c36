"""Check mode: the saved plan's figures stay hidden until the checker's entry is complete and
compared; a match is signed into the file and history, a mismatch cannot be signed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QTableWidget, QWidget

from ivig_desktop.engine.double_check import plan_figures
from ivig_desktop.store.history import History
from ivig_desktop.store.plan_file import save_plan
from ivig_desktop.ui.check_dialog import CheckDialog
from ivig_desktop.ui.main_window import MainWindow
from tests.gui.driver import ITP_70, WAIT_MS, Case, choose, type_case, wait_for_plan

SLIP = Case("itp-7kg", 7, 175, "male", 50, "octagam-10", "itp", start="08:00")  # 7 kg for 70


def _texts(root: QWidget, own: QWidget | None = None) -> list[str]:
    """Every text a person can see in ``root``: labels, buttons, line edits, table cells, title;
    not what the checker typed into ``own`` (their entry is theirs, not the first plan's)."""
    out = [root.windowTitle()]
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root):
            continue
        if isinstance(w, QLabel | QAbstractButton):
            out.append(w.text())
        elif isinstance(w, QLineEdit):
            if own is None or not own.isAncestorOf(w):
                out.append(w.text())
        elif isinstance(w, QTableWidget):
            cells = [w.item(r, c) for r in range(w.rowCount()) for c in range(w.columnCount())]
            out += [item.text() for item in cells if item is not None]
            out += [w.horizontalHeaderItem(c).text() for c in range(w.columnCount())]
    return out


def _figures_shown(dlg: CheckDialog, first) -> list[str]:
    """The first plan's figures (those with a number) that appear anywhere in the dialog."""
    words = {f.words for f in plan_figures(first) if any(ch.isdigit() for ch in f.words)}
    texts = _texts(dlg, dlg.entry)
    return sorted(word for word in words if any(word in t for t in texts))


@pytest.fixture
def saved(tmp_path: Path) -> tuple[Path, object]:
    first = ITP_70.plan()
    path = tmp_path / "plan.ivig"
    save_plan(first, path, prepared_by="A. Preparer")
    return path, first


@pytest.fixture
def dlg(qtbot, window: MainWindow, saved) -> CheckDialog:
    d = window.check_plan(saved[0])
    assert isinstance(d, CheckDialog)
    qtbot.addWidget(d)
    qtbot.waitExposed(d)
    d.checker.setText("B. Checker")
    return d


def test_no_figure_of_the_first_plan_is_visible_before_the_entry_is_complete(qtbot, dlg, saved) -> None:
    first = saved[1]
    assert len(plan_figures(first)) > 40  # a real plan: many figures to leak
    assert _figures_shown(dlg, first) == []
    assert not dlg.table.isVisible() and dlg.table.rowCount() == 0
    # Part of the entry: still nothing of the first plan, and nothing to compare.
    pf = dlg.entry.patient_form
    qtbot.keyClicks(pf.weight.edit, "70")
    qtbot.keyClicks(pf.height.edit, "175")
    choose(pf.sex, "male")
    qtbot.keyClicks(pf.age.edit, "50")
    choose(dlg.entry.order_form.indication, "itp")
    assert not dlg.compare_button.isEnabled()
    assert "not complete" in dlg.status.text()
    assert _figures_shown(dlg, first) == []
    # Complete: comparing is offered, and still nothing is shown until the checker compares.
    choose(dlg.entry.order_form.product, "octagam-10")
    qtbot.keyClicks(dlg.entry.order_form.start, "08:00")
    assert dlg.compare_button.isEnabled()
    assert _figures_shown(dlg, first) == []
    qtbot.mouseClick(dlg.compare_button, Qt.MouseButton.LeftButton)
    # Now both plans are side by side.
    assert dlg.table.isVisible()
    assert "140 g" in _figures_shown(dlg, first)  # 2 g/kg × 70 kg
    assert not dlg.entry.isEnabled() and dlg.checker.isReadOnly()  # no re-entry after seeing it


def test_a_match_is_signed_into_the_file_and_the_history(qtbot, window, dlg, saved, history: History) -> None:
    path, _ = saved
    before = json.loads(path.read_text("utf-8"))
    type_case(qtbot, dlg.entry, ITP_70)
    dlg.compare()
    assert dlg.comparison.matched
    assert dlg.status.text().startswith("<b>MATCH</b>")
    assert all(not dlg.table.item(r, 0).text().startswith("≠") for r in range(dlg.table.rowCount()))
    assert dlg.sign_button.isVisible() and dlg.sign_button.isEnabled()
    with qtbot.waitSignal(dlg.signed, timeout=WAIT_MS):
        qtbot.mouseClick(dlg.sign_button, Qt.MouseButton.LeftButton)
    after = json.loads(path.read_text("utf-8"))
    assert {k: v for k, v in after.items() if k != "check"} == before
    assert after["check"]["checked_by"] == "B. Checker"
    assert after["check"]["prepared_by"] == "A. Preparer"
    assert "✔ Signed" in dlg.status.text()
    [entry] = [e for e in history.search() if e.action == "check"]
    assert " · match · checked by B. Checker · prepared by A. Preparer" in entry.label
    # Reopened in the window, the plan is checked; changed, it loses the check and says so.
    assert window.open_plan(path)
    wait_for_plan(qtbot, window)
    assert window.plan.check is not None
    assert window.verify_banner.text().startswith("✔ Checked: Independently checked by B. Checker on ")
    window.patient_form.weight.edit.setText("71")
    qtbot.waitUntil(lambda: not window.timer.isActive() and window.plan is not None, timeout=WAIT_MS)
    assert window.plan.check is None
    assert window.verify_banner.text().startswith("⚠ CHECK LOST: this plan is not the one B. Checker checked")
    assert window.save_plan()
    assert "check" not in json.loads(path.read_text("utf-8"))
    labels = [e.label.split(" · ")[1] for e in history.search() if e.action == "check"]
    assert labels == ["lost", "match"]  # newest first: history holds both events


def test_an_unchanged_checked_plan_saved_again_keeps_its_check(qtbot, window, dlg, saved) -> None:
    path, _ = saved
    type_case(qtbot, dlg.entry, ITP_70)
    dlg.compare()
    dlg.sign()
    assert window.open_plan(path)
    wait_for_plan(qtbot, window)
    check = json.loads(path.read_text("utf-8"))["check"]
    assert window.save_plan()
    assert json.loads(path.read_text("utf-8"))["check"] == check
    assert window.plan.check is not None


def test_a_mismatch_shows_both_values_and_cannot_be_signed(qtbot, dlg, saved, history: History) -> None:
    path, _ = saved
    before = path.read_bytes()
    type_case(qtbot, dlg.entry, SLIP)
    dlg.compare()
    assert not dlg.comparison.matched
    assert "MISMATCH" in dlg.status.text() and "cannot be signed" in dlg.status.text()
    rows = {
        dlg.table.item(r, 0).text(): (dlg.table.item(r, 1).text(), dlg.table.item(r, 2).text())
        for r in range(dlg.table.rowCount())
    }
    assert rows["≠ weight"] == ("70 kg", "7 kg")
    assert rows["≠ course dose"] == ("140 g", "14 g")
    assert rows["product"] == ("Octagam 10 %", "Octagam 10 %")  # the same figure, unmarked
    assert not dlg.sign_button.isVisible() and not dlg.sign_button.isEnabled()
    dlg.sign()  # even called directly, nothing is signed
    assert path.read_bytes() == before
    assert dlg.signature is None
    [entry] = [e for e in history.search() if e.action == "check"]
    assert " · mismatch (" in entry.label


def test_the_preparer_cannot_check_their_own_plan_and_sees_nothing(qtbot, dlg, saved) -> None:
    dlg.checker.setText("a. preparer")
    type_case(qtbot, dlg.entry, ITP_70)
    dlg.compare()
    assert dlg.comparison is None
    assert "prepared this plan" in dlg.status.text()
    assert _figures_shown(dlg, saved[1]) == []


def test_a_file_naming_no_preparer_is_not_checked(window, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "old.ivig"
    save_plan(ITP_70.plan(), path)
    shown: list[str] = []
    monkeypatch.setattr(window, "error", lambda title, text: shown.append(text))
    assert window.check_plan(path) is None
    assert shown and "names no preparer" in shown[0]


def test_the_window_saves_the_typed_preparer(qtbot, window, tmp_path: Path) -> None:
    type_case(qtbot, window, ITP_70)
    wait_for_plan(qtbot, window)
    window.prepared_by.setText("  C.   Smith ")
    path = tmp_path / "w.ivig"
    assert window.save_plan(path)
    assert json.loads(path.read_text("utf-8"))["prepared_by"] == "C. Smith"
