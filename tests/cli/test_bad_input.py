"""Bad input on the command line: exit status 2, nothing on standard output, and exactly one line on
standard error that starts with ``ivig-desktop: error:``, names the field and shows no traceback.

Most cases call :func:`ivig_desktop.cli.main` in-process (fast); a few run ``python -m ivig_desktop``
in a real process to prove the exit status and the streams a shell sees.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from ivig_desktop.cli import main
from ivig_desktop.store.history import History
from tests.helpers import CLI_PLAN, cli_argv, run_cli

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "ivig-desktop: error: "
GOOD = list(CLI_PLAN)


_argv = cli_argv


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    """main(argv) in-process; an escaping exception is a failure (the user would see a traceback)."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse printing its own usage would bypass the one-line contract
        pytest.fail(f"main({argv!r}) called sys.exit({exc.code}) instead of returning 2")
    except Exception as exc:
        pytest.fail(
            f"main({argv!r}) raised {type(exc).__name__}: {exc} instead of exiting 2 with one line "
            "(from a shell this is a Python traceback)"
        )
    out, err = capsys.readouterr()
    return code, out, err


def _assert_refused(code: int, out: str, err: str, field: str, needle: str = "") -> str:
    """The one-line contract; returns the message after the prefix."""
    assert code == 2, (code, err)
    assert out == ""
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    line = err.rstrip("\n")
    assert line.startswith(PREFIX), line
    message = line[len(PREFIX) :]
    if field.startswith("--"):  # an option argparse found missing
        assert field in message, message
    else:  # "field: reason", or for a data file "path: reason" / "path [record] field: reason"
        assert message.startswith((f"{field}:", f"{field} [")), message
    assert needle in message, message
    return message


