"""Names for the window's choice lists, read straight from the data files (no unit system).

The engine validates the same files when it loads; a file that fails there is reported then.
"""

from __future__ import annotations

import re
from pathlib import Path

from ivig_desktop import resources


def _ids_and_names(path: Path, table: str) -> dict[str, str]:
    import tomllib

    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return {
        str(item["id"]): str(item.get("name", item["id"]))
        for item in data.get(table, [])
        if isinstance(item, dict) and "id" in item
    }


def _quick(path: Path, table: str) -> dict[str, str]:
    """Ids and names from a file in the documented layout (each [[table]] starts with id, then
    name); reading those lines is ten times faster than parsing the file, which the engine does
    anyway. Any other layout is parsed in full."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf'^\[\[{table}\]\]\s*\n\s*id\s*=\s*"([^"\n]+)"\s*\n\s*name\s*=\s*"([^"\n]+)"', re.M)
    found = dict(pattern.findall(text))
    if found and len(found) == text.count(f"[[{table}]]"):
        return found
    return _ids_and_names(path, table)


def regimens() -> dict[str, str]:
    return _quick(resources.path("regimens.toml"), "regimen")


def policies() -> dict[str, str]:
    return _quick(resources.path("weight_policies.toml"), "policy")


def products(site_formulary: str = "") -> dict[str, str]:
    """Product ids and names of the site formulary if one is set and readable, else the bundled."""
    path = Path(site_formulary) if site_formulary else resources.path("formulary.toml")
    try:
        return _quick(path, "product")
    except (OSError, UnicodeDecodeError, ValueError):  # tomllib.TOMLDecodeError is a ValueError
        if not site_formulary:
            raise
        # The engine's load of the same file reports the error and blocks plans.
        return _ids_and_names(resources.path("formulary.toml"), "product")
