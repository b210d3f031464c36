"""History window: search the record of saved and printed plans and reopen one."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ivig_desktop.store.history import Entry, History, HistoryError
from ivig_desktop.ui import names

#: What each recorded action is called in the window.
ACTION_WORDS = {"save": "Saved", "print": "Printed", "export-pdf": "Exported as PDF"}


def local_time(iso: str) -> str:
    """A recorded ISO timestamp in the user's own date and time format (as the clock shows it)."""
    from datetime import datetime

    from PySide6.QtCore import QDateTime, QLocale

    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso  # shown as stored rather than hidden
    qt = QDateTime(moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    return QLocale.system().toString(qt, QLocale.FormatType.ShortFormat)


_COLUMNS = (
    "When",
    "User",
    "Workstation",
    "Action",
    "File / label",
    "Product",
    "Indication",
    "Formulary",
    "Overrides",
)


class HistoryDialog(QDialog):
    chosen = Signal(int)

    def __init__(self, history: History, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("History")
        self.history = history
        self.search = QLineEdit()
        self.search.setPlaceholderText("search product, indication, user, file, date or override reason")
        self.search.setAccessibleName("Search history")
        label = QLabel("&Search:")
        label.setBuddy(self.search)
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setHorizontalHeaderLabels(list(_COLUMNS))
        self.table.setAccessibleName("History records, newest first")
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.status = QLabel()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Close
        )
        buttons.accepted.connect(self.open_selected)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(label)
        lay.addWidget(self.search)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.status)
        lay.addWidget(buttons)
        self.entries: list[Entry] = []
        # Names, not ids: the bundled lists plus the site formulary in use (an id not found
        # in either is shown as recorded).
        site = getattr(getattr(parent, "prefs", None), "get", lambda _k: "")("site_formulary")
        self.product_names = {**names.products(), **names.products(site)}
        self.indication_names = names.regimens()
        self.search.textChanged.connect(self.refresh)
        self.table.doubleClicked.connect(self.open_selected)
        self.resize(1000, 500)
        self.refresh()

    def refresh(self) -> None:
        try:
            self.entries = self.history.search(self.search.text())
        except (HistoryError, OSError) as exc:
            self.entries = []
            self.status.setText(f"⚠ History could not be read: {exc}")
        else:
            self.status.setText(f"{len(self.entries)} record(s) in {self.history.target}")
        waiting = self._waiting()
        if waiting:
            self.status.setText(
                f"{self.status.text()} — ⚠ {waiting} record(s) wait on this workstation for the server"
            )
        self.table.setRowCount(len(self.entries))
        for row, e in enumerate(self.entries):
            overrides = "; ".join(f"{o['kind']}: {o['reason']}" for o in e.overrides)
            revision = e.formulary_revision
            if e.formulary_revision_id:
                revision += f" [revision {e.formulary_revision_id}]"
            values = (
                local_time(e.recorded_at),
                e.user + (f" (login {e.login})" if e.login and e.login != e.user else ""),
                e.workstation,
                ACTION_WORDS.get(e.action, e.action),
                e.label,
                self.product_names.get(e.product, e.product),
                self.indication_names.get(e.indication, e.indication) if e.indication else "",
                revision,
                overrides,
            )
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 0:
                    item.setToolTip(e.recorded_at)  # the exact stored time, for audits
                self.table.setItem(row, col, item)

    def _waiting(self) -> int:
        try:
            return self.history.waiting()
        except (HistoryError, OSError):
            return 0

    def open_selected(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.entries):
            self.chosen.emit(self.entries[row].id)
            self.accept()
