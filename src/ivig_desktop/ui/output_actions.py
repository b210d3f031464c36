"""Print, print preview and PDF export of the current plan, gated by critical acknowledgement.

A mixin for the main window: it needs ``plan``, ``prefs``, ``current_plan()``, ``record()``,
``error()`` and ``confirm()`` from it. A plan with critical warnings goes to paper or PDF only
after each critical warning is acknowledged with a typed reason; the reasons are printed on
every page and recorded in the history.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ivig_desktop.engine.errors import InputError
from ivig_desktop.ui.critical import critical_warnings

if TYPE_CHECKING:
    from ivig_desktop.engine.plan import Plan
    from ivig_desktop.ui.acknowledge_dialog import AcknowledgeDialog


class OutputActions:
    plan: Plan | None
    prefs: Any

    def _init_output(self) -> None:
        # Critical warning → typed reason, for the output being made now (asked afresh each time).
        self.acknowledged: dict = {}
        self.ack_dialog: AcknowledgeDialog | None = None
        self._preview: Any = None
        self._print_dialog: Any = None
        self.last_pdf: Path | None = None

    def _printer(self):
        from PySide6.QtPrintSupport import QPrinter

        from ivig_desktop.report.printing import page_layout

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(page_layout(self.prefs.get("paper")))
        return printer

    def _print(self, printer) -> None:
        self._paint(printer)
        if self.plan is not None:
            path = self.document.path
            self.record("print", path.name if path else "")
            self.confirm("Sent to the printer.")

    def _paint(self, printer) -> None:
        from datetime import datetime

        from ivig_desktop.report.printing import paint_plan

        if self.plan is not None:
            paint_plan(
                self.plan,
                printer,
                printed_at=datetime.now(),
                h12=not self.prefs.get("clock_24h"),
                acknowledged=self.acknowledged,
            )

    def _acknowledge_then(self, action: str, go: Callable[[], object]) -> bool:
        """Run ``go`` now for a plan without critical warnings; otherwise ask for a typed reason
        for each first (the dialog opens and ``go`` runs once it is accepted). True when run now."""
        plan = self.current_plan()
        if plan is None:
            return False
        self.acknowledged = {}
        if not critical_warnings(plan):
            go()
            return True
        from ivig_desktop.ui.acknowledge_dialog import AcknowledgeDialog  # not needed at start-up

        dlg = AcknowledgeDialog(plan, action, self)

        def accepted() -> None:
            if self.plan is not plan:  # the plan changed while the dialog was open: ask again
                self.error("Not done", "The plan changed while its warnings were being acknowledged.")
                return
            self.acknowledged = dlg.acknowledged()
            go()

        dlg.accepted.connect(accepted)
        dlg.open()
        self.ack_dialog = dlg
        return False

    def print_preview(self):
        return self._preview if self._acknowledge_then("print preview", self._open_preview) else None

    def _open_preview(self) -> None:
        from PySide6.QtPrintSupport import QPrintPreviewDialog, QPrintPreviewWidget

        # The dialog keeps only a pointer to the printer: hold it, or Qt paints a freed object.
        self._preview_printer = self._printer()
        dlg = QPrintPreviewDialog(self._preview_printer, self)
        dlg.paintRequested.connect(self._paint)
        screen = dlg.screen().availableGeometry()
        dlg.resize(min(1000, screen.width()), int(screen.height() * 0.9))
        for view in dlg.findChildren(QPrintPreviewWidget):
            view.setZoomMode(QPrintPreviewWidget.ZoomMode.FitToWidth)  # readable, not 38 %
        dlg.open()
        self._preview = dlg

    def print_plan(self):
        return self._print_dialog if self._acknowledge_then("printing", self._open_print_dialog) else None

    def _open_print_dialog(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog
        from PySide6.QtWidgets import QDialog

        printer = self._print_printer = self._printer()
        dlg = QPrintDialog(printer, self)
        # PySide6's QPrintDialog.open() wants (receiver, member) and its accepted signal is
        # overloaded: use QDialog's own open() and the finished(int) result instead.
        dlg.finished.connect(
            lambda result: self._print(printer) if result == int(QDialog.DialogCode.Accepted) else None
        )
        QDialog.open(dlg)
        self._print_dialog = dlg

    def export_pdf(self, path: Path | None = None) -> bool:
        """Write the current plan as PDF; without ``path`` ask for one. True when written now
        (a plan with critical warnings is written once they are acknowledged)."""
        result: list[bool] = []
        self._acknowledge_then("export", lambda: result.append(self._write_pdf(path)))
        return bool(result and result[0])

    def _write_pdf(self, path: Path | None) -> bool:
        from ivig_desktop.report.printing import write_pdf

        if self.plan is None:
            return False
        if path is None:
            path = self.ask_save_path("Export PDF", "ivig-schedule.pdf", "PDF (*.pdf)")
            if path is None:
                return False
        try:
            write_pdf(
                self.plan,
                path,
                paper=self.prefs.get("paper"),
                h12=not self.prefs.get("clock_24h"),
                acknowledged=self.acknowledged,
            )
        except InputError as exc:
            self.error("PDF not written", str(exc))
            return False
        self.record("export-pdf", str(path))
        self.last_pdf = path
        self.confirm(f"PDF written to {path}.")
        return True
