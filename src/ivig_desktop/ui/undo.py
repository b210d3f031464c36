"""Undo and redo of order changes: each step is the whole form state before and after.

Edits are gathered into one step per pause in typing (each recompute), and applying a safer
alternative is one step of its own, so Ctrl+Z after "Apply alternative" puts the order back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

State = dict[str, Any]


class FormStep(QUndoCommand):
    """A change of the form from ``before`` to ``after``; already done when pushed."""

    def __init__(self, text: str, before: State, after: State, restore: Callable[[State], None]) -> None:
        super().__init__(text)
        self.before, self.after = dict(before), dict(after)
        self._restore = restore
        self._pushed = True

    def undo(self) -> None:
        self._restore(self.before)

    def redo(self) -> None:
        if self._pushed:  # QUndoStack.push calls redo(); the change is already on screen
            self._pushed = False
            return
        self._restore(self.after)
