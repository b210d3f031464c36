"""A small TOML writer for the data files' shapes (the standard library only reads TOML).

Scalars and flat tables are written inline, nested tables as [a.b] sections, lists of
nested tables as [[a]] arrays. Reading the output back with tomllib gives the same data,
which the tests check on the bundled files.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE.fullmatch(k) else _string(k)


def _string(text: str) -> str:
    """A TOML basic string: JSON's escapes, plus DEL, which TOML (unlike JSON) forbids raw."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError("TOML data may not hold inf or nan")
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    raise TypeError(f"cannot write {type(v).__name__} as a TOML scalar")


def _is_leaf(v: Any) -> bool:
    """A table of scalars and lists of scalars: written inline as { ... }."""
    return isinstance(v, dict) and all(
        not isinstance(x, dict | list)
        or (isinstance(x, list) and all(not isinstance(y, dict | list) for y in x))
        for x in v.values()
    )


def _inline(v: Any) -> str:
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_inline(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        if v and all(isinstance(x, dict) for x in v):
            return "[\n" + "".join(f"  {_inline(x)},\n" for x in v) + "]"
        return "[" + ", ".join(_inline(x) for x in v) + "]"
    return _scalar(v)


def _table(lines: list[str], path: list[str], table: dict[str, Any]) -> None:
    nested: list[tuple[str, Any]] = []
    for k, v in table.items():
        if _section(path, v):
            nested.append((k, v))
        else:
            lines.append(f"{_key(k)} = {_inline(v)}")
    for k, v in nested:
        sub = [*path, k]
        name = ".".join(_key(p) for p in sub)
        if isinstance(v, dict):
            lines.append("")
            lines.append(f"[{name}]")
            _table(lines, sub, v)
        else:
            for item in v:
                lines.append("")
                lines.append(f"[[{name}]]")
                _table(lines, sub, item)


def _section(path: list[str], v: Any) -> bool:
    """Whether ``v`` is written as its own [section] / [[array]] rather than inline."""
    if isinstance(v, dict):
        return not (path and _is_leaf(v))
    if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
        return not all(_is_leaf(x) for x in v)
    return False


def dumps(data: dict[str, Any], header: str = "") -> str:
    lines = [f"# {line}" for line in header.splitlines()] if header else []
    if lines:
        lines.append("")
    _table(lines, [], data)
    return "\n".join(lines).strip() + "\n"
