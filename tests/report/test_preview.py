"""The window's print preview, print and PDF export: the same painter as the PDF, on the current
plan only; with no valid plan nothing is painted or written and the actions are disabled."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivig_desktop.store.history import History
from ivig_desktop.ui.main_window import MainWindow
from ivig_desktop.ui.preferences import Preferences
from tests.report.pdf_reading import has_number, page_sizes, pdf_pages, sheets

RATES = ("42", "84", "168", "336", "504")


@pytest.fixture
def history(tmp_path: Path) -> History:
    return History(tmp_path / "h.sqlite3")


@pytest.fixture
def window(qtbot, tmp_path: Path, history: History) -> MainWindow:
    w = MainWindow(Preferences(tmp_path / "p.ini"), history)
    qtbot.addWidget(w)
    return w


def fill(w: MainWindow, *, start: str = "08:00") -> None:
    """70 kg, 175 cm, male, 50 y; Octagam 10 % for ITP (2 g/kg over 2 days)."""
    pf, of = w.patient_form, w.order_form
    pf.weight.edit.setText("70")
    pf.height.edit.setText("175")
    pf.sex.setCurrentIndex(1)
    assert pf.sex.currentData() == "male"
    pf.age.edit.setText("50")
    of.indication.setCurrentIndex(of.indication.findData("itp"))
    of.product.setCurrentIndex(of.product.findData("octagam-10"))
    of.start.setText(start)
    w.recompute()
    assert w.plan is not None
    assert len(w.plan.days) == 2


def actions(w: MainWindow) -> list[bool]:
    return [a.isEnabled() for a in (w.preview_action, w.print_action, w.pdf_action)]


def test_preview_paints_the_plan(qtbot, window: MainWindow) -> None:
    from PySide6.QtPrintSupport import QPrintPreviewWidget

    fill(window)
    assert actions(window) == [True, True, True]
    dlg = window.print_preview()
    assert dlg is not None
    painted: list[object] = []
    dlg.paintRequested.connect(painted.append)
    preview = dlg.findChild(QPrintPreviewWidget)
    assert preview is not None
    with qtbot.waitSignal(dlg.paintRequested, timeout=5000):
        preview.updatePreview()
    qtbot.waitUntil(lambda: preview.pageCount() == 3, timeout=5000)  # 2 days + Sources
    assert len(painted) == 1
    # The printer handed to the painter is the one the window keeps alive, laid out on A4.
    printer = painted[0]
    assert printer is window._preview_printer
    from PySide6.QtGui import QPageSize

    assert printer.pageLayout().pageSize().id() == QPageSize.PageSizeId.A4
    dlg.close()
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)


def test_preview_follows_a_pending_edit(qtbot, window: MainWindow) -> None:
    """A printout asked for right after a keystroke shows the plan for what is typed now."""
    from PySide6.QtPrintSupport import QPrintPreviewWidget

    fill(window)
    window.order_form.indication.setCurrentIndex(window.order_form.indication.findData("gbs"))
    window.order_form.product.setCurrentIndex(window.order_form.product.findData("privigen"))
    assert window.timer.isActive()  # the recompute has not run yet
    dlg = window.print_preview()
    assert dlg is not None
    assert len(window.plan.days) == 5
    preview = dlg.findChild(QPrintPreviewWidget)
    preview.updatePreview()
    qtbot.waitUntil(lambda: preview.pageCount() == 6, timeout=5000)  # 5 days + Sources
    dlg.close()


def test_preview_on_letter_paper(qtbot, tmp_path: Path, history: History) -> None:
    from PySide6.QtGui import QPageSize
    from PySide6.QtPrintSupport import QPrintPreviewWidget

    prefs = Preferences(tmp_path / "p.ini")
    prefs.set("paper", "Letter")
    w = MainWindow(prefs, history)
    qtbot.addWidget(w)
    fill(w)
    dlg = w.print_preview()
    painted: list[object] = []
    dlg.paintRequested.connect(painted.append)
    dlg.findChild(QPrintPreviewWidget).updatePreview()
    qtbot.waitUntil(lambda: bool(painted), timeout=5000)
    assert painted[0].pageLayout().pageSize().id() == QPageSize.PageSizeId.Letter
    dlg.close()
    assert w.export_pdf(tmp_path / "w.pdf")
    assert page_sizes((tmp_path / "w.pdf").read_bytes()) == [(612, 792)] * 3


def test_export_pdf_writes_the_plan_and_records_it(
    window: MainWindow, tmp_path: Path, history: History
) -> None:
    fill(window)
    target = tmp_path / "w.pdf"
    assert window.export_pdf(target) is True
    pages = pdf_pages(target.read_bytes())
    assert len(pages) == 3  # 2 days + Sources
    for i, text in enumerate(sheets(pages), start=1):
        assert f"Day {i} of 2" in text and f"Page {i} of 3" in text
        for rate in RATES:
            assert has_number(text, rate)
        assert "Give 70 g" in text and "Start 08:00, end 10:46" in text
    assert [(e.action, e.label) for e in history.search()] == [("export-pdf", str(target))]


def test_export_pdf_uses_the_twelve_hour_preference(qtbot, tmp_path: Path, history: History) -> None:
    prefs = Preferences(tmp_path / "p.ini")
    prefs.set("clock_24h", False)
    w = MainWindow(prefs, history)
    qtbot.addWidget(w)
    fill(w, start="13:00")
    assert w.export_pdf(tmp_path / "w.pdf")
    text = pdf_pages((tmp_path / "w.pdf").read_bytes())[0]
    assert "Start 1:00 PM, end 3:46 PM" in text


def test_export_pdf_to_a_missing_folder_fails_and_records_nothing(
    qtbot, window: MainWindow, tmp_path: Path, history: History
) -> None:
    fill(window)
    target = tmp_path / "missing" / "w.pdf"
    assert window.export_pdf(target) is False
    assert not target.exists()
    assert history.search() == []
    box = window.last_error
    assert box.windowTitle() == "PDF not written" and "output" in box.text()
    box.close()


def test_no_plan_no_printout(qtbot, window: MainWindow, tmp_path: Path, history: History) -> None:
    fill(window)
    window.patient_form.weight.edit.setText("70 m")  # a length, not a weight
    window.recompute()
    assert window.plan is None
    assert actions(window) == [False, False, False]
    assert window.export_pdf(tmp_path / "x.pdf") is False
    assert not (tmp_path / "x.pdf").exists()
    assert window.print_preview() is None
    assert window.print_plan() is None
    assert history.search() == []
    # Fixing the field brings the plan and the actions back.
    window.patient_form.weight.edit.setText("70")
    window.recompute()
    assert window.plan is not None and actions(window) == [True, True, True]


def test_empty_form_has_no_printout(qtbot, window: MainWindow, tmp_path: Path) -> None:
    window.recompute()
    assert window.plan is None
    assert actions(window) == [False, False, False]
    assert window.export_pdf(tmp_path / "x.pdf") is False
    assert list(tmp_path.glob("*.pdf")) == []


def test_print_opens_the_print_dialog(qtbot, window: MainWindow) -> None:
    """File → Print… must show the print dialog for the current plan."""
    from PySide6.QtPrintSupport import QPrintDialog

    fill(window)
    dlg = window.print_plan()
    assert isinstance(dlg, QPrintDialog)
    assert dlg.printer() is window._print_printer
    dlg.close()


def test_print_paints_to_the_chosen_printer(
    qtbot, window: MainWindow, tmp_path: Path, history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What pressing Print does, without a print system: the dialog is replaced by one that only
    records that it was opened; its printer is pointed at a PDF file."""
    from PySide6 import QtPrintSupport
    from PySide6.QtPrintSupport import QPrinter

    opened: list[object] = []

    class QuietPrintDialog(QtPrintSupport.QPrintDialog):
        def open(self, *args: object) -> None:
            opened.append(self)

    monkeypatch.setattr(QtPrintSupport, "QPrintDialog", QuietPrintDialog)
    fill(window)
    dlg = window.print_plan()
    assert isinstance(dlg, QuietPrintDialog)
    assert dlg.isVisible()  # QDialog.open: PySide6's QPrintDialog.open() wants (receiver, member)
    printer = dlg.printer()
    assert isinstance(printer, QPrinter)
    out = tmp_path / "printed.pdf"
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    assert not out.exists()
    from PySide6.QtWidgets import QDialog

    dlg.done(int(QDialog.DialogCode.Accepted))  # what pressing Print does
    pages = pdf_pages(out.read_bytes())
    assert len(pages) == 3  # 2 days + Sources
    for i, text in enumerate(sheets(pages), start=1):
        assert f"Day {i} of 2" in text and f"Page {i} of 3" in text
        for rate in RATES:
            assert has_number(text, rate)
    assert [e.action for e in history.search()] == ["print"]
    dlg.deleteLater()
