"""Keyboard and screen-reader use: names, mnemonics that work, tab order, and a small screen."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableView,
    QWidget,
)

from ivig_desktop.engine.risk import Severity
from ivig_desktop.ui.dialogs import PreferencesDialog
from ivig_desktop.ui.forms import Marked
from tests.gui.driver import ITP_70, VOLUME_LOAD, type_case, wait_for_plan

NAMED_TYPES = (QLineEdit, QComboBox, QCheckBox, QPushButton, QTableView, QListWidget)

#: The labelled single-input rows of the patient and order forms.
FORM_LABELS = (
    "&Weight:",
    "Hei&ght:",
    "Se&x:",
    "&Age:",
    "Serum &creatinine:",
    "P&re-pregnancy weight:",
    "&Indication:",
    "&Dose:",
    "Da&ys:",
    "&Product:",
    "Weight p&olicy:",
    "S&tart time:",
    "&Max rate:",
)


def _mnemonic(text: str) -> str | None:
    m = re.search(r"&([^&])", text.replace("&&", ""))
    return m.group(1).lower() if m else None


def _buddies(root: QWidget) -> set[int]:
    out: set[int] = set()
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is None or not label.text().strip():
            continue
        out.add(id(buddy))
        proxy = buddy.focusProxy()
        if proxy is not None:
            out.add(id(proxy))
    return out


def _spoken_name(widget: QWidget) -> str:
    """The name a screen reader gets from a button's own text (a combo box's would be its value)."""
    if not isinstance(widget, QAbstractButton):
        return ""
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name).strip() if iface is not None else ""


def _unnamed(root: QWidget) -> list[str]:
    buddies = _buddies(root)
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, NAMED_TYPES):
            continue
        # Qt's own parts (a combo box's popup list, a table's corner button) are not ours to name.
        if widget.objectName().startswith("qt_") or isinstance(widget.parentWidget(), QComboBox):
            continue
        if widget.accessibleName().strip() or id(widget) in buddies or _spoken_name(widget):
            continue
        missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def _form_rows(window) -> dict[str, tuple[QLabel, QWidget]]:
    rows: dict[str, tuple[QLabel, QWidget]] = {}
    for form in (window.patient_form, window.order_form):
        layout = form.layout()
        assert isinstance(layout, QFormLayout)
        for r in range(layout.rowCount()):
            item = layout.itemAt(r, QFormLayout.ItemRole.FieldRole)
            if item is None or item.widget() is None:
                continue
            label = layout.labelForField(item.widget())
            if isinstance(label, QLabel) and label.text().strip():
                rows[label.text()] = (label, item.widget())
    return rows


def _editor(field: QWidget) -> QWidget:
    return field.editor if isinstance(field, Marked) else field


@pytest.fixture
def planned(qtbot, window):
    type_case(qtbot, window, VOLUME_LOAD)
    wait_for_plan(qtbot, window)
    assert window.alternative_buttons and window.day_views
    return window


# -- names ---------------------------------------------------------------------------------------
def test_every_control_has_an_accessible_name_or_a_label(planned):
    assert _unnamed(planned) == []


def test_preferences_dialog_controls_are_named(qtbot, planned):
    dlg = PreferencesDialog(planned.prefs, planned)
    qtbot.addWidget(dlg)
    assert _unnamed(dlg) == []


def test_day_tables_and_warnings_are_named_and_headed(planned):
    for i, view in enumerate(planned.day_views[: planned.days_tabs.count()]):
        assert view.accessibleName() == f"Day {i + 1} schedule"
        model = view.model()
        role = Qt.ItemDataRole.DisplayRole
        headers = [model.headerData(c, Qt.Orientation.Horizontal, role) for c in range(6)]
        assert headers == ["Start", "Duration", "mg/kg/min", "mL/h", "Step volume (mL)", "Cumulative (mL)"]
        # The screen reader reads the same text as the screen shows.
        idx = model.index(0, 3)
        assert model.data(idx, Qt.ItemDataRole.AccessibleTextRole) == model.data(idx)
    assert planned.warnings.accessibleName()


def test_warnings_are_not_told_by_colour_alone(planned):
    marks = {Severity.CRITICAL: "✖ CRITICAL", Severity.CAUTION: "⚠ CAUTION", Severity.INFO: "• info"}
    for i, warning in enumerate(planned.plan.warnings):
        text = planned.warnings.item(i).text()
        assert text.startswith(marks[warning.severity])
        assert warning.message in text  # human words; the code stays in the item data (issue 13)


def test_field_errors_carry_a_sign_not_only_colour(qtbot, window):
    type_case(qtbot, window, ITP_70)
    window.patient_form.height.edit.setText("9 m")
    window.recompute()
    error = window.patient_form.height.error
    assert error.isVisible()
    assert error.text().startswith("⚠")
    assert window.patient_form.height.edit.accessibleDescription()


# -- mnemonics -----------------------------------------------------------------------------------
def test_form_labels_have_mnemonics_and_buddies(window):
    rows = _form_rows(window)
    assert set(FORM_LABELS) <= set(rows), f"labels missing: {set(FORM_LABELS) - set(rows)}"
    for text in FORM_LABELS:
        label, field = rows[text]
        assert _mnemonic(text), text
        buddy = label.buddy()
        assert buddy is not None, text
        assert buddy is field or buddy is _editor(field), text


def test_form_mnemonics_move_focus_to_their_field(qtbot, window):
    """Alt+<underlined letter> must put the cursor in that label's field."""
    window.patient_form.pregnant.setChecked(True)  # the pre-pregnancy weight field is enabled
    window.activateWindow()
    qtbot.waitActive(window)
    rows = _form_rows(window)
    wrong = []
    for text in FORM_LABELS:
        _label, field = rows[text]
        window.warnings.setFocus()  # start from outside the forms
        key = QKeySequence(_mnemonic(text).upper())[0].key()
        qtbot.keyClick(QApplication.focusWidget() or window, key, Qt.KeyboardModifier.AltModifier)
        got = QApplication.focusWidget()
        if got is not _editor(field):
            name = (got.accessibleName() or type(got).__name__) if got else None
            wrong.append(f"Alt+{_mnemonic(text).upper()} ({text!r}) → {name!r}")
        # A clash with a menu title opens that menu: close it so each key is tried on its own.
        while (popup := QApplication.activePopupWidget()) is not None:
            popup.close()
    assert wrong == [], "mnemonics that do not reach their field:\n" + "\n".join(wrong)


