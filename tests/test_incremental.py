"""Incremental runs: on a Dagster instance configured like the office's (this repository's dagster.yaml),
a second `barometer run` without a new file runs nothing, a new file of one source recomputes that
source and what depends on it, nothing else, and removed outputs are rebuilt whole."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterEventType, DagsterInstance

from pipelines.resources import PROJECT_ROOT
from pipelines.runner import run_job
from tests.test_bad_input import edited_snapshot

DEPENDS_ON_ONEM_RATE = {"raw_onem_unemployment_rate", "observations", "harmonised_observations", "indicator_values",
                        "barometer_table", "synthesis", "release"}


def published_value(output: Path, nis_code: str, indicator: str, period: str) -> str:
    with (output / "current" / "downloads" / "barometer.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if (row["nis_code"], row["indicator_id"], row["period"]) == (nis_code, indicator, period):
                return row["value"]
    raise AssertionError(f"no published value for {nis_code} {indicator} {period}")


@pytest.fixture
def installation(tmp_path, monkeypatch) -> tuple[DagsterInstance, Path, Path]:
    home, output, snapshots = tmp_path / "home", tmp_path / "output", tmp_path / "snapshots"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster.yaml", home)
    for name, value in {"DAGSTER_HOME": home, "BAROMETER_OUTPUT": output, "BAROMETER_SNAPSHOTS": snapshots}.items():
        monkeypatch.setenv(name, str(value))
    with DagsterInstance.get() as instance:
        yield instance, output, snapshots


def test_second_run_runs_nothing_a_new_file_only_its_dependents_and_removed_outputs_everything(installation, tmp_path):
    instance, output, snapshots = installation
    cold = run_job(instance=instance, only_stale=True)
    assert cold.success, cold.problems
    assert {key.to_user_string() for key in cold.assets} >= DEPENDS_ON_ONEM_RATE | {"municipalities",
                                                                                    "raw_population"}
    first_release = (output / "current").resolve()

    second = run_job(instance=instance, only_stale=True)
    assert (second.success, second.run_id, second.assets) == (True, None, [])
    assert (output / "current").resolve() == first_release

    assert published_value(output, "71002", "werkloosheidsgraad_rva", "2018") == "5.99"
    shutil.copytree(PROJECT_ROOT / "data" / "snapshots" / "onem_unemployment_rate", snapshots / "onem_unemployment_rate")

    def revise(rows):
        [row] = [r for r in rows if (r["nis_code"], r["period"]) == ("71002", "2018")]
        row["value"] = "6.01"

    edited_snapshot(snapshots, "onem_unemployment_rate", revise, tmp_path)
    third = run_job(instance=instance, only_stale=True)
    assert third.success, third.problems
    assert {key.to_user_string() for key in third.assets} == DEPENDS_ON_ONEM_RATE
    materialised = {e.dagster_event.asset_key.to_user_string()
                    for e in instance.all_logs(third.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)}
    assert materialised == DEPENDS_ON_ONEM_RATE
    assert published_value(output, "71002", "werkloosheidsgraad_rva", "2018") == "6.01"
    assert (output / "current").resolve() != first_release

    # Dagster's records alone cannot bring back removed outputs: everything is rebuilt
    (output / "current").unlink()
    rebuilt = run_job(instance=instance, only_stale=True)
    assert rebuilt.success, rebuilt.problems
    assert AssetKey("raw_population") in rebuilt.assets and (output / "current" / "index.html").is_file()


def test_code_version_follows_the_files_and_settings_it_names(tmp_path, monkeypatch):
    from pipelines import versions

    monkeypatch.setattr(versions, "PROJECT_ROOT", tmp_path)
    (tmp_path / "sql").mkdir()
    (tmp_path / "sql" / "step.sql").write_text("select 1", encoding="utf-8")
    first = versions.code_version(["sql/*.sql"], {"unit": "percent"})
    (tmp_path / "sql" / "__pycache__").mkdir()
    (tmp_path / "sql" / "__pycache__" / "step.sql").write_text("compiled", encoding="utf-8")
    assert versions.code_version(["sql/**/*"], {"unit": "percent"}) == first
    assert versions.code_version(["sql/*.sql"], {"unit": "per_1000"}) != first
    (tmp_path / "sql" / "step.sql").write_text("select 2", encoding="utf-8")
    assert versions.code_version(["sql/*.sql"], {"unit": "percent"}) != first
    with pytest.raises(FileNotFoundError):
        versions.code_version(["missing/*.sql"])
