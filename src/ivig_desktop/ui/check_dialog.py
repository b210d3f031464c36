"""Check mode: a second clinician re-enters a saved plan's order blind, then both are compared.

ISMP's independent double check (clinical-anchors §3.2): the checker works from the
prescription "without any input from the first practitioner". So the saved plan is read but
none of its figures is put into any widget until the checker's entry is complete and the
checker asks to compare; from then on the entry is locked, both plans are shown side by side
with every difference marked, and only a match can be signed (no override).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ivig_desktop.engine.errors import InputError
from ivig_desktop.ui import lazy
from ivig_desktop.ui.order_entry import OrderEntry

if TYPE_CHECKING:
    from ivig_desktop.engine.double_check import Comparison
    from ivig_desktop.engine.plan import Catalogue, Plan
    from ivig_desktop.engine.signature import SignedCheck
    from ivig_desktop.store.history import History
    from ivig_desktop.ui.preferences import Preferences

_DIFFERENT = QColor("#fde7e9")


class CheckDialog(QDialog):
    """One check of one saved plan file. ``signed`` is emitted with the signature on a match."""

    signed = Signal(object)

    def __init__(
        self,
        path: Path,
        catalogue: Catalogue,
        history: History,
        prefs: Preferences,
        names: tuple[dict[str, str], dict[str, str], dict[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        """Reads ``path`` (refused with InputError before anything is shown when it cannot be
        checked) and opens on the blind entry."""
        super().__init__(parent)
        from ivig_desktop.store import signed_check as sc

        self.path = path
        self.catalogue = catalogue
        self.history = history
        patient, order, doc = lazy.plan_file.load_plan_inputs(path)
        first = lazy.plan.make_plan(patient, order, catalogue)
        moved = lazy.plan_file.changes(doc.get("results"), first)
        if moved:
            raise InputError(
                "plan file",
                f"{path.name}: its figures changed since it was saved ({'; '.join(moved)}); the preparer "
                "must reopen it, review and save it before it is checked",
            )
        preparer = sc.prepared_by(doc, str(path))
        if preparer is None:
            raise InputError(
                "prepared by", f"{path.name} names no preparer: open it, type Prepared by, save, then check"
            )
        self._first: Plan = first  # held here only; no widget shows it before the comparison
        self.preparer = preparer
        self.mine: Plan | None = None
        self.comparison: Comparison | None = None
        self.signature: SignedCheck | None = None

        self.setWindowTitle(f"Independent double check: {path.name}")
        self.intro = QLabel(
            f"Plan file {path.name}, prepared by {preparer}. Enter the patient and the order from the "
            "prescription. The saved plan's figures stay hidden until your entry is complete and you "
            "compare; then your entry is locked."
        )
        self.intro.setWordWrap(True)
        self.checker = QLineEdit(sc.workstation_user())
        self.checker.setAccessibleName("Checked by: your name or initials")
        who = QFormLayout()
        who.addRow("Checked &by:", self.checker)
        if isinstance(label := who.labelForField(self.checker), QLabel):
            label.setBuddy(self.checker)
        # The main window's own order form, read the same way; it starts empty.
        self.entry = OrderEntry(prefs, lambda: catalogue, *names)
        self.entry.setAccessibleName("Checker's entry")
        self.entry.changed.connect(self._entry_changed)
        self.status = QLabel("Your entry is not complete.")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Check status")
        self.compare_button = QPushButton("&Compare with the saved plan")
        self.compare_button.setEnabled(False)
        self.compare_button.clicked.connect(self.compare)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Figure", f"Plan (prepared by {preparer})", "Check"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Both plans side by side, differences marked ≠")
        self.table.hide()
        self.sign_button = QPushButton("&Sign the check")
        self.sign_button.setEnabled(False)
        self.sign_button.hide()
        self.sign_button.clicked.connect(self.sign)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(who)
        ll.addWidget(self.entry, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.table)
        buttons = QHBoxLayout()
        buttons.addWidget(self.compare_button)
        buttons.addWidget(self.sign_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addWidget(splitter, 1)
        lay.addWidget(self.status)
        lay.addLayout(buttons)
        self.resize(1100, 700)

    # -- the blind entry ---------------------------------------------------------------------------
    def _entry_changed(self) -> None:
        if self.comparison is not None:
            return
        errors: dict[str, str] = {}
        inputs = self.entry.read(errors)
        mine = None
        if inputs is not None:
            try:
                mine = lazy.plan.make_plan(inputs[0], inputs[1], self.catalogue)
            except InputError as exc:
                errors[exc.field] = exc.message
        for name, widget in self.entry.fields().items():
            widget.mark(errors.get(name) if widget.touched else None)
        self.mine = mine
        self.compare_button.setEnabled(mine is not None)
        self.status.setText(
            "Your entry is complete: compare when you have entered everything the prescription says."
            if mine is not None
            else f"Your entry is not complete: {len(errors)} field(s) to complete or correct."
        )

    def compare(self) -> None:
        """Reveal both plans, once, when the entry makes a plan; the checker is named first."""
        from ivig_desktop.engine.double_check import compare, same_person
        from ivig_desktop.engine.signature import clean_name

        if self.mine is None or self.comparison is not None:
            return
        try:
            checker = clean_name(self.checker.text(), "checked by")
            if same_person(checker, self.preparer):
                raise InputError(
                    "checked by", f"{checker} prepared this plan; the check is done by another clinician"
                )
        except InputError as exc:
            self.status.setText(f"<b>⚠ {exc}</b>")
            return
        self.checker.setText(checker)
        self.checker.setReadOnly(True)
        self.entry.setEnabled(False)  # locked: no re-entry once the first plan has been seen
        self.compare_button.setEnabled(False)
        self.comparison = result = compare(self._first, self.mine)
        self._fill_table()
        if not result.matched:
            self._record("mismatch", len(result.differences))  # a match is recorded when signed
        if result.matched:
            self.status.setText(
                f"<b>MATCH</b>: all {result.fields} figures agree. "
                "Sign the check to record it in the plan file."
            )
            self.sign_button.show()
            self.sign_button.setEnabled(True)
        else:
            self.status.setText(
                f"<b>✖ MISMATCH</b>: {len(result.differences)} figure(s) differ (marked ≠). This check "
                "cannot be signed: resolve each difference with the preparer or the prescriber, correct "
                "and save the plan, and check it again."
            )

    def _fill_table(self) -> None:
        from ivig_desktop.engine.double_check import ABSENT, plan_figures

        assert self.mine is not None and self.comparison is not None
        first = {f.field: f for f in plan_figures(self._first)}
        mine = {f.field: f for f in plan_figures(self.mine)}
        fields = list(first) + [k for k in mine if k not in first]
        self.table.setRowCount(len(fields))
        for row, name in enumerate(fields):
            a, b = first.get(name), mine.get(name)
            differs = a is None or b is None or a.key != b.key
            cells = (
                f"≠ {name}" if differs else name,
                a.words if a else ABSENT,
                b.words if b else ABSENT,
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if differs:
                    item.setBackground(QBrush(_DIFFERENT))
                self.table.setItem(row, col, item)
        self.table.setHorizontalHeaderLabels(
            ["Figure", f"Plan (prepared by {self.preparer})", f"Check ({self.checker.text()})"]
        )
        self.table.show()

    # -- signing ---------------------------------------------------------------------------------
    def sign(self) -> None:
        """Sign a match into the plan file (atomically) and the history; a mismatch never gets here."""
        from ivig_desktop.store import signed_check as sc

        if self.comparison is None or not self.comparison.matched or self.signature is not None:
            return
        try:
            signature = sc.sign(self._first, self.checker.text(), self.preparer)
            sc.write_check(self.path, self._first, signature)
        except InputError as exc:
            self.status.setText(f"<b>⚠ Not signed: {exc}</b>")
            return
        self.signature = signature
        self._record("match", 0)
        self.sign_button.setEnabled(False)
        self.status.setText(f"<b>✔ Signed</b>: {signature.sentence()}.")
        self.signed.emit(signature)

    def _record(self, result: str, differences: int) -> None:
        from ivig_desktop.store import signed_check as sc

        label = sc.history_label(self.path, result, differences, self.checker.text(), self.preparer)
        try:
            self.history.record(self._first, "check", label)
        except (lazy.history.HistoryError, OSError) as exc:
            self.status.setText(self.status.text() + f"<br>⚠ Not recorded in the history: {exc}")


# -- the main window's side: its File menu entry, the plan's check state, saving -------------------
def start_check(window, path: Path | None = None) -> CheckDialog | None:
    """File → Check a plan…: the current plan (when saved and unchanged) or a saved one."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from ivig_desktop.ui import names

    if path is None:
        current = _current_saved(window)
        if current is not None:
            box = QMessageBox(
                QMessageBox.Icon.Question,
                "Check a plan",
                f"Check the current plan ({current.name}), or open another saved plan?",
                parent=window,
            )
            this = box.addButton("Check the &current plan", QMessageBox.ButtonRole.AcceptRole)
            box.addButton("&Open a saved plan…", QMessageBox.ButtonRole.ActionRole)
            box.addButton(QMessageBox.StandardButton.Cancel)
            box.exec()
            if box.clickedButton() is this:
                path = current
            elif box.buttonRole(box.clickedButton()) != QMessageBox.ButtonRole.ActionRole:
                return None
        if path is None:
            name, _ = QFileDialog.getOpenFileName(window, "Check a plan", "", "IVIG plans (*.ivig)")
            if not name:
                return None
            path = Path(name)
    try:
        dlg = CheckDialog(
            path,
            window.catalogue,
            window.history,
            window.prefs,
            (names.regimens(), names.products(window.prefs.get("site_formulary")), names.policies()),
            window,
        )
    except InputError as exc:
        window.error("Plan not checked", str(exc))
        return None
    dlg.signed.connect(lambda _sig: reload_check(window, path))
    window.check_dialog = dlg
    dlg.open()
    return dlg


