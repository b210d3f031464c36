"""Critical means stop: the banner over the plan and the acknowledgement asked before output.

A critical warning used to sit in a small scrolling list and block nothing. Now the plan panel
carries a banner (outside any scroll area) saying how many critical warnings there are, and a
plan with any is printed or exported only after each one is acknowledged with a typed reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

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


class AcknowledgeDialog(QDialog):
    """One typed reason per critical warning; OK stays disabled until every reason is given."""

    def __init__(self, plan: Plan, action: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Critical warnings: acknowledge before {action}")
        self.warnings = critical_warnings(plan)
        lay = QVBoxLayout(self)
        intro = QLabel(
            f"This plan has {len(self.warnings)} critical warning(s). To go on with the {action}, type "
            "for each why the plan is used anyway (for example who decided it and what is done about "
            "it). The reasons are printed on every page and kept in the history."
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.reasons: list[QLineEdit] = []
        for i, w in enumerate(self.warnings, start=1):
            message = QLabel(f"<b>✖ {i}. CRITICAL</b> — {w.message}")
            message.setWordWrap(True)
            form.addRow(message)
            edit = QLineEdit()
            edit.setPlaceholderText("reason (required)")
            edit.setAccessibleName(f"Reason for accepting critical warning {i}: {w.code}")
            edit.textChanged.connect(self._update)
            label = QLabel(f"Reason &{i}:" if i < 10 else f"Reason {i}:")
            label.setBuddy(edit)
            form.addRow(label, edit)
            self.reasons.append(edit)
        lay.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(f"Acknowledge and {action}")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.resize(640, self.sizeHint().height())
        self._update()

    def _update(self) -> None:
        self.ok.setEnabled(all(e.text().strip() for e in self.reasons))

    def accept(self) -> None:
        if not all(e.text().strip() for e in self.reasons):
            return  # a blank reason is no acknowledgement
        super().accept()

    def acknowledged(self) -> dict[Warning, str]:
        return {w: e.text().strip() for w, e in zip(self.warnings, self.reasons, strict=True)}