def _mnemonics(root: QWidget, menus: bool) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = defaultdict(list)
    for label in root.findChildren(QLabel):
        if label.buddy() is not None and (key := _mnemonic(label.text())):
            seen[key].append(label.text())
    for button in root.findChildren(QAbstractButton):
        if key := _mnemonic(button.text()):
            seen[key].append(button.text())
    if menus:
        for action in root.menuBar().actions():
            if key := _mnemonic(action.text()):
                seen[key].append(f"menu {action.text()}")
    return seen


def test_window_mnemonics_are_unique(planned):
    seen = _mnemonics(planned, menus=True)
    clashes = {k: v for k, v in seen.items() if len(v) > 1}
    assert clashes == {}, f"Alt+key used more than once: {clashes}"


def test_preferences_mnemonics_are_unique(qtbot, window):
    dlg = PreferencesDialog(window.prefs, window)
    qtbot.addWidget(dlg)
    seen = _mnemonics(dlg, menus=False)
    clashes = {k: v for k, v in seen.items() if len(v) > 1}
    assert clashes == {}, f"Alt+key used more than once: {clashes}"


# -- tab order -----------------------------------------------------------------------------------
def _tab_chain(window) -> list[QWidget]:
    start = window.patient_form.weight.edit
    chain, w = [start], start.nextInFocusChain()
    while w is not start and len(chain) < 1000:
        if (
            w.window() is window
            and w.focusPolicy() & Qt.FocusPolicy.TabFocus
            and w.isVisibleTo(window)
            and w.isEnabled()
        ):
            chain.append(w)
        w = w.nextInFocusChain()
    return chain


def test_tab_order_goes_through_the_patient_then_the_order(window):
    chain = _tab_chain(window)
    pf, of = window.patient_form, window.order_form
    patient = [pf.weight.edit, pf.weight.unit, pf.height.edit, pf.height.unit, pf.sex, pf.age.edit]
    patient += [pf.age.unit, pf.scr.edit, pf.scr.unit, pf.pregnant]
    order = [
        of.indication,
        of.dose,
        of.days,
        of.product,
        of.policy,
        of.first,
        of.over8,
        of.switch,
        of.tolerated,
    ]
    order += [of.start, of.max_rate]
    for w in patient + order:
        assert w in chain, w.accessibleName()
    positions = [chain.index(w) for w in patient + order]
    assert positions == sorted(positions), [w.accessibleName() for w in chain[:25]]
    assert positions == list(range(len(positions))), "something unexpected sits between the fields"
    risks = [chain.index(cb) for cb in window.risk_form.boxes.values()]
    assert min(risks) > chain.index(of.max_rate)
    # Then the order details, the risk factors and the overrides, in that order and nothing
    # between (the first two are built after the first paint and put back in their place).
    ov = window.overrides_form
    after = list(window.details_form.edits.values()) + list(window.risk_form.boxes.values())
    after += [ov.boxes[k] for k in ov.boxes]  # each reason is disabled until its box is ticked
    start = chain.index(of.max_rate) + 1
    assert chain[start : start + len(after)] == after, [w.accessibleName() for w in chain[start : start + 5]]


def test_tab_key_moves_through_the_first_fields(qtbot, window):
    window.activateWindow()
    qtbot.waitActive(window)
    pf = window.patient_form
    pf.weight.edit.setFocus()
    visited = [QApplication.focusWidget()]
    for _ in range(5):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    assert visited == [pf.weight.edit, pf.weight.unit, pf.height.edit, pf.height.unit, pf.sex, pf.age.edit]


# -- screen size ---------------------------------------------------------------------------------
@pytest.mark.parametrize("with_plan", [False, True])
def test_window_fits_1366_by_768(qtbot, window, with_plan):
    if with_plan:
        type_case(qtbot, window, VOLUME_LOAD)
        wait_for_plan(qtbot, window)
    window.resize(1366, 768)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366
    assert hint.height() <= 768
    assert window.minimumSize().width() <= 1366 and window.minimumSize().height() <= 768
    assert (window.width(), window.height()) == (1366, 768)


def test_preferences_dialog_fits_1366_by_768(qtbot, window):
    dlg = PreferencesDialog(window.prefs, window)
    qtbot.addWidget(dlg)
    hint = dlg.sizeHint()
    assert hint.width() <= 1366
    assert hint.height() <= 768
