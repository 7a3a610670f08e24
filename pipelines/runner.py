"""Run a job in this process on the configured Dagster instance."""
from __future__ import annotations

from dataclasses import dataclass

from dagster import DagsterInstance

from pipelines.definitions import defs
from pipelines.partitions import year_range_tags
from pipelines.run_report import run_problems


@dataclass
class RunOutcome:
    success: bool
    run_id: str
    problems: list[str]


def run_job(name: str = "barometer_all", instance: DagsterInstance | None = None,
            tags: dict[str, str] | None = None) -> RunOutcome:
    """Execute a job in-process over all reference years (one run; the raw assets load every year)."""
    instance = instance or DagsterInstance.get()
    result = defs.resolve_job_def(name).execute_in_process(
        instance=instance, raise_on_error=False, tags={**year_range_tags(), **(tags or {})},
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}})
    return RunOutcome(result.success, result.run_id, run_problems(instance, result.run_id))
