"""Expected failures of the `barometer` command end in one or two lines and a documented exit code, never
in a traceback (unless --verbose); the published release stays as it was."""
from __future__ import annotations

import shutil

import pytest

from pipelines.cli import Exit
from pipelines.cli import main as barometer
from pipelines.settings import ConfigurationError
from sources.snapshots import EMBEDDED_SNAPSHOTS


def tamper_with_a_newer_population_snapshot(snapshots):
    newer = snapshots / "population" / "2099-01-01"
    shutil.copytree(next((EMBEDDED_SNAPSHOTS / "population").iterdir()), newer)
    data = newer / "limburg_population.csv"
    data.write_text(data.read_text(encoding="utf-8") + "71002,As,2099,1\n", encoding="utf-8")


def test_a_tampered_snapshot_is_refused_in_a_line_naming_file_and_rule(office, capsys):
    release = office.current.resolve()
    tamper_with_a_newer_population_snapshot(office.snapshots)
    assert barometer(["run"]) == Exit.REFUSED
    err = capsys.readouterr().err
    assert "Traceback" not in err and "limburg_population.csv" in err and "'snapshot-checksum'" in err
    assert len([line for line in err.splitlines() if not line.startswith(("loading ", "validating "))]) <= 2
    assert office.current.resolve() == release


def test_a_wrong_setting_is_one_line_with_the_configuration_exit_code(office, capsys, monkeypatch):
    monkeypatch.setenv("BAROMETER_AREA", "Atlantis")
    assert barometer(["run"]) == Exit.CONFIGURATION
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("barometer run: BAROMETER_AREA='Atlantis' is not an area of the catalogue")
    assert len(err) == 2 and "--verbose" in err[1]


def test_verbose_shows_the_traceback(office, monkeypatch):
    monkeypatch.setenv("BAROMETER_LOCK_TIMEOUT", "soon")
    with pytest.raises(ConfigurationError, match="BAROMETER_LOCK_TIMEOUT='soon' is not a number of seconds"):
        barometer(["--verbose", "run"])


def test_help_lists_the_exit_codes(capsys):
    with pytest.raises(SystemExit) as done:
        barometer(["--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    assert all(f"  {code.value}  " in out for code in Exit)
