"""One `barometer run` in this process, timed per stage.

The run is what `barometer run` does: the job barometer_all through `pipelines.runner.run_job` on the
Dagster instance of DAGSTER_HOME, writing to BAROMETER_OUTPUT. The stage of each step is read from the
run's event log afterwards: raw assets are ingest, their checks validation, the model assets models,
the release publication. The HTML writers (pages in the release, the validation report after every
check) are timed as reports, and what lies between steps is Dagster's own work (orchestration).

    python -m bench.default_run --result FILE
"""
from __future__ import annotations

import argparse
import functools
import time
from pathlib import Path

from dagster import DagsterEventType, DagsterInstance

import pipelines.assets
import pipelines.checks
from bench.probe import Probe
from pipelines.runner import run_job

MODEL_STEPS = {a.key.to_user_string() for a in pipelines.assets.MODEL_ASSETS} - {"release"}
# the HTML writers, by the module that calls them
REPORT_WRITERS = {pipelines.assets: ("write_pages", "write_validation_report"),
                  pipelines.checks: ("write_validation_report",)}
STEP_EVENTS = {DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE}


def stage_of(step: str) -> str:
    if step == "release":
        return "publication"
    if step in MODEL_STEPS:
        return "models"
    if step.endswith("_valid"):
        return "validation"
    return "ingest" if step.startswith("raw_") else "orchestration"


def time_writers(probe: Probe) -> None:
    """Wrap the HTML writers where the assets and checks look them up, so that their time counts as reports."""
    def timed(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            start = time.time()
            try:
                return function(*args, **kwargs)
            finally:
                probe.mark("reports", start, time.time())
        return wrapper

    for module, names in REPORT_WRITERS.items():
        for name in names:
            setattr(module, name, timed(getattr(module, name)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--result", type=Path, required=True, help="where to write the timings (JSON)")
    args = parser.parse_args(argv)
    probe = Probe()
    time_writers(probe)
    instance = DagsterInstance.get()
    start = time.time()
    # what `barometer run` does: only what is missing or stale (everything, in fresh folders)
    outcome = run_job(instance=instance, only_stale=True)
    probe.mark("orchestration", start, time.time())
    steps: dict[str, list[float]] = {}
    # no run at all when nothing had to be recomputed
    logs = (lambda of_type: instance.all_logs(outcome.run_id, of_type=of_type)) if outcome.run_id else (lambda _: [])
    for record in logs(STEP_EVENTS):
        steps.setdefault(record.step_key, []).append(record.timestamp)
    for step, stamps in steps.items():
        probe.mark(stage_of(step), min(stamps), max(stamps))
    counts = {kind: len(logs(event)) for kind, event in (
        ("materialisations", DagsterEventType.ASSET_MATERIALIZATION),
        ("check_evaluations", DagsterEventType.ASSET_CHECK_EVALUATION),
        ("events", None))}
    probe.write(args.result, success=outcome.success, problems=outcome.problems, steps=len(steps), **counts)


if __name__ == "__main__":
    main()
