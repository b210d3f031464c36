"""``ivig-desktop`` / ``python -m ivig_desktop``: the window, a plan file in the window, or a command.

* no arguments: the window;
* one ``FILE.ivig``: the window with that plan open;
* anything else: the command line (``ivig_desktop.cli``), which knows the commands and refuses
  an unknown first word (``plna``, ``--verison``) with exit status 2 instead of opening a window.

The choice is made here, before Qt or the unit system is imported, so each path loads only what
it needs.
"""

from __future__ import annotations

import sys

PLAN_SUFFIX = ".ivig"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or (args[0].lower().endswith(PLAN_SUFFIX) and not args[0].startswith("-")):
        from ivig_desktop.ui.launch import main as gui_main

        return gui_main(args)
    from ivig_desktop.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
