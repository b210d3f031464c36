"""Critical means stop: the banner over the plan, which stays in view whatever is scrolled.

A critical warning used to sit in a small scrolling list and block nothing. Now the plan panel
carries a banner (outside any scroll area) saying how many critical warnings there are, and a
plan with any is printed or exported only after each one is acknowledged with a typed reason
(ui/acknowledge_dialog.py, loaded when first asked for, not while the window starts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QWidget

if TYPE_CHECKING:
    from ivig_desktop.engine.plan import Plan
    from ivig_desktop.engine.risk_factors import Warning


def critical_warnings(plan: Plan | None) -> list[Warning]:
    from ivig_desktop.engine.risk_factors import Severity

    if plan is None:
        return []
    return [w for w in plan.warnings if w.severity is Severity.CRITICAL]


def paint(label: QLabel, background: str, text: str, *, bold: bool) -> None:
    """Colours by palette, not style sheet: no style-sheet engine is needed before the first paint."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(background))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(text))
    label.setPalette(palette)
    label.setAutoFillBackground(True)
    label.setMargin(6)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)


class CriticalBanner(QLabel):
    """'✖ 2 CRITICAL warnings …' above the plan; hidden when the plan has none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName("Critical warnings")
        paint(self, "#b00020", "#ffffff", bold=True)
        self.count = 0
        self.hide()

    def show_plan(self, plan: Plan | None) -> None:
        criticals = critical_warnings(plan)
        self.count = len(criticals)
        if not criticals:
            self.clear()
            self.hide()
            return
        n = len(criticals)
        self.setToolTip("\n".join(w.message for w in criticals))
        self.setText(
            f"✖ {n} CRITICAL warning{'s' if n > 1 else ''}: act on "
            f"{'each' if n > 1 else 'it'} before this plan is used. Printing and export ask for a "
            "typed reason for each."
        )
        self.show()
