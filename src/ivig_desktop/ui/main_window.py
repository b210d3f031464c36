"""The main window: wires the order form, the plan view, the document and the file/print actions.

Every edit restarts a short timer; when it fires the whole plan is recomputed by the engine.
While any field is invalid, the fields are marked in place and no plan is shown: the last
valid plan is never left on screen as if it were current.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QPaintEvent, QShowEvent, QUndoStack
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QMainWindow, QSplitter, QVBoxLayout, QWidget

from ivig_desktop.engine.errors import DataError, InputError
from ivig_desktop.ui import lazy, names
from ivig_desktop.ui.critical import paint as paint_banner
from ivig_desktop.ui.document import PlanDocument
from ivig_desktop.ui.file_actions import FileActions
from ivig_desktop.ui.order_entry import OrderEntry
from ivig_desktop.ui.output_actions import OutputActions
from ivig_desktop.ui.plan_view import PlanView
from ivig_desktop.ui.preferences import Preferences
from ivig_desktop.ui.undo import FormStep

if TYPE_CHECKING:
    from ivig_desktop.engine.plan import Alternative, Catalogue, Plan
    from ivig_desktop.engine.settings import SiteSettings
    from ivig_desktop.store.history import History
    from ivig_desktop.ui.forms import Marked

VERIFY_TEXT = "⚠ Verify: every plan must be independently checked by a second clinician before it is used."
RECOMPUTE_DELAY_MS = 120
_NOT_YET_FILLED = ("is empty", "is not chosen")
FIRST_RECOMPUTE_FALLBACK_MS = 250
#: Opening size when nothing is remembered, shrunk to the screen's available area.
PREFERRED_SIZE = (1280, 800)
STATUS_MESSAGE_MS = 8000


def settings_from_preferences(base: SiteSettings, prefs: Preferences) -> SiteSettings:
    """The site settings with the user's preferences applied (the one place they meet)."""
    q_, limit = lazy.units.Q_, lazy.settings.VolumeLimit
    return replace(
        base,
        rounding_tolerance=prefs.get("rounding_tolerance_percent") / 100,
        pump_resolution=q_(prefs.get("pump_resolution_ml_h"), "mL/h"),
        standard_volume=limit(
            q_(prefs.get("standard_volume_ml"), "mL"),
            q_(prefs.get("standard_volume_ml_per_kg"), "mL/kg"),
            base.standard_volume.reason,
        ),
        strict_volume=limit(
            q_(prefs.get("strict_volume_ml"), "mL"),
            q_(prefs.get("strict_volume_ml_per_kg"), "mL/kg"),
            base.strict_volume.reason,
        ),
    )


