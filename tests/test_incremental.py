"""Incremental runs: a second `barometer run` without a new file runs nothing, a new file of one source
recomputes that source and what depends on it, nothing else, and removed outputs are rebuilt whole."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterEventType, DagsterInstance

from pipelines import core
from pipelines.settings import PROJECT_ROOT
from tests.conftest import installation, run_pipeline
from tests.test_bad_input import edited_snapshot

# full pipeline runs of their own: not in the fast lane (make test-fast)
pytestmark = pytest.mark.slow

DEPENDS_ON_ONEM_RATE = {"raw_onem_unemployment_rate", "raw_observations", "observations", "harmonised_observations",
                        "unit_indicator_values", "indicator_values", "reference_values", "area_values", "barometer",
                        "indicator_coverage", "term_changes", "synthesis_indicators", "synthesis_components",
                        "synthesis_weights", "synthesis", "target_progress", "release"}


def published_value(output: Path, nis_code: str, indicator: str, period: str) -> str:
    with (output / "current" / "downloads" / "barometer.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if (row["nis_code"], row["indicator_id"], row["period"]) == (nis_code, indicator, period):
                return row["value"]
    raise AssertionError(f"no published value for {nis_code} {indicator} {period}")


def test_second_run_runs_nothing_a_new_file_only_its_dependents_and_removed_outputs_everything(tmp_path):
    settings = installation(tmp_path)
    instance = DagsterInstance.ephemeral()
    cold = run_pipeline(settings, instance, only_stale=True)
    assert cold.success, cold.problems
    assert {key.to_user_string() for key in cold.assets} >= DEPENDS_ON_ONEM_RATE | {"municipalities",
                                                                                    "raw_population"}
    first_release = settings.current.resolve()

    second = run_pipeline(settings, instance, only_stale=True)
    assert (second.success, second.run_id, second.assets) == (True, None, [])
    assert settings.current.resolve() == first_release

    assert published_value(settings.output, "71002", "werkloosheidsgraad_rva", "2018") == "5.99"
    shutil.copytree(PROJECT_ROOT / "data" / "snapshots" / "onem_unemployment_rate",
                    settings.snapshots / "onem_unemployment_rate")

    def revise(rows):
        [row] = [r for r in rows if (r["nis_code"], r["period"]) == ("71002", "2018")]
        row["value"] = "6.01"

    edited_snapshot(settings.snapshots, "onem_unemployment_rate", revise, tmp_path)
    third = run_pipeline(settings, instance, only_stale=True)
    assert third.success, third.problems
    assert {key.to_user_string() for key in third.assets} == DEPENDS_ON_ONEM_RATE
    materialised = {e.dagster_event.asset_key.to_user_string()
                    for e in instance.all_logs(third.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)}
    assert materialised == DEPENDS_ON_ONEM_RATE
    assert published_value(settings.output, "71002", "werkloosheidsgraad_rva", "2018") == "6.01"
    assert settings.current.resolve() != first_release

    # without the published release, everything is rebuilt
    settings.current.unlink()
    rebuilt = run_pipeline(settings, instance, only_stale=True)
    assert rebuilt.success, rebuilt.problems
    assert AssetKey("raw_population") in rebuilt.assets and (settings.current / "index.html").is_file()


def test_a_step_that_failed_half_way_runs_again(tmp_path):
    settings = installation(tmp_path)
    assert run_pipeline(settings).success
    pipeline = core.Pipeline(settings)
    with pipeline.connect() as con:
        pipeline._forget(con, ["barometer"])   # what a step does before it writes
    assert pipeline.stale() == {"barometer", "indicator_coverage", "term_changes", "synthesis_indicators",
                                "synthesis_components", "synthesis_weights", "synthesis", "target_progress",
                                "release"}


def test_code_version_follows_the_files_and_settings_it_names(tmp_path, monkeypatch):
    monkeypatch.setattr(core, "PROJECT_ROOT", tmp_path)
    (tmp_path / "sql").mkdir()
    (tmp_path / "sql" / "step.sql").write_text("select 1", encoding="utf-8")
    first = core.code_version(["sql/*.sql"], {"unit": "percent"})
    (tmp_path / "sql" / "__pycache__").mkdir()
    (tmp_path / "sql" / "__pycache__" / "step.sql").write_text("compiled", encoding="utf-8")
    assert core.code_version(["sql/**/*"], {"unit": "percent"}) == first
    assert core.code_version(["sql/*.sql"], {"unit": "per_1000"}) != first
    (tmp_path / "sql" / "step.sql").write_text("select 2", encoding="utf-8")
    assert core.code_version(["sql/*.sql"], {"unit": "percent"}) != first
    with pytest.raises(FileNotFoundError):
        core.code_version(["missing/*.sql"])


def test_the_command_runs_nothing_when_nothing_changed(office, capsys):
    from pipelines.cli import main as barometer

    release = office.current.resolve()
    assert barometer(["run"]) == 0
    assert "nothing changed since the last run" in capsys.readouterr().out
    assert office.current.resolve() == release
