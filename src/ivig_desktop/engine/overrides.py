"""Clinician overrides of a policy or site limit: each needs a typed reason and is recorded.

An override never happens silently: the plan shows it as a warning, the printout and the
history carry its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivig_desktop.engine.errors import InputError

KINDS: dict[str, str] = {
    "actual-weight": "dose on actual body weight instead of the policy's weight",
    "dose-limit": "exceed the site's hard limit on the course dose per kg",
    "volume-limit": "exceed the site's daily volume limit",
    "rate-cap": "remove the label's numeric rate cap for at-risk patients",
}
MIN_REASON = 5


@dataclass(frozen=True, slots=True)
class Override:
    kind: str
    reason: str

    @property
    def description(self) -> str:
        return KINDS[self.kind]


def check_overrides(overrides: tuple[Override, ...]) -> dict[str, Override]:
    """Refuse unknown kinds, duplicates and overrides without a real typed reason."""
    from ivig_desktop.engine.quantities import check_text  # here: the window imports this module early

    out: dict[str, Override] = {}
    for o in overrides:
        check_text(o.reason or "", "override reason")
        if o.kind not in KINDS:
            raise InputError("override", f"'{o.kind}' is not one of {', '.join(KINDS)}")
        if o.kind in out:
            raise InputError("override", f"'{o.kind}' is given twice")
        if len((o.reason or "").strip()) < MIN_REASON:
            raise InputError(
                "override reason",
                f"'{o.kind}' ({KINDS[o.kind]}) needs a typed reason of at least {MIN_REASON} characters",
            )
        out[o.kind] = Override(o.kind, " ".join(o.reason.split()))
    return out
