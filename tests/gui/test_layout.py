"""Layout for the screens clinics have, and what each day's tab tells the nurse."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QComboBox

from ivig_desktop.engine import display as d
from tests.gui.driver import PID_100, VOLUME_LOAD, type_case, wait_for_plan


def _inside(widget, container) -> bool:
    """The whole of ``widget`` lies inside ``container``'s visible rectangle."""
    top_left = widget.mapTo(container, QPoint(0, 0))
    return QRect(0, 0, container.width(), container.height()).contains(QRect(top_left, widget.size()))


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768), (1920, 1080)])
def test_every_unit_box_and_schedule_column_is_visible(qtbot, window, size):
    type_case(qtbot, window, VOLUME_LOAD)
    wait_for_plan(qtbot, window)
    window.setMaximumSize(*size)
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size)
    assert window.minimumSizeHint().width() <= 1024 and window.minimumSizeHint().height() <= 700
    entry = window.entry
    # The form scrolls vertically only.
    assert entry.horizontalScrollBar().maximum() == 0
    pf = window.patient_form
    for field in (pf.weight, pf.height, pf.age, pf.scr, pf.pre_pregnancy):
        assert isinstance(field.unit, QComboBox)
        entry.ensureWidgetVisible(field.unit)
        assert _inside(field.unit, entry.viewport()), field.unit.accessibleName()
    # Every column of the schedule fits its table (no sideways scrolling to find mL/h).
    view = window.day_views[0]
    assert view.horizontalScrollBar().maximum() == 0
    assert view.horizontalHeader().length() <= view.viewport().width()


def test_the_schedule_grows_with_the_window(qtbot, window):
    type_case(qtbot, window, VOLUME_LOAD)
    wait_for_plan(qtbot, window)
    window.setMaximumSize(1024, 700)
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.height() == 700)
    small = window.day_views[0].height()
    window.setMaximumSize(1920, 1080)
    window.resize(1920, 1080)
    qtbot.waitUntil(lambda: window.height() == 1080)
    assert window.day_views[0].height() > small + 200


def test_each_day_shows_its_vials_and_its_clock_end_time(qtbot, window):
    type_case(qtbot, window, PID_100)  # 22:30 start: the infusion ends after midnight
    wait_for_plan(qtbot, window)
    plan = window.plan
    day = plan.days[0]
    sched = day.schedule
    assert sched.end.date() > sched.start.date()
    text = window.day_labels[0].text()
    end = sched.end.strftime("%H:%M")
    assert f"end {end} next day" in text
    assert "Start 22:30" in text
    for c in day.pick.counts:
        assert f"{c.count} × {d.fmt(c.vial.size, 'dose')}" in text
    assert d.fmt(day.dose, "dose") in text


def test_print_preview_opens_fitted_to_width(qtbot, window):
    from PySide6.QtPrintSupport import QPrintPreviewWidget

    type_case(qtbot, window, PID_100)
    wait_for_plan(qtbot, window)
    dlg = window.print_preview()
    assert dlg is not None
    views = dlg.findChildren(QPrintPreviewWidget)
    assert views and all(v.zoomMode() == QPrintPreviewWidget.ZoomMode.FitToWidth for v in views)
    dlg.close()


def test_an_engine_error_is_marked_under_the_field_it_names(qtbot, window):
    """The engine refuses 25 g/kg (above the site's hard course limit) naming "dose": the
    window marks Dose, not Weight or the status line."""
    type_case(qtbot, window, PID_100)
    wait_for_plan(qtbot, window)
    window.order_form.dose.setText("25 g/kg")
    qtbot.waitUntil(lambda: not window.timer.isActive())
    assert window.plan is None
    assert window.order_form.dose_field.error.isVisible()
    assert "hard limit" in window.order_form.dose_field.error.text()
    assert not window.patient_form.weight.error.isVisible()
