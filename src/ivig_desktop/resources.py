"""The one way to find the bundled data files (formulary, regimens, policies, settings, fonts).

The repository keeps them in its top-level ``resources/`` folder; the wheel installs that folder
as the data package ``ivig_desktop.data`` (pyproject ``package-dir``). The installed package is
the one the program, the tests and CI use. An editable install or a run straight from a source
tree falls back to the repository folder, found relative to this file (``src/ivig_desktop/``).
Every caller goes through :func:`path`, so neither layout leaks into the rest of the code.

This module is named ``resources`` and the data package ``data``: a package and a module of the
same name shadow each other, which is how an earlier wheel crashed at start-up.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path, PurePosixPath

DATA_PACKAGE = "ivig_desktop.data"
_CHECKOUT = Path(__file__).resolve().parents[2] / "resources"
_PROBE = "units.txt"


def _installed() -> Path | None:
    """The installed data package's folder, without importing importlib.resources (which pulls
    in zipfile and tempfile at start-up); wheels install unzipped, so it is a real folder."""
    try:
        spec = importlib.util.find_spec(DATA_PACKAGE)
    except ModuleNotFoundError:
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location)
        if (folder / _PROBE).is_file():
            return folder
    return None


@cache
def root() -> Path:
    """Folder holding the bundled resources: the installed package first, then a source tree."""
    installed = _installed()
    if installed is not None:
        return installed
    if (_CHECKOUT / _PROBE).is_file():
        return _CHECKOUT
    raise FileNotFoundError(
        f"ivig_desktop resources not found: no installed package {DATA_PACKAGE} and no {_CHECKOUT}"
    )


def path(name: str) -> Path:
    """Absolute path of a bundled resource; ``name`` is relative and may not climb out."""
    rel = PurePosixPath(name)
    if rel.is_absolute() or ".." in rel.parts:
        raise ValueError(f"resource name must be relative and inside resources/: {name!r}")
    return root().joinpath(*rel.parts)


def read_text(name: str) -> str:
    return path(name).read_text(encoding="utf-8")
