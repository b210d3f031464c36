"""The one way to find resources/: from a checkout and from an installed package."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from ivig_desktop import resources


def test_checkout_resources_found() -> None:
    assert resources.path("units.txt").read_text(encoding="utf-8").startswith("# The closed world")
    assert resources.path("fonts/DejaVuSans.ttf").stat().st_size > 100_000


@pytest.mark.parametrize("bad", ["../pyproject.toml", "/etc/passwd", "fonts/../../README.md"])
def test_resource_names_cannot_escape(bad: str) -> None:
    with pytest.raises(ValueError, match="inside resources"):
        resources.path(bad)


def test_installed_layout_is_used_when_no_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed wheel has no top-level resources/: the package copy must be found instead."""
    installed = tmp_path / "site" / "ivig_desktop" / "resources"
    installed.mkdir(parents=True)
    (installed / "units.txt").write_text("# installed copy\n", encoding="utf-8")

    class _Files:
        def __init__(self, root: Path) -> None:
            self.root = root

        def __str__(self) -> str:
            return str(self.root)

    monkeypatch.setattr(resources, "_CHECKOUT", tmp_path / "no-checkout")
    monkeypatch.setattr(importlib.resources, "files", lambda name: _Files(installed))
    resources.root.cache_clear()
    try:
        assert resources.path("units.txt").read_text(encoding="utf-8") == "# installed copy\n"
    finally:
        resources.root.cache_clear()


def test_missing_resources_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "_CHECKOUT", tmp_path / "none")
    monkeypatch.setattr(importlib.resources, "files", lambda name: tmp_path / "also-none")
    resources.root.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match="resources not found"):
            resources.root()
    finally:
        resources.root.cache_clear()


def test_installed_distribution_carries_resources() -> None:
    """The installed package (CI installs the project non-editable) holds every data file."""
    import sys
    from importlib import metadata

    # Only site-packages: a build leaves ivig_desktop.egg-info in the checkout, which is on sys.path.
    site = [p for p in sys.path if p.endswith("site-packages")]
    found = list(metadata.distributions(name="ivig_desktop", path=site))
    if not found:
        pytest.skip("ivig_desktop is not installed in this environment (run from a checkout)")
    names = {str(f).replace("\\", "/") for f in found[0].files or []}
    if not any(n.startswith("ivig_desktop/engine/") for n in names):
        pytest.skip("editable install: files are not copied")
    for name in (
        "ivig_desktop/resources/units.txt",
        "ivig_desktop/resources/formulary.toml",
        "ivig_desktop/resources/regimens.toml",
        "ivig_desktop/resources/weight_policies.toml",
        "ivig_desktop/resources/site_settings.toml",
        "ivig_desktop/resources/fonts/DejaVuSans.ttf",
        "ivig_desktop/resources/fonts/DejaVuSans-Bold.ttf",
    ):
        assert name in names, name
