"""``main``: the command table, and the order in which one run writes its files and streams.

Order: the output file, then the saved plan and its history record, then standard output; a
failure at any step stops what follows and prints nothing to stdout. Bad input exits 2 with one
line per bad field (cli.refusals); a check that finds a mismatch exits 3.
"""

from __future__ import annotations

import sys

from ivig_desktop.cli import check_command, listings, store_commands
from ivig_desktop.cli.options import build_parser, command_names
from ivig_desktop.cli.plan_command import emit, run_plan
from ivig_desktop.cli.refusals import PROG, BadFieldsError, UsageError, fail
from ivig_desktop.cli.run import Run
from ivig_desktop.engine.errors import DataError, InputError


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        names = command_names(parser)
        if argv[:1] in (["--version"], ["-V"]):
            if len(argv) > 1:
                raise UsageError(f"--version takes nothing after it (got {argv[1]!r})")
            sys.stdout.write(listings.version_text())
            return 0
        if argv and argv[0] not in (*names, "-h", "--help"):
            raise UsageError(
                f"'{argv[0]}' is not a command; the commands are: {', '.join(names)} "
                f"(or --version; '{PROG}' alone opens the window)"
            )
        if not argv:
            raise UsageError(f"a command is needed: {', '.join(names)}")
        args = parser.parse_args(argv)
        run = Run.of(args)
        commands = {
            "plan": lambda a: run_plan(a, run),
            "products": listings.products,
            "indications": listings.indications,
            "risks": listings.risks,
            "check": lambda a: check_command.check(a, run),
            "help": lambda a: listings.show_help(a, parser),
            **store_commands.COMMANDS,
        }
        repeated = args.__dict__.get("_repeated", [])
        if repeated and args.command != "plan":
            raise BadFieldsError(repeated)
        content = commands[args.command](args)
        status = 0
        if isinstance(content, tuple):  # (output, exit status): check's mismatch is 3
            content, status = content
        output = getattr(args, "output", None)
        # Order: the output file, then the saved plan and its history record, then standard
        # output; a failure at any step stops what follows and prints nothing to stdout.
        if output:
            emit(content, output)
        for step in run.after:
            step()
        if run.unrecorded:
            return fail("history: " + "; ".join(run.unrecorded))
        if not output:
            emit(content, None)
        for note in run.notes:
            sys.stderr.write(f"{PROG}: note: {' '.join(note.split())}\n")
    except BadFieldsError as exc:
        for line in exc.lines:
            fail(line)
        return 2
    except UsageError as exc:
        return fail(str(exc))
    except (InputError, DataError) as exc:
        return fail(str(exc))
    return status
