"""A signed independent double check, kept in the plan file beside the plan it checked.

The check block names the checker and the preparer, the time, the data revisions and a
fingerprint of the plan checked: its inputs and every compared figure (engine.double_check).
A plan whose fingerprint no longer agrees (an input edited, or figures moved under a newer
formulary) has lost its check, and says so; only a match is ever signed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ivig_desktop.engine.double_check import plan_figures, same_person
from ivig_desktop.engine.errors import InputError
from ivig_desktop.engine.plan import Plan
from ivig_desktop.engine.signature import MAX_NAME, SignedCheck, clean_name
from ivig_desktop.engine.signature import workstation_user as workstation_user  # re-exported
from ivig_desktop.store.files import write_atomic
from ivig_desktop.store.plan_file import PlanFileError, inputs_to_dict, read_document

#: The plan file's top-level keys this module adds: who prepared it, and its signed check.
PREPARED_BY = "prepared_by"
CHECK = "check"
CHECK_KEYS = frozenset(
    {"result", "checked_by", "prepared_by", "checked_at", "formulary_revision", "settings_revision"}
    | {"fingerprint"}
)


def fingerprint(plan: Plan) -> str:
    """SHA-256 of the plan's inputs and its compared figures: any change to either changes it."""
    body = {
        "inputs": inputs_to_dict(plan.patient, plan.order),
        "figures": [[f.field, f.key] for f in plan_figures(plan)],
        "formulary_revision": plan.formulary_revision,
        "settings_revision": plan.settings_revision,
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sign(plan: Plan, checked_by: str, prepared_by: str, when: datetime | None = None) -> SignedCheck:
    """The signature of a matched check; refuses a preparer checking their own plan."""
    checker = clean_name(checked_by, "checker")
    preparer = clean_name(prepared_by, "prepared by")
    if same_person(checker, preparer):
        raise InputError(
            "checker",
            f"'{checker}' prepared this plan; an independent check is done by another clinician",
        )
    return SignedCheck(
        checker,
        preparer,
        (when or datetime.now()).replace(microsecond=0),
        plan.formulary_revision,
        plan.settings_revision,
        fingerprint(plan),
    )


def prepared_by(doc: dict[str, Any], source: str) -> str | None:
    """The preparer a plan file names, or None when it names none (files saved before 0.x)."""
    value = doc.get(PREPARED_BY)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME:
        raise PlanFileError(f"plan file {source} {PREPARED_BY}", "must be a name of at most 100 characters")
    return value


def check_from_document(doc: dict[str, Any], source: str) -> SignedCheck | None:
    """The file's signed check, read strictly (exact keys, texts, an ISO time); None if none."""
    raw = doc.get(CHECK)
    if raw is None:
        return None
    where = f"plan file {source} {CHECK}"
    if not isinstance(raw, dict):
        raise PlanFileError(where, "must be a JSON object")
    keys = set(raw)
    if keys != CHECK_KEYS:
        odd = sorted(keys - CHECK_KEYS) or sorted(CHECK_KEYS - keys)
        what = "is not a field of a check" if keys - CHECK_KEYS else "is missing"
        raise PlanFileError(f"{where}.{odd[0]}", what)
    for key in CHECK_KEYS:
        if not isinstance(raw[key], str) or not raw[key] or len(raw[key]) > 200:
            raise PlanFileError(f"{where}.{key}", "must be a short text")
    if raw["result"] != "match":
        raise PlanFileError(f"{where}.result", 'must be "match" (only a match is signed)')
    try:
        at = datetime.fromisoformat(raw["checked_at"])
    except ValueError:
        raise PlanFileError(f"{where}.checked_at", "must be a date and time (YYYY-MM-DDTHH:MM:SS)") from None
    return SignedCheck(
        raw["checked_by"],
        raw["prepared_by"],
        at,
        raw["formulary_revision"],
        raw["settings_revision"],
        raw["fingerprint"],
    )


@dataclass(frozen=True, slots=True)
class CheckState:
    """What a reopened plan's check amounts to: signed and valid, lost (and why), or none."""

    signed: SignedCheck | None = None
    lost: str = ""

    @property
    def checked(self) -> bool:
        return self.signed is not None and not self.lost


def check_state(doc: dict[str, Any], plan: Plan, source: str) -> CheckState:
    """The file's check held against the plan made from it now (current formulary and settings)."""
    signed = check_from_document(doc, source)
    if signed is None:
        return CheckState()
    if fingerprint(plan) != signed.fingerprint:
        return CheckState(
            signed,
            f"CHECK LOST: the plan changed after {signed.checked_by} checked it on {signed.when}; "
            "it must be checked again",
        )
    if prepared_by(doc, source) not in (None, signed.prepared_by):
        return CheckState(signed, f"CHECK LOST: the preparer named in the file is not {signed.prepared_by}")
    return CheckState(signed)


def kept_check(state: CheckState, plan: Plan) -> SignedCheck | None:
    """The check to write when ``plan`` is saved again: kept only if it still fits the plan."""
    if state.signed is None or fingerprint(plan) != state.signed.fingerprint:
        return None
    return state.signed


def write_check(path: Path, plan: Plan, check: SignedCheck) -> None:
    """Write ``check`` into the plan file, atomically, leaving everything else as it was.

    The file is read again first and must still hold the inputs of ``plan`` (refused if it was
    changed meanwhile), so the signature lands on the plan that was compared.
    """
    source = str(path)
    doc = read_document(path)
    if doc.get("inputs") != inputs_to_dict(plan.patient, plan.order):
        raise PlanFileError(f"plan file {source}", "changed while it was being checked; check it again")
    if check.fingerprint != fingerprint(plan):
        raise InputError("check", "does not belong to this plan")
    doc = dict(doc)
    doc.setdefault(PREPARED_BY, check.prepared_by)
    doc[CHECK] = check.to_dict()
    data = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False).encode("utf-8")
    write_atomic(path, data, field="plan file")


def attach(plan: Plan, state: CheckState) -> Plan:
    """``plan`` carrying its signed check when the check still fits it; else as it is."""
    signed = kept_check(state, plan)
    return replace(plan, check=signed) if signed is not None and not state.lost else plan


def history_label(path: Path, result: str, differences: int, checker: str, preparer: str) -> str:
    """The history label of a check (match or mismatch), the same from the window and the CLI."""
    counted = f" ({differences} differences)" if differences else ""
    return f"{path.resolve()} · {result}{counted} · checked by {checker} · prepared by {preparer}"


def lost_label(path: Path, signed: SignedCheck, why: str) -> str:
    """The history label of a check lost when its plan, changed, was saved."""
    return f"{path.resolve()} · lost · checked by {signed.checked_by} on {signed.when} · {why}"