# (id, argv, field the message must start with (or an option it must name), a fragment of the reason)
BAD: list[tuple[str, list[str], str, str]] = [
    ("weight-empty", _argv(weight=""), "weight", "is empty"),
    ("weight-blank", _argv(weight="   "), "weight", "is empty"),
    ("weight-no-number", _argv(weight="kg"), "weight", "'kg' has no number"),
    ("weight-no-unit", _argv(weight="70"), "weight", "'70' has no unit"),
    ("weight-length", _argv(weight="70 m"), "weight", "'m' is not a unit of weight"),
    ("weight-expression", _argv(weight="70*2 kg"), "weight", "is an expression"),
    ("weight-negative", _argv(weight="-5 kg"), "weight", "must be greater than zero"),
    ("weight-unicode-minus", _argv(weight="−5 kg"), "weight", "must be greater than zero"),
    ("weight-zero", _argv(weight="0 kg"), "weight", "must be greater than zero"),
    ("weight-400", _argv(weight="400 kg"), "weight", "400 kg is outside the accepted range 0.3–350 kg"),
    ("weight-0.2", _argv(weight="0.2 kg"), "weight", "0.2 kg is outside the accepted range 0.3–350 kg"),
    ("weight-ambiguous-comma", _argv(weight="1,500 kg"), "weight", "'1,500' is ambiguous"),
    ("weight-two-points", _argv(weight="70.5.5 kg"), "weight", "70.5.5"),
    ("weight-newline", _argv(weight="70\n\nm"), "weight", "'m' is not a unit of weight"),
    ("height-20", _argv(height="20 cm"), "height", "20 cm is outside the accepted range 25–250 cm"),
    ("height-260", _argv(height="260 cm"), "height", "260 cm is outside the accepted range"),
    ("height-kg", _argv(height="175 kg"), "height", "'kg' is not a unit of height"),
    ("height-empty", _argv(height=""), "height", "is empty"),
    ("age-130", _argv(age="130 y"), "age", "130 y is outside the accepted range 0–120 y"),
    ("age-zero", _argv(age="0 y"), "age", "must be greater than zero"),
    ("age-no-unit-word", _argv(age="50 yeers"), "age", "'yeers' is not a unit of age"),
    ("scr-25", _argv(scr="25 mg/dL"), "serum creatinine", "25 mg/dL is outside the accepted range 0.1–20"),
    ("scr-0.05", _argv(scr="0.05 mg/dL"), "serum creatinine", "0.05 mg/dL is outside the accepted range"),
    # 5000 µmol/L ÷ 88.4 = 56.56 mg/dL: the range is checked after conversion.
    ("scr-umol", _argv(scr="5000 µmol/L"), "serum creatinine", "56.56 mg/dL is outside the accepted range"),
    ("scr-empty", _argv(scr=""), "serum creatinine", "is empty"),
    ("sex-X", _argv(sex="X"), "sex", "'X' is not male or female"),
    ("sex-empty", _argv(sex=""), "sex", "is not male or female"),
    ("dose-3", _argv(dose="3 g/kg", days="2"), "dose", "above the site's hard limit of 2.4 g/kg"),
    ("dose-mL", _argv(dose="2 mL"), "dose", "'mL' is not a unit of dose"),
    ("dose-zero", _argv(dose="0 g/kg"), "dose", "must be greater than zero"),
    ("dose-empty", _argv(dose=""), "dose", "is empty"),
    ("days-0", _argv(days="0"), "days", "must be at least 1"),
    ("days-two", _argv(days="two"), "days", "'two' is not a whole number of days"),
    ("days-11", _argv(days="11"), "days", "11 days is more than the 10"),
    ("days-fraction", _argv(days="1.5"), "days", "'1.5' is not a whole number of days"),
    ("start-25", _argv(start="25:00"), "start", "'25:00' is not a valid time of day"),
    ("start-8", _argv(start="8"), "start", "'8' is not a time as HH:MM"),
    ("start-minutes-60", _argv(start="08:60"), "start", "'08:60' is not a valid time of day"),
    ("product", _argv(product="nope"), "product", "'nope' is not in the formulary"),
    ("indication", _argv(indication="nope"), "indication", "'nope' is not a known indication"),
    ("weight-policy", _argv(weight_policy="nope"), "weight policy", "'nope' is not a known policy"),
    ("risk", [*GOOD, "--risk", "bogus"], "risk", "'bogus' is not a known risk factor"),
    ("risk-second-of-two", [*GOOD, "--risk", "diabetes", "bogus"], "risk", "'bogus'"),
    (
        "pregnant-no-ppw",
        [*_argv(sex="F", weight_policy="ontario"), "--pregnant"],
        "pre-pregnancy weight",
        "is required: the patient is pregnant and policy 'ontario'",
    ),
    (
        "ppw-not-pregnant",
        [*_argv(sex="F"), "--pre-pregnancy-weight", "60 kg"],
        "pre-pregnancy weight",
        "was given but the patient is not marked pregnant",
    ),
    (
        "ppw-bad",
        [*_argv(sex="F"), "--pregnant", "--pre-pregnancy-weight", "60"],
        "pre-pregnancy weight",
        "'60' has no unit",
    ),
    ("mmn-no-dose", _argv(indication="mmn"), "dose", "Multifocal motor neuropathy (MMN) regimen has no"),
    ("sps-no-dose", _argv(indication="stiff-person-syndrome"), "dose", "Stiff person syndrome regimen has"),
    ("max-rate-fast", _argv(max_rate="fast"), "max-rate", "'fast' has no number"),
    ("max-rate-zero", _argv(max_rate="0 mg/kg/min"), "max-rate", "must be greater than zero"),
    ("max-rate-mL/h", _argv(max_rate="4 mL/h"), "max-rate", "'mL/h' is not a unit of dose rate"),
    ("missing-weight", _argv(weight=None), "--weight", "the following arguments are required: --weight"),
    ("missing-all", ["plan"], "--weight", "--height, --sex, --age, --product"),
    ("pdf-without-output", _argv(format="pdf"), "output", "--format pdf needs --output FILE"),
]


