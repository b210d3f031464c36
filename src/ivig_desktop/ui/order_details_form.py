"""The "Order details" form: first-infusion date, patient identity, prescriber and the like.

Plain text boxes read through the engine (:class:`OrderDetails.parse`), so the window accepts
exactly what the command line and plan files accept. The first-infusion date starts as today
for a new plan; everything else starts empty and prints as a blank line when left so.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLineEdit

from ivig_desktop.ui.forms import Marked, add_row

#: (OrderDetails field, label, placeholder, accessible name). Mnemonics only on letters no other
#: label or menu of the window uses (b): a doubled Alt+letter would reach the wrong field.
_ROWS = (
    ("first_date", "First infusion date:", "YYYY-MM-DD", "First infusion date, YYYY-MM-DD"),
    ("patient_name", "Patient name:", "optional; personal data", "Patient name"),
    ("mrn", "MRN:", "optional; personal data", "Medical record number"),
    ("date_of_birth", "Date of &birth:", "YYYY-MM-DD, optional", "Date of birth, YYYY-MM-DD"),
    ("prescriber", "Prescriber:", "optional", "Prescriber"),
    ("allergies", "Allergies:", "as on the order", "Allergies"),
    ("premedication", "Premedication:", "drug and dose ordered", "Premedication ordered"),
    ("weight_date", "Weighed on:", "YYYY-MM-DD, optional", "Date the weight was measured, YYYY-MM-DD"),
    ("infusion_site", "Infusion site:", "optional", "Infusion site"),
)


class OrderDetailsForm(QGroupBox):
    """Emits ``changed`` on every edit; ``fields`` maps each engine field label to its row."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__("Order details (printed on the sheet)")
        form = QFormLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        self.rows: dict[str, Marked] = {}
        for name, label, placeholder, accessible in _ROWS:
            edit = QLineEdit()
            edit.setPlaceholderText(placeholder)
            edit.setAccessibleName(accessible)
            marked = Marked(edit)
            add_row(form, label, marked)
            edit.textChanged.connect(self.changed)
            self.edits[name] = edit
            self.rows[name] = marked
        self.reset()

    @property
    def fields(self) -> dict[str, Marked]:
        """Each row by the label engine errors name it with (InputError.field). The engine's
        labels are read on first use, after the first paint, not while the window is built."""
        from ivig_desktop.engine.order_details import LABELS

        return {LABELS[name]: marked for name, marked in self.rows.items()}

    def reset(self) -> None:
        """A new plan: today as the first-infusion date, every other field empty."""
        self.set_details(None)
        # Today's local date, as date.today().isoformat() gives it, without loading datetime
        # while the window is built.
        self.edits["first_date"].setText(time.strftime("%Y-%m-%d"))

    def details(self):  # -> OrderDetails; raises InputError naming the field
        from ivig_desktop.engine.order_details import OrderDetails

        return OrderDetails.parse(**{name: edit.text() for name, edit in self.edits.items()})

    def set_details(self, details) -> None:  # details: OrderDetails | None
        shown = details.as_text() if details is not None else {}
        for name, edit in self.edits.items():
            edit.setText(shown.get(name, ""))
