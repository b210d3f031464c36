"""Critical means stop: a banner in sight, the worst warning in view, output only once each
critical warning is acknowledged with a typed reason, and the reason kept and printed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractScrollArea, QListWidget

from tests.gui.driver import ITP_70, Case, type_case, wait_for_plan
from tests.report.pdf_reading import pdf_pages

#: ITP 70 kg with IgA deficiency: the engine's one critical warning ("iga"); Octagam 10 % also
#: brings cautions and info lines, so the list has more than the critical one.
CRITICAL = Case(
    "itp-70kg-iga", 70, 175, "male", 50, "octagam-10", "gbs", risks=("iga-deficiency", "diabetes")
)


@pytest.fixture
def critical(qtbot, window):
    type_case(qtbot, window, CRITICAL)
    wait_for_plan(qtbot, window)
    assert [w.code for w in window.plan.warnings if w.severity.name == "CRITICAL"] == ["iga"]
    return window


def _ancestors(widget):
    parent = widget.parentWidget()
    while parent is not None:
        yield parent
        parent = parent.parentWidget()


def test_a_plan_without_criticals_has_no_banner(qtbot, window):
    type_case(qtbot, window, ITP_70)
    wait_for_plan(qtbot, window)
    assert window.critical_banner.isHidden()
    assert window.status.text() == "<b>Plan is current.</b>"


def test_the_critical_banner_counts_and_stays_in_sight(qtbot, critical):
    w = critical
    banner = w.critical_banner
    assert banner.isVisible()
    assert banner.text().startswith("✖ 1 CRITICAL warning: act on it")
    assert "CRITICAL" in w.status.text() and "Plan is current." not in w.status.text()
    # Not inside any scroll area, and not inside the plan view that greys out while recomputing.
    assert not any(isinstance(a, QAbstractScrollArea) for a in _ancestors(banner))
    assert w.plan_view not in list(_ancestors(banner))
    # Scroll everything there is to scroll and recompute: the banner is still shown.
    for area in w.findChildren(QAbstractScrollArea):
        area.verticalScrollBar().setValue(area.verticalScrollBar().maximum())
    w.patient_form.weight.edit.setText("71")
    assert banner.isVisible()  # also while recalculating
    wait_for_plan(qtbot, w)
    assert banner.isVisible() and banner.visibleRegion().boundingRect().height() > 0
    # A second critical (Octagam's maltose with a maltose-sensitive glucose meter): the count follows.
    w.risk_form.boxes["maltose-meter"].setChecked(True)
    wait_for_plan(qtbot, w)
    assert banner.text().startswith("✖ 2 CRITICAL warnings: act on each")


def test_the_warnings_list_scrolls_to_the_most_severe_after_every_recompute(qtbot, critical):
    w = critical
    lst: QListWidget = w.warnings
    w.resize(1024, 700)
    lst.setFixedHeight(40)  # room for about one line: the list must scroll
    w.recompute()
    assert lst.count() > 1
    lst.scrollToBottom()
    w.patient_form.weight.edit.setText("72")
    wait_for_plan(qtbot, w)
    first = lst.item(0)
    assert first.text().startswith("✖ CRITICAL")
    assert lst.visualItemRect(first).top() >= 0 and lst.visualItemRect(first).top() < lst.viewport().height()
    assert lst.verticalScrollBar().value() == 0


def test_export_of_a_critical_plan_waits_for_a_typed_reason_per_warning(qtbot, critical, history, tmp_path):
    w = critical
    target = tmp_path / "critical.pdf"
    before = history.count()
    assert w.export_pdf(target) is False
    dlg = w.ack_dialog
    assert dlg is not None and dlg.isVisible()
    assert not target.exists() and history.count() == before
    # OK stays disabled while a reason is blank (spaces are no reason), and accept() does nothing.
    assert not dlg.ok.isEnabled()
    dlg.reasons[0].setText("   ")
    assert not dlg.ok.isEnabled()
    dlg.accept()
    assert dlg.isVisible() and not target.exists()
    # Cancel: nothing written, nothing recorded.
    dlg.reject()
    assert not target.exists() and history.count() == before
    # Again, with a reason.
    w.export_pdf(target)
    dlg = w.ack_dialog
    qtbot.keyClicks(dlg.reasons[0], "IgA level checked: normal, Dr Lee")
    assert dlg.ok.isEnabled()
    dlg.ok.click()
    assert target.exists()
    assert history.count() == before + 1
    entry = history.search()[0]
    assert entry.action == "export-pdf"
    acks = history.results(entry.id)["critical_acknowledgements"]
    assert acks == [
        {"code": "iga", "message": w.plan.warnings[0].message, "reason": "IgA level checked: normal, Dr Lee"}
    ]
    # On paper: the boxed banner with the warning and the reason on every page.
    pages = pdf_pages(Path(target).read_bytes())
    assert len(pages) >= 5  # GBS: 5 days, each a new page
    for text in pages:
        assert "1 CRITICAL WARNING" in text
        assert "Acknowledged: IgA level checked: normal, Dr Lee" in text


def test_print_and_preview_of_a_critical_plan_ask_first(qtbot, critical):
    w = critical
    assert w.print_plan() is None
    assert w.ack_dialog.isVisible()
    w.ack_dialog.reject()
    assert w.print_preview() is None
    dlg = w.ack_dialog
    assert dlg.isVisible()
    dlg.reasons[0].setText("accepted by the prescriber")
    with qtbot.waitSignal(dlg.accepted):
        dlg.ok.click()
    assert w._preview is not None
    assert w.acknowledged == {w.plan.warnings[0]: "accepted by the prescriber"}
    w._preview.close()