class MainWindow(OutputActions, FileActions, QMainWindow):
    plan_changed = Signal()

    def __init__(self, prefs: Preferences | None = None, history: History | None = None) -> None:
        super().__init__()
        self.prefs = prefs or Preferences()
        self._history = history
        #: The clinic database's formulary revision in use (Preferences → Clinic database), and a
        #: note when it is the copy kept here because the server is away.
        self.formulary_revision_id: int | None = None
        self.formulary_note = ""
        self._init_output()
        self._init_files()
        self.document = PlanDocument()
        self.show_all_errors = False
        self.plan: Plan | None = None
        self.catalogue_error: str | None = None
        self.last_error = None
        # The engine (pint and the data files) loads on the first recompute, just after the
        # window is shown; the choice lists come straight from the data files.
        self._catalogue: Catalogue | None = None

        self.entry = OrderEntry(
            self.prefs,
            lambda: self.catalogue,
            names.regimens(),
            names.products(self.prefs.get("site_formulary")),
            names.policies(),
            defer_lower=True,  # order details and risk factors: built just after the first paint
        )
        self.entry.lower_built = self._lower_forms_built
        self.view = PlanView()
        self.view.alternative_chosen.connect(self.apply_alternative)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.entry)
        self.splitter.addWidget(self.view)
        self.splitter.setStretchFactor(0, 0)  # the form keeps its width; the plan takes the rest
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        # The form scrolls vertically only: it is never narrower than its fields and unit boxes.
        self.entry.setMinimumWidth(
            self.entry.widget().minimumSizeHint().width()
            + self.entry.verticalScrollBar().sizeHint().width()
            + 4
        )

        banner = QLabel(VERIFY_TEXT)
        banner.setWordWrap(True)
        paint_banner(banner, "#fff4ce", "#5c3c00", bold=True)
        banner.setAccessibleName("Verification reminder")
        self.problem_banner = QLabel()
        self.problem_banner.setWordWrap(True)
        paint_banner(self.problem_banner, "#fde7e9", "#b00020", bold=False)
        self.problem_banner.hide()
        self.verify_banner = banner  # check mode says here whether this plan is checked
        # The login name goes in after the first paint (fill_preparer): the module that knows it
        # brings the date and time library, which the first frame does not need.
        self.prepared_by = QLineEdit()
        self.prepared_by.setAccessibleName("Prepared by: your name or initials")
        self.prepared_by.setMaximumWidth(240)
        self._preparer_filled = False
        self.check_doc: tuple[dict, str] | None = None  # the opened file's check, verified per plan
        top = QHBoxLayout()
        top.addWidget(banner, 1)
        who = QLabel("Prepared by:")  # no mnemonic free: Alt+B is Date of birth
        who.setBuddy(self.prepared_by)
        top.addWidget(who)
        top.addWidget(self.prepared_by)
        central = QWidget()
        cl = QVBoxLayout(central)
        cl.addLayout(top)
        cl.addWidget(self.problem_banner)
        cl.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.undo_stack = QUndoStack(self)
        self._undo_state: dict = {}
        self._shortcuts: list[tuple[QAction, str]] = []
        self._build_menus()

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(RECOMPUTE_DELAY_MS)
        self.timer.timeout.connect(self.recompute)
        self.entry.changed.connect(self.schedule_recompute)
        self.prepared_by.textChanged.connect(self.schedule_recompute)
        self._fit_to_screen()
        self._show_problems()
        self.view.status.setText("Enter the patient and the order; the plan appears when they are complete.")
        self.document.reset(self.entry.state())
        self.sync_document()
        # The first recompute (which loads the engine) waits for the first paint, so the window
        # appears without waiting for the unit system; showEvent arms a fallback.
        self._painted = False
        self._first = QTimer(self)
        self._first.setSingleShot(True)
        self._first.timeout.connect(self.recompute)

    # -- the parts, by the names the tests and the rest of the window use -----------------------
    patient_form = property(lambda self: self.entry.patient_form)
    order_form = property(lambda self: self.entry.order_form)
    risk_form = property(lambda self: self.entry.risk_form)
    overrides_form = property(lambda self: self.entry.overrides_form)
    details_form = property(lambda self: self.entry.details_form)
    regimen_question = property(lambda self: self.entry.regimen_question)
    status = property(lambda self: self.view.status)
    summary = property(lambda self: self.view.summary)
    warnings = property(lambda self: self.view.warnings)
    alternative_buttons = property(lambda self: self.view.alternative_buttons)
    days_tabs = property(lambda self: self.view.days_tabs)
    day_models = property(lambda self: self.view.day_models)
    day_views = property(lambda self: self.view.day_views)
    day_labels = property(lambda self: self.view.day_labels)
    critical_banner = property(lambda self: self.view.critical_banner)
    plan_view = property(lambda self: self.view.body)

    def _fields(self) -> dict[str, Marked]:
        return self.entry.fields()

    # -- showing ---------------------------------------------------------------------------------
    def _fit_to_screen(self) -> None:
        """Open where it was left if that still fits, else at a size that fits the screen."""
        self.setMinimumSize(760, 520)
        saved = self.prefs.get("window_geometry")
        if saved:
            from PySide6.QtCore import QByteArray  # its enums are built on first import (~0.5 ms)

            if self.restoreGeometry(QByteArray.fromBase64(saved.encode("ascii"))):
                return
        screen = self.screen().availableGeometry()
        # Nine tenths of a large screen, the preferred size on a middling one, all of a small one.
        width = max(PREFERRED_SIZE[0], screen.width() * 9 // 10)
        height = max(PREFERRED_SIZE[1], screen.height() * 9 // 10)
        self.resize(min(width, screen.width()), min(height, screen.height()))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._painted and not self._first.isActive():
            self._first.start(FIRST_RECOMPUTE_FALLBACK_MS)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self, self._install_shortcuts)
            if self.plan is None:
                self._first.start(0)

    def fill_preparer(self) -> None:
        """Prepared by: the workstation login, unless something (an opened plan) already filled it.

        Done once, after the first paint or before the first recompute, whichever comes first."""
        if self._preparer_filled:
            return
        self._preparer_filled = True
        if self.prepared_by.text():
            return
        from ivig_desktop.engine.signature import workstation_user

        self.prepared_by.blockSignals(True)  # the program's default, not an edit to recompute for
        self.prepared_by.setText(workstation_user())
        self.prepared_by.blockSignals(False)

    def _install_shortcuts(self) -> None:
        """Standard key sequences, the lower forms and the wheel guard, set after the first paint:
        the key sequences make PySide6 build its enums (~30 ms), which need not delay the window's
        appearance, and the forms below the first screenful are not seen in the first frame."""
        self.fill_preparer()
        self.entry.complete()  # the order details and risk factors, before the wheel guard's walk
        from PySide6.QtGui import QKeySequence

        for action, key in self._shortcuts:
            action.setShortcut(getattr(QKeySequence.StandardKey, key))
        self._shortcuts.clear()
        # Every choice list and number box: the wheel changes it only when focused. Installed
        # here, after the first paint, because it needs the Qt enum namespace (~20 ms to build);
        # no wheel turn can reach a window that has not been painted.
        from ivig_desktop.ui.wheel_guard import guard_tree  # imports the Qt namespace (~20 ms)

        guard_tree(self)

    def closeEvent(self, event: QCloseEvent) -> None:
        if getattr(self, "_closing", False) or not self._ask_close():
            self.prefs.set("window_geometry", bytes(self.saveGeometry().toBase64().data()).decode("ascii"))
            super().closeEvent(event)
            return
        event.ignore()

    def _ask_close(self) -> bool:
        """True when a question was opened (the close waits for it)."""

        def really_close() -> None:
            self._closing = True
            self.close()

        self.sync_document()
        if not self.document.modified:
            return False
        self.ask_before_discarding(really_close, "closing")
        return True

    @property
    def history(self) -> History:
        url = self.prefs.get("database_url") or None
        if self._history is None or getattr(self, "_history_url", url) != url:
            self._history = lazy.history.History(database=url)
            self._history_url = url
        return self._history

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self._catalogue = self._load_catalogue()
            self._show_problems()
        return self._catalogue

    # -- set-up ---------------------------------------------------------------------------------
    def _load_catalogue(self) -> Catalogue:
        base = lazy.plan.bundled_catalogue()
        cat = lazy.plan.Catalogue(
            base.formulary, base.regimens, base.policies, settings_from_preferences(base.settings, self.prefs)
        )
        site = self.prefs.get("site_formulary")
        if site:
            try:
                cat = replace(cat, formulary=lazy.formulary.load_formulary(Path(site)))
            except DataError as exc:
                self.catalogue_error = f"Site formulary not used, so no plan is made: {exc}"
        self.formulary_revision_id, self.formulary_note = None, ""
        if not site and self.prefs.get("database_url"):
            cat = self._database_formulary(cat)
        return cat

    def _database_formulary(self, cat: Catalogue) -> Catalogue:
        """The clinic database's current formulary revision, as the command line uses it."""
        try:
            found = self.history.formulary()
        except (lazy.history.HistoryError, DataError) as exc:
            self.catalogue_error = f"Clinic database formulary not read, so no plan is made: {exc}"
            return cat
        if found is None:
            return cat  # nothing published yet: the bundled formulary
        form, self.formulary_revision_id, self.formulary_note = found
        return replace(cat, formulary=form)

    def _new_action(self, text: str) -> QAction:
        """An action of this window. Not QAction(text, parent): resolving that call against the
        icon overload builds PySide6's QIcon enums (~2 ms, ThemeIcon alone has 150 members)."""
        action = QAction(self)
        action.setText(text)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.file_menu = file_menu
        new_action = self._new_action("&New")
        self._shortcuts.append((new_action, "New"))
        new_action.triggered.connect(self.new_plan)
        open_action = self._new_action("&Open…")
        self._shortcuts.append((open_action, "Open"))
        open_action.triggered.connect(lambda: self.open_plan())
        self.save_action = self._new_action("&Save")
        self._shortcuts.append((self.save_action, "Save"))
        self.save_action.triggered.connect(lambda: self.save_plan())
        self.save_as_action = self._new_action("Save &As…")
        self._shortcuts.append((self.save_as_action, "SaveAs"))
        self.save_as_action.triggered.connect(lambda: self.save_plan(ask=True))
        for action in (new_action, open_action, self.save_action, self.save_as_action):
            file_menu.addAction(action)
        self.recent_menu = file_menu.addMenu("&Recent")
        history_action = self._new_action("&History…")
        history_action.triggered.connect(self.open_history)
        file_menu.addAction(history_action)
        self.check_action = self._new_action("Chec&k a plan…")
        self.check_action.triggered.connect(lambda: self.check_plan())
        file_menu.addAction(self.check_action)
        file_menu.addSeparator()
        self.preview_action = self._new_action("Print pre&view…")
        self.preview_action.triggered.connect(self.print_preview)
        self.print_action = self._new_action("&Print…")
        self._shortcuts.append((self.print_action, "Print"))
        self.print_action.triggered.connect(self.print_plan)
        self.pdf_action = self._new_action("&Export PDF…")
        self.pdf_action.triggered.connect(lambda: self.export_pdf())
        for action in (self.preview_action, self.print_action, self.pdf_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        self._fill_recent()
        quit_action = self._new_action("&Quit")
        self._shortcuts.append((quit_action, "Quit"))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        edit = bar.addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self._shortcuts.append((self.undo_action, "Undo"))
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self._shortcuts.append((self.redo_action, "Redo"))
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        edit.addSeparator()
        prefs = self._new_action("&Preferences…")
        self._shortcuts.append((prefs, "Preferences"))
        prefs.triggered.connect(self.open_preferences)
        edit.addAction(prefs)
        formulary = self._new_action("Site &formulary…")
        formulary.triggered.connect(self.open_formulary_editor)
        edit.addAction(formulary)
        help_menu = bar.addMenu("&Help")
        about = self._new_action("&About")
        about.triggered.connect(self.open_about)
        help_menu.addAction(about)

    def _show_problems(self) -> None:
        notes = list(self.prefs.problems)
        if self.saved_changes:
            notes.append(
                "Recomputed with the current formulary and settings; changed since saved: "
                + "; ".join(self.saved_changes)
            )
        if self.formulary_note:
            notes.append(self.formulary_note)
        if self.catalogue_error:
            notes.insert(0, self.catalogue_error)
        self.problem_banner.setText("\n".join(f"⚠ {n}" for n in notes))
        self.problem_banner.setVisible(bool(notes))

    # -- messages --------------------------------------------------------------------------------
    def error(self, title: str, text: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Critical, title, text, parent=self)
        box.open()
        self.last_error = box

    _error = error

    def confirm(self, text: str) -> None:
        """A confirmation in the status bar (saved, printed, exported, opened); a notice from the
        history (a record waiting for the server, a newer formulary) stays beside it."""
        notice, self.record_notice = getattr(self, "record_notice", ""), ""
        if notice:
            self.statusBar().showMessage(f"{text} {notice}")
        else:
            self.statusBar().showMessage(text, STATUS_MESSAGE_MS)

    # -- document state and undo ----------------------------------------------------------------
    def sync_document(self) -> None:
        """Tell the document what the form holds; the title follows (name and unsaved marker)."""
        self.document.update(self.entry.state())
        self.setWindowTitle(self.document.title())
        self.setWindowModified(self.document.modified)

    def _lower_forms_built(self, added: dict) -> None:
        """The order details and risk factors now exist, holding their defaults: part of the
        document as saved (or opened) and of the undo baseline, so building them changes nothing."""
        self.document.saved_state.update(added)
        self.document.state.update(added)
        if getattr(self, "_undo_state", None):
            self._undo_state.update(added)

    def reset_undo(self) -> None:
        self.undo_stack.clear()
        self._undo_state = self.entry.state()

    def _push_edits(self, text: str = "Edit the order") -> None:
        """One undo step for what changed since the last step (nothing when nothing did)."""
        now = self.entry.state()
        if not self._undo_state:
            self._undo_state = now
            return
        if now != self._undo_state:
            self.undo_stack.push(FormStep(text, self._undo_state, now, self._restore))
            self._undo_state = now

    def _restore(self, state: dict) -> None:
        self.entry.set_state(state)
        self._undo_state = self.entry.state()
        self.recompute()

    # -- live recompute -------------------------------------------------------------------------
    def schedule_recompute(self) -> None:
        # The current plan is stale from the first keystroke: say so before the timer fires.
        if self.plan is not None:
            self.view.stale()
        self.timer.start()
        self.sync_document()

    def current_plan(self) -> Plan | None:
        """The plan for what the form shows now: a pending recompute runs first, so a save or a
        printout right after a keystroke never carries the previous plan."""
        if self.timer.isActive() or self._first.isActive():
            self.recompute()
        if self.plan is None and not self.show_all_errors:
            self.show_all_errors = True  # the user asked for a plan: mark every missing field
            self.recompute()
        return self.plan

    _current_plan = current_plan

    def recompute(self) -> None:
        """Read every field, mark the bad ones, and show a fresh plan or none at all."""
        self.timer.stop()
        self._first.stop()
        self.fill_preparer()
        catalogue = self.catalogue  # loads the engine on first use
        errors: dict[str, str] = {}
        plan: Plan | None = None
        known = self.entry.fields()
        if self.catalogue_error:
            errors["_"] = self.catalogue_error
        else:
            inputs = self.entry.read(errors)
            if inputs is not None:
                try:
                    plan = lazy.plan.make_plan(inputs[0], inputs[1], catalogue)
                except InputError as exc:
                    errors[self.entry.field_for(exc.field)] = exc.message
        for name, widget in known.items():
            message = errors.get(name)
            if message in _NOT_YET_FILLED and not (widget.touched or self.show_all_errors):
                message = None
            widget.mark(message)
        from ivig_desktop.ui import check_dialog  # not needed before the first recompute

        self.plan = plan = check_dialog.attached(self, plan)
        for action in (self.preview_action, self.print_action, self.pdf_action):
            action.setEnabled(plan is not None)
        self.view.show_plan(plan, errors, h12=not self.prefs.get("clock_24h"))
        if not self.entry.filling:
            self._push_edits()
        self.sync_document()
        self.plan_changed.emit()

    def apply_alternative(self, alt: Alternative) -> None:
        """Put the alternative's order into the form, as one undoable step."""
        self._push_edits()  # typing not yet gathered is a step of its own
        before = self.entry.state()
        self.entry.apply_order(alt.order)
        self._undo_state = before
        self._push_edits(f"Apply alternative: {alt.description}")
        self.recompute()

    # -- dialogs --------------------------------------------------------------------------------
    def check_plan(self, path: Path | None = None):
        """File → Check a plan…: independent double check in its own dialog (ui/check_dialog.py)."""
        from ivig_desktop.ui import check_dialog

        return check_dialog.start_check(self, path)

    def open_preferences(self) -> None:
        from ivig_desktop.ui.dialogs import PreferencesDialog

        dlg = PreferencesDialog(self.prefs, self)
        dlg.accepted.connect(self.reload_preferences)
        dlg.open()
        self._prefs_dialog = dlg

    def open_formulary_editor(self):
        from ivig_desktop.ui.formulary_editor import FormularyEditor

        site = self.prefs.get("site_formulary")
        dlg = FormularyEditor(Path(site) if site else None, self)
        dlg.finished.connect(lambda _=0: self.reload_preferences())
        dlg.open()
        self._formulary_editor = dlg
        return dlg

    def reload_preferences(self) -> None:
        self.prefs.problems.clear()
        self.catalogue_error = None
        self._catalogue = self._load_catalogue()
        self.entry.refresh_products(self.catalogue)
        self.entry.apply_unit_preferences()
        self._show_problems()
        self.recompute()

    def open_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from ivig_desktop.ui.dialogs import about_text

        box = QMessageBox(
            QMessageBox.Icon.Information, "About ivig_desktop", about_text(self.catalogue), parent=self
        )
        box.open()
        self._about = box
