"""Shared fixtures: a real Dagster run of the whole pipeline into a temporary output folder."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dagster import DagsterInstance

from pipelines.resources import BarometerResource
from sources.snapshots import EMBEDDED_SNAPSHOTS
from tests.reliability import record


def run_pipeline(monkeypatch: pytest.MonkeyPatch, output: Path, snapshots: Path | None = None,
                 tags: dict[str, str] | None = None):
    """A real in-process Dagster run; `snapshots` is the local snapshot folder (default: none beside the embedded)."""
    from pipelines.runner import run_job

    monkeypatch.setenv("BAROMETER_OUTPUT", str(output))
    monkeypatch.setenv("BAROMETER_SNAPSHOTS", str(snapshots or output / "no-local-snapshots"))
    return run_job(instance=DagsterInstance.ephemeral(), tags=tags)


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> Path:
    """The output folder after one successful run on the embedded real data."""
    output = tmp_path_factory.mktemp("output")
    with pytest.MonkeyPatch.context() as monkeypatch:
        outcome = run_pipeline(monkeypatch, output)
    assert outcome.success, outcome.problems
    return output


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
def office(published_copy, tmp_path, monkeypatch) -> BarometerResource:
    """An installation with a published release, its own snapshot folder and an empty landing folder."""
    landing = tmp_path / "landing"
    landing.mkdir()
    for name, value in {"BAROMETER_OUTPUT": published_copy, "BAROMETER_SNAPSHOTS": tmp_path / "snapshots",
                        "BAROMETER_LANDING": landing, "DAGSTER_HOME": tmp_path}.items():
        monkeypatch.setenv(name, str(value))
    return BarometerResource()


def pytest_runtest_makereport(item, call):
    """Tests marked `reliability(kind, case, expected outcome)` report their result to `make reliability`."""
    marker = item.get_closest_marker("reliability")
    if marker and call.when == "call":
        kind, case, expected = marker.args
        passed = call.excinfo is None
        record(kind, case, expected if passed else f"FAILED: {call.excinfo.typename}", passed)


def sense(barometer: BarometerResource):
    """One evaluation of the landing-folder sensor."""
    from dagster import build_sensor_context

    from pipelines.automation import landing_folder_sensor

    return landing_folder_sensor(build_sensor_context(resources={"barometer": barometer}))


def run_landed(barometer: BarometerResource):
    """What the landing sensors do with the file just dropped: the run the folder sensor asks for, on an
    ephemeral instance, and after a failed run the failure sensor, which withdraws the snapshot and rejects
    the file. Returns the run request, the run's outcome and the instance."""
    from dagster import DagsterEventType, build_run_status_sensor_context

    from pipelines.automation import landing_run_failure_sensor
    from pipelines.runner import run_job

    [request] = sense(barometer)
    instance = DagsterInstance.ephemeral()
    outcome = run_job(instance=instance, tags=request.tags)
    if not outcome.success:
        run = instance.get_run_by_id(outcome.run_id)
        [failure] = instance.all_logs(run.run_id, of_type=DagsterEventType.RUN_FAILURE)
        landing_run_failure_sensor(build_run_status_sensor_context(
            sensor_name="landing_run_failure_sensor", dagster_event=failure.dagster_event, dagster_instance=instance,
            dagster_run=run, resources={"barometer": barometer}).for_run_failure())
    return request, outcome, instance
