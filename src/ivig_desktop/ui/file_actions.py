"""New, open, save, recent files and history of the main window; nothing unsaved is lost unasked.

A mixin for the main window: it needs ``document``, ``entry``, ``plan``, ``prefs``, ``history``,
``catalogue``, ``current_plan()``, ``recompute()``, ``error()``, ``confirm()`` and
``reset_undo()`` from it. New, Open and closing the window first ask about unsaved changes;
file dialogs start in the folder used last.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ivig_desktop.engine.errors import InputError
from ivig_desktop.ui import lazy

if TYPE_CHECKING:
    from ivig_desktop.engine.patient import Patient
    from ivig_desktop.engine.plan import Order, Plan


class FileActions:
    plan: Plan | None
    prefs: Any

    def _init_files(self) -> None:
        self.saved_changes: list[str] = []
        self.discard_question: Any = None

    # -- dialogs' folder -------------------------------------------------------------------------
    def _start_in(self, name: str) -> str:
        folder = self.prefs.get("last_folder")
        return str(Path(folder) / name) if folder and Path(folder).is_dir() else name

    def _remember_folder(self, path: Path) -> None:
        self.prefs.set("last_folder", str(path.parent))

    def ask_save_path(self, title: str, name: str, filter_: str) -> Path | None:
        from PySide6.QtWidgets import QFileDialog

        chosen, _ = QFileDialog.getSaveFileName(self, title, self._start_in(name), filter_)
        if not chosen:
            return None
        path = Path(chosen)
        self._remember_folder(path)
        return path

    def ask_open_path(self, title: str, filter_: str) -> Path | None:
        from PySide6.QtWidgets import QFileDialog

        chosen, _ = QFileDialog.getOpenFileName(self, title, self._start_in(""), filter_)
        if not chosen:
            return None
        path = Path(chosen)
        self._remember_folder(path)
        return path

    # -- unsaved changes -------------------------------------------------------------------------
    def ask_before_discarding(self, then: Callable[[], object], doing: str) -> bool:
        """Run ``then`` now when nothing is unsaved (True); otherwise ask Save / Discard / Cancel
        first and run it after Save (if saved) or Discard. False when it waits for the answer."""
        self.sync_document()
        if not self.document.modified:
            then()
            return True
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Unsaved changes",
            f"{self.document.name} has changes that are not saved. Save them before {doing}?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)

        def answered(_: int = 0) -> None:
            button = box.standardButton(box.clickedButton())
            if button == QMessageBox.StandardButton.Save:
                if self.save_plan():
                    then()
            elif button == QMessageBox.StandardButton.Discard:
                then()

        box.finished.connect(answered)
        box.open()
        self.discard_question = box
        return False

    # -- new and open ----------------------------------------------------------------------------
    def new_plan(self) -> bool:
        return self.ask_before_discarding(self._new, "starting a new plan")

    def _new(self) -> None:
        from ivig_desktop.ui import check_dialog

        check_dialog.forget(self)
        self.show_all_errors = False
        self.saved_changes = []
        self.entry.fill(None, None)
        for widget in self.entry.fields().values():
            widget.touched = False
        self.recompute()
        self.document.reset(self.entry.state())
        self.reset_undo()
        self.sync_document()

    def set_inputs(self, patient: Patient | None, order: Order | None) -> None:
        """Fill the form from a patient and an order (or clear it); the plan follows."""
        self.entry.fill(patient, order)
        self.recompute()

    def open_plan(self, path: Path | None = None) -> bool:
        """Open a plan file; on any problem show why and change nothing. A readable file replaces
        unsaved changes only after asking. True when opened now."""
        if path is None:
            path = self.ask_open_path("Open plan", "IVIG plans (*.ivig)")
            if path is None:
                return False
        try:
            patient, order, doc = lazy.plan_file.load_plan_inputs(path)
            self._check_known(order)
        except InputError as exc:
            self.error("Plan not opened", str(exc))
            return False
        return self.ask_before_discarding(
            lambda: self._open(path, patient, order, doc), "opening another plan"
        )

    def _open(self, path: Path, patient: Patient, order: Order, doc: dict) -> None:
        from ivig_desktop.ui import check_dialog

        check_dialog.opened(self, path, doc)  # its preparer and signed check, verified per plan
        self.set_inputs(patient, order)
        self.saved_changes = (
            lazy.plan_file.changes(doc.get("results"), self.plan) if self.plan is not None else []
        )
        self.document.reset(self.entry.state(), path)
        self.reset_undo()
        self._remember_recent(path)
        self._show_problems()
        self.sync_document()
        self.confirm(f"Opened {path}.")

    def _check_known(self, order: Order) -> None:
        """Refuse what the form could not show: an unknown risk factor or product would
        otherwise be dropped silently and the plan made without it."""
        from ivig_desktop.engine.risk_factors import RISK_IDS

        unknown = sorted(r for r in order.risks if r not in RISK_IDS)
        if unknown:
            raise InputError("risk", f"'{unknown[0]}' is not a known risk factor")
        self.catalogue.formulary.product(order.product)
        if order.indication is not None:
            self.catalogue.regimens.get(order.indication)
        self.catalogue.policy(order.weight_policy)

    # -- save ------------------------------------------------------------------------------------
    def save_plan(self, path: Path | None = None, *, ask: bool = False) -> bool:
        from ivig_desktop.store.plan_file import SUFFIX, save_plan

        if self.current_plan() is None:
            self.error("Nothing to save", "The plan is not complete: correct the marked fields first.")
            return False
        target = path or (None if ask else self.document.path)
        if target is None:
            chosen = self.ask_save_path("Save plan", "plan.ivig", "IVIG plans (*.ivig)")
            if chosen is None:
                return False
            target = chosen if chosen.name.endswith(SUFFIX) else chosen.with_name(chosen.name + SUFFIX)
        from ivig_desktop.ui import check_dialog

        try:
            save_plan(self.plan, target, **check_dialog.save_options(self))
        except InputError as exc:
            self.error("Plan not saved", str(exc))
            return False
        self.sync_document()
        self.document.saved(target)
        self.saved_changes = []
        self.record("save", str(target))
        check_dialog.saved(self, target)  # a check this save dropped is recorded as lost
        self._remember_recent(target)
        self._show_problems()
        self.sync_document()
        self.confirm(f"Saved to {target}.")
        return True

    @property
    def current_path(self) -> Path | None:
        return self.document.path

    # -- recent files and history ----------------------------------------------------------------
    def _remember_recent(self, path: Path) -> None:
        recent = [p for p in self.prefs.get("recent_files").split("\n") if p and p != str(path)]
        self.prefs.set("recent_files", "\n".join([str(path), *recent][:8]))
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for i, name in enumerate(p for p in self.prefs.get("recent_files").split("\n") if p):
            action = self.recent_menu.addAction(f"&{i + 1} {name}")
            action.triggered.connect(lambda _=False, n=name: self.open_plan(Path(n)))
        self.recent_menu.setEnabled(bool(self.recent_menu.actions()))

    def record(self, action: str, label: str) -> None:
        """Append to the history; a failure is shown, never hidden (the file itself is written)."""
        if self.plan is None:
            return
        import sqlite3

        try:
            stored = self.history.record(
                self.plan,
                action,
                label,
                acknowledged=self.acknowledged if action != "save" else None,
                formulary_revision_id=self.formulary_revision_id,
            )
        except (lazy.history.HistoryError, OSError, sqlite3.Error) as exc:
            self.error("History not recorded", f"The {action} happened but was not recorded: {exc}")
            return
        if stored is None:  # the clinic's server is away: the record waits here, and the user is told
            self._notice(f"⚠ {self.history.last_queued}")
        elif self.formulary_revision_id is not None:
            self._notice_newer_formulary()

    def _notice_newer_formulary(self) -> None:
        """Told, not applied: a formulary changing under a plan being made would be a surprise."""
        try:
            newest, _ = self.history.current_formulary()
        except lazy.history.HistoryError:
            return
        if newest is not None and newest.id != self.formulary_revision_id:
            self._notice(
                f"⚠ Formulary revision {newest.id} ({newest.revision}) has been published; this plan "
                f"used revision {self.formulary_revision_id}. Edit → Preferences → OK loads it."
            )

    def _notice(self, text: str) -> None:
        """Shown now, and kept beside the confirmation that follows (see MainWindow.confirm)."""
        self.record_notice = text
        self.statusBar().showMessage(text)

    def _reopen_record(self, entry_id: int) -> None:
        try:
            patient, order = self.history.inputs(entry_id)
            self._check_known(order)
        except (InputError, lazy.history.HistoryError) as exc:
            self.error("Record not reopened", str(exc))
            return
        self.set_inputs(patient, order)

    def open_history(self):
        from ivig_desktop.ui.history_dialog import HistoryDialog

        dlg = HistoryDialog(self.history, self)
        dlg.chosen.connect(self._reopen_record)
        dlg.open()
        self._history_dialog = dlg
        return dlg
