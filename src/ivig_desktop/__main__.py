"""``python -m ivig_desktop``: the window with no arguments, the command line with them."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("plan", "products", "indications", "-h", "--help"):
        from ivig_desktop.cli import main as cli_main

        return cli_main(args)
    from ivig_desktop.ui.app import main as gui_main

    return gui_main(args)


if __name__ == "__main__":
    sys.exit(main())
