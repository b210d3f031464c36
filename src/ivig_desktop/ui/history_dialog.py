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
                e.recorded_at,
                e.user + (f" (login {e.login})" if e.login and e.login != e.user else ""),
                e.workstation,
                e.action,
                e.label,
                e.product,
                e.indication or "",
                revision,
                overrides,
            )
            for col, value in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(value))

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
