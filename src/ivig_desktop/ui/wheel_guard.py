"""Wheel guard: a choice list or number box changes under the mouse wheel only when it has focus.

Scrolling a form with the wheel otherwise changes every combo box that passes under the
pointer (Octagam 5 % became 10 %, kg became lb) while the user only meant to scroll. The
standard Qt pattern: strong focus (a click or Tab focuses, the wheel does not) and a filter that
ignores wheel events while the widget is unfocused, so the event goes on to the scroll area.

Installed through :func:`guard_tree` over a whole window or dialog, so a widget added to a form
is guarded without anyone remembering to; tests walk every widget to check that.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QSlider, QWidget

#: Widget kinds whose value the wheel changes (not scroll bars: scrolling is what the wheel is for).
WHEEL_CHANGED = (QComboBox, QAbstractSpinBox, QSlider)
_PROPERTY = "ivig_wheel_guarded"


class _WheelGuard(QObject):
    """Swallows wheel events for an unfocused widget, leaving them ignored so the parent scrolls."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel and isinstance(obj, QWidget) and not obj.hasFocus():
            event.ignore()
            return True
        return False


_GUARD: _WheelGuard | None = None


def _guard_object() -> _WheelGuard:
    global _GUARD
    if _GUARD is None:
        _GUARD = _WheelGuard()
    return _GUARD


def guard(widget: QWidget) -> None:
    """Guard one widget (idempotent)."""
    if widget.property(_PROPERTY):
        return
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    widget.installEventFilter(_guard_object())
    widget.setProperty(_PROPERTY, True)


def is_guarded(widget: QWidget) -> bool:
    return bool(widget.property(_PROPERTY)) and widget.focusPolicy() == Qt.FocusPolicy.StrongFocus


def guard_tree(root: QWidget) -> None:
    """Guard every wheel-changed widget under ``root`` (and root itself if it is one)."""
    if isinstance(root, WHEEL_CHANGED):
        guard(root)
    for kind in WHEEL_CHANGED:
        for widget in root.findChildren(kind):
            guard(widget)
