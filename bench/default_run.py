"""One `barometer run` in this process, timed per stage.

The run is what `barometer run` does: the job barometer_all through `pipelines.runner.run_job` on the
Dagster instance of DAGSTER_HOME, with the settings of the environment. The run's stages are timed around
the core's steps (loads are ingest, validation, the model builds, the publication); the HTML writers inside
the publication count as reports, and what lies between the steps is Dagster's own work (orchestration).

    python -m bench.default_run --result FILE
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.floor import time_steps
from bench.probe import Probe
from pipelines.runner import run_job
from pipelines.settings import Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--result", type=Path, required=True, help="where to write the timings (JSON)")
    args = parser.parse_args(argv)
    probe = Probe()
    time_steps(probe)  # the core's steps and HTML writers, timed as in the floor
    start = time.time()
    # what `barometer run` does: only what is missing or stale (everything, in fresh folders); Dagster is
    # imported only when there is something to run, as by the command
    outcome = run_job(Settings.from_env(), only_stale=True)
    probe.mark("orchestration", start, time.time())
    counts = {"steps": 0, "materialisations": 0, "check_evaluations": 0, "events": 0}
    if outcome.run_id:  # no run at all when nothing had to be recomputed
        from dagster import DagsterEventType, DagsterInstance

        instance = DagsterInstance.get()
        counts = {kind: len(instance.all_logs(outcome.run_id, of_type=event)) for kind, event in (
            ("steps", DagsterEventType.STEP_START),
            ("materialisations", DagsterEventType.ASSET_MATERIALIZATION),
            ("check_evaluations", DagsterEventType.ASSET_CHECK_EVALUATION),
            ("events", None))}
    probe.write(args.result, success=outcome.success, problems=outcome.problems, **counts)


if __name__ == "__main__":
    main()
