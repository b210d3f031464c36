"""Command line: ``ivig-desktop plan|check|products|indications|risks|help`` and the store's
``db|formulary|history``.

One module each for what the command line holds: ``options`` (the argparse definitions),
``order_args`` (options → the engine's Patient and Order), ``refusals`` (how bad input is
refused: one line per field, exit 2), ``run`` (what one run carries: after-steps, notes, the
database), ``plan_command``, ``check_command``, ``listings``, ``store_commands``, and
``dispatch`` (``main``: the command table and the order in which files and streams are written).
The window and the printout never import it; the engine does the arithmetic.
"""

from __future__ import annotations

from ivig_desktop.cli.dispatch import main

__all__ = ["main"]
