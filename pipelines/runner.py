"""Run a job in this process on the configured Dagster instance and summarise what went wrong."""
from __future__ import annotations

from dataclasses import dataclass

from dagster import DagsterInstance

from pipelines.definitions import defs


@dataclass
class RunOutcome:
    success: bool
    run_id: str
    problems: list[str]


def run_job(name: str = "barometer_all", instance: DagsterInstance | None = None) -> RunOutcome:
    """Execute a job in-process. Failed validation checks and failed steps become readable problems."""
    job = defs.resolve_job_def(name)
    result = job.execute_in_process(instance=instance or DagsterInstance.get(), raise_on_error=False,
                                    run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}})
    problems = [f"validation of {'/'.join(e.asset_key.path)} failed:\n{e.description}"
                for e in result.get_asset_check_evaluations() if not e.passed]
    problems += [f"step {e.step_key} failed: {_root_cause(e.event_specific_data.error)}"
                 for e in result.get_step_failure_events()
                 if "DagsterAssetCheckFailedError" not in e.event_specific_data.error.cls_name]
    return RunOutcome(result.success, result.run_id, problems)


def _root_cause(error) -> str:
    # Dagster wraps the exception raised in a step; the innermost one says what was wrong with the data
    while error.cause is not None:
        error = error.cause
    return f"{error.cls_name}: {error.message.strip()}"
