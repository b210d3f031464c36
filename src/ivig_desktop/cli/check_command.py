"""``ivig-desktop check PLAN.ivig``: the independent double check on the command line.

The checker types the patient and the order with the same options as ``plan`` (read by
cli.order_args, as plan reads them); the saved plan is read but none of its figures is shown before the
comparison. Exit 0: match, signed into the file and recorded; 3: mismatch; 2: bad input.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ivig_desktop.cli.options import REQUIRED
from ivig_desktop.cli.order_args import plan_inputs
from ivig_desktop.cli.refusals import BadFieldsError, Collect, line
from ivig_desktop.cli.run import Run
from ivig_desktop.engine.double_check import Comparison, compare
from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.plan import Plan, make_plan

MATCH, MISMATCH = 0, 3


def check(args: argparse.Namespace, run: Run) -> tuple[str, int]:
    from ivig_desktop.store import signed_check as sc
    from ivig_desktop.store.plan_file import changes, load_plan_inputs

    path = Path(args.plan_file)
    checker = sc.clean_name(args.checker if args.checker is not None else sc.workstation_user(), "checker")
    # The checker's entry is read as plan reads its options: every bad field reported at once.
    bad = Collect()
    missing = [f"--{k}" for k in REQUIRED if getattr(args, k) is None]
    if missing:
        bad.lines.append(f"the following arguments are required: {', '.join(missing)}")
    cat = run.catalogue(args, bad)
    entry = plan_inputs(args, cat, bad)
    if bad.lines or entry is None:
        raise BadFieldsError(bad.lines)
    patient, order, doc = load_plan_inputs(path)
    source = str(path)
    named = sc.prepared_by(doc, source)
    if named is not None and args.prepared_by is not None and named != args.prepared_by:
        raise InputError("prepared by", f"the plan file names its preparer ({named}); remove --prepared-by")
    if named is None and args.prepared_by is None:
        raise InputError("prepared by", f"{path} names no preparer; give --prepared-by NAME")
    preparer = sc.clean_name(named or args.prepared_by, "prepared by")
    if sc.same_person(checker, preparer):
        raise InputError(
            "checker",
            f"'{checker}' prepared this plan; an independent check is done by another clinician "
            "(give --checker NAME)",
        )
    plan = make_plan(patient, order, cat)
    moved = changes(doc.get("results"), plan)
    if moved:
        raise InputError(
            "plan file",
            f"{path}: its figures changed since it was saved ({'; '.join(moved)}); the preparer must "
            "reopen it, review and save it before it is checked",
        )
    try:
        mine = make_plan(entry[0], entry[1], cat)
    except InputError as exc:
        raise BadFieldsError([line(exc)]) from None
    result = compare(plan, mine)
    signed = None
    if result.matched:
        signed = sc.sign(plan, checker, preparer)
        sc.write_check(path, plan, signed)
    _record(run, plan, path, result, checker, preparer)
    status = MATCH if result.matched else MISMATCH
    if args.format == "json":
        return json.dumps(_as_json(path, result, checker, preparer, plan, signed), indent=2) + "\n", status
    return _as_text(path, result, checker, preparer, signed), status


def _record(run: Run, plan: Plan, path: Path, result: Comparison, checker: str, preparer: str) -> None:
    """In the history --database names (else the configured one), as plan records its files."""
    from ivig_desktop.store.history import HistoryError
    from ivig_desktop.store.signed_check import history_label

    label = history_label(path, result.result, len(result.differences), checker, preparer)
    try:
        run.history().record(plan, "check", label, formulary_revision_id=run.revision_id)
    except (HistoryError, OSError) as exc:
        done = "signed in the plan file" if result.matched else "not signed"
        raise InputError("history", f"the check ({result.result}, {done}) was not recorded ({exc})") from exc


def _as_json(
    path: Path, result: Comparison, checker: str, preparer: str, plan: Plan, signed: Any
) -> dict[str, Any]:
    return {
        "result": result.result,
        "differences": [{"field": x.field, "plan": x.plan, "check": x.check} for x in result.differences],
        "fields_compared": result.fields,
        "plan_file": str(path),
        "checked_by": checker,
        "prepared_by": preparer,
        "signed": signed is not None,
        "check": signed.to_dict() if signed is not None else None,
        "formulary_revision": plan.formulary_revision,
        "settings_revision": plan.settings_revision,
    }


def _as_text(path: Path, result: Comparison, checker: str, preparer: str, signed: Any) -> str:
    if signed is not None:
        return (
            f"MATCH: {checker}'s entry gives the same plan as {path} ({result.fields} figures compared).\n"
            f"{signed.sentence()}.\n"
            "Signed into the plan file and recorded in the history.\n"
        )
    lines = [
        f"MISMATCH: {len(result.differences)} of {result.fields} figures differ between the plan "
        f"(prepared by {preparer}) and {checker}'s entry; the check is NOT signed.",
        *(f"  - {x.sentence()}" for x in result.differences),
        "Resolve every difference with the prescriber or the preparer (correct the plan, save it, and "
        "check it again); a mismatch cannot be signed.",
    ]
    return "\n".join(lines) + "\n"


class Reopened:
    """A plan made by ``plan`` (from options or ``--input FILE``): its preparer, and the signed
    check of the file it came from, kept on ``--save`` only while it still fits the plan."""

    def __init__(self, doc: dict[str, Any] | None, plan: Plan, args: argparse.Namespace) -> None:
        from ivig_desktop.store import signed_check as sc

        source = str(getattr(args, "input", "") or "")
        self.state = sc.check_state(doc, plan, source) if doc is not None else sc.CheckState()
        named = sc.prepared_by(doc, source) if doc is not None else None
        typed = args.prepared_by if args.prepared_by is not None else (named or sc.workstation_user())
        self.preparer: str | None = sc.clean_name(typed, "prepared by") if typed else None
        kept = sc.kept_check(self.state, plan)
        if kept is not None and self.preparer != kept.prepared_by:
            self.lost_on_save = f"the preparer is now {self.preparer}, not {kept.prepared_by}"
            kept = None
        else:
            self.lost_on_save = ""
        self.kept: dict[str, str] | None = kept.to_dict() if kept is not None else None

    def attach(self, plan: Plan) -> Plan:
        """The plan with its check, shown in the banner, unless this save would lose it."""
        from ivig_desktop.store import signed_check as sc

        return plan if self.lost_on_save else sc.attach(plan, self.state)

    def note(self) -> str:
        """The lines above a reopened plan: its check lost, or to be lost on this save."""
        if self.state.lost:
            return self.state.lost + ".\n\n"
        if self.lost_on_save:
            return f"CHECK LOST on saving: {self.lost_on_save}; the plan must be checked again.\n\n"
        return ""

    @property
    def dropped(self) -> str:
        """Why saving this plan drops the file's check ("" when it keeps it or had none)."""
        if self.state.signed is None or self.kept is not None:
            return ""
        return self.lost_on_save or "the plan changed after it was checked"

    def as_json(self) -> dict[str, Any]:
        signed = self.state.signed
        status = "none" if signed is None else ("lost" if self.state.lost else "checked")
        return {
            "status": status,
            "signed": signed.to_dict() if signed is not None else None,
            "lost": self.state.lost or None,
        }


def reopened(doc: dict[str, Any] | None, plan: Plan, args: argparse.Namespace) -> Reopened:
    return Reopened(doc, plan, args)
