"""The one way to find files under ``resources/``.

A source checkout keeps them at the repository top level; an installed wheel carries the
same folder as the package ``ivig_desktop.resources``. Every caller goes through
:func:`path` so neither layout leaks into the rest of the code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path, PurePosixPath

_CHECKOUT = Path(__file__).resolve().parent.parent / "resources"


@cache
def root() -> Path:
    """Folder holding the bundled resources (checkout first, then the installed package)."""
    if (_CHECKOUT / "units.txt").is_file():
        return _CHECKOUT
    import importlib.resources  # only for an installed wheel; it pulls in zipfile and tempfile

    installed = Path(str(importlib.resources.files("ivig_desktop.resources")))
    if (installed / "units.txt").is_file():
        return installed
    raise FileNotFoundError(f"ivig_desktop resources not found in {_CHECKOUT} or in the installed package")


def path(name: str) -> Path:
    """Absolute path of a bundled resource; ``name`` is relative and may not climb out."""
    rel = PurePosixPath(name)
    if rel.is_absolute() or ".." in rel.parts:
        raise ValueError(f"resource name must be relative and inside resources/: {name!r}")
    return root().joinpath(*rel.parts)


def read_text(name: str) -> str:
    return path(name).read_text(encoding="utf-8")
