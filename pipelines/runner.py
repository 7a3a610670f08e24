"""Run a job in this process on the configured Dagster instance, so that the run shows in the UI.

Dagster is imported only once there is something to run: a run without news is answered by the core."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from typing import TYPE_CHECKING

from pipelines.core import Pipeline, hold_output_lock
from pipelines.settings import Settings

if TYPE_CHECKING:
    from dagster import AssetKey, DagsterInstance


@dataclass
class RunOutcome:
    success: bool
    run_id: str | None
    problems: list[str]
    # the assets the run materialised; empty when everything was up to date and no run was needed
    assets: list[AssetKey] = field(default_factory=list)
    # a step failed on a source file (a snapshot that is not what it was, a file that does not parse)
    refused: bool = False


def run_job(settings: Settings, name: str = "barometer_all", instance: DagsterInstance | None = None,
            tags: dict[str, str] | None = None, only_stale: bool = False,
            years: Sequence[int] | None = None, log_level: str = "WARNING") -> RunOutcome:
    """Execute a job in-process: everything it holds, or with `only_stale` only the steps whose files, code
    or upstream changed since they last succeeded (with everything downstream); nothing runs when nothing
    changed. `years` reloads only those reference years of the sources that give a year per row. Dagster's
    console log shows `log_level` and above. Raises RunBusy when another run holds the lock too long."""
    # asked of the core first: a run without news needs neither Dagster nor its definitions
    if only_stale and not Pipeline(settings).stale_now():
        return RunOutcome(True, None, [])
    from dagster import AssetKey, DagsterInstance

    from pipelines.definitions import build_defs, pipeline_for
    from pipelines.run_report import refused_a_file, run_problems

    instance = instance or DagsterInstance.get()
    defs, pipeline = build_defs(settings), pipeline_for(settings)
    job = defs.resolve_job_def(name)
    # what is stale is decided under the run lock, so not while another run is changing it
    lock = hold_output_lock(settings.output, settings.lock_timeout)
    try:
        keys = set(job.asset_layer.executable_asset_keys)
        selection = sorted(keys & {AssetKey(n) for n in pipeline.stale()}) if only_stale else sorted(keys)
        if not selection:
            return RunOutcome(True, None, [])
        config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
        if years:
            config["ops"] = {"ingest": {"config": {"years": list(years)}}}
        result = job.execute_in_process(instance=instance, raise_on_error=False, tags=tags, run_config=config,
                                        asset_selection=selection if only_stale else None)
    finally:
        lock.release()
    return RunOutcome(result.success, result.run_id, run_problems(instance, result.run_id), selection,
                      refused=not result.success and refused_a_file(instance, result.run_id))
