"""Run a job in this process on the configured Dagster instance."""
from __future__ import annotations

from dataclasses import dataclass, field

from dagster import AssetKey, DagsterInstance, PartitionKeyRange
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from models.validation import import_in_background
from pipelines.assets import SNAPSHOT_SOURCES
from pipelines.definitions import defs
from pipelines.partitions import YEARS, year_range_tags
from pipelines.resources import BarometerResource, hold_output_lock
from pipelines.run_report import run_problems
from pipelines.versions import observe_snapshot, stale_assets
from sources.snapshots import find_latest


@dataclass
class RunOutcome:
    success: bool
    run_id: str | None
    problems: list[str]
    # the assets the run materialised; empty when everything was up to date and no run was needed
    assets: list[AssetKey] = field(default_factory=list)


def run_job(name: str = "barometer_all", instance: DagsterInstance | None = None,
            tags: dict[str, str] | None = None, only_stale: bool = False) -> RunOutcome:
    """Execute a job in-process (by default over all reference years, in one run).

    With `only_stale`, the newest snapshot of every source is recorded as a data version first, and only
    the assets Dagster finds missing or stale (a new file, new code, or an upstream that changed) run,
    with everything downstream of them; nothing runs when nothing changed.
    """
    instance = instance or DagsterInstance.get()
    tags = {**year_range_tags(), **(tags or {})}
    job = defs.resolve_job_def(name)
    try:
        # what is stale is decided under the run lock, so not while another run is changing it
        lock = hold_output_lock(BarometerResource().output)
    except RuntimeError as busy:
        return RunOutcome(False, None, [str(busy)])
    try:
        selection = _outdated(instance, job, tags) if only_stale else sorted(job.asset_layer.executable_asset_keys)
        if not selection:
            return RunOutcome(True, None, [])
        import_in_background()
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, tags=tags, asset_selection=selection if only_stale else None,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}})
    finally:
        lock.release()
    return RunOutcome(result.success, result.run_id, run_problems(instance, result.run_id), selection)


def _outdated(instance: DagsterInstance, job, tags: dict[str, str]) -> list[AssetKey]:
    barometer = BarometerResource()
    for source in SNAPSHOT_SOURCES:
        observe_snapshot(instance, source.id, find_latest(barometer.snapshot_roots, source.id))
    keys = set(job.asset_layer.executable_asset_keys)
    if not barometer.warehouse.exists() or not (barometer.output / "current").exists():
        return sorted(keys)  # the outputs were removed: Dagster's records alone cannot rebuild them
    years = YEARS.get_partition_keys_in_range(
        PartitionKeyRange(tags[ASSET_PARTITION_RANGE_START_TAG], tags[ASSET_PARTITION_RANGE_END_TAG]))
    return sorted(stale_assets(instance, defs.resolve_asset_graph(), keys, years))
