"""One run at a time per output folder: the run lock, as a Dagster resource held for the whole run.

DuckDB allows one writer, and two runs publishing at once would interleave their tables. The lock is an OS
file lock, so a run that is killed releases it at once. A second run waits up to the settings'
`lock_timeout` (BAROMETER_LOCK_TIMEOUT, default 15 minutes) and then fails with a clear message.
"""
from __future__ import annotations

from dagster import InitResourceContext, ResourceDefinition, resource

from pipelines.core import Pipeline


def run_lock(pipeline: Pipeline) -> ResourceDefinition:
    @resource(description=f"The run lock of {pipeline.settings.output}, held from the start to the end of a run "
                          "(a damaged warehouse is set aside first, to be rebuilt by the run).")
    def _run_lock(context: InitResourceContext):
        with pipeline.holding_the_run() as lock:
            yield lock

    return _run_lock
