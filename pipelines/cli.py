"""`barometer`: the command line for the planning office's routine tasks."""
from __future__ import annotations

import argparse
import os
import sys

from pipelines.resources import PROJECT_ROOT


def _run(args: argparse.Namespace) -> int:
    from pipelines.resources import BarometerResource
    from pipelines.runner import run_job

    outcome = run_job(args.job)
    if not outcome.success:
        print(f"Run {outcome.run_id} FAILED; output/current was left as it was.", file=sys.stderr)
        for problem in outcome.problems:
            print(f"- {problem}", file=sys.stderr)
        return 1
    current = BarometerResource().output / "current"
    print(f"Run {outcome.run_id} succeeded. Published release: {current.resolve()}")
    print(f"Open {current / 'index.html'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    # runs appear in the Dagster UI when they share its instance (the repo's dagster.yaml)
    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT))
    parser = argparse.ArgumentParser(prog="barometer", description="Armoedebarometer Limburg pipeline")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the whole pipeline and publish output/current")
    run.add_argument("--job", default="barometer_all", help="job to run (default: barometer_all)")
    run.set_defaults(handler=_run)
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
