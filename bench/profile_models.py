"""Where the model SQL spends its time: each SQL model of a built warehouse is made again under DuckDB's
profiler, in graph order, and its slowest operators are listed.

    python -m bench.profile_models --data DIR --out DIR [--top 3]

DIR of --out is a folder in which `bench.scale` (with or without --floor) ran on the synthetic files in
--data: its warehouse holds every model, so each is rebuilt from the same inputs. Prints one line per
model (wall time, then the operators that took longest with their own time and output rows) and writes the
profiles as JSON beside the warehouse (profiles/<model>.json).
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench.scale import connect, synthetic_pipeline


def operators(nodes: list[dict]) -> list[dict]:
    """Every operator of a profile's tree (DuckDB 2's JSON: name, timing, intermediate_rows, children)."""
    return [found for node in nodes for found in (node, *operators(node.get("children", [])))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the synthetic files bench.scale read")
    parser.add_argument("--out", type=Path, required=True, help="the folder bench.scale wrote")
    parser.add_argument("--top", type=int, default=3, help="operators listed per model")
    args = parser.parse_args(argv)
    manifest = json.loads((args.data / "manifest.json").read_text(encoding="utf-8"))
    pipeline = synthetic_pipeline(args.data, args.out, manifest["themes"])
    profiles = args.out / "profiles"
    profiles.mkdir(exist_ok=True)
    with connect(pipeline.settings.warehouse) as con:
        for model in pipeline.models:
            if model.sql is None or model.layer == "reference":
                continue
            path = profiles / f"{model.name}.json"
            con.execute("pragma enable_profiling = 'json'")
            con.execute(f"pragma profiling_output = '{path}'")
            started = time.perf_counter()
            con.execute(model.create_statement())
            wall = time.perf_counter() - started
            con.execute("pragma disable_profiling")
            # DuckDB writes no profile for a query without a plan to run (a VALUES list)
            profile = json.loads(path.read_text()) if path.exists() else {}
            slowest = sorted(operators(profile.get("operator", [])), key=lambda o: -o["timing"])
            listed = ", ".join(f"{o['name']} {o['timing']:.2f} s ({o['intermediate_rows']:,} rows)"
                               for o in slowest[:args.top])
            print(f"{model.name:28} {model.materialized:5} {wall:7.2f} s   {listed}", flush=True)


if __name__ == "__main__":
    main()
