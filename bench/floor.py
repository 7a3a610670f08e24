"""The floor at the default size: the pipeline core's own steps in one process, one after another, without
Dagster and without validation.

It runs `pipelines.core.Pipeline` as the Dagster assets do — the same parsers, loads, SQL models and
publication — but skips the validation (so it writes no validation report) and the output checks'
bookkeeping in Dagster. Settings come from the environment (BAROMETER_OUTPUT, BAROMETER_SNAPSHOTS), as for
`barometer run`.

    python -m bench.floor --result FILE
"""
from __future__ import annotations

import argparse
from pathlib import Path

from bench.default_run import REPORT_WRITERS
from bench.probe import Probe
from pipelines import core
from pipelines.settings import Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--result", type=Path, required=True, help="where to write the timings (JSON)")
    args = parser.parse_args(argv)
    probe = Probe()
    pipeline = core.Pipeline(Settings.from_env())
    with probe.stage("ingest"):
        pipeline.load([pipeline.register])
        pipeline.build(pipeline.reference)
        pipeline.load(pipeline.sources)
    with probe.stage("models"):
        pipeline.build([m for m in pipeline.models if m.layer != "reference"])
    probe.time_calls(core, REPORT_WRITERS, "reports")
    with probe.stage("publication"):
        pipeline.publish()
    probe.write(args.result)


if __name__ == "__main__":
    main()
