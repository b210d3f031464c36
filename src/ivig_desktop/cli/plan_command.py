"""``ivig-desktop plan``: a plan from the options (or a saved plan file) as text, JSON or PDF.

Output files are written atomically and the saved plan only after the output, so a failed run
never leaves a half-written file or a plan file without its report.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from ivig_desktop.cli import check_command
from ivig_desktop.cli.options import FORMATS, FROM_THE_FILE, REQUIRED
from ivig_desktop.cli.order_args import order_details, plan_inputs, typed_options
from ivig_desktop.cli.refusals import PATHS, BadFieldsError, Collect, UsageError, line
from ivig_desktop.cli.run import Run
from ivig_desktop.engine import quantities as fields
from ivig_desktop.engine.errors import DataError, InputError
from ivig_desktop.engine.plan import Plan, make_plan
from ivig_desktop.store.files import write_atomic


def emit(content: str | None, output: str | None) -> None:
    """Text to --output (atomically) or standard output; None: the command wrote its own file."""
    if content is None:
        return
    if output:
        write_atomic(Path(output), content.encode("utf-8"))
    else:
        sys.stdout.write(content)


def _format(args: argparse.Namespace, bad: Collect) -> str:
    """--format, or the one the --output suffix names; a text format into a .pdf is refused."""
    suffix = Path(args.output).suffix.lower() if args.output else ""
    implied = {".pdf": "pdf", ".json": "json"}.get(suffix)
    if args.format is None:
        return implied or "text"
    fmt = args.format.strip().lower()
    if fmt not in FORMATS:
        bad.lines.append(
            f"format: '{fields.shown(args.format)}' is not one of {', '.join(FORMATS)} [--format]"
        )
        return "text"
    if implied is not None and implied != fmt:
        bad.lines.append(
            f"output: '{fields.shown(args.output)}' ends in {suffix} but --format is {fmt}; "
            f"use --format {implied} or another file name [--output, --format]"
        )
    return fmt


def _paper(args: argparse.Namespace, bad: Collect) -> str:
    if args.paper is None:
        return "A4"
    for choice in ("A4", "Letter"):
        if args.paper.strip().lower() == choice.lower():
            return choice
    bad.lines.append(f"paper: '{fields.shown(args.paper)}' is not A4 or Letter [--paper]")
    return "A4"


def _refuse_overwriting_an_input(args: argparse.Namespace) -> None:
    """An output over a file the command reads would destroy it (``--input p.ivig --output p.ivig``
    wrote the text report over the plan). Saving a revised plan back to its own file is a save,
    and allowed; the report and the saved plan over each other are not. The targets are checked
    before anything is written: a FIFO given to --save must not let --output go first."""
    from ivig_desktop.store.files import same_file, writable_target

    if args.output:
        writable_target(Path(args.output), "output")
    if args.save:
        writable_target(Path(args.save), "plan file")
    reads = [(f"--{name}", getattr(args, name)) for name in ("input", "formulary", "settings")]
    writes = [("--output", args.output), ("--save", args.save)]
    for out_name, out in writes:
        if not out:
            continue
        for in_name, source in [*reads, *(w for w in writes if w[0] != out_name)]:
            if not source or (out_name, in_name) in (("--save", "--input"), ("--save", "--output")):
                continue  # a revised plan saved back to its file; the --output/--save pair once
            if same_file(Path(out), Path(source)):
                raise InputError(
                    out_name.lstrip("-"),
                    f"'{out}' is the file given to {in_name}; writing it would destroy that file. "
                    "Choose another name",
                )


def run_plan(args: argparse.Namespace, run: Run) -> str | None:
    bad = Collect()
    bad.lines.extend(args.__dict__.get("_repeated", []))
    for name in PATHS:
        value = getattr(args, name)
        if value is not None and not value.strip():
            bad.lines.append(f"{name}: is empty; give a file name [--{name}]")
        elif value is not None:
            bad.take(f"--{name}", fields.check_text, value, name)
    fmt = _format(args, bad)
    paper = _paper(args, bad)
    if fmt == "pdf" and not (args.output or "").strip():
        bad.lines.append("output: --format pdf needs --output FILE [--output]")
    if not bad.lines:
        try:
            _refuse_overwriting_an_input(args)
        except InputError as exc:
            bad.lines.append(line(exc))
    try:
        cat = run.catalogue(args, bad)  # an empty path was refused above and is skipped here
    except DataError as exc:
        # The site file is named; ids are not checked against data that could not be read.
        raise BadFieldsError([*bad.lines, str(exc)]) from None
    saved: dict | None = None
    opened: dict | None = None
    if args.input:
        if bad.lines:
            raise BadFieldsError(bad.lines)
        from ivig_desktop.store.plan_file import load_plan_inputs

        given = [
            f"--{k.replace('_', '-')}" for k in FROM_THE_FILE if getattr(args, k) not in (None, False, [])
        ]
        if given:
            raise UsageError(
                f"--input takes the patient and order from the file; remove {given[0]} "
                "(to change the plan, reopen it in the window or give every option without --input)"
            )
        patient, order, doc = load_plan_inputs(Path(args.input))
        order = replace(order, details=order_details(args, order.details))
        saved = doc.get("results")
        opened = doc
    else:
        missing = [f"--{k}" for k in REQUIRED if getattr(args, k) is None]
        if missing:
            bad.lines.append(f"the following arguments are required: {', '.join(missing)}")
        inputs = plan_inputs(args, cat, bad)
        if bad.lines or inputs is None:
            raise BadFieldsError(bad.lines)
        patient, order = inputs
    try:
        plan = make_plan(patient, order, cat)
    except InputError as exc:
        raise BadFieldsError([line(exc)]) from None
    reopened = check_command.reopened(opened, plan, args)  # its preparer and signed check
    plan = reopened.attach(plan)
    if args.save:
        # Saved only after the output was written: a run that fails leaves no plan file behind.
        run.after.append(lambda: _save(run, plan, Path(args.save), reopened))
    changed: list[str] = []
    if saved is not None:
        from ivig_desktop.store.plan_file import changes

        changed = changes(saved, plan)
    if fmt == "pdf":
        from ivig_desktop.report.printing import pdf_bytes

        target = Path(args.output)
        write_atomic(target, pdf_bytes(plan, paper=paper))
        run.after.insert(0, lambda: run.record(plan, "export-pdf", target))  # only once the file exists
        return None
    if fmt == "json":
        from ivig_desktop.engine.export import plan_to_dict

        doc = plan_to_dict(plan, typed=None if saved is not None else typed_options(args))
        if saved is not None:
            doc["changes_since_saved"] = changed
            doc["check"] = reopened.as_json()
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    from ivig_desktop.report.text import render_text

    note = ""
    if saved is not None:
        note = (
            "CHANGED SINCE SAVED (recomputed with the current formulary and settings):\n"
            + "".join(f"  - {c}\n" for c in changed)
            + "\n"
            if changed
            else "Unchanged since saved.\n\n"
        )
    return reopened.note() + note + render_text(plan) + "\n"


def _save(run: Run, plan: Plan, path: Path, reopened: check_command.Reopened) -> None:
    from ivig_desktop.store.plan_file import save_plan

    save_plan(plan, path, prepared_by=reopened.preparer, check=reopened.kept)
    run.record(plan, "save", path)
    if reopened.dropped:  # the file's check does not fit this plan: saved without it, and said so
        from ivig_desktop.store.signed_check import lost_label

        run.record(plan, "check", path, lost_label(path, reopened.state.signed, reopened.dropped))
