"""The acknowledgement asked before a plan with critical warnings is printed or exported.

One typed reason per critical warning; the reasons are printed on every page and kept in the
history (ui/output_actions.py asks for them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ivig_desktop.ui.critical import critical_warnings

if TYPE_CHECKING:
    from ivig_desktop.engine.plan import Plan
    from ivig_desktop.engine.risk_factors import Warning


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
