"""Command line for the store: ``db init``, ``formulary publish|show``, ``history``.

Each command reaches the database chosen by ``--database URL`` or ``IVIG_DESKTOP_DATABASE``
(``history`` without either reads the workstation's own file). The store modules (SQLAlchemy)
are imported inside the commands, so other commands do not load them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ivig_desktop import paths
from ivig_desktop.engine.errors import InputError

if TYPE_CHECKING:
    from ivig_desktop.engine.formulary import Formulary
    from ivig_desktop.store.history import History

DATABASE_HELP = (
    "database URL: postgresql://user@host/db (a clinic server) or sqlite:///path (default: "
    "IVIG_DESKTOP_DATABASE, else this workstation's own history file)"
)


def add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", metavar="URL", help=DATABASE_HELP)


def add_commands(sub: Any) -> None:
    """Add the store's subcommands to ``sub`` (their functions are in COMMANDS)."""
    db = sub.add_parser("db", help="create or migrate a clinic database (run by its DBA)")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="{init}")
    init = db_sub.add_parser("init", help="create or migrate the schema and the roles; safe to repeat")
    add_database_option(init)

    form = sub.add_parser("formulary", help="publish or show the database's formulary revision")
    form_sub = form.add_subparsers(dest="formulary_command", required=True, metavar="{publish,show}")
    publish = form_sub.add_parser(
        "publish", help="validate FILE and store it as a new revision (pharmacists only)"
    )
    publish.add_argument("file", metavar="FILE", help="a site formulary (TOML), checked as --formulary is")
    add_database_option(publish)
    show = form_sub.add_parser("show", help="print the current revision")
    show.add_argument("--toml", action="store_true", help="print the revision's TOML text exactly")
    add_database_option(show)

    hist = sub.add_parser("history", help="list the history, newest first")
    add_database_option(hist)
    hist.add_argument("--format", choices=("text", "json"), default="text")
    hist.add_argument("--limit", default="50", help="how many records (default 50)")
    hist.add_argument("--search", default="", help="only records whose product, file, user... contain TEXT")


# -- opening the store -----------------------------------------------------------------------------
def open_history(url: str | None, *, needed: bool = False) -> History:
    """The history at ``url`` (else the environment's, else the workstation's own file)."""
    from ivig_desktop.store.history import History, HistoryError

    if url is not None and not url.strip():
        raise InputError("database", "is empty; give a URL or leave --database out")
    url = paths.database_url(url)
    if needed and not url:
        raise InputError("database", "no database given: pass --database URL (or set IVIG_DESKTOP_DATABASE)")
    try:
        return History(database=url)
    except HistoryError as exc:
        raise InputError("database", str(exc).removeprefix("database: ")) from exc


def _store_error(exc: Exception) -> InputError:
    """A store failure as the one line the command line prints (permission: … kept first)."""
    text = str(exc)
    if text.startswith("permission: "):
        return InputError("permission", text.removeprefix("permission: "))
    return InputError("database", text.removeprefix("database: "))


def database_formulary(url: str | None) -> tuple[Formulary, int, str] | None:
    """The current revision of the configured database as a formulary, its id and a note
    (an outage: the copy kept here is used, and the note says so); None without a database or
    when nothing has been published."""
    if not paths.database_url(url):
        return None
    from ivig_desktop.store.history import HistoryError

    try:
        return open_history(url).formulary()
    except HistoryError as exc:
        raise _store_error(exc) from exc


# -- commands --------------------------------------------------------------------------------------
def _cmd_db(args: argparse.Namespace) -> str:
    from ivig_desktop.store.history import HistoryError

    history = open_history(args.database, needed=True)
    try:
        notes = history.init()
    except HistoryError as exc:
        raise _store_error(exc) from exc
    return "".join(f"{n}\n" for n in notes)


def _cmd_formulary(args: argparse.Namespace) -> str:
    from ivig_desktop.store.history import HistoryError

    if args.formulary_command == "publish":
        from ivig_desktop.engine.datafile import load_with_text
        from ivig_desktop.engine.formulary import formulary_from_data

        path = Path(args.file)
        # One read (a regular file, bounded): the text published is the text checked, with the
        # same checks as --formulary; a DataError names file and field.
        content, data = load_with_text(path)
        form = formulary_from_data(data, str(path))
        history = open_history(args.database, needed=True)
        try:
            rev_id = history.publish_formulary(content, form.revision)
        except HistoryError as exc:
            raise _store_error(exc) from exc
        return f"Published {path} as formulary revision {rev_id} ({form.revision}) in {history.target}\n"
    history = open_history(args.database, needed=True)
    try:
        rev, note = history.current_formulary()
    except HistoryError as exc:
        raise _store_error(exc) from exc
    if rev is None:
        return f"No formulary published in {history.target}; plans use the bundled formulary\n"
    if args.toml:
        return rev.content if rev.content.endswith("\n") else rev.content + "\n"
    from ivig_desktop.store.history import revision_formulary

    form = revision_formulary(rev)
    by = rev.published_by + (f" (login {rev.login})" if rev.login and rev.login != rev.published_by else "")
    lines = [f"Formulary revision {rev.id}: {form.revision}"]
    if note:
        lines.append(f"  note: {note}")
    else:
        lines.append(f"  published {rev.published_at} by {by} in {history.target}")
    lines.append(f"  sha256 {rev.sha256}")
    from ivig_desktop.cli.listings import product_line  # listings → options → this module

    lines.extend(product_line(p, ", ".join(p.titrations)) for p in form.products.values())
    return "\n".join(lines) + "\n"


def _cmd_history(args: argparse.Namespace) -> str:
    from ivig_desktop.store.history import HistoryError

    limit_text = str(args.limit).strip()
    if not limit_text.isascii() or not limit_text.isdigit() or not 1 <= int(limit_text) <= 100_000:
        raise InputError("limit", f"'{args.limit}' is not a whole number from 1 to 100000")
    history = open_history(args.database)
    waiting_note = ""
    try:
        entries = history.search(args.search, int(limit_text))
    except HistoryError as exc:
        if history.server and history.waiting():
            waiting_note = f" ({history.waiting()} record(s) wait on this workstation)"
        raise InputError("database", str(exc).removeprefix("database: ") + waiting_note) from exc
    if args.format == "json":
        doc = {
            "database": history.target,
            "records": [
                {
                    "id": e.id,
                    "uid": e.uid,
                    "recorded_at": e.recorded_at,
                    "user": e.user,
                    "login": e.login,
                    "workstation": e.workstation,
                    "action": e.action,
                    "label": e.label,
                    "product": e.product,
                    "indication": e.indication,
                    "formulary_revision": e.formulary_revision,
                    "formulary_revision_id": e.formulary_revision_id,
                    "overrides": e.overrides,
                }
                for e in entries
            ],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    lines = [f"History of {history.target}: {len(entries)} record(s), newest first"]
    for e in entries:
        who = e.user + (f" (login {e.login})" if e.login and e.login != e.user else "")
        rev = e.formulary_revision
        if e.formulary_revision_id:
            rev += f" [revision {e.formulary_revision_id}]"
        lines.append(
            f"  {e.id:>6}  {e.recorded_at}  {who} @ {e.workstation}  {e.action:10} {e.product}"
            f"  {e.indication or '-'}  formulary {rev}" + (f"  {e.label}" if e.label else "")
        )
        lines.extend(f"          override {o['kind']}: {o['reason']}" for o in e.overrides)
    return "\n".join(lines) + "\n"


COMMANDS = {"db": _cmd_db, "formulary": _cmd_formulary, "history": _cmd_history}
