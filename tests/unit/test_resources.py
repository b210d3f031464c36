"""The one way to find the bundled data, and proof that the tests run the installed package."""

from __future__ import annotations

import os
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

import pytest

import ivig_desktop
from ivig_desktop import resources

REPO = Path(__file__).resolve().parents[2]
BUNDLED = (
    "units.txt",
    "formulary.toml",
    "regimens.toml",
    "weight_policies.toml",
    "site_settings.toml",
    "fonts/DejaVuSans.ttf",
    "fonts/DejaVuSans-Bold.ttf",
    "fonts/LICENSE-DejaVu.txt",
)


def _site_packages() -> Path:
    return Path(sysconfig.get_paths()["purelib"]).resolve()


def test_resources_found() -> None:
    assert resources.path("units.txt").read_text(encoding="utf-8").startswith("# The closed world")
    assert resources.path("fonts/DejaVuSans.ttf").stat().st_size > 100_000


@pytest.mark.parametrize("bad", ["../pyproject.toml", "/etc/passwd", "fonts/../../README.md"])
def test_resource_names_cannot_escape(bad: str) -> None:
    with pytest.raises(ValueError, match="inside resources"):
        resources.path(bad)


def test_the_module_and_the_data_package_have_different_names() -> None:
    """The bug this layout fixes: a data package named like the module shadowed it."""
    assert resources.__name__ != resources.DATA_PACKAGE
    assert callable(resources.path)


def test_missing_resources_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "_CHECKOUT", tmp_path / "none")
    monkeypatch.setattr(resources, "DATA_PACKAGE", "ivig_desktop.no_such_data")
    resources.root.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match="resources not found"):
            resources.root()
    finally:
        resources.root.cache_clear()


def test_source_tree_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the installed data package (an editable install), the repository folder is used."""
    tree = tmp_path / "resources"
    tree.mkdir()
    (tree / "units.txt").write_text("# source tree copy\n", encoding="utf-8")
    monkeypatch.setattr(resources, "_CHECKOUT", tree)
    monkeypatch.setattr(resources, "DATA_PACKAGE", "ivig_desktop.no_such_data")
    resources.root.cache_clear()
    try:
        assert resources.read_text("units.txt") == "# source tree copy\n"
    finally:
        resources.root.cache_clear()


def test_installed_package_is_the_one_imported() -> None:
    """The tests import the installed wheel, never the checkout (src layout)."""
    package = Path(ivig_desktop.__file__).resolve()
    source = (REPO / "src").resolve()
    assert not package.is_relative_to(source), f"tests imported the checkout: {package}"
    assert resources.root().resolve().is_relative_to(package.parent), resources.root()


@pytest.mark.skipif(not os.environ.get("CI"), reason="CI installs the wheel non-editable into a fresh venv")
def test_ci_runs_the_installed_package_from_site_packages() -> None:
    """In CI the package and its data must come from site-packages, or CI is testing something
    other than what users install."""
    site = _site_packages()
    assert Path(ivig_desktop.__file__).resolve().is_relative_to(site), (ivig_desktop.__file__, site)
    assert resources.root().resolve().is_relative_to(site), resources.root()
    for name in BUNDLED:
        assert resources.path(name).is_file(), name


def test_installed_distribution_carries_every_data_file() -> None:
    dist = metadata.distribution("ivig_desktop")
    files = {str(f).replace("\\", "/") for f in dist.files or []}
    if not any(f.startswith("ivig_desktop/engine/") for f in files):
        pytest.skip("editable install: files are not copied")
    for name in BUNDLED:
        assert f"ivig_desktop/data/{name}" in files, name
    # Bundled data is the repository's own, byte for byte.
    for name in BUNDLED:
        assert resources.path(name).read_bytes() == (REPO / "resources" / name).read_bytes(), name
    assert dist.version == ivig_desktop.__version__
    assert sys.modules["ivig_desktop.resources"] is resources


def test_installed_distribution_carries_every_module_of_the_checkout() -> None:
    """pyproject lists the packages by name: a new subpackage left off the list is missing from
    the wheel, and the installed program fails to start (the bug that once shipped)."""
    dist = metadata.distribution("ivig_desktop")
    files = {str(f).replace("\\", "/") for f in dist.files or []}
    if not any(f.startswith("ivig_desktop/engine/") for f in files):
        pytest.skip("editable install: files are not copied")
    source = REPO / "src"
    modules = sorted(p.relative_to(source).as_posix() for p in source.rglob("*.py"))
    assert modules, source
    missing = [m for m in modules if m not in files]
    assert not missing, (
        f"in the checkout but not in the installed wheel (add to pyproject packages): {missing}"
    )