def _current_saved(window) -> Path | None:
    """The window's plan file, when the plan on screen is exactly what it holds."""
    window.sync_document()
    path = window.current_path
    if path is None or window.plan is None or window.document.modified:
        return None
    return path


def opened(window, path: Path, doc: dict) -> None:
    """A plan file was opened: remember its preparer and its check (verified on every recompute)."""
    from ivig_desktop.store import signed_check as sc

    window.check_doc = (doc, str(path))
    preparer = sc.prepared_by(doc, str(path))
    window.prepared_by.setText(preparer or sc.workstation_user())


def forget(window) -> None:
    """A new plan: no file, so no check."""
    from ivig_desktop.engine.signature import workstation_user

    window.check_doc = None
    window.prepared_by.setText(workstation_user())


def reload_check(window, path: Path) -> None:
    """After a check was signed into ``path``: if it is the window's plan, show it checked."""
    if window.current_path is None or Path(window.current_path) != Path(path):
        return
    doc = lazy.plan_file.read_document(path)
    window.check_doc = (doc, str(path))
    window.recompute()


def attached(window, plan: Plan | None) -> Plan | None:
    """The recomputed plan with the file's check when it still fits; the banner says which."""
    from ivig_desktop.store import signed_check as sc
    from ivig_desktop.ui.main_window import VERIFY_TEXT

    source = getattr(window, "check_doc", None)
    text = VERIFY_TEXT
    if plan is not None and source is not None:
        state = sc.check_state(source[0], plan, source[1])
        preparer = " ".join(window.prepared_by.text().split())
        if state.checked and state.signed is not None and preparer == state.signed.prepared_by:
            plan = sc.attach(plan, state)
            text = f"✔ Checked: {state.signed.sentence()}."
        elif state.signed is not None:
            text = (
                f"⚠ CHECK LOST: this plan is not the one {state.signed.checked_by} checked on "
                f"{state.signed.when}; it must be checked again. {VERIFY_TEXT[2:]}"
            )
    window.verify_banner.setText(text)
    return plan


def save_options(window) -> dict:
    """Keyword arguments for save_plan: the typed preparer and the check, kept if it still fits."""
    from ivig_desktop.engine.signature import clean_name

    preparer = clean_name(window.prepared_by.text(), "prepared by")
    check = window.plan.check if window.plan is not None else None
    return {"prepared_by": preparer, "check": check.to_dict() if check is not None else None}


def saved(window, target: Path) -> None:
    """After a save: a check the file held and this save dropped is recorded as lost."""
    from ivig_desktop.store import signed_check as sc

    source = getattr(window, "check_doc", None)
    plan = window.plan
    if source is not None and plan is not None and plan.check is None:
        try:
            signed = sc.check_from_document(source[0], source[1])
        except InputError:
            signed = None
        if signed is not None:
            window.record("check", sc.lost_label(target, signed, "the plan changed after it was checked"))
    window.check_doc = (lazy.plan_file.read_document(target), str(target))
