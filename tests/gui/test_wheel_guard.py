"""The mouse wheel never changes a choice list or number box the user has not focused.

Scrolling the form with the wheel used to change every combo box passing under the pointer
(Octagam 5 % → 10 %, kg → lb, ITP → CIDP loading). These tests walk every widget of the window
and of the Preferences dialog, so a choice list added later without the guard fails here.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QScrollArea, QSlider, QWidget

from ivig_desktop.ui.dialogs import PreferencesDialog
from ivig_desktop.ui.wheel_guard import WHEEL_CHANGED, is_guarded
from tests.gui.driver import VOLUME_LOAD, type_case, wait_for_plan


def wheel(widget: QWidget, notches: int = -1) -> bool:
    """One wheel turn over the middle of ``widget`` (negative: towards the user, i.e. down)."""
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def value_of(widget: QWidget):
    if isinstance(widget, QComboBox):
        return widget.currentIndex()
    if isinstance(widget, QAbstractSpinBox):
        return widget.text()
    assert isinstance(widget, QSlider)
    return widget.value()


def wheel_changed_widgets(root: QWidget) -> list[QWidget]:
    """Every widget under root whose value a wheel turn would change."""
    return [w for w in root.findChildren(QWidget) if isinstance(w, WHEEL_CHANGED)]


def test_an_unguarded_combo_does_change_under_this_wheel_event(qtbot):
    """The control: the synthetic wheel event is one Qt acts on, so the tests below mean something."""
    box = QComboBox()
    qtbot.addWidget(box)
    box.addItems(["a", "b", "c"])
    box.show()
    qtbot.waitExposed(box)
    wheel(box)
    assert box.currentIndex() == 1


def _assert_wheel_changes_nothing(root: QWidget) -> int:
    widgets = wheel_changed_widgets(root)
    for widget in widgets:
        name = widget.accessibleName() or widget.objectName() or repr(widget)
        assert is_guarded(widget), f"{name} is not guarded"
        assert not widget.hasFocus()
        before = value_of(widget)
        wheel(widget, -1)
        wheel(widget, +1)
        wheel(widget, -1)
        assert value_of(widget) == before, f"the wheel changed {widget.accessibleName()!r}"
    return len(widgets)


def test_wheel_over_every_unfocused_choice_changes_nothing(qtbot, window):
    type_case(qtbot, window, VOLUME_LOAD)
    wait_for_plan(qtbot, window)
    # Move every combo off its first item so a turn either way would change it.
    for box in window.findChildren(QComboBox):
        if box.currentIndex() == 0 and box.count() > 1:
            box.setCurrentIndex(1)
    window.recompute()
    n = _assert_wheel_changes_nothing(window)
    assert n >= 9  # weight, height, age, creatinine and pre-pregnancy units; sex; indication; product; policy


def test_wheel_over_a_choice_is_left_for_the_form_to_scroll(qtbot, window):
    """The guard leaves the turn ignored: Qt then hands a real wheel turn to the parent, the
    form's scroll area, so the form scrolls rather than the wheel going dead over a list."""
    box = window.order_form.product
    before = box.currentIndex()
    assert wheel(box, -1) is False
    assert box.currentIndex() == before
    ancestors = []
    parent = box.parentWidget()
    while parent is not None:
        ancestors.append(parent)
        parent = parent.parentWidget()
    assert any(isinstance(a, QScrollArea) for a in ancestors)


def test_wheel_over_every_preferences_choice_changes_nothing(qtbot, window, prefs):
    dlg = PreferencesDialog(prefs, window)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert _assert_wheel_changes_nothing(dlg) == 4


def test_a_focused_choice_still_follows_the_wheel(qtbot, window):
    box = window.order_form.policy
    window.activateWindow()
    try:
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    except AssertionError:
        pytest.skip("the window cannot be activated on this platform (offscreen)")
    box.setFocus(Qt.FocusReason.TabFocusReason)
    if not box.hasFocus():  # the offscreen platform gives no focus; a real display does
        pytest.skip("no keyboard focus on this platform")
    before = box.currentIndex()
    wheel(box, -1)
    assert box.currentIndex() == before + 1
