"""Qt item models over engine results; they format, they never calculate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ivig_desktop.ui.lazy import display as d

if TYPE_CHECKING:
    from ivig_desktop.engine.plan import DayPlan

_Index = QModelIndex | QPersistentModelIndex


class ScheduleModel(QAbstractTableModel):
    """One infusion day's steps: start, duration, mg/kg/min, mL/h, step and cumulative volume."""

    HEADERS = ("Start", "Duration", "mg/kg/min", "mL/h", "Step volume (mL)", "Cumulative (mL)")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._day: DayPlan | None = None
        self._elapsed = False
        self._h12 = False

    def set_day(self, day: DayPlan | None, *, elapsed: bool = False, h12: bool = False) -> None:
        self.beginResetModel()
        self._day, self._elapsed, self._h12 = day, elapsed, h12
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._day is None:
            return 0
        return len(self._day.schedule.steps)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = 0) -> Any:
        if self._day is None or not index.isValid():
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        sched = self._day.schedule
        s = sched.steps[index.row()]
        col = index.column()
        if col == 0:
            return d.clock(sched.clock(s), sched.start, elapsed=self._elapsed, h12=self._h12)
        if col == 1:
            return d.duration(s.duration)
        return d.step_figures(s)[col - 2]
