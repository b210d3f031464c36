"""The history: an append-only record of every saved, printed or exported plan.

``History()`` is the workstation's embedded SQLite file (the default, as before) or, when a
database URL is configured (``--database``, ``IVIG_DESKTOP_DATABASE``, Preferences), the
clinic's PostgreSQL server. Both go through :mod:`ivig_desktop.store.database`.

With a server, a record that cannot be sent (server down, network gone) waits in the
embedded file's outbox and is sent before the next record or listing; each record carries an
id made here (``uid``), so one sent twice (the server stored it, the answer was lost) is
stored once. What remains between a saved plan file and its record: the file is written
(atomically) first and the record second, in two steps, because a file system and a database
cannot share a transaction; a process killed between them leaves a plan file with no record
(never a record of a file that was not written), and the command says so when a record fails.
"""

from __future__ import annotations

import getpass
import json
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ivig_desktop import __version__, paths
from ivig_desktop.engine.export import plan_to_dict
from ivig_desktop.engine.formulary import Formulary
from ivig_desktop.engine.patient import Patient
from ivig_desktop.engine.plan import Order, Plan
from ivig_desktop.engine.risk_factors import Warning
from ivig_desktop.store import database as database_module
from ivig_desktop.store.database import HEAD, SCHEMA_VERSION, FormularyRevision, StoreError, UnreachableError
from ivig_desktop.store.plan_file import inputs_from_document, inputs_to_dict

__all__ = [
    "ACTIONS",
    "ENV_DATABASE",
    "HEAD",
    "SCHEMA_VERSION",
    "Entry",
    "FormularyRevision",
    "History",
    "HistoryError",
    "StoreError",
    "UnreachableError",
]

ACTIONS = ("save", "print", "export-pdf", "check")
ENV_DATABASE = paths.ENV_DATABASE
#: Every store error is a history error to the callers that catch the latter.
HistoryError = StoreError


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    recorded_at: str
    user: str
    workstation: str
    action: str
    label: str
    product: str
    indication: str | None
    overrides: list[dict[str, str]]
    formulary_revision: str
    uid: str | None = None
    formulary_revision_id: int | None = None
    login: str | None = None


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


configured_url = paths.database_url


