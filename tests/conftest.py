"""Shared test set-up: Qt runs offscreen, and no test touches the user's real settings."""

from __future__ import annotations

import os

# Before any PySide6 import: there is no display in CI.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
