"""Modules loaded on first use, so the window can paint before the unit system is built.

Importing pint and building the registry costs a few hundred milliseconds; engineering-anchors
§2.7 advises doing it off the first paint. The window refers to engine modules through these
handles; the first attribute access (the first recompute, just after the window is shown)
loads them.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def module(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    loader.exec_module(mod)
    return mod


display = module("ivig_desktop.engine.display")
quantities = module("ivig_desktop.engine.quantities")
patient = module("ivig_desktop.engine.patient")
plan = module("ivig_desktop.engine.plan")
inputs = module("ivig_desktop.engine.inputs")
formulary = module("ivig_desktop.engine.formulary")
settings = module("ivig_desktop.engine.settings")
units = module("ivig_desktop.engine.units")
history = module("ivig_desktop.store.history")
plan_file = module("ivig_desktop.store.plan_file")