class History:
    """One history: ``path`` is the embedded file (default in the data folder); ``database`` a
    URL (else ``IVIG_DESKTOP_DATABASE``; an explicit ``path`` alone ignores the variable)."""

    def __init__(self, path: Path | None = None, *, database: str | None = None) -> None:
        self.path = path or paths.history_db()
        url = database if database is not None else (None if path is not None else configured_url())
        self._local = _store(self.path)
        self._remote: database_module.Store | None = None
        if url:
            parsed = database_module.parse_url(url)
            if parsed.get_backend_name() == "sqlite":
                self._local = database_module.Store(parsed)
                self.path = self._local.path or self.path
            else:
                self._remote = database_module.Store(parsed)
        #: Why the last record had to wait, or "" when it was stored.
        self.last_queued = ""

    # -- where -----------------------------------------------------------------------------------
    @property
    def store(self) -> database_module.Store:
        """The store records are read from: the server if there is one, else the embedded file."""
        return self._remote or self._local

    @property
    def target(self) -> str:
        return self.store.name

    @property
    def server(self) -> bool:
        return self._remote is not None

    # -- writing ---------------------------------------------------------------------------------
    def record(
        self,
        plan: Plan,
        action: str,
        label: str = "",
        *,
        when: datetime | None = None,
        formulary_revision_id: int | None = None,
        acknowledged: Mapping[Warning, str] | None = None,
    ) -> int | None:
        """Append one record in its own transaction; returns its id, or None when the server
        could not be reached and the record waits in the embedded store (``last_queued``).

        ``acknowledged`` (critical warning → the reason typed for it) goes into the record's
        results as ``critical_acknowledgements``, so a printed critical plan says who accepted what.
        """
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}")
        results = plan_to_dict(plan)
        if acknowledged:
            results["critical_acknowledgements"] = [
                {"code": w.code, "message": w.message, "reason": reason} for w, reason in acknowledged.items()
            ]
        row = {
            "uid": uuid.uuid4().hex,
            "recorded_at": (when or datetime.now()).isoformat(timespec="seconds"),
            "user": _user(),
            "workstation": socket.gethostname(),
            "action": action,
            "label": label,
            "product": plan.product.id,
            "indication": plan.regimen.id if plan.regimen else None,
            "inputs_json": json.dumps(inputs_to_dict(plan.patient, plan.order), ensure_ascii=False),
            "results_json": json.dumps(results, ensure_ascii=False),
            "overrides_json": json.dumps(
                [{"kind": o.kind, "reason": o.reason} for o in plan.order.overrides], ensure_ascii=False
            ),
            "formulary_revision": plan.formulary_revision,
            "app_version": __version__,
            "formulary_revision_id": formulary_revision_id,
        }
        self.last_queued = ""
        if self._remote is None:
            return self._local.insert_record(row)
        try:
            try:
                self.send_waiting()
            except UnreachableError:
                raise
            except StoreError:
                pass  # those keep waiting (and are counted); this record must not be held up by them
            return self._remote.insert_record(row)
        except UnreachableError as exc:
            self._local.queue(self._remote.name, row["uid"], json.dumps(row, ensure_ascii=False), _now())
            self.last_queued = f"{exc}; the record waits on this workstation and is sent when it is back"
            return None

    def waiting(self) -> int:
        """Records made here that wait for the server (0 without one)."""
        if self._remote is None:
            return 0
        return len(self._local.queued(self._remote.name))

    def send_waiting(self) -> int:
        """Send what waits, oldest first; each is stored once whatever happened before. Raises
        UnreachableError (the rest keep waiting) when the server is still away."""
        if self._remote is None:
            return 0
        sent = 0
        for uid, payload in self._local.queued(self._remote.name):
            self._remote.insert_record(json.loads(payload))
            self._local.unqueue(uid)  # a kill just before this only means it is sent (and ignored) again
            sent += 1
        return sent

    # -- reading ---------------------------------------------------------------------------------
    def search(self, text: str = "", limit: int = 200) -> list[Entry]:
        if self._remote is not None:
            self.send_waiting()
        rows = self.store.search(text, limit)
        return [Entry(*r[:8], json.loads(r[8]), *r[9:]) for r in rows]

    def _column(self, entry_id: int, column: str) -> str:
        value = self.store.record_column(entry_id, column)
        if value is None:
            raise HistoryError(f"no history record {entry_id}")
        return value

    def inputs(self, entry_id: int) -> tuple[Patient, Order]:
        doc = {"inputs": json.loads(self._column(entry_id, "inputs_json"))}
        return inputs_from_document(doc, f"history record {entry_id}")

    def results(self, entry_id: int) -> dict[str, Any]:
        return json.loads(self._column(entry_id, "results_json"))

    def count(self) -> int:
        return self.store.count()

    # -- formulary revisions ---------------------------------------------------------------------
    def current_formulary(self) -> tuple[FormularyRevision | None, str]:
        """The database's current revision and a note: from the server (kept here as a copy for
        an outage), or that copy when the server cannot be reached (the note says so)."""
        if self._remote is None:
            return self._local.current_formulary(), ""
        try:
            rev = self._remote.current_formulary()
        except UnreachableError as exc:
            cached = self._local.cached_formulary(self._remote.name)
            if cached is None:
                raise StoreError(
                    f"{exc}, and this workstation has no copy of its formulary; "
                    "pass --formulary FILE to plan with a file"
                ) from exc
            rev, fetched = cached
            return rev, f"{exc}; planning with its revision {rev.id} as read at {fetched}"
        if rev is not None:
            known = self._local.cached_formulary(self._remote.name)
            if known is None or known[0].id != rev.id:
                self._local.cache_formulary(self._remote.name, rev, _now())
        return rev, ""

    def formulary(self) -> tuple[Formulary, int, str] | None:
        """The current revision as a formulary (checked as a file is), its id and the note of
        :meth:`current_formulary`; None when nothing has been published."""
        rev, note = self.current_formulary()
        if rev is None:
            return None
        return revision_formulary(rev), rev.id, note

    def publish_formulary(self, content: str, revision: str) -> int:
        return self.store.publish(content, revision, _user(), _now(), __version__)

    def init(self) -> list[str]:
        return self.store.init()


def revision_formulary(rev: FormularyRevision) -> Formulary:
    """A stored revision's TOML, read with the same checks as a --formulary file; its revision
    text names the database revision, so plan files and printouts show which one was used."""
    import tomllib
    from dataclasses import replace

    from ivig_desktop.engine.formulary import formulary_from_data

    form = formulary_from_data(tomllib.loads(rev.content), f"database formulary revision {rev.id}")
    return replace(form, revision=f"{form.revision} (database revision {rev.id})")


def _store(path: Path) -> database_module.Store:
    return database_module.Store(database_module.sqlite_url(path))


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")
