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
    # Each column as wide as its widest figure or title: none stretched away from its row.
    header = view.horizontalHeader()
    for col in range(header.count()):
        assert header.sectionSize(col) <= max(view.sizeHintForColumn(col), header.sectionSizeHint(col)), col


def test_nothing_in_the_plan_is_squeezed_on_a_small_screen(qtbot, window):
    """At 1024 × 700 the plan scrolls instead: the summary keeps every line (it was clipped
    mid-sentence), the warnings and the schedule keep a readable height."""
    type_case(qtbot, window, VOLUME_LOAD)
    wait_for_plan(qtbot, window)
    window.setMaximumSize(1024, 700)
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.height() == 700)
    summary = window.summary
    qtbot.waitUntil(lambda: summary.height() >= summary.heightForWidth(summary.width()))
    assert "Entered:" in summary.text()
    lines = window.warnings.fontMetrics().lineSpacing()
    assert window.warnings.height() >= 5 * lines
    assert window.days_tabs.height() >= 14 * lines
    scroller = window.view.scroller
    assert scroller.verticalScrollBar().maximum() > 0  # it scrolls, vertically only
    assert scroller.horizontalScrollBar().maximum() == 0
    # The critical banner is outside what scrolls.
    scroller.verticalScrollBar().setValue(scroller.verticalScrollBar().maximum())
    assert window.critical_banner.visibleRegion().boundingRect().height() > 0
    scroller.ensureWidgetVisible(window.day_views[0])
    assert _inside(window.day_views[0], scroller.viewport())


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
    # At 1024 × 700 the schedule keeps a readable minimum and the plan scrolls (it was squeezed
    # to about two rows before); on a full HD screen the whole plan fits and the schedule takes
    # most of what the window gained (measured: 257 → 412 px).
    assert window.view.scroller.verticalScrollBar().maximum() == 0
    assert window.day_views[0].height() > small + 120


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
