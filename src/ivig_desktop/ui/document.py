"""The current plan as a document: its file, and whether what is on screen is saved there.

Plain Python (no Qt): the form hands over its state as plain data; the document remembers the
state last saved or opened and compares. The window asks the document what its title is and
whether closing would lose work, never the widgets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

APP_TITLE = "IVIG infusion planner"
UNTITLED = "Untitled plan"


@dataclass
class PlanDocument:
    path: Path | None = None
    #: The form state when last saved, opened or started afresh.
    saved_state: dict[str, Any] = field(default_factory=dict)
    #: The form state now (kept up to date by the window on every edit).
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def modified(self) -> bool:
        return self.state != self.saved_state

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else UNTITLED

    def title(self) -> str:
        """'plan.ivig* — IVIG infusion planner': the star says there are unsaved changes. The
        ``[*]`` placeholder is Qt's: QWidget.setWindowModified shows or hides it."""
        return f"{self.name}[*] — {APP_TITLE}"

    def update(self, state: dict[str, Any]) -> None:
        self.state = dict(state)

    def reset(self, state: dict[str, Any], path: Path | None = None) -> None:
        """A fresh start (New) or a file just opened: nothing unsaved."""
        self.path = path
        self.state = dict(state)
        self.saved_state = dict(state)

    def saved(self, path: Path) -> None:
        self.path = path
        self.saved_state = dict(self.state)
