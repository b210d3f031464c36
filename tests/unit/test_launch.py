"""The pre-flight check before Qt: no display or missing X11 libraries is one line with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivig_desktop.ui import launch


def test_no_display_is_reported_with_the_fix() -> None:
    text = launch.display_problem({}, "linux")
    assert text is not None
    assert "DISPLAY is not set" in text and "QT_QPA_PLATFORM=offscreen" in text


@pytest.mark.parametrize(
    "env",
    [{"QT_QPA_PLATFORM": "offscreen"}, {"QT_QPA_PLATFORM": "wayland"}, {"WAYLAND_DISPLAY": "wayland-0"}],
)
def test_other_platforms_are_left_to_qt(env: dict[str, str]) -> None:
    assert launch.display_problem(env, "linux") is None


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_windows_and_macos_need_no_check(platform: str) -> None:
    assert launch.display_problem({}, platform) is None


def test_a_display_with_no_x_server_is_named(tmp_path: Path) -> None:
    text = launch.display_problem({"DISPLAY": ":987654"}, "linux")
    assert text == "cannot open the window: no X server is running on display :987654"


def test_missing_libraries_are_named_with_their_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = {"libivig-no-such-library.so.9": "ivig-no-such-package", "libc.so.6": "libc6"}
    assert launch.missing_libraries(fake) == ["libivig-no-such-library.so.9"]
    monkeypatch.setattr(launch, "XCB_LIBRARIES", fake)
    monkeypatch.setattr(launch, "missing_libraries", lambda names=fake: ["libivig-no-such-library.so.9"])
    monkeypatch.setattr(launch.Path, "exists", lambda self: True)
    text = launch.display_problem({"DISPLAY": ":0"}, "linux")
    assert text is not None
    assert "libivig-no-such-library.so.9" in text
    assert "sudo apt-get install ivig-no-such-package" in text


def test_more_than_one_plan_file_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert launch.main(["a.ivig", "b.ivig"]) == 2
    assert "one plan file at a time" in capsys.readouterr().err
