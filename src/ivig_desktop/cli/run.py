"""What one command run carries besides its output: the database it uses and the formulary
revision its plan used, steps that run once the output is written (the saved plan, history
records), notes for stderr, and history failures to report after every file is written.

One value per run (not module globals), so two runs in one process (the tests, a future batch
command) can never see each other's steps.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ivig_desktop.cli import store_commands
from ivig_desktop.cli.refusals import Collect, refuse_empty_database
from ivig_desktop.engine.formulary import load_formulary
from ivig_desktop.engine.plan import Catalogue, Plan, bundled_catalogue
from ivig_desktop.engine.settings import load_settings

if TYPE_CHECKING:
    from ivig_desktop.store.history import History


@dataclass
class Run:
    database: str | None = None
    """--database as given (None: IVIG_DESKTOP_DATABASE, else the workstation's own file)."""
    revision_id: int | None = None
    """The database formulary revision the plan used, recorded with it."""
    after: list[Callable[[], None]] = field(default_factory=list)
    """Steps that run once the command's output is written."""
    notes: list[str] = field(default_factory=list)
    """One line each on stderr after a run that succeeded (records waiting)."""
    unrecorded: list[str] = field(default_factory=list)
    """History failures: reported once every file asked for is written."""

    @classmethod
    def of(cls, args: argparse.Namespace) -> Run:
        return cls(database=getattr(args, "database", None))

    def catalogue(self, args: argparse.Namespace, bad: Collect) -> Catalogue:
        """The data to plan with: --formulary's file, else the database's current revision, else
        the bundled formulary; --settings's file, else the bundled settings.

        An empty --database is refused into ``bad`` (with the run's other bad fields, all at
        once) and no database is read for it; the caller stops on ``bad`` before planning."""
        cat = bundled_catalogue()
        blank = refuse_empty_database(args.database, bad)
        if (args.formulary or "").strip():
            cat = Catalogue(load_formulary(Path(args.formulary)), cat.regimens, cat.policies, cat.settings)
        elif not blank:
            found = store_commands.database_formulary(args.database)
            if found is not None:
                form, self.revision_id, note = found
                cat = Catalogue(form, cat.regimens, cat.policies, cat.settings)
                if note:
                    self.notes.append(f"database: {note}")
        if (args.settings or "").strip():
            cat = Catalogue(cat.formulary, cat.regimens, cat.policies, load_settings(Path(args.settings)))
        return cat

    def history(self) -> History:
        """The history this run records in (imported here: SQLAlchemy loads only when recording)."""
        from ivig_desktop.store.history import History

        return History(database=self.database)

    def record(self, plan: Plan, action: str, target: Path, label: str | None = None) -> None:
        """Record a file that was written; a failure is reported after the run's other files are
        written (a broken history stops neither the PDF nor the plan file)."""
        from ivig_desktop.store.history import HistoryError

        try:
            history = self.history()
            rid = history.record(
                plan,
                action,
                label if label is not None else str(target.resolve()),
                formulary_revision_id=self.revision_id,
            )
        except (HistoryError, OSError) as exc:
            self.unrecorded.append(f"{target} was written but not recorded in the history ({exc})")
            return
        if rid is None:
            self.notes.append(f"history: {history.last_queued}")