@pytest.mark.parametrize(("argv", "field", "needle"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_exits_2_with_one_line_naming_the_field(
    capsys: pytest.CaptureFixture[str], argv: list[str], field: str, needle: str
) -> None:
    _assert_refused(*_run(capsys, argv), field, needle)


def test_the_valid_command_line_used_above_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    """Guards the table: each bad case differs from a command line that works."""
    code, out, err = _run(capsys, GOOD)
    assert (code, err) == (0, "")
    assert "DAY 1 of 2" in out


def test_days_without_an_indication_is_a_plain_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    # A dose with no indication and no --days: the message must read as a sentence.
    # Regression: plan.py once built f"the {name} regimen ..." with name = "this order".
    message = _assert_refused(*_run(capsys, _argv(indication=None, dose="2 g/kg")), "days", "enter one")
    assert "the this order" not in message, message


# --- output files --------------------------------------------------------------------------------


def test_output_into_a_missing_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "missing" / "plan.json"
    message = _assert_refused(
        *_run(capsys, [*GOOD, "--format", "json", "--output", str(target)]), "output", "does not exist"
    )
    assert str(target.parent) in message
    assert list(tmp_path.iterdir()) == []


def test_output_that_is_an_existing_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    message = _assert_refused(*_run(capsys, [*GOOD, "--output", str(folder)]), "output", "is a folder")
    assert str(folder) in message
    assert list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans"]


@pytest.mark.parametrize("existing", [False, True], ids=["new-file", "over-existing-file"])
def test_failed_write_leaves_no_partial_or_temporary_file(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    existing: bool,
) -> None:
    """The disk fills up after the temporary file was created and written: nothing is left over,
    and a file already at the target keeps its old content."""
    target = tmp_path / "plan.json"
    if existing:
        target.write_text("old plan\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    message = _assert_refused(
        *_run(capsys, [*GOOD, "--format", "json", "--output", str(target)]), "output", str(target)
    )
    assert os.strerror(errno.ENOSPC) in message
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    if existing:
        assert target.read_text(encoding="utf-8") == "old plan\n"


def test_failed_rename_leaves_no_temporary_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "plan.txt"

    def refuse(src: object, dst: object) -> None:
        raise OSError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(os, "replace", refuse)
    _assert_refused(*_run(capsys, [*GOOD, "--output", str(target)]), "output", "cannot write")
    assert list(tmp_path.iterdir()) == []


def test_read_only_folder_leaves_nothing_behind(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        probe = folder / "probe"
        try:
            probe.touch()
        except OSError:
            pass
        else:
            probe.unlink()
            pytest.skip("running with privileges that ignore folder permissions (root)")
        target = folder / "plan.json"
        message = _assert_refused(
            *_run(capsys, [*GOOD, "--format", "json", "--output", str(target)]), "output", "cannot write"
        )
        assert str(folder) in message
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("length", [250, 300], ids=["temp-name-too-long", "name-too-long"])
def test_output_name_longer_than_the_file_system_allows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, length: int
) -> None:
    """NAME_MAX is 255 bytes on common file systems. At 250 the name fits but the temporary name
    (".<name>.XXXXXXXX.tmp") does not; at 300 the name itself does not.

    Regression (300): Path.is_dir() re-raises ENAMETOOLONG on Python 3.11/3.12; write_atomic once let
    it escape, so the CLI died with an OSError traceback (exit 1) instead of an "output:" line.
    """
    target = tmp_path / ("p" * length)
    _assert_refused(*_run(capsys, [*GOOD, "--output", str(target)]), "output", "too long")
    assert list(tmp_path.iterdir()) == []


# --- --save side effects -------------------------------------------------------------------------


def test_failed_run_saves_no_plan_file_and_records_no_history(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Regression: --save was once carried out (plan file written, "save" appended to the append-only
    history) before --output was written, so a run that exited 2 left a saved plan and an audit record."""
    saved = tmp_path / "plan.ivig"
    before = History().count()
    _assert_refused(
        *_run(capsys, [*GOOD, "--save", str(saved), "--output", str(tmp_path / "missing" / "plan.txt")]),
        "output",
        "does not exist",
    )
    assert list(tmp_path.iterdir()) == [], "a run that failed left a saved plan file"
    assert History().count() == before, "a run that failed recorded a save in the history"


def test_save_with_an_unusable_history_folder_is_one_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Regression: History().record raises FileExistsError from mkdir when the data folder is a file;
    the CLI once let it escape as a traceback (exit 1)."""
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("", encoding="utf-8")
    monkeypatch.setenv("IVIG_DESKTOP_DATA_DIR", str(not_a_folder))
    code, out, err = _run(capsys, [*GOOD, "--save", str(tmp_path / "plan.ivig")])
    assert code == 2, (code, err)
    assert out == ""
    assert err.startswith(PREFIX) and err.count("\n") == 1, err


def test_save_into_a_missing_folder_names_the_plan_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = [*GOOD, "--save", str(tmp_path / "missing" / "plan.ivig")]
    _assert_refused(*_run(capsys, argv), "plan file", "does not exist")
    assert list(tmp_path.iterdir()) == []


# --- site formulary and settings files -----------------------------------------------------------

BUNDLED_FORMULARY = ROOT / "resources" / "formulary.toml"


def test_formulary_missing_file_names_the_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "site-formulary.toml"
    _assert_refused(*_run(capsys, [*GOOD, "--formulary", str(missing)]), str(missing), "file not found")


@pytest.mark.parametrize("command", ["plan", "products"])
def test_formulary_malformed_toml_names_the_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    broken = tmp_path / "site.toml"
    broken.write_text('revision = "x"\n[[product]\nid = ', encoding="utf-8")
    head = GOOD if command == "plan" else ["products"]
    argv = [*head, "--formulary", str(broken)]
    _assert_refused(*_run(capsys, argv), str(broken), "not valid TOML")


def test_formulary_negative_vial_size_names_file_product_and_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = BUNDLED_FORMULARY.read_text(encoding="utf-8")
    at = text.index('id = "octagam-10"')
    head, tail = text[:at], text[at:]
    assert "{ size = 5, volume = 50," in tail
    site = tmp_path / "site.toml"
    site.write_text(head + tail.replace("{ size = 5, volume = 50,", "{ size = -5, volume = 50,", 1), "utf-8")
    message = _assert_refused(
        *_run(capsys, [*GOOD, "--formulary", str(site)]), str(site), "must be greater than zero"
    )
    assert "octagam-10" in message and "size" in message
    assert "privigen" not in message  # the record named is the product that is wrong


@pytest.mark.parametrize("option", ["--formulary", "--settings"])
def test_site_file_not_utf8_is_one_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, option: str
) -> None:
    """A file saved by an editor as Latin-1 ("µ" is byte 0xB5).

    Regression: tomllib raises UnicodeDecodeError for non-UTF-8 bytes; datafile.load once caught
    only TOMLDecodeError and OSError, so the CLI showed a traceback (exit 1).
    """
    source = ROOT / "resources" / ("formulary.toml" if option == "--formulary" else "site_settings.toml")
    site = tmp_path / "site.toml"
    site.write_bytes(source.read_bytes() + "\n# 97 µmol/L\n".encode("latin-1"))
    _assert_refused(*_run(capsys, [*GOOD, option, str(site)]), str(site))


# --- real processes ------------------------------------------------------------------------------


def _formulary_argv(tmp_path: Path) -> tuple[list[str], str]:
    broken = tmp_path / "broken.toml"
    broken.write_text("revision = [", encoding="utf-8")
    return [*GOOD, "--formulary", str(broken)], str(broken)


@pytest.mark.parametrize("case", ["weight-70-m", "missing-weight", "malformed-formulary"])
def test_real_process_exit_status_streams_and_no_traceback(tmp_path: Path, case: str) -> None:
    if case == "weight-70-m":
        argv, field, needle = _argv(weight="70 m"), "weight", "'m' is not a unit of weight"
    elif case == "missing-weight":
        argv, field, needle = _argv(weight=None), "--weight", "the following arguments are required"
    else:
        argv, field = _formulary_argv(tmp_path)
        needle = "not valid TOML"
    done = run_cli(argv)
    _assert_refused(done.returncode, done.stdout, done.stderr, field, needle)


def test_an_empty_database_is_refused_with_every_other_bad_field(capsys) -> None:
    """Blank --database is refused, and the other bad fields are still listed in the same run
    (the database lookup once raised first and hid them)."""
    code, out, err = _run(capsys, [*cli_argv(weight="70 m"), "--database", "  "])
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert "ivig-desktop: error: database: is empty; give a URL or leave --database out [--database]" in lines
    assert any(line.startswith("ivig-desktop: error: weight: ") for line in lines), lines
    assert len(lines) == 2, lines
