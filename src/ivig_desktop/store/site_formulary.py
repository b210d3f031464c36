"""A site's own formulary file: copy the bundled one, edit figures, validate, save atomically.

Edits are made on the file's data (not on the engine's objects) so every untouched figure
keeps its evidence, source and date; an edited figure is tagged ``site`` with who and when.
Nothing is written until the whole formulary passes the same checks the engine applies when
it loads a formulary.
"""

from __future__ import annotations

import copy
import getpass
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from ivig_desktop import resources
from ivig_desktop.engine import datafile
from ivig_desktop.engine.errors import DataError
from ivig_desktop.engine.formulary import Formulary, formulary_from_data
from ivig_desktop.store.files import write_atomic
from ivig_desktop.store.toml_writer import dumps


def bundled_data() -> dict[str, Any]:
    with resources.path("formulary.toml").open("rb") as fh:
        return tomllib.load(fh)


def read_data(path: Path) -> dict[str, Any]:
    """The file's TOML, read as the engine reads a formulary (regular file, bounded, UTF-8)."""
    try:
        return datafile.load(path)
    except DataError as exc:
        if exc.message == "file not found":
            raise DataError(exc.source, "", "", "cannot be read (file not found)") from None
        raise


def editor_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown user"


def site_provenance(who: str | None = None, when: date | None = None) -> dict[str, str]:
    """Provenance for a figure a site pharmacist typed: not label truth, but the site's."""
    day = (when or date.today()).isoformat()
    return {
        "evidence": "site",
        "source": f"site formulary, edited by {who or editor_name()} on {day}",
        "date": day,
    }


def validate(data: dict[str, Any], source: str) -> Formulary:
    """The engine's own checks; the DataError names ``source``, the product and the field."""
    return formulary_from_data(copy.deepcopy(data), source)


def save(data: dict[str, Any], path: Path) -> Formulary:
    """Validate, then write atomically. An invalid formulary writes nothing."""
    form = validate(data, str(path))
    header = (
        f"ivig_desktop site formulary, revision {data.get('revision', '')}\n"
        f"Saved {date.today().isoformat()} by {editor_name()}. Same format as resources/formulary.toml;\n"
        'figures tagged evidence = "site" were typed at this site.'
    )
    write_atomic(path, dumps(data, header).encode("utf-8"), field="site formulary")
    return form
