"""Shared fixtures: real Dagster runs of the whole pipeline into temporary installations (Settings)."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance

from pipelines.settings import EXAMPLE_PROFILES, Settings
from sources.snapshots import EMBEDDED_SNAPSHOTS
from tests.reliability import record


def installation(folder: Path, **changes) -> Settings:
    """Settings whose output, snapshots and landing folder lie in `folder`. A test drops a file whole, so the
    landing folder takes it at once (tests/test_intake.py waits for files being written)."""
    return Settings.under(folder, **{"landing_stable_seconds": 0, **changes})


def run_pipeline(settings: Settings, instance: DagsterInstance | None = None, **options):
    """A real in-process Dagster run of the barometer job for `settings` (options: see runner.run_job)."""
    from pipelines.runner import run_job

    return run_job(settings, instance=instance or DagsterInstance.ephemeral(), **options)


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> Path:
    """The output folder after one successful run on the embedded real data with the example profile of Genk,
    as `make run` makes it (read it, do not change it)."""
    settings = installation(tmp_path_factory.mktemp("published"), profiles=EXAMPLE_PROFILES)
    outcome = run_pipeline(settings)
    assert outcome.success, outcome.problems
    return settings.output


@pytest.fixture
def published_copy(published, tmp_path) -> Path:
    """A private copy of the published output (release folders, `current` link and warehouse)."""
    target = tmp_path / "output"
    shutil.copytree(published, target, symlinks=True)
    return target


@pytest.fixture
def snapshot_copy(tmp_path) -> Path:
    """A writable copy of the embedded snapshots, for tests that add a newer (bad) snapshot."""
    target = tmp_path / "snapshots"
    shutil.copytree(EMBEDDED_SNAPSHOTS, target)
    return target


@pytest.fixture
def office(published_copy, tmp_path, monkeypatch) -> Settings:
    """An installation with a published release, its own snapshot folder, an empty landing folder and the
    example profile the release was made with; the environment names it too, for the `barometer` command (which
    reads its settings from there). A test drops a file whole, so the landing folder takes it at once."""
    settings = Settings(output=published_copy, snapshots=tmp_path / "snapshots", landing=tmp_path / "landing",
                        profiles=EXAMPLE_PROFILES, landing_stable_seconds=0)
    settings.landing.mkdir()
    for name, value in {"BAROMETER_OUTPUT": settings.output, "BAROMETER_SNAPSHOTS": settings.snapshots,
                        "BAROMETER_LANDING": settings.landing, "BAROMETER_PROFILES": settings.profiles,
                        "BAROMETER_LANDING_STABLE_SECONDS": 0,
                        "DAGSTER_HOME": tmp_path}.items():
        monkeypatch.setenv(name, str(value))
    return settings


@pytest.fixture
def reference_warehouse(tmp_path):
    """A warehouse with the real register and its reference tables, and the pipeline that built it."""
    from pipelines.core import Pipeline

    pipeline = Pipeline(installation(tmp_path))
    pipeline.load([pipeline.register])
    pipeline.build(pipeline.reference)
    return pipeline


def build_layers(con: duckdb.DuckDBPyConnection, *layers: str, inputs=None) -> None:
    """Build the models of `layers` on a test's own tables: the SQL models only, or with `inputs`
    (models.seeds.ModelInputs) also the tables made from the catalogue and the method."""
    from models.build import build_model, model_graph
    from sources.catalog import load_catalog

    for model in model_graph(load_catalog()):
        if model.layer in layers and (model.sql is not None or inputs is not None):
            build_model(con, model, inputs)


def pytest_runtest_makereport(item, call):
    """Tests marked `reliability(kind, case, expected outcome)` report their result to `make reliability`."""
    marker = item.get_closest_marker("reliability")
    if marker and call.when == "call":
        kind, case, expected = marker.args
        passed = call.excinfo is None
        record(kind, case, expected if passed else f"FAILED: {call.excinfo.typename}", passed)


def sense(settings: Settings):
    """One evaluation of the landing-folder sensor."""
    from dagster import build_sensor_context

    from pipelines.definitions import build_defs

    return build_defs(settings).resolve_sensor_def("landing_folder_sensor")(build_sensor_context())


def after_failure(settings: Settings, instance: DagsterInstance, run_id: str) -> dict[str, object]:
    """What the failure sensors do after the failed run `run_id`: each one's result by name."""
    from dagster import DagsterEventType, build_run_status_sensor_context

    from pipelines.definitions import build_defs

    run = instance.get_run_by_id(run_id)
    [failure] = instance.all_logs(run_id, of_type=DagsterEventType.RUN_FAILURE)
    return {name: build_defs(settings).resolve_sensor_def(name)(build_run_status_sensor_context(
        sensor_name=name, dagster_event=failure.dagster_event, dagster_instance=instance,
        dagster_run=run).for_run_failure()) for name in ("landing_run_failure_sensor", "failed_run_alert_sensor")}


def run_landed(settings: Settings):
    """What the landing sensors do with the file just dropped: the run the folder sensor asks for, on an
    ephemeral instance, and after a failed run the failure sensors, which withdraw the snapshot, reject the
    file and send the alert. Returns the run request, the run's outcome and the instance."""
    [request] = sense(settings)
    instance = DagsterInstance.ephemeral()
    outcome = run_pipeline(settings, instance, tags=request.tags)
    if not outcome.success:
        after_failure(settings, instance, outcome.run_id)
    return request, outcome, instance
