"""The floor at the default size: the pipeline core's own steps in one process, one after another, without
Dagster and without validation.

It is `Pipeline(Settings.from_env()).run(validation=False)` (pipelines/core.py), as the Dagster assets run
it — the same parsers, loads, SQL models with their output checks, and publication (downloads, pages, the
validation report of the release) — but without the validation, and importing no Dagster. Its stages are
timed around the core's steps exactly as bench.default_run times them in a Dagster run. Settings come from
the environment (BAROMETER_OUTPUT, BAROMETER_SNAPSHOTS), as for `barometer run`.

    python -m bench.floor --result FILE
"""
from __future__ import annotations

import argparse
from pathlib import Path

from bench.probe import Probe
from pipelines import core
from pipelines.settings import Settings

# the core's steps by stage (the reference tables are built by `build`: models, as in a Dagster run), and
# the HTML writers it calls, timed as reports; bench.default_run times a run with the same (it imports
# Dagster, so the floor must not import it)
STEPS = {"load": "ingest", "validate": "validation", "build": "models", "publish": "publication"}
REPORT_WRITERS = ("write_pages", "write_validation_report")


def time_steps(probe: Probe) -> None:
    for method, stage in STEPS.items():
        probe.time_calls(core.Pipeline, (method,), stage)
    probe.time_calls(core, REPORT_WRITERS, "reports")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--result", type=Path, required=True, help="where to write the timings (JSON)")
    args = parser.parse_args(argv)
    probe = Probe()
    time_steps(probe)
    core.Pipeline(Settings.from_env()).run(validation=False)
    probe.write(args.result)


if __name__ == "__main__":
    main()
