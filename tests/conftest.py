"""Shared fixtures: a real Dagster run of the whole pipeline into a temporary output folder."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dagster import DagsterInstance

from sources.snapshots import EMBEDDED_SNAPSHOTS


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
